package host_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
)

func newPool(t testing.TB, path string, size int) (*host.Pool, func()) {
	t.Helper()
	e := host.NewEngine()
	m, err := e.Compile(path, mustRead(t, path))
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.NewPool(size)
	if err != nil {
		t.Fatal(err)
	}
	return p, func() { p.Close(); m.Close(); e.Close() }
}

// TestPoolConcurrent: many goroutines over a pool of 3 (run with -race),
// each call bit-exact.
func TestPoolConcurrent(t *testing.T) {
	p, done := newPool(t, cGuest, 3)
	defer done()
	if p.Size() != 3 {
		t.Fatalf("size %d", p.Size())
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 16 {
		wg.Go(func() {
			x, y, _ := vectors.Make("random", 100+w*997)
			want, _ := kernels.Dot(x, y)
			for range 20 {
				var got float64
				err := p.Do(context.Background(), func(in *host.Instance) (err error) {
					got, err = in.DotSIMD(x, y)
					return err
				})
				if err != nil || !vectors.Same(got, want) {
					errs <- errors.Join(err, errors.New("wrong dot"))
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestPoolAcquireHonoursContextAndClose(t *testing.T) {
	p, done := newPool(t, rustGuest, 1)
	defer done()
	in, err := p.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := p.Acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire on an empty pool: %v, want DeadlineExceeded", err)
	}
	waiting := make(chan error, 1)
	go func() {
		_, err := p.Acquire(context.Background())
		waiting <- err
	}()
	time.Sleep(10 * time.Millisecond) // let it block (the test passes either way)
	p.Close()
	if err := <-waiting; !errors.Is(err, host.ErrClosed) {
		t.Fatalf("Acquire blocked across Close: %v, want ErrClosed", err)
	}
	if _, err := in.Sum([]float64{1}); !errors.Is(err, host.ErrClosed) {
		t.Fatalf("instance after pool Close: %v, want ErrClosed", err)
	}
	p.Release(in) // after Close: harmless
	if err := p.Do(context.Background(), func(*host.Instance) error { return nil }); !errors.Is(err, host.ErrClosed) {
		t.Fatalf("Do after Close: %v", err)
	}
}

// BenchmarkPool is the throughput of a pool of 2 instances driven by 1 or 2
// goroutines, each op a whole SumSIMD of n elements (copy and kernel); ns/op
// is per op, so goroutines=1 over goroutines=2 is the speedup.
func BenchmarkPool(b *testing.B) {
	p, done := newPool(b, cGuest, 2)
	defer done()
	for _, n := range []int{1000, 100000} {
		x, _, _ := vectors.Make("random", n)
		for _, g := range []int{1, 2} {
			b.Run(fmt.Sprintf("impl=wasm-c-simd/n=%d/goroutines=%d", n, g), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				b.ReportAllocs()
				var wg sync.WaitGroup
				b.ResetTimer()
				sums := make([]float64, g*8) // one slot per goroutine, 64 bytes apart
				for w := range g {
					ops := b.N / g // each goroutine its share: no counter shared between them
					if w == 0 {
						ops += b.N % g
					}
					wg.Go(func() {
						for range ops {
							err := p.Do(context.Background(), func(in *host.Instance) error {
								v, err := in.SumSIMD(x)
								sums[w*8] += v
								return err
							})
							if err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				for _, v := range sums {
					sink += v
				}
			})
		}
	}
}
