package vector

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/kernels"
)

// SumParallel returns the canonical sum of x (the same bits as Sum),
// computed by the instances of pool p (of the module Lookup was given) in
// parallel: x is cut into chunks of whole blocks (as many as fit an
// instance's buffers), each instance computes its chunks' block partials
// with the guest's "sum-blocks" export, and the host folds the partials in
// block order:
//
//	acc := -0.0
//	for k := range blocks { acc = acc + partial[k] }
//
// It returns the errors of host.Pool.Do and of the kernels, and ctx's error
// (wrapped) if ctx ends before every chunk is computed; on the first error
// the other chunks stop and that error is returned. Each instance's calls
// are bound by ctx (host.Pool.Do): on an engine made host.WithDeadlines a
// chunk running when ctx ends is interrupted (host.ErrDeadline) within
// about a millisecond, and the pool replaces that instance.
func (k *Kernels) SumParallel(ctx context.Context, p *host.Pool, x []float64) (float64, error) {
	if !k.usable() {
		return 0, k.unusable()
	}
	if ctx == nil {
		return 0, &host.GuestError{Guest: k.guest, Err: fmt.Errorf("%w: a nil context: use context.Background()", host.ErrOption)}
	}
	return k.foldParallel(ctx, p, kSumBlocks, x, nil)
}

// DotParallel is SumParallel for the canonical dot product of x and y
// ("dot-blocks"). It returns ErrLength if len(x) != len(y).
func (k *Kernels) DotParallel(ctx context.Context, p *host.Pool, x, y []float64) (float64, error) {
	if !k.usable() {
		return 0, k.unusable()
	}
	if ctx == nil {
		return 0, &host.GuestError{Guest: k.guest, Err: fmt.Errorf("%w: a nil context: use context.Background()", host.ErrOption)}
	}
	if len(x) != len(y) {
		return 0, k.lengthErr(kDotBlocks, "x %d, y %d", len(x), len(y))
	}
	return k.foldParallel(ctx, p, kDotBlocks, x, y)
}

func (k *Kernels) foldParallel(ctx context.Context, p *host.Pool, e worldFn, x, y []float64) (float64, error) {
	if len(x) == 0 {
		return 0, nil
	}
	kk := k.k[e]
	partials := make([]float64, (len(x)+kernels.BlockLen-1)/kernels.BlockLen)
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		blocks   atomic.Int64 // blocks computed
		next     atomic.Int64 // the next block to start a chunk at
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	nb := int64(len(partials))
	for range max(1, min(int(nb), p.Size())) { // at least one Do: a nil or closed pool's says why
		wg.Go(func() {
			// Bound by ctx (which the first failure cancels): a chunk still
			// running when it ends is interrupted within about a tick.
			err := p.Do(ctx, func(in *host.Instance) error {
				return in.InPlace(func(b host.Buffers) error {
					var v views
					if err := v.of(k, b); err != nil {
						return err
					}
					per := int64(v.cap / kernels.BlockLen) // blocks per chunk
					if per == 0 {
						return k.capacityErr(kk.Name(), "capacity %d is below one block (%d): blocks cannot be computed apart", v.cap, kernels.BlockLen)
					}
					for ctx.Err() == nil {
						first := next.Add(per) - per
						if first >= nb {
							return nil
						}
						start, end := int(first)*kernels.BlockLen, min(int(first+per)*kernels.BlockLen, len(x))
						n := end - start
						copy(v.a, x[start:end])
						if y != nil {
							copy(v.b, y[start:end])
						}
						got := (n + kernels.BlockLen - 1) / kernels.BlockLen
						if _, err := k.call(b, &v, kk, n, got, i32Arg(n)); err != nil {
							return err
						}
						copy(partials[first:], v.result[:got])
						blocks.Add(int64(got))
					}
					return nil
				})
			})
			if err != nil {
				fail(err)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	if blocks.Load() != nb { // only when parent ended before every chunk ran
		return 0, &host.GuestError{Guest: k.guest, Export: kk.Name(), Err: fmt.Errorf("%w: parallel fold: %w", host.ErrDeadline, parent.Err())}
	}
	acc := kernels.NegZero()
	for _, v := range partials {
		acc = acc + v
	}
	return acc, nil
}
