package vector_test

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
	"github.com/wasmvec/wasmvec/vector"
)

// TestBitExact runs every guest × kernel × n × data kind and compares the
// bits with the canonical Go reference (package kernels).
func TestBitExact(t *testing.T) {
	for _, g := range testguest.Table {
		in, vec := instance(t, g)
		for _, kind := range vectors.Kinds {
			for _, n := range vectors.Sizes {
				x, y, s := vectors.Make(kind, n)
				t.Run(fmt.Sprintf("impl=%s/data=%s/n=%d", g.Impl, kind, n), func(t *testing.T) {
					want := kernels.Sum(x)
					if got, err := vec.Sum(in, x); err != nil || !vectors.Same(got, want) {
						t.Errorf("sum: got %v (%#x), %v; want %v (%#x)", got, math.Float64bits(got), err, want, math.Float64bits(want))
					}
					want, _ = kernels.Dot(x, y)
					if got, err := vec.Dot(in, x, y); err != nil || !vectors.Same(got, want) {
						t.Errorf("dot: got %v (%#x), %v; want %v (%#x)", got, math.Float64bits(got), err, want, math.Float64bits(want))
					}
					wantV, gotV := make([]float64, n), make([]float64, n)
					kernels.Mul(wantV, x, y)
					if err := vec.Mul(in, gotV, x, y); err != nil {
						t.Errorf("mul: %v", err)
					} else if i := vectors.FirstDiff(gotV, wantV); i >= 0 {
						t.Errorf("mul: [%d] got %v want %v", i, gotV[i], wantV[i])
					}
					kernels.Scale(wantV, x, s)
					if err := vec.Scale(in, gotV, x, s); err != nil {
						t.Errorf("scale: %v", err)
					} else if i := vectors.FirstDiff(gotV, wantV); i >= 0 {
						t.Errorf("scale: [%d] got %v want %v", i, gotV[i], wantV[i])
					}
				})
			}
		}
	}
}

func TestLengthErrors(t *testing.T) {
	in := load(t, rustGuest)
	three, two := make([]float64, 3), make([]float64, 2)
	check := func(what string, err error) {
		t.Helper()
		var ge *host.GuestError
		if !errors.Is(err, vector.ErrLength) || !errors.As(err, &ge) || ge.Export == "" {
			t.Errorf("%s: %v, want a *GuestError wrapping ErrLength", what, err)
		}
	}
	_, err := kernelsOf(t, in).Dot(in, three, two)
	check("Dot", err)
	_, err = simdKernelsOf(t, in).Dot(in, two, three)
	check("DotSIMD", err)
	check("Mul", kernelsOf(t, in).Mul(in, two, three, three))
	check("Mul b", kernelsOf(t, in).Mul(in, three, three, two))
	check("MulSIMD", simdKernelsOf(t, in).Mul(in, three, three, nil))
	check("Scale", kernelsOf(t, in).Scale(in, two, three, 2))
	check("ScaleSIMD", simdKernelsOf(t, in).Scale(in, three, two, 2))
}

func TestEmptyInputs(t *testing.T) {
	for _, g := range testguest.Table {
		in, vec := instance(t, g)
		if got, err := vec.Sum(in, nil); err != nil || got != 0 || math.Signbit(got) {
			t.Errorf("%s sum(nil) = %v, %v; want +0", g.Impl, got, err)
		}
		if got, err := vec.Dot(in, nil, nil); err != nil || got != 0 || math.Signbit(got) {
			t.Errorf("%s dot(nil, nil) = %v, %v; want +0", g.Impl, got, err)
		}
		if err := vec.Mul(in, nil, nil, nil); err != nil {
			t.Errorf("%s mul(nil) = %v", g.Impl, err)
		}
		if err := vec.Scale(in, nil, nil, 2); err != nil {
			t.Errorf("%s scale(nil) = %v", g.Impl, err)
		}
	}
}

// TestInPlace: dst may be an input itself.
func TestInPlace(t *testing.T) {
	in := load(t, rustGuest)
	x, y, s := vectors.Make("random", 250000)
	want := make([]float64, len(x))
	kernels.Scale(want, x, s)
	if err := kernelsOf(t, in).Scale(in, x, x, s); err != nil {
		t.Fatal(err)
	}
	if i := vectors.FirstDiff(x, want); i >= 0 {
		t.Fatalf("in-place scale differs at %d", i)
	}
	kernels.Mul(want, x, y)
	if err := kernelsOf(t, in).Mul(in, y, x, y); err != nil {
		t.Fatal(err)
	}
	if i := vectors.FirstDiff(y, want); i >= 0 {
		t.Fatalf("in-place mul differs at %d", i)
	}
}

// TestInPlaceKernels: write inputs straight into the buffers, call by length, read
// the result in place; bit-exact with the reference for every guest.
func TestInPlaceKernels(t *testing.T) {
	for _, g := range testguest.Table {
		in, vec := instance(t, g)
		n := testguest.Capacity(in)
		x, y, s := vectors.Make("random", n)
		ra, rb, rr := vec.Buffers()
		err := in.InPlace(func(b host.Buffers) error {
			copy(view(t, b, ra), x)
			copy(view(t, b, rb), y)
			sum := func(n int) (float64, error) { return vec.SumInPlace(b, n) }
			dot := func(n int) (float64, error) { return vec.DotInPlace(b, n) }
			mul := func(n int) error { return vec.MulInPlace(b, n) }
			scale := func(s float64, n int) error { return vec.ScaleInPlace(b, s, n) }
			for _, m := range []int{0, 17, n} {
				if got, err := sum(m); err != nil || !vectors.Same(got, kernels.Sum(x[:m])) {
					t.Errorf("%s sum(%d) = %v, %v", g.Impl, m, got, err)
				}
				want, _ := kernels.Dot(x[:m], y[:m])
				if got, err := dot(m); err != nil || !vectors.Same(got, want) {
					t.Errorf("%s dot(%d) = %v, %v", g.Impl, m, got, err)
				}
				wantV := make([]float64, m)
				kernels.Mul(wantV, x[:m], y[:m])
				if err := mul(m); err != nil || vectors.FirstDiff(view(t, b, rr), wantV) >= 0 {
					t.Errorf("%s mul(%d): %v", g.Impl, m, err)
				}
				kernels.Scale(wantV, x[:m], s)
				if err := scale(s, m); err != nil || vectors.FirstDiff(view(t, b, rr), wantV) >= 0 {
					t.Errorf("%s scale(%d): %v", g.Impl, m, err)
				}
			}
			if _, err := sum(n + 1); !errors.Is(err, vector.ErrCapacity) {
				t.Errorf("%s sum(capacity+1): %v, want ErrCapacity", g.Impl, err)
			}
			if err := mul(-1); !errors.Is(err, vector.ErrLength) {
				t.Errorf("%s mul(-1): %v, want ErrLength", g.Impl, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// view is buffer r of b, failing the test on an error.
func view(t *testing.T, b host.Buffers, r host.Ref[float64]) []float64 {
	t.Helper()
	v, err := host.View(b, r)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestNoAllocations: a copying call (one CallWith) and an in-place one
// allocate nothing; a guard kept in a value that pointed into itself once
// cost one heap allocation per call.
func TestNoAllocations(t *testing.T) {
	in, vec := instance(t, testguest.Table[0])
	x := []float64{1, 2, 3}
	dst := make([]float64, 3)
	for name, f := range map[string]func() error{
		"Sum": func() error { _, err := vec.Sum(in, x); return err },
		"Mul": func() error { return vec.Mul(in, dst, x, x) },
		"SumInPlace": func() error {
			return in.InPlace(func(b host.Buffers) error { _, err := vec.SumInPlace(b, 3); return err })
		},
	} {
		var err error
		if n := testing.AllocsPerRun(100, func() { err = f() }); n != 0 || err != nil {
			t.Errorf("%s: %v allocations per call, %v; want 0", name, n, err)
		}
	}
}

// TestConcurrentBuffersMisuse: two goroutines call the in-place forms
// through one Buffers at once (a misuse). Each call either gives the
// canonical result or an error (ErrConcurrent); the buffers hold the
// caller's data afterwards: no guard word left behind, no wrong number
// with a nil error. The two use different lengths, so that the guard word
// one places lies inside what the other reads.
func TestConcurrentBuffersMisuse(t *testing.T) {
	in, vec := instance(t, testguest.Table[0])
	const n = 1000
	x, y, _ := vectors.Make("random", n+1)
	want := kernels.Sum(x[:n])
	wantDot, _ := kernels.Dot(x[:n/2], y[:n/2])
	ra, rb, _ := vec.Buffers()
	calls := 20000
	if testing.Short() {
		calls = 2000
	}
	var refused, wrong atomic.Int64
	err := in.InPlace(func(b host.Buffers) error {
		copy(view(t, b, ra), x)
		copy(view(t, b, rb), y)
		var wg sync.WaitGroup
		for g := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range calls {
					var got, w float64
					var err error
					if g == 0 {
						got, err = vec.SumInPlace(b, n)
						w = want
					} else {
						got, err = vec.DotInPlace(b, n/2)
						w = wantDot
					}
					switch {
					case errors.Is(err, host.ErrConcurrent):
						refused.Add(1)
					case err != nil:
						t.Errorf("goroutine %d: %v", g, err)
						return
					case !vectors.Same(got, w):
						wrong.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if i := vectors.FirstDiff(view(t, b, ra)[:n+1], x); i >= 0 {
			t.Errorf("buffer a changed at %d: %v, want %v", i, view(t, b, ra)[i], x[i])
		}
		if i := vectors.FirstDiff(view(t, b, rb)[:n+1], y); i >= 0 {
			t.Errorf("buffer b changed at %d: %v, want %v", i, view(t, b, rb)[i], y[i])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d calls, %d refused with ErrConcurrent, %d wrong", 2*calls, refused.Load(), wrong.Load())
	if wrong.Load() != 0 {
		t.Errorf("%d of %d calls returned a wrong result with a nil error", wrong.Load(), 2*calls)
	}
}
