package vectors

import (
	"math"
	"testing"

	"github.com/wasmvec/wasmvec/kernels"
)

// TestDataKindsAreWhatTheyClaim guards the table: each special family must
// actually reach the guests with its special values.
func TestDataKindsAreWhatTheyClaim(t *testing.T) {
	const n = 4097
	x, _, _ := Make("nan", n)
	if !math.IsNaN(kernels.Sum(x)) {
		t.Error("nan data does not sum to NaN")
	}
	x, _, _ = Make("negzero", n)
	if got := kernels.Sum(x); got != 0 || !math.Signbit(got) {
		t.Errorf("negzero data sums to %v, want -0", got)
	}
	x, _, _ = Make("subnormal", n)
	for _, v := range x {
		if v != 0 && math.Abs(v) >= 0x1p-1022 {
			t.Fatalf("subnormal data holds normal %v", v)
		}
	}
	x, _, _ = Make("inf", n)
	if !math.IsNaN(kernels.Sum(x)) { // +Inf and -Inf both present
		t.Error("inf data lacks +Inf and -Inf")
	}
}
