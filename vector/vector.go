// Package vector runs the vector world of wit/vector.wit — buffers a, b and
// result of f64, and the kernels sum, dot, mul and scale with their fold,
// block, batch and simd128 variants — on any guest that implements it,
// through the generic host API of package host: it is a client of
// host.Module.Kernel, host.Instance.InPlace, host.View and host.Pool like
// any other, and knows nothing the host does not tell every client.
//
// Every kernel returns the bits of package
// [github.com/wasmvec/wasmvec/kernels], whose doc gives the order of
// operations (blocks of 4096 elements, 16 lanes, a pairwise tree per
// block); inputs longer than the guest's buffers are streamed in whole
// blocks, so the result is still the canonical one. Package
// [github.com/wasmvec/wasmvec/guests] embeds guests in Rust, C, Go and
// TinyGo that implement the world.
//
//	engine := host.NewEngine()
//	defer engine.Close()
//	in, err := engine.Load("rust", guests.Rust)
//	...
//	defer in.Close()
//	vec, err := vector.Lookup(in.Module(), vector.WithSIMD())
//	...
//	s, err := vec.Sum(in, x)
//
// Because a client knows what its kernels may write, it checks it: each
// call places guard words (a signalling NaN) in the first element past the
// live ones of a, b and result, and a kernel that overwrites one gets
// host.ErrContract; the instance is then marked untrusted (a host.Pool
// replaces it).
package vector

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/kernels"
)

var (
	// ErrLength: slices that must have matching lengths do not (the same
	// value as kernels.ErrLength).
	ErrLength = kernels.ErrLength
	// ErrCapacity: an input is longer than the guest's buffers and cannot be
	// streamed, because their capacity is smaller than one block
	// (kernels.BlockLen elements) and a fold must stay block-aligned; or an
	// in-place length or a batch's width exceeds the capacity.
	ErrCapacity = errors.New("wasmvec/vector: input exceeds guest capacity")
)

// The world's buffers.
const (
	bufA      = "a"
	bufB      = "b"
	bufResult = "result"
)

// worldFn indexes the vector world's exports (world) and Kernels.k: one
// of the world's functions, not a host.Kernel.
type worldFn int

const (
	kSum worldFn = iota
	kSumFold
	kSumSIMD
	kSumSIMDFold
	kDot
	kDotFold
	kDotSIMD
	kDotSIMDFold
	kSumBlocks
	kDotBlocks
	kSumBatch
	kDotBatch
	kMul
	kMulSIMD
	kScale
	kScaleSIMD
	numKernels
)

// world is every export of the vector world with its core signature, as
// host.Kernel.Params and Results name the types.
var world = [numKernels]struct {
	name            string
	params, results []string
}{
	kSum:         {"sum", i32, f64},
	kSumFold:     {"sum-fold", f64i32, f64},
	kSumSIMD:     {"sum-simd", i32, f64},
	kSumSIMDFold: {"sum-simd-fold", f64i32, f64},
	kDot:         {"dot", i32, f64},
	kDotFold:     {"dot-fold", f64i32, f64},
	kDotSIMD:     {"dot-simd", i32, f64},
	kDotSIMDFold: {"dot-simd-fold", f64i32, f64},
	kSumBlocks:   {"sum-blocks", i32, nil},
	kDotBlocks:   {"dot-blocks", i32, nil},
	kSumBatch:    {"sum-batch", []string{"i32", "i32"}, nil},
	kDotBatch:    {"dot-batch", []string{"i32", "i32"}, nil},
	kMul:         {"mul", i32, nil},
	kMulSIMD:     {"mul-simd", i32, nil},
	kScale:       {"scale", f64i32, nil},
	kScaleSIMD:   {"scale-simd", f64i32, nil},
}

var (
	i32    = []string{"i32"}
	f64    = []string{"f64"}
	f64i32 = []string{"f64", "i32"}
)

// Option configures Lookup.
type Option func(*Kernels)

// WithSIMD makes Sum, Dot, Mul and Scale (and their InPlace forms) call the
// guest's simd128 exports ("sum-simd", "sum-simd-fold", "dot-simd",
// "dot-simd-fold", "mul-simd", "scale-simd") instead of the scalar ones.
// The bits are the same; only the speed differs. The batch and block
// kernels have one form.
func WithSIMD() Option { return func(k *Kernels) { k.simd = true } }

// Kernels is the vector world of one module, looked up once by Lookup and
// used on any instance of that module (and of a Pool of it). It is
// immutable and safe for concurrent use; each call takes the instance's
// lock (through host.Instance.InPlace) for as long as it runs.
type Kernels struct {
	guest     string
	k         [numKernels]*host.Kernel
	a, b, res host.Ref[float64]
	simd      bool
}

// Lookup finds the vector world's buffers (a, b and result, of f64) and
// kernels in module m and checks their types. It returns a
// *host.GuestError wrapping host.ErrMissingExport or host.ErrSignature
// that names the first buffer or export missing or of another type, or
// host.ErrClosed if m is nil or a zero Module. Every method of a nil or
// zero Kernels returns host.ErrMissingExport.
func Lookup(m *host.Module, opts ...Option) (*Kernels, error) {
	k := &Kernels{guest: m.Name()}
	for _, o := range opts {
		if o != nil { // a nil Option is no option
			o(k)
		}
	}
	for _, r := range []struct {
		ref  *host.Ref[float64]
		name string
	}{{&k.a, bufA}, {&k.b, bufB}, {&k.res, bufResult}} {
		var err error
		if *r.ref, err = host.BufferRef[float64](m, r.name); err != nil {
			return nil, fmt.Errorf("%w (the vector world declares buffers a, b and result of f64)", err)
		}
	}
	for i, w := range world {
		kk, err := m.Kernel(w.name)
		if err != nil {
			return nil, fmt.Errorf("%w (the vector world exports %s: %s)", err, w.name, signature(w.params, w.results))
		}
		if !slices.Equal(kk.Params(), w.params) || !slices.Equal(kk.Results(), w.results) {
			return nil, &host.GuestError{Guest: m.Name(), Export: w.name,
				Err: fmt.Errorf("%w: got %s, the vector world's is %s", host.ErrSignature, signature(kk.Params(), kk.Results()), signature(w.params, w.results))}
		}
		k.k[i] = kk
	}
	return k, nil
}

// Buffers returns the world's buffers a, b and result, for the in-place
// forms: inside host.Instance.InPlace, host.View(b, a) is buffer a of that
// instance, of its capacity in elements (zero Refs for a nil Kernels, which
// View refuses).
func (k *Kernels) Buffers() (a, b, result host.Ref[float64]) {
	if k == nil {
		return
	}
	return k.a, k.b, k.res
}

// usable reports whether k is one Lookup returned (small enough to inline
// into every method); unusable is the error of every method of a nil or
// zero Kernels: host.ErrMissingExport, since no world was looked up.
func (k *Kernels) usable() bool { return k != nil && k.k[0] != nil }

func (k *Kernels) unusable() error {
	return &host.GuestError{Err: fmt.Errorf("%w: a nil or zero *vector.Kernels: use the one vector.Lookup returns", host.ErrMissingExport)}
}

func signature(params, results []string) string {
	s := "func(" + strings.Join(params, ", ") + ")"
	if len(results) > 0 {
		s += " -> " + results[0]
	}
	return s
}

// variant returns the scalar kernel e, or its simd128 twin (the next index)
// when the Kernels were looked up WithSIMD.
func (k *Kernels) variant(e worldFn) *host.Kernel {
	if k.simd {
		return k.k[e+simdOffset[e]]
	}
	return k.k[e]
}

// simdOffset is how far each scalar kernel's simd128 twin sits in world.
var simdOffset = [numKernels]worldFn{kSum: 2, kSumFold: 2, kDot: 2, kDotFold: 2, kMul: 1, kScale: 1}

// views are the world's buffers inside one InPlace call, and their common
// capacity in elements.
type views struct {
	a, b, result []float64
	cap          int
}

func (v *views) of(k *Kernels, b host.Buffers) (err error) {
	if v.a, err = host.View(b, k.a); err != nil {
		return err
	}
	if v.b, err = host.View(b, k.b); err != nil {
		return err
	}
	if v.result, err = host.View(b, k.res); err != nil {
		return err
	}
	v.cap = min(len(v.a), len(v.b), len(v.result))
	return nil
}

// guardBits is what the guard words hold during a call: a signalling NaN
// that no kernel computes from the inputs by accident.
const guardBits = 0x7ff4_dead_beef_cafe

var guardValue = math.Float64frombits(guardBits)

// guards are the guard words of one call, in the first element past the
// live ones of each buffer (WIT: a kernel reads a[0..in) and b[0..in) and
// writes result[0..out), nothing else): a[in] and b[in] when in is below
// the capacity, result[out] when out is. They see a write to that one
// element of each buffer, not writes further on. (Indices, not pointers:
// a guards value that pointed into itself would move to the heap.)
type guards struct {
	in, out     int
	inOK, outOK bool    // whether a[in], b[in] and result[out] are guarded
	sa, sb, sr  float64 // the values the guard words replaced
}

// place writes the guard words of a call that reads in and writes out
// elements of v.
func (g *guards) place(v *views, in, out int) {
	a, b, r := v.a, v.b, v.result
	g.in, g.out = in, out
	g.inOK, g.outOK = uint(in) < uint(v.cap), uint(out) < uint(v.cap)
	if g.inOK {
		g.sa, g.sb = a[in], b[in]
		a[in], b[in] = guardValue, guardValue
	}
	if g.outOK {
		g.sr = r[out]
		r[out] = guardValue
	}
}

// check restores the guarded elements of v, so that the caller sees no
// change, and returns host.ErrContract if kernel kk changed a guard word.
func (g *guards) check(v *views, guest string, kk *host.Kernel) error {
	a, b, r := v.a, v.b, v.result
	in, out := g.in, g.out
	var ga, gb, gr uint64 = guardBits, guardBits, guardBits
	if g.inOK {
		ga, gb = math.Float64bits(a[in]), math.Float64bits(b[in])
		a[in], b[in] = g.sa, g.sb
	}
	if g.outOK {
		gr = math.Float64bits(r[out])
		r[out] = g.sr
	}
	if (ga^guardBits)|(gb^guardBits)|(gr^guardBits) != 0 {
		return g.broken(guest, kk, ga != guardBits, gb != guardBits, gr != guardBits)
	}
	return nil
}

// broken is the error of a call whose kernel kk wrote the guard words
// marked true.
func (g *guards) broken(guest string, kk *host.Kernel, ca, cb, cr bool) error {
	return &host.GuestError{Guest: guest, Export: kk.Name(), Err: fmt.Errorf(
		"%w: the kernel wrote a guard word (a[%d] %t, b[%d] %t, result[%d] %t), where the vector world forbids it",
		host.ErrContract, g.in, ca, g.in, cb, g.out, cr)}
}

// call calls kk through b with args inside an InPlace, with guard words
// around it (see guards).
// The guard words are placed and checked inside b's call
// (host.Buffers.CallWith), so that a call through b on another goroutine
// (a misuse) cannot see them or move them: it gets host.ErrConcurrent.
func (k *Kernels) call(b host.Buffers, v *views, kk *host.Kernel, in, out int, args ...uint64) (uint64, error) {
	var g guards
	return b.CallWith(kk, args, func(host.Buffers) error {
		g.place(v, in, out)
		return nil
	}, func(host.Buffers) error {
		return g.check(v, k.guest, kk)
	})
}

// errStream is what a copying call's prepare returns when the input is
// longer than the buffers: the caller then streams it through InPlace.
var errStream = errors.New("stream")

func i32Arg(n int) uint64        { return uint64(uint32(int32(n))) }
func f64Arg(x float64) uint64    { return math.Float64bits(x) }
func f64Result(r uint64) float64 { return math.Float64frombits(r) }

func (k *Kernels) lengthErr(e worldFn, format string, args ...any) error {
	return &host.GuestError{Guest: k.guest, Export: k.variant(e).Name(), Err: fmt.Errorf("%w: "+format, append([]any{ErrLength}, args...)...)}
}

func (k *Kernels) capacityErr(name string, format string, args ...any) error {
	return &host.GuestError{Guest: k.guest, Export: name, Err: fmt.Errorf("%w: "+format, append([]any{ErrCapacity}, args...)...)}
}

// Sum returns the canonical sum of x (see package kernels), computed by the
// guest's "sum" export on instance in (which must be of the module Lookup
// was given):
//
//	if len(x) == 0 {
//		return +0.0
//	}
//	acc := -0.0
//	for each block of 4096 elements: acc = acc + tree(16 lane sums of the block)
//	return acc
//
// x is copied into buffer a; inputs longer than its capacity are streamed in
// whole blocks through "sum-fold". Errors, each in a *host.GuestError:
// ErrCapacity if the input cannot be streamed, host.ErrContract if the
// kernel wrote a guard word, and those of host.Instance.Call (host.ErrTrap
// with a *host.Trap, host.ErrDeadline, host.ErrClosed, ...). The instance
// stays usable after a trap.
func (k *Kernels) Sum(in *host.Instance, x []float64) (float64, error) {
	if !k.usable() {
		return 0, k.unusable()
	}
	return k.reduce(in, kSum, x, nil)
}

// Dot returns the canonical dot product of x and y (see package kernels),
// computed by the guest's "dot" export: Sum over the products
// p[i] = x[i]*y[i], each rounded to float64 (no fused multiply-add).
//
// It returns ErrLength if len(x) != len(y); otherwise the errors of Sum.
func (k *Kernels) Dot(in *host.Instance, x, y []float64) (float64, error) {
	if !k.usable() {
		return 0, k.unusable()
	}
	if len(x) != len(y) {
		return 0, k.lengthErr(kDot, "x %d, y %d", len(x), len(y))
	}
	return k.reduce(in, kDot, x, y)
}

// reduce runs the reduction whole (kSum or kDot, with its -fold at whole+1)
// over x (and y): in one host.Instance.CallWith when x fits the buffers,
// else streamed.
func (k *Kernels) reduce(in *host.Instance, whole worldFn, x, y []float64) (float64, error) {
	kk := k.variant(whole)
	var v views
	var g guards
	r, err := in.CallWith(kk, []uint64{i32Arg(len(x))}, func(b host.Buffers) error {
		if err := v.of(k, b); err != nil {
			return err
		}
		if len(x) > v.cap {
			return errStream
		}
		copy(v.a, x)
		copy(v.b, y)
		g.place(&v, len(x), 0)
		return nil
	}, func(host.Buffers) error {
		return g.check(&v, k.guest, kk)
	})
	if err == errStream {
		return k.stream(in, whole, x, y)
	}
	return f64Result(r), err
}

// stream runs the reduction's -fold kernel over x (and y) in whole blocks,
// inside one InPlace.
func (k *Kernels) stream(in *host.Instance, whole worldFn, x, y []float64) (s float64, err error) {
	err = in.InPlace(func(b host.Buffers) error {
		var v views
		if err := v.of(k, b); err != nil {
			return err
		}
		chunk := v.cap / kernels.BlockLen * kernels.BlockLen
		if chunk == 0 {
			return k.capacityErr(k.variant(whole).Name(), "%d elements, capacity %d is below one block (%d) so the input cannot be streamed",
				len(x), v.cap, kernels.BlockLen)
		}
		fold := k.variant(whole + 1)
		acc := kernels.NegZero()
		for start := 0; start < len(x); start += chunk {
			end := min(start+chunk, len(x))
			copy(v.a, x[start:end])
			if y != nil {
				copy(v.b, y[start:end])
			}
			r, err := k.call(b, &v, fold, end-start, 0, f64Arg(acc), i32Arg(end-start))
			if err != nil {
				return err
			}
			acc = f64Result(r)
		}
		s = acc
		return nil
	})
	return s, err
}

// Mul stores the elementwise product of a and b in dst, computed by the
// guest's "mul" export:
//
//	for i := range dst {
//		dst[i] = a[i] * b[i]
//	}
//
// dst may be a or b itself; other overlaps give unspecified results. Inputs
// longer than the guest's capacity are processed in chunks of that many
// elements. It returns ErrLength unless len(dst) == len(a) == len(b), and
// otherwise the errors of Sum (after a trap, dst is partly written).
func (k *Kernels) Mul(in *host.Instance, dst, a, b []float64) error {
	if !k.usable() {
		return k.unusable()
	}
	if len(a) != len(dst) || len(b) != len(dst) {
		return k.lengthErr(kMul, "dst %d, a %d, b %d", len(dst), len(a), len(b))
	}
	return k.elementwise(in, kMul, dst, a, b, 0)
}

// Scale stores s times a in dst, computed by the guest's "scale" export:
//
//	for i := range dst {
//		dst[i] = s * a[i]
//	}
//
// dst may be a itself. It returns ErrLength unless len(dst) == len(a), and
// otherwise the errors of Mul.
func (k *Kernels) Scale(in *host.Instance, dst, a []float64, s float64) error {
	if !k.usable() {
		return k.unusable()
	}
	if len(a) != len(dst) {
		return k.lengthErr(kScale, "dst %d, a %d", len(dst), len(a))
	}
	return k.elementwise(in, kScale, dst, a, nil, s)
}

// elementwise runs mul (dst = a*b) or scale (dst = s*a): in one
// host.Instance.CallWith when dst fits the buffers, else in chunks of the
// capacity inside one InPlace.
func (k *Kernels) elementwise(in *host.Instance, e worldFn, dst, a, bs []float64, s float64) error {
	kk := k.variant(e)
	n := len(dst)
	var args []uint64
	if e == kMul {
		args = []uint64{i32Arg(n)}
	} else {
		args = []uint64{f64Arg(s), i32Arg(n)}
	}
	var v views
	var g guards
	_, err := in.CallWith(kk, args, func(b host.Buffers) error {
		if err := v.of(k, b); err != nil {
			return err
		}
		if n > v.cap {
			return errStream
		}
		copy(v.a, a)
		copy(v.b, bs)
		g.place(&v, n, n)
		return nil
	}, func(host.Buffers) error {
		if err := g.check(&v, k.guest, kk); err != nil {
			return err
		}
		copy(dst, v.result[:n])
		return nil
	})
	if err != errStream {
		return err
	}
	return in.InPlace(func(b host.Buffers) error {
		var v views
		if err := v.of(k, b); err != nil {
			return err
		}
		for start := 0; start < len(dst); start += v.cap {
			end := min(start+v.cap, len(dst))
			n := end - start
			copy(v.a, a[start:end])
			var err error
			if e == kMul {
				copy(v.b, bs[start:end])
				_, err = k.call(b, &v, kk, n, n, i32Arg(n))
			} else {
				_, err = k.call(b, &v, kk, n, n, f64Arg(s), i32Arg(n))
			}
			if err != nil {
				return err
			}
			copy(dst[start:end], v.result[:n])
		}
		return nil
	})
}
