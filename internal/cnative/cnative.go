// Package cnative is the native baseline of the benchmarks: the C guest's
// kernels (kernels.h here, the source wasm/c/guest.c includes) compiled for the host CPU and
// called through cgo. It calls the _simd variants (8 f64x2 accumulators),
// as the fastest C from that source, so that the ratio wasm-c-simd / cgo-c
// isolates the cost of WebAssembly itself.
//
// The default build is portable (-O3 -std=c11, which in GCC means no FP contraction; baseline x86-64 or
// arm64); built with -tags wasmvec_march_native it adds -march=native.
// Impl names the build. Every function returns the canonical bits (package
// kernels).
package cnative

/*
#cgo CFLAGS: -O3 -std=c11 -Wall -Wextra -Werror
#define WV_API static __attribute__((unused))
#include "kernels.h"
static int wv_empty(int x) { return x; }
*/
import "C"

import (
	"unsafe"

	"github.com/wasmvec/wasmvec/kernels"
)

func ptr(x []float64) *C.double { return (*C.double)(unsafe.Pointer(unsafe.SliceData(x))) }

// Empty calls an empty C function: the floor cost of any cgo call, for the
// benchmarks.
func Empty() int { return int(C.wv_empty(0)) }

// Sum returns the canonical sum of x (see kernels.Sum).
func Sum(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	return float64(C.wv_sum_fold_simd(C.double(kernels.NegZero()), ptr(x), C.size_t(len(x))))
}

// Dot returns the canonical dot product of x and y (see kernels.Dot), or
// kernels.ErrLength if their lengths differ.
func Dot(x, y []float64) (float64, error) {
	if len(x) != len(y) {
		return kernels.Dot(x, y) // returns the ErrLength
	}
	if len(x) == 0 {
		return 0, nil
	}
	return float64(C.wv_dot_fold_simd(C.double(kernels.NegZero()), ptr(x), ptr(y), C.size_t(len(x)))), nil
}

// Mul stores a[i]*b[i] in dst[i] (see kernels.Mul); kernels.ErrLength
// unless len(dst) == len(a) == len(b).
func Mul(dst, a, b []float64) error {
	if len(a) != len(dst) || len(b) != len(dst) {
		return kernels.Mul(dst, a, b) // returns the ErrLength
	}
	C.wv_mul_simd(ptr(dst), ptr(a), ptr(b), C.size_t(len(dst)))
	return nil
}

// Scale stores s*a[i] in dst[i] (see kernels.Scale); kernels.ErrLength
// unless len(dst) == len(a).
func Scale(dst, a []float64, s float64) error {
	if len(a) != len(dst) {
		return kernels.Scale(dst, a, s) // returns the ErrLength
	}
	C.wv_scale_simd(ptr(dst), C.double(s), ptr(a), C.size_t(len(dst)))
	return nil
}
