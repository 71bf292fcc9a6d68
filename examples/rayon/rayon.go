// Package rayon runs Rust Rayon code on every core inside the Go host: a
// wasi-threads guest (rust/, world wit/rayon.wit) with two data-parallel
// workloads, an ALMA moving-average batch and a 3D Gray–Scott
// reaction–diffusion step, through the buffer-and-kernel contract (the
// host package knows nothing of them). Rayon's pool is the guest's own,
// sized by host.WithThreads.
//
// ALMA and GrayScott are the pure-Go references the guest is tested
// against bit for bit; ALMAParallel and GrayScottParallel are what a Go
// programmer would write with goroutines (the same bits); Kernels calls
// the guest. Package native (build tag wasmvec_rust_native) calls the same
// Rust crate compiled for the host CPU through cgo.
//
// Canonical order, for every implementation: each sum left to right with
// one accumulator, each product rounded (no fused multiply-add; the Go
// code converts every product with float64() so the compiler may not fuse
// it, as the Go specification allows).
package rayon

import (
	_ "embed"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
)

// Module is the Rayon guest (wasm32-wasip1-threads, built by
// ./build.sh examples from rust/): a threaded guest, for WithThreads.
//
//go:embed rayon.wasm
var Module []byte

// ModuleSingle is the same guest crate built for wasm32-wasip1: not
// threaded (no shared memory, no worker exports; its Rayon code runs on
// the calling thread), the build a host falls back to where threads
// cannot run. Same kernels, same buffers, and the same bits as Module at
// any thread count (TestGrayScottBitExact, TestALMABitExact).
//
//go:embed rayon-single.wasm
var ModuleSingle []byte

// Errors of the references and of Kernels, before any guest code runs.
var (
	// ErrShape: lengths that do not match, or past a guest buffer's capacity.
	ErrShape = errors.New("rayon: shape")
	// ErrParam: a parameter out of range (period < 1, steps < 0, dt < 0 or NaN).
	ErrParam = errors.New("rayon: parameter out of range")
)

// Param is one ALMA parameter set: the window length (Period ≥ 1), where
// its peak sits (Offset, 0 = oldest sample, 1 = newest; usually 0.85) and
// its width (Sigma; usually 6).
type Param struct {
	Period        int
	Offset, Sigma float64
}

// Weights returns the Period ALMA weights of p (Arnaud Legoux moving
// average, as in its authors' definition and TradingView's ta.alma):
//
//	m = Offset·(Period−1), s = Period/Sigma
//	w[i] = exp(−(i−m)² / (2s²)),  i = 0..Period−1
//
// They are computed once, here, with Go's math.Exp, and passed to every
// implementation (the guest gets them in its WEIGHTS buffer): exp differs
// between libms in the last bit, so no implementation computes its own.
// ErrParam if Period < 1.
func Weights(p Param) ([]float64, error) {
	if p.Period < 1 {
		return nil, fmt.Errorf("%w: period %d", ErrParam, p.Period)
	}
	m := p.Offset * float64(p.Period-1)
	s := float64(p.Period) / p.Sigma
	w := make([]float64, p.Period)
	for i := range w {
		d := float64(i) - m
		w[i] = math.Exp(-(d * d) / (2 * s * s))
	}
	return w, nil
}

// shape checks an ALMA batch: series holds nseries series of equal length
// L; out must hold nseries·len(params)·L values. It returns L and every
// parameter set's weights.
func shape(out, series []float64, nseries int, params []Param) (int, [][]float64, error) {
	if nseries < 1 || len(series)%nseries != 0 {
		return 0, nil, fmt.Errorf("%w: %d series values do not split into %d series", ErrShape, len(series), nseries)
	}
	l := len(series) / nseries
	if len(out) != nseries*len(params)*l {
		return 0, nil, fmt.Errorf("%w: out holds %d values, want %d series × %d parameter sets × %d", ErrShape, len(out), nseries, len(params), l)
	}
	ws, err := weightSets(params)
	return l, ws, err
}

// weightSets returns the Weights of every parameter set, or ErrParam.
func weightSets(params []Param) ([][]float64, error) {
	ws := make([][]float64, len(params))
	for i, p := range params {
		w, err := Weights(p)
		if err != nil {
			return nil, err
		}
		ws[i] = w
	}
	return ws, nil
}

// concat returns the layout the guest and the native code take: every
// set's period, and the sets' weights back to back.
func concat(ws [][]float64) (periods []int32, weights []float64) {
	periods = make([]int32, len(ws))
	for i, w := range ws {
		periods[i] = int32(len(w))
		weights = append(weights, w...)
	}
	return periods, weights
}

// Flatten checks an ALMA batch as ALMA does and returns the series length
// L and the parameter sets as the guest and the native code take them:
// every period, and every set's Weights back to back.
func Flatten(out, series []float64, nseries int, params []Param) (length int, periods []int32, weights []float64, err error) {
	l, ws, err := shape(out, series, nseries, params)
	if err != nil {
		return 0, nil, nil, err
	}
	periods, weights = concat(ws)
	return l, periods, weights, nil
}

// ALMA computes the ALMA batch: for every series s (series[s·L:][:L]) and
// parameter set p, out[(s·P+p)·L:][:L] (P = len(params)):
//
//	ws = w[0] + w[1] + ... + w[period−1]
//	for t in 0..L:
//	    if t < period−1: out[t] = NaN (0x7ff8000000000000)
//	    else:  acc = w[0]·x[t−period+1]
//	           for i in 1..period: acc = acc + w[i]·x[t−period+1+i]
//	           out[t] = acc / ws
//
// with w = Weights(p). ErrShape if len(series) is not a multiple of
// nseries or len(out) ≠ nseries·P·L; ErrParam for a period < 1.
func ALMA(out, series []float64, nseries int, params []Param) error {
	l, ws, err := shape(out, series, nseries, params)
	if err != nil {
		return err
	}
	almaPairs(out, series, l, ws, 0, nseries*len(params))
	return nil
}

// almaPairs computes output series k in [from, to) (k = s·P + p).
func almaPairs(out, series []float64, l int, ws [][]float64, from, to int) {
	np := len(ws)
	for k := from; k < to; k++ {
		x := series[k/np*l:][:l]
		w := ws[k%np]
		almaOne(out[k*l:][:l], x, w, wsum(w))
	}
}

// nan is the quiet NaN the Rust guest writes before period−1 (f64::NAN,
// 0x7ff8000000000000; Go's math.NaN() has another payload), so those
// outputs are the same bits everywhere.
var nan = math.Float64frombits(0x7ff8_0000_0000_0000)

func wsum(w []float64) float64 {
	s := math.Copysign(0, -1)
	for _, v := range w {
		s += v
	}
	return s
}

func almaOne(out, x, w []float64, ws float64) {
	period := len(w)
	first := min(period-1, len(x))
	for t := range first {
		out[t] = nan
	}
	for t := first; t < len(x); t++ {
		xs := x[t+1-period:][:period]
		acc := float64(w[0] * xs[0])
		for i := 1; i < period; i++ {
			acc += float64(w[i] * xs[i])
		}
		out[t] = acc / ws
	}
}

// GS holds the Gray–Scott parameters: diffusion rates Du and Dv, feed F,
// kill K, time step Dt (≥ 0).
type GS struct {
	Du, Dv, F, K, Dt float64
}

// CheckGrid returns the errors GrayScott returns for its arguments
// (ErrShape, ErrParam), or nil.
func CheckGrid(n, steps int, p GS, u, v []float64) error {
	if n < 1 || n > 1<<10 || len(u) != n*n*n || len(v) != n*n*n {
		return fmt.Errorf("%w: fields of %d and %d cells for n = %d (want n³)", ErrShape, len(u), len(v), n)
	}
	if steps < 0 || !(p.Dt >= 0) {
		return fmt.Errorf("%w: steps %d, dt %v", ErrParam, steps, p.Dt)
	}
	return nil
}

// GrayScott advances the fields u and v (n³ cells each, cell (x, y, z) at
// (z·n + y)·n + x, periodic boundaries) by steps steps of
//
//	lap(f) = f[x−1] + f[x+1] + f[y−1] + f[y+1] + f[z−1] + f[z+1] − 6·f
//	uvv = u·v·v
//	u' = u + dt·(du·lap(u) − uvv + f·(1 − u))
//	v' = v + dt·(dv·lap(v) + uvv − (f + k)·v)
//
// evaluated left to right, every product rounded; every cell of a step
// reads the previous step's fields. It double-buffers into u2 and v2 (n³
// cells each, or nil to have them allocated per call), and copies the
// result back into u and v after an odd step count. ErrShape unless
// len(u) = len(v) = n³ (1 ≤ n ≤ 1024) and u2, v2 are nil or of n³ cells;
// ErrParam for steps < 0 or dt < 0 or NaN.
func GrayScott(n, steps int, p GS, u, v, u2, v2 []float64) error {
	return grayScott(n, steps, p, u, v, u2, v2, 1)
}

func grayScott(n, steps int, p GS, u, v, u2, v2 []float64, threads int) error {
	if err := CheckGrid(n, steps, p, u, v); err != nil {
		return err
	}
	if threads < 1 {
		return fmt.Errorf("%w: %d threads", ErrParam, threads)
	}
	if u2 == nil && v2 == nil {
		u2, v2 = make([]float64, len(u)), make([]float64, len(v))
	}
	if len(u2) != len(u) || len(v2) != len(v) {
		return fmt.Errorf("%w: scratch fields of %d and %d cells, want %d", ErrShape, len(u2), len(v2), len(u))
	}
	a, b, c, d := u, v, u2, v2
	for range steps {
		if threads == 1 {
			gsSlices(n, p, a, b, c, d, 0, n)
		} else {
			parallel(n, threads, func(z0, z1 int) { gsSlices(n, p, a, b, c, d, z0, z1) })
		}
		a, b, c, d = c, d, a, b
	}
	if steps%2 == 1 {
		copy(u, u2)
		copy(v, v2)
	}
	return nil
}

// gsSlices computes z slices [z0, z1) of one step from (u, v) into (uo, vo).
func gsSlices(n int, p GS, u, v, uo, vo []float64, z0, z1 int) {
	fk := p.F + p.K
	for z := z0; z < z1; z++ {
		zm, zp := (z+n-1)%n, (z+1)%n
		for y := range n {
			ym, yp := (y+n-1)%n, (y+1)%n
			c, a, b := (z*n+y)*n, (z*n+ym)*n, (z*n+yp)*n
			d, e := (zm*n+y)*n, (zp*n+y)*n
			for x := range n {
				xm, xp := c+(x+n-1)%n, c+(x+1)%n
				uc, vc := u[c+x], v[c+x]
				lu := u[xm] + u[xp] + u[a+x] + u[b+x] + u[d+x] + u[e+x] - float64(6*uc)
				lv := v[xm] + v[xp] + v[a+x] + v[b+x] + v[d+x] + v[e+x] - float64(6*vc)
				uvv := float64(float64(uc*vc) * vc)
				uo[c+x] = uc + float64(p.Dt*(float64(p.Du*lu)-uvv+float64(p.F*(1-uc))))
				vo[c+x] = vc + float64(p.Dt*(float64(p.Dv*lv)+uvv-float64(fk*vc)))
			}
		}
	}
}

// Hash returns FNV-1a (64-bit, hash/fnv) over the little-endian bytes of
// every value of u, then of v, every NaN taken as 0x7ff8000000000000: the
// state check of the Gray–Scott runs (single- against multi-threaded, Go
// against the guest). NaN payloads are left out because IEEE 754 and
// WebAssembly leave them unspecified: for the same expression Go's and
// Cranelift's x86 code may propagate different NaN operands.
func Hash(u, v []float64) uint64 {
	h := fnv.New64a()
	buf := make([]byte, 0, 8<<10)
	for _, f := range [][]float64{u, v} {
		for _, x := range f {
			if len(buf) == cap(buf) {
				h.Write(buf)
				buf = buf[:0]
			}
			b := math.Float64bits(x)
			if x != x {
				b = 0x7ff8_0000_0000_0000
			}
			buf = append(buf, byte(b), byte(b>>8), byte(b>>16), byte(b>>24), byte(b>>32), byte(b>>40), byte(b>>48), byte(b>>56))
		}
	}
	h.Write(buf)
	return h.Sum64()
}
