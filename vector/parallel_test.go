package vector_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
	"github.com/wasmvec/wasmvec/vector"
)

// TestParallelBitExact: sums split over a pool of 3 instances give the
// canonical bits on the whole table, for every guest.
func TestParallelBitExact(t *testing.T) {
	for _, path := range []string{rustGuest, cGuest, goGuest, tinygoGuest} {
		p, vec, done := newPool(t, path, 3)
		for _, kind := range vectors.Kinds {
			for _, n := range append(vectors.Sizes, 1_000_003) {
				x, y, _ := vectors.Make(kind, n)
				got, err := vec.SumParallel(context.Background(), p, x)
				if want := kernels.Sum(x); err != nil || !vectors.Same(got, want) {
					t.Errorf("%s %s n=%d SumParallel = %v, %v; want %v", path, kind, n, got, err, want)
				}
				got, err = vec.DotParallel(context.Background(), p, x, y)
				if want, _ := kernels.Dot(x, y); err != nil || !vectors.Same(got, want) {
					t.Errorf("%s %s n=%d DotParallel = %v, %v; want %v", path, kind, n, got, err, want)
				}
			}
		}
		if _, err := vec.DotParallel(context.Background(), p, make([]float64, 2), nil); !errors.Is(err, vector.ErrLength) {
			t.Errorf("DotParallel with mismatched lengths: %v", err)
		}
		done()
	}
}

func TestParallelHonoursContext(t *testing.T) {
	p, vec, done := newPool(t, cGuest, 2)
	defer done()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x, _, _ := vectors.Make("random", 300000)
	if _, err := vec.SumParallel(ctx, p, x); !errors.Is(err, context.Canceled) {
		t.Fatalf("SumParallel with a cancelled context: %v", err)
	}
}

// BenchmarkParallel is one long sum split across a pool of 1 or 2
// instances (SumParallel).
func BenchmarkParallel(b *testing.B) {
	for _, size := range []int{1, 2} {
		p, vec, done := newPool(b, cGuest, size)
		for _, n := range []int{100000, 1000000} {
			x, _, _ := vectors.Make("random", n)
			b.Run(fmt.Sprintf("guest=c/n=%d/instances=%d", n, size), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				b.ReportAllocs()
				for b.Loop() {
					v, err := vec.SumParallel(context.Background(), p, x)
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

// blockWAT is a vector guest with buffers of one block (4096 elements) at
// 0, 32768 and 65536, with the given exports replaced.
func blockWAT(replace map[string]string) string {
	parts := map[string]string{
		"memory":            `(memory (export "memory") 2)`,
		"buffer-a-f64":      `(func (export "buffer-a-f64") (result i32) i32.const 0)`,
		"buffer-b-f64":      `(func (export "buffer-b-f64") (result i32) i32.const 32768)`,
		"buffer-result-f64": `(func (export "buffer-result-f64") (result i32) i32.const 65536)`,
		"capacity-a":        `(func (export "capacity-a") (result i32) i32.const 4096)`,
		"capacity-b":        `(func (export "capacity-b") (result i32) i32.const 4096)`,
		"capacity-result":   `(func (export "capacity-result") (result i32) i32.const 4096)`,
	}
	for k, v := range replace {
		parts[k] = v
	}
	return testguest.WAT(parts)
}

// blockPool is a pool of 2 instances of blockWAT with sumBlocks as its
// sum-blocks export, on engine e; all three are closed when the test ends.
func blockPool(t *testing.T, e *host.Engine, sumBlocks string) (*host.Pool, *vector.Kernels) {
	t.Helper()
	m, err := e.Compile("blocks", testguest.CompileWAT(t, blockWAT(map[string]string{"sum-blocks": sumBlocks})))
	if err != nil {
		e.Close()
		t.Fatal(err)
	}
	vec, err := vector.Lookup(m)
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.NewPool(2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(); m.Close(); e.Close() })
	return p, vec
}

// TestParallelBlocksGuarded: a -blocks kernel that writes one element past
// its partials (RESULT[blocks]) is caught (ErrContract) through SumParallel.
func TestParallelBlocksGuarded(t *testing.T) {
	p, vec := blockPool(t, host.NewEngine(), `(func (export "sum-blocks") (param i32) (f64.store (i32.const 65544) (f64.const 1)))`)
	if _, err := vec.SumParallel(context.Background(), p, make([]float64, 5000)); !errors.Is(err, host.ErrContract) {
		t.Fatalf("sum-blocks writing RESULT[1] after one block: %v, want ErrContract", err)
	}
}

// TestParallelInterruptsChunks: SumParallel returns within about a tick of
// its context's end even when a chunk never finishes (a sum-blocks that
// loops forever), and the pool serves again afterwards.
func TestParallelInterruptsChunks(t *testing.T) {
	p, vec := blockPool(t, host.NewEngine(host.WithDeadlines()), `(func (export "sum-blocks") (param i32) (loop $l (br $l)))`)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := vec.SumParallel(ctx, p, make([]float64, 20000))
	took := time.Since(start)
	if !errors.Is(err, host.ErrDeadline) && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SumParallel past its context: %v, want ErrDeadline", err)
	}
	t.Logf("returned %v after the 50 ms context", took-50*time.Millisecond)
	if took > 2*time.Second {
		t.Fatalf("SumParallel returned after %v, its context ended at 50 ms", took)
	}
	if v, err := vec.SumParallel(context.Background(), p, nil); err != nil || v != 0 {
		t.Fatalf("the pool after: %v, %v", v, err)
	}
}
