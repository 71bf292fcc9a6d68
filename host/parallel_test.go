package host_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
)

// TestParallelBitExact: sums split over a pool of 3 instances give the
// canonical bits on the whole table, for every guest.
func TestParallelBitExact(t *testing.T) {
	for _, path := range []string{rustGuest, cGuest, goGuest, tinygoGuest} {
		p, done := newPool(t, path, 3)
		for _, kind := range vectors.Kinds {
			for _, n := range append(vectors.Sizes, 1_000_003) {
				x, y, _ := vectors.Make(kind, n)
				got, err := p.SumParallel(context.Background(), x)
				if want := kernels.Sum(x); err != nil || !vectors.Same(got, want) {
					t.Errorf("%s %s n=%d SumParallel = %v, %v; want %v", path, kind, n, got, err, want)
				}
				got, err = p.DotParallel(context.Background(), x, y)
				if want, _ := kernels.Dot(x, y); err != nil || !vectors.Same(got, want) {
					t.Errorf("%s %s n=%d DotParallel = %v, %v; want %v", path, kind, n, got, err, want)
				}
			}
		}
		if _, err := p.DotParallel(context.Background(), make([]float64, 2), nil); !errors.Is(err, host.ErrLength) {
			t.Errorf("DotParallel with mismatched lengths: %v", err)
		}
		done()
	}
}

func TestParallelHonoursContext(t *testing.T) {
	p, done := newPool(t, cGuest, 2)
	defer done()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x, _, _ := vectors.Make("random", 300000)
	if _, err := p.SumParallel(ctx, x); !errors.Is(err, context.Canceled) {
		t.Fatalf("SumParallel with a cancelled context: %v", err)
	}
}

// BenchmarkParallel is one long sum split across a pool of 1 or 2
// instances (SumParallel), against Instance.SumSIMD on one instance.
func BenchmarkParallel(b *testing.B) {
	for _, size := range []int{1, 2} {
		p, done := newPool(b, cGuest, size)
		for _, n := range []int{100000, 1000000} {
			x, _, _ := vectors.Make("random", n)
			b.Run(fmt.Sprintf("guest=c/n=%d/instances=%d", n, size), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				b.ReportAllocs()
				for b.Loop() {
					v, err := p.SumParallel(context.Background(), x)
					if err != nil {
						b.Fatal(err)
					}
					sink += v
				}
			})
		}
		done()
	}
}
