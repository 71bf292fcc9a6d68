//go:build amd64 || arm64

package host

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/wasmvec/wasmvec/internal/raw"
	"github.com/wasmvec/wasmvec/internal/threads"
)

// The typed call path. The kernels' core signatures are read from the
// module and checked at Compile, so a kernel is called with one cgo
// crossing to wasmtime_func_call_unchecked (package raw), with its
// arguments in the slots of the instance's raw.Block: no type lookup, no
// allocation, no lock but the instance's own. wasmtime-go's Func.Call
// (about ten crossings and several allocations per call) serves only the
// load-time calls.

// fastCall calls export e with the first nargs argument slots of in.c,
// which hold the results afterwards. The caller holds the instance's lock.
func (in *Instance) fastCall(e export, nargs int) error {
	if in.th == nil && in.timeout == 0 && in.ended == nil && in.c.Timeout() == 0 && in.nctx.Load() == 0 {
		// No thread, no deadline to arm, no earlier end: the common case.
		err := in.c.Call(int(e), nargs)
		if !in.c.Failed(err) {
			in.out.reset()
			return nil
		}
		return in.callError(e, err)
	}
	return in.slowCall(e, nargs)
}

// slowCall is fastCall for a threaded guest, a call with a deadline, or an
// instance that ended.
func (in *Instance) slowCall(e export, nargs int) error {
	if in.th != nil {
		if err := in.th.Failure(); err != nil {
			return &GuestError{Guest: in.name, Export: in.kname(e),
				Err: fmt.Errorf("%w: the instance ended with an earlier failure: %w", ErrClosed, err)}
		}
	}
	if in.timeout > 0 || in.nctx.Load() > 0 {
		if err := in.arm(in.kname(e)); err != nil {
			return err
		}
	} else if in.c.Timeout() != 0 {
		in.c.SetTimeout(0)
	}
	if in.th != nil {
		return in.threadedCall(e, nargs)
	}
	if in.ended != nil {
		return in.gone(in.kname(e))
	}
	err := in.c.Call(int(e), nargs)
	if !in.c.Failed(err) {
		in.out.reset()
		return nil
	}
	return in.callError(e, err)
}

// lockWord returns the instance's lock word: in its C block, where the one
// crossing of a call takes and releases it; under the race detector, which
// sees no atomic on C memory, in the Instance (and every call takes it from
// Go: unbounded).
func (in *Instance) lockWord() *atomic.Uint64 {
	if raceEnabled {
		return &in.lkRace
	}
	return in.c.LockWord()
}

// maxLockedArgs is the most arguments a call in one locked crossing takes.
const maxLockedArgs = raw.MaxLockedArgs

// lockedCall runs kernel k with args (at most maxLockedArgs) in one
// crossing that takes the lock from state expect to held and releases it
// (raw.Block.CallLocked). done: the call returned, with its result; busy:
// the lock was not in state expect and nothing ran (seen is the state
// found); otherwise the lock is held and the error is the call's
// (ErrClosed, or its trap or failure), for the caller to release the lock
// after.
func (in *Instance) lockedCall(k *Kernel, args []uint64, expect, held uint64) (v uint64, seen uint64, status int, err error) {
	v, seen, status, rerr := in.c.CallLocked(int(k.index), args, expect, held)
	switch status {
	case raw.Done:
		in.out.reset()
		return v, 0, lockedDone, nil
	case raw.Busy:
		return 0, seen, lockedBusy, nil
	case raw.Closed:
		return 0, 0, lockedHeld, in.gone(k.name)
	}
	return 0, 0, lockedHeld, in.callError(k.index, rerr)
}

const (
	lockedDone = iota
	lockedBusy
	lockedHeld
)

// threadedCall runs the call on the runner (package threads) and waits for it,
// for its deadline, for a bound context to end, or for a thread to fail;
// in the last three cases it returns within about grace, with the
// instance done.
func (in *Instance) threadedCall(e export, nargs int) error {
	t := in.th
	var deadline time.Time
	if d := in.c.Timeout(); d > 0 {
		deadline = time.Now().Add(d)
	}
	if !t.Give(threads.Job{E: int(e), NArgs: nargs}, deadline) {
		return &GuestError{Guest: in.name, Export: in.kname(e), Err: t.Busy()}
	}
	for {
		res, done := t.Next()
		if done {
			if err := in.callError(e, res.Err); err != nil {
				return err
			}
			// The guest returned, but a thread may have failed meanwhile
			// (the host's wake-up lets a calling thread asleep in a wait
			// go on): a call the host ended is never a success. (One load
			// when none did: Failure takes a lock.)
			if t.Failed() {
				return t.Failure()
			}
			return nil
		}
		cause := in.expired(e, deadline)
		if cause == nil {
			continue
		}
		// Whatever the calling thread does within the grace, even return
		// a value, the call ended with cause (or an earlier failure).
		t.GiveUp(cause)
		return t.Failure()
	}
}

// expired is why a threaded call must end now, or nil: a thread failed,
// the call passed its deadline, or a bound context ended. The caller holds
// the instance's lock.
func (in *Instance) expired(e export, deadline time.Time) error {
	if err := in.th.Failure(); err != nil {
		return err
	}
	if in.closing.Load() {
		return &GuestError{Guest: in.name, Export: in.kname(e),
			Err: fmt.Errorf("%w: the instance was closed during the call", ErrClosed)}
	}
	over := !deadline.IsZero() && !time.Now().Before(deadline)
	in.cmu.Lock()
	for _, ctx := range in.ctxs {
		over = over || ctx.Err() != nil
	}
	in.cmu.Unlock()
	if !over {
		return nil
	}
	return &GuestError{Guest: in.name, Export: in.kname(e),
		Err: fmt.Errorf("%w: the calling thread ended the threaded instance: %w", ErrClosed, in.deadlineError(in.kname(e), threads.ErrWaiting))}
}

// callError is the error of a call that returned err and left its trap, if
// any, in the C block. The caller holds the instance's lock.
func (in *Instance) callError(e export, err raw.Err) error {
	f, failed := in.c.Outcome(err)
	if !failed {
		in.out.reset()
		return nil
	}
	t := &Trap{Message: boundTrapMessage(f.Message)}
	switch {
	case f.HasCode:
		t.Code = trapCodeOf(f.Code)
	case f.Exited:
		t.Code = codeExit
	}
	in.out.withStderr(t) // Code "exit" after the host's proc_exit
	exited := t.Code == codeExit
	if in.th == nil {
		in.out.reset() // the next call's stderr starts afresh
	}
	var failure error = &GuestError{Guest: in.name, Export: in.kname(e), Err: fmt.Errorf("%w: %w", ErrTrap, t)}
	if in.c.Interrupted() {
		failure = in.deadlineError(in.kname(e), t)
	}
	if exited && in.th == nil {
		// The guest's runtime is gone (a Go guest's panic exits it): a
		// later call would run on its wreck. End the instance; the
		// crossing of a locked call reads the closed flag.
		in.ended = failure
		in.c.SetClosed()
	}
	if in.th != nil {
		// wasi-threads: a trap in any thread ends the whole computation. When
		// a worker trapped first, the caller trapped because of it (the abort
		// flag), and the worker's trap is the one to report.
		in.th.Fail(&GuestError{Guest: in.name, Export: in.kname(e), Err: fmt.Errorf("%w: the calling thread ended the threaded instance: %w", ErrClosed, failure)})
		return in.th.Failure()
	}
	return failure
}

// base is the start of the guest's linear memory as read at Instantiate:
// it cannot move. A threaded guest's shared memory may grow past the size
// read then; the buffers lie inside it.
func (in *Instance) base() raw.Addr { return in.c.Base() }

// pingSlot is the slot of ping-workers, after the kernels.
func (in *Instance) pingSlot() export { return export(len(in.mod.c.kernels)) }

// bindRaw caches in the instance's C block the raw handles of the store,
// the memory and the kernels.
func (in *Instance) bindRaw() error {
	var shared *raw.Shared
	if in.th != nil {
		shared = in.th.Shared()
	}
	if err := in.c.Bind(in.store, in.mem, shared, in.fns); err != nil {
		return guestErr(in.name, memoryExport, ErrModule, "%v: the typed call path does not fit this wasmtime-go version", err)
	}
	if in.c.Size() != in.memorySize() {
		return guestErr(in.name, memoryExport, ErrModule, "raw memory size %d differs from wasmtime-go's %d", in.c.Size(), in.memorySize())
	}
	return nil
}

// The C block has room for every parameter of a kernel.
var _ [raw.MaxArgs - maxParams]struct{}
