package host

import "fmt"

// SumBatch computes many short sums with few calls into the guest:
//
//	for j := range dst {
//		dst[j] = Sum(x[j*width : (j+1)*width])   // the canonical sum
//	}
//
// It packs as many whole vectors as fit in the guest's buffers into each
// call of the "sum-batch" export. For vectors of a few dozen elements, the
// call, not the sum, is the cost; this divides it among the vectors.
//
// It returns ErrLength if width < 0 or len(x) != len(dst)*width,
// ErrCapacity if width exceeds Capacity (use Sum for long vectors), and
// otherwise the errors of Sum.
func (in *Instance) SumBatch(dst, x []float64, width int) error {
	return in.batch(expSumBatch, dst, x, nil, width)
}

// DotBatch is SumBatch for dot products ("dot-batch"):
//
//	for j := range dst {
//		dst[j] = Dot(x[j*width : (j+1)*width], y[j*width : (j+1)*width])
//	}
//
// len(y) must equal len(x); errors as SumBatch.
func (in *Instance) DotBatch(dst, x, y []float64, width int) error {
	if len(y) != len(x) {
		return &GuestError{Guest: in.name, Export: in.kname(expDotBatch), Err: fmt.Errorf("%w: x %d, y %d", ErrLength, len(x), len(y))}
	}
	return in.batch(expDotBatch, dst, x, y, width)
}

func (in *Instance) batch(e export, dst, x, y []float64, width int) error {
	if err := in.vecErr; err != nil {
		return err
	}
	if width < 0 || len(x) != len(dst)*width {
		return &GuestError{Guest: in.name, Export: in.kname(e),
			Err: fmt.Errorf("%w: %d vectors of width %d need %d elements, got %d", ErrLength, len(dst), width, len(dst)*width, len(x))}
	}
	if err := in.lock(in.kname(e)); err != nil {
		return err
	}
	defer in.mu.Unlock()
	if in.closed {
		return &GuestError{Guest: in.name, Export: in.kname(e), Err: ErrClosed}
	}
	if width > in.cap {
		return guestErr(in.name, in.kname(e), ErrCapacity, "width %d exceeds capacity %d: use Sum or Dot", width, in.cap)
	}
	perCall := in.cap // vectors per call: their elements in A, their results in RESULT
	if width > 0 {
		perCall = in.cap / width
	}
	for j := 0; j < len(dst); j += perCall {
		count := min(perCall, len(dst)-j)
		xs := x[j*width : (j+count)*width]
		if y != nil {
			in.load(xs, y[j*width:(j+count)*width])
		} else {
			in.load(xs, nil)
		}
		if err := in.callLenLen(e, count, width); err != nil {
			return err
		}
		copy(dst[j:j+count], in.view(bufResult, count))
	}
	return nil
}
