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
// instance is closed.
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
	gen, err := in.acquire(1, "", lkInPlace)
	if err != nil {
		return err
	}
	defer in.endInPlace(gen)
	if in.closed {
		return &GuestError{Guest: in.name, Err: ErrClosed}
	}
	err = fn(Buffers{in: in, gen: gen})
	if err != nil && errors.Is(err, ErrContract) {
		in.tainted = true
	}
	return err
}

// endInPlace releases the lock of InPlace call gen, which expires its
// Buffers. A call another goroutine started through them finishes first;
// later ones see ErrClosed. Waiting for one (a misuse, and rare) sleeps
// between looks instead of spinning.
func (in *Instance) endInPlace(gen uint64) {
	for !in.lockWord().CompareAndSwap(gen<<2|lkInPlace, gen<<2|lkFree) {
		time.Sleep(expireWait)
	}
	in.wakeWaiter()
}

// expireWait is how long InPlace sleeps between looks while another
// goroutine's call through its Buffers finishes.
const expireWait = 50 * time.Microsecond

// lock takes the instance's lock for a call of export name, or returns
// ErrConcurrent when waiting for it could be for ever: the lock is held by
// an InPlace and the calling goroutine is inside an InPlace callback
// itself (see InPlace). Release with unlock.
func (in *Instance) lock(name string) error {
	_, err := in.acquire(0, name, lkHeld)
	return err
}

// unlock releases the lock taken by lock.
func (in *Instance) unlock() {
	in.lockWord().Store(in.lockWord().Load() &^ 3)
	in.wakeWaiter()
}

// tryLock takes the lock in state (lkHeld, or lkInPlace for a new InPlace
// generation) if it is free, and returns the generation.
func (in *Instance) tryLock(state uint64) (uint64, bool) {
	v := in.lockWord().Load()
	if v&3 != lkFree {
		return 0, false
	}
	gen := v >> 2
	if state == lkInPlace {
		gen++
	}
	return gen, in.lockWord().CompareAndSwap(v, gen<<2|state)
}

// acquire takes the lock in state, waiting while another holds it; see
// lock for the ErrConcurrent case. own is the number of InPlace frames of
// the caller's own on the stack (InPlace itself: 1), which do not count as
// a callback's.
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
					"called from inside an InPlace callback while an InPlace holds the instance: use the Buffers' methods")
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

// inPlaceFrame is the function whose frame marks a goroutine that runs an
// InPlace callback.
const inPlaceFrame = "github.com/wasmvec/wasmvec/host.(*Instance).InPlace"

// insideInPlace reports whether the calling goroutine runs inside an
// InPlace callback: whether InPlace is on its stack more than own times.
// It walks the whole stack (only a call that found the lock taken by an
// InPlace pays this).
func insideInPlace(own int) bool {
	pcs := make([]uintptr, 64)
	for skip := 2; ; skip += len(pcs) {
		n := runtime.Callers(skip, pcs)
		frames := runtime.CallersFrames(pcs[:n])
		for {
			f, more := frames.Next()
			if f.Function == inPlaceFrame || strings.HasPrefix(f.Function, inPlaceFrame+".") {
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

// live reports whether b belongs to the InPlace call that runs now.
func (b Buffers) live() bool {
	if b.in == nil {
		return false
	}
	v := b.in.lockWord().Load()
	return v>>2 == b.gen && v&3 >= lkInPlace
}

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
		return guestErr(b.in.name, name, ErrConcurrent, "a call through the same Buffers is in progress on another goroutine")
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
