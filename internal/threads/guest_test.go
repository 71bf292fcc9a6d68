//go:build amd64 || arm64

package threads

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/wasmvec/wasmvec/internal/raw"
)

// threadsWAT is the package's own threaded guest: spawn(n) asks for n
// threads and returns how many the host gave; each thread counts itself
// in word 0, then waits on word 16 (a wait without timeout) until it is 1,
// looking at the abort flag (word 32) after every wake-up: set, it traps;
// release sets word 16 and wakes them; count reads word 0.
const threadsWAT = `(module
  (import "env" "memory" (memory 1 1 shared))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (func (export "spawn") (param $n i32) (result i32) (local $ok i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (if (i32.gt_s (call $spawn (i32.const 0)) (i32.const 0))
        (then (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $ok))
  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    (block $out (loop $l
      (br_if $out (i32.eq (i32.atomic.load (i32.const 16)) (i32.const 1)))
      (drop (memory.atomic.wait32 (i32.const 16) (i32.const 0) (i64.const -1)))
      (if (i32.atomic.load (i32.const 32)) (then unreachable))
      (br $l))))
  (func (export "release")
    (i32.atomic.store (i32.const 16) (i32.const 1))
    (drop (memory.atomic.notify (i32.const 16) (i32.const 100))))
  (func (export "count") (result i32) (i32.atomic.load (i32.const 0))))`

var errClosedForTest = errors.New("closed")

// guest is a Threads for threadsWAT with workers spawns allowed, the
// calling thread's instance made on the runner, and call running one of
// its exports there.
type guest struct {
	t      *Threads
	call   func(name string, args ...any) (int32, error)
	failed chan error // every error Config.Failed was given
}

func newGuest(t *testing.T, workers int) *guest {
	t.Helper()
	cfg := wasmtime.NewConfig()
	cfg.SetWasmThreads(true)
	if err := raw.EnableSharedMemory(cfg); err != nil {
		t.Fatal(err)
	}
	engine := wasmtime.NewEngineWithConfig(cfg)
	wasm, err := wasmtime.Wat2Wasm(threadsWAT)
	if err != nil {
		t.Fatal(err)
	}
	module, err := wasmtime.NewModule(engine, wasm)
	if err != nil {
		t.Fatal(err)
	}
	g := &guest{failed: make(chan error, 64)}
	block := raw.New(0)
	th, err := New(Config{
		Name: "threads-test", Engine: engine, Module: module, MinPages: 1, MaxPages: 1, Block: block, Workers: workers,
		Grace: 10 * time.Millisecond, Open: func() bool { return true }, Done: func() {}, Waker: &Waker{},
		DefineWASI: func(*wasmtime.Linker, func(*wasmtime.Caller) []byte) error { return nil },
		Limit:      func(*wasmtime.Store) {},
		Failed: func(tid int32, err error) error {
			e := fmt.Errorf("thread %d: %w", tid, err)
			g.failed <- e
			return e
		},
		Release:   func() {},
		ErrClosed: errClosedForTest,
	}, wasmtime.NewStore(engine))
	if err != nil {
		t.Fatal(err)
	}
	g.t = th
	var inst *wasmtime.Instance
	if err, _ := th.RunFunc(func() (err error) {
		inst, err = th.Linker().Instantiate(th.store, module)
		return err
	}, time.Time{}, nil); err != nil {
		t.Fatal(err)
	}
	g.call = func(name string, args ...any) (int32, error) {
		var v int32
		err, _ := th.RunFunc(func() error {
			r, err := inst.GetFunc(th.store, name).Call(th.store, args...)
			if r != nil {
				v = r.(int32)
			}
			return err
		}, time.Now().Add(5*time.Second), func() error { return errors.New("the call's deadline passed") })
		return v, err
	}
	t.Cleanup(block.Free)
	return g
}

// waitCount waits until n threads have counted themselves.
func (g *guest) waitCount(t *testing.T, n int32) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		c, err := g.call("count")
		if err != nil {
			t.Fatal(err)
		}
		if c == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d threads started", c, n)
		}
	}
}

// TestSpawnBudgetAndQuietShutdown: spawns past Config.Workers are refused,
// the threads given run, and once released they end on their own: Shutdown
// finds them gone, abandons none, and no thread counts as stuck.
func TestSpawnBudgetAndQuietShutdown(t *testing.T) {
	g := newGuest(t, 3)
	if got, err := g.call("spawn", int32(5)); err != nil || got != 3 {
		t.Fatalf("spawn(5) with a budget of 3: %d, %v", got, err)
	}
	g.waitCount(t, 3)
	if got, _ := g.call("spawn", int32(1)); got != 0 {
		t.Fatalf("a spawn after the budget was used: %d given", got)
	}
	if _, err := g.call("release"); err != nil {
		t.Fatal(err)
	}
	if !g.t.wait(5 * time.Second) {
		t.Fatal("released threads did not end")
	}
	if g.t.Shutdown(g, nil, time.Second, time.Second) {
		t.Fatal("Shutdown abandoned threads that had ended")
	}
	if g.t.Failure() != nil || Stuck() != 0 {
		t.Fatalf("failure %v, stuck %d after a quiet end", g.t.Failure(), Stuck())
	}
	select {
	case err := <-g.failed:
		t.Fatalf("a thread failed: %v", err)
	default:
	}
}

// TestFailWakesWaitingThreads: threads blocked in a wait without timeout
// end when the instance fails: Fail raises the abort flag and the wake-up
// sweep notifies every word outside the declared buffers, so each thread
// wakes, sees the flag and traps. Shutdown then abandons none, the first
// failure stays the instance's, and the stuck count returns to 0.
func TestFailWakesWaitingThreads(t *testing.T) {
	g := newGuest(t, 2)
	if got, err := g.call("spawn", int32(2)); err != nil || got != 2 {
		t.Fatalf("spawn(2): %d, %v", got, err)
	}
	g.waitCount(t, 2)
	g.t.SetGuest(32, [][2]uint64{{0, 16}}) // word 0 is a "buffer": the sweep skips it
	cause := errors.New("the host ended it")
	g.t.Fail(cause)
	if g.t.Shutdown(g, cause, 0, 5*time.Second) {
		t.Fatalf("threads asleep in a wait were abandoned (stuck %d)", Stuck())
	}
	if !errors.Is(g.t.Failure(), cause) {
		t.Fatalf("Failure() = %v, want the first failure", g.t.Failure())
	}
	if Stuck() != 0 {
		t.Fatalf("stuck %d after every thread ended", Stuck())
	}
	var traps []string
	for len(g.failed) > 0 {
		traps = append(traps, (<-g.failed).Error())
	}
	if len(traps) != 2 || !slices.ContainsFunc(traps, func(s string) bool { return strings.Contains(s, "unreachable") }) {
		t.Fatalf("want each thread to trap on the abort flag, got %q", traps)
	}
	if _, err := g.call("count"); !errors.Is(err, errClosedForTest) {
		t.Fatalf("a call after Shutdown: %v, want the closed error", err)
	}
}

// TestWakeRanges: the words a wake-up sweep notifies: everything outside
// the declared buffers, 4-byte aligned, highest first, at most
// MaxWakeBytes.
func TestWakeRanges(t *testing.T) {
	for _, c := range []struct {
		size  uint64
		taken [][2]uint64
		want  [][2]uint64
	}{
		{64, nil, [][2]uint64{{0, 64}}},
		{64, [][2]uint64{{16, 32}}, [][2]uint64{{32, 64}, {0, 16}}},
		{64, [][2]uint64{{32, 48}, {0, 16}}, [][2]uint64{{48, 64}, {16, 32}}}, // unsorted
		{64, [][2]uint64{{0, 64}}, nil},
		{64, [][2]uint64{{0, 30}, {20, 40}}, [][2]uint64{{40, 64}}},  // overlapping
		{64, [][2]uint64{{6, 10}}, [][2]uint64{{12, 64}, {0, 4}}},    // unaligned: no word of a buffer is touched
		{1 << 30, nil, [][2]uint64{{1<<30 - MaxWakeBytes, 1 << 30}}}, // the budget, from the top
	} {
		if got := WakeRanges(c.size, c.taken); !slices.Equal(got, c.want) {
			t.Errorf("WakeRanges(%d, %v) = %v, want %v", c.size, c.taken, got, c.want)
		}
	}
}
