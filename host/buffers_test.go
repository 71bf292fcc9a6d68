package host_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
)

// TestBuffersExpire: a Buffers kept past InPlace, or past Close, gives no
// views and ErrClosed, never a read of freed memory, also during a later
// InPlace; InPlace on a closed instance returns ErrClosed without calling
// fn.
func TestBuffersExpire(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, err := e.LoadFile(rustGuest)
	if err != nil {
		t.Fatal(err)
	}
	var kept host.Buffers
	sentinel := errors.New("from fn")
	if err := in.InPlace(func(b host.Buffers) error { kept = b; return sentinel }); err != sentinel {
		t.Fatalf("InPlace returned %v, want fn's error", err)
	}
	sum, err := in.Module().Kernel("sum")
	if err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		for _, name := range []string{"a", "b", "result"} {
			if v, err := testguest.View[float64](in.Module(), kept, name); v != nil || !errors.Is(err, host.ErrClosed) {
				t.Errorf("%s: view %s = %d elements, %v; want none and ErrClosed", when, name, len(v), err)
			}
		}
		if _, err := kept.Call(sum, 1); !errors.Is(err, host.ErrClosed) {
			t.Errorf("%s: Call = %v, want ErrClosed", when, err)
		}
		if _, err := vk(in).SumInPlace(kept, 1); !errors.Is(err, host.ErrClosed) {
			t.Errorf("%s: SumInPlace = %v, want ErrClosed", when, err)
		}
		if err := vks(in).ScaleInPlace(kept, 2, 1); !errors.Is(err, host.ErrClosed) {
			t.Errorf("%s: ScaleInPlace (simd) = %v, want ErrClosed", when, err)
		}
	}
	check("after InPlace")
	if err := in.InPlace(func(host.Buffers) error { check("during a later InPlace"); return nil }); err != nil {
		t.Fatal(err)
	}
	in.Close()
	check("after Close")
	called := false
	if err := in.InPlace(func(host.Buffers) error { called = true; return nil }); !errors.Is(err, host.ErrClosed) || called {
		t.Errorf("InPlace after Close: %v (fn called: %v), want ErrClosed", err, called)
	}
}

// TestMemoryCannotGrow: after instantiation a guest's memory.grow fails, so
// the memory never moves under a view.
func TestMemoryCannotGrow(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, err := e.Load("grower", compileWAT(t, wat(map[string]string{
		"sum": `(func (export "sum") (param i32) (result f64) (f64.convert_i32_s (memory.grow (i32.const 1))))`,
	})))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if got, err := sumOf(in, nil); err != nil || got != -1 {
		t.Fatalf("memory.grow in a kernel returned %v, %v; want -1 (refused)", got, err)
	}
}

// TestBuffersAfterTrap: a trap inside InPlace leaves the views valid and
// the data in them intact; later kernels on the same Buffers still work.
func TestBuffersAfterTrap(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, err := e.Load("trapper", compileWAT(t, wat(map[string]string{
		"sum": `(func (export "sum") (param i32) (result f64) unreachable)`,
	})))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	err = in.InPlace(func(b host.Buffers) error {
		a := viewA(in, b)
		a[0], a[15] = 1.5, -2.5
		if _, err := vk(in).SumInPlace(b, 16); !errors.Is(err, host.ErrTrap) {
			t.Errorf("Sum: %v, want ErrTrap", err)
		}
		if a[0] != 1.5 || a[15] != -2.5 || viewA(in, b)[15] != -2.5 {
			t.Errorf("buffer changed across a trap: %v %v", a[0], a[15])
		}
		if _, err := vk(in).DotInPlace(b, 16); err != nil {
			t.Errorf("Dot after a trap: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBuffersConcurrentUse: two goroutines calling kernels through one
// Buffers at once (a misuse that used to give wrong results, then a
// Wasmtime panic that killed the process) get correct results or
// ErrConcurrent, never a crash; InPlace waits for a call in progress before
// giving up the lock. (A client that writes its own guard words around
// each call, as package vector does, can also report such a misuse as
// ErrContract: the other goroutine's guards.)
func TestBuffersConcurrentUse(t *testing.T) {
	in := load(t, rustGuest)
	sum, err := in.Module().Kernel("sum-simd")
	if err != nil {
		t.Fatal(err)
	}
	var calls, refused atomic.Int64
	err = in.InPlace(func(b host.Buffers) error {
		a := viewA(in, b)
		for i := range 1000 {
			a[i] = 1
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 2000 {
					r, err := b.Call(sum, 1000)
					v := math.Float64frombits(r)
					switch {
					case errors.Is(err, host.ErrConcurrent):
						refused.Add(1)
					case err != nil:
						t.Errorf("SumSIMD: %v", err)
						return
					case v != 1000:
						t.Errorf("SumSIMD = %v, want 1000", v)
						return
					default:
						calls.Add(1)
					}
				}
			})
		}
		wg.Wait()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d calls, %d refused with ErrConcurrent", calls.Load(), refused.Load())
	if calls.Load() == 0 {
		t.Fatal("no call succeeded")
	}
}

// TestInPlaceReentrant: the instance's own methods called from inside its
// InPlace callback (Call, a typed kernel, InPlace again, Close) return
// ErrConcurrent at once instead of deadlocking; Bind works there; another
// goroutine's call waits for the InPlace and then runs. A hang fails the
// test after 20 s instead of hanging it.
func TestInPlaceReentrant(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, err := e.Load("rust", mustRead(t, rustGuest))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	k, err := in.Module().Kernel("sum")
	if err != nil {
		t.Fatal(err)
	}
	other := make(chan error, 1)
	done := make(chan error, 1)
	go func() {
		done <- in.InPlace(func(b host.Buffers) error {
			reentrant := map[string]func() error{
				"Call":    func() error { _, err := in.Call(k, host.Encode(int32(1))); return err },
				"Sum":     func() error { _, err := sumOf(in, []float64{1}); return err },
				"Mul":     func() error { return mulOf(in, make([]float64, 1), []float64{1}, []float64{1}) },
				"InPlace": func() error { return in.InPlace(func(host.Buffers) error { return nil }) },
				"Close":   in.Close,
			}
			for name, f := range reentrant {
				if err := f(); !errors.Is(err, host.ErrConcurrent) {
					return fmt.Errorf("%s inside InPlace: %v, want ErrConcurrent", name, err)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			unbind := in.Bind(ctx)
			unbind()
			go func() { _, err := sumOf(in, []float64{1, 2}); other <- err }()
			time.Sleep(20 * time.Millisecond) // the other goroutine now waits for the lock
			viewA(in, b)[0] = 5
			if v, err := vk(in).SumInPlace(b, 1); err != nil || v != 5 {
				return fmt.Errorf("b.Sum = %v, %v; want 5", v, err)
			}
			return nil
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("InPlace deadlocked")
	}
	select {
	case err := <-other:
		if err != nil {
			t.Errorf("another goroutine's Sum after the InPlace: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("another goroutine's Sum never ran")
	}
}

// TestCallWith: prepare writes the inputs, the kernel runs, finish reads
// the result, all under one hold of the lock; an error of prepare stops the
// call, one of finish is returned; ErrContract from either marks the
// instance untrusted; calls from inside the callbacks get ErrConcurrent
// instead of a deadlock; the Buffers expire when CallWith returns.
func TestCallWith(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, err := e.LoadFile(rustGuest)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	m := in.Module()
	mul, err := m.Kernel("mul")
	if err != nil {
		t.Fatal(err)
	}
	ra, errA := host.BufferRef[float64](m, "a")
	rb, errB := host.BufferRef[float64](m, "b")
	rr, errR := host.BufferRef[float64](m, "result")
	if err := errors.Join(errA, errB, errR); err != nil {
		t.Fatal(err)
	}
	view := func(b host.Buffers, r host.Ref[float64]) []float64 {
		v, err := host.View(b, r)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	n := []uint64{host.Encode(int32(3))}
	var out []float64
	var kept host.Buffers
	_, err = in.CallWith(mul, n, func(b host.Buffers) error {
		copy(view(b, ra), []float64{1, 2, 3})
		copy(view(b, rb), []float64{4, 5, 6})
		copy(view(b, rr), []float64{-1, -1, -1})
		if _, err := b.Call(mul, n...); !errors.Is(err, host.ErrConcurrent) {
			t.Errorf("Buffers.Call inside prepare = %v, want ErrConcurrent", err)
		}
		if _, err := in.Call(mul, n...); !errors.Is(err, host.ErrConcurrent) {
			t.Errorf("Instance.Call inside prepare = %v, want ErrConcurrent", err)
		}
		if err := in.InPlace(func(host.Buffers) error { return nil }); !errors.Is(err, host.ErrConcurrent) {
			t.Errorf("InPlace inside prepare = %v, want ErrConcurrent", err)
		}
		kept = b
		return nil
	}, func(b host.Buffers) error {
		out = append(out, view(b, rr)[:3]...)
		return nil
	})
	if err != nil || fmt.Sprint(out) != "[4 10 18]" {
		t.Fatalf("CallWith(mul) = %v, result %v; want [4 10 18]", err, out)
	}
	if v, err := host.View(kept, ra); v != nil || !errors.Is(err, host.ErrClosed) {
		t.Errorf("view after CallWith = %d elements, %v; want none and ErrClosed", len(v), err)
	}
	// View's errors are made once per instance; a caller that changes the
	// *GuestError it gets must not change what the next caller sees.
	for i, b := range []host.Buffers{kept, {}} {
		_, err := host.View(b, ra)
		var ge *host.GuestError
		if !errors.As(err, &ge) || !errors.Is(err, host.ErrClosed) {
			t.Fatalf("view %d: %v (%T), want a *GuestError wrapping ErrClosed", i, err, err)
		}
		want := err.Error()
		ge.Guest, ge.Export, ge.Err = "changed", "changed", nil
		_, again := host.View(b, ra)
		var ge2 *host.GuestError
		if again.Error() != want || !errors.As(again, &ge2) || ge2 == ge || ge2.Err == nil || !errors.Is(again, host.ErrClosed) {
			t.Errorf("view %d after a caller changed its error: %v, want %q again", i, again, want)
		}
	}
	if _, err := in.CallWith(mul, n, nil, nil); err != nil {
		t.Errorf("CallWith without callbacks: %v", err)
	}
	if _, err := in.CallWith(mul, nil, nil, nil); !errors.Is(err, host.ErrSignature) {
		t.Errorf("CallWith with no arguments for mul = %v, want ErrSignature", err)
	}

	// prepare's error: the kernel is not called, finish neither.
	stop := errors.New("stop")
	finished := false
	_, err = in.CallWith(mul, n, func(b host.Buffers) error {
		view(b, rr)[0] = 7
		return stop
	}, func(host.Buffers) error { finished = true; return nil })
	if err != stop || finished {
		t.Errorf("CallWith with a failing prepare = %v, finish ran %v; want prepare's error and no finish", err, finished)
	}
	in.InPlace(func(b host.Buffers) error {
		if r := view(b, rr)[0]; r != 7 {
			t.Errorf("result[0] = %v after a failing prepare, want 7 (the kernel must not run)", r)
		}
		return nil
	})
	if _, err := in.CallWith(mul, n, nil, func(host.Buffers) error { return stop }); err != stop {
		t.Errorf("CallWith with a failing finish = %v, want its error", err)
	}
	if in.UntrustedForTest() {
		t.Fatal("instance untrusted before any ErrContract")
	}
	broke := fmt.Errorf("client check: %w", host.ErrContract)
	if _, err := in.CallWith(mul, n, nil, func(host.Buffers) error { return broke }); err != broke || !in.UntrustedForTest() {
		t.Errorf("CallWith with finish returning ErrContract = %v, untrusted %v; want that error and untrusted", err, in.UntrustedForTest())
	}

	closed, err := e.LoadFile(cGuest)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := closed.Module().Kernel("mul")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	called := false
	if _, err := closed.CallWith(cm, n, func(host.Buffers) error { called = true; return nil }, nil); !errors.Is(err, host.ErrClosed) || called {
		t.Errorf("CallWith after Close = %v, prepare ran %v; want ErrClosed and no prepare", err, called)
	}
}
