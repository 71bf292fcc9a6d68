;; attack: a kernel with two results
;; want: ErrSignature
;; export: minmax
(module
(memory (export "memory") 1)
(func (export "minmax") (param i32) (result f64 f64) f64.const 0 f64.const 1)
)
