// Package mykernels is a complete user guest for wasmvec: kernels that the
// host package knows nothing of, in Rust (rust/), C (c/) and Go (go/: built
// by the standard toolchain and by TinyGo), declared by
// the buffer-and-kernel contract in their WIT world (wit/mykernels.wit) and
// called through host.Instance.Call. Nothing under host/ names them: the
// host discovers their buffers and kernels from the modules.
//
// Each guest is written with the guest kit of its language (kit/rust,
// kit/c, kit/guest). The modules are embedded (Rust, C, Go, TinyGo);
// ./build.sh examples rebuilds them (TinyGo when a tinygo can be had).
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
//	cd c && clang-19 --target=wasm32-wasi -O3 -ffp-contract=off -I../../../kit/c -Wall -Wextra -Werror -c mykernels.c &&
//	  clang-19 --target=wasm32-wasi -mexec-model=reactor -Wl,--strip-all -o ../mykernels-c.wasm mykernels.o
//
//go:embed mykernels-c.wasm
var C []byte

// Go is the Go guest (go/main.go, package main of this module under the
// wasip1 build tag), built by the standard toolchain as a reactor:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -buildvcs=false -o mykernels-go.wasm ./go
//
// A Go guest's panic prints its message and stack to stderr and aborts
// (a c-shared Go runtime traps rather than exits): the call fails with
// ErrTrap, the message in Trap.Stderr, and the guest's runtime is left
// mid-panic, so close the instance rather than call it again.
//
//go:embed mykernels-go.wasm
var Go []byte

// TinyGo is the same go/main.go built by TinyGo 0.33 (a WASI command whose
// main returns; staged into a module of its own with kit/guest, as
// ./build.sh examples does):
//
//	tinygo build -target=wasip1 -opt=2 -scheduler=none -no-debug -o mykernels-tinygo.wasm .
//
//go:embed mykernels-tinygo.wasm
var TinyGo []byte

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
