package host_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
)

// TestLoad: 1000 goroutines × 10,000 calls, mixed across kernels and the
// Rust, C and Go guests, each call through Pool.Do (run under -race by
// ./build.sh test). Every result is checked against the canonical one; no
// goroutine is left after the pools and the engine are closed.
func TestLoad(t *testing.T) {
	goroutines, calls := 1000, 10000
	if testing.Short() {
		goroutines, calls = 100, 1000
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine()
	defer e.Close()
	var pools []*host.Pool
	for _, path := range []string{rustGuest, cGuest, goGuest, tinygoGuest} {
		m, err := e.Compile(path, mustRead(t, path))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		p, err := modPool(m, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		pools = append(pools, p)
	}
	// Inputs of 1 to 64 elements and their canonical results.
	type input struct {
		x, y, prod, scaled []float64
		sum, dot           float64
	}
	var inputs [64]input
	for i := range inputs {
		x, y, _ := vectors.Make("random", i+1)
		in := input{x: x, y: y, sum: kernels.Sum(x), prod: make([]float64, len(x)), scaled: make([]float64, len(x))}
		in.dot, _ = kernels.Dot(x, y)
		kernels.Mul(in.prod, x, y)
		kernels.Scale(in.scaled, x, 3)
		inputs[i] = in
	}
	var bad atomic.Int64
	var firstErr sync.Once
	report := func(err error) {
		bad.Add(1)
		firstErr.Do(func() { t.Error(err) })
	}
	start := time.Now()
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dst := make([]float64, 64)
			for i := range calls {
				in := &inputs[(g+i)%len(inputs)]
				p := pools[(g+i/7)%len(pools)]
				err := p.Do(context.Background(), func(guest *host.Instance) error {
					switch i % 4 {
					case 0:
						if s, err := vks(guest).Sum(guest, in.x); err != nil || !vectors.Same(s, in.sum) {
							return fmt.Errorf("%s sum: %v, %v want %v", guest.Module().Name(), s, err, in.sum)
						}
					case 1:
						if s, err := vks(guest).Dot(guest, in.x, in.y); err != nil || !vectors.Same(s, in.dot) {
							return fmt.Errorf("%s dot: %v, %v want %v", guest.Module().Name(), s, err, in.dot)
						}
					case 2:
						out := dst[:len(in.x)]
						if err := vks(guest).Mul(guest, out, in.x, in.y); err != nil || vectors.FirstDiff(out, in.prod) >= 0 {
							return fmt.Errorf("%s mul: %v", guest.Module().Name(), err)
						}
					default:
						out := dst[:len(in.x)]
						if err := vks(guest).Scale(guest, out, in.x, 3); err != nil || vectors.FirstDiff(out, in.scaled) >= 0 {
							return fmt.Errorf("%s scale: %v", guest.Module().Name(), err)
						}
					}
					return nil
				})
				if err != nil {
					report(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d goroutines × %d calls in %v", goroutines, calls, time.Since(start))
	if n := bad.Load(); n != 0 {
		t.Fatalf("%d goroutines saw a wrong result or an error", n)
	}
}
