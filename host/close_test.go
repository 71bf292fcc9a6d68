package host_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/host"
)

// TestCloseRaces: Close of the engine, a module, an instance and a pool,
// in a random order while other goroutines compile, instantiate and call
// through all four: every call completes or returns ErrClosed, and nothing
// crashes (run under -race by ./build.sh test). Before the engine's
// lifetime lock, Engine.Close during a Compile was a SIGSEGV.
func TestCloseRaces(t *testing.T) {
	wasm := compileWAT(t, wat(nil))
	x := []float64{1, 2, 3}
	r := rand.New(rand.NewPCG(7, 7))
	for round := range 12 {
		e := host.NewEngine(host.WithDeadlines())
		m, err := e.Compile("race", wasm)
		if err != nil {
			t.Fatal(err)
		}
		in, err := m.Instantiate()
		if err != nil {
			t.Fatal(err)
		}
		pool, err := modPool(m, 2)
		if err != nil {
			t.Fatal(err)
		}
		check := func(what string, err error) {
			if err != nil && !errors.Is(err, host.ErrClosed) {
				t.Errorf("round %d: %s: %v, want nil or ErrClosed", round, what, err)
			}
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 30 {
					m2, err := e.Compile("race", wasm)
					check("Compile", err)
					if err == nil {
						m2.Close()
					}
					in2, err := m.Instantiate()
					check("Instantiate", err)
					if err == nil {
						_, err = sumOf(in2, x)
						check("Sum on a new instance", err)
						in2.Close()
					}
					_, err = sumOf(in, x)
					check("Sum", err)
					err = pool.Do(context.Background(), func(in *host.Instance) error { _, err := sumOf(in, x); return err })
					check("Pool.Do", err)
				}
			})
		}
		closers := []func() error{e.Close, m.Close, in.Close, pool.Close}
		r.Shuffle(len(closers), func(i, j int) { closers[i], closers[j] = closers[j], closers[i] })
		for _, c := range closers {
			time.Sleep(time.Duration(r.IntN(3000)) * time.Microsecond)
			c()
		}
		wg.Wait()
		// Everything after the closes is ErrClosed.
		if _, err := e.Compile("race", wasm); !errors.Is(err, host.ErrClosed) {
			t.Errorf("Compile after Close: %v", err)
		}
		if _, err := m.Instantiate(); !errors.Is(err, host.ErrClosed) {
			t.Errorf("Instantiate after Close: %v", err)
		}
	}
}

// TestInstantiateAfterEngineClose: a module whose engine was closed (the
// module itself still open) refuses to instantiate with ErrClosed, where
// wasmtime-go would panic; instances made before keep working.
func TestInstantiateAfterEngineClose(t *testing.T) {
	e := host.NewEngine()
	m, err := e.Compile("c", mustRead(t, cGuest))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	in, err := m.Instantiate()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	e.Close()
	if _, err := m.Instantiate(); !errors.Is(err, host.ErrClosed) {
		t.Fatalf("Instantiate after Engine.Close: %v, want ErrClosed", err)
	}
	if v, err := sumOf(in, []float64{1, 2}); err != nil || v != 3 {
		t.Fatalf("an instance made before Engine.Close: %v, %v", v, err)
	}
}

// TestCloseEndsRunningCalls runs in a child process (a failure hangs): a
// closed instance, engine or pool ends what runs on it. Instance.Close
// from another goroutine interrupts a looping call on an engine made
// WithDeadlines (the call returns ErrClosed) and a threaded call whose
// calling thread sleeps; Engine.Close leaves the deadlines
// of live instances armed (a looping call under WithTimeout still returns
// ErrDeadline); Pool.Close ends a Do whose call loops.
func TestCloseEndsRunningCalls(t *testing.T) {
	child, out, err := inChild(t, "TestCloseEndsRunningCalls", "WASMVEC_CLOSE_CHILD")
	if !child {
		if err != nil {
			t.Fatalf("child process: %v\n%s", err, out)
		}
		t.Logf("child:\n%s", out)
		return
	}
	looping := compileWAT(t, wat(map[string]string{"sum": loopForever}))
	sleeping := compileWAT(t, threadedWAT(map[string]string{"sum": sumSleeps("3080")}, blockOutside, ""))
	// during runs call on a goroutine, then end after 100 ms, and checks
	// that call returned an error wrapping want within 5 s.
	during := func(name string, call func() error, end func(), want ...error) {
		t.Helper()
		res := make(chan error, 1)
		go func() { res <- call() }()
		time.Sleep(100 * time.Millisecond)
		start := time.Now()
		ended := make(chan struct{})
		go func() { end(); close(ended) }()
		select {
		case err := <-res:
			for _, w := range want {
				if !errors.Is(err, w) {
					t.Errorf("%s: the call returned %v, want %v", name, err, w)
				}
			}
			t.Logf("%s: returned %v after the end began: %v", name, time.Since(start), err)
		case <-time.After(5 * time.Second):
			t.Errorf("%s: the call did not return within 5 s", name)
			os.Exit(1) // the call and the end are stuck: end the child
		}
		select {
		case <-ended:
		case <-time.After(5 * time.Second):
			t.Errorf("%s: the end did not return within 5 s", name)
			os.Exit(1)
		}
	}
	e := host.NewEngine(host.WithDeadlines())
	in, err := e.Load("looping", looping)
	if err != nil {
		t.Fatal(err)
	}
	during("Instance.Close, WithDeadlines engine", func() error { _, err := sumOf(in, []float64{1}); return err },
		func() { in.Close() }, host.ErrClosed)

	// (On an engine without deadlines the call returns as soon, but Close
	// then waits threads.CloseWait for a thread that sleeps for good.)
	in, err = e.Load("sleeping", sleeping, host.WithThreads(2))
	if err != nil {
		t.Fatal(err)
	}
	during("Instance.Close, threaded", func() error { _, err := sumOf(in, []float64{1}); return err },
		func() { in.Close() }, host.ErrClosed)

	in, err = e.Load("looping", looping, host.WithTimeout(300*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	during("Engine.Close, WithTimeout", func() error { _, err := sumOf(in, []float64{1}); return err },
		func() { e.Close() }, host.ErrDeadline)
	in.Close()

	e2 := host.NewEngine(host.WithDeadlines())
	defer e2.Close()
	m, err := e2.Compile("looping", looping)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	p, err := m.NewPool(1)
	if err != nil {
		t.Fatal(err)
	}
	during("Pool.Close", func() error {
		return p.Do(context.Background(), func(in *host.Instance) error { _, err := sumOf(in, []float64{1}); return err })
	}, func() { p.Close() }, host.ErrClosed)
}
