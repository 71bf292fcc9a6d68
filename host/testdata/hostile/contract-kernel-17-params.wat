;; attack: a kernel with 17 parameters (at most 16)
;; want: ErrSignature
;; export: wide
(module
(memory (export "memory") 1)
(func (export "wide") (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32))
)
