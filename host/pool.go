package host

import (
	"context"
	"fmt"
	"runtime"
	"sync"
)

// Pool is a fixed set of instances of one module, for many goroutines: each
// instance has its own store and buffers, so calls on different instances
// run in parallel. A Pool is safe for concurrent use.
//
//	err := pool.Do(ctx, func(in *host.Instance) error {
//		s, err = in.SumSIMD(x)
//		return err
//	})
//
// Each Acquire and Release touches state shared by all goroutines (a
// channel and a mutex): for calls of a microsecond or less, hold an
// instance across many calls (Acquire, loop, Release) instead of one Do per
// call. Close it when done; it closes its instances.
type Pool struct {
	name   string
	module *Module
	opts   []Option // for Instantiate, also when an instance is replaced
	all    []*Instance
	tokens chan struct{} // one per free instance: what Acquire waits on

	mu     sync.Mutex
	free   []*Instance // a stack: the instance released last, its buffers likely in cache, goes out first
	closed bool
	done   chan struct{} // closed by Close: wakes every waiting Acquire
}

// NewPool makes size instances of the module (size <= 0 means
// runtime.GOMAXPROCS(0)), each with opts (see Instantiate). It returns the
// first error of Instantiate, after closing the instances already made.
//
// Each instance of a threaded guest runs its own threads (WithThreads,
// default GOMAXPROCS): size instances of n threads keep size*n threads busy,
// and more threads than cores is slow (README: the threaded guest). Pool a
// threaded guest with WithThreads(runtime.GOMAXPROCS(0)/size), or use one
// instance.
func (m *Module) NewPool(size int, opts ...Option) (*Pool, error) {
	if size <= 0 {
		size = runtime.GOMAXPROCS(0)
	}
	p := &Pool{name: m.name, module: m, opts: opts, tokens: make(chan struct{}, size), done: make(chan struct{})}
	for range size {
		in, err := m.Instantiate(opts...)
		if err != nil {
			p.Close()
			return nil, err
		}
		p.all = append(p.all, in)
		p.free = append(p.free, in)
		p.tokens <- struct{}{}
	}
	return p, nil
}

// Size returns the number of instances in the pool.
func (p *Pool) Size() int { return len(p.all) }

// Acquire takes a free instance, waiting until one is released; the one
// released most recently goes out first, as its buffers are the likeliest
// to be in cache. It returns ctx.Err() (wrapped) if ctx ends first, and
// ErrClosed if the pool is or gets closed. Give the instance back with
// Release.
func (p *Pool) Acquire(ctx context.Context) (*Instance, error) {
	select {
	case <-p.done:
		return nil, &GuestError{Guest: p.name, Err: fmt.Errorf("%w: pool", ErrClosed)}
	default:
	}
	select {
	case <-p.tokens:
		p.mu.Lock()
		in := p.free[len(p.free)-1]
		p.free = p.free[:len(p.free)-1]
		p.mu.Unlock()
		return in, nil
	case <-p.done:
		return nil, &GuestError{Guest: p.name, Err: fmt.Errorf("%w: pool", ErrClosed)}
	case <-ctx.Done():
		return nil, &GuestError{Guest: p.name, Err: fmt.Errorf("wasmvec: waiting for a pool instance: %w", ctx.Err())}
	}
}

// Release gives back an instance taken with Acquire. An instance that can
// no longer be trusted (a call was interrupted by its deadline, or a thread
// of a threaded guest trapped) is closed and replaced by a new one; if that
// fails, a threaded instance is dropped (the pool shrinks) and another is
// kept. Releasing an instance twice, or one from another pool, is a
// programming error: it is ignored when the pool is full rather than
// blocking.
func (p *Pool) Release(in *Instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) == len(p.all) {
		return
	}
	if !p.closed && in.untrusted() {
		if fresh, err := p.module.Instantiate(p.opts...); err == nil {
			for i, old := range p.all {
				if old == in {
					p.all[i] = fresh
				}
			}
			in.Close()
			in = fresh
		}
	}
	p.free = append(p.free, in)
	p.tokens <- struct{}{} // never blocks: one token per free instance, len(free) <= cap
}

// Do runs fn with an instance of the pool, acquired as by Acquire and
// released when fn returns; while fn runs, the instance's calls are bound
// by ctx (see Instance.Bind): they return ErrDeadline when ctx ends. It
// returns Acquire's error or fn's.
func (p *Pool) Do(ctx context.Context, fn func(*Instance) error) error {
	in, err := p.Acquire(ctx)
	if err != nil {
		return err
	}
	defer p.Release(in)
	unbind := in.Bind(ctx)
	defer unbind()
	return fn(in)
}

// Close closes every instance (a call in progress on one finishes first) and
// makes Acquire return ErrClosed. Close is idempotent and returns nil.
func (p *Pool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	close(p.done)
	for _, in := range p.all {
		in.Close()
	}
	return nil
}
