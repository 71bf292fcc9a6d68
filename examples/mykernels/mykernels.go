// Package mykernels is a complete user guest for wasmvec: kernels that the
// host package knows nothing of, in Rust (rust/) and C (c/), declared by
// the buffer-and-kernel contract in their WIT world (wit/mykernels.wit) and
// called through host.Instance.Call. Nothing under host/ names them: the
// host discovers their buffers and kernels from the modules.
//
// The modules are embedded (Rust, C); ./build.sh examples rebuilds them.
// Axpy and Histogram are the Go references they are tested against, bit
// for bit.
package mykernels

import _ "embed"

// Rust is the Rust guest, built by ./build.sh examples:
//
//	cd rust && cargo build --release --locked --target wasm32-wasip1
//
//go:embed mykernels-rust.wasm
var Rust []byte

// C is the C guest, built by ./build.sh examples:
//
//	cd c && clang-19 --target=wasm32-wasi -O3 -ffp-contract=off -Wall -Wextra -Werror -c mykernels.c &&
//	  clang-19 --target=wasm32-wasi -mexec-model=reactor -Wl,--strip-all -o ../mykernels-c.wasm mykernels.o
//
//go:embed mykernels-c.wasm
var C []byte

// Axpy is the reference of the guests' "axpy" kernel, in float32, the
// product rounded before the add (the conversion forbids a fused
// multiply-add):
//
//	for i := range y {
//		y[i] = float32(a*x[i]) + y[i]
//	}
//
// It panics if len(x) < len(y).
func Axpy(a float32, x, y []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] = float32(a*x[i]) + y[i]
	}
}

// Histogram is the reference of the guests' "histogram" kernel: counts of
// samples in len(counts) equal bins over [lo, hi), and the number outside
// (NaN included):
//
//	clear(counts)
//	for _, v := range samples {
//		if !(v >= lo && v < hi) {
//			out++
//			continue
//		}
//		b := uint32((v - lo) / (hi - lo) * float64(len(counts)))
//		counts[min(b, len(counts)-1)]++
//	}
//
// The guests trap unless lo and hi are finite with lo < hi and counts is
// not empty; Histogram assumes the same.
func Histogram(counts []int32, samples []float64, lo, hi float64) (out uint32) {
	clear(counts)
	bins := uint32(len(counts))
	for _, v := range samples {
		if !(v >= lo && v < hi) {
			out++
			continue
		}
		b := uint32((v - lo) / (hi - lo) * float64(bins))
		counts[min(b, bins-1)]++
	}
	return out
}
