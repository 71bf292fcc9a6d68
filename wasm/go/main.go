//go:build wasip1

// Command go is the wasmvec guest in standard Go: the `vector` world of
// wit/vector.wit as //go:wasmexport functions over three buffers of the
// guest kit (package kit/guest), a WASI reactor built with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o vector.wasm .
//
// (./build.sh go). The kernels are package kernels itself, the canonical Go
// reference, compiled to WebAssembly: the guest is bit-exact by
// construction, and the benchmarks show what Go's wasm back end makes of it.
//
// Go's wasm port emits no simd128 instructions, so the -simd exports run
// the same scalar code (same bits, as the WIT requires); the benchmarks
// report this guest only as wasm-go.
//
// The exports are written by hand: wit-bindgen's Go generator targets the
// component model through TinyGo, not core modules from the standard
// toolchain. host/exports_test.go checks this module's exports against the
// WIT world.
//
// The same file is the TinyGo guest (./build.sh tinygo stages it with
// packages kernels and kit/guest into a module TinyGo 0.33 accepts): each export carries
// both the standard toolchain's //go:wasmexport and TinyGo's //export,
// each compiler ignoring the other's.
package main

import (
	"github.com/wasmvec/wasmvec/kernels"
	"github.com/wasmvec/wasmvec/kit/guest"
)

// capacity is the number of elements in each buffer.
const capacity = 100000

// The buffers, allocated once (they never move: their offsets are stable),
// and a, b, result: each one's whole capacity, for the kernels.
var (
	bufA, bufB, bufResult = guest.NewBuffer[float64](capacity), guest.NewBuffer[float64](capacity), guest.NewBuffer[float64](capacity)
	a, b, result          = bufA.Slice(capacity), bufB.Slice(capacity), bufResult.Slice(capacity)
)

func main() {}

// check bounds len to the capacity; a larger len panics, which ends the Go
// runtime and makes the call fail in the host (a trap).
func check(n uint32) int {
	if n > capacity {
		panic("wasmvec: len exceeds capacity")
	}
	return int(n)
}

func finish(n uint32, acc float64) float64 {
	if n == 0 {
		return 0
	}
	return acc
}

//go:wasmexport buffer-a-f64
//export buffer-a-f64
func bufferA() uint32 { return bufA.Offset() }

//go:wasmexport capacity-a
//export capacity-a
func capacityA() uint32 { return bufA.Capacity() }

//go:wasmexport buffer-b-f64
//export buffer-b-f64
func bufferB() uint32 { return bufB.Offset() }

//go:wasmexport capacity-b
//export capacity-b
func capacityB() uint32 { return bufB.Capacity() }

//go:wasmexport buffer-result-f64
//export buffer-result-f64
func bufferResult() uint32 { return bufResult.Offset() }

//go:wasmexport capacity-result
//export capacity-result
func capacityResult() uint32 { return bufResult.Capacity() }

//go:wasmexport sum
//export sum
func sum(n uint32) float64 { return finish(n, sumFold(kernels.NegZero(), n)) }

//go:wasmexport sum-fold
//export sum-fold
func sumFold(acc float64, n uint32) float64 { return kernels.SumFold(acc, a[:check(n)]) }

//go:wasmexport sum-simd
//export sum-simd
func sumSIMD(n uint32) float64 { return sum(n) }

//go:wasmexport sum-simd-fold
//export sum-simd-fold
func sumSIMDFold(acc float64, n uint32) float64 { return sumFold(acc, n) }

//go:wasmexport dot
//export dot
func dot(n uint32) float64 { return finish(n, dotFold(kernels.NegZero(), n)) }

//go:wasmexport dot-fold
//export dot-fold
func dotFold(acc float64, n uint32) float64 {
	k := check(n)
	v, _ := kernels.DotFold(acc, a[:k], b[:k]) // equal lengths: no error
	return v
}

//go:wasmexport dot-simd
//export dot-simd
func dotSIMD(n uint32) float64 { return dot(n) }

//go:wasmexport dot-simd-fold
//export dot-simd-fold
func dotSIMDFold(acc float64, n uint32) float64 { return dotFold(acc, n) }

//go:wasmexport sum-blocks
//export sum-blocks
func sumBlocks(n uint32) {
	k := check(n)
	for i, s := 0, 0; s < k; i, s = i+1, s+kernels.BlockLen {
		result[i] = kernels.SumFold(kernels.NegZero(), a[s:min(s+kernels.BlockLen, k)])
	}
}

//go:wasmexport dot-blocks
//export dot-blocks
func dotBlocks(n uint32) {
	k := check(n)
	for i, s := 0, 0; s < k; i, s = i+1, s+kernels.BlockLen {
		e := min(s+kernels.BlockLen, k)
		result[i], _ = kernels.DotFold(kernels.NegZero(), a[s:e], b[s:e]) // equal lengths: no error
	}
}

// batch checks that count vectors of n elements, and their results, fit.
func batch(count, n uint32) (int, int) {
	c, l := int(count), int(n)
	if c > capacity || (l != 0 && c > capacity/l) {
		panic("wasmvec: batch exceeds capacity")
	}
	return c, l
}

//go:wasmexport sum-batch
//export sum-batch
func sumBatch(count, n uint32) {
	c, l := batch(count, n)
	for j := range c {
		result[j] = kernels.Sum(a[j*l : (j+1)*l])
	}
}

//go:wasmexport dot-batch
//export dot-batch
func dotBatch(count, n uint32) {
	c, l := batch(count, n)
	for j := range c {
		result[j], _ = kernels.Dot(a[j*l:(j+1)*l], b[j*l:(j+1)*l]) // equal lengths: no error
	}
}

//go:wasmexport mul
//export mul
func mul(n uint32) {
	k := check(n)
	_ = kernels.Mul(result[:k], a[:k], b[:k]) // equal lengths: no error
}

//go:wasmexport mul-simd
//export mul-simd
func mulSIMD(n uint32) { mul(n) }

//go:wasmexport scale
//export scale
func scale(s float64, n uint32) {
	k := check(n)
	_ = kernels.Scale(result[:k], a[:k], s) // equal lengths: no error
}

//go:wasmexport scale-simd
//export scale-simd
func scaleSIMD(s float64, n uint32) { scale(s, n) }
