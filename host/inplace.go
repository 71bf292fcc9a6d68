package host

import (
	"errors"
	"runtime"
	"strings"
	"time"
)

// Buffers is in-place access to an instance's buffers: the caller writes
// inputs straight into linear memory through views (View) and calls
// kernels (Buffers.Call), with no copy. A Buffers is handed to the function
// given to Instance.InPlace and is valid only while that function runs; the
// instance's lock is held all that time. A Buffers kept or copied past that
// is expired: its methods and View return ErrClosed.
//
// # Rules for views
//
// A view aliases the guest's linear memory. It stays valid for the whole
// InPlace call: the host caps every instance's memory at its size after
// instantiation, so the memory cannot grow and move, and Close waits for
// InPlace to return. A view must not be kept or used after InPlace returns:
// the memory is freed when the instance is closed, and Go cannot tell.
//
// # One goroutine at a time
//
// Calls through one Buffers must not run at the same time on two
// goroutines: they share the instance's store. Doing so is detected, not
// suffered: the call that finds another in progress returns ErrConcurrent
// and does nothing. (Views are plain Go memory over the guest's: their
// reads and writes are yours to order, as for any slice.)
type Buffers struct {
	in  *Instance
	gen uint64 // the InPlace call that handed it out
}

// The instance's lock (Instance.lockWord, in the C block of its call path, so
// that the one crossing of a call can take and release it): one word, the generation of the last
// InPlace call times 4 plus one of these states, so that an InPlace and
// each call through its Buffers cost one compare-and-swap and one store
// each, and a Buffers of an earlier InPlace is told apart.
const (
	lkFree    = iota // not held
	lkHeld           // held by a call (Instance.Call, Close, ...)
	lkInPlace        // held by an InPlace, no call through its Buffers in progress
	lkCalling        // held by an InPlace, a call through its Buffers in progress
)

// InPlace calls fn with in-place access to the instance's buffers (see
// Buffers), holding the instance's lock until fn returns, and returns fn's
// error. It returns ErrClosed (in a *GuestError) without calling fn if the
// instance is closed (or in is nil or a zero Instance), and ErrOption if
// fn is nil.
//
// If fn's error wraps ErrContract (a client found that the guest broke its
// contract, a guard word it placed overwritten, say), the instance is
// marked untrusted: a Pool replaces it when it is released.
//
// Inside fn, call kernels through the Buffers (Buffers.Call): the
// instance's own methods (Call, InPlace, Close, ...) called from inside an
// InPlace callback on an instance that an InPlace holds return
// ErrConcurrent at once instead of waiting for a lock that could be held
// for ever (by the callback itself, or by a callback that waits in turn).
// Called from anywhere else, they wait for the InPlace to return, as for
// any call in progress.
func (in *Instance) InPlace(fn func(Buffers) error) error {
	if in.zero() {
		return errZeroInstance
	}
	if fn == nil {
		return guestErr(in.name, "", ErrOption, "InPlace with a nil function")
	}
	gen, err := in.acquire(1, "", lkInPlace)
	if err != nil {
		return err
	}
	defer in.endInPlace(gen)
	if err := in.gone(""); err != nil {
		return err
	}
	err = fn(Buffers{in: in, gen: gen})
	in.taint(err)
	return err
}

// endInPlace releases the lock of InPlace call gen, which expires its
// Buffers. A call another goroutine started through them finishes first;
// later ones see ErrClosed. Waiting for one (a misuse, and rare) sleeps
// between looks instead of spinning.
func (in *Instance) endInPlace(gen uint64) {
	//lint:ignore SA4016 lkFree is 0; the state is written out so that the transition reads as the lock word's
	for !in.lockWord().CompareAndSwap(gen<<2|lkInPlace, gen<<2|lkFree) {
		time.Sleep(expireWait)
	}
	in.wakeWaiter()
	in.out.deliver()
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

// expireWait is how long InPlace sleeps between looks while another
// goroutine's call through its Buffers finishes.
const expireWait = 50 * time.Microsecond

// lock takes the instance's lock for a call of export name, or returns
// ErrConcurrent when waiting for it could be for ever: the lock is held by
// an InPlace (or a CallWith) and the calling goroutine is inside such a
// callback itself (see InPlace). Release with unlock.
func (in *Instance) lock(name string) error {
	_, err := in.acquire(0, name, lkHeld)
	return err
}

// unlock releases the lock taken by lock.
func (in *Instance) unlock() {
	in.lockWord().Store(in.lockWord().Load() &^ 3)
	in.wakeWaiter()
}

// release is unlock for a hold that ran guest code: then the guest's
// output goes to the writers (output.deliver). (unlock stays apart, small
// enough to inline.)
func (in *Instance) release() {
	in.unlock()
	in.out.deliver()
}

// tryLock takes the lock in state (lkHeld; lkInPlace or lkCalling for
// the new generation of Buffers of an InPlace or a CallWith) if it is
// free, and returns the generation.
func (in *Instance) tryLock(state uint64) (uint64, bool) {
	v := in.lockWord().Load()
	if v&3 != lkFree {
		return 0, false
	}
	gen := v >> 2
	if state >= lkInPlace { // a new InPlace or CallWith: new Buffers
		gen++
	}
	return gen, in.lockWord().CompareAndSwap(v, gen<<2|state)
}

// acquire takes the lock in state, waiting while another holds it; see
// lock for the ErrConcurrent case. own is the number of InPlace or
// CallWith frames of the caller's own on the stack (InPlace or CallWith
// itself: 1), which do not count as a callback's.
func (in *Instance) acquire(own int, name string, state uint64) (uint64, error) {
	if gen, ok := in.tryLock(state); ok {
		return gen, nil
	}
	in.waiters.Add(1)
	defer in.waiters.Add(-1)
	looked := false
	for {
		if gen, ok := in.tryLock(state); ok {
			return gen, nil
		}
		if !looked && in.lockWord().Load()&3 >= lkInPlace {
			if insideInPlace(own) {
				return 0, guestErr(in.name, name, ErrConcurrent,
					"called from inside an InPlace or CallWith callback while one holds the instance: use the Buffers' methods")
			}
			looked = true
		}
		<-in.wake
	}
}

// wakeWaiter lets one goroutine waiting in acquire look again. A waiter
// counts itself before its last look, so a release either sees it or
// frees the lock before that look.
func (in *Instance) wakeWaiter() {
	if in.waiters.Load() > 0 {
		select {
		case in.wake <- struct{}{}:
		default: // a wake is pending already
		}
	}
}

// inPlaceFrame and callWithFrame are the functions whose frames mark a
// goroutine that runs a callback holding the lock.
const (
	inPlaceFrame  = "github.com/wasmvec/wasmvec/host.(*Instance).InPlace"
	callWithFrame = "github.com/wasmvec/wasmvec/host.(*Instance).CallWith"
)

// insideInPlace reports whether the calling goroutine runs inside an
// InPlace or CallWith callback: whether they are on its stack more than
// own times.
// It walks the whole stack (only a call that found the lock taken by an
// InPlace pays this).
func insideInPlace(own int) bool {
	pcs := make([]uintptr, 64)
	for skip := 2; ; skip += len(pcs) {
		n := runtime.Callers(skip, pcs)
		frames := runtime.CallersFrames(pcs[:n])
		for {
			f, more := frames.Next()
			if isFrame(f.Function, inPlaceFrame) || isFrame(f.Function, callWithFrame) {
				if own == 0 {
					return true
				}
				own--
			}
			if !more {
				break
			}
		}
		if n < len(pcs) {
			return false
		}
	}
}

// isFrame reports whether function fn is method m or a closure inside it.
func isFrame(fn, m string) bool { return fn == m || strings.HasPrefix(fn, m+".") }

// enter takes b for one call, or says why it cannot: InPlace returned
// (ErrClosed), or another goroutine's call is in progress (ErrConcurrent).
// Release with leave.
func (b Buffers) enter(name string) error {
	if b.in == nil {
		return b.expired(name)
	}
	w := b.in.lockWord()
	for {
		if w.CompareAndSwap(b.gen<<2|lkInPlace, b.gen<<2|lkCalling) {
			return nil
		}
		// The state the swap found is gone by now: look again, and try
		// again if the call that was in progress has just ended.
		if seen := w.Load(); seen != b.gen<<2|lkInPlace {
			return b.refuse(name, seen)
		}
	}
}

// refuse is the error of a call through b that found the lock in state
// seen: another goroutine's call through b (ErrConcurrent), or b expired.
func (b Buffers) refuse(name string, seen uint64) error {
	if seen == b.gen<<2|lkCalling {
		return guestErr(b.in.name, name, ErrConcurrent,
			"a call through the same Buffers is in progress (on another goroutine, or the CallWith that handed them out)")
	}
	return b.expired(name)
}

func (b Buffers) leave() { b.in.lockWord().Store(b.gen<<2 | lkInPlace) }

// expired is the error of a Buffers used after its InPlace returned.
func (b Buffers) expired(name string) error {
	guest := ""
	if b.in != nil {
		guest = b.in.name
	}
	return guestErr(guest, name, ErrClosed, "buffers used after InPlace returned")
}
