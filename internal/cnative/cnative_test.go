package cnative

import (
	"fmt"
	"testing"

	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
)

// TestBitExact runs the whole table against the canonical Go reference.
// ./build.sh test runs it for both builds (portable and -march=native).
func TestBitExact(t *testing.T) {
	for _, kind := range vectors.Kinds {
		for _, n := range vectors.Sizes {
			x, y, s := vectors.Make(kind, n)
			t.Run(fmt.Sprintf("impl=%s/data=%s/n=%d", Impl, kind, n), func(t *testing.T) {
				if got, want := Sum(x), kernels.Sum(x); !vectors.Same(got, want) {
					t.Errorf("sum: got %v want %v", got, want)
				}
				got, err := Dot(x, y)
				want, _ := kernels.Dot(x, y)
				if err != nil || !vectors.Same(got, want) {
					t.Errorf("dot: got %v, %v want %v", got, err, want)
				}
				gotV, wantV := make([]float64, n), make([]float64, n)
				kernels.Mul(wantV, x, y)
				if err := Mul(gotV, x, y); err != nil || vectors.FirstDiff(gotV, wantV) >= 0 {
					t.Errorf("mul differs (%v)", err)
				}
				kernels.Scale(wantV, x, s)
				if err := Scale(gotV, x, s); err != nil || vectors.FirstDiff(gotV, wantV) >= 0 {
					t.Errorf("scale differs (%v)", err)
				}
			})
		}
	}
}

func TestLengthErrors(t *testing.T) {
	if _, err := Dot(make([]float64, 1), nil); err == nil {
		t.Error("Dot accepted mismatched lengths")
	}
	if err := Mul(make([]float64, 1), nil, nil); err == nil {
		t.Error("Mul accepted mismatched lengths")
	}
	if err := Scale(nil, make([]float64, 1), 1); err == nil {
		t.Error("Scale accepted mismatched lengths")
	}
}
