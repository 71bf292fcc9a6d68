;; attack: capacity zero
;; want: ErrModule
;; export: capacity-a
(module

(memory (export "memory") 1)
(func (export "buffer-a-f64") (result i32) i32.const 0)
(func (export "buffer-b-f64") (result i32) i32.const 1024)
(func (export "buffer-result-f64") (result i32) i32.const 2048)
(func (export "capacity-a") (result i32) i32.const 0)
(func (export "capacity-b") (result i32) i32.const 0)
(func (export "capacity-result") (result i32) i32.const 0)
(func (export "sum") (param i32) (result f64) f64.const 0)
(func (export "sum-fold") (param f64 i32) (result f64) local.get 0)
(func (export "sum-simd") (param i32) (result f64) f64.const 0)
(func (export "sum-simd-fold") (param f64 i32) (result f64) local.get 0)
(func (export "dot") (param i32) (result f64) f64.const 0)
(func (export "dot-fold") (param f64 i32) (result f64) local.get 0)
(func (export "dot-simd") (param i32) (result f64) f64.const 0)
(func (export "dot-simd-fold") (param f64 i32) (result f64) local.get 0)
(func (export "sum-blocks") (param i32))
(func (export "dot-blocks") (param i32))
(func (export "mul") (param i32))
(func (export "mul-simd") (param i32))
(func (export "sum-batch") (param i32 i32))
(func (export "dot-batch") (param i32 i32))
(func (export "scale") (param f64 i32))
(func (export "scale-simd") (param f64 i32))

)
