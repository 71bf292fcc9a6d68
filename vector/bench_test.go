package vector_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
	"github.com/wasmvec/wasmvec/vector"
)

var sink float64

// BenchmarkClient is the cost of a vector kernel through this client: Sum
// and Mul of n elements with copies (mode=copy: in and out of the guest's
// buffers on every call), in place inside one host.Instance.InPlace
// (mode=in-place), Sum through a host.Pool (mode=pool, one Do per call),
// SumParallel over a pool of 2, and Sum on the threaded guest at 2
// threads. The same rows were written against the host's typed methods
// before they moved here, for the A/B of docs/design.md.
func BenchmarkClient(b *testing.B) {
	e := host.NewEngine()
	defer e.Close()
	load := func(b *testing.B, path string, opts ...host.Option) (*host.Instance, *vector.Kernels) {
		in, err := testguest.LoadFile(e, path, opts...)
		if err != nil {
			b.Fatal(err)
		}
		vec, err := vector.Lookup(in.Module(), vector.WithSIMD())
		if err != nil {
			b.Fatal(err)
		}
		return in, vec
	}
	in, vec := load(b, rustGuest)
	defer in.Close()
	for _, n := range []int{1, 100000} {
		x := make([]float64, n)
		dst := make([]float64, n)
		for i := range x {
			x[i] = float64(i%7) + 0.5
		}
		b.Run(fmt.Sprintf("op=sum/n=%d/mode=copy", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, err := vec.Sum(in, x)
				if err != nil {
					b.Fatal(err)
				}
				sink += v
			}
		})
		b.Run(fmt.Sprintf("op=mul/n=%d/mode=copy", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := vec.Mul(in, dst, x, x); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("op=sum/n=%d/mode=in-place", n), func(b *testing.B) {
			b.ReportAllocs()
			err := in.InPlace(func(buf host.Buffers) error {
				a, err := testguest.View[float64](in.Module(), buf, "a")
				if err != nil {
					return err
				}
				copy(a, x)
				for b.Loop() {
					v, err := vec.SumInPlace(buf, n)
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
	}
	m, err := e.Compile("rust", mustRead(b, rustGuest))
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	pool, err := m.NewPool(2)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	pvec, err := vector.Lookup(m, vector.WithSIMD())
	if err != nil {
		b.Fatal(err)
	}
	x1 := []float64{1.5}
	b.Run("op=sum/n=1/mode=pool", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			err := pool.Do(context.Background(), func(in *host.Instance) error {
				v, err := pvec.Sum(in, x1)
				sink += v
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	big := make([]float64, 1_000_000)
	for i := range big {
		big[i] = float64(i % 5)
	}
	b.Run("op=sum-parallel/n=1000000/mode=pool", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			v, err := pvec.SumParallel(context.Background(), pool, big)
			if err != nil {
				b.Fatal(err)
			}
			sink += v
		}
	})
	tin, tvec := load(b, threadsGuest, host.WithThreads(2))
	defer tin.Close()
	for _, n := range []int{1, 100000} {
		x := big[:n]
		b.Run(fmt.Sprintf("op=sum/n=%d/mode=threads-2", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, err := tvec.Sum(tin, x)
				if err != nil {
					b.Fatal(err)
				}
				sink += v
			}
		})
	}
}
