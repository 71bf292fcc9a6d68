;; attack: a buffer export without its capacity export
;; want: ErrMissingExport
;; export: capacity-x
(module
(memory (export "memory") 1)
(func (export "buffer-x-f64") (result i32) i32.const 0)
)
