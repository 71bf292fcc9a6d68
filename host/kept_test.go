package host_test

import (
	"bufio"
	"errors"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/raw"
	"github.com/wasmvec/wasmvec/internal/testguest"
)

// keep returns a view of buffer "a" of a new instance of path, kept past
// its InPlace, and closes the instance.
func keep(t *testing.T, e *host.Engine, path string, opts ...host.Option) []float64 {
	t.Helper()
	in, err := testguest.LoadFile(e, path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var kept []float64
	if err := in.InPlace(func(b host.Buffers) error {
		v, err := testguest.View[float64](in.Module(), b, "a")
		kept = v
		return err
	}); err != nil {
		t.Fatal(err)
	}
	in.Close()
	return kept
}

// touch writes v through view at i, or reads it when v is NaN, and
// returns what ViewFault makes of the fault, or nil when nothing faulted.
func touch(t *testing.T, view []float64, i int, v float64) (err error) {
	t.Helper()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if err = host.ViewFault(r); err == nil {
			t.Fatalf("a fault ViewFault does not explain: %v", r)
		}
	}()
	if math.IsNaN(v) {
		viewSink = view[i]
	} else {
		view[i] = v
	}
	return nil
}

var viewSink float64

// TestKeptViewCannotReachAnotherInstance keeps a view past Close, makes new
// instances of the same module (which, with memory unmapped at Close,
// reused the same addresses every time: writes through the old view landed
// in the new instance's memory), and writes through the view: each write
// faults, ViewFault names the guest and the cause, and the new instances'
// buffers hold what they held. Reads fault too. For a threaded guest's
// shared memory as for a linear memory of its own (Hostile round 5, class 2).
func TestKeptViewCannotReachAnotherInstance(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	for _, c := range []struct {
		name string
		path string
		opts []host.Option
	}{
		{"rust", rustGuest, nil},
		{"threads", threadsGuest, []host.Option{host.WithThreads(2)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			kept := keep(t, e, c.path, c.opts...)
			for round := range 20 {
				in, err := testguest.LoadFile(e, c.path, c.opts...)
				if err != nil {
					t.Fatal(err)
				}
				err = touch(t, kept, round, 1e300)
				if !errors.Is(err, host.ErrKeptView) {
					t.Fatalf("round %d: a write through the kept view gave %v, want ErrKeptView", round, err)
				}
				var ge *host.GuestError
				if !errors.As(err, &ge) || ge.Guest != in.Module().Name() || !strings.Contains(err.Error(), "InPlace or CallWith") {
					t.Errorf("round %d: %v does not name guest %q and the cause", round, err, in.Module().Name())
				}
				if round == 0 {
					t.Log(err)
				}
				if err := touch(t, kept, len(kept)-1, math.NaN()); !errors.Is(err, host.ErrKeptView) {
					t.Errorf("round %d: a read through the kept view gave %v, want ErrKeptView", round, err)
				}
				if err := in.InPlace(func(b host.Buffers) error {
					v, err := testguest.View[float64](in.Module(), b, "a")
					for i, x := range v[:round+1] {
						if x == 1e300 {
							t.Errorf("round %d: the new instance's a[%d] holds the value written through the kept view", round, i)
						}
					}
					return err
				}); err != nil {
					t.Fatal(err)
				}
				in.Close()
			}
		})
	}
	if err := host.ViewFault("not a fault"); err != nil {
		t.Errorf("ViewFault of a string = %v, want nil", err)
	}
}

// TestQuarantineBounded closes more instances than the quarantine's budget
// holds: it keeps the address space it holds within the budget, releasing
// the oldest first, and releases the pages of what it holds (their views
// fault, as above, until released).
func TestQuarantineBounded(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	before := raw.Quarantined()
	const per = 4<<30 + 2*(32<<20) // the reservation of one linear memory
	old := raw.SetQuarantineBudget(3 * per)
	defer raw.SetQuarantineBudget(old)
	if s := raw.Quarantined(); s.Bytes > 3*per || s.Count > 3 {
		t.Fatalf("after lowering the budget to 3 memories the quarantine holds %d (%d bytes)", s.Count, s.Bytes)
	}
	var views [][]float64
	for range 6 {
		views = append(views, keep(t, e, rustGuest))
	}
	s := raw.Quarantined()
	if s.Count != 3 || s.Bytes != 3*per || s.Budget != 3*per {
		t.Fatalf("after 6 closes under a budget of 3 memories: %+v (before the test: %+v)", s, before)
	}
	// The three newest are held; the oldest three were released, and
	// their addresses may since have gone to a newer memory (then the
	// quarantine finds that one, closed less than 3 memories ago).
	for i, v := range views {
		k, held := raw.KeptView(uintptr(unsafe.Pointer(&v[0])))
		switch {
		case i >= 3 && (!held || k.Later != uint64(5-i)):
			t.Errorf("memory %d of 6: quarantined %v, %d closed since; want held, %d since", i, held, k.Later, 5-i)
		case i < 3 && held && k.Later > 2:
			t.Errorf("memory %d of 6: still held, %d closed since", i, k.Later)
		}
	}
}

// rssKiB is the process's resident set (VmRSS, in KiB), or -1 where
// /proc/self/status does not tell.
func rssKiB() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err == nil {
				return n
			}
		}
	}
	return -1
}

// TestQuarantineReleasesPages fills buffers a, b and result (2.4 MB) of 128
// instances in turn, closing each: 307 MB of touched pages that the
// quarantine must give back as it takes each memory. The resident set may
// grow by far less.
func TestQuarantineReleasesPages(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/status")
	}
	e := host.NewEngine()
	defer e.Close()
	keep(t, e, rustGuest) // the engine's and the module's own memory
	before := rssKiB()
	touched := 0
	for range 128 {
		in, err := testguest.LoadFile(e, rustGuest)
		if err != nil {
			t.Fatal(err)
		}
		if err := in.InPlace(func(b host.Buffers) error {
			for _, name := range []string{"a", "b", "result"} {
				v, err := testguest.View[float64](in.Module(), b, name)
				if err != nil {
					return err
				}
				for i := range v {
					v[i] = 1
				}
				touched += 8 * len(v)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		in.Close()
	}
	if touched < 300e6 {
		t.Fatalf("touched %d bytes, want 300 MB or more", touched)
	}
	if grew := rssKiB() - before; grew > 96<<10 {
		t.Errorf("the resident set grew by %d MiB over 128 closed instances, %d MB touched", grew>>10, touched/1e6)
	} else {
		t.Logf("the resident set grew by %d KiB", grew)
	}
}
