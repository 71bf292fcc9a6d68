;; attack: two buffer exports declare the same buffer x (f32 and f64)
;; want: ErrModule
;; export: buffer-x-f64
(module
(memory (export "memory") 1)
(func (export "buffer-x-f32") (result i32) i32.const 0)
(func (export "buffer-x-f64") (result i32) i32.const 1024)
(func (export "capacity-x") (result i32) i32.const 16)
)
