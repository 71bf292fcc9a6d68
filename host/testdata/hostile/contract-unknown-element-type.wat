;; attack: a buffer of an element type the contract does not have (f16)
;; want: ErrModule
;; export: buffer-x-f16
(module
(memory (export "memory") 1)
(func (export "buffer-x-f16") (result i32) i32.const 0)
(func (export "capacity-x") (result i32) i32.const 16)
)
