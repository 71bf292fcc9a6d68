package rayon

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
)

// Mesh is an isosurface as the guest's mesh kernel writes it: three
// float32 per vertex in Positions (grid units: point (x, y, z) of the n³
// grid is at (x, y, z)) and Normals (unit length, pointing out of the
// region where V ≥ iso; 0 where the gradient vanishes), three indices into
// the vertices per triangle. Chunks is the number of chunks, Meshed how
// many of them have triangles.
type Mesh struct {
	Positions, Normals []float32
	Indices            []uint32
	Chunks, Meshed     int
}

// ChunksPerAxis is the number of chunks of c cells per side along each axis
// of an n³ grid: ceil((n−1)/c), 0 when n < 2.
func ChunksPerAxis(n, c int) int {
	if n < 2 {
		return 0
	}
	return (n - 2 + c) / c
}

// Ranges is the reference of the guest's ranges kernel: for each chunk of c
// cells per side, in chunk order (Mesh's rules), the minimum and maximum of
// v over the chunk's points, a NaN counting as −Inf; 2 values per chunk.
// Errors: ErrShape unless 1 ≤ n and len(v) ≥ n³; ErrParam for c < 1.
func Ranges(v []float64, n, c int) ([]float64, error) {
	if err := checkMesh(v, n, c); err != nil {
		return nil, err
	}
	cpa := ChunksPerAxis(n, c)
	out := make([]float64, 0, 2*cpa*cpa*cpa)
	for i := range cpa * cpa * cpa {
		lo, hi := chunkRange(v, n, c, i%cpa, i/cpa%cpa, i/(cpa*cpa))
		out = append(out, lo, hi)
	}
	return out, nil
}

func checkMesh(v []float64, n, c int) error {
	if n < 1 || n > 1<<10 || len(v) < n*n*n {
		return fmt.Errorf("%w: n = %d for a field of %d values", ErrShape, n, len(v))
	}
	if c < 1 {
		return fmt.Errorf("%w: chunks of %d cells", ErrParam, c)
	}
	return nil
}

// span is the point box [lo, hi] (inclusive) of chunk i on one axis.
func span(i, c, n int) (int, int) { return i * c, min(i*c+c, n-1) }

func chunkRange(v []float64, n, c, cx, cy, cz int) (lo, hi float64) {
	x0, x1 := span(cx, c, n)
	y0, y1 := span(cy, c, n)
	z0, z1 := span(cz, c, n)
	lo, hi = math.Inf(1), math.Inf(-1)
	for z := z0; z <= z1; z++ {
		for y := y0; y <= y1; y++ {
			for _, x := range v[(z*n+y)*n+x0 : (z*n+y)*n+x1+1] {
				if x != x {
					x = math.Inf(-1)
				}
				if x < lo {
					lo = x
				}
				if x > hi {
					hi = x
				}
			}
		}
	}
	return lo, hi
}

// The 12 edges of a cell, in order: axis, then the low corner's offset.
var cellEdges = [12]struct {
	axis int
	o    [3]int
}{
	{0, [3]int{0, 0, 0}}, {0, [3]int{0, 1, 0}}, {0, [3]int{0, 0, 1}}, {0, [3]int{0, 1, 1}},
	{1, [3]int{0, 0, 0}}, {1, [3]int{1, 0, 0}}, {1, [3]int{0, 0, 1}}, {1, [3]int{1, 0, 1}},
	{2, [3]int{0, 0, 0}}, {2, [3]int{1, 0, 0}}, {2, [3]int{0, 1, 0}}, {2, [3]int{1, 1, 0}},
}

type field struct {
	v   []float64
	n   int
	iso float64
}

func (f *field) at(p [3]int) float64 { return f.v[(p[2]*f.n+p[1])*f.n+p[0]] }

// vertex is cell p's vertex and normal. Every product and quotient is
// rounded on its own (float64 conversions), so no compiler fuses them.
func (f *field) vertex(p [3]int) (pos, nrm [3]float32) {
	var s, g [3]float64
	count := 0
	for _, e := range cellEdges {
		lo := [3]int{p[0] + e.o[0], p[1] + e.o[1], p[2] + e.o[2]}
		hi := lo
		hi[e.axis]++
		a, b := f.at(lo), f.at(hi)
		g[e.axis] += b - a
		if (a >= f.iso) != (b >= f.iso) {
			t := float64(f.iso-a) / float64(b-a)
			q := [3]float64{float64(e.o[0]), float64(e.o[1]), float64(e.o[2])}
			q[e.axis] = t
			s[0] += q[0]
			s[1] += q[1]
			s[2] += q[2]
			count++
		}
	}
	k := float64(count)
	for i := range 3 {
		pos[i] = float32(float64(p[i]) + float64(s[i]/k))
	}
	l := math.Sqrt(float64(float64(g[0]*g[0])+float64(g[1]*g[1])) + float64(g[2]*g[2]))
	if l != 0 {
		for i := range 3 {
			nrm[i] = float32(-g[i] / l)
		}
	}
	return pos, nrm
}

// meshChunk is chunk (cx, cy, cz)'s mesh with indices local to it.
func (f *field) meshChunk(c, cx, cy, cz int) (pos, nrm []float32, idx []uint32) {
	n := f.n
	lo := [3]int{cx * c, cy * c, cz * c}
	hi := [3]int{min(lo[0]+c, n-1), min(lo[1]+c, n-1), min(lo[2]+c, n-1)}
	side := c + 1
	local := make([]int32, side*side*side)
	for i := range local {
		local[i] = -1
	}
	index := func(p [3]int) uint32 {
		k := ((p[2]+1-lo[2])*side+(p[1]+1-lo[1]))*side + (p[0] + 1 - lo[0])
		if local[k] < 0 {
			pp, nn := f.vertex(p)
			local[k] = int32(len(pos) / 3)
			pos = append(pos, pp[:]...)
			nrm = append(nrm, nn[:]...)
		}
		return uint32(local[k])
	}
	others := [3][2]int{{1, 2}, {0, 2}, {0, 1}}
	for z := lo[2]; z < hi[2]; z++ {
		for y := lo[1]; y < hi[1]; y++ {
			for x := lo[0]; x < hi[0]; x++ {
				p := [3]int{x, y, z}
				inside := f.at(p) >= f.iso
				for a := range 3 {
					b, cc := others[a][0], others[a][1]
					if p[b] < 1 || p[b] > n-2 || p[cc] < 1 || p[cc] > n-2 {
						continue
					}
					q := p
					q[a]++
					if inside == (f.at(q) >= f.iso) {
						continue
					}
					pb, pc := p, p
					pb[b]--
					pc[cc]--
					pbc := pb
					pbc[cc]--
					quad := [4][3]int{pbc, pb, p, pc}
					if inside {
						quad = [4][3]int{pbc, pc, p, pb}
					}
					var v [4]uint32
					for i, cell := range quad {
						v[i] = index(cell)
					}
					idx = append(idx, v[0], v[1], v[2], v[0], v[2], v[3])
				}
			}
		}
	}
	return pos, nrm, idx
}

// MeshOf is the reference of the guest's mesh kernel: the isosurface of v
// (the n³ field, point (x, y, z) at (z·n + y)·n + x) at iso by surface nets
// (Gibson, "Constrained elastic surface nets", MERL TR-99-24, 1998: one
// vertex per cell at the mean of its edge crossings), in chunks of c cells
// per side merged in chunk order. The exact rules — corner and edge order,
// the crossing and normal formulas, the quad winding, the chunk order and
// which chunks are skipped — are written in examples/rayon/rust/src/mesh.rs;
// this follows them to the bit, one chunk after another:
//
//	for each chunk i in order:
//	  if its range (Ranges) lies wholly below iso or at or above it: skip
//	  for each cell p of the chunk (z, y, x), each axis a (x, y, z):
//	    if V(p) ≥ iso differs from V(p + e_a) ≥ iso, and the 4 cells around
//	    the edge exist: a quad of their vertices (made on first use, local
//	    to the chunk), two triangles
//	  append the chunk's vertices; its indices + the vertices before it
//
// Errors: ErrShape unless 1 ≤ n and len(v) ≥ n³; ErrParam for c < 1.
func MeshOf(v []float64, n int, iso float64, c int) (Mesh, error) {
	if err := checkMesh(v, n, c); err != nil {
		return Mesh{}, err
	}
	f := &field{v: v, n: n, iso: iso}
	cpa := ChunksPerAxis(n, c)
	m := Mesh{Chunks: cpa * cpa * cpa}
	for i := range m.Chunks {
		cx, cy, cz := i%cpa, i/cpa%cpa, i/(cpa*cpa)
		lo, hi := chunkRange(v, n, c, cx, cy, cz)
		if hi < iso || lo >= iso {
			continue
		}
		pos, nrm, idx := f.meshChunk(c, cx, cy, cz)
		if len(idx) > 0 {
			m.Meshed++
		}
		base := uint32(len(m.Positions) / 3)
		m.Positions = append(m.Positions, pos...)
		m.Normals = append(m.Normals, nrm...)
		for _, x := range idx {
			m.Indices = append(m.Indices, x+base)
		}
	}
	return m, nil
}

// MeshHash is FNV-1a (64-bit) over the little-endian bytes of positions,
// normals (every NaN as 0x7fc00000) and indices, in that order: the
// guest's mesh-hash.
func MeshHash(m Mesh) uint64 {
	h := fnv.New64a()
	buf := make([]byte, 0, 4*(len(m.Positions)+len(m.Normals)+len(m.Indices)))
	for _, s := range [][]float32{m.Positions, m.Normals} {
		for _, x := range s {
			b := math.Float32bits(x)
			if x != x {
				b = 0x7fc0_0000
			}
			buf = binary.LittleEndian.AppendUint32(buf, b)
		}
	}
	for _, x := range m.Indices {
		buf = binary.LittleEndian.AppendUint32(buf, x)
	}
	h.Write(buf)
	return h.Sum64()
}
