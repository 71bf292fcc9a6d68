package kernels

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// specFold is the canonical order written as literally as the package doc
// states it, to check the unrolled implementations against.
func specFold(acc float64, n int, term func(i int) float64) float64 {
	for k := 0; k*BlockLen < n; k++ {
		var lane [Lanes]float64
		for j := range lane {
			lane[j] = math.Copysign(0, -1)
		}
		for i := k * BlockLen; i < min((k+1)*BlockLen, n); i++ {
			lane[i%Lanes] += term(i)
		}
		for _, w := range []int{8, 4, 2, 1} {
			for j := 0; j < w; j++ {
				lane[j] = lane[j] + lane[j+w]
			}
		}
		acc = acc + lane[0]
	}
	return acc
}

func same(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || (math.IsNaN(a) && math.IsNaN(b))
}

func TestSumAndDotFollowTheSpec(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 15, 16, 17, 31, 4095, 4096, 4097, 10000, 3*4096 + 5} {
		x := make([]float64, n)
		y := make([]float64, n)
		for i := range x {
			x[i] = r.NormFloat64() * math.Pow(10, float64(r.IntN(30)-15))
			y[i] = r.NormFloat64()
		}
		want := 0.0
		if n > 0 {
			want = specFold(NegZero(), n, func(i int) float64 { return x[i] })
		}
		if got := Sum(x); !same(got, want) {
			t.Errorf("Sum n=%d: got %x want %x", n, math.Float64bits(got), math.Float64bits(want))
		}
		wantDot := 0.0
		if n > 0 {
			wantDot = specFold(NegZero(), n, func(i int) float64 { return x[i] * y[i] })
		}
		if got, err := Dot(x, y); err != nil || !same(got, wantDot) {
			t.Errorf("Dot n=%d: got %v, %v want %v", n, got, err, wantDot)
		}
	}
}

func TestOrderIsObservable(t *testing.T) {
	// Left to right, (1e16 + 1) - 1e16 == 0. In the canonical order the three
	// values sit in lanes 0, 1, 2 and the tree adds lane 0 and lane 2 first,
	// so the 1 survives.
	x := []float64{1e16, 1, -1e16}
	if got := Sum(x); got != 1 {
		t.Fatalf("Sum(%v) = %v, want 1", x, got)
	}
}

func TestSignedZeros(t *testing.T) {
	if got := Sum(nil); math.Signbit(got) || got != 0 {
		t.Errorf("Sum(nil) = %v, want +0", got)
	}
	negs := []float64{NegZero(), NegZero(), NegZero()}
	if got := Sum(negs); !math.Signbit(got) || got != 0 {
		t.Errorf("Sum(-0,-0,-0) = %v (signbit %v), want -0", got, math.Signbit(got))
	}
}

func TestFoldOverChunksIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	x := make([]float64, 5*BlockLen+123)
	y := make([]float64, len(x))
	for i := range x {
		x[i], y[i] = r.Float64()*2-1, r.Float64()*1e-3
	}
	whole := Sum(x)
	wholeDot, _ := Dot(x, y)
	acc, accDot := NegZero(), NegZero()
	for start := 0; start < len(x); start += 2 * BlockLen {
		end := min(start+2*BlockLen, len(x))
		acc = SumFold(acc, x[start:end])
		var err error
		if accDot, err = DotFold(accDot, x[start:end], y[start:end]); err != nil {
			t.Fatal(err)
		}
	}
	if !same(acc, whole) || !same(accDot, wholeDot) {
		t.Fatalf("chunked %v/%v, whole %v/%v", acc, accDot, whole, wholeDot)
	}
}

func TestLengthErrors(t *testing.T) {
	if _, err := Dot(make([]float64, 2), make([]float64, 3)); !errors.Is(err, ErrLength) {
		t.Errorf("Dot: %v, want ErrLength", err)
	}
	if err := Mul(make([]float64, 2), make([]float64, 2), make([]float64, 1)); !errors.Is(err, ErrLength) {
		t.Errorf("Mul: %v, want ErrLength", err)
	}
	if err := Scale(make([]float64, 2), make([]float64, 3), 1); !errors.Is(err, ErrLength) {
		t.Errorf("Scale: %v, want ErrLength", err)
	}
}
