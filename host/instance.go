package host

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/wasmvec/wasmvec/internal/raw"
	"github.com/wasmvec/wasmvec/internal/threads"
)

// Instance is one instantiation of a guest module: its own store, linear
// memory and buffers. Its methods are safe for concurrent use; a mutex
// serialises calls, so one Instance runs one kernel at a time.
//
// Instance owns native memory: call Close when done.
type Instance struct {
	name   string
	engine *Engine
	mod    *Module // the module it was made from
	owned  *Module // closed with the instance when it was made by Engine.Load

	// The instance's lock word is in its C block (Instance.lockWord,
	// lock.go): every call holds it. waiters counts the goroutines
	// waiting for it, woken through wake. lkRace is the lock word under
	// the race detector (race_on.go).
	waiters atomic.Int32
	lkRace  atomic.Uint64
	wake    chan struct{}
	closed  bool
	// closing is set by a Close that found a call in progress and ended
	// it: that call returns ErrClosed.
	closing atomic.Bool
	// ended is why a guest that is not threaded can no longer be called:
	// its runtime exited (proc_exit) during a call. Calls return ErrClosed
	// wrapping it; the store is freed by Close as usual.
	ended error
	store *wasmtime.Store
	mem   *wasmtime.Memory
	fns   []*wasmtime.Func // the module's kernels, by index
	bufs  []BufferInfo     // the layout, validated against mem
	views []raw.View       // each buffer's slice of its capacity, for View
	// View's errors, shared by its calls (see sharedError): a Ref of
	// another module (or the zero Ref), a Buffers used after its InPlace
	// or CallWith returned.
	errForeign, errExpired error
	out                    *output // the guest's stdout and stderr (output.go)

	// The call path's C block (internal/raw): raw handles, argument slots,
	// deadline and interrupt flags, the lock word.
	c *raw.Block

	// th is the state of a threaded guest (package threads), nil for
	// others; stopWorkers is its stop-workers export.
	th          *threads.Threads
	stopWorkers *wasmtime.Func

	// Deadlines (deadline.go): every call's bound, and the context bound
	// by Bind, if any. tainted: a call was interrupted or trapped, or a
	// client's check failed: a Pool replaces the instance.
	timeout time.Duration
	ctxs    []context.Context // bound by Bind, innermost last; every one bounds each call; guarded by cmu
	cmu     sync.Mutex        // guards ctxs: Bind takes no other lock, so it works inside InPlace
	nctx    atomic.Int32      // len(ctxs), read by every call without cmu
	tainted bool
	// ctxBound: the bound armed for the running call is the bound
	// context's deadline (nearer than the timeout), so running past it is
	// context.DeadlineExceeded even before the context's own timer fires.
	ctxBound bool

	// The pool and slot the instance belongs to (pool.go), if any.
	pool *Pool
	slot int
}

// memorySize returns the size of the guest's linear memory in bytes.
func (in *Instance) memorySize() int {
	if in.th != nil {
		_, n := in.th.Data()
		return n
	}
	return int(in.mem.DataSize(in.store))
}

// Module returns the module the instance was made from, whose Kernel method
// looks up kernels to call on it (nil for a nil or zero Instance).
func (in *Instance) Module() *Module {
	if in == nil {
		return nil
	}
	return in.mod
}

// zero reports whether in is nil or a zero Instance, not one Instantiate
// made.
func (in *Instance) zero() bool { return in == nil || in.mod == nil }

// errZeroInstance is the error of a nil or zero Instance's methods.
var errZeroInstance = shared(&GuestError{Err: fmt.Errorf("%w: a nil or zero *Instance: not one that Module.Instantiate returned", ErrClosed)})

// gone returns the error of a call of export name on an instance that was
// closed or whose guest ended (ended), or nil. The caller holds the lock.
func (in *Instance) gone(name string) error {
	switch {
	case in.closed:
		return &GuestError{Guest: in.name, Export: name, Err: ErrClosed}
	case in.ended != nil:
		return &GuestError{Guest: in.name, Export: name, Err: fmt.Errorf("%w: the guest ended in an earlier call: %w", ErrClosed, in.ended)}
	}
	return nil
}

// Close releases the instance's store and memory, and the module when the
// instance was made by Engine.Load. Later calls return ErrClosed. Close is
// idempotent and returns nil (also for a nil or zero Instance), except
// when called from inside an InPlace callback while an InPlace holds the
// instance: it then does nothing and returns ErrConcurrent (see InPlace).
//
// A call in progress on another goroutine is ended first, and returns
// ErrClosed: at once for a threaded guest, within about a millisecond on
// an engine made WithDeadlines. A guest that is not threaded, on an
// engine without deadlines, cannot be stopped: Close then waits for its
// call to return. An InPlace in progress gets ErrClosed from its later
// calls, and Close waits for it to return.
func (in *Instance) Close() error {
	if in.zero() {
		return nil
	}
	if _, ok := in.tryLock(lkHeld); !ok {
		if in.lockWord().Load()&3 >= lkInPlace && insideInPlace(0) {
			return guestErr(in.name, "", ErrConcurrent,
				"Close called from inside an InPlace or CallWith callback while one holds the instance")
		}
		in.endRunning()
		if err := in.lock(""); err != nil {
			return err
		}
	}
	defer in.release()
	if in.closed {
		return nil
	}
	in.closed = true
	in.engine.release()
	in.c.SetClosed() // read by the call's crossing (raw.Block.CallLocked)
	if in.th != nil {
		if in.th.Failure() == nil {
			// endRunning's interrupt came as the call returned: nothing
			// of the guest's runs, and stop-workers must not trap.
			in.c.SetInterrupt(false)
		}
		in.closeThreads() // the threads free the store
	} else {
		in.store.Close()
	}
	if in.owned != nil {
		in.owned.Close()
	}
	return nil
}
