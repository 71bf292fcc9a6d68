package host_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/wasmvec/wasmvec/host"
)

// loopForever is a sum export that never returns.
const loopForever = `(func (export "sum") (param i32) (result f64) (loop $l (br $l)) f64.const 0)`

// within fails the test when a call that should end at its deadline took
// far longer: the bound is generous for a loaded CI machine; the log shows
// the real figure.
func within(t *testing.T, took, bound time.Duration) {
	t.Helper()
	t.Logf("returned after %v", took)
	if took > bound {
		t.Errorf("returned after %v, want about %v", took, bound)
	}
}

// TestTimeout: an infinite loop in a kernel returns ErrDeadline about the
// timeout later, and the instance serves the next call.
func TestTimeout(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) // Engine.Close stops the ticker
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	in, err := e.Load("loop", compileWAT(t, wat(map[string]string{"sum": loopForever})), host.WithTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	for range 2 {
		start := time.Now()
		_, err := sumOf(in, []float64{1})
		within(t, time.Since(start), 2*time.Second)
		var ge *host.GuestError
		if !errors.Is(err, host.ErrDeadline) || !errors.As(err, &ge) || ge.Export != "sum" {
			t.Fatalf("Sum: %v, want ErrDeadline from export sum", err)
		}
		if err := mulOf(in, make([]float64, 4), make([]float64, 4), make([]float64, 4)); err != nil {
			t.Fatalf("Mul after the deadline: %v", err)
		}
	}
	m, err := e.Compile("loop", compileWAT(t, wat(map[string]string{"sum": loopForever})))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Instantiate(host.WithTimeout(-1)); !errors.Is(err, host.ErrOption) {
		t.Errorf("WithTimeout(-1): %v, want ErrOption", err)
	}
	plain := host.NewEngine()
	defer plain.Close()
	if _, err := plain.Load("loop", compileWAT(t, wat(nil)), host.WithTimeout(time.Second)); !errors.Is(err, host.ErrOption) {
		t.Errorf("WithTimeout on an engine without deadlines: %v, want ErrOption", err)
	}
}

// TestTimeoutKeepsFastCalls: a timeout far above a call's length does not
// change its result.
func TestTimeoutKeepsFastCalls(t *testing.T) {
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	in, err := e.LoadFile(rustGuest, host.WithTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if s, err := sumOf(in, []float64{1, 2, 3}); err != nil || s != 6 {
		t.Fatalf("SumSIMD = %v, %v", s, err)
	}
}

// TestBind: a bound context's cancellation and deadline end a running call
// with ErrDeadline wrapping the context's error; after unbind the instance
// runs calls unbounded again.
func TestBind(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	in, err := e.Load("loop", compileWAT(t, wat(map[string]string{"sum": loopForever})))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()

	ctx, cancel := context.WithCancel(context.Background())
	unbind := in.Bind(ctx)
	time.AfterFunc(30*time.Millisecond, cancel)
	start := time.Now()
	_, err = sumOf(in, []float64{1})
	within(t, time.Since(start), 2*time.Second)
	if !errors.Is(err, host.ErrDeadline) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Sum under a cancelled context: %v, want ErrDeadline and context.Canceled", err)
	}
	if _, err := sumOf(in, []float64{1}); !errors.Is(err, context.Canceled) {
		t.Errorf("Sum after the cancel, still bound: %v, want context.Canceled at once", err)
	}
	unbind()
	if err := mulOf(in, make([]float64, 4), make([]float64, 4), make([]float64, 4)); err != nil {
		t.Fatalf("Mul after unbind: %v", err)
	}

	ctx, cancel = context.WithTimeout(context.Background(), 40*time.Millisecond)
	defer cancel()
	unbind = in.Bind(ctx)
	start = time.Now()
	_, err = sumOf(in, []float64{1})
	within(t, time.Since(start), 2*time.Second)
	if !errors.Is(err, host.ErrDeadline) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Sum past the context's deadline: %v, want ErrDeadline and context.DeadlineExceeded", err)
	}
	unbind()
}

// TestPoolDeadlineRecycles: Pool.Do bounds the calls by ctx, and the
// interrupted instance is replaced when released.
func TestPoolDeadlineRecycles(t *testing.T) {
	p := onePool(t, "loop", compileWAT(t, wat(map[string]string{"sum": loopForever})), host.WithDeadlines())
	var first *host.Instance
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err := p.Do(ctx, func(in *host.Instance) error {
		first = in
		_, err := sumOf(in, []float64{1})
		return err
	})
	if !errors.Is(err, host.ErrDeadline) {
		t.Fatalf("Do: %v, want ErrDeadline", err)
	}
	err = p.Do(context.Background(), func(in *host.Instance) error {
		if in == first {
			t.Error("the interrupted instance was handed out again")
		}
		return mulOf(in, make([]float64, 4), make([]float64, 4), make([]float64, 4))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sumOf(first, nil); !errors.Is(err, host.ErrClosed) {
		t.Errorf("the replaced instance: %v, want ErrClosed", err)
	}
}

// TestThreadsCancel: cancelling the context of a threaded instance's call
// ends the call and every worker thread; the instance reports ErrClosed and
// Close leaves no goroutine.
func TestThreadsCancel(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	src := threadedWAT(map[string]string{"sum": loopForever}, `(loop $l (br $l))`, "")
	in, err := e.Load("threads-loop", compileWAT(t, src), host.WithThreads(3))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	unbind := in.Bind(ctx)
	start := time.Now()
	_, err = sumOf(in, []float64{1})
	within(t, time.Since(start), 2*time.Second)
	if !errors.Is(err, host.ErrDeadline) || !errors.Is(err, host.ErrClosed) {
		t.Fatalf("Sum: %v, want ErrDeadline and ErrClosed", err)
	}
	unbind()
	start = time.Now()
	in.Close()
	within(t, time.Since(start), 5*time.Second)
}

// busyWAT's kernel counts down from n: about 20 ms per 10^7 here, many
// epoch ticks, so a deadline already passed would stop it.
const busyWAT = `(module (memory (export "memory") 1)
(func (export "busy") (param $n i32) (result i32)
  (block $done (loop $l
    (br_if $done (i32.eqz (local.get $n)))
    (local.set $n (i32.sub (local.get $n) (i32.const 1)))
    (br $l)))
  (local.get $n)))`

// TestFarDeadlines: a timeout or a context deadline far in the future (the
// largest Duration, the year 3000) means no practical bound, not a bound
// already passed: the arithmetic saturates.
func TestFarDeadlines(t *testing.T) {
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	m, err := e.Compile("busy", compileWAT(t, busyWAT))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	busy, err := m.Kernel("busy")
	if err != nil {
		t.Fatal(err)
	}
	run := func(in *host.Instance) error {
		_, err := in.Call(busy, host.Encode(int32(20_000_000)))
		return err
	}
	in, err := m.Instantiate(host.WithTimeout(time.Duration(math.MaxInt64)))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := run(in); err != nil {
		t.Fatalf("WithTimeout(MaxInt64): %v", err)
	}
	ctx, cancel := context.WithDeadline(context.Background(), time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))
	defer cancel()
	plain, err := m.Instantiate()
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	unbind := plain.Bind(ctx)
	if err := run(plain); err != nil {
		t.Fatalf("bound to a deadline in the year 3000: %v", err)
	}
	unbind()
	pool, err := m.NewPool(1)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if err := pool.Do(ctx, run); err != nil {
		t.Fatalf("Pool.Do with a deadline in the year 3000: %v", err)
	}
}

// TestContextDeadlineWrapped: a call that runs past a bound context's
// deadline wraps context.DeadlineExceeded every time, also when the epoch
// callback sees the deadline pass before the context's own timer fires
// (repeated: the two race).
func TestContextDeadlineWrapped(t *testing.T) {
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	in, err := e.Load("loop", compileWAT(t, wat(map[string]string{"sum": loopForever})))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	for i := range 200 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Millisecond)
		unbind := in.Bind(ctx)
		_, err := sumOf(in, []float64{1})
		unbind()
		cancel()
		if !errors.Is(err, host.ErrDeadline) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("run %d: %v; want ErrDeadline wrapping context.DeadlineExceeded", i, err)
		}
	}
}

// TestNestedBind: a Bind inside Pool.Do (or any other) nests: the tighter
// deadline wins whichever is inner, and unbinding the inner one leaves the
// outer bound.
func TestNestedBind(t *testing.T) {
	p := onePool(t, "loop", compileWAT(t, wat(map[string]string{"sum": loopForever})), host.WithDeadlines())
	outer, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := p.Do(outer, func(in *host.Instance) error {
		inner, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		unbind := in.Bind(inner) // looser than the pool's: the pool's still bounds
		start := time.Now()
		_, err := sumOf(in, []float64{1})
		within(t, time.Since(start), 2*time.Second)
		unbind()
		if !errors.Is(err, host.ErrDeadline) || !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("inside a looser inner Bind: %v; want the outer deadline", err)
		}
		// after unbinding the inner context, the outer (expired) one still refuses calls
		if _, err := sumOf(in, []float64{1}); !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("after the inner unbind: %v; want the outer deadline at once", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
