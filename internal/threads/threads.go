//go:build amd64 || arm64

// Package threads is the host side of wasi-threads for a threaded guest:
// the shared memory, thread-spawn, the guest threads (one store and
// instance each, on a goroutine of its own), the runner that runs the
// calling thread's guest code (runner.go), the wake-up sweep that reaches
// threads blocked in a wait (wake.go), and the one shutdown routine every
// path ends a threaded instance through (Shutdown: fail, wake, join,
// abandon, free).
//
// Package host makes a Threads per threaded instance (New) and owns the
// error values: what a failed thread ends the instance with is built by
// Config.Failed, so this package knows no sentinel of host's but the
// ErrClosed it is given.
package threads

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/wasmvec/wasmvec/internal/raw"
)

// The wasi-threads imports a threaded guest has: its linear memory as a
// shared memory, env.memory, and wasi.thread-spawn; and the export each
// spawned thread starts at.
const (
	SpawnModule  = "wasi"
	SpawnName    = "thread-spawn"
	SharedModule = "env"
	SharedName   = "memory"
	ThreadStart  = "wasi_thread_start"
)

// MaxStuck bounds the guest threads of failed instances (a thread
// trapped, a call passed its deadline or its bound context ended, or the
// instance was closed) that have not ended, whether their instance is
// still open or was closed and abandoned them: a thread blocked in a wait
// without timeout cannot be interrupted, and keeps its OS thread until the
// process exits. Past this many, package host refuses new threaded
// instances (ErrLimit), so a server that keeps ending such guests, and
// keeps them open or closes them, runs out of threaded instances, not of
// OS threads. Healthy instances' threads are not counted: WithThreads
// bounds each.
const MaxStuck = 256

// CloseWait bounds how long a shutdown waits for the threads to end (a
// variable for the tests).
var CloseWait = 10 * time.Second

// stuck counts the threads of failed instances still running (see
// MaxStuck): each failed instance counts its threads once (Fail), and each
// counts itself out as it ends.
var stuck atomic.Int64

// Stuck reports the guest threads of failed instances still running.
func Stuck() int64 { return stuck.Load() }

// Config is what a threaded instance's threads need of the host that
// makes them.
type Config struct {
	Name     string           // the guest's, for errors
	Engine   *wasmtime.Engine // with the threads proposal on
	Module   *wasmtime.Module // every thread instantiates it
	MinPages uint64           // the shared memory's size at the start, in 64 KiB pages
	MaxPages uint64           // and its maximum
	Block    *raw.Block       // the instance's C block: its interrupt flag stops every thread
	Workers  int              // thread-spawn allows this many spawns for the life of the instance
	Grace    time.Duration    // how long a call that must end waits for the runner (GiveUp)

	// Deadlines: the engine has epoch interruption, so an interrupt stops a
	// running thread at its next epoch check; StartTicker starts the epoch
	// ticker.
	Deadlines   bool
	StartTicker func()
	// Open reports whether the engine is open, and then keeps it so until
	// Done: a thread's store is made between the two.
	Open func() bool
	Done func()
	// Waker compiles the wake-up module once per engine.
	Waker *Waker
	// DefineWASI defines WASI in a thread's linker over memory.
	DefineWASI func(l *wasmtime.Linker, memory func(*wasmtime.Caller) []byte) error
	// Limit applies the instance's limits to a thread's store.
	Limit func(*wasmtime.Store)
	// Failed is the error that ends the instance when thread tid failed
	// with err: a trap, a store over its limits, or an error wrapping
	// ErrClosing.
	Failed func(tid int32, err error) error
	// Release releases the compiled module once every thread is done with
	// it (Shutdown's free).
	Release func()
	// ErrClosed is the host's sentinel for a closed instance.
	ErrClosed error
}

// ErrClosing is what a thread that starts as its instance or engine
// closes fails with (Config.Failed gets it wrapped, saying which).
var ErrClosing = errors.New("closing")

// Threads is the state of one threaded instance: its shared memory, the
// linker every thread instantiates through, the runner that runs its
// calling thread (runner.go), and the worker threads.
type Threads struct {
	cfg    Config
	linker *wasmtime.Linker
	shared *raw.Shared
	store  *wasmtime.Store // the calling thread's, closed by free
	c      *raw.Block
	want   int32 // worker threads the instance asked for

	spawned atomic.Int32 // threads spawned so far, at most want; ids are 1..want
	r       runner       // runs the calling thread's guest code (runner.go)

	abort   *uint32        // the guest's abort flag, in shared memory
	stop    *uint32        // the guest's stop word (SetStop), nil when it has none; guarded by mu once freed
	taken   [][2]uint64    // the declared buffers' byte ranges, which wake-ups skip
	waking  sync.WaitGroup // fail's wake-up goroutine
	failed  atomic.Bool    // a thread failed or close began: no more spawns
	closing atomic.Bool    // close has begun: no more wake-ups, no more jobs
	// lmu guards linker against free: a thread instantiates through it
	// holding lmu for reading; free releases it holding lmu.
	lmu sync.RWMutex

	mu  sync.Mutex
	err error // the first failure of any thread; the instance is done
	// alive counts the worker threads running, busy is set while the
	// runner runs a job: the guest code of the instance that runs. quiet,
	// when not nil, is closed once neither does (wait). counted is set
	// when the instance failed (Fail): stuck then counts the workers still
	// alive, and the runner (runnerStuck) if busy, until each ends.
	// abandoned is set when they outlived every attempt to end them.
	alive       int
	busy        bool
	quiet       chan struct{}
	counted     bool
	abandoned   bool
	runnerStuck bool
	phase       string // the export the runner runs at load, for errors
	// freed is set once free has run: the host's handle on the shared
	// memory goes to the quarantine as soon as no worker is alive
	// (lastShared).
	freed bool
}

// New makes the shared memory of cfg, and a linker that offers it, WASI
// and thread-spawn, and starts the runner (runner.go), which owns store
// (the calling thread's) from then on: free closes it. cfg.Release is
// called at free, also when New fails.
func New(cfg Config, store *wasmtime.Store) (*Threads, error) {
	t := &Threads{cfg: cfg, c: cfg.Block, want: int32(cfg.Workers)}
	shared, err := raw.NewShared(cfg.Engine, cfg.MinPages, cfg.MaxPages)
	if err != nil {
		cfg.Release()
		return nil, fmt.Errorf("creating a shared memory of %d..%d pages: %w", cfg.MinPages, cfg.MaxPages, err)
	}
	t.shared = shared
	t.linker = wasmtime.NewLinker(cfg.Engine)
	ok := false
	defer func() {
		if !ok {
			t.free()
		}
	}()
	if err := cfg.DefineWASI(t.linker, t.memory); err != nil {
		return nil, err
	}
	if err := t.shared.Define(t.linker, store, SharedModule, SharedName); err != nil {
		return nil, fmt.Errorf("defining env.memory: %w", err)
	}
	if err := t.linker.FuncWrap(SpawnModule, SpawnName, t.spawn); err != nil {
		return nil, err
	}
	ok = true
	t.store = store
	t.startRunner()
	return t, nil
}

// Linker is the linker the calling thread instantiates the module through.
func (t *Threads) Linker() *wasmtime.Linker { return t.linker }

// Shared is the shared memory.
func (t *Threads) Shared() *raw.Shared { return t.shared }

// Workers is the number of worker threads the instance was made with.
func (t *Threads) Workers() int { return int(t.want) }

// SetPhase names the export the runner runs at load, for Phase.
func (t *Threads) SetPhase(name string) {
	t.mu.Lock()
	t.phase = name
	t.mu.Unlock()
}

// Phase is the export the runner runs at load.
func (t *Threads) Phase() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.phase
}

// SetGuest records the guest's abort flag, at byte offset abort of the
// shared memory (4-byte aligned and inside it: the caller checked), and
// the byte ranges [lo, hi) of its declared buffers, which wake-ups skip.
func (t *Threads) SetGuest(abort int, taken [][2]uint64) {
	base, _ := t.Data()
	t.abort = raw.At[uint32](base, abort)
	t.taken = taken
}

// SetStop records the guest's stop word, at byte offset off of the shared
// memory (the threads protocol's optional get-stop-offset).
func (t *Threads) SetStop(off int) {
	base, _ := t.Data()
	t.stop = raw.At[uint32](base, off)
}

// HasStop reports whether the guest has a stop word.
func (t *Threads) HasStop() bool { return t.stop != nil }

// ClearStop lowers the stop word, as a call starts.
func (t *Threads) ClearStop() {
	if t.stop != nil {
		atomic.StoreUint32(t.stop, 0)
	}
}

// RequestStop raises the stop word, and reports whether it could: not
// once the instance is freed (its memory is in the quarantine then).
func (t *Threads) RequestStop() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stop == nil || t.freed {
		return false
	}
	atomic.StoreUint32(t.stop, 1)
	return true
}

// Failed reports, with one atomic load, whether a thread failed or close
// began (then Failure says why, or Shutdown's cause will).
func (t *Threads) Failed() bool { return t.failed.Load() }

// Failure reports the first failure of any thread, or nil.
func (t *Threads) Failure() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// Fail records the first failure of any thread and ends the computation:
// it refuses further spawns, raises the guest's abort flag (a thread that
// looks at it after a wait traps within about a millisecond), interrupts
// every thread's store (on an engine with deadlines: they trap at the next
// epoch check), wakes those blocked in a wait without timeout (wake.go)
// until they have all ended, and tells the goroutine waiting for the
// calling thread (runner.go), which returns the failure at once.
func (t *Threads) Fail(err error) {
	t.mu.Lock()
	first := t.err == nil
	if first {
		t.err = err
	}
	t.count()
	t.mu.Unlock()
	t.failed.Store(true)
	if t.abort != nil {
		atomic.StoreUint32(t.abort, 1)
	}
	if !first {
		return
	}
	if t.cfg.Deadlines {
		t.interrupt()
	}
	t.r.poke()
	if t.abort != nil && !t.closing.Load() {
		t.waking.Add(1)
		go func() {
			defer t.waking.Done()
			t.wakeFor(CloseWait, wakePeriod)
		}()
	}
}

// interrupt makes every thread's store trap at its next epoch check (the
// ticker runs from now on). Only on an engine with deadlines.
func (t *Threads) interrupt() {
	t.cfg.StartTicker()
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
func (t *Threads) spawn(arg int32) int32 {
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
			if t.counted { // failed since the check above: counted as it ends
				stuck.Add(1)
			}
			t.mu.Unlock()
			go t.run(n+1, arg)
			return n + 1 // in [1, 64] ⊂ [1, 2^29)
		}
	}
}

// run is one guest thread: a store of its own, the module instantiated
// against the shared memory, and wasi_thread_start(tid, arg). A trap, or
// any other failure, ends the whole computation.
func (t *Threads) run(tid, arg int32) {
	defer func() {
		t.mu.Lock()
		t.alive--
		if t.counted {
			stuck.Add(-1)
		}
		t.settle()
		s := t.lastShared()
		t.mu.Unlock()
		if s != nil { // the last worker of a freed instance
			s.Quarantine(t.cfg.Name)
		}
	}()
	// The engine must stay open while the store is made; a Close waiting
	// for it ends this thread instead.
	if !t.cfg.Open() {
		t.Fail(t.cfg.Failed(tid, fmt.Errorf("%w: the engine is closing", ErrClosing)))
		return
	}
	store := wasmtime.NewStore(t.cfg.Engine)
	t.cfg.Done()
	defer store.Close()
	t.cfg.Limit(store)
	t.c.Watch(store, true)
	store.SetWasi(wasmtime.NewWasiConfig())
	err := func() error {
		t.lmu.RLock()
		if t.linker == nil { // spawned as the instance was freed
			t.lmu.RUnlock()
			return fmt.Errorf("%w: the instance is closing", ErrClosing)
		}
		wi, err := t.linker.Instantiate(store, t.cfg.Module)
		t.lmu.RUnlock()
		if err != nil {
			return err
		}
		start := wi.GetFunc(store, ThreadStart)
		if start == nil {
			return errors.New("no wasi_thread_start export")
		}
		_, err = start.Call(store, tid, arg)
		return err
	}()
	if err != nil {
		t.Fail(t.cfg.Failed(tid, err))
	}
}

// lastShared takes the host's handle on the shared memory once free has
// run and no worker is alive: then no store uses the memory any more, and
// the handle goes to the quarantine (raw.Shared.Quarantine), which makes
// the memory inaccessible and keeps its addresses out of reuse, so that a
// view kept past the instance cannot reach another instance's memory.
// While a worker is alive (one abandoned, blocked for good) its instance
// keeps the memory mapped and accessible. The caller holds t.mu.
func (t *Threads) lastShared() *raw.Shared {
	if !t.freed || t.alive > 0 || t.shared == nil {
		return nil
	}
	s := t.shared
	t.shared = nil
	return s
}

// settle closes quiet once no guest code of the instance runs. The caller
// holds t.mu.
func (t *Threads) settle() {
	if t.alive == 0 && !t.busy && t.quiet != nil {
		close(t.quiet)
		t.quiet = nil
	}
}

// wait waits at most d for every thread (the workers and the runner's job)
// to end; it reports whether they did. It starts no goroutine.
func (t *Threads) wait(d time.Duration) bool {
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

// Data returns the shared memory's base and its size in bytes now. The
// base never moves: Wasmtime reserves a shared memory at its maximum.
func (t *Threads) Data() (raw.Addr, int) { return t.shared.Data() }

// memory is the shared memory's bytes now, for fd_write.
func (t *Threads) memory(*wasmtime.Caller) []byte {
	a, n := t.Data()
	return raw.Slice[byte](a, n)
}

// Shutdown ends the threads after cause (Close, a failed instantiation):
// it records cause unless a failure came first (Fail: the abort flag, the
// interrupt, the wake-ups), waits at most total for every thread, the
// runner's job included (join: first for them to leave on their own
// unless a failure was recorded), accounts those left as stuck (abandon,
// keeping owner reachable for them), and frees the instance (close). It
// reports whether threads were abandoned: the C block must then never be
// freed. Every path that ends a threaded instance calls it, once.
func (t *Threads) Shutdown(owner any, cause error, first, total time.Duration) (abandoned bool) {
	if t.Failure() != nil {
		first = 0 // the abort flag is up: no thread will leave on its own now
	}
	if first == 0 || !t.wait(first) {
		t.Fail(cause)
		if !t.join(total) {
			t.abandon(owner)
			abandoned = true
		}
	}
	t.close()
	return abandoned
}

// join waits at most total for every thread to end, interrupting each
// thread's store at the next tick (on an engine with deadlines) and waking
// the threads blocked in a wait without timeout (wake.go) until they have
// ended. It reports whether they all ended.
func (t *Threads) join(total time.Duration) bool {
	if t.cfg.Deadlines {
		t.interrupt()
	}
	return t.wakeFor(total, wakePeriod)
}

// count counts the instance's threads still running as stuck, once: the
// workers alive and the runner if it runs a job. The caller holds t.mu.
func (t *Threads) count() {
	if t.counted {
		return
	}
	t.counted = true
	n := t.alive
	if t.busy {
		t.runnerStuck = true
		n++
	}
	stuck.Add(int64(n))
}

// abandon gives up on threads that would not end (blocked in a wait
// without timeout): owner (the instance, or for a failed instantiation its
// C block) is kept reachable for them, since their stores use the C block,
// and they count against MaxStuck until they end: the workers still alive,
// and the runner if its job has not returned.
func (t *Threads) abandon(owner any) {
	t.mu.Lock()
	t.abandoned = true
	t.count() // counted already when Shutdown failed them
	t.mu.Unlock()
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

// close ends the instance's threads for good: no more jobs, spawns or
// wake-ups. The runner frees everything (free) once its job, if one runs,
// has ended; close waits for that unless the job is one given up on
// (stuck, or ending later).
func (t *Threads) close() {
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
// on the shared memory and the module, once fail's wake-up goroutine, which uses them, has
// stopped. The runner calls it as it ends, so nothing it frees is in use.
func (t *Threads) free() {
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
	t.mu.Lock()
	t.freed = true
	s := t.lastShared()
	t.mu.Unlock()
	if s != nil {
		s.Quarantine(t.cfg.Name)
	}
	if t.cfg.Release != nil {
		t.cfg.Release()
		t.cfg.Release = nil
	}
}
