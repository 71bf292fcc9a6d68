package vector

import (
	"github.com/wasmvec/wasmvec/host"
)

// The in-place forms: inside host.Instance.InPlace, the caller writes the
// inputs straight into the buffers a and b (host.View of Kernels.Buffers)
// and reads results from result; these call the kernel on the first n
// elements, with no copy. Errors, each in a *host.GuestError: ErrLength if
// n < 0, ErrCapacity if n exceeds the buffers' capacity, and those of
// host.Buffers.Call and of Sum.

// check takes the views of b into v for an in-place call of kernel e over
// n elements, or says why it cannot run.
func (k *Kernels) check(b host.Buffers, v *views, e worldFn, n int) error {
	if err := v.of(k, b); err != nil {
		return err
	}
	switch {
	case n < 0:
		return k.lengthErr(e, "negative length %d", n)
	case n > v.cap:
		return k.capacityErr(k.variant(e).Name(), "%d elements in place, capacity %d", n, v.cap)
	}
	return nil
}

func (k *Kernels) reduceInPlace(b host.Buffers, e worldFn, n int) (float64, error) {
	var v views
	if err := k.check(b, &v, e, n); err != nil {
		return 0, err
	}
	r, err := k.call(b, &v, k.variant(e), n, 0, i32Arg(n))
	return f64Result(r), err
}

// SumInPlace returns the canonical sum of a[:n] (see Sum).
func (k *Kernels) SumInPlace(b host.Buffers, n int) (float64, error) {
	if !k.usable() {
		return 0, k.unusable()
	}
	return k.reduceInPlace(b, kSum, n)
}

// DotInPlace returns the canonical dot product of a[:n] and b[:n] (see
// Dot).
func (k *Kernels) DotInPlace(b host.Buffers, n int) (float64, error) {
	if !k.usable() {
		return 0, k.unusable()
	}
	return k.reduceInPlace(b, kDot, n)
}

// MulInPlace sets result[i] = a[i] * b[i] for i < n (see Mul).
func (k *Kernels) MulInPlace(b host.Buffers, n int) error {
	if !k.usable() {
		return k.unusable()
	}
	var v views
	if err := k.check(b, &v, kMul, n); err != nil {
		return err
	}
	_, err := k.call(b, &v, k.variant(kMul), n, n, i32Arg(n))
	return err
}

// ScaleInPlace sets result[i] = s * a[i] for i < n (see Scale).
func (k *Kernels) ScaleInPlace(b host.Buffers, s float64, n int) error {
	if !k.usable() {
		return k.unusable()
	}
	var v views
	if err := k.check(b, &v, kScale, n); err != nil {
		return err
	}
	_, err := k.call(b, &v, k.variant(kScale), n, n, f64Arg(s), i32Arg(n))
	return err
}
