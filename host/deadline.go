package host

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Deadlines use Wasmtime's epoch interruption: an engine made WithDeadlines
// is built with it,
// one ticker goroutine per Engine (started the first time an instance needs
// it, stopped by Engine.Close) advances the epoch every epochTick, and at
// each tick guest code still running calls the store's deadline callback
// (C, in internal/raw), which ends the call if it is past its deadline or
// interrupted. Guest code checks the epoch at function entries and loop
// back-edges, so a call ends within about one tick of its deadline
// whatever the guest does, including an infinite loop.

// epochTick is the period of an engine's epoch ticker: the resolution of
// deadlines (a call can overrun its deadline by up to about one tick).
const epochTick = time.Millisecond

// ticker is an Engine's epoch ticker.
type ticker struct {
	stop chan struct{}
	done chan struct{}
}

// startTicker starts the engine's epoch ticker unless it runs already or
// the engine is freed (closed, with no live instance).
func (e *Engine) startTicker() {
	e.tmu.Lock()
	defer e.tmu.Unlock()
	if e.ticker != nil || e.freed {
		return
	}
	t := &ticker{stop: make(chan struct{}), done: make(chan struct{})}
	e.ticker = t
	go func() {
		defer close(t.done)
		tk := time.NewTicker(epochTick)
		defer tk.Stop()
		for {
			select {
			case <-tk.C:
				e.e.IncrementEpoch()
			case <-t.stop:
				return
			}
		}
	}()
}

// stopTicker stops the ticker and waits for its goroutine. The caller holds
// e.tmu.
func (e *Engine) stopTicker() {
	if e.ticker != nil {
		close(e.ticker.stop)
		<-e.ticker.done
		e.ticker = nil
	}
}

// Bind bounds every call on the instance by ctx until the returned unbind
// function is called: a call returns ErrDeadline (wrapping ctx.Err()) when
// ctx is cancelled or reaches its deadline while it runs (within about
// a millisecond), or at once when ctx has ended before. It is meant for an
// instance one goroutine owns for a while, as Pool.Do does: calls from
// other goroutines meanwhile are bound too. Call unbind exactly once. A
// nil ctx, like context.Background(), binds nothing; so does any ctx on a
// nil or zero Instance. Binds
// nest (a Bind inside Pool.Do, say): every bound context bounds each call,
// so the tightest deadline wins, and unbinding one leaves the others bound.
// Cancelling ctx also ends the worker threads of a threaded guest, which
// is then done (ErrClosed).
//
// On an engine not made WithDeadlines, a running call of a guest that is
// not threaded cannot be stopped: Bind then only refuses calls that start
// after ctx ended. A threaded guest's call returns when ctx ends on any
// engine, as at a timeout (WithTimeout says how: on an engine without
// deadlines, cooperatively first), leaving a guest thread that cannot be
// interrupted counted as stuck (at most 256 such threads; past them
// Instantiate of a threaded guest returns ErrLimit).
func (in *Instance) Bind(ctx context.Context) (unbind func()) {
	if in.zero() || ctx == nil || ctx.Done() == nil {
		return func() {} // never cancelled, no deadline
	}
	if in.engine.deadlines {
		in.engine.startTicker()
	}
	in.cmu.Lock()
	in.ctxs = append(in.ctxs, ctx)
	in.nctx.Store(int32(len(in.ctxs)))
	in.cmu.Unlock()
	var mu sync.Mutex
	unbound := false
	stop := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !unbound {
			in.interrupt()
		}
	})
	return func() {
		stop()
		mu.Lock()
		unbound = true
		mu.Unlock()
		in.cmu.Lock()
		defer in.cmu.Unlock()
		if i := slices.Index(in.ctxs, ctx); i >= 0 {
			in.ctxs = slices.Delete(in.ctxs, i, i+1)
		}
		in.nctx.Store(int32(len(in.ctxs)))
		if in.th == nil {
			// A threaded instance that was interrupted is done; another
			// serves calls again (the flag is in C memory the Instance
			// keeps, closed or not).
			in.c.SetInterrupt(false)
		}
	}
}

// endRunning ends the call in progress for Close: the call returns
// ErrClosed (closing), a threaded one at once, one that is not threaded at
// the next epoch tick on an engine made WithDeadlines.
func (in *Instance) endRunning() {
	in.closing.Store(true)
	if in.engine.deadlines {
		in.engine.startTicker()
	}
	in.interrupt()
}

// interrupt ends the running call (and every thread of a threaded guest)
// at the next tick; calls stay interrupted until the flag is cleared. A
// threaded guest's caller is told at once (package threads), on any engine.
func (in *Instance) interrupt() {
	in.c.SetInterrupt(true)
	if in.th != nil {
		in.th.Poke()
	}
}

// arm sets the bound of the next call from the instance's timeout and bound
// context, or returns the error of a context that has already ended. The
// caller holds the instance's lock.
func (in *Instance) arm(name string) error {
	d := in.timeout
	in.ctxBound = false
	in.cmu.Lock()
	defer in.cmu.Unlock()
	for _, ctx := range in.ctxs {
		if err := ctx.Err(); err != nil {
			return &GuestError{Guest: in.name, Export: name, Err: fmt.Errorf("%w: %w", ErrDeadline, err)}
		}
		if dl, ok := ctx.Deadline(); ok && in.engine.deadlines {
			r := time.Until(dl)
			if r <= 0 {
				return &GuestError{Guest: in.name, Export: name, Err: fmt.Errorf("%w: %w", ErrDeadline, context.DeadlineExceeded)}
			}
			if d == 0 || r < d {
				d = r
				in.ctxBound = true
			}
		}
	}
	in.c.SetTimeout(d)
	return nil
}

// deadlineError is the error of a call the epoch callback ended: ErrClosed
// when Close ended it, else ErrDeadline.
func (in *Instance) deadlineError(name string, trap error) error {
	in.tainted = true
	if in.closing.Load() {
		return &GuestError{Guest: in.name, Export: name, Err: fmt.Errorf("%w: the instance was closed during the call (%w)", ErrClosed, trap)}
	}
	return &GuestError{Guest: in.name, Export: name, Err: fmt.Errorf("%w: %w (%w)", ErrDeadline, in.deadlineCause(), trap)}
}

// deadlineCause is why a call ran out of time: the error of a bound
// context that ended, else the timeout.
func (in *Instance) deadlineCause() error {
	in.cmu.Lock()
	defer in.cmu.Unlock()
	for _, ctx := range in.ctxs {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if in.ctxBound {
		// The epoch callback saw a bound context's deadline pass before the
		// context's own timer did: it is still that context's deadline.
		return context.DeadlineExceeded
	}
	return fmt.Errorf("the call ran past its timeout of %v", in.timeout)
}

// untrusted reports whether the instance should be replaced: a call was
// interrupted or trapped (the guest stopped at an arbitrary point, its own
// state may be inconsistent), a threaded instance aborted, or its user closed it
// (inside Pool.Do, say).
func (in *Instance) untrusted() bool {
	if in.lock("") != nil {
		return true // called inside an InPlace callback on the instance: replace it
	}
	defer in.unlock()
	return in.closed || in.tainted || in.ended != nil || (in.th != nil && in.th.Failure() != nil)
}
