package host

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/wasmvec/wasmvec/internal/raw"
	"github.com/wasmvec/wasmvec/internal/threads"
)

// Instantiate makes a new instance of the module in a store of its own,
// with WASI preview 1 functions that see no files, arguments, environment
// or standard streams. It calls the guest's "_initialize" export when there
// is one (a WASI reactor), else its "_start" when there is one (a WASI
// command whose main returns, as TinyGo builds them; proc_exit(0) counts as
// returning), then reads every buffer's offset and capacity
// (twice: a declaration must not change) and validates them against the
// guest's linear memory. Last it caps the
// memory at its current size: a guest's memory.grow fails (returns -1) from
// then on, so the memory never moves (see Buffers).
//
// A threaded guest (one that exports the threads protocol, world threads of
// wit/vector.wit, and imports a shared memory) gets a shared
// memory of at most 1 GiB (which never moves either), a
// host thread-spawn that allows at most threads-1 spawns for the life of
// the instance, and its workers started with "start-workers" (see
// WithThreads). A trap in any of its threads ends the instance (ErrClosed).
// Its calling thread runs on a goroutine of the instance's own (package threads),
// so a call returns at its deadline, at the end of a bound context, or at
// a worker's trap even while the guest's thread sleeps in a wait; the
// instance is then done, and its later calls return ErrClosed (wrapping
// the failure that ended it).
//
// # Errors
//
// Every error is a *GuestError wrapping:
//   - ErrClosed if the module or its engine was closed (or m is nil or a
//     zero Module);
//   - ErrOption if an option is nil or out of range, or WithThreads(n > 1)
//     is given for a guest that is not threaded;
//   - ErrTrap if the start function, "_initialize", "_start" (or its
//     proc_exit with a status other than 0), or a buffer-* or capacity-*
//     export traps;
//   - ErrDeadline if they run longer than the timeout (WithTimeout), or
//     than 10 seconds when none is given: on an engine made WithDeadlines,
//     and for a threaded guest on any engine (a guest that is not threaded,
//     on an engine without deadlines, cannot be stopped: its instantiation
//     takes as long as its code runs);
//   - ErrModule if an import names a WASI function the host does not have;
//     or, naming the buffer's export, if a capacity is 0, an offset
//     is not aligned to its element size, a buffer of capacity*size bytes at
//     its offset runs past the end of the memory or overlaps another
//     buffer, or an offset or capacity export answers differently when
//     asked again (for a threaded guest also: the abort flag is not 4-byte
//     aligned, past the memory or in a buffer); or if instantiation fails
//     otherwise, or a threaded guest starts fewer workers than asked.
func (m *Module) Instantiate(opts ...Option) (*Instance, error) {
	if m.zero() {
		return nil, errZeroModule
	}
	o, err := m.instanceOptions(opts)
	if err != nil {
		return nil, err
	}
	if o.threads < 1 || o.threads > maxThreads {
		return nil, guestErr(m.name, "", ErrOption, "WithThreads(%d): want 1 to %d", o.threads, maxThreads)
	}
	if n := threads.Stuck(); m.shared != nil && n+int64(o.threads-1) > threads.MaxStuck {
		return nil, guestErr(m.name, "", ErrLimit, "%d guest threads of failed or closed instances are still running (blocked for good); %d more would pass the limit of %d such threads",
			n, o.threads-1, threads.MaxStuck)
	}
	if m.shared == nil && o.threads != 1 {
		return nil, guestErr(m.name, "", ErrOption, "WithThreads(%d): the guest is not threaded (it does not import a shared memory)", o.threads)
	}
	if o.timeout < 0 {
		return nil, guestErr(m.name, "", ErrOption, "WithTimeout(%v): want 0 (none) or more", o.timeout)
	}
	if o.memLimit < pageSize || o.memLimit > 1<<32 {
		return nil, guestErr(m.name, "", ErrOption, "WithMemoryLimit(%d): want %d to %d bytes", o.memLimit, pageSize, int64(1)<<32)
	}
	if min := m.memMin * pageSize; min > uint64(o.memLimit) {
		return nil, guestErr(m.name, memoryExport, ErrLimit, "the memory starts at %d bytes, over the limit of %d (WithMemoryLimit)", min, o.memLimit)
	}
	if m.engine.memErr != nil && m.shared == nil {
		return nil, guestErr(m.name, "", ErrModule, "this engine cannot create linear memories that a kept view cannot follow (docs/security.md): %v", m.engine.memErr)
	}
	if o.timeout > 0 && !m.engine.deadlines && m.shared == nil {
		return nil, guestErr(m.name, "", ErrOption, "WithTimeout(%v) needs an engine made WithDeadlines for a guest that is not threaded", o.timeout)
	}
	// What the guest wrote goes to the writers once the engine is let go
	// (deferred calls run last first), as after a call (output.deliver).
	var out *output
	defer func() {
		if out != nil {
			out.deliver()
		}
	}()
	if !m.engine.use() {
		return nil, &GuestError{Guest: m.name, Err: fmt.Errorf("%w: the engine", ErrClosed)}
	}
	defer m.engine.mu.RUnlock()
	if !m.acquire() {
		return nil, &GuestError{Guest: m.name, Err: ErrClosed}
	}
	defer m.release()
	c := raw.New(len(m.contract.kernels) + 1) // the kernels and ping-workers
	if c == nil {
		return nil, &GuestError{Guest: m.name, Err: fmt.Errorf("%w: out of C memory", ErrModule)}
	}
	b := loadBound{d: o.timeout, what: "the timeout"}
	if b.d == 0 {
		b = loadBound{d: loadTimeout, what: "the default load timeout"}
	}
	b.until = time.Now().Add(b.d)
	if m.engine.deadlines {
		m.engine.startTicker()
	}
	store := wasmtime.NewStore(m.engine.e)
	limit(store, o.memLimit)
	// Before any guest code runs (the start function, _initialize): with
	// epoch interruption on, a store without a deadline traps at once.
	c.Watch(store, false)
	if m.engine.deadlines {
		c.Arm(b.d)
	}
	out = newOutput(o.stdout, o.stderr)
	in, f, err := m.instantiate(store, c, o, b, out)
	if err != nil {
		if c.Interrupted() && !errors.Is(err, ErrDeadline) && !errors.Is(err, ErrClosed) {
			ge := &GuestError{Guest: m.name}
			errors.As(err, &ge)
			if ge.Export == "" {
				ge.Export = "(start)" // the only guest code run before the exports
			}
			err = &GuestError{Guest: m.name, Export: ge.Export, Err: b.err(err)}
		}
		if !f.storeTaken {
			store.Close()
		}
		if !f.keepBlock {
			c.Free()
		}
		return nil, err
	}
	c.Disarm()
	m.engine.retain() // under use: the engine is not freed meanwhile
	raw.Own(in, c)
	in.out.reset() // the first call's stderr starts empty
	return in, nil
}

// defaultLoadTimeout bounds the guest code Instantiate runs (the start
// function, "_initialize" or "_start", the buffer exports, and for a
// threaded guest "start-workers") when WithTimeout gives no bound of its
// own: past it Instantiate returns ErrDeadline. It holds on an engine made
// WithDeadlines, and for a threaded guest on any engine (its instantiation
// runs on a goroutine of its own, package threads: a guest thread that cannot be
// stopped is then left running, counted against threads.MaxStuck). A guest
// that is not threaded, on an engine without deadlines, cannot be stopped:
// its instantiation takes as long as its code runs.
const defaultLoadTimeout = 10 * time.Second

// loadTimeout is defaultLoadTimeout (a variable for the tests).
var loadTimeout = defaultLoadTimeout

// loadBound is the bound of one instantiation.
type loadBound struct {
	d     time.Duration
	what  string // "the timeout", or "the default load timeout"
	until time.Time
}

func (b loadBound) err(cause error) error {
	return fmt.Errorf("%w: instantiation ran past %s of %v: %w", ErrDeadline, b.what, b.d, cause)
}

// failedLoad says what an instantiation that failed leaves to Instantiate:
// keepBlock, that threads it started still run (the C block must not be
// freed); storeTaken, that the threads own the store (they free it).
type failedLoad struct{ keepBlock, storeTaken bool }

// instantiate does the work of Instantiate, within bound b, with the
// guest's output to out.
func (m *Module) instantiate(store *wasmtime.Store, c *raw.Block, o options, b loadBound, out *output) (in *Instance, f failedLoad, err error) {
	store.SetWasi(wasmtime.NewWasiConfig())
	if m.shared == nil {
		linker := wasmtime.NewLinker(m.engine.e)
		defer linker.Close()
		if err := defineWASI(linker, out, exportedMemory); err != nil {
			return nil, f, &GuestError{Guest: m.name, Err: fmt.Errorf("%w: %w", ErrModule, err)}
		}
		in, err = m.start(linker, store, c, o, nil, out)
		if err != nil {
			return nil, f, err
		}
		// From here the memory cannot grow: kernels have no use for more
		// memory, and a memory that never moves keeps Buffers views valid.
		limit(store, int64(in.mem.DataSize(store)))
		return in, f, nil
	}
	th, err := newThreads(m, store, c, o.threads-1, o.memLimit, out)
	if err != nil {
		return nil, f, err
	}
	f.storeTaken = true
	// The guest code runs on the runner (package threads), so that a thread
	// asleep in a wait cannot hold Instantiate past its bound.
	late := func() error {
		return &GuestError{Guest: m.name, Export: th.Phase(), Err: b.err(threads.ErrWaiting)}
	}
	var made *Instance // written by the runner, read only once its job ended
	err, ended := th.RunFunc(func() error {
		var err error
		made, err = m.start(th.Linker(), store, c, o, th, out)
		if err != nil && th.Failure() != nil {
			// A worker failed first; the calling thread failed because of
			// it (the abort flag, the interrupt): the worker's is the error.
			err = th.Failure()
		}
		return err
	}, b.until, late)
	if err != nil || !ended {
		// End the workers (if any started) within what is left of the
		// bound (at least a millisecond, at most threads.CloseWait), and
		// free the shared memory; the C block only if they all ended.
		wait := max(min(threads.CloseWait, time.Until(b.until)), time.Millisecond)
		f.keepBlock = th.Shutdown(c, err, min(wait, 100*time.Millisecond), wait)
		return nil, f, err
	}
	return made, f, nil
}

// start instantiates the module in store through linker, runs its start-up
// code, and reads and checks its layout; for a threaded guest (th) it also
// starts the workers. A threaded guest's runs on its runner.
func (m *Module) start(linker *wasmtime.Linker, store *wasmtime.Store, c *raw.Block, o options, th *threads.Threads, out *output) (*Instance, error) {
	phase := func(name string) {
		if th != nil {
			th.SetPhase(name)
		}
	}
	for _, imp := range m.m.Imports() {
		if n := imp.Name(); n == nil || linker.Get(store, imp.Module(), *n) == nil {
			field := ""
			if n != nil {
				field = *n
			}
			return nil, guestErr(m.name, "", ErrModule, "%s.%s is not a WASI preview 1 function the host offers", imp.Module(), field)
		}
	}
	phase("(start)")
	wi, err := linker.Instantiate(store, m.m)
	if err != nil {
		var trap *wasmtime.Trap
		if _, exited := out.exited(); exited || errors.As(err, &trap) {
			// A trap, or the host's proc_exit (any status: the start
			// function is no command's _start), in the start function.
			return nil, &GuestError{Guest: m.name, Export: "(start)", Err: fmt.Errorf("%w: %w", ErrTrap, out.withStderr(trapOf(err)))}
		}
		if overLimit(err) {
			return nil, &GuestError{Guest: m.name, Err: fmt.Errorf("%w: %w", ErrLimit, err)}
		}
		return nil, &GuestError{Guest: m.name, Err: fmt.Errorf("%w: %w", ErrModule, err)}
	}
	in := &Instance{name: m.name, engine: m.engine, mod: m, store: store, th: th, c: c, timeout: o.timeout, out: out, wake: make(chan struct{}, 1)}
	phase("_initialize")
	if err := startRuntime(m.name, store, wi, out); err != nil {
		return nil, err
	}
	// readContract verified every export's presence and type at Compile.
	in.fns = make([]*wasmtime.Func, len(m.contract.kernels))
	for i, k := range m.contract.kernels {
		in.fns[i] = wi.GetFunc(store, k.name)
	}
	if th == nil {
		// readContract refused a shared memory export for other guests.
		in.mem = wi.GetExport(store, memoryExport).Memory()
	}
	phase("(buffer exports)")
	if err := in.readLayout(wi); err != nil {
		return nil, err
	}
	if err := in.bindRaw(); err != nil {
		return nil, err
	}
	in.errForeign = shared(guestErr(in.name, "", ErrMissingExport,
		"the Ref names no buffer of this instance's module (the zero Ref, or one looked up in another module): use BufferRef(Instance.Module(), name)"))
	in.errExpired = shared(guestErr(in.name, "", ErrClosed, "buffers used after InPlace returned"))
	in.views = make([]raw.View, len(in.bufs))
	for i, b := range in.bufs {
		in.views[i] = newView(in.mod.contract.buffers[i].typ, in.base().Add(b.Offset), b.Capacity)
	}
	if th != nil {
		phase(expStartWorkers)
		if err := in.startThreads(wi, o.threads); err != nil {
			return nil, err
		}
		if err := th.Failure(); err != nil {
			return nil, err // a worker failed while starting: the instance is done
		}
	}
	return in, nil
}

// defineWASI defines WASI preview 1 in the linker with two functions of
// the host's own: fd_write (stdout and stderr to out, output.go) and
// poll_oneoff, which never blocks (pollOneoff: every subscription's event
// comes back at once with ENOTSUP), so no host call can hold a guest past
// its deadline, which epoch interruption checks only in guest code. The
// others return at once: the guest sees no files, sockets or standard
// input. mem returns the calling guest's linear memory.
func defineWASI(linker *wasmtime.Linker, out *output, mem func(*wasmtime.Caller) []byte) error {
	if err := linker.DefineWasi(); err != nil {
		return err
	}
	linker.AllowShadowing(true)
	defer linker.AllowShadowing(false)
	if err := linker.FuncWrap(wasiModule, "fd_write", fdWrite(out, mem)); err != nil {
		return err
	}
	if err := linker.FuncWrap(wasiModule, "proc_exit", procExit(out)); err != nil {
		return err
	}
	return linker.FuncWrap(wasiModule, "poll_oneoff", pollOneoff(mem))
}

// startRuntime runs the guest's start-up code once: "_initialize" for a
// WASI reactor (Rust, C, standard Go); otherwise "_start" for a WASI
// command whose main returns (TinyGo's wasip1 modules: _start sets up the
// heap and runs package initialisers, then main, then returns). A _start
// that ends in proc_exit(0) has also finished; any other failure is a trap.
func startRuntime(guest string, store *wasmtime.Store, wi *wasmtime.Instance, out *output) error {
	name := "_initialize"
	f := wi.GetFunc(store, name)
	if f == nil {
		name = "_start"
		if f = wi.GetFunc(store, name); f == nil {
			return nil
		}
	}
	if _, err := f.Call(store); err != nil {
		if status, exited := out.exited(); name == "_start" && exited && status == 0 {
			out.exit.Store(0)
			return nil
		}
		return &GuestError{Guest: guest, Export: name, Err: fmt.Errorf("%w: %w", ErrTrap, out.withStderr(trapOf(err)))}
	}
	return nil
}

// overLimit reports whether Wasmtime refused an instantiation because of
// the store's limits (its messages in Wasmtime 39; the corpus modules
// table-too-large and two-tables fail the
// tests if they change).
func overLimit(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "exceeds memory limits") || strings.Contains(msg, "exceeds table limits") ||
		strings.Contains(msg, "resource limit exceeded")
}

// limit holds a store to memBytes of linear memory in one memory, one
// table of at most maxTableElements, and one instance: what a guest can
// create at instantiation or grow later.
func limit(store *wasmtime.Store, memBytes int64) {
	store.Limiter(memBytes, maxTableElements, 1, 1, 1)
}

// readLayout asks the guest for every buffer's offset and capacity, twice,
// and checks them against its memory. The memory never shrinks, so a
// layout valid now stays valid for the life of the instance. The error is
// the first buffer's, in declaration order, that is bad on its own or
// overlaps one declared before it; the overlaps come from one sweep in
// offset order, O(n log n) in the buffers (maxBuffers bounds n).
func (in *Instance) readLayout(wi *wasmtime.Instance) error {
	decls := in.mod.contract.buffers
	got := make([][2][2]uint32, len(decls)) // per buffer: offset, capacity; asked twice
	for i, d := range decls {
		for round := range 2 {
			for j, e := range []string{d.offsetExport(), d.capacityExport()} {
				v, err := wi.GetFunc(in.store, e).Call(in.store)
				if err != nil {
					return &GuestError{Guest: in.name, Export: e, Err: fmt.Errorf("%w: %w", ErrTrap, in.out.withStderr(trapOf(err)))}
				}
				got[i][round][j] = uint32(v.(int32)) // WIT u32: the i32's bits, unsigned
			}
		}
	}
	// The size after every answer: a guest may grow its memory for a
	// buffer when first asked for the buffer's offset (the Rust kit's
	// threaded buffers do), and memory never shrinks.
	size := uint64(in.memorySize())
	in.bufs = make([]BufferInfo, len(decls))
	faults := make([]error, len(decls))
	for i, d := range decls {
		got := got[i]
		off, capacity := uint64(got[0][0]), uint64(got[0][1])
		b := BufferInfo{Name: d.name, Type: d.typ.String(), Offset: int(off), Capacity: int(capacity)}
		span := b.bytes()
		in.bufs[i] = b
		switch {
		case got[0] != got[1]:
			faults[i] = guestErr(in.name, d.offsetExport(), ErrModule, "buffer %q: offset and capacity (%d, %d) changed to (%d, %d) when asked again",
				d.name, got[0][0], got[0][1], got[1][0], got[1][1])
		case capacity == 0:
			faults[i] = guestErr(in.name, d.capacityExport(), ErrModule, "buffer %q: capacity is 0", d.name)
		case off%uint64(d.typ.size()) != 0:
			faults[i] = guestErr(in.name, d.offsetExport(), ErrModule, "buffer %q: offset %d is not %d-byte aligned for %v", d.name, off, d.typ.size(), d.typ)
		case off+span > size: // at most 2^32 + 2^35: no overflow in uint64
			faults[i] = guestErr(in.name, d.offsetExport(), ErrModule,
				"buffer %q [%d, %d) of %d elements runs past linear memory of %d bytes", d.name, off, off+span, capacity, size)
		}
	}
	end := func(b BufferInfo) uint64 { return uint64(b.Offset) + b.bytes() }
	order := make([]int, len(in.bufs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(x, y int) int {
		return cmp.Or(cmp.Compare(in.bufs[x].Offset, in.bufs[y].Offset), cmp.Compare(x, y))
	})
	reach := -1 // the buffer that reaches furthest so far in the sweep
	for _, i := range order {
		b := in.bufs[i]
		if b.Capacity == 0 {
			continue
		}
		if reach >= 0 && uint64(b.Offset) < end(in.bufs[reach]) {
			early, late := min(reach, i), max(reach, i)
			if faults[late] == nil {
				e, l := in.bufs[early], in.bufs[late]
				faults[late] = guestErr(in.name, decls[late].offsetExport(), ErrModule,
					"buffer %q [%d, %d) overlaps buffer %q [%d, %d)", l.Name, l.Offset, end(l), e.Name, e.Offset, end(e))
			}
		}
		if reach < 0 || end(b) > end(in.bufs[reach]) {
			reach = i
		}
	}
	for _, f := range faults {
		if f != nil {
			return f
		}
	}
	return nil
}
