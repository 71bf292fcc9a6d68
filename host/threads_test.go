package host_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"go.uber.org/goleak"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
)

// TestBitExact and TestEmptyInputs run the threaded guest at 1 to 4 threads
// (see testGuests). The tests here cover what only threaded guests have.

// TestThreadsBatchAndBlocks: batches (split by vector) and block partials
// (split by block) give the canonical bits at every thread count.
func TestThreadsBatchAndBlocks(t *testing.T) {
	x, y, _ := vectors.Make("random", 250000)
	for threads := 1; threads <= 4; threads++ {
		in := loadThreads(t, threadsGuest, threads)
		if in.ThreadsForTest() != threads {
			t.Errorf("Threads() = %d, want %d", in.ThreadsForTest(), threads)
		}
		for _, width := range []int{1, 7, 4096, 5000} {
			count := len(x) / width
			got, want := make([]float64, count), make([]float64, count)
			for j := range want {
				want[j] = kernels.Sum(x[j*width : (j+1)*width])
			}
			if err := vk(in).SumBatch(in, got, x[:count*width], width); err != nil {
				t.Fatal(err)
			}
			if i := vectors.FirstDiff(got, want); i >= 0 {
				t.Errorf("threads=%d width=%d: SumBatch[%d] = %v, want %v", threads, width, i, got[i], want[i])
			}
			for j := range want {
				want[j], _ = kernels.Dot(x[j*width:(j+1)*width], y[j*width:(j+1)*width])
			}
			if err := vk(in).DotBatch(in, got, x[:count*width], y[:count*width], width); err != nil {
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
	if capacity(in) != 1<<24 {
		t.Fatalf("capacity %d, want 2^24", capacity(in))
	}
	x, y, _ := vectors.Make("random", 1<<20)
	want, _ := kernels.Dot(x, y)
	err := in.InPlace(func(b host.Buffers) error {
		copy(viewA(in, b), x)
		copy(viewB(in, b), y)
		got, err := vks(in).DotInPlace(b, len(x))
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
	m := compiled(t, threadsGuest)
	for _, n := range []int{0, -1, host.MaxThreads + 1} {
		if _, err := m.Instantiate(host.WithThreads(n)); !errors.Is(err, host.ErrOption) {
			t.Errorf("WithThreads(%d): %v, want ErrOption", n, err)
		}
	}
	rust := compiled(t, rustGuest)
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
	m := compiled(t, threadsGuest)
	for _, threads := range []int{1, 2, 4} {
		in, err := m.Instantiate(host.WithThreads(threads))
		if err != nil {
			t.Fatal(err)
		}
		x, _, _ := vectors.Make("random", 100000)
		if got, err := vks(in).Sum(in, x); err != nil || !vectors.Same(got, kernels.Sum(x)) {
			t.Errorf("threads=%d: SumSIMD = %v, %v", threads, got, err)
		}
		in.Close()
		if _, err := vks(in).Sum(in, x); !errors.Is(err, host.ErrClosed) {
			t.Errorf("threads=%d: SumSIMD after Close: %v, want ErrClosed", threads, err)
		}
	}
}

// threadedWAT is a threaded guest in the text format: the wat() template
// with a shared memory imported as env.memory, wasi.thread-spawn, and the
// threads protocol's exports. Its abort flag is at 3072; start-workers(n) calls
// thread-spawn spawns times (n-1 when spawns is "") and returns how many
// succeeded, or returns spawns' count when given (a lie), once the word at
// 72 counts as many workers as it spawned (blockForever counts itself
// there before it blocks, so the lie is told when every worker is blocked).
func threadedWAT(replace map[string]string, worker string, spawns string) string {
	start := `(local.get 0) (i32.const 1) (i32.sub)`
	ret := `(local.get $ok)`
	if spawns != "" {
		start = `(i32.const ` + spawns + `)`
		ret = `(block $up (loop $wait
    (br_if $up (i32.ge_s (i32.atomic.load (i32.const 72)) (local.get $ok))) (br $wait)))
  (i32.const ` + spawns + `)`
	}
	parts := map[string]string{
		"head": `(import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))`,
		"memory": `(import "env" "memory" (memory 1 1 shared)) (export "memory" (memory 0))
(func (export "_initialize"))`,
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
// call returns ErrClosed (and ErrTrap, with the worker's trap) within a
// bounded time instead of hanging; later calls get ErrClosed; Close
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
	_, err = vk(in).Sum(in, []float64{1, 2, 3})
	took := time.Since(start)
	if !errors.Is(err, host.ErrClosed) || !errors.Is(err, host.ErrTrap) || !strings.Contains(err.Error(), "wasi_thread_start") {
		t.Fatalf("Sum with a trapping worker: %v, want ErrClosed and ErrTrap from wasi_thread_start", err)
	}
	// The guest polls the abort flag every millisecond; 5 s only guards
	// against a hang on a loaded CI machine.
	if took > 5*time.Second {
		t.Errorf("the call returned after %v", took)
	}
	t.Logf("the call returned %v after the worker trapped: %v", took, err)
	if _, err := vk(in).Sum(in, []float64{1}); !errors.Is(err, host.ErrClosed) {
		t.Errorf("Sum after the abort: %v, want ErrClosed", err)
	}
	if err := vk(in).Mul(in, make([]float64, 1), []float64{1}, []float64{1}); !errors.Is(err, host.ErrClosed) {
		t.Errorf("Mul after the abort: %v, want ErrClosed", err)
	}
	in.Close()
}

// TestThreadsPool: a pool of threaded instances (one thread each, as its doc
// advises on few cores) splits a long sum over instances, bit-exact.
func TestThreadsPool(t *testing.T) {
	m := compiled(t, threadsGuest)
	p, err := modPool(m, 2, host.WithThreads(1))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	x, y, _ := vectors.Make("random", 1_000_003)
	if got, err := vkPool(p).SumParallel(context.Background(), p, x); err != nil || !vectors.Same(got, kernels.Sum(x)) {
		t.Errorf("SumParallel = %v, %v; want %v", got, err, kernels.Sum(x))
	}
	want, _ := kernels.Dot(x, y)
	if got, err := vkPool(p).DotParallel(context.Background(), p, x, y); err != nil || !vectors.Same(got, want) {
		t.Errorf("DotParallel = %v, %v; want %v", got, err, want)
	}
}

// blockForever is a worker that waits on a word nobody changes, with no
// timeout: no epoch interrupt, abort flag or stop-workers ends it, nor the
// host's wake-up sweep, which skips the declared buffers (the word is in
// buffer A).
// It first counts itself in the word at 72 (see threadedWAT's spawns).
const blockForever = `(drop (i32.atomic.rmw.add (i32.const 72) (i32.const 1)))
  (drop (memory.atomic.wait32 (i32.const 64) (i32.const 0) (i64.const -1)))`

// blockOutside waits the same way on a word outside the buffers, as
// Rayon's sleeping workers do on their locks: the host's wake-up sweep
// wakes it, and it returns.
const blockOutside = `(loop $w (drop (memory.atomic.wait32 (i32.const 4000) (i32.const 0) (i64.const -1))) (br $w))`

// TestWakeRanges: a sweep covers the memory outside the buffers, in
// 4-byte words, highest addresses first, at most MaxWakeBytes.
func TestWakeRanges(t *testing.T) {
	b := func(off, capacity int) host.BufferInfo {
		return host.BufferInfo{Name: "x", Type: "f64", Offset: off, Capacity: capacity}
	}
	for _, c := range []struct {
		name string
		size uint64
		bufs []host.BufferInfo
		want [][2]uint64
	}{
		{"no buffers", 1 << 16, nil, [][2]uint64{{0, 1 << 16}}},
		{"around two", 4096, []host.BufferInfo{b(1024, 16), b(2048, 8)}, [][2]uint64{{2112, 4096}, {1152, 2048}, {0, 1024}}},
		{"buffers in any order, touching", 4096, []host.BufferInfo{b(128, 16), b(0, 16)}, [][2]uint64{{256, 4096}}},
		{"an unaligned end", 1003, []host.BufferInfo{b(0, 1)}, [][2]uint64{{8, 1000}}},
		{"all buffers", 256, []host.BufferInfo{b(0, 32)}, nil},
		{"past the budget", 3 * host.MaxWakeBytes, []host.BufferInfo{b(host.MaxWakeBytes, host.MaxWakeBytes/8)},
			[][2]uint64{{2 * host.MaxWakeBytes, 3 * host.MaxWakeBytes}}},
		{"the budget split", 2*host.MaxWakeBytes + 4096, []host.BufferInfo{b(host.MaxWakeBytes, host.MaxWakeBytes/8)},
			[][2]uint64{{2 * host.MaxWakeBytes, 2*host.MaxWakeBytes + 4096}, {4096, host.MaxWakeBytes}}},
	} {
		got := host.WakeRangesForTest(c.size, c.bufs)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestWakeBlockedWorkers: workers blocked in a wait without timeout on a
// word outside the buffers (as Rayon's idle workers are) ignore
// stop-workers; Close then interrupts them and wakes them (wake.go), and
// on an engine made WithDeadlines they trap at their next epoch check:
// Close returns after its first second of waiting plus the sweeps, not
// closeWait (10 s), and no thread is left stuck.
func TestWakeBlockedWorkers(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	m, err := e.Compile("sleeper", compileWAT(t, threadedWAT(nil, blockOutside, "")))
	if err != nil {
		t.Fatal(err)
	}
	in, err := m.Instantiate(host.WithThreads(3))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	in.Close()
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Close took %v", took)
	} else {
		t.Logf("Close took %v", took)
	}
	if n := host.StuckThreadsForTest(); n != 0 {
		t.Errorf("%d stuck threads", n)
	}
}

// inChild reports whether this test binary is the child process of test
// name (env is set), and otherwise runs that child and returns its
// combined output and exit error: for tests whose failure could kill or
// hang the test binary.
func inChild(t *testing.T, name, env string) (child bool, out []byte, err error) {
	t.Helper()
	if os.Getenv(env) == "1" {
		return true, nil, nil
	}
	// A child that hangs is killed: its hang is the failure.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+name+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"=1")
	out, err = cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("the child process hung (killed after 3 min): %w", err)
	}
	return false, out, err
}

// TestStuckWorkersBounded runs in a child process (its threads never end):
// a server that keeps making and closing threaded instances whose workers
// block forever is refused new threaded instances (ErrLimit) once
// MaxStuckThreads threads are stuck, instead of running out of OS threads,
// and still serves everything else.
func TestStuckWorkersBounded(t *testing.T) {
	child, out, err := inChild(t, "TestStuckWorkersBounded", "WASMVEC_STUCK_CHILD")
	if child {
		stuckWorkersChild(t)
		return
	}
	if err != nil || !strings.Contains(string(out), "refused after") {
		t.Fatalf("child process: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "refused after") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

func stuckWorkersChild(t *testing.T) {
	defer host.SetCloseWaitForTest(20 * time.Millisecond)()
	e := host.NewEngine(host.WithDeadlines())
	m, err := e.Compile("stuck", compileWAT(t, threadedWAT(nil, blockForever, "")))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		in, err := m.Instantiate(host.WithThreads(3)) // 2 workers each
		if errors.Is(err, host.ErrLimit) {
			stuck := host.StuckThreadsForTest()
			t.Logf("refused after %d instances: %d stuck threads (MaxStuckThreads %d): %v", i, stuck, host.MaxStuckThreads, err)
			if stuck+2 <= host.MaxStuckThreads || stuck > host.MaxStuckThreads {
				t.Fatalf("refused at %d stuck threads", stuck)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := vk(in).Sum(in, []float64{1}); err != nil {
			t.Fatal(err)
		}
		in.Close()
		if i > 2*host.MaxStuckThreads {
			t.Fatal("never refused")
		}
	}
	// Everything else still works.
	plain, err := e.Load("rust", mustRead(t, rustGuest))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := vk(plain).Sum(plain, []float64{1, 2}); err != nil || v != 3 {
		t.Fatalf("a plain guest after: %v, %v", v, err)
	}
}

// TestStuckLiveInstancesBounded runs in a child process (its threads never
// end): instances whose calls passed their bound context, leaving every
// thread blocked for good, and that are kept open (not closed), count
// against MaxStuckThreads as closed ones do: past it Instantiate of a
// threaded guest returns ErrLimit. Before, only abandoned threads counted,
// and live failed instances could pin any number of OS threads.
func TestStuckLiveInstancesBounded(t *testing.T) {
	child, out, err := inChild(t, "TestStuckLiveInstancesBounded", "WASMVEC_STUCK_LIVE_CHILD")
	if !child {
		if err != nil || !strings.Contains(string(out), "refused after") {
			t.Fatalf("child process: %v\n%s", err, out)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, "refused after") {
				t.Log(strings.TrimSpace(line))
			}
		}
		return
	}
	e := host.NewEngine()
	// The calling thread waits inside buffer a (64), where no wake-up
	// reaches; the workers block for good.
	m, err := e.Compile("stuck-live", compileWAT(t, threadedWAT(map[string]string{"sum": sumSleeps("64")}, blockForever, "")))
	if err != nil {
		t.Fatal(err)
	}
	var live []*host.Instance // kept open
	for i := 0; ; i++ {
		in, err := m.Instantiate(host.WithThreads(3))
		if errors.Is(err, host.ErrLimit) {
			stuck := host.StuckThreadsForTest()
			t.Logf("refused after %d live instances: %d stuck threads (MaxStuckThreads %d): %v", i, stuck, host.MaxStuckThreads, err)
			if stuck+3 <= host.MaxStuckThreads || stuck > host.MaxStuckThreads+3 {
				t.Fatalf("refused at %d stuck threads", stuck)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		live = append(live, in)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		unbind := in.Bind(ctx)
		if _, err := vk(in).Sum(in, []float64{1}); !errors.Is(err, host.ErrDeadline) {
			t.Fatalf("instance %d: %v, want ErrDeadline", i, err)
		}
		unbind()
		cancel()
		if i > 2*host.MaxStuckThreads {
			t.Fatal("never refused")
		}
	}
	t.Logf("%d instances open", len(live))
}

// TestFailedThreadedInstantiate: a threaded instantiation that fails after
// its workers started (start-workers reports fewer than it spawned) while
// the workers block forever returns within its timeout, not closeWait
// (10 s), and keeps the C block their stores use (abandoned, counted), so
// nothing is used after it is freed. Run in a child process: the threads
// never end.
func TestFailedThreadedInstantiate(t *testing.T) {
	if os.Getenv("WASMVEC_FAILED_CHILD") == "1" {
		e := host.NewEngine(host.WithDeadlines())
		defer e.Close()
		m, err := e.Compile("liar", compileWAT(t, threadedWAT(nil, blockForever, "1")))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err = m.Instantiate(host.WithThreads(4), host.WithTimeout(300*time.Millisecond))
		took := time.Since(start)
		t.Logf("failed after %v: %v; %d stuck threads", took, err, host.StuckThreadsForTest())
		if !errors.Is(err, host.ErrModule) || took > 3*time.Second {
			t.Fatalf("Instantiate: %v after %v, want ErrModule within about the 300 ms timeout", err, took)
		}
		if host.StuckThreadsForTest() != 1 {
			t.Fatalf("%d stuck threads, want the 1 worker spawned", host.StuckThreadsForTest())
		}
		runtime.GC() // a freed block would be reused here; the worker's epoch callback reads it
		time.Sleep(50 * time.Millisecond)
		return
	}
	_, out, err := inChild(t, "TestFailedThreadedInstantiate", "WASMVEC_FAILED_CHILD")
	if err != nil {
		t.Fatalf("child process: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "failed after") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

// TestSpawnAfterClose runs in a child process (a failure kills it): a
// worker that outlives its instance (abandoned by Close) and then calls
// thread-spawn, within the budget the guest lied about, is refused like a
// spawn past the budget, instead of the host using freed state.
func TestSpawnAfterClose(t *testing.T) {
	child, out, err := inChild(t, "TestSpawnAfterClose", "WASMVEC_SPAWN_AFTER_CLOSE_CHILD")
	if child {
		spawnAfterCloseChild(t)
		return
	}
	if err != nil || !strings.Contains(string(out), "spawn after close: -1") {
		t.Fatalf("child process: %v\n%s", err, out)
	}
}

func spawnAfterCloseChild(t *testing.T) {
	defer host.SetCloseWaitForTest(100 * time.Millisecond)()
	// start-workers spawns one worker but claims threads-1 (2): one spawn
	// of the budget is left. The worker waits for stop-workers, then spins
	// for about a second (past Close, which abandons it after 100 ms),
	// then spawns, stores what thread-spawn returned at 88, and waits (30 s)
	// so that the memory the test reads stays the instance's: once its
	// last thread ends, the memory goes to the quarantine, where reading it
	// would fault (TestKeptViewCannotReachAnotherInstance).
	tail := `
(func (export "get-abort-offset") (result i32) i32.const 3072)
(func (export "stop-workers") (i32.atomic.store (i32.const 80) (i32.const 1)))
(func (export "start-workers") (param i32) (result i32)
  (drop (call $spawn (i32.const 0)))
  (block $up (loop $wait (br_if $up (i32.ge_s (i32.atomic.load (i32.const 72)) (i32.const 1))) (br $wait)))
  (i32.sub (local.get 0) (i32.const 1)))
(func (export "wasi_thread_start") (param i32 i32) (local $i i32)
  (drop (i32.atomic.rmw.add (i32.const 72) (i32.const 1)))
  (loop $w (if (i32.eqz (i32.atomic.load (i32.const 80)))
    (then (drop (memory.atomic.wait32 (i32.const 80) (i32.const 0) (i64.const 1000000))) (br $w))))
  (loop $spin (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $spin (i32.lt_u (local.get $i) (i32.const 2000000000))))
  (i32.atomic.store (i32.const 88) (call $spawn (i32.const 0)))
  (i32.atomic.store (i32.const 92) (i32.const 1))
  (drop (memory.atomic.wait32 (i32.const 96) (i32.const 0) (i64.const 30000000000))))`
	e := host.NewEngine()
	m, err := e.Compile("late-spawn", compileWAT(t, threadedWAT(map[string]string{"tail": tail}, "", "")))
	if err != nil {
		t.Fatal(err)
	}
	in, err := m.Instantiate(host.WithThreads(3))
	if err != nil {
		t.Fatal(err)
	}
	mem := host.SharedMemoryForTest(in)
	in.Close()
	deadline := time.Now().Add(20 * time.Second)
	for atomic.LoadUint32((*uint32)(unsafe.Pointer(&mem[92]))) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the worker never spawned")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // a spawned thread would run now
	t.Logf("spawn after close: %d", int32(atomic.LoadUint32((*uint32)(unsafe.Pointer(&mem[88])))))
}

// TestCooperativeDeadline: on an engine without deadlines (no epoch
// checks), the timeout of a threaded guest with a stop word raises the
// word. A kernel that looks at it returns: the call is ErrDeadline (never
// a success), not ErrClosed, and the instance serves the next call. A
// kernel that does not is ended StopGrace later, as before: ErrClosed,
// its threads ended through the abort flag, which it does look at.
func TestCooperativeDeadline(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	const stopExport = `(func (export "get-stop-offset") (result i32) i32.const 3080)`
	for _, c := range []struct {
		name, sum   string
		cooperative bool
	}{
		{"looks at the stop word", `(func (export "sum") (param i32) (result f64)
  (block $s (loop $l (br_if $s (i32.atomic.load (i32.const 3080))) (br $l))) (f64.const -5))`, true},
		{"looks at the abort flag only", `(func (export "sum") (param i32) (result f64)
  (loop $l (if (i32.atomic.load (i32.const 3072)) (then unreachable)) (br $l)) (f64.const 0))`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := host.NewEngine()
			defer e.Close()
			const d = 50 * time.Millisecond
			in, err := e.Load("coop", compileWAT(t, threadedWAT(map[string]string{"sum": c.sum + stopExport}, "", "")),
				host.WithThreads(2), host.WithTimeout(d))
			if err != nil {
				t.Fatal(err)
			}
			defer in.Close()
			start := time.Now()
			_, err = sumOf(in, []float64{1})
			took := time.Since(start)
			t.Logf("returned after %v: %v", took, err)
			if !errors.Is(err, host.ErrDeadline) {
				t.Fatalf("Sum past its timeout: %v, want ErrDeadline", err)
			}
			if c.cooperative {
				within(t, took, d+time.Second)
				if errors.Is(err, host.ErrClosed) {
					t.Errorf("a guest that stopped: %v, want the instance to serve on", err)
				}
				if err := mulOf(in, make([]float64, 4), make([]float64, 4), make([]float64, 4)); err != nil {
					t.Errorf("the next call: %v", err)
				}
				return
			}
			if !errors.Is(err, host.ErrClosed) || took < d+host.StopGrace {
				t.Errorf("a guest that did not stop: %v after %v, want ErrClosed after the timeout and StopGrace (%v)", err, took, d+host.StopGrace)
			}
			within(t, took, d+host.StopGrace+time.Second)
		})
	}
}
