package host_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
)

func newPool(t testing.TB, path string, size int) (*host.Pool, func()) {
	t.Helper()
	p, err := modPool(compiled(t, path), size)
	if err != nil {
		t.Fatal(err)
	}
	return p, func() { p.Close() }
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
					got, err = vks(in).Dot(in, x, y)
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

// TestPoolExclusive: no instance is ever held by two goroutines at once,
// however Acquire finds it (the per-P hint, the scan, or a wake after
// waiting), and misplaced Releases (nil, twice, another pool's instance) are
// ignored. 8 goroutines over 2 instances keep Acquires waiting.
func TestPoolExclusive(t *testing.T) {
	p, done := newPool(t, cGuest, 2)
	defer done()
	other, doneOther := newPool(t, cGuest, 1)
	defer doneOther()
	stranger, err := other.AcquireForTest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	x, _, _ := vectors.Make("random", 10000)
	var held sync.Map // *host.Instance -> *atomic.Bool
	var wg sync.WaitGroup
	var violations, acquired, gaveUp atomic.Int64
	for range 8 {
		wg.Go(func() {
			for i := range 500 {
				ctx := context.Background()
				if i%7 == 0 { // some Acquires give up while waiting
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, time.Microsecond)
					defer cancel()
				}
				in, err := p.AcquireForTest(ctx)
				if err != nil {
					if !errors.Is(err, context.DeadlineExceeded) {
						t.Error(err)
						return
					}
					gaveUp.Add(1)
					continue
				}
				acquired.Add(1)
				f, _ := held.LoadOrStore(in, new(atomic.Bool))
				if !f.(*atomic.Bool).CompareAndSwap(false, true) {
					violations.Add(1)
				}
				if _, err := sumOf(in, x); err != nil {
					t.Error(err)
				}
				f.(*atomic.Bool).Store(false)
				p.ReleaseForTest(in)
				if i%50 == 0 {
					p.ReleaseForTest(nil)      // none
					p.ReleaseForTest(stranger) // another pool's
				}
			}
		})
	}
	wg.Wait()
	if v := violations.Load(); v != 0 {
		t.Fatalf("%d of %d acquisitions handed out an instance another goroutine held", v, acquired.Load())
	}
	n := 0
	held.Range(func(any, any) bool { n++; return true })
	if n != p.Size() {
		t.Errorf("%d distinct instances handed out, pool size %d", n, p.Size())
	}
	// A second Release of a free instance is ignored: afterwards exactly
	// Size instances can be taken, and the other pool's only instance is
	// still taken.
	in, err := p.AcquireForTest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p.ReleaseForTest(in)
	p.ReleaseForTest(in)
	for range p.Size() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_, err := p.AcquireForTest(ctx)
		cancel()
		if err != nil {
			t.Fatalf("after the run, not every instance is free: %v", err)
		}
	}
	for _, q := range []*host.Pool{p, other} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		_, err := q.AcquireForTest(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("an instance was handed out twice (a misplaced Release freed it): %v", err)
		}
	}
	t.Logf("%d acquisitions, %d gave up waiting", acquired.Load(), gaveUp.Load())
}

func TestPoolAcquireHonoursContextAndClose(t *testing.T) {
	p, done := newPool(t, rustGuest, 1)
	defer done()
	in, err := p.AcquireForTest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := p.AcquireForTest(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Acquire on an empty pool: %v, want DeadlineExceeded", err)
	}
	waiting := make(chan error, 1)
	go func() {
		_, err := p.AcquireForTest(context.Background())
		waiting <- err
	}()
	time.Sleep(10 * time.Millisecond) // let it block (the test passes either way)
	p.Close()
	if err := <-waiting; !errors.Is(err, host.ErrClosed) {
		t.Fatalf("Acquire blocked across Close: %v, want ErrClosed", err)
	}
	if _, err := sumOf(in, []float64{1}); !errors.Is(err, host.ErrClosed) {
		t.Fatalf("instance after pool Close: %v, want ErrClosed", err)
	}
	p.ReleaseForTest(in) // after Close: harmless
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
								v, err := sumOf(in, x)
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

// onePool compiles wasm on an engine of its own, made with opts, and
// returns a pool of one instance of it; pool, module and engine are closed
// when the test ends.
func onePool(t *testing.T, name string, wasm []byte, opts ...host.Option) *host.Pool {
	t.Helper()
	e := host.NewEngine(opts...)
	t.Cleanup(func() { e.Close() })
	m, err := e.Compile(name, wasm)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	p, err := modPool(m, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestPoolReplacesClosed: an instance its user closed inside Do is not
// handed out again; the pool puts a new one in its place.
func TestPoolReplacesClosed(t *testing.T) {
	p := onePool(t, "rust", mustRead(t, rustGuest))
	for i := range 3 {
		if err := p.Do(context.Background(), func(in *host.Instance) error {
			if got, err := sumOf(in, []float64{1, 2}); err != nil || got != 3 {
				return fmt.Errorf("round %d: Sum = %v, %v", i, got, err)
			}
			return in.Close()
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPoolReplacesTrapped: an instance whose call trapped is not handed out
// again (the guest stopped where it trapped; a standard Go guest's runtime
// is then mid-panic); the pool puts a new one in its place and closes it.
// Outside a pool it serves on.
func TestPoolReplacesTrapped(t *testing.T) {
	wasm := compileWAT(t, wat(map[string]string{
		"sum": `(func (export "sum") (param i32) (result f64) (if (i32.eq (local.get 0) (i32.const 3)) (then unreachable)) (f64.const 7))`}))
	p := onePool(t, "trapper", wasm)
	var first *host.Instance
	err := p.Do(context.Background(), func(in *host.Instance) error {
		first = in
		_, err := sumOf(in, []float64{1, 2, 3})
		return err
	})
	if !errors.Is(err, host.ErrTrap) {
		t.Fatalf("Do: %v, want ErrTrap", err)
	}
	err = p.Do(context.Background(), func(in *host.Instance) error {
		if in == first {
			t.Error("the instance whose call trapped was handed out again")
		}
		_, err := sumOf(in, []float64{1})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sumOf(first, []float64{1}); !errors.Is(err, host.ErrClosed) {
		t.Errorf("the replaced instance: %v, want ErrClosed", err)
	}
	e := host.NewEngine()
	defer e.Close()
	in, err := e.Load("trapper", wasm)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if _, err := sumOf(in, []float64{1, 2, 3}); !errors.Is(err, host.ErrTrap) {
		t.Fatalf("Sum of 3: %v, want ErrTrap", err)
	}
	if got, err := sumOf(in, []float64{1}); err != nil || got != 7 {
		t.Errorf("the next call outside a pool: %v, %v; want 7, nil (the instance serves on)", got, err)
	}
}
