//go:build amd64 || arm64

package host

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/wasmvec/wasmvec/internal/raw"
	"github.com/wasmvec/wasmvec/internal/threads"
)

// One kernel call, top to bottom (docs/design.md draws it):
//
//	Instance.Call, Buffers.Call     checkCall: the module's kernel, its argument count
//	  lockedCall                    no thread, no deadline, at most 4 arguments, lock free:
//	                                lock, call and unlock in one crossing (raw.Block.CallLocked)
//	  rawCall                       otherwise, holding the lock (lock.go: lock, or enter)
//	    fastCall                    no thread, no deadline, no end pending: raw.Block.Call,
//	                                the one cgo crossing (wasmtime_func_call_unchecked)
//	    slowCall                    arms the deadline (deadline.go: arm), then raw.Block.Call
//	      threadedCall              a threaded guest: the call with its threads (package threads)
//	    callError                   a trap, an exit, a deadline, as the caller sees it
//	Instance.CallWith, Buffers.CallWith
//	                                prepare, the call, finish in one hold (between)
//	Instance.CallMany               count calls of one kernel in one hold; without a
//	                                deadline or threads, one crossing (raw.Block.CallMany)
//
// The lock word these take and release is in lock.go; the buffers a call
// reads and writes, and InPlace, in buffers.go; Encode and Decode in
// value.go; the load sequence, which binds the raw handles (bindRaw), in
// load.go.

// export is the index of a kernel in its module's table (in export order),
// and in every instance's table of raw function handles.
type export int

// kname returns the name of kernel e of the instance's module.
func (in *Instance) kname(e export) string {
	if int(e) < len(in.mod.contract.kernels) {
		return in.mod.contract.kernels[e].name
	}
	if e == in.pingSlot() {
		return expPingWorkers
	}
	return fmt.Sprintf("kernel %d", int(e))
}

// Call calls kernel k on the instance with args, one per parameter, each
// encoded by Encode, and returns its result encoded likewise (Decode) (0 when it returns nothing; a 32-bit result is
// zero-extended). It takes the instance's lock for the call; inside
// InPlace, use Buffers.Call. The call is one crossing into Wasmtime, with
// the instance's deadline (WithTimeout, Bind) and, for a threaded guest, on
// its threads.
//
// What is checked: the kernel belongs to the instance's module and len(args)
// is its parameter count (ErrSignature otherwise). An argument's type is not:
// a uint64 carries bits, not a type, so an f64 encoded into an i32
// parameter reaches the guest as its low 32 bits. Encode each argument
// with Encode of a Go value of the parameter's type (Kernel.Params lists
// them), or call CallArgs, whose typed arguments (I32, F64, ...) are
// checked against the kernel's parameters. The JS package, whose
// arguments are typed JS values, checks each against the signature.
//
// The host cannot know which buffer elements a kernel reads or writes, so
// it places no guard words (a client that knows, as package vector does,
// places its own over views, and returns ErrContract from InPlace): the
// kernel is trusted to keep to its buffers, and if it does not, it can
// corrupt only its own linear memory.
//
// # Errors
//
// Every error is a *GuestError naming the kernel:
//   - ErrMissingExport if k was looked up in another module;
//   - ErrSignature if len(args) is not the number of k's parameters;
//   - ErrClosed after Close;
//   - ErrTrap (with a *Trap) if the guest traps, ErrDeadline past the
//     deadline; for a threaded guest one of whose threads trapped (or whose
//     call passed its deadline) also ErrClosed, as for every call after.
func (in *Instance) Call(k *Kernel, args ...uint64) (uint64, error) {
	if err := in.checkCall(k, args); err != nil {
		return 0, err
	}
	if in.unbounded(args) {
		// The lock is free (the common case): take it, call and release it
		// in one crossing.
		if v := in.lockWord().Load(); v&3 == lkFree {
			r, _, status, err := in.lockedCall(k, args, v, v|lkHeld)
			switch status {
			case lockedDone:
				in.wakeWaiter()
				in.out.deliver()
				return k.result(r), nil
			case lockedHeld:
				in.unlock()
				in.out.deliver()
				return 0, err
			}
		}
	}
	if err := in.lock(k.name); err != nil {
		return 0, err
	}
	defer in.release()
	if err := in.gone(k.name); err != nil {
		return 0, err
	}
	return in.rawCall(k, args)
}

// Call calls kernel k with args inside InPlace, without taking the lock
// again: see Instance.Call for the encoding and the errors, to which it
// adds ErrClosed after InPlace returned and ErrConcurrent when another
// goroutine's call through b is in progress.
func (b Buffers) Call(k *Kernel, args ...uint64) (uint64, error) {
	if b.in == nil {
		return 0, b.expired(k.Name())
	}
	in := b.in
	if err := in.checkCall(k, args); err != nil {
		return 0, err
	}
	if in.unbounded(args) {
		r, seen, status, err := in.lockedCall(k, args, b.gen<<2|lkInPlace, b.gen<<2|lkCalling)
		switch status {
		case lockedDone:
			in.out.deliver()
			return k.result(r), nil
		case lockedHeld:
			b.leave()
			in.out.deliver()
			return 0, err
		}
		return 0, b.refuse(k.name, seen)
	}
	if err := b.enter(k.name); err != nil {
		return 0, err
	}
	v, err := in.rawCall(k, args)
	b.leave()
	in.out.deliver()
	return v, err
}

// CallMany makes count calls of kernel k on the instance, for callers that
// make many small calls (a function per instrument, a kernel per row):
// call i takes the P arguments args[i·P:(i+1)·P] (P is k's parameter
// count; each encoded by Encode) and, when k returns a value, leaves its
// result in results[i], as Call returns it. It returns how many calls
// returned. Its reference loop:
//
//	for i := range count {
//		results[i], err = in.Call(k, args[i*P:(i+1)*P]...)
//		if err != nil {
//			return i, err
//		}
//	}
//	return count, nil
//
// It takes the instance's lock once for all of them. On a guest that is
// not threaded, with no deadline to arm (no WithTimeout, no Bind), the
// calls are one crossing into Wasmtime (a loop in C over
// wasmtime_func_call_unchecked); otherwise they are made one by one under
// that lock, each with the deadline and semantics of a Call.
//
// # Errors
//
// Those of Call, and ErrSignature when count < 0, len(args) is not count·P,
// or k returns a value and len(results) < count (results may be nil when k
// returns nothing). The first call that fails (a trap, a deadline) stops
// the rest: CallMany returns its index, the calls before it returned (their
// results are in results), and its error says "call i of count".
func (in *Instance) CallMany(k *Kernel, count int, args, results []uint64) (int, error) {
	if in == nil || k == nil || k.m != in.mod || in.mod == nil {
		return 0, in.callArgsError(k, nil)
	}
	p, hasResult := len(k.sig.params), len(k.sig.results) > 0
	if count < 0 || (p == 0 && len(args) != 0) || (p > 0 && (len(args)%p != 0 || len(args)/p != count)) || (hasResult && len(results) < count) {
		return 0, guestErr(in.name, k.name, ErrSignature, "CallMany: %d calls of %v take %d·%d arguments (got %d) and, for a result, %d results (got room for %d)",
			count, k.sig, max(count, 0), p, len(args), max(count, 0), len(results))
	}
	if err := in.lock(k.name); err != nil {
		return 0, err
	}
	defer in.release()
	if err := in.gone(k.name); err != nil {
		return 0, err
	}
	var res []uint64
	if hasResult {
		res = results[:count]
	}
	if in.plain() {
		n, rerr := in.c.CallMany(int(k.index), p, max(p, len(k.sig.results)), count, args, res)
		if hasResult {
			for i := range n {
				res[i] = k.result(res[i])
			}
		}
		if n == count {
			in.out.reset()
			return n, nil
		}
		return n, callOf(in.callError(k.index, rerr), n, count)
	}
	for i := range count {
		v, err := in.rawCall(k, args[i*p:(i+1)*p])
		if err != nil {
			return i, callOf(err, i, count)
		}
		if hasResult {
			res[i] = v
		}
	}
	return count, nil
}

// callOf says which of count calls err ended: call i.
func callOf(err error, i, count int) error {
	var ge *GuestError
	if !errors.As(err, &ge) || ge != err {
		return err
	}
	c := *ge
	c.Err = fmt.Errorf("call %d of %d: %w", i, count, ge.Err)
	return &c
}

// CallWith calls kernel k with args, as Call does, under one hold of the
// instance's lock that also covers prepare, run just before the call, and
// finish, run just after it when it succeeded: a client writes the
// kernel's inputs into its buffers in prepare and reads its results in
// finish (through View), and no other call on the instance runs in
// between. It costs one lock and one crossing, as a Call does, where an
// InPlace around a Buffers.Call costs three lock operations. Either
// function may be nil.
//
// prepare and finish get Buffers for views only: a call through them
// returns ErrConcurrent (CallWith makes the one call), and they expire when
// CallWith returns (see Buffers for the rules of views).
//
// It returns k's result and the errors of Call, or the error of prepare
// (the kernel is then not called) or of finish. As with InPlace, an error
// of prepare or finish that wraps ErrContract marks the instance untrusted.
func (in *Instance) CallWith(k *Kernel, args []uint64, prepare, finish func(Buffers) error) (uint64, error) {
	if err := in.checkCall(k, args); err != nil {
		return 0, err
	}
	gen, ok := in.tryLock(lkCalling)
	if !ok {
		var err error
		if gen, err = in.acquire(1, k.name, lkCalling); err != nil {
			return 0, err
		}
	}
	defer in.release()
	if in.closed || in.ended != nil {
		return 0, in.gone(k.name)
	}
	// between's steps, written out: this is the vector client's call path
	// at n = 1, and a call to between costs it ~20 instructions.
	b := Buffers{in: in, gen: gen}
	if prepare != nil {
		if err := prepare(b); err != nil {
			in.taint(err)
			return 0, err
		}
	}
	r, err := in.rawCall(k, args)
	if err == nil && finish != nil {
		err = finish(b)
		in.taint(err)
	}
	return r, err
}

// CallWith calls kernel k with args through b, as Buffers.Call does, and
// holds b's call for prepare, run just before the kernel, and finish, run
// just after it: a client that places guard words or writes inputs in
// prepare and checks or restores them in finish is sure that no other call
// through b (on another goroutine, a misuse) runs in between. A call
// through b inside prepare or finish returns ErrConcurrent. Either
// function may be nil.
//
// Unlike Instance.CallWith's, finish runs whenever the kernel ran, also
// when the call failed: the buffers hold the caller's own data, so what
// prepare changed is put back whatever happens. Its error is returned only
// when the call succeeded.
//
// It returns k's result and the errors of Buffers.Call, or the error of
// prepare (the kernel is then not called) or of finish; an error of either
// that wraps ErrContract marks the instance untrusted.
func (b Buffers) CallWith(k *Kernel, args []uint64, prepare, finish func(Buffers) error) (uint64, error) {
	if b.in == nil {
		return 0, b.expired(k.Name())
	}
	in := b.in
	if err := in.checkCall(k, args); err != nil {
		return 0, err
	}
	if err := b.enter(k.name); err != nil {
		return 0, err
	}
	r, err := in.between(b, k, args, prepare, finish)
	b.leave()
	in.out.deliver()
	return r, err
}

// between runs prepare, kernel k with args, and finish whenever the kernel
// ran, for Buffers.CallWith; the caller holds b's call. (Instance.CallWith
// writes the same steps out, running finish only after a success.)
func (in *Instance) between(b Buffers, k *Kernel, args []uint64, prepare, finish func(Buffers) error) (uint64, error) {
	if prepare != nil {
		if err := prepare(b); err != nil {
			in.taint(err)
			return 0, err
		}
	}
	r, err := in.rawCall(k, args)
	if finish != nil {
		ferr := finish(b)
		in.taint(ferr)
		if err == nil {
			err = ferr
		}
	}
	return r, err
}

// taint marks the instance untrusted if err, returned by a client's
// callback, wraps ErrContract.
func (in *Instance) taint(err error) {
	if err != nil && errors.Is(err, ErrContract) {
		in.tainted = true
	}
}

// unbounded reports whether a call with args can take the one-crossing
// path (wv_call_locked): a guest that is not threaded, no timeout and no
// bound context to arm, and few enough arguments; never under the race
// detector (race_on.go).
func (in *Instance) unbounded(args []uint64) bool {
	return !raceEnabled && in.th == nil && in.timeout == 0 && len(args) <= maxLockedArgs && in.nctx.Load() == 0
}

func (in *Instance) checkCall(k *Kernel, args []uint64) error {
	if in == nil || k == nil || k.m != in.mod || in.mod == nil || len(args) != len(k.sig.params) {
		return in.callArgsError(k, args)
	}
	return nil
}

// callArgsError is why checkCall refused k with args.
func (in *Instance) callArgsError(k *Kernel, args []uint64) error {
	if in.zero() {
		return errZeroInstance
	}
	if k == nil {
		return guestErr(in.name, "", ErrMissingExport, "a nil *Kernel: look the kernel up once with Module.Kernel (the guest exports %s)", in.mod.kernelNames())
	}
	if k.m != in.mod {
		return guestErr(in.name, k.name, ErrMissingExport, "kernel %q was looked up in module %q, not in this instance's: use Instance.Module().Kernel (the guest exports %s)",
			k.name, k.m.name, in.mod.kernelNames())
	}
	return guestErr(in.name, k.name, ErrSignature, "%d arguments for %v", len(args), k.sig)
}

// CallArgs is Call with typed arguments (I32, U32, I64, U64, F32, F64),
// each checked against k's parameter: where Call takes any uint64 (an f64's
// bits passed to an i32 parameter reach the guest as their low 32 bits),
// CallArgs refuses an argument of another type than its parameter's with
// ErrSignature naming it, before any guest code runs. The check is a
// comparison per argument; the call is then Call's (BenchmarkCall's
// path=typed-args against path=kernel).
//
//	r, err := in.CallArgs(k, host.F32(2), host.U32(uint32(len(x))))
//
// Errors: Call's, and ErrSignature (in a *GuestError naming the kernel)
// for an argument of the wrong type, or the zero Arg.
func (in *Instance) CallArgs(k *Kernel, args ...Arg) (uint64, error) {
	if k == nil || len(args) != len(k.sig.params) || len(args) > maxParams {
		return in.Call(k, make([]uint64, len(args))...) // Call's errors
	}
	for i, a := range args {
		if a.t != k.sig.params[i] {
			return 0, in.argTypeError(k, i, a)
		}
	}
	if len(args) <= raw.MaxLockedArgs { // the common case: a small array to zero
		var bits [raw.MaxLockedArgs]uint64
		for i, a := range args {
			bits[i] = a.bits
		}
		return in.Call(k, bits[:len(args)]...)
	}
	var bits [maxParams]uint64
	for i, a := range args {
		bits[i] = a.bits
	}
	return in.Call(k, bits[:len(args)]...)
}

// argTypeError is CallArgs' error for argument i of k, of the wrong type.
func (in *Instance) argTypeError(k *Kernel, i int, a Arg) error {
	if in.zero() {
		return errZeroInstance
	}
	got := "no argument (the zero Arg)"
	if a.t != 0 {
		got = "an " + a.t.String()
	}
	return guestErr(in.name, k.name, ErrSignature, "argument %d is %s, not an %v (%v)", i, got, k.sig.params[i], k.sig)
}

// rawCall runs k through the typed path. The caller holds the instance's lock.
func (in *Instance) rawCall(k *Kernel, args []uint64) (uint64, error) {
	for i, a := range args {
		in.c.SetArg(i, a)
	}
	if err := in.fastCall(k.index, len(args)); err != nil {
		return 0, err
	}
	return k.result(in.c.Result()), nil
}

// result is the result of k from the bits v of its slot: 0 when k returns
// nothing, the low 32 bits for a 32-bit type (Wasmtime writes only those).
func (k *Kernel) result(v uint64) uint64 {
	if len(k.sig.results) == 0 {
		return 0
	}
	if k.sig.results[0].size() == 4 {
		v &= math.MaxUint32
	}
	return v
}

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
	if in.plain() {
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

// plain reports whether a call can cross as it is: no thread, no deadline
// to arm or clear, no earlier end (fastCall, CallMany).
func (in *Instance) plain() bool {
	return in.th == nil && in.timeout == 0 && in.ended == nil && in.c.Timeout() == 0 && in.nctx.Load() == 0
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
	t.ClearStop() // a Stop asks the call that runs now
	if !t.Give(threads.Job{Export: int(e), NArgs: nargs}, deadline) {
		return &GuestError{Guest: in.name, Export: in.kname(e), Err: t.Busy()}
	}
	for {
		res, done := t.Next()
		if done {
			return in.threadedEnd(e, res)
		}
		cause := in.endCause(e, deadline)
		if cause == nil {
			continue
		}
		if stopped, err := in.cooperativeStop(e); stopped {
			return err
		}
		// Whatever the calling thread does within the grace, even return
		// a value, the call ended with cause (or an earlier failure).
		t.GiveUp(cause)
		return t.Failure()
	}
}

// threadedEnd is the error of a threaded call whose job ended with res:
// its trap or failure; or, when the guest returned but a thread failed
// meanwhile (the host's wake-up lets a calling thread asleep in a wait go
// on), that failure: a call the host ended is never a success. (One load
// when none did: Failure takes a lock.)
func (in *Instance) threadedEnd(e export, res threads.Result) error {
	if err := in.callError(e, res.CallErr); err != nil {
		return err
	}
	if in.th.Failed() {
		return in.th.Failure()
	}
	return nil
}

// StopGrace is how long a cooperative deadline waits for a threaded guest
// to stop once its stop word is raised (see WithTimeout): past it, the
// call returns ErrDeadline with ErrClosed and the instance is done, as for
// a guest with no stop word.
const StopGrace = 100 * time.Millisecond

// cooperativeStop ends a threaded call past its deadline the cooperative
// way, on an engine without deadlines (no epoch checks) and a guest with a
// stop word: it raises the word and waits up to StopGrace for the guest to
// return. stopped reports that it did; err is then ErrDeadline (or the
// call's own failure), and the instance serves on: the guest stopped where
// it chose to. The caller holds the instance's lock.
func (in *Instance) cooperativeStop(e export) (stopped bool, err error) {
	t := in.th
	if in.engine.deadlines || !t.HasStop() || t.Failed() || in.closing.Load() {
		return false, nil
	}
	res, ok := t.StopWait(StopGrace)
	if !ok {
		return false, nil
	}
	if err := in.threadedEnd(e, res); err != nil {
		return true, err
	}
	return true, &GuestError{Guest: in.name, Export: in.kname(e),
		Err: fmt.Errorf("%w: %w; the guest stopped at the host's request (its stop word)", ErrDeadline, in.deadlineCause())}
}

// endCause is why a threaded call must end now, or nil: a thread failed,
// the call passed its deadline, or a bound context ended. The caller holds
// the instance's lock.
func (in *Instance) endCause(e export, deadline time.Time) error {
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
	t := &Trap{}
	t.Message, t.Backtrace = splitTrapMessage(f.Message)
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
	// The guest stopped where it trapped: its own state (its runtime's,
	// its allocator's) is whatever that left. The instance serves on, as
	// WebAssembly allows, but a Pool replaces it.
	in.tainted = true
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
func (in *Instance) pingSlot() export { return export(len(in.mod.contract.kernels)) }

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
	raw.LabelMemory(in.base(), in.name) // for ViewFault, once closed
	return nil
}

// The C block has room for every parameter of a kernel.
var _ [raw.MaxArgs - maxParams]struct{}
