//go:build amd64 || arm64

package host

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v39"
	"github.com/wasmvec/wasmvec/internal/raw"
)

// A threaded guest (the vector-threads world of wit/vector.wit) imports its
// linear memory as a shared memory, env.memory, and wasi.thread-spawn. The
// host makes the shared memory itself (wasmtime-go cannot), defines it in a
// linker with WASI and its own thread-spawn, and runs each spawned thread
// as wasi-threads specifies: a new store, the same module instantiated
// against the same shared memory (without "_initialize"), and
// wasi_thread_start(tid, start_arg) called on a goroutine of its own.

const (
	// maxThreads is the largest thread count an instance accepts
	// (WithThreads): each thread is an OS thread, a store and an instance.
	maxThreads = 64

	// maxSharedMemory is the most linear memory, in bytes, a threaded guest
	// gets: its shared memory is created with at most this maximum (1 GiB),
	// whatever the module declares, so a memory.grow loop ends in -1.
	maxSharedMemory = 1 << 30

	// maxStuckThreads bounds the worker threads of closed (or failed)
	// instances that never ended: a thread blocked in a wait without
	// timeout cannot be interrupted, and keeps its OS thread until the
	// process exits. Past this many, Instantiate refuses new threaded
	// instances with ErrLimit, so a server that keeps closing such guests
	// runs out of threaded instances, not of OS threads.
	maxStuckThreads = 256

	pageSize = 1 << 16
)

// closeWait bounds how long Close waits for worker threads to end (a
// variable for the tests).
var closeWait = 10 * time.Second

// stuckThreads counts the threads of abandoned instances still running.
var stuckThreads atomic.Int64

// The exports of the vector-threads world beyond those of vector.
const (
	expStartWorkers = "start-workers"
	expPingWorkers  = "ping-workers"
	expStopWorkers  = "stop-workers"
	expAbortOffset  = "get-abort-offset"
	expThreadStart  = "wasi_thread_start"
	expInitialize   = "_initialize"
	threadSpawn     = "thread-spawn"
	threadModule    = "wasi"
	sharedModule    = "env"
	sharedName      = "memory"
)

var threadExports = []struct {
	name string
	sig  signature
}{
	{expStartWorkers, signature{[]valType{tI32}, []valType{tI32}}},
	{expPingWorkers, signature{}},
	{expStopWorkers, signature{}},
	{expAbortOffset, signature{nil, []valType{tI32}}},
	{expThreadStart, signature{[]valType{tI32, tI32}, nil}},
}

// threads is the state of a threaded instance: its shared memory, the
// linker every thread instantiates through, the runner that runs its
// calling thread (runner.go), and the worker threads.
type threads struct {
	name     string
	host     *Engine // held open (mu) while a thread's store is made
	mod      *Module // held (acquire) until free: threads instantiate it
	engine   *wasmtime.Engine
	module   *wasmtime.Module
	linker   *wasmtime.Linker
	shared   *raw.Shared
	store    *wasmtime.Store // the calling thread's, closed by free
	c        *raw.Block      // the instance's C block: its interrupt flag stops the workers
	want     int32           // worker threads the instance asked for (threads - 1)
	memLimit int64           // WithMemoryLimit, for every thread's store
	out      *output         // the guest's stdout and stderr, all threads'

	spawned atomic.Int32 // threads spawned so far, at most want; ids are 1..want
	r       runner       // runs the calling thread's guest code (runner.go)

	abort   *uint32        // the guest's abort flag, in shared memory
	bufs    []Buffer       // the declared buffers, which wake-ups skip
	waking  sync.WaitGroup // fail's wake-up goroutine
	failed  atomic.Bool    // a thread failed or close began: no more spawns
	closing atomic.Bool    // close has begun: no more wake-ups, no more jobs
	// lmu guards linker against free: a thread instantiates through it
	// holding lmu for reading; free releases it holding lmu.
	lmu sync.RWMutex

	stop *wasmtime.Func // stop-workers

	mu  sync.Mutex
	err error // the first failure of any thread; the instance is done
	// alive counts the worker threads running, busy is set while the
	// runner runs a job: the guest code of the instance that runs. quiet,
	// when not nil, is closed once neither does (wait). abandoned is set
	// when they outlived every attempt to end them; stuckThreads then
	// counts the workers still alive, and the runner (runnerStuck) if busy.
	alive       int
	busy        bool
	quiet       chan struct{}
	abandoned   bool
	runnerStuck bool
	phase       string // the export the runner runs at load, for errors
}

// failure reports the first failure of any thread, or nil.
func (t *threads) failure() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// fail records the first failure of any thread and ends the computation:
// it refuses further spawns, raises the guest's abort flag (a thread that
// looks at it after a wait traps within about a millisecond), interrupts
// every thread's store (on an engine made WithDeadlines: they trap at the
// next epoch check), wakes those blocked in a wait without timeout
// (wake.go) until they have all ended, and tells the goroutine waiting for
// the calling thread (runner.go), which returns the failure at once.
func (t *threads) fail(err error) {
	t.mu.Lock()
	first := t.err == nil
	if first {
		t.err = err
	}
	t.mu.Unlock()
	t.failed.Store(true)
	if t.abort != nil {
		atomic.StoreUint32(t.abort, 1)
	}
	if !first {
		return
	}
	if t.host.deadlines {
		t.interrupt()
	}
	t.r.poke()
	if t.abort != nil && !t.closing.Load() {
		t.waking.Add(1)
		go func() {
			defer t.waking.Done()
			t.wakeFor(closeWait, wakePeriod)
		}()
	}
}

// interrupt makes every thread's store trap at its next epoch check (the
// ticker runs from now on). Only on an engine made WithDeadlines.
func (t *threads) interrupt() {
	t.host.startTicker()
	t.c.SetInterrupt(true)
}

// wakePeriod is how often wakeFor sweeps while threads remain.
const wakePeriod = 50 * time.Millisecond

// spawn implements wasi.thread-spawn(start_arg) -> tid. It refuses (returns
// -1, as wasi-threads specifies for a failure) every spawn beyond the
// thread count the instance was made with: a guest cannot spawn more.
//
// The count never passes want: a refused spawn changes no state, so a guest
// that calls thread-spawn in a loop forever is refused forever (a counter
// that kept counting refusals would wrap after 2^31 calls).
//
// A spawn once a thread failed, or once close has begun (a worker that
// outlived its instance), is refused the same way.
func (t *threads) spawn(arg int32) int32 {
	for {
		if t.failed.Load() {
			return -1
		}
		n := t.spawned.Load()
		if n >= t.want {
			return -1
		}
		if t.spawned.CompareAndSwap(n, n+1) {
			t.mu.Lock()
			t.alive++
			t.mu.Unlock()
			go t.run(n+1, arg)
			return n + 1 // in [1, maxThreads) ⊂ [1, 2^29)
		}
	}
}

// run is one guest thread: a store of its own, the module instantiated
// against the shared memory, and wasi_thread_start(tid, arg). A trap, or
// any other failure, ends the whole computation.
func (t *threads) run(tid, arg int32) {
	defer func() {
		t.mu.Lock()
		t.alive--
		if t.abandoned {
			stuckThreads.Add(-1)
		}
		t.settle()
		t.mu.Unlock()
	}()
	// The engine must stay open while the store is made; a Close waiting
	// for it (TryRLock fails then) ends this thread instead.
	open := t.host.mu.TryRLock()
	if open && t.host.closed.Load() {
		t.host.mu.RUnlock()
		open = false
	}
	if !open {
		t.fail(&GuestError{Guest: t.name, Export: expThreadStart, Err: fmt.Errorf("%w: %w: the engine is closing", ErrAborted, ErrClosed)})
		return
	}
	store := wasmtime.NewStore(t.engine)
	t.host.mu.RUnlock()
	defer store.Close()
	limit(store, t.memLimit)
	t.c.Watch(store, true)
	store.SetWasi(wasmtime.NewWasiConfig())
	err := func() error {
		t.lmu.RLock()
		if t.linker == nil { // spawned as the instance was freed
			t.lmu.RUnlock()
			return fmt.Errorf("%w: the instance is closing", ErrClosed)
		}
		wi, err := t.linker.Instantiate(store, t.module)
		t.lmu.RUnlock()
		if err != nil {
			return err
		}
		start := wi.GetFunc(store, expThreadStart)
		if start == nil {
			return errors.New("no wasi_thread_start export")
		}
		_, err = start.Call(store, tid, arg)
		return err
	}()
	if err != nil {
		// The sentinel of the same fault on the calling thread.
		var cause, detail error = ErrTrap, err
		switch {
		case errors.Is(err, ErrClosed):
			cause = ErrClosed
		case overLimit(err):
			cause = ErrLimit
		case t.c.Interrupting():
			cause = ErrDeadline // interrupted: a deadline, a cancel, or Close
			detail = trapOf(err)
		default:
			detail = t.out.withStderr(trapOf(err))
		}
		t.fail(&GuestError{Guest: t.name, Export: expThreadStart,
			Err: fmt.Errorf("%w: %w: thread %d: %w", ErrAborted, cause, tid, detail)})
	}
}

// settle closes quiet once no guest code of the instance runs. The caller
// holds t.mu.
func (t *threads) settle() {
	if t.alive == 0 && !t.busy && t.quiet != nil {
		close(t.quiet)
		t.quiet = nil
	}
}

// wait waits at most d for every thread (the workers and the runner's job)
// to end; it reports whether they did. It starts no goroutine.
func (t *threads) wait(d time.Duration) bool {
	t.mu.Lock()
	if t.alive == 0 && !t.busy {
		t.mu.Unlock()
		return true
	}
	if t.quiet == nil {
		t.quiet = make(chan struct{})
	}
	q := t.quiet
	t.mu.Unlock()
	if d <= 0 {
		return false
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-q:
		return true
	case <-tm.C:
		return false
	}
}

// data returns the shared memory's base and its size in bytes now. The base
// never moves: Wasmtime reserves a shared memory at its maximum.
func (t *threads) data() (raw.Addr, int) { return t.shared.Data() }

// memory is the shared memory's bytes now, for fd_write.
func (t *threads) memory(*wasmtime.Caller) []byte {
	a, n := t.data()
	return raw.Slice[byte](a, n)
}

// newThreads makes the shared memory a threaded module imports and a linker
// that offers it, WASI and thread-spawn, and starts the runner (runner.go),
// which owns store from then on: free closes it. It holds mod (acquired by
// the caller) until free.
func newThreads(mod *Module, store *wasmtime.Store, c *raw.Block, workers int, memLimit int64, out *output) (*threads, error) {
	name, host, ty := mod.name, mod.engine, mod.shared
	lo := ty.Minimum()
	hasMax, hi := ty.Maximum()
	pages := uint64(min(int64(maxSharedMemory), memLimit)) / pageSize
	if !hasMax || hi > pages {
		hi = pages
	}
	if lo > hi {
		return nil, guestErr(name, "", ErrLimit, "shared memory of %d pages exceeds the limit of %d pages", lo, hi)
	}
	e := host.e
	t := &threads{name: name, host: host, mod: mod, engine: e, module: mod.m, c: c, want: int32(workers), memLimit: memLimit, out: out}
	shared, err := raw.NewShared(e, lo, hi)
	if err != nil {
		return nil, guestErr(name, "", ErrModule, "creating a shared memory of %d..%d pages: %v", lo, hi, err)
	}
	t.shared = shared
	mod.retain()
	t.linker = wasmtime.NewLinker(e)
	ok := false
	defer func() {
		if !ok {
			t.free()
		}
	}()
	if err := defineWASI(t.linker, out, t.memory); err != nil {
		return nil, &GuestError{Guest: name, Err: fmt.Errorf("%w: %w", ErrModule, err)}
	}
	if err := t.shared.Define(t.linker, store, sharedModule, sharedName); err != nil {
		return nil, guestErr(name, "", ErrModule, "defining env.memory: %v", err)
	}
	if err := t.linker.FuncWrap(threadModule, threadSpawn, t.spawn); err != nil {
		return nil, &GuestError{Guest: name, Err: fmt.Errorf("%w: %w", ErrModule, err)}
	}
	ok = true
	t.store = store
	t.startRunner()
	return t, nil
}

// close ends the instance's threads for good: no more jobs, spawns or
// wake-ups. The runner frees everything (free) once its job, if one runs,
// has ended; close waits for that unless the job is one given up on
// (stuck, or ending later). Call it once, after fail or stop-workers and
// join.
func (t *threads) close() {
	t.closing.Store(true)
	t.failed.Store(true)
	t.mu.Lock()
	busy := t.busy
	t.mu.Unlock()
	close(t.r.jobs)
	if !busy {
		<-t.r.exited
	}
}

// free releases the calling thread's store, the linker, the host's handle
// on the shared memory (the workers' instances keep their own references)
// and the module, once fail's wake-up goroutine, which uses them, has
// stopped. The runner calls it as it ends, so nothing it frees is in use.
func (t *threads) free() {
	t.closing.Store(true)
	t.waking.Wait()
	if t.r.timer != nil {
		t.r.timer.Stop()
	}
	t.lmu.Lock()
	defer t.lmu.Unlock()
	if t.store != nil {
		t.store.Close()
		t.store = nil
	}
	if t.linker != nil {
		t.linker.Close()
		t.linker = nil
	}
	if t.shared != nil {
		t.shared.Delete()
		t.shared = nil
	}
	if t.mod != nil {
		t.mod.release()
		t.mod = nil
	}
}

// startThreads reads and validates the guest's abort flag, then starts its
// workers: threads-1 of them, or an error.
func (in *Instance) startThreads(wi *wasmtime.Instance, threads int) error {
	t := in.th
	v, err := wi.GetFunc(in.store, expAbortOffset).Call(in.store)
	if err != nil {
		return &GuestError{Guest: in.name, Export: expAbortOffset, Err: fmt.Errorf("%w: %w", ErrTrap, trapOf(err))}
	}
	off := uint64(uint32(v.(int32)))
	if off%4 != 0 || off+4 > uint64(in.memorySize()) {
		return guestErr(in.name, expAbortOffset, ErrLayout, "abort flag at %d is not a 4-byte-aligned u32 inside linear memory of %d bytes", off, in.memorySize())
	}
	for _, b := range in.bufs {
		if off < uint64(b.Offset)+b.bytes() && uint64(b.Offset) < off+4 {
			return guestErr(in.name, expAbortOffset, ErrLayout, "abort flag at %d lies in buffer %q at %d", off, b.Name, b.Offset)
		}
	}
	base, _ := t.data()
	t.bufs = in.bufs
	t.abort = raw.At[uint32](base, int(off))
	if ping := wi.GetFunc(in.store, expPingWorkers); ping != nil {
		in.c.SetFunc(int(in.pingSlot()), ping)
	}
	t.stop = wi.GetFunc(in.store, expStopWorkers)
	r, err := wi.GetFunc(in.store, expStartWorkers).Call(in.store, int32(threads))
	if err != nil {
		return &GuestError{Guest: in.name, Export: expStartWorkers, Err: fmt.Errorf("%w: %w", ErrTrap, trapOf(err))}
	}
	if got := r.(int32); got != int32(threads-1) {
		return guestErr(in.name, expStartWorkers, ErrModule, "started %d of %d workers", got, threads-1)
	}
	return nil
}

// closeThreads ends the instance's threads, through the one shutdown
// sequence every path uses (shutdown): stop-workers when all is well (run
// on the runner, bounded by closeWait), else the failure. The caller holds
// the instance's lock.
func (in *Instance) closeThreads() {
	t := in.th
	if t.failure() == nil && t.stop != nil {
		if in.engine.deadlines {
			in.engine.startTicker()
			in.c.Arm(closeWait)
		}
		stop := func() error {
			if _, err := t.stop.Call(t.store); err != nil {
				return &GuestError{Guest: in.name, Export: expStopWorkers, Err: fmt.Errorf("%w: %w", ErrTrap, trapOf(err))}
			}
			return nil
		}
		late := func() error {
			return guestErr(in.name, expStopWorkers, ErrDeadline, "stop-workers did not return within %v", closeWait)
		}
		if err, _ := t.runFunc(stop, time.Now().Add(closeWait), late); err != nil {
			t.fail(err)
		}
	}
	t.shutdown(in, in.engine, &GuestError{Guest: in.name, Err: ErrClosed}, min(time.Second, closeWait), closeWait)
}

// shutdown ends the threads after cause (Close, a failed instantiation):
// it records cause unless a failure came first (fail: the abort flag, the
// interrupt, the wake-ups), waits at most total for every thread, the
// runner's job included (join: first for them to leave on their own
// unless a failure was recorded), accounts those left as stuck (abandon,
// keeping owner reachable for them), and frees the instance (close).
func (t *threads) shutdown(owner any, e *Engine, cause error, first, total time.Duration) {
	if t.failure() != nil {
		first = 0 // the abort flag is up: no thread will leave on its own now
	}
	if first == 0 || !t.wait(first) {
		t.fail(cause)
		if !t.join(e, total) {
			t.abandon(owner)
		}
	}
	t.close()
}

// join waits at most total for every thread to end, interrupting each
// thread's store at the next tick (on an engine made WithDeadlines) and
// waking the threads blocked in a wait without timeout (wake.go) until
// they have ended. It reports whether they all ended.
func (t *threads) join(e *Engine, total time.Duration) bool {
	if e.deadlines {
		t.interrupt()
	}
	return t.wakeFor(total, wakePeriod)
}

// abandon gives up on threads that would not end (blocked in a wait
// without timeout): owner (the Instance, or for a failed instantiation its
// C block) is kept reachable for them, since their stores use the C block,
// and they count against maxStuckThreads until they end: the workers still
// alive, and the runner if its job has not returned.
func (t *threads) abandon(owner any) {
	t.mu.Lock()
	t.abandoned = true
	n := t.alive
	if t.busy {
		t.runnerStuck = true
		n++
	}
	t.mu.Unlock()
	stuckThreads.Add(int64(n))
	leaked.Lock()
	leaked.owners = append(leaked.owners, owner)
	leaked.Unlock()
}

// leaked keeps what abandoned threads use reachable, so their C block is
// never freed.
var leaked struct {
	sync.Mutex
	owners []any
}

// threadCount is the number of threads a kernel call runs on: 1 for a guest
// that is not threaded, else the count given to WithThreads.
func (in *Instance) threadCount() int {
	if in.th == nil {
		return 1
	}
	return int(in.th.want) + 1
}

// ping wakes the workers for an empty job and waits for them: the dispatch
// round trip of one kernel call (one typed call to "ping-workers").
func (in *Instance) ping() error {
	if err := in.lock(expPingWorkers); err != nil {
		return err
	}
	defer in.unlock()
	if in.closed {
		return &GuestError{Guest: in.name, Err: ErrClosed}
	}
	if in.th == nil {
		return nil
	}
	if !in.c.HasFunc(int(in.pingSlot())) {
		return guestErr(in.name, expPingWorkers, ErrMissingExport, "the guest has no ping-workers")
	}
	return in.fastCall(in.pingSlot(), 0)
}
