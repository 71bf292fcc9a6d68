package rayon_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/examples/rayon"
	"github.com/wasmvec/wasmvec/host"
)

// meshField is a V field with structure: fields' noise advanced steps
// Gray–Scott steps (the Go reference), with a few NaN and infinities put
// into V when edges is set.
func meshField(t testing.TB, n, steps int, edges bool) []float64 {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	u, v := fields(r, n, false)
	if err := rayon.GrayScott(n, steps, gsParams, u, v, nil, nil); err != nil {
		t.Fatal(err)
	}
	if edges {
		for i := range v {
			if r.IntN(50) == 0 {
				v[i] = []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0.3}[r.IntN(4)]
			}
		}
	}
	return v
}

type meshCase struct {
	n, steps int
	edges    bool
	iso      float64
	chunk    int
}

var meshCases = []meshCase{
	{n: 1, iso: 0.1, chunk: 4},
	{n: 2, iso: 0.005, chunk: 1},
	{n: 5, steps: 3, iso: 0.006, chunk: 2},
	{n: 16, steps: 20, iso: 0.05, chunk: 4},
	{n: 16, steps: 20, edges: true, iso: 0.05, chunk: 3},
	{n: 24, steps: 30, iso: 0.1, chunk: 7},
	{n: 24, steps: 30, iso: 0.1, chunk: 32},
	{n: 33, steps: 40, iso: 0.2, chunk: 8},
	{n: 33, steps: 40, edges: true, iso: 0.2, chunk: 16},
	{n: 20, steps: 10, iso: 10, chunk: 4},  // above every value: no mesh
	{n: 20, steps: 10, iso: -10, chunk: 4}, // below every value: no mesh
	{n: 20, steps: 10, iso: math.NaN(), chunk: 4},
}

// sameMesh reports the first difference between two meshes, bit for bit
// (any two NaN alike), or "".
func sameMesh(got, want rayon.Mesh) string {
	if len(got.Positions) != len(want.Positions) || len(got.Indices) != len(want.Indices) {
		return "sizes differ"
	}
	for i := range got.Positions {
		for _, s := range [][2][]float32{{got.Positions, want.Positions}, {got.Normals, want.Normals}} {
			a, b := s[0][i], s[1][i]
			if math.Float32bits(a) != math.Float32bits(b) && !(a != a && b != b) {
				return "a position or normal differs"
			}
		}
	}
	for i := range got.Indices {
		if got.Indices[i] != want.Indices[i] {
			return "an index differs"
		}
	}
	if got.Meshed != want.Meshed || got.Chunks != want.Chunks {
		return "chunk counts differ"
	}
	return ""
}

// TestMeshBitExact: the guest's mesh kernel at 1, 2, 3 and 4 threads and
// the single-thread build give the Go reference's mesh (MeshOf) to the
// bit, and mesh-hash gives MeshHash of it; ranges gives Ranges. With
// NaN and infinities in the field, iso levels above, below and NaN
// (empty meshes), chunks of 1 cell to one chunk for the whole grid.
func TestMeshBitExact(t *testing.T) {
	type ref struct {
		v      []float64
		mesh   rayon.Mesh
		hash   uint64
		ranges []float64
	}
	refs := make([]ref, len(meshCases))
	for i, c := range meshCases {
		v := meshField(t, c.n, c.steps, c.edges)
		m, err := rayon.MeshOf(v, c.n, c.iso, c.chunk)
		if err != nil {
			t.Fatal(err)
		}
		r, err := rayon.Ranges(v, c.n, c.chunk)
		if err != nil {
			t.Fatal(err)
		}
		refs[i] = ref{v, m, rayon.MeshHash(m), r}
	}
	if m := refs[7].mesh; len(m.Indices) < 3000 || m.Meshed < 2 {
		t.Fatalf("case 7 gave %d indices in %d chunks: the test wants a real surface", len(m.Indices), m.Meshed)
	}
	for _, c := range []int{9, 10, 11} {
		if len(refs[c].mesh.Indices) != 0 {
			t.Fatalf("case %d (iso %v): %d indices, want none", c, meshCases[c].iso, len(refs[c].mesh.Indices))
		}
	}
	for _, g := range []struct {
		name     string
		compiled func() (*host.Module, error)
		threads  []int
	}{{"wasm-rayon", guest, []int{1, 2, 3, 4}}, {"wasm-rayon-single", guestSingle, []int{1}}} {
		for _, th := range g.threads {
			in, k := instanceOf(t, g.compiled, th)
			for i, c := range meshCases {
				err := in.InPlace(func(b host.Buffers) error {
					gv, err := host.View(b, k.V)
					if err != nil {
						return err
					}
					copy(gv, refs[i].v)
					nc, err := k.Ranges(b, c.n, c.chunk)
					if err != nil {
						return err
					}
					rs, err := host.View(b, k.RangesOut)
					if err != nil {
						return err
					}
					for j := range 2 * nc {
						if math.Float64bits(rs[j]) != math.Float64bits(refs[i].ranges[j]) {
							t.Errorf("case %d %s/threads=%d: range value %d = %v, want %v", i, g.name, th, j, rs[j], refs[i].ranges[j])
							break
						}
					}
					info, err := k.Mesh(b, c.n, c.iso, c.chunk)
					if err != nil {
						return err
					}
					m, err := k.ReadMesh(b, info)
					if err != nil {
						return err
					}
					if d := sameMesh(m, refs[i].mesh); d != "" {
						t.Errorf("case %d (n=%d iso=%v chunk=%d) %s/threads=%d: %s: %d/%d vertices, %d/%d indices",
							i, c.n, c.iso, c.chunk, g.name, th, d, info.Vertices, len(refs[i].mesh.Positions)/3, info.Indices, len(refs[i].mesh.Indices))
					}
					h, err := k.MeshHash(b)
					if err != nil {
						return err
					}
					if h != refs[i].hash {
						t.Errorf("case %d %s/threads=%d: mesh-hash %#x, MeshHash of the reference %#x", i, g.name, th, h, refs[i].hash)
					}
					return nil
				})
				if err != nil {
					t.Fatalf("case %d %s/threads=%d: %v", i, g.name, th, err)
				}
			}
			in.Close()
		}
	}
}

// TestRangesPlainLoop: Ranges against the plainest loop over each chunk's
// points, and the chunk count of odd sizes.
func TestRangesPlainLoop(t *testing.T) {
	n, c := 13, 5
	v := meshField(t, n, 4, true)
	r, err := rayon.Ranges(v, n, c)
	if err != nil {
		t.Fatal(err)
	}
	if cpa := rayon.ChunksPerAxis(n, c); cpa != 3 || len(r) != 2*27 {
		t.Fatalf("%d chunks per axis, %d values; want 3 and 54", cpa, len(r))
	}
	for i := range 27 {
		cx, cy, cz := i%3, i/3%3, i/9
		lo, hi := math.Inf(1), math.Inf(-1)
		for z := cz * c; z <= min(cz*c+c, n-1); z++ {
			for y := cy * c; y <= min(cy*c+c, n-1); y++ {
				for x := cx * c; x <= min(cx*c+c, n-1); x++ {
					w := v[(z*n+y)*n+x]
					if math.IsNaN(w) {
						w = math.Inf(-1)
					}
					lo, hi = math.Min(lo, w), math.Max(hi, w)
				}
			}
		}
		if r[2*i] != lo || r[2*i+1] != hi {
			t.Errorf("chunk %d: range [%v, %v], the loop's [%v, %v]", i, r[2*i], r[2*i+1], lo, hi)
		}
	}
	for _, bad := range []struct {
		n, c int
		want error
	}{{0, 4, rayon.ErrShape}, {4, 0, rayon.ErrParam}} {
		if _, err := rayon.Ranges(v, bad.n, bad.c); !errors.Is(err, bad.want) {
			t.Errorf("Ranges(n=%d, c=%d) = %v, want %v", bad.n, bad.c, err, bad.want)
		}
		if _, err := rayon.MeshOf(v, bad.n, 0.1, bad.c); !errors.Is(err, bad.want) {
			t.Errorf("MeshOf(n=%d, c=%d) = %v, want %v", bad.n, bad.c, err, bad.want)
		}
	}
}

// TestMeshPastCapacity: a field of noise at n = 128 crosses the iso level
// in nearly every cell, a mesh past the guest's buffers: ErrShape with
// the sizes it would have, and not one element of the mesh buffers written.
func TestMeshPastCapacity(t *testing.T) {
	in, k := instanceOf(t, guest, 2)
	defer in.Close()
	const n = 128
	r := rand.New(rand.NewPCG(1, 2))
	err := in.InPlace(func(b host.Buffers) error {
		gv, err := host.View(b, k.V)
		if err != nil {
			return err
		}
		for i := range n * n * n {
			gv[i] = r.Float64()
		}
		pos, _ := host.View(b, k.Positions)
		idx, _ := host.View(b, k.Indices)
		pos[0], idx[len(idx)-1] = 12.5, 77
		info, err := k.Mesh(b, n, 0.5, 16)
		if !errors.Is(err, rayon.ErrShape) || 3*info.Vertices <= len(pos) && info.Indices <= len(idx) {
			t.Fatalf("a mesh of noise: %+v, %v; want ErrShape and sizes past the buffers (%d, %d)", info, err, len(pos)/3, len(idx))
		}
		if pos[0] != 12.5 || idx[len(idx)-1] != 77 {
			t.Errorf("the mesh buffers were written: %v, %v", pos[0], idx[len(idx)-1])
		}
		if h, err := k.MeshHash(b); err != nil || h != 0 {
			t.Errorf("mesh-hash after a mesh past the buffers: %#x, %v; want 0", h, err)
		}
		// And the instance meshes again.
		if _, err := k.Mesh(b, 16, 0.5, 4); err != nil {
			t.Errorf("a small mesh after: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStop: Instance.Stop from another goroutine ends a long Gray–Scott
// call early with ErrStopped, the fields a whole number of steps on (the
// Go reference at some step count gives the guest's hash), and the
// instance serves the next call; a Stop between calls asks nothing. The
// single-thread build has no stop word (ErrMissingExport), nor has a
// closed instance one to reach (ErrClosed, not a fault).
func TestStop(t *testing.T) {
	const n, steps = 32, 1_000_000
	in, k := instanceOf(t, guest, 2)
	// Stable parameters (6·Du·Dt < 1) and the golden start: no step leaves
	// the fields as they were, so the hash tells the step count.
	p := rayon.GS{Du: 0.16, Dv: 0.08, F: 0.035, K: 0.06, Dt: 1}
	u0, v0 := gsInit(n)
	if err := in.Stop(); err != nil { // between calls: asks nothing of the next
		t.Fatal(err)
	}
	err := in.InPlace(func(b host.Buffers) error {
		gu, _ := host.View(b, k.U)
		gv, _ := host.View(b, k.V)
		copy(gu, u0)
		copy(gv, v0)
		if err := k.GrayScott(b, n, 3, p); err != nil {
			return fmt.Errorf("a call after a Stop between calls: %w", err)
		}
		copy(gu, u0)
		copy(gv, v0)
		stopped := make(chan error, 1)
		timer := time.AfterFunc(300*time.Millisecond, func() { stopped <- in.Stop() })
		defer timer.Stop()
		start := time.Now()
		err := k.GrayScott(b, n, steps, p)
		if !errors.Is(err, rayon.ErrStopped) {
			return fmt.Errorf("a stopped call returned %v after %v, want ErrStopped", err, time.Since(start))
		}
		if err := <-stopped; err != nil {
			return err
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("the stop took %v", d)
		}
		h, err := k.Hash(b, n)
		if err != nil {
			return err
		}
		// Which whole number of steps: step the reference until its hash is the guest's.
		u, v := clone(u0), clone(v0)
		for s := 1; s <= 100_000; s++ {
			if err := rayon.GrayScott(n, 1, p, u, v, nil, nil); err != nil {
				return err
			}
			if rayon.Hash(u, v) == h {
				t.Logf("stopped after %d steps", s)
				return k.GrayScott(b, n, 2, p) // and the instance serves on
			}
		}
		return fmt.Errorf("the stopped fields are no whole number of steps (up to 100,000) on")
	})
	if err != nil {
		t.Fatal(err)
	}
	in.Close()
	if err := in.Stop(); !errors.Is(err, host.ErrClosed) {
		t.Errorf("Stop after Close = %v, want ErrClosed", err)
	}
	single, _ := instanceOf(t, guestSingle, 1)
	defer single.Close()
	if err := single.Stop(); !errors.Is(err, host.ErrMissingExport) {
		t.Errorf("Stop on the single-thread build = %v, want ErrMissingExport", err)
	}
}
