//go:build amd64 || arm64

package host

import (
	"errors"
	"fmt"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/wasmvec/wasmvec/internal/raw"
	"github.com/wasmvec/wasmvec/internal/threads"
)

// A threaded guest (any world that includes `threads` of wit/vector.wit:
// vector-threads, the Rayon example's rayon) imports its
// linear memory as a shared memory, env.memory, and wasi.thread-spawn.
// Package internal/threads runs wasi-threads for it: the shared memory,
// each spawned thread (a new store, the same module instantiated against
// the same shared memory, wasi_thread_start(tid, start_arg) on a goroutine
// of its own), the runner of the calling thread, the wake-up sweep and the
// one shutdown routine. This file is the host's side: the threads
// protocol's exports, the limits, and the errors a failed thread ends the instance
// with.

const (
	// maxThreads is the largest thread count an instance accepts
	// (WithThreads): each thread is an OS thread, a store and an instance.
	maxThreads = 64

	// maxSharedMemory is the most linear memory, in bytes, a threaded guest
	// gets: its shared memory is created with at most this maximum (1 GiB),
	// whatever the module declares, so a memory.grow loop ends in -1.
	maxSharedMemory = 1 << 30

	pageSize = 1 << 16
)

// The exports of the threads protocol (world threads of wit/vector.wit).
const (
	expStartWorkers = "start-workers"
	expPingWorkers  = "ping-workers"
	expStopWorkers  = "stop-workers"
	expAbortOffset  = "get-abort-offset"
	expStopOffset   = "get-stop-offset"
	expThreadStart  = threads.ThreadStart
	expInitialize   = "_initialize"
	threadSpawn     = threads.SpawnName
	threadModule    = threads.SpawnModule
	sharedModule    = threads.SharedModule
	sharedName      = threads.SharedName
)

var threadExports = []struct {
	name string
	sig  signature
}{
	{expStartWorkers, signature{[]valType{tI32}, []valType{tI32}}},
	{expPingWorkers, signature{}},
	{expStopWorkers, signature{}},
	{expAbortOffset, signature{nil, []valType{tI32}}},
	{expStopOffset, signature{nil, []valType{tI32}}},
	{expThreadStart, signature{[]valType{tI32, tI32}, nil}},
}

// newThreads makes the threads of a threaded instance of mod (package
// threads), with workers worker threads, each store held to memLimit, and
// the guest's output out. The runner owns store from then on. It holds mod
// until the threads are freed.
func newThreads(mod *Module, store *wasmtime.Store, c *raw.Block, workers int, memLimit int64, out *output) (*threads.Threads, error) {
	name, e, ty := mod.name, mod.engine, mod.shared
	lo := ty.Minimum()
	hasMax, hi := ty.Maximum()
	pages := uint64(min(int64(maxSharedMemory), memLimit)) / pageSize
	if !hasMax || hi > pages {
		hi = pages
	}
	if lo > hi {
		return nil, guestErr(name, "", ErrLimit, "shared memory of %d pages exceeds the limit of %d pages", lo, hi)
	}
	if e.sharedErr != nil {
		return nil, guestErr(name, "", ErrModule, "this engine cannot create the shared memory a threaded guest needs: %v", e.sharedErr)
	}
	mod.retain()
	t, err := threads.New(threads.Config{
		Name: name, Engine: e.e, Module: mod.m, MinPages: lo, MaxPages: hi, Block: c, Workers: workers,
		Grace:       2 * epochTick, // a running guest traps within a tick of the interrupt
		Deadlines:   e.deadlines,
		StartTicker: e.startTicker,
		Open: func() bool {
			if !e.mu.TryRLock() {
				return false
			}
			if e.closed.Load() {
				e.mu.RUnlock()
				return false
			}
			return true
		},
		Done:  e.mu.RUnlock,
		Waker: &e.waker,
		DefineWASI: func(l *wasmtime.Linker, memory func(*wasmtime.Caller) []byte) error {
			return defineWASI(l, out, memory)
		},
		Limit:     func(s *wasmtime.Store) { limit(s, memLimit) },
		Failed:    func(tid int32, err error) error { return threadFailed(name, c, out, tid, err) },
		Release:   mod.release,
		ErrClosed: ErrClosed,
	}, store)
	if err != nil {
		return nil, &GuestError{Guest: name, Err: fmt.Errorf("%w: %w", ErrModule, err)}
	}
	return t, nil
}

// threadFailed is the error worker thread tid's failure err ends the
// instance with: ErrClosed (the instance is over) with the sentinel of the
// same fault on the calling thread.
func threadFailed(name string, c *raw.Block, out *output, tid int32, err error) error {
	var cause, detail error = ErrTrap, err
	switch {
	case errors.Is(err, threads.ErrClosing):
		cause = ErrClosed
	case overLimit(err):
		cause = ErrLimit
	case c.Interrupting():
		cause = ErrDeadline // interrupted: a deadline, a cancel, or Close
		detail = trapOf(err)
	default:
		detail = out.withStderr(trapOf(err))
	}
	return &GuestError{Guest: name, Export: expThreadStart,
		Err: fmt.Errorf("%w: thread %d ended the threaded instance: %w: %w", ErrClosed, tid, cause, detail)}
}

// flagAt reads the byte offset of a threaded guest's flag word from export
// exp (what names it, for errors) and validates it: 4-byte aligned, inside
// linear memory, in no buffer.
func (in *Instance) flagAt(wi *wasmtime.Instance, exp, what string) (uint64, error) {
	v, err := wi.GetFunc(in.store, exp).Call(in.store)
	if err != nil {
		return 0, &GuestError{Guest: in.name, Export: exp, Err: fmt.Errorf("%w: %w", ErrTrap, trapOf(err))}
	}
	off := uint64(uint32(v.(int32)))
	if off%4 != 0 || off+4 > uint64(in.memorySize()) {
		return 0, guestErr(in.name, exp, ErrModule, "%s at %d is not a 4-byte-aligned u32 inside linear memory of %d bytes", what, off, in.memorySize())
	}
	for _, b := range in.bufs {
		if off < uint64(b.Offset)+b.bytes() && uint64(b.Offset) < off+4 {
			return 0, guestErr(in.name, exp, ErrModule, "%s at %d lies in buffer %q at %d", what, off, b.Name, b.Offset)
		}
	}
	return off, nil
}

// startThreads reads and validates the guest's abort flag and its stop word
// (if it has one), then starts its workers: threads-1 of them, or an error.
func (in *Instance) startThreads(wi *wasmtime.Instance, n int) error {
	t := in.th
	off, err := in.flagAt(wi, expAbortOffset, "abort flag")
	if err != nil {
		return err
	}
	t.SetGuest(int(off), byteRanges(in.bufs))
	if wi.GetFunc(in.store, expStopOffset) != nil {
		stop, err := in.flagAt(wi, expStopOffset, "stop word")
		if err != nil {
			return err
		}
		if stop == off {
			return guestErr(in.name, expStopOffset, ErrModule, "the stop word at %d is the abort flag", stop)
		}
		t.SetStop(int(stop))
	}
	if ping := wi.GetFunc(in.store, expPingWorkers); ping != nil {
		in.c.SetFunc(int(in.pingSlot()), ping)
	}
	in.stopWorkers = wi.GetFunc(in.store, expStopWorkers)
	r, err := wi.GetFunc(in.store, expStartWorkers).Call(in.store, int32(n))
	if err != nil {
		return &GuestError{Guest: in.name, Export: expStartWorkers, Err: fmt.Errorf("%w: %w", ErrTrap, trapOf(err))}
	}
	if got := r.(int32); got != int32(n-1) {
		return guestErr(in.name, expStartWorkers, ErrModule, "started %d of %d workers", got, n-1)
	}
	return nil
}

// byteRanges is the bytes [lo, hi) each buffer of bufs takes.
func byteRanges(bufs []BufferInfo) [][2]uint64 {
	r := make([][2]uint64, len(bufs))
	for i, b := range bufs {
		r[i] = [2]uint64{uint64(b.Offset), uint64(b.Offset) + b.bytes()}
	}
	return r
}

// closeThreads ends the instance's threads through the one shutdown
// routine (threads.Threads.Shutdown): stop-workers first when all is well
// (run on the runner, bounded by threads.CloseWait), else the failure. The
// caller holds the instance's lock.
func (in *Instance) closeThreads() {
	t := in.th
	if t.Failure() == nil && in.stopWorkers != nil {
		if in.engine.deadlines {
			in.engine.startTicker()
			in.c.Arm(threads.CloseWait)
		}
		stop := func() error {
			if _, err := in.stopWorkers.Call(in.store); err != nil {
				return &GuestError{Guest: in.name, Export: expStopWorkers, Err: fmt.Errorf("%w: %w", ErrTrap, trapOf(err))}
			}
			return nil
		}
		late := func() error {
			return guestErr(in.name, expStopWorkers, ErrDeadline, "stop-workers did not return within %v", threads.CloseWait)
		}
		if err, _ := t.RunFunc(stop, time.Now().Add(threads.CloseWait), late); err != nil {
			t.Fail(err)
		}
	}
	t.Shutdown(in, &GuestError{Guest: in.name, Err: ErrClosed}, min(time.Second, threads.CloseWait), threads.CloseWait)
}

// threadCount is the number of threads a kernel call runs on: 1 for a guest
// that is not threaded, else the count given to WithThreads.
func (in *Instance) threadCount() int {
	if in.th == nil {
		return 1
	}
	return in.th.Workers() + 1
}

// Stop asks the call running on the instance to end early: it raises the
// guest's stop word (the threads protocol's optional get-stop-offset,
// which the Rust kit's threaded guests export), and a kernel that looks at
// it between its jobs or steps returns early with a status of its own (the
// kit's convention: -5, ERR_STOPPED, its buffers as its documentation
// says). The call then returns that status with a nil error, and the
// instance stays usable. A deadline (WithTimeout, Bind) on an engine
// without deadlines raises the same word, but its call returns ErrDeadline;
// on an engine made WithDeadlines it stops any guest and ends the
// instance. The
// host lowers the word as each call starts, so a Stop between calls
// asks nothing. Stop takes no lock: call it from any goroutine, while a
// call runs. To stop when a context ends:
//
//	stop := context.AfterFunc(ctx, func() { in.Stop() })
//	defer stop()
//
// Errors, in a *GuestError: ErrMissingExport when the guest has no stop
// word (it is not threaded, or does not export get-stop-offset);
// ErrClosed once the instance is closed (or in is nil or a zero Instance).
func (in *Instance) Stop() error {
	if in.zero() {
		return errZeroInstance
	}
	if in.th == nil || !in.th.HasStop() {
		return guestErr(in.name, expStopOffset, ErrMissingExport, "the guest has no stop word: a threaded guest exports get-stop-offset for Stop")
	}
	if !in.th.RequestStop() {
		return &GuestError{Guest: in.name, Err: ErrClosed}
	}
	return nil
}

// ping wakes the workers for an empty job and waits for them: the dispatch
// round trip of one kernel call (one typed call to "ping-workers").
func (in *Instance) ping() error {
	if err := in.lock(expPingWorkers); err != nil {
		return err
	}
	defer in.release()
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
