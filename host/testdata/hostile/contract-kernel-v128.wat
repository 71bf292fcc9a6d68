;; attack: a kernel with a v128 parameter
;; want: ErrSignature
;; export: dot4
(module
(memory (export "memory") 1)
(func (export "dot4") (param v128) (result f64) f64.const 0)
)
