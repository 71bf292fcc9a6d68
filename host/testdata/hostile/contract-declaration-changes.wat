;; attack: a buffer whose offset changes between calls (a counter in a global)
;; want: ErrModule
;; export: buffer-x-f64
(module
(memory (export "memory") 1)
(global $n (mut i32) (i32.const 0))
(func (export "buffer-x-f64") (result i32)
  (global.set $n (i32.add (global.get $n) (i32.const 8)))
  (global.get $n))
(func (export "capacity-x") (result i32) i32.const 16)
)
