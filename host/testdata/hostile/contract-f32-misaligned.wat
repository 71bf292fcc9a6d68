;; attack: an f32 buffer at an offset that is not 4-byte aligned
;; want: ErrModule
;; export: buffer-x-f32
(module
(memory (export "memory") 1)
(func (export "buffer-x-f32") (result i32) i32.const 2)
(func (export "capacity-x") (result i32) i32.const 16)
(func (export "k") (param i32))
)
