;; attack: an i64 buffer starting inside an f32 buffer (f32 x [0,64), i64 y at 56)
;; want: ErrModule
;; export: buffer-y-i64
(module
(memory (export "memory") 1)
(func (export "buffer-x-f32") (result i32) i32.const 0)
(func (export "capacity-x") (result i32) i32.const 16)
(func (export "buffer-y-i64") (result i32) i32.const 56)
(func (export "capacity-y") (result i32) i32.const 4)
)
