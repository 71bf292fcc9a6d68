//go:build wasip1

// Command go is the example guest in Go: the `mykernels` world of
// ../wit/mykernels.wit with the guest kit (package kit/guest), built by
// ./build.sh examples with the standard toolchain,
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o ../mykernels-go.wasm .
//
// and, the same file, by TinyGo (staged with package kit/guest into a
// module of its own, as TinyGo 0.33 needs):
//
//	tinygo build -target=wasip1 -opt=2 -scheduler=none -no-debug -o ../mykernels-tinygo.wasm .
//
// Each export carries the standard toolchain's //go:wasmexport and
// TinyGo's //export; each compiler ignores the other's.
package main

import (
	"math"

	"github.com/wasmvec/wasmvec/kit/guest"
)

var (
	x       = guest.NewBuffer[float32](65536)
	y       = guest.NewBuffer[float32](65536)
	samples = guest.NewBuffer[float64](65536)
	counts  = guest.NewBuffer[int32](1024)
)

func main() {}

//go:wasmexport buffer-x-f32
//export buffer-x-f32
func bufferX() uint32 { return x.Offset() }

//go:wasmexport capacity-x
//export capacity-x
func capacityX() uint32 { return x.Capacity() }

//go:wasmexport buffer-y-f32
//export buffer-y-f32
func bufferY() uint32 { return y.Offset() }

//go:wasmexport capacity-y
//export capacity-y
func capacityY() uint32 { return y.Capacity() }

//go:wasmexport buffer-samples-f64
//export buffer-samples-f64
func bufferSamples() uint32 { return samples.Offset() }

//go:wasmexport capacity-samples
//export capacity-samples
func capacitySamples() uint32 { return samples.Capacity() }

//go:wasmexport buffer-counts-i32
//export buffer-counts-i32
func bufferCounts() uint32 { return counts.Offset() }

//go:wasmexport capacity-counts
//export capacity-counts
func capacityCounts() uint32 { return counts.Capacity() }

// axpy: y[i] = a·x[i] + y[i] for i < n, the product rounded before the add.
//
//go:wasmexport axpy
//export axpy
func axpy(a float32, n uint32) {
	xs, ys := x.Slice(n), y.Slice(n)
	for i := range ys {
		ys[i] = float32(a*xs[i]) + ys[i]
	}
}

// histogram: counts of samples[:n] in bins equal bins over [lo, hi), and
// how many fell outside (NaN included).
//
//go:wasmexport histogram
//export histogram
func histogram(n uint32, lo, hi float64, bins uint32) uint32 {
	guest.Require(bins >= 1, "histogram: bins must be >= 1")
	guest.Require(!math.IsInf(lo, 0) && !math.IsInf(hi, 0) && lo < hi, "histogram: want finite lo < hi")
	s, c := samples.Slice(n), counts.Slice(bins)
	clear(c)
	var out uint32
	for _, v := range s {
		if !(v >= lo && v < hi) {
			out++
			continue
		}
		b := uint32((v - lo) / (hi - lo) * float64(bins))
		c[min(b, bins-1)]++
	}
	return out
}
