package host_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/wasmvec/wasmvec/host"
)

// Threaded guests whose threads sleep, fail or never return: every call and
// every load with a bound returns within about the bound, a worker's trap
// ends the call on any engine, and what an abandoned instance costs is its
// stuck threads alone. Tests whose threads never end run in a child
// process (inChild).

// sumSleeps is a sum whose calling thread waits on the word at addr with
// no timeout, again after every wake-up, and never looks at the abort flag
// (as a futex loop of std does): only the host can end it. 64 lies in
// buffer A, where the wake-up sweep does not reach; 3080 outside it.
func sumSleeps(addr string) string {
	return `(func (export "sum") (param i32) (result f64)
  (loop $l (drop (memory.atomic.wait32 (i32.const ` + addr + `) (i32.const 0) (i64.const -1))) (br $l))
  f64.const 0)`
}

// sumGoThenSleeps wakes the workers (3076 = 1; trapOnGo traps then), then
// sleeps as sumSleeps does outside the buffers: whether the worker's trap
// comes before or after the caller is asleep is the race.
const sumGoThenSleeps = `(func (export "sum") (param i32) (result f64)
  (i32.atomic.store (i32.const 3076) (i32.const 1))
  (drop (memory.atomic.notify (i32.const 3076) (i32.const -1)))
  (loop $l (drop (memory.atomic.wait32 (i32.const 3080) (i32.const 0) (i64.const -1))) (br $l))
  f64.const 0)`

// checkBound fails unless a call bounded by d returned after about d: at
// least d, and at most d plus a second (a loaded CI machine; the overrun
// seen is logged, the host promises about 2 ms).
func checkBound(t *testing.T, what string, d, took time.Duration) {
	t.Helper()
	t.Logf("%s: returned %v after a bound of %v (overrun %v)", what, took, d, took-d)
	if took > d+time.Second {
		t.Errorf("%s: returned after %v, bound %v", what, took, d)
	}
}

// TestDeadlineReachesWaitingCaller: the calling thread of a threaded guest
// sleeps in a wait without timeout outside the buffers and goes back to
// sleep when woken. WithTimeout, Bind and Pool.Do end the call within
// about the bound; the instance is then closed for calls (ErrClosed), and
// Close joins every thread (none stuck, no goroutine left).
func TestDeadlineReachesWaitingCaller(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	m, err := e.Compile("waiting-caller", compileWAT(t, threadedWAT(map[string]string{"sum": sumSleeps("3080")}, blockOutside, "")))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	const d = 100 * time.Millisecond
	var took time.Duration // of the call alone, not the set-up or Close
	sum := func(in *host.Instance) error {
		start := time.Now()
		_, err := sumOf(in, []float64{1})
		took = time.Since(start)
		return err
	}
	calls := []struct {
		name string
		run  func() error
	}{
		{"WithTimeout", func() error {
			in, err := m.Instantiate(host.WithThreads(3), host.WithTimeout(d))
			if err != nil {
				return err
			}
			defer in.Close()
			return afterEnd(t, in, sum(in))
		}},
		{"Bind", func() error {
			in, err := m.Instantiate(host.WithThreads(3))
			if err != nil {
				return err
			}
			defer in.Close()
			ctx, cancel := context.WithTimeout(context.Background(), d)
			defer cancel()
			unbind := in.Bind(ctx)
			defer unbind()
			err = sum(in)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Bind: %v does not wrap context.DeadlineExceeded", err)
			}
			return afterEnd(t, in, err)
		}},
		{"Pool.Do", func() error {
			p, err := modPool(m, 1, host.WithThreads(2))
			if err != nil {
				return err
			}
			defer p.Close()
			ctx, cancel := context.WithTimeout(context.Background(), d)
			defer cancel()
			return p.Do(ctx, sum)
		}},
	}
	for _, c := range calls {
		err := c.run()
		if !errors.Is(err, host.ErrDeadline) || !errors.Is(err, host.ErrClosed) {
			t.Errorf("%s: %v, want ErrDeadline (and ErrClosed)", c.name, err)
		}
		checkBound(t, c.name, d, took)
	}
	if n := host.StuckThreadsForTest(); n != 0 {
		t.Errorf("%d stuck threads after Close", n)
	}
}

// afterEnd checks that an instance whose call ended with err refuses the
// next call with ErrClosed, and passes err on.
func afterEnd(t *testing.T, in *host.Instance, err error) error {
	t.Helper()
	if _, again := sumOf(in, []float64{1}); !errors.Is(again, host.ErrClosed) {
		t.Errorf("the call after %v: %v, want ErrClosed", err, again)
	}
	return err
}

// TestDeadlineReachesUnwakeableCaller runs in a child process (the thread
// never ends): the calling thread waits on a word inside a buffer, where
// no wake-up reaches it. The call still returns within about its bound,
// on an engine made WithDeadlines (WithTimeout) and on the default one
// (Bind, cancelled); the thread is then counted as stuck, and Close
// returns.
func TestDeadlineReachesUnwakeableCaller(t *testing.T) {
	childTest(t, "WASMVEC_UNWAKEABLE_CHILD", "returned", func(t *testing.T) {
		unwakeableChild(t)
	})
}

func unwakeableChild(t *testing.T) {
	defer host.SetCloseWaitForTest(50 * time.Millisecond)()
	src := compileWAT(t, threadedWAT(map[string]string{"sum": sumSleeps("64")}, "", ""))
	const d = 100 * time.Millisecond
	for _, deadlines := range []bool{true, false} {
		var e *host.Engine
		var opts []host.Option
		name := "default engine, Bind cancelled"
		if deadlines {
			e = host.NewEngine(host.WithDeadlines())
			opts = append(opts, host.WithTimeout(d))
			name = "WithDeadlines, WithTimeout"
		} else {
			e = host.NewEngine()
		}
		in, err := e.Load("unwakeable", src, append(opts, host.WithThreads(2))...)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		unbind := in.Bind(ctx)
		time.AfterFunc(d, cancel)
		before := host.StuckThreadsForTest()
		start := time.Now()
		_, err = sumOf(in, []float64{1})
		took := time.Since(start)
		if !errors.Is(err, host.ErrDeadline) {
			t.Errorf("%s: %v, want ErrDeadline", name, err)
		}
		checkBound(t, name, d, took)
		afterEnd(t, in, err)
		unbind()
		stuck := host.StuckThreadsForTest()
		start = time.Now()
		in.Close()
		t.Logf("%s: Close returned after %v; stuck threads %d, after the call %d, after Close %d", name, time.Since(start), before, stuck, host.StuckThreadsForTest())
		// Counted from the failure on (the instance open or not), and
		// still after Close: the calling thread never ends.
		if stuck < before+1 || host.StuckThreadsForTest() != before+1 {
			t.Errorf("%s: the calling thread is not counted as stuck", name)
		}
		cancel()
	}
}

// childTest runs child in a child process of this test binary (env set
// there, see inChild), fails if the child fails, hangs or dies, and logs
// the child's lines that contain show.
func childTest(t *testing.T, env, show string, child func(*testing.T)) {
	t.Helper()
	isChild, out, err := inChild(t, t.Name(), env)
	if isChild {
		child(t)
		return
	}
	logLines(t, out, show)
	if err != nil {
		t.Fatalf("child process: %v\n%s", err, out)
	}
}

// logLines logs the lines of a child's output that contain s.
func logLines(t *testing.T, out []byte, s string) {
	t.Helper()
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, s) {
			t.Log(strings.TrimSpace(line))
		}
	}
}

// TestWorkerTrapEndsCall, by repetition: a worker traps while (before,
// or after) the calling thread goes to sleep in a wait it never leaves on
// its own. Every call returns the worker's trap (ErrClosed, ErrTrap, from
// wasi_thread_start), and Close joins every thread.
func TestWorkerTrapEndsCall(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	runs := 300
	if testing.Short() {
		runs = 50
	}
	slowest := workerTrapRuns(t, e, runs)
	t.Logf("%d runs, the slowest call returned after %v", runs, slowest)
	if n := host.StuckThreadsForTest(); n != 0 {
		t.Errorf("%d stuck threads", n)
	}
}

// workerTrapRuns makes runs instances of a guest whose worker traps while
// the calling thread goes to sleep (sumGoThenSleeps, trapOnGo) on e, and
// fails unless every call returns the worker's trap; it returns the
// slowest call.
func workerTrapRuns(t *testing.T, e *host.Engine, runs int) (slowest time.Duration) {
	t.Helper()
	m, err := e.Compile("worker-trap", compileWAT(t, threadedWAT(map[string]string{"sum": sumGoThenSleeps}, trapOnGo, "")))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for i := range runs {
		in, err := m.Instantiate(host.WithThreads(2))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = sumOf(in, []float64{1})
		slowest = max(slowest, time.Since(start))
		if !errors.Is(err, host.ErrClosed) || !errors.Is(err, host.ErrTrap) || !strings.Contains(err.Error(), "wasi_thread_start") {
			t.Fatalf("run %d: %v, want the worker's trap", i, err)
		}
		var trap *host.Trap
		if !errors.As(err, &trap) || trap.Code != "unreachable" {
			t.Fatalf("run %d: %v: no *Trap with code unreachable", i, err)
		}
		in.Close()
	}
	return slowest
}

// TestWorkerTrapDefaultEngine runs in a child process (the calling threads
// never end: no epoch interrupt on this engine): on an engine without
// deadlines, a worker's trap still ends every call with that trap, by
// repetition.
func TestWorkerTrapDefaultEngine(t *testing.T) {
	childTest(t, "WASMVEC_TRAP_DEFAULT_CHILD", "runs returned", func(t *testing.T) {
		defer host.SetCloseWaitForTest(20 * time.Millisecond)()
		const runs = 60
		slowest := workerTrapRuns(t, host.NewEngine(), runs)
		t.Logf("%d runs returned the worker's trap, the slowest after %v; %d stuck threads", runs, slowest, host.StuckThreadsForTest())
	})
}

// TestLoadBounded runs in a child process (the guests' threads never end):
// Load and NewPool of a threaded guest whose _initialize waits for ever,
// or whose start-workers waits for workers that never signal, return
// ErrDeadline naming that export within about the bound (WithTimeout, or
// DefaultLoadTimeout when none is given), on either engine; the module and
// the engine then close.
func TestLoadBounded(t *testing.T) {
	childTest(t, "WASMVEC_LOAD_BOUNDED_CHILD", "returned", func(t *testing.T) {
		loadBoundedChild(t)
	})
}

func loadBoundedChild(t *testing.T) {
	defer host.SetCloseWaitForTest(50 * time.Millisecond)()
	const d = 200 * time.Millisecond
	defer host.SetLoadTimeoutForTest(d)()
	initWaits := threadedWAT(map[string]string{"memory": `(import "env" "memory" (memory 1 1 shared)) (export "memory" (memory 0))
(func (export "_initialize") (drop (memory.atomic.wait32 (i32.const 64) (i32.const 0) (i64.const -1))))`}, "", "")
	neverSignals := threadedWAT(nil, "", "1") // start-workers waits for a worker that never counts itself
	for _, c := range []struct {
		name, src, export string
		deadlines, pool   bool
		opts              []host.Option
	}{
		{"_initialize waits, WithTimeout", initWaits, "_initialize", true, false, []host.Option{host.WithTimeout(d)}},
		{"_initialize waits, default engine, DefaultLoadTimeout", initWaits, "_initialize", false, false, nil},
		{"start-workers never signalled, NewPool", neverSignals, "start-workers", true, true, nil},
		{"start-workers never signalled, default engine", neverSignals, "start-workers", false, false, nil},
	} {
		e := host.NewEngine()
		if c.deadlines {
			e = host.NewEngine(host.WithDeadlines())
		}
		m, err := e.Compile(c.name, compileWAT(t, c.src))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if c.pool {
			_, err = modPool(m, 2, append(c.opts, host.WithThreads(2))...)
		} else {
			_, err = m.Instantiate(append(c.opts, host.WithThreads(2))...)
		}
		took := time.Since(start)
		var ge *host.GuestError
		if !errors.Is(err, host.ErrDeadline) || !errors.As(err, &ge) || ge.Export != c.export {
			t.Errorf("%s: %v, want ErrDeadline from %s", c.name, err, c.export)
		}
		checkBound(t, c.name, d, took)
		m.Close()
		e.Close()
	}
}

// TestAbandonedCostBounded runs in a child process: instances whose
// workers block for good cost their stuck threads and nothing more; no
// goroutine per wake-up sweep piles up while they stay stuck.
func TestAbandonedCostBounded(t *testing.T) {
	childTest(t, "WASMVEC_ABANDONED_CHILD", "abandoned instances", func(t *testing.T) {
		defer host.SetCloseWaitForTest(150 * time.Millisecond)() // three sweeps each
		e := host.NewEngine(host.WithDeadlines())
		m, err := e.Compile("stuck", compileWAT(t, threadedWAT(nil, blockForever, "")))
		if err != nil {
			t.Fatal(err)
		}
		before := runtime.NumGoroutine()
		const n = 10
		for range n {
			in, err := m.Instantiate(host.WithThreads(3))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := sumOf(in, []float64{1}); err != nil {
				t.Fatal(err)
			}
			in.Close()
		}
		time.Sleep(100 * time.Millisecond)
		stuck := host.StuckThreadsForTest()
		grown := runtime.NumGoroutine() - before
		t.Logf("after %d abandoned instances: %d stuck threads, %d more goroutines", n, stuck, grown)
		if stuck != 2*n || grown > int(stuck)+4 {
			t.Fatalf("%d stuck threads (want %d), %d more goroutines (want at most %d)", stuck, 2*n, grown, stuck+4)
		}
	})
}

// TestSpawnAfterModuleClose runs in a child process (a failure kills it):
// a threaded instance whose module was closed after Instantiate keeps
// spawning threads within its budget (here at its first call), instead of
// instantiating a freed module.
func TestSpawnAfterModuleClose(t *testing.T) {
	childTest(t, "WASMVEC_SPAWN_MODULE_CLOSED_CHILD", "module closed", func(t *testing.T) {
		// start-workers spawns nobody and claims threads-1; sum spawns one
		// worker, which stores 7 at 3084, and waits for it.
		tail := `
(func (export "get-abort-offset") (result i32) i32.const 3072)
(func (export "stop-workers"))
(func (export "start-workers") (param i32) (result i32) (i32.sub (local.get 0) (i32.const 1)))
(func (export "wasi_thread_start") (param i32 i32)
  (i32.atomic.store (i32.const 3084) (i32.const 7))
  (drop (memory.atomic.notify (i32.const 3084) (i32.const -1))))`
		sum := `(func (export "sum") (param i32) (result f64)
  (if (i32.lt_s (call $spawn (i32.const 0)) (i32.const 0)) (then (return (f64.const -1))))
  (loop $w (if (i32.eqz (i32.atomic.load (i32.const 3084)))
    (then (drop (memory.atomic.wait32 (i32.const 3084) (i32.const 0) (i64.const 1000000))) (br $w))))
  (f64.convert_i32_u (i32.atomic.load (i32.const 3084))))`
		e := host.NewEngine(host.WithDeadlines())
		m, err := e.Compile("late-spawn", compileWAT(t, threadedWAT(map[string]string{"tail": tail, "sum": sum}, "", "")))
		if err != nil {
			t.Fatal(err)
		}
		in, err := m.Instantiate(host.WithThreads(2), host.WithTimeout(5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		m.Close()
		v, err := sumOf(in, []float64{1})
		t.Logf("sum after the module closed: %v, %v", v, err)
		if err != nil || v != 7 {
			t.Fatalf("sum = %v, %v; want 7 (the spawned worker's)", v, err)
		}
		in.Close()
		e.Close()
	})
}

// sumWakesAndReturns is a sum whose calling thread sleeps once in a wait
// with no timeout outside the buffers and, when woken, returns 42 as if
// all were well: only the host's wake-up (after a deadline or a failure)
// brings it back.
const sumWakesAndReturns = `(func (export "sum") (param i32) (result f64)
  (drop (memory.atomic.wait32 (i32.const 3080) (i32.const 0) (i64.const -1)))
  f64.const 42)`

// sumGoThenReturns wakes the workers (trapOnGo traps then) and sleeps
// once, returning 42 when woken.
const sumGoThenReturns = `(func (export "sum") (param i32) (result f64)
  (i32.atomic.store (i32.const 3076) (i32.const 1))
  (drop (memory.atomic.notify (i32.const 3076) (i32.const -1)))
  (drop (memory.atomic.wait32 (i32.const 3080) (i32.const 0) (i64.const -1)))
  f64.const 42)`

// TestEndedCallNeverSucceeds: a call the host ended (its timeout, a bound
// context, Pool.Do's context, a worker's trap) returns the error that ended
// it, never the value the guest returns once the host's wake-up let it go
// on. Each form runs several times (the guest's return races the host's
// give-up).
func TestEndedCallNeverSucceeds(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	m, err := e.Compile("wakes-and-returns", compileWAT(t, threadedWAT(map[string]string{"sum": sumWakesAndReturns}, blockOutside, "")))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	mt, err := e.Compile("worker-traps", compileWAT(t, threadedWAT(map[string]string{"sum": sumGoThenReturns}, trapOnGo, "")))
	if err != nil {
		t.Fatal(err)
	}
	defer mt.Close()
	const d = 50 * time.Millisecond
	sum := func(in *host.Instance) error {
		v, err := sumOf(in, []float64{1})
		if err == nil {
			return fmt.Errorf("a call the host ended returned the guest's %v and no error", v)
		}
		return err
	}
	calls := []struct {
		name string
		want error
		run  func() error
	}{
		{"WithTimeout", host.ErrDeadline, func() error {
			in, err := m.Instantiate(host.WithThreads(2), host.WithTimeout(d))
			if err != nil {
				return err
			}
			defer in.Close()
			return sum(in)
		}},
		{"Bind", host.ErrDeadline, func() error {
			in, err := m.Instantiate(host.WithThreads(2))
			if err != nil {
				return err
			}
			defer in.Close()
			ctx, cancel := context.WithTimeout(context.Background(), d)
			defer cancel()
			defer in.Bind(ctx)()
			return sum(in)
		}},
		{"Pool.Do", host.ErrDeadline, func() error {
			p, err := modPool(m, 1, host.WithThreads(2))
			if err != nil {
				return err
			}
			defer p.Close()
			ctx, cancel := context.WithTimeout(context.Background(), d)
			defer cancel()
			return p.Do(ctx, sum)
		}},
		{"worker trap", host.ErrTrap, func() error {
			in, err := mt.Instantiate(host.WithThreads(2))
			if err != nil {
				return err
			}
			defer in.Close()
			return sum(in)
		}},
	}
	for _, c := range calls {
		for i := range 5 {
			if err := c.run(); !errors.Is(err, c.want) || !errors.Is(err, host.ErrClosed) {
				t.Errorf("%s, run %d: %v, want %v (and ErrClosed)", c.name, i, err, c.want)
			}
		}
	}
}
