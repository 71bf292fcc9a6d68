;; attack: a buffer export with no buffer name (buffer-f64)
;; want: ErrModule
;; export: buffer-f64
(module
(memory (export "memory") 1)
(func (export "buffer-f64") (result i32) i32.const 0)
)
