//! The native build: the same workloads behind a C ABI, for the cgo
//! baseline (package examples/rayon/native). Rayon runs on OS threads in a
//! pool of its own, made by `wv_rayon_pool`.

use rayon::{ThreadPool, ThreadPoolBuilder};

/// A pool of `threads` Rayon threads, or null if it cannot be built.
#[unsafe(no_mangle)]
pub extern "C" fn wv_rayon_pool(threads: u32) -> *mut ThreadPool {
    match ThreadPoolBuilder::new()
        .num_threads(threads.max(1) as usize)
        .build()
    {
        Ok(p) => Box::into_raw(Box::new(p)),
        Err(_) => core::ptr::null_mut(),
    }
}

/// Frees a pool made by `wv_rayon_pool`.
///
/// # Safety
/// `p` came from `wv_rayon_pool` and is freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wv_rayon_pool_free(p: *mut ThreadPool) {
    if !p.is_null() {
        drop(unsafe { Box::from_raw(p) });
    }
}

/// The ALMA batch (see `alma_batch`) on pool `p`: 0 or a status code.
///
/// # Safety
/// Every pointer is valid for the length given (`nseries·len` series,
/// `nparams` periods, `nweights` weights, `nout` outputs).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wv_alma(
    p: *const ThreadPool,
    series: *const f64,
    nseries: usize,
    len: usize,
    periods: *const i32,
    nparams: usize,
    weights: *const f64,
    nweights: usize,
    out: *mut f64,
    nout: usize,
) -> i32 {
    let (x, per, w, o) = unsafe {
        (
            core::slice::from_raw_parts(series, nseries * len),
            core::slice::from_raw_parts(periods, nparams),
            core::slice::from_raw_parts(weights, nweights),
            core::slice::from_raw_parts_mut(out, nout),
        )
    };
    unsafe { &*p }.install(|| {
        crate::alma_batch(x, nseries, len, per, w, o)
            .err()
            .unwrap_or(0)
    })
}

/// `steps` Gray–Scott steps (see `gray_scott`) on pool `p`, the result back
/// in (u, v); u2 and v2 are scratch. Each field holds n³ cells.
///
/// # Safety
/// The four fields are distinct and hold n³ cells each.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wv_gray_scott(
    p: *const ThreadPool,
    n: usize,
    steps: usize,
    u: *mut f64,
    v: *mut f64,
    u2: *mut f64,
    v2: *mut f64,
    du: f64,
    dv: f64,
    f: f64,
    k: f64,
    dt: f64,
) {
    let c = n * n * n;
    let (u, v, u2, v2) = unsafe {
        (
            core::slice::from_raw_parts_mut(u, c),
            core::slice::from_raw_parts_mut(v, c),
            core::slice::from_raw_parts_mut(u2, c),
            core::slice::from_raw_parts_mut(v2, c),
        )
    };
    let prm = crate::Params { du, dv, f, k, dt };
    unsafe { &*p }.install(|| {
        if crate::gray_scott(n, steps, prm, u, v, u2, v2).1 {
            u.copy_from_slice(u2);
            v.copy_from_slice(v2);
        }
    })
}

/// The isosurface of v (n³ values) at iso in chunks of c cells per side
/// (see `mesh::mesh`) on pool `p`, into positions and normals (npos f32
/// each) and indices (nidx); counts gets [vertices, indices, chunks
/// meshed, chunks]. Returns 0, or ERR_MESH when the mesh does not fit
/// (only counts written), ERR_PARAM for a chunk side or count out of range.
///
/// # Safety
/// v holds n³ values; positions and normals npos, indices nidx, counts 4;
/// the pool has at most mesh::MAX_THREADS threads.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn wv_mesh(
    p: *const ThreadPool,
    v: *const f64,
    n: usize,
    iso: f64,
    c: usize,
    positions: *mut f32,
    normals: *mut f32,
    npos: usize,
    indices: *mut u32,
    nidx: usize,
    counts: *mut usize,
) -> i32 {
    let cpa = crate::mesh::chunks_per_axis(n, c);
    if c == 0 || c > crate::mesh::MAX_CHUNK || cpa * cpa * cpa > crate::mesh::MAX_CHUNKS {
        return crate::ERR_PARAM;
    }
    let (v, pos, nrm, idx, counts) = unsafe {
        (
            core::slice::from_raw_parts(v, n * n * n),
            core::slice::from_raw_parts_mut(positions, npos),
            core::slice::from_raw_parts_mut(normals, npos),
            core::slice::from_raw_parts_mut(indices, nidx),
            core::slice::from_raw_parts_mut(counts, 4),
        )
    };
    // The scratch, made once and kept (as the guest's buffers are).
    static SCRATCH: std::sync::Mutex<(Vec<u32>, Vec<crate::mesh::Sizes>)> = std::sync::Mutex::new((Vec::new(), Vec::new()));
    let mut guard = SCRATCH.lock().unwrap_or_else(|e| e.into_inner());
    let (maps, sizes) = &mut *guard;
    if maps.is_empty() {
        *maps = vec![0u32; crate::mesh::MAP_LEN];
        *sizes = vec![crate::mesh::Sizes::default(); crate::mesh::MAX_CHUNKS];
    }
    let scratch = crate::mesh::Scratch { maps, sizes };
    let Some((made, fits)) = unsafe { &*p }.install(|| crate::mesh::mesh(v, n, iso, c, pos, nrm, idx, scratch)) else {
        return crate::ERR_STOPPED; // natively nothing stops a call: not reached
    };
    counts.copy_from_slice(&[made.sizes.vertices, made.sizes.indices, made.meshed, made.chunks]);
    if fits { 0 } else { crate::ERR_MESH }
}
