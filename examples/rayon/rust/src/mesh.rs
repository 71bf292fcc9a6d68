//! Isosurfaces of the Gray–Scott field: per-chunk min/max and surface nets
//! (Gibson, "Constrained elastic surface nets", MERL TR-99-24, 1998; the
//! naive variant, one vertex per cell at the mean of its edge crossings),
//! parallel over chunks, merged in chunk order. The rules, which the Go
//! reference (examples/rayon/mesh.go) follows to the bit:
//!
//! - The field is V on the n³ grid, point (x, y, z) at (z·n + y)·n + x;
//!   no wrap-around. A point is *inside* when V ≥ iso (NaN is outside).
//! - Cell (x, y, z), 0 ≤ x, y, z < n−1, has the corners (x+i, y+j, z+k),
//!   i, j, k ∈ {0, 1}. Its 12 edges, in this order: the x edges at
//!   (j, k) = (0,0), (1,0), (0,1), (1,1), then the y edges at (i, k) =
//!   (0,0), (1,0), (0,1), (1,1), then the z edges at (i, j) = (0,0), (1,0),
//!   (0,1), (1,1); each from its low end a to its high end b.
//! - A cell's vertex, made when a quad first needs it: over its edges in
//!   order whose ends differ in insideness, t = (iso − a) / (b − a) and the
//!   crossing point (t on the edge's axis, the corner offsets on the other
//!   two), summed in f64 in edge order; the vertex is the cell's corner
//!   (x, y, z) plus that sum divided by the count, each coordinate
//!   x + sum/count, rounded to f32. Its normal: g = the sums of (b − a) over
//!   the 4 edges of each axis, in edge order; len = sqrt((gx·gx + gy·gy) +
//!   gz·gz), each product rounded; the normal is (−gx/len, −gy/len,
//!   −gz/len) rounded to f32 (pointing out of the inside), or 0 when len is 0.
//! - Quads: for each grid edge from point p to p + e_a (a = x, y, z in that
//!   order) whose ends differ in insideness and whose other two coordinates
//!   (axes b < c of the other two) are in [1, n−2], the quad joins the
//!   vertices of the four cells around it: p−e_b−e_c, p−e_c, p, p−e_b for
//!   an edge whose low end is inside, reversed (p−e_b−e_c, p−e_b, p, p−e_c)
//!   when it is outside; two triangles (v0, v1, v2), (v0, v2, v3).
//! - Chunks: cells in cubes of c per side, chunk (cx, cy, cz) holding cells
//!   [cx·c, min(cx·c + c, n−1)) on each axis, numbered (cz·C + cy)·C + cx
//!   with C = ceil((n−1)/c). A chunk owns the edges whose low end p is one
//!   of its cells, visited cell by cell in z, y, x order, axes x, y, z per
//!   cell. Its range is the min and max of V over its points [cx·c,
//!   min(cx·c + c, n−1)], a NaN counting as −inf (it is outside); a chunk
//!   whose range lies wholly below iso or wholly at or above it has no
//!   crossing and is skipped.
//! - Each chunk meshes into its own vertex and index lists (a vertex of a
//!   cell of a lower chunk is made again, with the same bits); the chunks
//!   are then merged in chunk order, each chunk's indices offset by the
//!   vertices of the chunks before it. (`mesh` does this without keeping
//!   the chunks' lists: a first pass sizes them, a second writes each at
//!   its place in the merged outputs.)

use rayon::prelude::*;

/// Chunks per axis for n points and chunks of c cells (0 when n < 2).
pub fn chunks_per_axis(n: usize, c: usize) -> usize {
    if n < 2 { 0 } else { (n - 1).div_ceil(c) }
}

/// The point box [lo, hi] (inclusive) of chunk index i on one axis.
fn span(i: usize, c: usize, n: usize) -> (usize, usize) {
    (i * c, (i * c + c).min(n - 1))
}

/// The range (min, max) of v over chunk (cx, cy, cz)'s points.
pub fn chunk_range(v: &[f64], n: usize, c: usize, cx: usize, cy: usize, cz: usize) -> (f64, f64) {
    let (x0, x1) = span(cx, c, n);
    let (y0, y1) = span(cy, c, n);
    let (z0, z1) = span(cz, c, n);
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for z in z0..=z1 {
        for y in y0..=y1 {
            for &x in &v[(z * n + y) * n + x0..=(z * n + y) * n + x1] {
                let x = if x.is_nan() { f64::NEG_INFINITY } else { x };
                if x < lo {
                    lo = x;
                }
                if x > hi {
                    hi = x;
                }
            }
        }
    }
    (lo, hi)
}

/// Every chunk's range into out (2 per chunk, in chunk order), in
/// parallel; out holds at least 2·C³.
pub fn ranges(v: &[f64], n: usize, c: usize, out: &mut [f64]) {
    let cpa = chunks_per_axis(n, c);
    out[..2 * cpa * cpa * cpa]
        .par_chunks_mut(2)
        .enumerate()
        .for_each(|(i, r)| {
            crate::guest_check();
            let (cx, cy, cz) = (i % cpa, i / cpa % cpa, i / (cpa * cpa));
            let (lo, hi) = chunk_range(v, n, c, cx, cy, cz);
            r[0] = lo;
            r[1] = hi;
        });
}

// The 12 edges: (axis, low corner offset).
const EDGES: [(usize, [usize; 3]); 12] = [
    (0, [0, 0, 0]),
    (0, [0, 1, 0]),
    (0, [0, 0, 1]),
    (0, [0, 1, 1]),
    (1, [0, 0, 0]),
    (1, [1, 0, 0]),
    (1, [0, 0, 1]),
    (1, [1, 0, 1]),
    (2, [0, 0, 0]),
    (2, [1, 0, 0]),
    (2, [0, 1, 0]),
    (2, [1, 1, 0]),
];

struct Field<'a> {
    v: &'a [f64],
    n: usize,
    iso: f64,
}

impl Field<'_> {
    fn at(&self, p: [usize; 3]) -> f64 {
        self.v[(p[2] * self.n + p[1]) * self.n + p[0]]
    }

    /// The vertex and normal of cell p.
    fn vertex(&self, p: [usize; 3]) -> ([f32; 3], [f32; 3]) {
        let mut s = [0.0f64; 3];
        let mut g = [0.0f64; 3];
        let mut count = 0u32;
        for &(axis, o) in &EDGES {
            let lo = [p[0] + o[0], p[1] + o[1], p[2] + o[2]];
            let mut hi = lo;
            hi[axis] += 1;
            let (a, b) = (self.at(lo), self.at(hi));
            g[axis] += b - a;
            if (a >= self.iso) != (b >= self.iso) {
                let t = (self.iso - a) / (b - a);
                let mut q = [o[0] as f64, o[1] as f64, o[2] as f64];
                q[axis] = t;
                s[0] += q[0];
                s[1] += q[1];
                s[2] += q[2];
                count += 1;
            }
        }
        let k = count as f64;
        let pos = [
            (p[0] as f64 + s[0] / k) as f32,
            (p[1] as f64 + s[1] / k) as f32,
            (p[2] as f64 + s[2] / k) as f32,
        ];
        let len = (g[0] * g[0] + g[1] * g[1] + g[2] * g[2]).sqrt();
        let nrm = if len == 0.0 {
            [0.0; 3]
        } else {
            [(-g[0] / len) as f32, (-g[1] / len) as f32, (-g[2] / len) as f32]
        };
        (pos, nrm)
    }
}

/// Where a chunk's mesh goes: counted (the first pass), or written at the
/// chunk's offsets in the outputs (the second).
trait Sink {
    /// A new vertex of the chunk (its local index is the count before).
    fn vertex(&mut self, f: &Field, p: [usize; 3]);
    /// A quad's two triangles, local indices.
    fn quad(&mut self, v: [u32; 4]);
}

/// The first pass: sizes only. (Two u32 in the guest, where usize is 32
/// bits: its scratch buffer "mesh-sizes" holds them as i32 pairs.)
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct Sizes {
    pub vertices: usize,
    pub indices: usize,
}

impl Sink for Sizes {
    fn vertex(&mut self, _: &Field, _: [usize; 3]) {
        self.vertices += 1;
    }
    fn quad(&mut self, _: [u32; 4]) {
        self.indices += 6;
    }
}

/// The second pass: vertices from vertex `at.vertices` and indices from
/// `at.indices` of the outputs, indices offset by `at.vertices`.
struct Write {
    pos: *mut f32,
    nrm: *mut f32,
    idx: *mut u32,
    at: Sizes,
    done: Sizes,
}

impl Sink for Write {
    fn vertex(&mut self, f: &Field, p: [usize; 3]) {
        let (pos, nrm) = f.vertex(p);
        let k = 3 * (self.at.vertices + self.done.vertices);
        // SAFETY: the chunk's range of the outputs, which the first pass
        // sized and the caller checked against their capacities.
        unsafe {
            core::ptr::copy_nonoverlapping(pos.as_ptr(), self.pos.add(k), 3);
            core::ptr::copy_nonoverlapping(nrm.as_ptr(), self.nrm.add(k), 3);
        }
        self.done.vertices += 1;
    }
    fn quad(&mut self, v: [u32; 4]) {
        let b = self.at.vertices as u32;
        let t = [v[0] + b, v[1] + b, v[2] + b, v[0] + b, v[2] + b, v[3] + b];
        // SAFETY: as in vertex.
        unsafe { core::ptr::copy_nonoverlapping(t.as_ptr(), self.idx.add(self.at.indices + self.done.indices), 6) };
        self.done.indices += 6;
    }
}

/// The largest chunk side meshed, in cells, and the most pool threads:
/// each thread's map from cells (the chunk's and its halo) to local vertex
/// indices is its slice of MAP_LEN u32 of scratch the caller gives, so
/// that meshing allocates nothing (the single-thread build's memory cannot
/// grow once instantiated).
pub const MAX_CHUNK: usize = 32;
pub const MAX_THREADS: usize = 64;
const SIDE: usize = MAX_CHUNK + 1;
/// The scratch every thread's map takes, in u32.
pub const MAP_LEN: usize = MAX_THREADS * SIDE * SIDE * SIDE;

/// The most chunks a mesh has: its first pass keeps each chunk's sizes in
/// scratch the caller gives.
pub const MAX_CHUNKS: usize = 1 << 17;

/// What meshing works in, from the caller: the threads' maps (MAP_LEN u32)
/// and each chunk's sizes (MAX_CHUNKS). Neither holds anything between
/// calls. (Scratch, not statics: a threaded guest's start function
/// zero-fills its statics at every instantiation, docs/rayon.md.)
pub struct Scratch<'a> {
    pub maps: &'a mut [u32],
    pub sizes: &'a mut [Sizes],
}

/// This thread's map (Rayon's thread index; 0 outside a pool).
fn local_map(maps: &Shared<u32>) -> &mut [u32] {
    let t = rayon::current_thread_index().unwrap_or(0);
    assert!(t < MAX_THREADS, "mesh: pool thread {t} past MAX_THREADS");
    // SAFETY: each pool thread uses its own slice of the MAP_LEN the caller
    // gave (mesh checks the length), one chunk at a time.
    unsafe { core::slice::from_raw_parts_mut(maps.0.add(t * SIDE * SIDE * SIDE), SIDE * SIDE * SIDE) }
}

/// Meshes chunk (cx, cy, cz) into sink (see the module's rules).
fn mesh_chunk(f: &Field, maps: &Shared<u32>, c: usize, cx: usize, cy: usize, cz: usize, sink: &mut impl Sink) {
    let n = f.n;
    let lo = [cx * c, cy * c, cz * c];
    let hi = [(lo[0] + c).min(n - 1), (lo[1] + c).min(n - 1), (lo[2] + c).min(n - 1)];
    // Cells [lo−1, hi) on each axis: the chunk's and the halo below it.
    let side = c + 1;
    let local = &mut local_map(maps)[..side * side * side];
    local.fill(u32::MAX);
    let mut count = 0u32;
    let mut index = |sink: &mut dyn FnMut([usize; 3]), p: [usize; 3]| -> u32 {
        let k = ((p[2] + 1 - lo[2]) * side + (p[1] + 1 - lo[1])) * side + (p[0] + 1 - lo[0]);
        if local[k] == u32::MAX {
            sink(p);
            local[k] = count;
            count += 1;
        }
        local[k]
    };
    let mut quads = [[0u32; 4]; 3];
    for z in lo[2]..hi[2] {
        for y in lo[1]..hi[1] {
            for x in lo[0]..hi[0] {
                let p = [x, y, z];
                let inside = f.at(p) >= f.iso;
                let mut nq = 0;
                for a in 0..3 {
                    let (b, cc) = match a {
                        0 => (1, 2),
                        1 => (0, 2),
                        _ => (0, 1),
                    };
                    if p[b] < 1 || p[b] > n - 2 || p[cc] < 1 || p[cc] > n - 2 {
                        continue;
                    }
                    let mut q = p;
                    q[a] += 1;
                    if inside == (f.at(q) >= f.iso) {
                        continue;
                    }
                    let mut pb = p;
                    pb[b] -= 1;
                    let mut pc = p;
                    pc[cc] -= 1;
                    let mut pbc = pb;
                    pbc[cc] -= 1;
                    let quad = if inside { [pbc, pc, p, pb] } else { [pbc, pb, p, pc] };
                    let mut add = |p: [usize; 3]| sink.vertex(f, p);
                    quads[nq] = quad.map(|p| index(&mut add, p));
                    nq += 1;
                }
                for q in &quads[..nq] {
                    sink.quad(*q);
                }
            }
        }
    }
}

/// Whether chunk (cx, cy, cz) has no crossing (its range is wholly below
/// iso or at or above it).
fn skipped(f: &Field, c: usize, cx: usize, cy: usize, cz: usize) -> bool {
    let (lo, hi) = chunk_range(f.v, f.n, c, cx, cy, cz);
    hi < f.iso || lo >= f.iso
}

/// What mesh made: its sizes, and the chunks with triangles and in all.
#[derive(Clone, Copy, Default)]
pub struct Made {
    pub sizes: Sizes,
    pub meshed: usize,
    pub chunks: usize,
}

/// The isosurface of v at iso in chunks of c cells per side (1 ≤ c ≤
/// MAX_CHUNK, at most MAX_CHUNKS chunks), in two parallel passes over the
/// chunks: the first sizes each chunk's mesh, the second (once the sizes
/// are summed in chunk order, and only if the mesh fits the outputs:
/// `fits`) writes each chunk's vertices and indices at its place in the
/// outputs, which is where merging the chunks in order would put them.
/// Allocates nothing. None when the host asked the call to stop (looked at
/// before each chunk of each pass): then the outputs hold no valid mesh.
pub fn mesh(
    v: &[f64],
    n: usize,
    iso: f64,
    c: usize,
    positions: &mut [f32],
    normals: &mut [f32],
    indices: &mut [u32],
    scratch: Scratch,
) -> Option<(Made, bool)> {
    let cpa = chunks_per_axis(n, c);
    let chunks = cpa * cpa * cpa;
    assert!((1..=MAX_CHUNK).contains(&c) && chunks <= MAX_CHUNKS, "mesh: chunk side {c}, {chunks} chunks");
    assert!(scratch.maps.len() >= MAP_LEN && scratch.sizes.len() >= chunks, "mesh: scratch too small");
    let f = Field { v, n, iso };
    let maps = Shared(scratch.maps.as_mut_ptr());
    let sizes = &mut scratch.sizes[..chunks];
    let at = |i: usize| (i % cpa, i / cpa % cpa, i / (cpa * cpa));
    sizes.par_iter_mut().enumerate().for_each(|(i, s)| {
        crate::guest_check();
        let (cx, cy, cz) = at(i);
        *s = Sizes::default();
        if !crate::stopped() && !skipped(&f, c, cx, cy, cz) {
            mesh_chunk(&f, &maps, c, cx, cy, cz, s);
        }
    });
    if crate::stopped() {
        return None;
    }
    let mut made = Made { chunks, ..Made::default() };
    for s in sizes.iter_mut() {
        let here = *s;
        *s = made.sizes; // the chunk's offsets
        made.sizes.vertices += here.vertices;
        made.sizes.indices += here.indices;
        made.meshed += (here.indices > 0) as usize;
    }
    let fits = 3 * made.sizes.vertices <= positions.len().min(normals.len()) && made.sizes.indices <= indices.len();
    if !fits {
        return Some((made, false));
    }
    let (pp, np, ip) = (Shared(positions.as_mut_ptr()), Shared(normals.as_mut_ptr()), Shared(indices.as_mut_ptr()));
    sizes.par_iter().enumerate().for_each(|(i, &s)| {
        crate::guest_check();
        let (cx, cy, cz) = at(i);
        let (pp, np, ip) = (&pp, &np, &ip);
        if !crate::stopped() && !skipped(&f, c, cx, cy, cz) {
            let mut w = Write { pos: pp.0, nrm: np.0, idx: ip.0, at: s, done: Sizes::default() };
            mesh_chunk(&f, &maps, c, cx, cy, cz, &mut w);
        }
    });
    if crate::stopped() { None } else { Some((made, true)) }
}

struct Shared<T>(*mut T);
// SAFETY: each chunk writes its own disjoint range of the outputs, each
// thread its own map (mesh).
unsafe impl<T> Sync for Shared<T> {}

/// FNV-1a (64-bit) over the little-endian bytes of positions, normals and
/// indices (u32), in that order, every NaN as 0x7fc00000 (as the state
/// hash: NaN payloads are not specified).
pub fn mesh_hash(positions: &[f32], normals: &[f32], indices: &[u32]) -> u64 {
    use std::hash::Hasher;
    let mut h = fnv::FnvHasher::default();
    for x in positions.iter().chain(normals) {
        let b = if x.is_nan() { 0x7fc0_0000u32 } else { x.to_bits() };
        h.write(&b.to_le_bytes());
    }
    for x in indices {
        h.write(&x.to_le_bytes());
    }
    h.finish()
}
