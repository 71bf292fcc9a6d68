package vector_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/wasmvec/wasmvec/internal/testguest"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
	"github.com/wasmvec/wasmvec/vector"
)

// TestBatchBitExact: every batched sum and dot equals the canonical one,
// for widths around the lane width and batches that need several calls.
func TestBatchBitExact(t *testing.T) {
	for _, path := range []string{rustGuest, cGuest, goGuest, tinygoGuest} {
		in := load(t, path)
		for _, kind := range vectors.Kinds {
			for _, width := range []int{0, 1, 15, 16, 17, 100, 4097} {
				for _, count := range []int{0, 1, 7, 30001} {
					if width*count > 3_000_000 {
						continue
					}
					x, y, _ := vectors.Make(kind, width*count)
					sums, dots := make([]float64, count), make([]float64, count)
					if err := kernelsOf(t, in).SumBatch(in, sums, x, width); err != nil {
						t.Fatalf("%s SumBatch: %v", path, err)
					}
					if err := kernelsOf(t, in).DotBatch(in, dots, x, y, width); err != nil {
						t.Fatalf("%s DotBatch: %v", path, err)
					}
					for j := range count {
						r := x[j*width : (j+1)*width]
						if want := kernels.Sum(r); !vectors.Same(sums[j], want) {
							t.Fatalf("%s %s width=%d count=%d: sum[%d] = %v, want %v", path, kind, width, count, j, sums[j], want)
						}
						want, _ := kernels.Dot(r, y[j*width:(j+1)*width])
						if !vectors.Same(dots[j], want) {
							t.Fatalf("%s %s width=%d count=%d: dot[%d] = %v, want %v", path, kind, width, count, j, dots[j], want)
						}
					}
				}
			}
		}
	}
}

func TestBatchErrors(t *testing.T) {
	in := load(t, cGuest)
	if err := kernelsOf(t, in).SumBatch(in, make([]float64, 2), make([]float64, 5), 2); !errors.Is(err, vector.ErrLength) {
		t.Errorf("SumBatch with 5 elements for 2×2: %v, want ErrLength", err)
	}
	if err := kernelsOf(t, in).SumBatch(in, nil, nil, -1); !errors.Is(err, vector.ErrLength) {
		t.Errorf("SumBatch width -1: %v, want ErrLength", err)
	}
	if err := kernelsOf(t, in).DotBatch(in, make([]float64, 1), make([]float64, 2), make([]float64, 3), 2); !errors.Is(err, vector.ErrLength) {
		t.Errorf("DotBatch with len(y) != len(x): %v, want ErrLength", err)
	}
	wide := testguest.Capacity(in) + 1
	if err := kernelsOf(t, in).SumBatch(in, make([]float64, 1), make([]float64, wide), wide); !errors.Is(err, vector.ErrCapacity) {
		t.Errorf("SumBatch wider than the capacity: %v, want ErrCapacity", err)
	}
}

// BenchmarkBatch: 1,000 sums of width elements as one SumBatch (path=batch)
// against 1,000 Sum calls (path=loop) and Go's canonical Sum in a loop
// (impl=go). ns/op is for all 1,000.
func BenchmarkBatch(b *testing.B) {
	const count = 1000
	in := load(b, cGuest)
	for _, width := range []int{1, 16, 64, 256} {
		x, _, _ := vectors.Make("random", count*width)
		dst := make([]float64, count)
		b.Run(fmt.Sprintf("impl=wasm-c/width=%d/path=batch", width), func(b *testing.B) {
			for b.Loop() {
				if err := kernelsOf(b, in).SumBatch(in, dst, x, width); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("impl=wasm-c/width=%d/path=loop", width), func(b *testing.B) {
			for b.Loop() {
				for j := range count {
					v, err := simdKernelsOf(b, in).Sum(in, x[j*width:(j+1)*width])
					if err != nil {
						b.Fatal(err)
					}
					dst[j] = v
				}
			}
		})
		b.Run(fmt.Sprintf("impl=go/width=%d/path=loop", width), func(b *testing.B) {
			for b.Loop() {
				for j := range count {
					dst[j] = kernels.Sum(x[j*width : (j+1)*width])
				}
			}
		})
		b.Run(fmt.Sprintf("impl=go-naive/width=%d/path=loop", width), func(b *testing.B) {
			for b.Loop() {
				for j := range count {
					dst[j] = naiveSum(x[j*width : (j+1)*width])
				}
			}
		})
	}
}

// naiveSum is the loop a Go programmer writes first (not the canonical
// order): the BenchmarkBatch row to beat.
func naiveSum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}
