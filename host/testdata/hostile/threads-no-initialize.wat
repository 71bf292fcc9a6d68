;; attack: threads no initialize
;; A threaded guest without _initialize: its threads would start from
;; memory nobody initialised (heap, thread pointer, constructors), and its
;; start-workers can wait for ever. Refused at Compile.
;; threads: 2
;; want: ErrModule
;; export: _initialize
(module
(import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
(import "env" "memory" (memory 1 1 shared)) (export "memory" (memory 0))
(func (export "buffer-a-f64") (result i32) i32.const 0)
(func (export "buffer-b-f64") (result i32) i32.const 1024)
(func (export "buffer-result-f64") (result i32) i32.const 2048)
(func (export "capacity-a") (result i32) i32.const 16)
(func (export "capacity-b") (result i32) i32.const 16)
(func (export "capacity-result") (result i32) i32.const 16)
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

(func (export "get-abort-offset") (result i32) i32.const 3072)
(func (export "ping-workers"))
(func (export "stop-workers"))
(func (export "start-workers") (param i32) (result i32) (local $i i32) (local $ok i32) (local $n i32)
  (local.set $n (i32.const 1000))
  (block $done (loop $l
    (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
    (if (i32.ge_s (call $spawn (i32.const 0)) (i32.const 0))
      (then (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $l)))
  (i32.const 1000))
(func (export "wasi_thread_start") (param i32 i32) )
)
