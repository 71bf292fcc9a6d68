// Package kernels is the canonical, pure-Go definition of every wasmvec
// kernel: the reference that each guest (Rust, C, Go, scalar and SIMD) must
// match bit for bit, and the "native Go" row of the benchmarks.
//
// # Canonical order of operations
//
// The order is fixed so that every implementation, at any chunking or thread
// count, rounds identically (BlockLen = 4096 elements, Lanes = 16):
//
//	fold(acc, x[0..n)):
//	  for each block k = x[k*BlockLen .. min((k+1)*BlockLen, n)):
//	    lane[0..16) = -0.0
//	    for i in block, ascending: lane[i mod 16] += x[i]
//	    for w in 8, 4, 2, 1: for j < w: lane[j] = lane[j] + lane[j+w]
//	    acc = acc + lane[0]
//	  return acc
//	sum(x) = n == 0 ? +0.0 : fold(-0.0, x)
//
// Dot is the same fold over p[i] = x[i]*y[i], each product rounded to
// float64 before it is added (no fused multiply-add). The 16 lanes give
// enough independent additions to hide floating-point add latency and map
// onto 8 two-lane SIMD registers; blocks make chunked and multi-threaded
// evaluation exact. This order is the one set by the wasmvec foundation
// issue and restated in wit/vector.wit.
//
// NaN and ±Inf are ordinary inputs and propagate as IEEE 754 says; results
// that are NaN may differ from other implementations in payload only.
package kernels

import (
	"errors"
	"fmt"
	"math"
)

const (
	// BlockLen is the number of elements in one block of the canonical fold.
	BlockLen = 4096
	// Lanes is the number of partial sums (lanes) inside a block.
	Lanes = 16
)

// ErrLength is returned when slices that must have equal lengths do not.
var ErrLength = errors.New("wasmvec: mismatched lengths")

// negZero is -0.0: the Go constant -0.0 is +0.
var negZero = math.Copysign(0, -1)

// NegZero returns -0.0, the starting accumulator of a running fold.
func NegZero() float64 { return negZero }

// Sum returns the canonical sum of x:
//
//	if len(x) == 0 {
//		return +0.0
//	}
//	return SumFold(-0.0, x)
func Sum(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	return SumFold(negZero, x)
}

// SumFold continues a running canonical sum: it folds the blocks of x, in
// order, into acc and returns the new accumulator (see the package doc).
// Calling SumFold on consecutive chunks of an input, each but the last a
// multiple of BlockLen elements long, gives the same bits as one call on the
// whole input.
func SumFold(acc float64, x []float64) float64 {
	for len(x) > 0 {
		blk := x[:min(BlockLen, len(x))]
		x = x[len(blk):]
		var l [Lanes]float64
		for j := range l {
			l[j] = negZero
		}
		i := 0
		for ; i+Lanes <= len(blk); i += Lanes {
			c := blk[i : i+Lanes : i+Lanes]
			l[0] += c[0]
			l[1] += c[1]
			l[2] += c[2]
			l[3] += c[3]
			l[4] += c[4]
			l[5] += c[5]
			l[6] += c[6]
			l[7] += c[7]
			l[8] += c[8]
			l[9] += c[9]
			l[10] += c[10]
			l[11] += c[11]
			l[12] += c[12]
			l[13] += c[13]
			l[14] += c[14]
			l[15] += c[15]
		}
		for j, v := range blk[i:] {
			l[j] += v // i is a multiple of Lanes, so (i+j) mod Lanes == j
		}
		acc = acc + tree(&l)
	}
	return acc
}

// Dot returns the canonical dot product of x and y:
//
//	if len(x) == 0 {
//		return +0.0
//	}
//	return DotFold(-0.0, x, y)
//
// It returns ErrLength if len(x) != len(y).
func Dot(x, y []float64) (float64, error) {
	if len(x) != len(y) {
		return 0, lengthError(len(x), len(y))
	}
	if len(x) == 0 {
		return 0, nil
	}
	return DotFold(negZero, x, y)
}

// DotFold continues a running canonical dot product: it is SumFold over the
// products p[i] = float64(x[i]*y[i]). It returns ErrLength if
// len(x) != len(y).
func DotFold(acc float64, x, y []float64) (float64, error) {
	if len(x) != len(y) {
		return 0, lengthError(len(x), len(y))
	}
	for len(x) > 0 {
		n := min(BlockLen, len(x))
		bx, by := x[:n], y[:n]
		x, y = x[n:], y[n:]
		var l [Lanes]float64
		for j := range l {
			l[j] = negZero
		}
		i := 0
		for ; i+Lanes <= n; i += Lanes {
			a := bx[i : i+Lanes : i+Lanes]
			b := by[i : i+Lanes : i+Lanes]
			// float64(...) rounds each product before the add: the Go spec
			// forbids fusing across an explicit conversion.
			l[0] += float64(a[0] * b[0])
			l[1] += float64(a[1] * b[1])
			l[2] += float64(a[2] * b[2])
			l[3] += float64(a[3] * b[3])
			l[4] += float64(a[4] * b[4])
			l[5] += float64(a[5] * b[5])
			l[6] += float64(a[6] * b[6])
			l[7] += float64(a[7] * b[7])
			l[8] += float64(a[8] * b[8])
			l[9] += float64(a[9] * b[9])
			l[10] += float64(a[10] * b[10])
			l[11] += float64(a[11] * b[11])
			l[12] += float64(a[12] * b[12])
			l[13] += float64(a[13] * b[13])
			l[14] += float64(a[14] * b[14])
			l[15] += float64(a[15] * b[15])
		}
		for j := i; j < n; j++ {
			l[j-i] += float64(bx[j] * by[j])
		}
		acc = acc + tree(&l)
	}
	return acc, nil
}

// tree reduces the lanes pairwise:
//
//	for w in 8, 4, 2, 1: for j < w: l[j] = l[j] + l[j+w]
func tree(l *[Lanes]float64) float64 {
	for w := Lanes / 2; w > 0; w /= 2 {
		for j := 0; j < w; j++ {
			l[j] = l[j] + l[j+w]
		}
	}
	return l[0]
}

// Mul stores the elementwise product of a and b in dst:
//
//	for i := range dst {
//		dst[i] = a[i] * b[i]
//	}
//
// It returns ErrLength unless len(dst) == len(a) == len(b).
func Mul(dst, a, b []float64) error {
	if len(a) != len(dst) || len(b) != len(dst) {
		return fmt.Errorf("%w: dst %d, a %d, b %d", ErrLength, len(dst), len(a), len(b))
	}
	for i := range dst {
		dst[i] = a[i] * b[i]
	}
	return nil
}

// Scale stores s times a in dst:
//
//	for i := range dst {
//		dst[i] = s * a[i]
//	}
//
// It returns ErrLength unless len(dst) == len(a).
func Scale(dst, a []float64, s float64) error {
	if len(a) != len(dst) {
		return fmt.Errorf("%w: dst %d, a %d", ErrLength, len(dst), len(a))
	}
	for i := range dst {
		dst[i] = s * a[i]
	}
	return nil
}

func lengthError(nx, ny int) error {
	return fmt.Errorf("%w: x %d, y %d", ErrLength, nx, ny)
}
