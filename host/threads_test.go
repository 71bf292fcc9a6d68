package host_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
)

// TestBitExact and TestEmptyInputs run the threaded guest at 1 to 4 threads
// (see guests). The tests here cover what only threaded guests have.

// TestThreadsBatchAndBlocks: batches (split by vector) and block partials
// (split by block) give the canonical bits at every thread count.
func TestThreadsBatchAndBlocks(t *testing.T) {
	x, y, _ := vectors.Make("random", 250000)
	for threads := 1; threads <= 4; threads++ {
		in := loadThreads(t, threadsGuest, threads)
		if in.Threads() != threads {
			t.Errorf("Threads() = %d, want %d", in.Threads(), threads)
		}
		for _, width := range []int{1, 7, 4096, 5000} {
			count := len(x) / width
			got, want := make([]float64, count), make([]float64, count)
			for j := range want {
				want[j] = kernels.Sum(x[j*width : (j+1)*width])
			}
			if err := in.SumBatch(got, x[:count*width], width); err != nil {
				t.Fatal(err)
			}
			if i := vectors.FirstDiff(got, want); i >= 0 {
				t.Errorf("threads=%d width=%d: SumBatch[%d] = %v, want %v", threads, width, i, got[i], want[i])
			}
			for j := range want {
				want[j], _ = kernels.Dot(x[j*width:(j+1)*width], y[j*width:(j+1)*width])
			}
			if err := in.DotBatch(got, x[:count*width], y[:count*width], width); err != nil {
				t.Fatal(err)
			}
			if i := vectors.FirstDiff(got, want); i >= 0 {
				t.Errorf("threads=%d width=%d: DotBatch[%d] = %v, want %v", threads, width, i, got[i], want[i])
			}
		}
	}
}

// TestThreadsSharedMemory checks the assumptions of the shared-memory layer
// (threads.go) through what a user sees: buffers written in place through
// the host's view of the shared memory are what the guest's threads read.
func TestThreadsSharedMemory(t *testing.T) {
	in := loadThreads(t, threadsGuest, 2)
	if in.Capacity() != 1<<24 {
		t.Fatalf("capacity %d, want 2^24", in.Capacity())
	}
	x, y, _ := vectors.Make("random", 1<<20)
	want, _ := kernels.Dot(x, y)
	err := in.InPlace(func(b *host.Buffers) error {
		copy(b.A(), x)
		copy(b.B(), y)
		got, err := b.DotSIMD(len(x))
		if err == nil && !vectors.Same(got, want) {
			err = fmt.Errorf("in-place DotSIMD = %v, want %v", got, want)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestThreadsOptions(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	m, err := e.Compile("threads", mustRead(t, threadsGuest))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, n := range []int{0, -1, host.MaxThreads + 1} {
		if _, err := m.Instantiate(host.WithThreads(n)); !errors.Is(err, host.ErrOption) {
			t.Errorf("WithThreads(%d): %v, want ErrOption", n, err)
		}
	}
	rust, err := e.Compile("rust", mustRead(t, rustGuest))
	if err != nil {
		t.Fatal(err)
	}
	defer rust.Close()
	if _, err := rust.Instantiate(host.WithThreads(2)); !errors.Is(err, host.ErrOption) {
		t.Errorf("WithThreads(2) on a guest that is not threaded: %v, want ErrOption", err)
	}
	in, err := rust.Instantiate(host.WithThreads(1))
	if err != nil {
		t.Fatalf("WithThreads(1) on a guest that is not threaded: %v", err)
	}
	in.Close()
}

// TestThreadsShutdown: Close stops the workers and waits for them; no
// goroutine is left behind, and the instance refuses calls afterwards.
func TestThreadsShutdown(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine()
	defer e.Close()
	m, err := e.Compile("threads", mustRead(t, threadsGuest))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, threads := range []int{1, 2, 4} {
		in, err := m.Instantiate(host.WithThreads(threads))
		if err != nil {
			t.Fatal(err)
		}
		x, _, _ := vectors.Make("random", 100000)
		if got, err := in.SumSIMD(x); err != nil || !vectors.Same(got, kernels.Sum(x)) {
			t.Errorf("threads=%d: SumSIMD = %v, %v", threads, got, err)
		}
		in.Close()
		if _, err := in.SumSIMD(x); !errors.Is(err, host.ErrClosed) {
			t.Errorf("threads=%d: SumSIMD after Close: %v, want ErrClosed", threads, err)
		}
	}
}

// threadedWAT is a threaded guest in the text format: the wat() template
// with a shared memory imported as env.memory, wasi.thread-spawn, and the
// vector-threads exports. Its abort flag is at 3072; start-workers(n) calls
// thread-spawn spawns times (n-1 when spawns is "") and returns how many
// succeeded, or returns spawns' count when given.
func threadedWAT(replace map[string]string, worker string, spawns string) string {
	start := `(local.get 0) (i32.const 1) (i32.sub)`
	ret := `(local.get $ok)`
	if spawns != "" {
		start, ret = `(i32.const `+spawns+`)`, `(i32.const `+spawns+`)`
	}
	parts := map[string]string{
		"head":   `(import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))`,
		"memory": `(import "env" "memory" (memory 1 1 shared)) (export "memory" (memory 0))`,
		"tail": `
(func (export "get-abort-offset") (result i32) i32.const 3072)
(func (export "ping-workers"))
(func (export "stop-workers"))
(func (export "start-workers") (param i32) (result i32) (local $i i32) (local $ok i32) (local $n i32)
  (local.set $n ` + start + `)
  (block $done (loop $l
    (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
    (if (i32.ge_s (call $spawn (i32.const 0)) (i32.const 0))
      (then (local.set $ok (i32.add (local.get $ok) (i32.const 1)))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $l)))
  ` + ret + `)
(func (export "wasi_thread_start") (param i32 i32) ` + worker + `)`,
	}
	for k, v := range replace {
		parts[k] = v
	}
	return wat(parts)
}

// A worker that waits for the word at 3076 to become non-zero, then traps.
const trapOnGo = `(loop $w (if (i32.eqz (i32.atomic.load (i32.const 3076)))
  (then (drop (memory.atomic.wait32 (i32.const 3076) (i32.const 0) (i64.const 1000000))) (br $w))))
  unreachable`

// A sum that wakes the workers (3076 = 1), then waits for a completion that
// never comes, checking the abort flag at every wake-up like the real guest.
const sumThatWaits = `(func (export "sum") (param i32) (result f64)
  (i32.atomic.store (i32.const 3076) (i32.const 1))
  (drop (memory.atomic.notify (i32.const 3076) (i32.const -1)))
  (loop $l
    (if (i32.atomic.load (i32.const 3072)) (then unreachable))
    (drop (memory.atomic.wait32 (i32.const 3080) (i32.const 0) (i64.const 1000000)))
    (br $l))
  f64.const 0)`

// TestThreadsWorkerTrap: a worker traps in the middle of a kernel call. The
// call returns ErrAborted (and ErrTrap, with the worker's trap) within a
// bounded time instead of hanging; later calls get ErrAborted; Close
// leaves no goroutine behind.
func TestThreadsWorkerTrap(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine()
	defer e.Close()
	src := threadedWAT(map[string]string{"sum": sumThatWaits}, trapOnGo, "")
	in, err := e.Load("worker-trap", compileWAT(t, src), host.WithThreads(3))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = in.Sum([]float64{1, 2, 3})
	took := time.Since(start)
	if !errors.Is(err, host.ErrAborted) || !errors.Is(err, host.ErrTrap) || !strings.Contains(err.Error(), "wasi_thread_start") {
		t.Fatalf("Sum with a trapping worker: %v, want ErrAborted and ErrTrap from wasi_thread_start", err)
	}
	// The guest polls the abort flag every millisecond; 5 s only guards
	// against a hang on a loaded CI machine.
	if took > 5*time.Second {
		t.Errorf("the call returned after %v", took)
	}
	t.Logf("the call returned %v after the worker trapped: %v", took, err)
	if _, err := in.Sum([]float64{1}); !errors.Is(err, host.ErrAborted) {
		t.Errorf("Sum after the abort: %v, want ErrAborted", err)
	}
	if err := in.Mul(make([]float64, 1), []float64{1}, []float64{1}); !errors.Is(err, host.ErrAborted) {
		t.Errorf("Mul after the abort: %v, want ErrAborted", err)
	}
	in.Close()
}

// TestThreadsHostile: modules that misuse the threads contract fail at
// Compile or Instantiate with their own error and leave nothing running.
func TestThreadsHostile(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine()
	defer e.Close()
	idle := `(loop $w (if (i32.eqz (i32.atomic.load (i32.const 3084)))
  (then (drop (memory.atomic.wait32 (i32.const 3084) (i32.const 0) (i64.const 1000000))) (br $w))))`
	cases := []struct {
		name string
		src  string
		want error
	}{
		{"spawn bomb", threadedWAT(nil, "", "1000"), host.ErrModule},
		{"memory not shared", threadedWAT(map[string]string{
			"memory": `(import "env" "memory" (memory 1 1)) (export "memory" (memory 0))`}, "", ""), host.ErrImport},
		{"thread-spawn without shared memory", wat(map[string]string{
			"head": `(import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))`}), host.ErrImport},
		{"thread-spawn of the wrong type", threadedWAT(map[string]string{
			"head": `(import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
				(import "wasi" "thread-spawn" (func $bad (param i64) (result i32)))`}, "", ""), host.ErrImport},
		{"own shared memory", wat(map[string]string{
			"memory": `(memory (export "memory") 1 1 shared)`}), host.ErrSignature},
		{"missing wasi_thread_start", strings.Replace(threadedWAT(nil, "", ""),
			`(export "wasi_thread_start")`, "", 1), host.ErrMissingExport},
		{"abort flag past memory", strings.Replace(threadedWAT(nil, idle, ""),
			"i32.const 3072)\n(func (export \"ping", "i32.const 65536)\n(func (export \"ping", 1), host.ErrLayout},
		{"abort flag misaligned", strings.Replace(threadedWAT(nil, idle, ""),
			"i32.const 3072)\n(func (export \"ping", "i32.const 3073)\n(func (export \"ping", 1), host.ErrLayout},
		{"abort flag in a buffer", strings.Replace(threadedWAT(nil, idle, ""),
			"i32.const 3072)\n(func (export \"ping", "i32.const 8)\n(func (export \"ping", 1), host.ErrLayout},
		{"more pages than the limit", threadedWAT(map[string]string{
			"memory": `(import "env" "memory" (memory 16385 65536 shared)) (export "memory" (memory 0))`}, "", ""), host.ErrLayout},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := e.Load(c.name, compileWAT(t, c.src), host.WithThreads(2))
			if err == nil {
				in.Close()
				t.Fatalf("loaded; want %v", c.want)
			}
			var ge *host.GuestError
			if !errors.Is(err, c.want) || !errors.As(err, &ge) {
				t.Fatalf("%v; want a *GuestError wrapping %v", err, c.want)
			}
			t.Log(err)
		})
	}
	// A worker that traps at once: Instantiate succeeds (start-workers
	// returned), and the first call reports the worker's trap.
	in, err := e.Load("early trap", compileWAT(t, threadedWAT(nil, "unreachable", "")), host.WithThreads(2))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err = in.Sum([]float64{1})
		if err != nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if !errors.Is(err, host.ErrAborted) || !errors.Is(err, host.ErrTrap) {
		t.Errorf("Sum after a worker trapped at start: %v, want ErrAborted and ErrTrap", err)
	}
	in.Close()
}

// TestThreadsMemoryBomb: a kernel that grows the shared memory until
// memory.grow fails gets -1 at the host's limit (MaxSharedMemory), not an
// out-of-memory crash, and the instance stays usable.
func TestThreadsMemoryBomb(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	bomb := `(func (export "sum") (param i32) (result f64) (local $pages i32)
  (block $done (loop $l
    (br_if $done (i32.eq (memory.grow (i32.const 256)) (i32.const -1)))
    (br $l)))
  (f64.convert_i32_u (memory.size)))`
	src := threadedWAT(map[string]string{
		"memory": `(import "env" "memory" (memory 1 65536 shared)) (export "memory" (memory 0))`,
		"sum":    bomb}, "", "")
	in, err := e.Load("memory bomb", compileWAT(t, src), host.WithThreads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	pages, err := in.Sum([]float64{1})
	if err != nil {
		t.Fatal(err)
	}
	if max := float64(host.MaxSharedMemory / 65536); pages > max || math.IsNaN(pages) {
		t.Errorf("the memory grew to %v pages, past the limit of %v", pages, max)
	}
	t.Logf("memory.grow failed at %v pages", pages)
}
