;; attack: an i64 buffer at an offset that is 4- but not 8-byte aligned
;; want: ErrModule
;; export: buffer-x-i64
(module
(memory (export "memory") 1)
(func (export "buffer-x-i64") (result i32) i32.const 4)
(func (export "capacity-x") (result i32) i32.const 16)
)
