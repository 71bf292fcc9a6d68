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

// The states of Instance.ip, in its two low bits; the rest count InPlace
// calls, so a Buffers of an earlier one is told apart.
const (
	ipFree    = iota // no InPlace runs
	ipIdle           // an InPlace runs, no call through its Buffers
	ipCalling        // a call through its Buffers is in progress
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
	if err := in.lockFrom(1, ""); err != nil {
		return err
	}
	defer in.mu.Unlock()
	if in.closed {
		return &GuestError{Guest: in.name, Err: ErrClosed}
	}
	gen := in.ip.Load()>>2 + 1
	in.ip.Store(gen<<2 | ipIdle)
	defer in.endInPlace(gen)
	err := fn(Buffers{in: in, gen: gen})
	if err != nil && errors.Is(err, ErrContract) {
		in.tainted = true
	}
	return err
}

// endInPlace expires the Buffers of InPlace call gen. A call another
// goroutine started through them finishes first; later ones see ErrClosed.
// Waiting for one (a misuse, and rare) sleeps between looks instead of
// spinning.
func (in *Instance) endInPlace(gen uint64) {
	for !in.ip.CompareAndSwap(gen<<2|ipIdle, gen<<2|ipFree) {
		time.Sleep(expireWait)
	}
}

// expireWait is how long InPlace sleeps between looks while another
// goroutine's call through its Buffers finishes.
const expireWait = 50 * time.Microsecond

// lock takes the instance's lock for a call of export name, or returns
// ErrConcurrent when waiting for it could be for ever: the lock is held by
// an InPlace and the calling goroutine is inside an InPlace callback
// itself (see InPlace). Release with in.mu.Unlock.
func (in *Instance) lock(name string) error { return in.lockFrom(0, name) }

// lockFrom is lock for a caller with own InPlace frames of its own on the
// stack (InPlace itself: 1), which do not count as a callback's.
func (in *Instance) lockFrom(own int, name string) error {
	if in.mu.TryLock() {
		return nil
	}
	if in.ip.Load()&3 != ipFree && insideInPlace(own) {
		return guestErr(in.name, name, ErrConcurrent,
			"called from inside an InPlace callback while an InPlace holds the instance: use the Buffers' methods")
	}
	in.mu.Lock()
	return nil
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
	v := b.in.ip.Load()
	return v>>2 == b.gen && v&3 != ipFree
}

// enter takes b for one call, or says why it cannot: InPlace returned
// (ErrClosed), or another goroutine's call is in progress (ErrConcurrent).
// Release with leave.
func (b Buffers) enter(name string) error {
	if b.in != nil && b.in.ip.CompareAndSwap(b.gen<<2|ipIdle, b.gen<<2|ipCalling) {
		return nil
	}
	if b.live() {
		return guestErr(b.in.name, name, ErrConcurrent, "a call through the same Buffers is in progress on another goroutine")
	}
	return b.expired(name)
}

func (b Buffers) leave() { b.in.ip.Store(b.gen<<2 | ipIdle) }

// expired is the error of a Buffers used after its InPlace returned.
func (b Buffers) expired(name string) error {
	guest := ""
	if b.in != nil {
		guest = b.in.name
	}
	return guestErr(guest, name, ErrClosed, "buffers used after InPlace returned")
}
