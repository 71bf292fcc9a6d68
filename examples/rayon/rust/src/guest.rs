//! The wasm32-wasip1-threads guest: the `rayon` world of `../../wit/rayon.wit`,
//! declared with the guest kit (`kit/rust`, crate `wasmvec-guest`, feature
//! `rayon`): the buffers, the kernels here; the pool sized by the host,
//! `start-workers`, `stop-workers`, the abort flag, the panic hook and
//! `_initialize` in the kit.
//!
//! Every kernel runs its Rayon code inside `threads::on_pool`: the kit's
//! pool of `WithThreads` threads, the calling thread one of them.

use rayon::ThreadPoolBuilder;
use wasmvec_guest::{buffer, kernel, threads};

wasmvec_guest::threaded_guest!();

const CAP_GRID: usize = 128 * 128 * 128;

buffer!(static SERIES: [f64; 1 << 21] = "series");
buffer!(static PERIODS: [i32; 4096] = "periods");
buffer!(static WEIGHTS: [f64; 1 << 16] = "weights");
buffer!(static OUT: [f64; 1 << 24] = "out");
buffer!(static U: [f64; CAP_GRID] = "u");
buffer!(static V: [f64; CAP_GRID] = "v");
// Gray–Scott's second grids: the next step is computed into them.
buffer!(static U2: [f64; CAP_GRID] = "u2");
buffer!(static V2: [f64; CAP_GRID] = "v2");
// Isosurfaces of V (mesh.rs): every chunk's range, and the merged mesh.
buffer!(static RANGES: [f64; 1 << 18] = "ranges");
buffer!(static POSITIONS: [f32; 3 << 20] = "positions");
buffer!(static NORMALS: [f32; 3 << 20] = "normals");
buffer!(static INDICES: [i32; 6 << 20] = "indices");
buffer!(static COUNTS: [i32; 4] = "counts");
// Meshing's scratch (mesh.rs: each pool thread's cell map, each chunk's
// sizes as u32 pairs), declared like every large array of a threaded guest.
buffer!(static MESH_MAPS: [i32; crate::mesh::MAP_LEN] = "mesh-maps");
buffer!(static MESH_SIZES: [i32; 2 * crate::mesh::MAX_CHUNKS] = "mesh-sizes");
const _: () = assert!(core::mem::size_of::<crate::mesh::Sizes>() == 8, "Sizes is an i32 pair in the guest");

pub(crate) use threads::check_abort;

/// Runs f on the pool, or returns -3 (ERR_POOL) before start-workers.
fn on_pool(f: impl FnOnce() -> i32 + Send) -> i32 {
    threads::on_pool(f).unwrap_or(crate::ERR_POOL)
}

kernel! {
    fn alma(series: u32, len: u32, params: u32) -> i32 {
        if params as usize > PERIODS.capacity() {
            return crate::ERR_SHAPE;
        }
        // SAFETY: one kernel at a time; the buffers are distinct.
        on_pool(|| unsafe {
            let r = crate::alma_batch(
                SERIES.get(SERIES.capacity()),
                series as usize,
                len as usize,
                PERIODS.get(params as usize),
                WEIGHTS.get(WEIGHTS.capacity()),
                OUT.get_mut(OUT.capacity()),
            );
            r.err().unwrap_or(0)
        })
    }

    "gray-scott" => fn gray_scott(n: u32, steps: u32, du: f64, dv: f64, f: f64, k: f64, dt: f64) -> i32 {
        let n = n as usize;
        if n == 0 || n.checked_pow(3).is_none_or(|c| c > CAP_GRID) {
            return crate::ERR_SHAPE;
        }
        if dt.is_nan() || dt < 0.0 {
            return crate::ERR_PARAM;
        }
        let p = crate::Params { du, dv, f, k, dt };
        // SAFETY: as for alma.
        on_pool(|| unsafe {
            let (u, v) = (U.get_mut(CAP_GRID), V.get_mut(CAP_GRID));
            let (u2, v2) = (U2.get_mut(CAP_GRID), V2.get_mut(CAP_GRID));
            let (done, odd) = crate::gray_scott(n, steps as usize, p, u, v, u2, v2);
            if odd {
                let c = n * n * n;
                u[..c].copy_from_slice(&u2[..c]);
                v[..c].copy_from_slice(&v2[..c]);
            }
            if done < steps as usize { crate::ERR_STOPPED } else { 0 }
        })
    }

    fn hash(n: u32) -> u64 {
        let c = (n as usize)
            .checked_pow(3)
            .filter(|&c| c <= CAP_GRID)
            .expect("hash: n³ exceeds the capacity of U and V");
        // SAFETY: as for alma.
        unsafe { crate::hash(U.get(c), V.get(c)) }
    }

    /// Every chunk's range of V (chunks of `chunk` cells per side): RANGES
    /// holds min and max per chunk, in chunk order. Returns the chunk count.
    fn ranges(n: u32, chunk: u32) -> i32 {
        let (n, c) = (n as usize, chunk as usize);
        if n == 0 || n.checked_pow(3).is_none_or(|x| x > CAP_GRID) {
            return crate::ERR_SHAPE;
        }
        if c == 0 {
            return crate::ERR_PARAM;
        }
        let cpa = crate::mesh::chunks_per_axis(n, c);
        if 2 * cpa * cpa * cpa > RANGES.capacity() {
            return crate::ERR_SHAPE;
        }
        // SAFETY: as for alma.
        on_pool(|| unsafe {
            crate::mesh::ranges(V.get(n * n * n), n, c, RANGES.get_mut(RANGES.capacity()));
            (cpa * cpa * cpa) as i32
        })
    }

    /// The isosurface of V at iso (mesh.rs), meshed in chunks of `chunk`
    /// cells per side (1 to 32, at most 2^17 chunks; else ERR_PARAM): POSITIONS and NORMALS (3 f32 per vertex), INDICES (3
    /// per triangle), COUNTS = [vertices, indices, chunks meshed, chunks].
    /// Returns 0, or ERR_MESH when the mesh exceeds a buffer (then only
    /// COUNTS is written).
    fn mesh(n: u32, iso: f64, chunk: u32) -> i32 {
        let (n, c) = (n as usize, chunk as usize);
        if n == 0 || n.checked_pow(3).is_none_or(|x| x > CAP_GRID) {
            return crate::ERR_SHAPE;
        }
        if c == 0 {
            return crate::ERR_PARAM;
        }
        let cpa = crate::mesh::chunks_per_axis(n, c);
        if c > crate::mesh::MAX_CHUNK || cpa * cpa * cpa > crate::mesh::MAX_CHUNKS {
            return crate::ERR_PARAM;
        }
        // SAFETY: as for alma.
        on_pool(|| unsafe {
            let idx = INDICES.get_mut(INDICES.capacity());
            let Some((made, fits)) = crate::mesh::mesh(
                V.get(n * n * n),
                n,
                iso,
                c,
                POSITIONS.get_mut(POSITIONS.capacity()),
                NORMALS.get_mut(NORMALS.capacity()),
                core::slice::from_raw_parts_mut(idx.as_mut_ptr().cast::<u32>(), idx.len()),
                crate::mesh::Scratch {
                    maps: core::slice::from_raw_parts_mut(MESH_MAPS.get_mut(MESH_MAPS.capacity()).as_mut_ptr().cast::<u32>(), crate::mesh::MAP_LEN),
                    // Sizes is two usize, 32-bit in the guest: an i32 pair.
                    sizes: core::slice::from_raw_parts_mut(
                        MESH_SIZES.get_mut(MESH_SIZES.capacity()).as_mut_ptr().cast::<crate::mesh::Sizes>(),
                        crate::mesh::MAX_CHUNKS,
                    ),
                },
            ) else {
                COUNTS.get_mut(4).copy_from_slice(&[0, 0, 0, 0]);
                return crate::ERR_STOPPED;
            };
            let counts = COUNTS.get_mut(4);
            counts[0] = made.sizes.vertices.min(i32::MAX as usize) as i32;
            counts[1] = made.sizes.indices.min(i32::MAX as usize) as i32;
            counts[2] = made.meshed as i32;
            counts[3] = made.chunks as i32;
            if fits { 0 } else { crate::ERR_MESH }
        })
    }

    /// FNV-1a over the mesh that COUNTS describes (mesh.rs, mesh_hash); 0
    /// after a mesh that did not fit.
    "mesh-hash" => fn mesh_hash() -> u64 {
        // SAFETY: as for alma.
        unsafe {
            let counts = COUNTS.get(4);
            let (nv, ni) = (counts[0] as usize, counts[1] as usize);
            if 3 * nv > POSITIONS.capacity() || ni > INDICES.capacity() {
                return 0; // the last mesh did not fit (ERR_MESH): none to hash
            }
            let idx = INDICES.get(ni);
            crate::mesh::mesh_hash(
                POSITIONS.get(3 * nv),
                NORMALS.get(3 * nv),
                core::slice::from_raw_parts(idx.as_ptr().cast::<u32>(), ni),
            )
        }
    }

    /// Tries to spawn count more threads (std::thread, then a second Rayon
    /// pool) past the pool: the host refuses every spawn past WithThreads.
    "spawn-more" => fn spawn_more(count: u32) -> i32 {
        let mut started = 0;
        for _ in 0..count {
            if let Ok(h) = std::thread::Builder::new().stack_size(64 << 10).spawn(|| {}) {
                started += 1;
                let _ = h.join();
            }
        }
        if count > 0 {
            if let Ok(p) = ThreadPoolBuilder::new()
                .num_threads(count as usize)
                .stack_size(threads::STACK)
                .build()
            {
                started += p.current_num_threads() as i32;
            }
        }
        started
    }

    /// Runs items long jobs on the pool, job bad panicking.
    "panic-in-job" => fn panic_in_job(bad: u32, items: u32) -> i32 {
        use rayon::prelude::*;
        on_pool(|| {
            (0..items).into_par_iter().with_max_len(1).for_each(|i| {
                // Long enough that the other threads are busy or asleep
                // in Rayon when the panic comes.
                let mut x = i as u64;
                for _ in 0..1_000_000 {
                    x = core::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                }
                if i == bad {
                    panic!("job {i} of {items} panics, as asked");
                }
            });
            0
        })
    }
}
