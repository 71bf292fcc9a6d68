package host_test

import (
	"fmt"

	"github.com/wasmvec/wasmvec/host"
)

// The host's tests call guests through the host's own API: the helpers
// below copy inputs into a guest's buffers and call its kernels with
// Instance.CallWith, as any client would. Package vector, a client of the
// host like any other (vector_helpers_test.go), appears only in tests of
// the paths it adds: its in-place forms and guard words, its streaming and
// ErrCapacity, the sentinel table's rows for its methods, the load test and
// the golden files it writes.

// sumOf is the guest's kernel sum(len) over x: x is copied into buffer "a"
// (float64 elements; an error if x is longer than its capacity) and the
// result decoded as a float64.
func sumOf(in *host.Instance, x []float64) (float64, error) {
	r, err := callOver(in, "sum", len(x), nil, map[string][]float64{"a": x})
	return host.Decode[float64](r), err
}

// mulOf is the guest's kernel mul(len): x into "a", y into "b", and
// dst[i] = x[i]*y[i] read back from "result"; dst, x and y have one length.
func mulOf(in *host.Instance, dst, x, y []float64) error {
	if len(x) != len(dst) || len(y) != len(dst) {
		return fmt.Errorf("mulOf: lengths %d, %d, %d", len(dst), len(x), len(y))
	}
	_, err := callOver(in, "mul", len(dst), dst, map[string][]float64{"a": x, "b": y})
	return err
}

// callOver calls kernel name(n) of in with CallWith: inputs copied into
// the named float64 buffers before, buffer "result"[:n] copied into out
// after (when out is not nil).
func callOver(in *host.Instance, name string, n int, out []float64, inputs map[string][]float64) (uint64, error) {
	m := in.Module()
	k, err := m.Kernel(name)
	if err != nil {
		return 0, err
	}
	view := func(b host.Buffers, buf string) ([]float64, error) {
		r, err := host.BufferRef[float64](m, buf)
		if err != nil {
			return nil, err
		}
		v, err := host.View(b, r)
		if err == nil && n > len(v) {
			err = fmt.Errorf("%d elements for buffer %s of %d", n, buf, len(v))
		}
		return v, err
	}
	prepare := func(b host.Buffers) error {
		for buf, x := range inputs {
			v, err := view(b, buf)
			if err != nil {
				return err
			}
			copy(v, x)
		}
		return nil
	}
	var finish func(host.Buffers) error
	if out != nil {
		finish = func(b host.Buffers) error {
			v, err := view(b, "result")
			if err == nil {
				copy(out, v[:n])
			}
			return err
		}
	}
	return in.CallWith(k, []uint64{host.Encode(uint32(n))}, prepare, finish)
}
