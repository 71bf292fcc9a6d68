package host

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/wasmvec/wasmvec/kernels"
)

// SumParallel returns the canonical sum of x (the same bits as
// Instance.Sum), computed by the pool's instances in parallel: x is cut into
// chunks of whole blocks (as many as fit an instance's buffers), each
// instance computes its chunks' block partials with the guest's
// "sum-blocks" export, and the host folds the partials in block order:
//
//	acc := -0.0
//	for k := range blocks { acc = acc + partial[k] }
//
// It returns the errors of Acquire and of the kernels, and ctx's error
// (wrapped) if ctx ends before every chunk is computed; on the first error
// the other chunks stop and that error is returned. Each instance's calls
// are bound by ctx (Instance.Bind): on an engine made WithDeadlines a chunk
// running when ctx ends is interrupted (ErrDeadline) within about
// EpochTick, and the pool replaces that instance.
func (p *Pool) SumParallel(ctx context.Context, x []float64) (float64, error) {
	return p.foldParallel(ctx, expSumBlocks, x, nil)
}

// DotParallel is SumParallel for the canonical dot product of x and y
// ("dot-blocks"). It returns ErrLength if len(x) != len(y).
func (p *Pool) DotParallel(ctx context.Context, x, y []float64) (float64, error) {
	if len(x) != len(y) {
		return 0, &GuestError{Guest: p.name, Export: vectorWorld[expDotBlocks].name, Err: fmt.Errorf("%w: x %d, y %d", ErrLength, len(x), len(y))}
	}
	return p.foldParallel(ctx, expDotBlocks, x, y)
}

func (p *Pool) foldParallel(ctx context.Context, e export, x, y []float64) (float64, error) {
	if err := p.module.c.vecErr; err != nil {
		return 0, err
	}
	if len(x) == 0 {
		return 0, nil
	}
	blockCap := p.cap / kernels.BlockLen // blocks per chunk
	if blockCap == 0 {
		return 0, guestErr(p.name, vectorWorld[e].name, ErrCapacity,
			"capacity %d is below one block (%d): blocks cannot be computed apart", p.cap, kernels.BlockLen)
	}
	chunk := blockCap * kernels.BlockLen
	chunks := (len(x) + chunk - 1) / chunk
	partials := make([]float64, (len(x)+kernels.BlockLen-1)/kernels.BlockLen)
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		done     atomic.Int64 // chunks computed
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	for range min(chunks, p.Size()) {
		wg.Go(func() {
			in, err := p.Acquire(ctx)
			if err != nil {
				fail(err)
				return
			}
			defer p.Release(in)
			// Bound by ctx (which the first failure cancels): a chunk still
			// running when it ends is interrupted within about a tick.
			unbind := in.Bind(ctx)
			defer unbind()
			for c := int(next.Add(1) - 1); c < chunks && ctx.Err() == nil; c = int(next.Add(1) - 1) {
				start, end := c*chunk, min((c+1)*chunk, len(x))
				var yc []float64
				if y != nil {
					yc = y[start:end]
				}
				if err := in.blockPartials(e, x[start:end], yc, partials[start/kernels.BlockLen:]); err != nil {
					fail(err)
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	if int(done.Load()) != chunks { // only when parent ended before every chunk ran
		return 0, &GuestError{Guest: p.name, Export: vectorWorld[e].name, Err: fmt.Errorf("wasmvec: parallel fold: %w", parent.Err())}
	}
	acc := kernels.NegZero()
	for _, v := range partials {
		acc = acc + v
	}
	return acc, nil
}

// blockPartials runs a -blocks export over x (and y), len(x) <= cap, and
// copies the partials into out.
func (in *Instance) blockPartials(e export, x, y, out []float64) error {
	if err := in.lock(in.kname(e)); err != nil {
		return err
	}
	defer in.mu.Unlock()
	if in.closed {
		return &GuestError{Guest: in.name, Export: in.kname(e), Err: ErrClosed}
	}
	in.load(x, y)
	if err := in.callLen(e, len(x)); err != nil {
		return err
	}
	nb := (len(x) + kernels.BlockLen - 1) / kernels.BlockLen
	copy(out[:nb], in.view(bufResult, nb))
	return nil
}
