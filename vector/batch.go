package vector

import (
	"github.com/wasmvec/wasmvec/host"
)

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
// ErrCapacity if width exceeds the guest's capacity (use Sum for long
// vectors), and otherwise the errors of Sum.
func (k *Kernels) SumBatch(in *host.Instance, dst, x []float64, width int) error {
	if !k.usable() {
		return k.unusable()
	}
	return k.batch(in, kSumBatch, dst, x, nil, width)
}

// DotBatch is SumBatch for dot products ("dot-batch"):
//
//	for j := range dst {
//		dst[j] = Dot(x[j*width : (j+1)*width], y[j*width : (j+1)*width])
//	}
//
// len(y) must equal len(x); errors as SumBatch.
func (k *Kernels) DotBatch(in *host.Instance, dst, x, y []float64, width int) error {
	if !k.usable() {
		return k.unusable()
	}
	if len(y) != len(x) {
		return k.lengthErr(kDotBatch, "x %d, y %d", len(x), len(y))
	}
	return k.batch(in, kDotBatch, dst, x, y, width)
}

func (k *Kernels) batch(in *host.Instance, e worldFn, dst, x, y []float64, width int) error {
	if width < 0 || len(x) != len(dst)*width {
		return k.lengthErr(e, "%d vectors of width %d need %d elements, got %d", len(dst), width, len(dst)*width, len(x))
	}
	kk := k.k[e]
	return in.InPlace(func(b host.Buffers) error {
		var v views
		if err := v.of(k, b); err != nil {
			return err
		}
		if width > v.cap {
			return k.capacityErr(kk.Name(), "width %d exceeds capacity %d: use Sum or Dot", width, v.cap)
		}
		perCall := v.cap // vectors per call: their elements in a, their results in result
		if width > 0 {
			perCall = v.cap / width
		}
		for j := 0; j < len(dst); j += perCall {
			count := min(perCall, len(dst)-j)
			copy(v.a, x[j*width:(j+count)*width])
			if y != nil {
				copy(v.b, y[j*width:(j+count)*width])
			}
			if _, err := k.call(b, &v, kk, count*width, count, i32Arg(count), i32Arg(width)); err != nil {
				return err
			}
			copy(dst[j:j+count], v.result[:count])
		}
		return nil
	})
}
