package rayon

import (
	"errors"
	"fmt"

	"github.com/wasmvec/wasmvec/host"
)

// ErrGuest is a status the guest returned: it refused the arguments (a
// check the host side missed, or a guest built with other capacities).
var ErrGuest = errors.New("rayon: the guest refused the call")

// Kernels are the Rayon guest's kernels and buffers, looked up once in a
// module compiled from Module (or from any guest of the same world).
type Kernels struct {
	alma, grayScott, hash *host.Kernel
	// The buffers of f64 a caller fills or reads through host.View: the
	// input "series" and output "out" of ALMA, the fields "u" and "v" of
	// GrayScott.
	Series, Out, U, V host.Ref[float64]
	weights           host.Ref[float64]
	periods           host.Ref[int32]
}

// Lookup finds the kernels alma, gray-scott and hash and the buffers in m:
// ErrMissingExport or ErrSignature (in a *host.GuestError) when m is not of
// the rayon world.
func Lookup(m *host.Module) (*Kernels, error) {
	var k Kernels
	var err error
	for _, f := range []struct {
		name string
		k    **host.Kernel
	}{{"alma", &k.alma}, {"gray-scott", &k.grayScott}, {"hash", &k.hash}} {
		if *f.k, err = m.Kernel(f.name); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		name string
		r    *host.Ref[float64]
	}{{"series", &k.Series}, {"out", &k.Out}, {"u", &k.U}, {"v", &k.V}, {"weights", &k.weights}} {
		if *f.r, err = host.BufferRef[float64](m, f.name); err != nil {
			return nil, err
		}
	}
	if k.periods, err = host.BufferRef[int32](m, "periods"); err != nil {
		return nil, err
	}
	return &k, nil
}

func status(name string, r uint64) error {
	switch s := host.Decode[int32](r); s {
	case 0:
		return nil
	default:
		return fmt.Errorf("%w: %s returned %d", ErrGuest, name, s)
	}
}

// ALMA runs the ALMA batch (see ALMA) in the guest on the data in place:
// nseries series of length length must already be in the guest's buffer
// "series" (host.View(b, k.Series)); ALMA writes each parameter
// set's period into "periods" and its Weights into "weights", calls the
// kernel, and leaves output series s·len(params)+p in "out" at
// (s·len(params)+p)·length, nseries·len(params)·length values in all.
//
// Errors: ErrParam for a period < 1; ErrShape when nseries or length is
// below 1, or a buffer's capacity is too small for the series, the
// periods, the weights or the output; the host's errors of the views and
// of the call (ErrTrap in a *host.GuestError when the guest traps,
// ErrDeadline past a deadline); ErrGuest if the guest refuses.
func (k *Kernels) ALMA(b host.Buffers, nseries, length int, params []Param) error {
	series, err := host.View(b, k.Series)
	if err != nil {
		return err
	}
	periods, err := host.View(b, k.periods)
	if err != nil {
		return err
	}
	weights, err := host.View(b, k.weights)
	if err != nil {
		return err
	}
	out, err := host.View(b, k.Out)
	if err != nil {
		return err
	}
	if nseries < 1 || length < 1 || nseries > len(series)/length {
		return fmt.Errorf("%w: %d series of %d values exceed the guest's series capacity of %d", ErrShape, nseries, length, len(series))
	}
	if len(params) > len(periods) || nseries*len(params) > len(out)/length {
		return fmt.Errorf("%w: %d parameter sets × %d series of %d values exceed the guest's capacities (%d periods, %d outputs)", ErrShape, len(params), nseries, length, len(periods), len(out))
	}
	ws, err := weightSets(params)
	if err != nil {
		return err
	}
	ps, w := concat(ws)
	if len(w) > len(weights) {
		return fmt.Errorf("%w: the periods add up to %d, past the guest's weights capacity of %d", ErrShape, len(w), len(weights))
	}
	copy(periods, ps)
	copy(weights, w)
	r, err := b.Call(k.alma, host.Encode(int32(nseries)), host.Encode(int32(length)), host.Encode(int32(len(params))))
	if err != nil {
		return err
	}
	return status("alma", r)
}

// GrayScott advances the fields in the guest's buffers "u" and "v" (n³
// cells each, at the start of each buffer) by steps steps (see GrayScott),
// in place: the guest double-buffers in scratch fields of its own and, for
// an odd step count, copies the result back once at the end.
//
// Errors: ErrShape unless 1 ≤ n and n³ ≤ the capacity of "u" and "v";
// ErrParam for steps < 0 or past 2³¹−1, dt < 0 or NaN; the host's errors
// of the views and of the call; ErrGuest if the guest refuses.
func (k *Kernels) GrayScott(b host.Buffers, n, steps int, p GS) error {
	if err := k.grid(b, n); err != nil {
		return err
	}
	if steps < 0 || steps > 1<<31-1 || !(p.Dt >= 0) {
		return fmt.Errorf("%w: steps %d, dt %v", ErrParam, steps, p.Dt)
	}
	r, err := b.Call(k.grayScott, host.Encode(int32(n)), host.Encode(int32(steps)),
		host.Encode(float64(p.Du)), host.Encode(float64(p.Dv)), host.Encode(float64(p.F)), host.Encode(float64(p.K)), host.Encode(float64(p.Dt)))
	if err != nil {
		return err
	}
	return status("gray-scott", r)
}

// Hash returns the guest's Hash of the first n³ cells of "u" and "v".
// Errors: those of GrayScott for n, and the host's errors of the call.
func (k *Kernels) Hash(b host.Buffers, n int) (uint64, error) {
	if err := k.grid(b, n); err != nil {
		return 0, err
	}
	r, err := b.Call(k.hash, host.Encode(int32(n)))
	return r, err
}

func (k *Kernels) grid(b host.Buffers, n int) error {
	u, err := host.View(b, k.U)
	if err != nil {
		return err
	}
	v, err := host.View(b, k.V)
	if err != nil {
		return err
	}
	if n < 1 || n > 1<<10 || n*n*n > min(len(u), len(v)) {
		return fmt.Errorf("%w: n = %d: n³ exceeds the guest's field capacity of %d cells", ErrShape, n, min(len(u), len(v)))
	}
	return nil
}
