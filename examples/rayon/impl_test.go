package rayon_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/wasmvec/wasmvec/examples/rayon"
	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
)

// impl is one implementation of both workloads, set up for a thread
// count; the tests compare every impl with the Go reference, bit for bit.
type impl struct {
	name    string
	threads []int // thread counts it runs at
	// setup returns the workloads at threads threads and a cleanup.
	setup func(tb testing.TB, threads int) (alma almaFunc, gs gsFunc, done func())
}

// almaFunc computes the batch into out (nseries·len(params)·L values).
type almaFunc func(out, series []float64, nseries int, params []rayon.Param) error

// gsFunc advances u and v (n³ cells) by steps steps in place.
type gsFunc func(n, steps int, p rayon.GS, u, v []float64) error

var impls = []impl{
	{"go", []int{1}, func(testing.TB, int) (almaFunc, gsFunc, func()) {
		return rayon.ALMA, func(n, steps int, p rayon.GS, u, v []float64) error {
			return rayon.GrayScott(n, steps, p, u, v, nil, nil)
		}, func() {}
	}},
	{"go-goroutines", []int{1, 2, 3, 4}, func(_ testing.TB, th int) (almaFunc, gsFunc, func()) {
		return func(out, series []float64, nseries int, params []rayon.Param) error {
				return rayon.ALMAParallel(out, series, nseries, params, th)
			}, func(n, steps int, p rayon.GS, u, v []float64) error {
				return rayon.GrayScottParallel(n, steps, p, u, v, nil, nil, th)
			}, func() {}
	}},
	{"wasm-rayon", []int{1, 2, 3, 4}, setupGuest},
	// The single-thread build: not threaded, so one thread only.
	{"wasm-rayon-single", []int{1}, func(tb testing.TB, th int) (almaFunc, gsFunc, func()) {
		return setupGuestOf(tb, guestSingle, th)
	}},
}

// guest is the Rayon guest compiled once for every test.
var guest = sync.OnceValues(func() (*host.Module, error) {
	return host.NewEngine().Compile("rayon", rayon.Module)
})

// guestSingle is the single-thread build (rayon.ModuleSingle) compiled once.
var guestSingle = sync.OnceValues(func() (*host.Module, error) {
	return host.NewEngine().Compile("rayon-single", rayon.ModuleSingle)
})

// guestDeadlines is the guest compiled by an engine made WithDeadlines:
// Wasmtime's epoch checks in every loop of the guest's code (the
// benchmarks' wasm-rayon-deadlines rows show what they cost).
var guestDeadlines = sync.OnceValues(func() (*host.Module, error) {
	return host.NewEngine(host.WithDeadlines()).Compile("rayon", rayon.Module)
})

// instanceOf instantiates the module compiled by compiled WithThreads(th)
// if it is threaded, with opts; one that is not runs on one thread (th
// must be 1).
func instanceOf(tb testing.TB, compiled func() (*host.Module, error), th int, opts ...host.Option) (*host.Instance, *rayon.Kernels) {
	m, err := compiled()
	if err != nil {
		tb.Fatal(err)
	}
	k, err := rayon.Lookup(m)
	if err != nil {
		tb.Fatal(err)
	}
	if m.Threaded() {
		opts = append(opts, host.WithThreads(th))
	} else if th != 1 {
		tb.Fatalf("%s is not threaded: it runs on 1 thread, not %d", m.Name(), th)
	}
	in, err := m.Instantiate(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return in, k
}

// setupGuest instantiates the guest WithThreads(th); the workloads copy
// in, call the kernel on the data in place, and copy out.
func setupGuest(tb testing.TB, th int) (almaFunc, gsFunc, func()) {
	return setupGuestOf(tb, guest, th)
}

// setupGuestOf is setupGuest for the module compiled by compiled.
func setupGuestOf(tb testing.TB, compiled func() (*host.Module, error), th int) (almaFunc, gsFunc, func()) {
	in, k := instanceOf(tb, compiled, th)
	alma := func(out, series []float64, nseries int, params []rayon.Param) error {
		return in.InPlace(func(b host.Buffers) error {
			s, err := testguest.View[float64](in.Module(), b, "series")
			if err != nil {
				return err
			}
			copy(s, series)
			if err := k.ALMA(b, nseries, len(series)/nseries, params); err != nil {
				return err
			}
			o, err := testguest.View[float64](in.Module(), b, "out")
			if err != nil {
				return err
			}
			copy(out, o)
			return nil
		})
	}
	gs := func(n, steps int, p rayon.GS, u, v []float64) error {
		return in.InPlace(func(b host.Buffers) error {
			gu, err := testguest.View[float64](in.Module(), b, "u")
			if err != nil {
				return err
			}
			gv, err := testguest.View[float64](in.Module(), b, "v")
			if err != nil {
				return err
			}
			copy(gu, u)
			copy(gv, v)
			if err := k.GrayScott(b, n, steps, p); err != nil {
				return err
			}
			h, err := k.Hash(b, n)
			if err != nil {
				return err
			}
			copy(u, gu)
			copy(v, gv)
			if want := rayon.Hash(u, v); h != want {
				return fmt.Errorf("the guest's hash %#x, the Go hash of the same fields %#x", h, want)
			}
			return nil
		})
	}
	return alma, gs, func() { in.Close() }
}

// same reports whether a and b are the same bits. sameNaN also takes any
// two NaNs as the same: the payload of a NaN result is unspecified (IEEE
// 754, WebAssembly), and Go's and Cranelift's code for one expression may
// propagate different NaN operands (seen in Gray–Scott with NaN inputs).
func same(a, b float64) bool    { return math.Float64bits(a) == math.Float64bits(b) }
func sameNaN(a, b float64) bool { return same(a, b) || a != a && b != b }

// series returns nseries·l values: random walks with NaN, ±Inf, ±0 and
// subnormals sprinkled in when edges is set.
func series(r *rand.Rand, nseries, l int, edges bool) []float64 {
	x := make([]float64, nseries*l)
	v := 100.0
	for i := range x {
		v += r.NormFloat64()
		x[i] = v
		if edges && r.IntN(50) == 0 {
			x[i] = []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 5e-324, -1e308, 1e308}[r.IntN(8)]
		}
	}
	return x
}

// almaCases: ordinary sets, and the edges: period 1, period > L, period
// = L, σ tiny (flat weights), σ huge (weights underflow to 0: every
// output NaN), offset outside [0, 1].
func almaCases() []struct {
	name       string
	nseries, l int
	params     []rayon.Param
	edges      bool
} {
	return []struct {
		name       string
		nseries, l int
		params     []rayon.Param
		edges      bool
	}{
		{"usual", 5, 300, []rayon.Param{{9, 0.85, 6}, {21, 0.85, 6}, {50, 0.5, 3}}, false},
		{"edges", 3, 200, []rayon.Param{{1, 0.85, 6}, {2, 0, 1}, {7, 1, 6}, {199, 0.85, 6}, {200, 0.85, 6}, {201, 0.85, 6}, {13, 0.85, 1e-300}, {13, 0.3, 1e300}, {10, -2, 6}, {10, 3, 6}}, true},
		{"one", 1, 1, []rayon.Param{{1, 0.85, 6}}, true},
		{"many-pairs", 40, 37, []rayon.Param{{3, 0.85, 6}, {5, 0.85, 6}, {8, 0.85, 6}, {13, 0.85, 6}}, true},
	}
}

func TestALMABitExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := almaCases()
	xs, wants := make([][]float64, len(cases)), make([][]float64, len(cases))
	for i, c := range cases {
		xs[i] = series(r, c.nseries, c.l, c.edges)
		wants[i] = make([]float64, c.nseries*len(c.params)*c.l)
		if err := rayon.ALMA(wants[i], xs[i], c.nseries, c.params); err != nil {
			t.Fatal(err)
		}
	}
	for _, im := range impls {
		for _, th := range im.threads {
			alma, _, done := im.setup(t, th)
			for ci, c := range cases {
				x, want := xs[ci], wants[ci]
				got := make([]float64, len(want))
				if err := alma(got, x, c.nseries, c.params); err != nil {
					t.Fatalf("%s/%s/threads=%d: %v", c.name, im.name, th, err)
				}
				for i := range want {
					if !same(got[i], want[i]) {
						t.Fatalf("%s/%s/threads=%d: out[%d] = %v (%#x), the Go reference %v (%#x)", c.name, im.name, th, i, got[i], math.Float64bits(got[i]), want[i], math.Float64bits(want[i]))
					}
				}
			}
			done()
		}
	}
}

// fields returns random n³ fields near the usual Gray–Scott start (u ≈ 1,
// v ≈ 0 with a seeded cube), with edge values sprinkled in when edges is
// set.
func fields(r *rand.Rand, n int, edges bool) (u, v []float64) {
	if r == nil {
		r = rand.New(rand.NewPCG(uint64(n), 1))
	}
	u, v = make([]float64, n*n*n), make([]float64, n*n*n)
	for i := range u {
		u[i], v[i] = 1-0.01*r.Float64(), 0.01*r.Float64()
		if r.IntN(8) == 0 {
			u[i], v[i] = 0.5+0.1*r.NormFloat64(), 0.25+0.1*r.NormFloat64()
		}
		if edges && r.IntN(40) == 0 {
			u[i] = []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 5e-324, 1e300}[r.IntN(6)]
		}
	}
	return u, v
}

var gsParams = rayon.GS{Du: 0.2097, Dv: 0.105, F: 0.029, K: 0.057, Dt: 1}

func TestGrayScottBitExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	type gsCase struct {
		n, steps       int
		edges          bool
		u0, v0, wu, wv []float64
		want           uint64
	}
	cases := []*gsCase{{n: 1, steps: 3}, {n: 2, steps: 4}, {n: 3, steps: 5, edges: true}, {n: 8}, {n: 8, steps: 7}, {n: 17, steps: 6, edges: true}, {n: 24, steps: 10}}
	for _, c := range cases {
		c.u0, c.v0 = fields(r, c.n, c.edges)
		c.wu, c.wv = clone(c.u0), clone(c.v0)
		if err := rayon.GrayScott(c.n, c.steps, gsParams, c.wu, c.wv, nil, nil); err != nil {
			t.Fatal(err)
		}
		c.want = rayon.Hash(c.wu, c.wv)
	}
	for _, im := range impls {
		for _, th := range im.threads {
			_, gs, done := im.setup(t, th)
			for _, c := range cases {
				wu, wv, want := c.wu, c.wv, c.want
				u, v := clone(c.u0), clone(c.v0)
				if err := gs(c.n, c.steps, gsParams, u, v); err != nil {
					t.Fatalf("n=%d steps=%d %s/threads=%d: %v", c.n, c.steps, im.name, th, err)
				}
				for i := range u {
					if !sameNaN(u[i], wu[i]) || !sameNaN(v[i], wv[i]) {
						t.Fatalf("n=%d steps=%d %s/threads=%d: cell %d: (u, v) = (%#x, %#x), the Go reference (%#x, %#x)", c.n, c.steps, im.name, th, i, math.Float64bits(u[i]), math.Float64bits(v[i]), math.Float64bits(wu[i]), math.Float64bits(wv[i]))
					}
				}
				if h := rayon.Hash(u, v); h != want {
					t.Fatalf("n=%d %s/threads=%d: hash %#x, want %#x", c.n, im.name, th, h, want)
				}
			}
			done()
		}
	}
}

func clone(x []float64) []float64 { return append([]float64(nil), x...) }

func newRand() *rand.Rand { return rand.New(rand.NewPCG(5, 6)) }
