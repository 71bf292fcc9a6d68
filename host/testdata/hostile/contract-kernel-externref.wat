;; attack: a kernel with an externref parameter
;; want: ErrSignature
;; export: grab
(module
(memory (export "memory") 1)
(func (export "grab") (param externref))
)
