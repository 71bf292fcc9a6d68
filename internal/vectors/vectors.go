// Package vectors holds the inputs of wasmvec's bit-exact test table, shared
// by the tests of every implementation (guests, native C, Go), and the
// comparison that defines "bit-exact".
package vectors

import (
	"math"
	"math/rand/v2"
)

// Sizes are the input lengths of the table: around the lane width (16), the
// block length (4096), a guest's default capacity (100000), and past it.
var Sizes = []int{0, 1, 2, 15, 16, 17, 31, 4095, 4096, 4097, 99999, 100000, 100001, 250000}

// Kinds are the input families of the table.
var Kinds = []string{"random", "negzero", "nan", "inf", "subnormal", "cancel"}

// Make returns two inputs of length n of the given kind, and a scalar for
// scale. The same (kind, n) always gives the same data.
//
//   - random: normal values scaled by 10^[-10, 10]
//   - negzero: every element -0.0
//   - nan: random with a NaN every 97 elements
//   - inf: random with +Inf and -Inf in turn every 1000 elements
//   - subnormal: x subnormal, y in [0, 4), scalar 0.3 (so results round)
//   - cancel: huge values and their negations among tiny ones, y all 1
func Make(kind string, n int) (x, y []float64, s float64) {
	r := rand.New(rand.NewPCG(uint64(n), uint64(len(kind))))
	x, y = make([]float64, n), make([]float64, n)
	s = -1.75
	for i := range x {
		x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(21)-10))
		y[i] = r.NormFloat64()
	}
	switch kind {
	case "negzero":
		for i := range x {
			x[i], y[i] = math.Copysign(0, -1), math.Copysign(0, -1)
		}
	case "nan":
		for i := 3; i < n; i += 97 {
			x[i] = math.NaN()
		}
	case "inf":
		for i := 5; i < n; i += 1000 {
			x[i] = math.Inf(1 - 2*(i/1000%2)) // +Inf and -Inf in turn
		}
		if n > 0 && n < 6 {
			x[0] = math.Inf(-1)
		}
	case "subnormal":
		for i := range x {
			x[i] = float64(r.IntN(1<<20)-1<<19) * math.SmallestNonzeroFloat64
			y[i] = r.Float64() * 4
		}
		s = 0.3
	case "cancel":
		for i := range x {
			switch i % 4 {
			case 0:
				x[i] = 1e300 * (1 + r.Float64())
			case 1:
				x[i] = 1e-300 * r.Float64()
			case 2:
				x[i] = -x[i-2]
			default:
				x[i] = r.Float64()
			}
			y[i] = 1
		}
	}
	return x, y, s
}

// Same reports whether a and b are bit-identical, or both NaN (payloads may
// differ between implementations).
func Same(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

// FirstDiff returns the first index at which got and want are not Same, or
// -1. len(got) must be at least len(want).
func FirstDiff(got, want []float64) int {
	for i := range want {
		if !Same(got[i], want[i]) {
			return i
		}
	}
	return -1
}
