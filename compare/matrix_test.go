package compare_test

import (
	"fmt"
	"testing"

	"gonum.org/v1/gonum/floats"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/cnative"
	"github.com/wasmvec/wasmvec/internal/testguest"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
)

// The benchmark matrix: kernel × impl × n × mode, named key=value so that
// benchstat can pivot (`benchstat -col /impl`). mode=copy is a whole API
// call (copy the inputs into the guest, run, copy the result out); mode=kernel
// calls only the export, on data already in the guest buffers, and exists
// for n up to the guest's capacity. Native impls have no copy and run the
// same code in both modes. b.SetBytes counts input bytes read (8 per
// element per input vector), so MB/s is input bandwidth.
//
// Run it with ./build.sh bench.

var benchSizes = []int{1, 16, 100, 1000, 10000, 100000, 1000000}

var benchKernels = []struct {
	name   string
	inputs int // input vectors read
}{{"sum", 1}, {"dot", 2}, {"mul", 2}, {"scale", 1}}

// op is one prepared kernel call.
type op func() error

// benchImpl prepares an op for kernel on inputs x, y (output dst) in mode;
// it returns nil when the impl has no such mode at this n.
type benchImpl struct {
	name    string
	prepare func(b *testing.B, kernel, mode string, x, y, dst []float64) op
}

var sink float64

func nativeImpl(name string, sum func([]float64) float64, dot func(x, y []float64) float64,
	mul func(dst, a, b []float64), scale func(dst, a []float64, s float64)) benchImpl {
	return benchImpl{name, func(b *testing.B, kernel, mode string, x, y, dst []float64) op {
		switch kernel {
		case "sum":
			return func() error { sink += sum(x); return nil }
		case "dot":
			return func() error { sink += dot(x, y); return nil }
		case "mul":
			return func() error { mul(dst, x, y); return nil }
		default:
			return func() error { scale(dst, x, 1.0001); return nil }
		}
	}}
}

func naiveSum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}

func naiveDot(x, y []float64) float64 {
	s := 0.0
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

func naiveMul(dst, a, b []float64) {
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
}

func naiveScale(dst, a []float64, s float64) {
	for i := range dst {
		dst[i] = s * a[i]
	}
}

func wasmImpl(g guest) benchImpl {
	return benchImpl{g.impl, func(b *testing.B, kernel, mode string, x, y, dst []float64) op {
		in := g.instance(b)
		vec := g.kernels(b, in)
		if mode == "copy" {
			switch kernel {
			case "sum":
				return func() error { v, err := vec.Sum(in, x); sink += v; return err }
			case "dot":
				return func() error { v, err := vec.Dot(in, x, y); sink += v; return err }
			case "mul":
				return func() error { return vec.Mul(in, dst, x, y) }
			default:
				return func() error { return vec.Scale(in, dst, x, 1.0001) }
			}
		}
		if len(x) > capacity(in) {
			return nil
		}
		// Kernel only: the inputs are in the guest's buffers once; each op
		// is one InPlace with the in-place call.
		err := in.InPlace(func(b host.Buffers) error {
			a, err := testguest.View[float64](in.Module(), b, "a")
			if err != nil {
				return err
			}
			bb, err := testguest.View[float64](in.Module(), b, "b")
			copy(a, x)
			copy(bb, y)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		n := len(x)
		var call func(b host.Buffers) error
		switch kernel {
		case "sum":
			call = func(b host.Buffers) error { v, err := vec.SumInPlace(b, n); sink += v; return err }
		case "dot":
			call = func(b host.Buffers) error { v, err := vec.DotInPlace(b, n); sink += v; return err }
		case "mul":
			call = func(b host.Buffers) error { return vec.MulInPlace(b, n) }
		default:
			call = func(b host.Buffers) error { return vec.ScaleInPlace(b, 1.0001, n) }
		}
		return func() error { return in.InPlace(call) }
	}}
}

func benchImpls() []benchImpl {
	impls := []benchImpl{
		nativeImpl("go-naive", naiveSum, naiveDot, naiveMul, naiveScale),
		nativeImpl("go", kernels.Sum,
			func(x, y []float64) float64 { v, _ := kernels.Dot(x, y); return v },
			func(dst, a, b []float64) { kernels.Mul(dst, a, b) },
			func(dst, a []float64, s float64) { kernels.Scale(dst, a, s) }),
		// gonum's order differs from the canonical one: outside the bit-exact
		// tests, here as what a Go programmer would pick.
		nativeImpl("gonum", floats.Sum, floats.Dot, func(dst, a, b []float64) { floats.MulTo(dst, a, b) },
			func(dst, a []float64, s float64) { floats.ScaleTo(dst, s, a) }),
		// The C guest's kernels.h compiled natively (cnative.Impl names the
		// build: cgo-c, or cgo-c-native under -tags wasmvec_march_native).
		nativeImpl(cnative.Impl, cnative.Sum,
			func(x, y []float64) float64 { v, _ := cnative.Dot(x, y); return v },
			func(dst, a, b []float64) { cnative.Mul(dst, a, b) },
			func(dst, a []float64, s float64) { cnative.Scale(dst, a, s) }),
	}
	for _, g := range testGuests {
		if !g.noBench {
			impls = append(impls, wasmImpl(g))
		}
	}
	return impls
}

// benchModes runs impl's rows for kernel on x, y (output dst), in both
// modes where the impl has them.
func benchModes(b *testing.B, impl benchImpl, kernel string, inputs int, x, y, dst []float64) {
	n := len(x)
	for _, mode := range []string{"copy", "kernel"} {
		run := impl.prepare(b, kernel, mode, x, y, dst)
		if run == nil {
			continue
		}
		b.Run(fmt.Sprintf("impl=%s/n=%d/mode=%s", impl.name, n, mode), func(b *testing.B) {
			b.SetBytes(int64(8 * n * inputs))
			b.ReportAllocs()
			for b.Loop() {
				if err := run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func benchKernel(b *testing.B, kernel string, inputs int) {
	defer benchThreads(b, kernel, inputs)
	for _, impl := range benchImpls() {
		for _, n := range benchSizes {
			x, y, _ := vectors.Make("random", n)
			dst := make([]float64, n)
			benchModes(b, impl, kernel, inputs, x, y, dst)
		}
	}
}

// The threaded guest's rows: its simd128 exports at threadCounts threads
// for n from 16 (one block: no dispatch) to 10^7, beside the canonical Go
// and native C rows at n = 10^7 (the matrix stops at 10^6).
var (
	threadCounts = []int{1, 2, 4}
	threadSizes  = []int{16, 10000, 100000, 1000000, 10000000}
)

func threadImpls() []benchImpl {
	var impls []benchImpl
	for _, n := range threadCounts {
		g := guest{impl: fmt.Sprintf("wasm-rust-threads/threads=%d", n), path: threadsGuest, simd: true, threads: n}
		impls = append(impls, wasmImpl(g))
	}
	return impls
}

func benchThreads(b *testing.B, kernel string, inputs int) {
	var natives []benchImpl // go and the native C build, beside the 10^7 rows
	for _, impl := range benchImpls() {
		if impl.name == "go" || impl.name == cnative.Impl {
			natives = append(natives, impl)
		}
	}
	for _, n := range threadSizes {
		impls := threadImpls()
		if n > benchSizes[len(benchSizes)-1] {
			impls = append(natives, impls...)
		}
		x, y, _ := vectors.Make("random", n)
		dst := make([]float64, n)
		for _, impl := range impls {
			benchModes(b, impl, kernel, inputs, x, y, dst)
		}
	}
}

func BenchmarkSum(b *testing.B)   { benchKernel(b, "sum", 1) }
func BenchmarkDot(b *testing.B)   { benchKernel(b, "dot", 2) }
func BenchmarkMul(b *testing.B)   { benchKernel(b, "mul", 2) }
func BenchmarkScale(b *testing.B) { benchKernel(b, "scale", 1) }
