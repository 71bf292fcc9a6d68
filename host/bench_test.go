package host_test

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/cnative"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/vector"
)

// The host's own benchmarks: what a call, a copy, threads, deadlines, a
// compile and an instantiation cost. The matrix of kernels against their
// native peers (Go, gonum, native C, wazero) is in the module compare/,
// which keeps those peers out of this module's go.mod.

var sink float64

// BenchmarkThreads measures what threading costs: op=ping is one dispatch
// round trip (wake every worker for an empty job and wait for all) through
// the typed call path; op=copy-go is Go's copy of 10^7 float64, the memory
// bandwidth the kernels at n = 10^7 can be held against (SetBytes counts the
// bytes read, as the kernel rows do).
func BenchmarkThreads(b *testing.B) {
	for _, threads := range []int{1, 2, 4} {
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
	n := 10_000_000
	x, dst := make([]float64, n), make([]float64, n)
	b.Run(fmt.Sprintf("op=copy-go/n=%d", n), func(b *testing.B) {
		b.SetBytes(int64(8 * n))
		for b.Loop() {
			copy(dst, x)
		}
	})
}

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
// takes and releases the instance's lock), path=typed-args the same
// through Instance.CallArgs (each argument's type checked), path=buffers-call Buffers.Call
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
	// path=typed-args: the same call through Instance.CallArgs, each
	// argument's type checked against the kernel's parameter.
	b.Run("path=typed-args", func(b *testing.B) {
		k, err := in.Module().Kernel("sum")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			v, err := in.CallArgs(k, host.U32(0))
			if err != nil {
				b.Fatal(err)
			}
			sink += host.Decode[float64](v)
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
			v, err := in.Call(k, host.Encode(int32(0)))
			if err != nil {
				b.Fatal(err)
			}
			sink += host.Decode[float64](v)
		}
	})
	// path=batch: k = 64 calls of the same kernel per op through
	// Instance.CallMany, one crossing for all; ns/call is the figure to
	// compare with path=kernel's ns/op and path=cgo-empty.
	b.Run("path=batch", func(b *testing.B) {
		k, err := in.Module().Kernel("sum")
		if err != nil {
			b.Fatal(err)
		}
		const calls = 64
		args, results := make([]uint64, calls), make([]uint64, calls)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := in.CallMany(k, calls, args, results); err != nil {
				b.Fatal(err)
			}
			sink += host.Decode[float64](results[calls-1])
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/calls, "ns/call")
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
				a := viewA(in, buf)[:n]
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
		opts []host.Option
		inst []host.Option
	}{
		{"epoch=off", nil, nil},
		{"epoch=on", []host.Option{host.WithDeadlines()}, nil},
		{"epoch=on-timeout", []host.Option{host.WithDeadlines()}, []host.Option{host.WithTimeout(time.Second)}},
	} {
		e := host.NewEngine(c.opts...)
		in, err := e.Load("rust", mustRead(b, rustGuest), c.inst...)
		if err != nil {
			b.Fatal(err)
		}
		err = in.InPlace(func(b host.Buffers) error {
			copy(viewA(in, b), x)
			copy(viewB(in, b), y)
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
