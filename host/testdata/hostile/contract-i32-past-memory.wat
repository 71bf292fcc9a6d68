;; attack: an i32 buffer of 16385 elements at offset 0 of a 65536-byte memory (one element past)
;; want: ErrModule
;; export: buffer-x-i32
(module
(memory (export "memory") 1)
(func (export "buffer-x-i32") (result i32) i32.const 0)
(func (export "capacity-x") (result i32) i32.const 16385)
)
