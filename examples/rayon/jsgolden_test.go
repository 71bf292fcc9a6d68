package rayon_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/wasmvec/wasmvec/examples/rayon"
	"github.com/wasmvec/wasmvec/internal/golden"
)

// The Rayon workloads' expected results for the JS package's tests and
// demo (js/test/golden/rayon.json), from the pure-Go references, which the
// tests here prove bit-identical to the guest at every thread count. Inputs
// are formulas both sides compute exactly:
//
//	series[s·L + i] = ((i·7919 + s·104729) mod 1000) / 8 − 60
//	Gray–Scott: u = 1, v = 0, but u = 0.5, v = 0.25 in the cube
//	            [⌊3n/8⌋, ⌊5n/8⌋)³
//
// Each Gray–Scott case also gives the isosurfaces of its V (rayon.MeshOf)
// at two iso levels.
//
// The ALMA weights come from Go's math.Exp (rayon.Weights) and are written
// out: JavaScript's Math.exp may differ in the last bit.

type jsALMA struct {
	Series  int     `json:"series"`
	Length  int     `json:"length"`
	Params  []Param `json:"params"`
	Periods []int32 `json:"periods"`
	Weights string  `json:"weights"` // base64 of little-endian float64, every set back to back
	Hash    string  `json:"hash"`    // rayon.Hash(out, nil), hex
}

// Param is rayon.Param with JSON names.
type Param struct {
	Period int     `json:"period"`
	Offset float64 `json:"offset"`
	Sigma  float64 `json:"sigma"`
}

type jsGS struct {
	N      int       `json:"n"`
	Steps  int       `json:"steps"`
	P      rayon.GS  `json:"p"`
	Hash   string    `json:"hash"` // the guest's hash kernel: rayon.Hash(u, v), hex
	Probe  []float64 `json:"probe,omitempty"`
	Meshes []jsMesh  `json:"meshes,omitempty"`
}

// jsMesh is the isosurface of the case's V after its steps (rayon.MeshOf).
type jsMesh struct {
	Iso      float64 `json:"iso"`
	Chunk    int     `json:"chunk"`
	Vertices int     `json:"vertices"`
	Indices  int     `json:"indices"`
	Meshed   int     `json:"meshed"` // chunks with triangles
	Hash     string  `json:"hash"`   // rayon.MeshHash, hex: the guest's mesh-hash
}

// SeriesValue is the formula of the golden series.
func seriesValue(s, i int) float64 { return float64((i*7919+s*104729)%1000)/8 - 60 }

// gsInit fills u and v as the golden Gray–Scott cases start.
func gsInit(n int) (u, v []float64) {
	u, v = make([]float64, n*n*n), make([]float64, n*n*n)
	lo, hi := 3*n/8, 5*n/8
	for i := range u {
		u[i] = 1
		if x, y, z := i%n, i/n%n, i/(n*n); x >= lo && x < hi && y >= lo && y < hi && z >= lo && z < hi {
			u[i], v[i] = 0.5, 0.25
		}
	}
	return u, v
}

func TestJSGoldenRayon(t *testing.T) {
	var almas []jsALMA
	for _, c := range []struct {
		series, length int
		params         []rayon.Param
	}{
		{3, 2000, []rayon.Param{{Period: 1, Offset: 0.85, Sigma: 6}, {Period: 9, Offset: 0.85, Sigma: 6}, {Period: 50, Offset: 0.5, Sigma: 4}, {Period: 200, Offset: 0.99, Sigma: 8}}},
		{16, 16384, []rayon.Param{{Period: 9, Offset: 0.85, Sigma: 6}, {Period: 21, Offset: 0.85, Sigma: 6}, {Period: 55, Offset: 0.9, Sigma: 6}, {Period: 144, Offset: 0.85, Sigma: 3}}},
	} {
		series := make([]float64, c.series*c.length)
		for s := range c.series {
			for i := range c.length {
				series[s*c.length+i] = seriesValue(s, i)
			}
		}
		out := make([]float64, c.series*len(c.params)*c.length)
		if err := rayon.ALMA(out, series, c.series, c.params); err != nil {
			t.Fatal(err)
		}
		_, periods, weights, err := rayon.Flatten(out, series, c.series, c.params)
		if err != nil {
			t.Fatal(err)
		}
		var ps []Param
		for _, p := range c.params {
			ps = append(ps, Param{p.Period, p.Offset, p.Sigma})
		}
		almas = append(almas, jsALMA{c.series, c.length, ps, periods, golden.F64s(weights), fmt.Sprintf("%016x", rayon.Hash(out, nil))})
	}
	var gss []jsGS
	// Stable for the explicit 3D step (6·Du·Dt < 1): the parameters of the
	// package Example (Du = 0.2097) turn the fields to NaN within 50 steps.
	p := rayon.GS{Du: 0.16, Dv: 0.08, F: 0.035, K: 0.06, Dt: 1}
	for _, c := range []struct{ n, steps int }{{16, 50}, {32, 40}, {64, 100}} {
		u, v := gsInit(c.n)
		if err := rayon.GrayScott(c.n, c.steps, p, u, v, nil, nil); err != nil {
			t.Fatal(err)
		}
		gs := jsGS{N: c.n, Steps: c.steps, P: p, Hash: fmt.Sprintf("%016x", rayon.Hash(u, v))}
		for _, m := range []struct {
			iso   float64
			chunk int
		}{{0.02, 8}, {0.05, 16}} {
			mesh, err := rayon.MeshOf(v, c.n, m.iso, m.chunk)
			if err != nil {
				t.Fatal(err)
			}
			if len(mesh.Indices) == 0 {
				t.Fatalf("n=%d iso=%v: an empty mesh makes a weak golden case", c.n, m.iso)
			}
			gs.Meshes = append(gs.Meshes, jsMesh{m.iso, m.chunk, len(mesh.Positions) / 3, len(mesh.Indices), mesh.Meshed, fmt.Sprintf("%016x", rayon.MeshHash(mesh))})
		}
		gss = append(gss, gs)
	}
	b, err := json.MarshalIndent(map[string]any{"alma": almas, "grayScott": gss}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "rayon.json", append(b, '\n'))
}
