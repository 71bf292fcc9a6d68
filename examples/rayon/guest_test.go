package rayon_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/examples/rayon"
	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
	"go.uber.org/goleak"
)

// load compiles the guest on e and instantiates it with opts.
func load(t *testing.T, e *host.Engine, opts ...host.Option) (*host.Instance, *rayon.Kernels) {
	t.Helper()
	m, err := e.Compile("rayon", rayon.Module)
	if err != nil {
		t.Fatal(err)
	}
	k, err := rayon.Lookup(m)
	if err != nil {
		t.Fatal(err)
	}
	in, err := m.Instantiate(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return in, k
}

// Arguments the host side can check give typed errors before any guest
// code runs, and leave the guest's buffers as they were.
func TestBadInput(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, k := load(t, e, host.WithThreads(2))
	defer in.Close()
	err := in.InPlace(func(b host.Buffers) error {
		series, _ := testguest.View[float64](in.Module(), b, "series")
		out, _ := testguest.View[float64](in.Module(), b, "out")
		weights, _ := testguest.View[float64](in.Module(), b, "weights")
		u, _ := testguest.View[float64](in.Module(), b, "u")
		series[0], out[0], weights[0], u[0] = 1.5, 2.5, 3.5, 4.5
		ok := []rayon.Param{{9, 0.85, 6}}
		for _, c := range []struct {
			name string
			call func() error
			want error
		}{
			{"period 0", func() error { return k.ALMA(b, 1, 100, []rayon.Param{{0, 0.85, 6}}) }, rayon.ErrParam},
			{"period -3", func() error { return k.ALMA(b, 1, 100, []rayon.Param{{-3, 0.85, 6}}) }, rayon.ErrParam},
			{"periods past the weights", func() error { return k.ALMA(b, 1, 100, []rayon.Param{{len(weights), 0.85, 6}, {1, 0.85, 6}}) }, rayon.ErrShape},
			{"params past the periods", func() error { return k.ALMA(b, 1, 1, make([]rayon.Param, 5000)) }, rayon.ErrShape},
			{"series past the capacity", func() error { return k.ALMA(b, 2, len(series)/2+1, ok) }, rayon.ErrShape},
			{"S·P·L past out", func() error { return k.ALMA(b, 64, len(series)/64, make([]rayon.Param, 32)) }, rayon.ErrShape},
			{"no series", func() error { return k.ALMA(b, 0, 100, ok) }, rayon.ErrShape},
			{"n³ past the fields", func() error { return k.GrayScott(b, 129, 1, gsParams) }, rayon.ErrShape},
			{"n 0", func() error { return k.GrayScott(b, 0, 1, gsParams) }, rayon.ErrShape},
			{"steps -1", func() error { return k.GrayScott(b, 8, -1, gsParams) }, rayon.ErrParam},
			{"dt -1", func() error { p := gsParams; p.Dt = -1; return k.GrayScott(b, 8, 1, p) }, rayon.ErrParam},
			{"dt NaN", func() error { p := gsParams; p.Dt = math.NaN(); return k.GrayScott(b, 8, 1, p) }, rayon.ErrParam},
			{"hash n³ past the fields", func() error { _, err := k.Hash(b, 200); return err }, rayon.ErrShape},
		} {
			if err := c.call(); !errors.Is(err, c.want) {
				t.Errorf("%s: %v, want %v", c.name, err, c.want)
			}
		}
		if series[0] != 1.5 || out[0] != 2.5 || weights[0] != 3.5 || u[0] != 4.5 {
			t.Errorf("a refused call changed the buffers: %v %v %v %v", series[0], out[0], weights[0], u[0])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The guest checks its arguments too: a raw call that skips Kernels'
// checks gets a status, not a trap or a write past a buffer; a hash of a
// grid past the capacity traps (ErrTrap).
func TestGuestRefuses(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, _ := load(t, e, host.WithThreads(2))
	defer in.Close()
	call := func(name string, args ...uint64) (uint64, error) {
		k, err := in.Module().Kernel(name)
		if err != nil {
			t.Fatal(err)
		}
		return in.Call(k, args...)
	}
	i32 := func(v int32) uint64 { return host.Encode(int32(v)) }
	f := host.Encode[float64]
	for _, c := range []struct {
		name string
		args []uint64
		want int32
	}{
		{"alma", []uint64{i32(1), i32(10), i32(5000)}, -1},         // params past the periods
		{"alma", []uint64{i32(1 << 20), i32(1 << 20), i32(1)}, -2}, // PERIODS[0] is 0
		{"gray-scott", []uint64{i32(0), i32(1), f(1), f(1), f(1), f(1), f(1)}, -1},
		{"gray-scott", []uint64{i32(129), i32(1), f(1), f(1), f(1), f(1), f(1)}, -1},
		{"gray-scott", []uint64{i32(8), i32(1), f(1), f(1), f(1), f(1), f(-1)}, -2},
		{"gray-scott", []uint64{i32(8), i32(1), f(1), f(1), f(1), f(1), f(math.NaN())}, -2},
	} {
		r, err := call(c.name, c.args...)
		if err != nil || host.Decode[int32](r) != c.want {
			t.Errorf("%s%v: %d, %v; want status %d", c.name, c.args, host.Decode[int32](r), err, c.want)
		}
	}
	if _, err := call("hash", i32(200)); !errors.Is(err, host.ErrTrap) {
		t.Errorf("hash(200): %v, want ErrTrap", err)
	}
}

// A guest that asks for threads beyond WithThreads (std::thread::spawn, a
// second Rayon pool) gets -1 from thread-spawn, sees an error (not an
// abort), and still computes on the threads it has, bit for bit.
func TestSpawnBeyondThreads(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, k := load(t, e, host.WithThreads(2))
	defer in.Close()
	more, err := in.Module().Kernel("spawn-more")
	if err != nil {
		t.Fatal(err)
	}
	r, err := in.Call(more, host.Encode(int32(3)))
	if err != nil || host.Decode[int32](r) != 0 {
		t.Fatalf("spawn-more(3) = %d, %v; want 0 threads started, no error", host.Decode[int32](r), err)
	}
	params := []rayon.Param{{9, 0.85, 6}, {30, 0.85, 6}}
	x := make([]float64, 4*500)
	for i := range x {
		x[i] = math.Sin(float64(i))
	}
	want := make([]float64, 4*len(params)*500)
	if err := rayon.ALMA(want, x, 4, params); err != nil {
		t.Fatal(err)
	}
	err = in.InPlace(func(b host.Buffers) error {
		s, _ := testguest.View[float64](in.Module(), b, "series")
		copy(s, x)
		if err := k.ALMA(b, 4, 500, params); err != nil {
			return err
		}
		out, _ := testguest.View[float64](in.Module(), b, "out")
		for i := range want {
			if !same(out[i], want[i]) {
				t.Fatalf("out[%d] = %v, want %v", i, out[i], want[i])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Close drops the guest's Rayon pool (stop-workers) and every thread's
// goroutine ends.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine()
	defer e.Close()
	for th := 1; th <= 4; th++ {
		in, k := load(t, e, host.WithThreads(th))
		u, v := fields(nil, 16, false)
		err := in.InPlace(func(b host.Buffers) error {
			gu, _ := testguest.View[float64](in.Module(), b, "u")
			gv, _ := testguest.View[float64](in.Module(), b, "v")
			copy(gu, u)
			copy(gv, v)
			return k.GrayScott(b, 16, 4, gsParams)
		})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := in.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("threads %d: Close took %v", th, time.Since(start))
	}
}

// A panic in one Rayon job (a pool thread other than the caller, or the
// caller itself) ends the call with ErrTrap: the guest's panic hook wakes
// every pool thread with a job that traps, so none is left waiting for
// the dead thread's work, and Close leaves no goroutine behind.
func TestPanicInWorker(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine()
	defer e.Close()
	for th := 2; th <= 4; th++ {
		for _, bad := range []int32{0, 5, 11} {
			in, _ := load(t, e, host.WithThreads(th))
			pk, err := in.Module().Kernel("panic-in-job")
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = in.Call(pk, host.Encode(int32(bad)), host.Encode(int32(12)))
			if !errors.Is(err, host.ErrTrap) {
				t.Errorf("threads %d, job %d panics: %v, want ErrTrap", th, bad, err)
			}
			// The kit's panic hook writes the message before it traps;
			// the trap keeps it, from whichever thread panicked.
			var trap *host.Trap
			want := fmt.Sprintf("job %d of 12 panics, as asked", bad)
			if !errors.As(err, &trap) || !strings.Contains(trap.Stderr, want) {
				t.Errorf("threads %d, job %d panics: %v, want a *host.Trap whose Stderr holds %q", th, bad, err, want)
			}
			took := time.Since(start)
			start = time.Now()
			in.Close()
			t.Logf("threads %d, job %d: call ended in %v (%v), Close in %v", th, bad, took, err, time.Since(start))
		}
	}
}

// A deadline stops every thread of the pool: the running ones at the
// next epoch check, and Close ends the rest.
func TestDeadline(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	for th := 1; th <= 4; th++ {
		in, k := load(t, e, host.WithThreads(th))
		// Bind: the deadline covers this call only (WithTimeout would
		// bound instantiation too).
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		unbind := in.Bind(ctx)
		start := time.Now()
		err := in.InPlace(func(b host.Buffers) error {
			gu, _ := testguest.View[float64](in.Module(), b, "u")
			for i := range 64 * 64 * 64 {
				gu[i] = 1
			}
			return k.GrayScott(b, 64, 1_000_000, gsParams)
		})
		if !errors.Is(err, host.ErrDeadline) {
			t.Errorf("threads %d: %v, want ErrDeadline", th, err)
		}
		took := time.Since(start)
		unbind()
		cancel()
		start = time.Now()
		in.Close()
		t.Logf("threads %d: call ended in %v, Close in %v (%v)", th, took, time.Since(start), err)
	}
}

// TestDeadlineALMA: an ALMA batch of one series of 2^20 values with a
// short window (10) and a long one (6000) on an instance made
// WithTimeout(100 ms): at 2 threads the calling thread computes the short
// window and then sleeps in Rayon's join while a worker computes the long
// one. The call returns ErrDeadline within about the timeout, and Close
// joins every thread. (On the code before the calling thread ran on a
// goroutine of its own, the call ran to its end: 1.7 s here, 3.3 s in the
// issue's run.)
func TestDeadlineALMA(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	const d = 100 * time.Millisecond
	params := []rayon.Param{{Period: 10, Offset: 0.85, Sigma: 6}, {Period: 6000, Offset: 0.85, Sigma: 6}}
	for _, th := range []int{1, 2, 4} {
		in, k := load(t, e, host.WithThreads(th), host.WithTimeout(d))
		var took time.Duration
		err := in.InPlace(func(b host.Buffers) error {
			s, err := testguest.View[float64](in.Module(), b, "series")
			if err != nil {
				return err
			}
			for i := range 1 << 20 {
				s[i] = float64(i%1000) / 7
			}
			start := time.Now()
			err = k.ALMA(b, 1, 1<<20, params)
			took = time.Since(start)
			return err
		})
		if !errors.Is(err, host.ErrDeadline) {
			t.Errorf("threads %d: %v, want ErrDeadline", th, err)
		}
		t.Logf("threads %d: the call returned after %v (timeout %v): %v", th, took, d, err)
		if took > d+time.Second {
			t.Errorf("threads %d: returned after %v", th, took)
		}
		in.Close()
	}
}

// TestDeadlineALMADefaultEngine: on an engine made without WithDeadlines
// (no epoch checks in the guest's loops: docs/performance.md gives their
// price), a threaded call bound by a context (Bind) still returns
// ErrDeadline when the context ends: the host raises the guest's stop
// word, which this guest's ALMA looks at before every job (one series
// under one parameter set: well under a millisecond), and Close joins its
// threads, with no goroutine left behind. A guest that looked at neither
// the stop word nor the abort flag would keep its threads busy (Close then
// abandons them); WithDeadlines stops those too.
func TestDeadlineALMADefaultEngine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine()
	defer e.Close()
	const d = 20 * time.Millisecond
	x := series(newRand(), 64, 16384, false)
	for _, th := range []int{1, 2, 4} {
		in, k := load(t, e, host.WithThreads(th))
		ctx, cancel := context.WithTimeout(context.Background(), d)
		unbind := in.Bind(ctx)
		var took time.Duration
		err := in.InPlace(func(b host.Buffers) error {
			s, err := testguest.View[float64](in.Module(), b, "series")
			if err != nil {
				return err
			}
			copy(s, x)
			start := time.Now()
			// About 60-200 ms of work at 1-4 threads on 2 cores: past the timeout.
			err = k.ALMA(b, 64, 16384, benchParams(16))
			took = time.Since(start)
			return err
		})
		unbind()
		cancel()
		if !errors.Is(err, host.ErrDeadline) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("threads %d: %v, want ErrDeadline wrapping context.DeadlineExceeded", th, err)
		}
		t.Logf("threads %d: the call returned after %v (timeout %v): %v", th, took, d, err)
		if took > d+time.Second {
			t.Errorf("threads %d: returned after %v", th, took)
		}
		start := time.Now()
		if err := in.Close(); err != nil {
			t.Errorf("threads %d: Close: %v", th, err)
		}
		t.Logf("threads %d: Close took %v", th, time.Since(start))
	}
}

// TestTimeoutALMADefaultEngine: WithTimeout on an engine without epoch
// checks is a cooperative deadline for a threaded guest with a stop word:
// a call past it returns ErrDeadline at about the timeout (the guest's
// ALMA looks at the stop word before each series), the instance serves on
// (the next batch is bit-exact with the Go reference), and Close joins
// its threads (goleak).
func TestTimeoutALMADefaultEngine(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine()
	defer e.Close()
	const d = 20 * time.Millisecond
	x := series(newRand(), 64, 16384, false)
	for _, th := range []int{1, 2} {
		in, k := load(t, e, host.WithThreads(th), host.WithTimeout(d))
		var took time.Duration
		err := in.InPlace(func(b host.Buffers) error {
			s, err := testguest.View[float64](in.Module(), b, "series")
			if err != nil {
				return err
			}
			copy(s, x)
			start := time.Now()
			err = k.ALMA(b, 64, 16384, benchParams(16)) // 60-200 ms of work: past the timeout
			took = time.Since(start)
			return err
		})
		if !errors.Is(err, host.ErrDeadline) || errors.Is(err, host.ErrClosed) {
			t.Errorf("threads %d: %v, want ErrDeadline, the instance serving on", th, err)
		}
		t.Logf("threads %d: the call returned after %v (timeout %v): %v", th, took, d, err)
		if took > d+time.Second {
			t.Errorf("threads %d: returned after %v", th, took)
		}
		// The next call, well within the timeout, is bit-exact.
		small, params := x[:2*1000], benchParams(2)
		want := make([]float64, 2*len(params)*1000)
		if err := rayon.ALMA(want, small, 2, params); err != nil {
			t.Fatal(err)
		}
		err = in.InPlace(func(b host.Buffers) error {
			s, err := testguest.View[float64](in.Module(), b, "series")
			if err != nil {
				return err
			}
			copy(s, small)
			if err := k.ALMA(b, 2, 1000, params); err != nil {
				return err
			}
			out, err := testguest.View[float64](in.Module(), b, "out")
			if err != nil {
				return err
			}
			for i, w := range want {
				if math.Float64bits(out[i]) != math.Float64bits(w) {
					return fmt.Errorf("out[%d] = %v, want %v", i, out[i], w)
				}
			}
			return nil
		})
		if err != nil {
			t.Errorf("threads %d: the call after the deadline: %v", th, err)
		}
		if err := in.Close(); err != nil {
			t.Errorf("threads %d: Close: %v", th, err)
		}
	}
}
