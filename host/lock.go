package host

import (
	"runtime"
	"strings"
	"sync/atomic"
	"time"
)

// The instance's lock (Instance.lockWord, in the C block of its call path, so
// that the one crossing of a call can take and release it): one word, the generation of the last
// InPlace call times 4 plus one of these states, so that an InPlace and
// each call through its Buffers cost one compare-and-swap and one store
// each, and a Buffers of an earlier InPlace is told apart.
//
// Its transitions, and who makes them (gen is the generation):
//
//	gen·4+lkFree    → gen·4+lkHeld         lock (Call, Close, ...; tryLock), or wv_call_locked in C
//	gen·4+lkHeld    → gen·4+lkFree         unlock, release; wv_call_locked on its way out
//	gen·4+lkFree    → (gen+1)·4+lkInPlace  InPlace, CallWith (acquire: new Buffers)
//	gen·4+lkInPlace → gen·4+lkCalling      a call through those Buffers (enter; wv_call_locked)
//	gen·4+lkCalling → gen·4+lkInPlace      its end (leave; wv_call_locked)
//	gen·4+lkInPlace → gen·4+lkFree         InPlace, CallWith return (endInPlace): the Buffers expire
//
// A waiter for the lock sleeps on Instance.wake (wakeWaiter). A call that
// finds the lock in lkInPlace or lkCalling from inside that InPlace's own
// callback would wait for ever: acquire tells it ErrConcurrent instead
// (insideInPlace).
const (
	lkFree    = iota // not held
	lkHeld           // held by a call (Instance.Call, Close, ...)
	lkInPlace        // held by an InPlace, no call through its Buffers in progress
	lkCalling        // held by an InPlace, a call through its Buffers in progress
)

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
// goroutine that runs a callback holding the lock. Why frames: a call must
// know whether its goroutine is the one inside the callback (then waiting
// would never end) or another (then it waits), and Go gives a goroutine no
// identity to record in the lock. Reading one (runtime.Stack's header) at
// every InPlace would cost about a microsecond on a path of ~80 ns; the
// walk costs only a call that found the lock taken by an InPlace. The
// names are pinned by TestReentryFrames: a rename or a wrapper that hides
// the frame fails it.
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
