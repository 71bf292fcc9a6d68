package host

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
)

// Pool is a fixed set of instances of one module, for many goroutines: each
// instance has its own store and buffers, so calls on different instances
// run in parallel. A Pool is safe for concurrent use.
//
//	err := pool.Do(ctx, func(in *host.Instance) error {
//		r, err = in.Call(kernel, args...)
//		return err
//	})
//
// Do touches no state shared by all goroutines on their
// common path: each instance sits in its own slot (one cache line), taken
// by compare-and-swap, and the slot released last on the same processor
// (a per-P hint, sync.Pool) is tried first, its buffers likely in cache.
// Only a Do that finds every instance taken waits on shared state.
// Close the pool when done; it closes its instances.
type Pool struct {
	name   string
	module *Module
	opts   []Option // for Instantiate, also when an instance is replaced
	slots  []poolSlot

	hints   sync.Pool     // *poolSlot released last on this P: a hint, checked by the CAS
	waiters atomic.Int32  // Acquires waiting for a slot
	wake    chan struct{} // Release's signal to waiters, buffered len(slots)

	mu        sync.Mutex     // Close, and replacing an instance
	replacing sync.WaitGroup // replacements under way (Release)
	closed    atomic.Bool
	done      chan struct{} // closed by Close: wakes every waiting Acquire
}

// poolSlot holds one instance of a pool. busy is set by the Acquire that
// takes it and cleared by Release; in changes only while busy is set (an
// instance replaced by Release).
type poolSlot struct {
	busy atomic.Bool
	in   atomic.Pointer[Instance]
	_    [64 - 16]byte // one cache line per slot: no false sharing between processors
}

// NewPool makes size instances of the module (size <= 0 means
// runtime.GOMAXPROCS(0)), each with opts (see Instantiate). It returns the
// first error of Instantiate, after closing the instances already made.
//
// Each instance of a threaded guest runs its own threads (WithThreads,
// default GOMAXPROCS): size instances of n threads keep size*n threads busy,
// and more threads than cores is slow (docs/rayon-scaling.md). Pool a
// threaded guest with WithThreads(runtime.GOMAXPROCS(0)/size), or use one
// instance.
func (m *Module) NewPool(size int, opts ...Option) (*Pool, error) {
	if m.zero() {
		return nil, errZeroModule
	}
	if size <= 0 {
		size = runtime.GOMAXPROCS(0)
	}
	p := &Pool{name: m.name, module: m, opts: opts, slots: make([]poolSlot, size),
		wake: make(chan struct{}, size), done: make(chan struct{})}
	for i := range p.slots {
		in, err := m.Instantiate(opts...)
		if err != nil {
			p.Close()
			return nil, err
		}
		in.pool, in.slot = p, i
		p.slots[i].in.Store(in)
	}
	return p, nil
}

// Size returns the number of instances in the pool (0 for a nil Pool).
func (p *Pool) Size() int {
	if p == nil {
		return 0
	}
	return len(p.slots)
}

// zero reports whether p is nil or a zero Pool, not one NewPool made.
func (p *Pool) zero() bool { return p == nil || p.done == nil }

func (p *Pool) errClosed() error {
	return &GuestError{Guest: p.name, Err: fmt.Errorf("%w: pool", ErrClosed)}
}

// acquire takes a free instance, waiting until one is released; the one
// released last on the calling goroutine's processor is tried first, as
// its buffers are the likeliest to be in cache. It returns ErrDeadline
// wrapping ctx.Err() if ctx ends before an instance is free (as a call
// that ctx ends does), and ErrClosed if the pool is or gets closed. Give the instance back with release.
//
// acquire is not fair: a goroutine that finds a free instance takes it even
// while others wait, so under sustained overload one waiter can wait longer
// than the rest (bound the wait with ctx).
func (p *Pool) acquire(ctx context.Context) (*Instance, error) {
	if p.closed.Load() {
		return nil, p.errClosed()
	}
	if s, ok := p.hints.Get().(*poolSlot); ok && s.busy.CompareAndSwap(false, true) {
		return s.in.Load(), nil
	}
	if in := p.take(); in != nil {
		return in, nil
	}
	// Every slot was taken. Count as a waiter before looking again, so a
	// Release either sees the waiter (and wakes it) or frees its slot
	// before the look (and the look finds it).
	p.waiters.Add(1)
	defer p.waiters.Add(-1)
	for {
		if in := p.take(); in != nil {
			return in, nil
		}
		select {
		case <-p.wake:
		case <-p.done:
			return nil, p.errClosed()
		case <-ctx.Done():
			return nil, &GuestError{Guest: p.name, Err: fmt.Errorf("%w: waiting for a pool instance: %w", ErrDeadline, ctx.Err())}
		}
	}
}

// take returns the instance of a free slot, now taken, or nil; it starts
// at a random slot so that goroutines do not all contend for the first.
func (p *Pool) take() *Instance {
	n := len(p.slots)
	start := rand.IntN(n)
	for i := range n {
		s := &p.slots[(start+i)%n]
		if !s.busy.Load() && s.busy.CompareAndSwap(false, true) {
			return s.in.Load()
		}
	}
	return nil
}

// release gives back an instance taken with acquire. An instance that can
// no longer be trusted (a call trapped, was interrupted by its deadline or
// broke the buffer contract) is closed and
// replaced by a new one, made on another goroutine so that Release returns
// at once (its slot is free again when the new instance is in it); if
// making the new one fails, the old one stays and its calls keep returning
// the error that ended it (ErrClosed for a threaded guest). Releasing an instance that is not taken, or one from
// another pool or none, is a programming error; it is ignored when it can
// be told (the instance is free or not this pool's), and otherwise frees
// the instance while its last taker may still use it.
func (p *Pool) release(in *Instance) {
	if in == nil || in.pool != p {
		return
	}
	s := &p.slots[in.slot]
	if s.in.Load() != in || !s.busy.Load() {
		return
	}
	if in.untrusted() {
		p.mu.Lock()
		if !p.closed.Load() {
			// Replaced on a goroutine of its own, so Release (and Pool.Do)
			// returns at once; the slot stays taken until the new instance
			// (or, if making it fails, the old one) is in it.
			p.replacing.Add(1)
			p.mu.Unlock()
			go func() {
				defer p.replacing.Done()
				p.replace(s, in)
				p.free(s)
			}()
			return
		}
		p.mu.Unlock()
	}
	p.free(s)
}

// replace puts a new instance into slot s in place of in, and closes in;
// if making the new one fails, in stays.
func (p *Pool) replace(s *poolSlot, in *Instance) {
	fresh, err := p.module.Instantiate(p.opts...)
	if err != nil {
		return
	}
	fresh.pool, fresh.slot = p, in.slot
	p.mu.Lock()
	if p.closed.Load() {
		fresh.Close() // Close closes the slot's old instance
		p.mu.Unlock()
		return
	}
	s.in.Store(fresh)
	p.mu.Unlock()
	in.Close()
}

// free makes slot s available to Acquire again.
func (p *Pool) free(s *poolSlot) {
	s.busy.Store(false)
	p.hints.Put(s)
	if p.waiters.Load() > 0 {
		select {
		case p.wake <- struct{}{}:
		default: // wakes are pending already: a waiter will look again
		}
	}
}

// Do runs fn with an instance of the pool, taken as soon as one is free
// (the one released last on the calling goroutine's processor first, as
// its buffers are the likeliest to be in cache) and given back when fn
// returns; while fn runs, the instance's calls are bound
// by ctx (see Instance.Bind): they return ErrDeadline when ctx ends. It
// returns ErrDeadline wrapping ctx.Err() if ctx ends before an instance
// is free, ErrClosed if the pool is or gets closed (or p is nil or a zero
// Pool), ErrOption if ctx or fn is nil, or fn's error. An
// instance that can no longer be trusted afterwards (a call that trapped,
// in any thread, or was interrupted by its deadline, a broken contract) is
// replaced by a new one: the guest stopped at an arbitrary point, and its
// runtime's state is what that left. Do is not fair: a goroutine that finds a free
// instance takes it even while others wait (bound the wait with ctx).
func (p *Pool) Do(ctx context.Context, fn func(*Instance) error) error {
	switch {
	case p.zero():
		return &GuestError{Err: fmt.Errorf("%w: a nil or zero *Pool: not one that Module.NewPool returned", ErrClosed)}
	case ctx == nil:
		return guestErr(p.name, "", ErrOption, "Pool.Do with a nil context: use context.Background()")
	case fn == nil:
		return guestErr(p.name, "", ErrOption, "Pool.Do with a nil function")
	}
	in, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	defer p.release(in)
	unbind := in.Bind(ctx)
	defer unbind()
	return fn(in)
}

// Close closes every instance (a call in progress on one is ended as
// Instance.Close ends it, and its Do returns ErrClosed; a replacement
// being made is waited for); later Do calls return ErrClosed. Close is idempotent and returns nil (also for a nil or zero
// Pool).
func (p *Pool) Close() error {
	if p.zero() {
		return nil
	}
	p.mu.Lock()
	if p.closed.Swap(true) {
		p.mu.Unlock()
		return nil
	}
	close(p.done)
	p.mu.Unlock()
	p.replacing.Wait() // no replacement starts after closed is set (under mu)
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range p.slots {
		if in := p.slots[i].in.Load(); in != nil {
			in.Close()
		}
	}
	return nil
}
