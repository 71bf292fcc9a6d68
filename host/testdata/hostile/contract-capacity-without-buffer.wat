;; attack: a capacity export for a buffer that no buffer export declares
;; want: ErrMissingExport
;; export: capacity-y
(module
(memory (export "memory") 1)
(func (export "buffer-x-f64") (result i32) i32.const 0)
(func (export "capacity-x") (result i32) i32.const 16)
(func (export "capacity-y") (result i32) i32.const 16)
)
