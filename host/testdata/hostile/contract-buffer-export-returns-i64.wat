;; attack: a buffer export of type func() -> i64
;; want: ErrSignature
;; export: buffer-x-f64
(module
(memory (export "memory") 1)
(func (export "buffer-x-f64") (result i64) i64.const 0)
(func (export "capacity-x") (result i32) i32.const 16)
)
