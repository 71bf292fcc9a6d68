;; attack: a kernel that sleeps 60 s through WASI poll_oneoff, where epoch deadlines do not reach
;; want: nil
;; call: sum
;; timeout: 100ms
;; result: 58
;; (the call's errno times 1000 plus its event's error: the poll succeeds
;; at once and the subscription's event says ENOTSUP, 58)
(module
(import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
(memory (export "memory") 1)
;; one subscription at 4096: userdata 0, tag 0 (clock), clock id 1
;; (monotonic), timeout 60 s relative, precision 0, flags 0
(data (i32.const 4096) "\00\00\00\00\00\00\00\00" "\00\00\00\00\00\00\00\00" "\01\00\00\00\00\00\00\00" "\00\58\47\f8\0d\00\00\00" "\00\00\00\00\00\00\00\00" "\00\00\00\00\00\00\00\00")
(func (export "buffer-a-f64") (result i32) i32.const 0)
(func (export "buffer-b-f64") (result i32) i32.const 1024)
(func (export "buffer-result-f64") (result i32) i32.const 2048)
(func (export "capacity-a") (result i32) i32.const 16)
(func (export "capacity-b") (result i32) i32.const 16)
(func (export "capacity-result") (result i32) i32.const 16)
(func (export "sum") (param i32) (result f64)
  (f64.convert_i32_u (i32.add
    (i32.mul (call $poll (i32.const 4096) (i32.const 8192) (i32.const 1) (i32.const 8448)) (i32.const 1000))
    (i32.load16_u (i32.const 8200)))))
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
