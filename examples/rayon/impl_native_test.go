//go:build wasmvec_rust_native

package rayon_test

import (
	"testing"

	"github.com/wasmvec/wasmvec/examples/rayon"
	"github.com/wasmvec/wasmvec/examples/rayon/native"
)

// With the tag, the native build of the same Rust crate (Rayon on OS
// threads, through cgo) joins the bit-exact tests and the benchmarks.
func init() {
	impls = append(impls, impl{"native-rust-rayon", []int{1, 2, 3, 4}, setupNative})
}

func setupNative(tb testing.TB, th int) (almaFunc, gsFunc, func()) {
	p, err := native.NewPool(th)
	if err != nil {
		tb.Fatal(err)
	}
	var u2, v2 []float64
	gs := func(n, steps int, prm rayon.GS, u, v []float64) error {
		if len(u2) != len(u) {
			u2, v2 = make([]float64, len(u)), make([]float64, len(v))
		}
		return p.GrayScott(n, steps, prm, u, v, u2, v2)
	}
	return p.ALMA, gs, p.Close
}

func init() {
	benchImpls = append(benchImpls, benchImpl{"native-rust-rayon", []int{1, 2, 4}, nativeALMA, nativeGS, nativeMesh})
}

func nativeALMA(b *testing.B, th int, x []float64, s int, params []rayon.Param) (func() error, func()) {
	p, err := native.NewPool(th)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]float64, len(params)*len(x))
	return func() error { return p.ALMA(out, x, s, params) }, p.Close
}

func nativeGS(b *testing.B, th, n int, u, v []float64) (func(int) error, func()) {
	p, err := native.NewPool(th)
	if err != nil {
		b.Fatal(err)
	}
	u, v = clone(u), clone(v)
	u2, v2 := make([]float64, len(u)), make([]float64, len(v))
	return func(steps int) error { return p.GrayScott(n, steps, gsParams, u, v, u2, v2) }, p.Close
}

// TestMeshNative: the native build's mesh at 1-4 threads equals the Go
// reference to the bit, as the guest's does (TestMeshBitExact).
func TestMeshNative(t *testing.T) {
	for th := 1; th <= 4; th++ {
		p, err := native.NewPool(th)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range meshCases {
			v := meshField(t, c.n, c.steps, c.edges)
			want, err := rayon.MeshOf(v, c.n, c.iso, c.chunk)
			if err != nil {
				t.Fatal(err)
			}
			m := rayon.Mesh{Positions: make([]float32, 0, 3<<20), Normals: make([]float32, 0, 3<<20), Indices: make([]uint32, 0, 6<<20)}
			if err := p.Mesh(&m, v, c.n, c.iso, c.chunk); err != nil {
				t.Fatalf("case %d threads=%d: %v", i, th, err)
			}
			if d := sameMesh(m, want); d != "" {
				t.Errorf("case %d threads=%d: %s", i, th, d)
			}
		}
		p.Close()
	}
}

func nativeMesh(b *testing.B, th, n int, v []float64, iso float64, c int) (func() error, func()) {
	p, err := native.NewPool(th)
	if err != nil {
		b.Fatal(err)
	}
	m := rayon.Mesh{Positions: make([]float32, 0, 3<<20), Normals: make([]float32, 0, 3<<20), Indices: make([]uint32, 0, 6<<20)}
	return func() error { return p.Mesh(&m, v, n, iso, c) }, p.Close
}
