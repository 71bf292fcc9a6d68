package host_test

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/floats"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/cnative"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
	"github.com/wasmvec/wasmvec/vector"
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
		if mode == "copy" {
			switch kernel {
			case "sum":
				return func() error { v, err := g.sum(in, x); sink += v; return err }
			case "dot":
				return func() error { v, err := g.dot(in, x, y); sink += v; return err }
			case "mul":
				return func() error { return g.mul(in, dst, x, y) }
			default:
				return func() error { return g.scale(in, dst, x, 1.0001) }
			}
		}
		if len(x) > capacity(in) {
			return nil
		}
		// Kernel only: the inputs are in the guest's buffers once; each op
		// is one InPlace with the in-place call.
		err := in.InPlace(func(b host.Buffers) error {
			copy(viewA(b), x)
			copy(viewB(b), y)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		vec := g.kernels(in)
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

// BenchmarkThreads measures what threading costs: op=ping is one dispatch
// round trip (wake every worker for an empty job and wait for all) through
// the typed call path; op=copy-go is Go's copy of 10^7 float64, the memory
// bandwidth the kernels at n = 10^7 can be held against (SetBytes counts the
// bytes read, as the kernel rows do).
func BenchmarkThreads(b *testing.B) {
	for _, threads := range threadCounts {
		in := loadThreads(b, threadsGuest, threads)
		b.Run(fmt.Sprintf("op=ping/threads=%d", threads), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := in.PingForTest(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	n := threadSizes[len(threadSizes)-1]
	x, dst := make([]float64, n), make([]float64, n)
	b.Run(fmt.Sprintf("op=copy-go/n=%d", n), func(b *testing.B) {
		b.SetBytes(int64(8 * n))
		for b.Loop() {
			copy(dst, x)
		}
	})
}

func BenchmarkSum(b *testing.B)   { benchKernel(b, "sum", 1) }
func BenchmarkDot(b *testing.B)   { benchKernel(b, "dot", 2) }
func BenchmarkMul(b *testing.B)   { benchKernel(b, "mul", 2) }
func BenchmarkScale(b *testing.B) { benchKernel(b, "scale", 1) }

// BenchmarkInstantiate is the start-up cost of a guest: a new store and
// instance of an already compiled module, "_initialize" (the Go guest's
// runtime starts here), and the layout checks; then Close.
func BenchmarkInstantiate(b *testing.B) {
	e := host.NewEngine()
	defer e.Close()
	for _, path := range []string{rustGuest, cGuest, goGuest, tinygoGuest} {
		m, err := e.Compile(path, mustRead(b, path))
		if err != nil {
			b.Fatal(err)
		}
		b.Run("guest="+guestName(path), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				in, err := m.Instantiate()
				if err != nil {
					b.Fatal(err)
				}
				in.Close()
			}
		})
		m.Close()
	}
}

// BenchmarkCompile is the cost of compiling a guest module with Cranelift
// (cache=none), and of loading its compiled code from a warm
// Engine.CompileCached directory instead (cache=hit).
func BenchmarkCompile(b *testing.B) {
	e := host.NewEngine()
	defer e.Close()
	dir := b.TempDir()
	for _, path := range []string{rustGuest, cGuest, goGuest, tinygoGuest} {
		wasm := mustRead(b, path)
		for _, cache := range []string{"none", "hit"} {
			compile := func() (*host.Module, error) { return e.Compile(path, wasm) }
			if cache == "hit" {
				compile = func() (*host.Module, error) { return e.CompileCached(path, wasm, dir) }
				m, err := compile() // warm the cache
				if err != nil {
					b.Fatal(err)
				}
				m.Close()
			}
			b.Run("guest="+guestName(path)+"/cache="+cache, func(b *testing.B) {
				b.SetBytes(int64(len(wasm)))
				for b.Loop() {
					m, err := compile()
					if err != nil {
						b.Fatal(err)
					}
					m.Close()
				}
			})
		}
	}
}

func guestName(path string) string { return strings.TrimSuffix(filepath.Base(path), ".wasm") }

// BenchmarkCall is the cost of one call with no work, "sum" over 0
// elements: path=kernel is the generic Instance.Call (one crossing that
// takes and releases the instance's lock), path=buffers-call Buffers.Call
// inside one InPlace (the lock taken once for all calls), path=typed the
// vector client's Sum (an InPlace, three views, the guard words and the
// call), path=in-place its SumInPlace inside one InPlace, path=func-call
// the same export through wasmtime-go's Func.Call, and path=cgo-empty an
// empty cgo call, the floor of any call into C.
func BenchmarkCall(b *testing.B) {
	in := load(b, rustGuest)
	vec, err := vector.Lookup(in.Module())
	if err != nil {
		b.Fatal(err)
	}
	sum, err := in.Module().Kernel("sum")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("path=typed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			v, err := vec.Sum(in, nil)
			if err != nil {
				b.Fatal(err)
			}
			sink += v
		}
	})
	b.Run("path=in-place", func(b *testing.B) {
		b.ReportAllocs()
		err := in.InPlace(func(buf host.Buffers) error {
			for b.Loop() {
				v, err := vec.SumInPlace(buf, 0)
				if err != nil {
					return err
				}
				sink += v
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	})
	b.Run("path=buffers-call", func(b *testing.B) {
		b.ReportAllocs()
		err := in.InPlace(func(buf host.Buffers) error {
			for b.Loop() {
				v, err := buf.Call(sum, 0)
				if err != nil {
					return err
				}
				sink += math.Float64frombits(v)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	})
	// path=kernel: the same export as a user kernel, through the generic
	// Instance.Call (looked up once by name, arguments as raw bits).
	b.Run("path=kernel", func(b *testing.B) {
		k, err := in.Module().Kernel("sum")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			v, err := in.Call(k, host.EncodeI32(0))
			if err != nil {
				b.Fatal(err)
			}
			sink += host.DecodeF64(v)
		}
	})
	b.Run("path=func-call", func(b *testing.B) {
		call, err := in.ExportForTest("sum")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			v, err := call(int32(0))
			if err != nil {
				b.Fatal(err)
			}
			sink += v.(float64)
		}
	})
	b.Run("path=cgo-empty", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink += float64(cnative.Empty())
		}
	})
}

// BenchmarkCopy is the bandwidth of copying n float64 from a Go slice into
// a guest buffer (dst=guest, through Instance.InPlace, as mode=copy does)
// against Go's copy between two Go slices (dst=go). Both sides hold written
// data: an untouched Go slice reads as shared zero pages and flatters copy.
func BenchmarkCopy(b *testing.B) {
	in := load(b, cGuest)
	for _, n := range []int{1000, 100000} {
		x, _, _ := vectors.Make("random", n)
		goDst := make([]float64, n)
		copy(goDst, x)
		b.Run(fmt.Sprintf("dst=go/n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(8 * n))
			for b.Loop() {
				copy(goDst, x)
			}
		})
		b.Run(fmt.Sprintf("dst=guest/n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(8 * n))
			err := in.InPlace(func(buf host.Buffers) error {
				a := viewA(buf)[:n]
				for b.Loop() {
					copy(a, x)
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkDeadlines is the price of WithDeadlines: the Rust guest's
// simd128 sum and dot, kernel only, at n = 100000, on an engine without and
// with epoch interruption (the latter also with a timeout armed per call).
func BenchmarkDeadlines(b *testing.B) {
	const n = 100000
	x, y, _ := vectors.Make("random", n)
	for _, c := range []struct {
		name string
		opts []host.EngineOption
		inst []host.Option
	}{
		{"epoch=off", nil, nil},
		{"epoch=on", []host.EngineOption{host.WithDeadlines()}, nil},
		{"epoch=on-timeout", []host.EngineOption{host.WithDeadlines()}, []host.Option{host.WithTimeout(time.Second)}},
	} {
		e := host.NewEngine(c.opts...)
		in, err := e.Load("rust", mustRead(b, rustGuest), c.inst...)
		if err != nil {
			b.Fatal(err)
		}
		err = in.InPlace(func(b host.Buffers) error {
			copy(viewA(b), x)
			copy(viewB(b), y)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		for _, name := range []string{"sum-simd", "dot-simd"} {
			k, err := in.Module().Kernel(name)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("%s/kernel=%s/n=%d", c.name, name, n), func(b *testing.B) {
				for b.Loop() {
					v, err := in.Call(k, n)
					if err != nil {
						b.Fatal(err)
					}
					sink += math.Float64frombits(v)
				}
			})
		}
		in.Close()
		e.Close()
	}
}
