//! The canonical kernels over slices, shared by the Rust guests
//! (`wasm/rust` and, through `#[path]`, `wasm/rust-threads`): the order of
//! operations documented in `wit/vector.wit` (blocks of 4096 elements, 16
//! lanes, a pairwise tree per block).

use core::arch::wasm32::{f64x2_add, f64x2_mul, f64x2_splat, v128, v128_load, v128_store};

/// Elements per block of the canonical order.
pub const BLOCK: usize = 4096;
/// Lanes of the canonical order.
pub const LANES: usize = 16;

/// The per-block lane tree: for w in 8, 4, 2, 1: lane[j] = lane[j] + lane[j+w].
#[inline(always)]
pub fn tree(mut lane: [f64; LANES]) -> f64 {
    let mut w = LANES / 2;
    while w > 0 {
        for j in 0..w {
            lane[j] = lane[j] + lane[j + w];
        }
        w /= 2;
    }
    lane[0]
}

/// Canonical fold of x, continued from `acc`, in scalar code: 16 lane
/// accumulators, updated a row of 16 elements at a time.
pub fn fold_sum(mut acc: f64, x: &[f64]) -> f64 {
    for blk in x.chunks(BLOCK) {
        let mut lane = [-0.0f64; LANES];
        let mut rows = blk.chunks_exact(LANES);
        for row in &mut rows {
            for j in 0..LANES {
                lane[j] += row[j];
            }
        }
        for (j, v) in rows.remainder().iter().enumerate() {
            lane[j] += v;
        }
        acc = acc + tree(lane);
    }
    acc
}

/// Canonical fold of the products x[i]*y[i] (each rounded: Rust never fuses
/// a multiply and an add), continued from `acc`. len(x) == len(y).
pub fn fold_dot(mut acc: f64, x: &[f64], y: &[f64]) -> f64 {
    for (bx, by) in x.chunks(BLOCK).zip(y.chunks(BLOCK)) {
        let mut lane = [-0.0f64; LANES];
        let mut rx = bx.chunks_exact(LANES);
        let mut ry = by.chunks_exact(LANES);
        for (a, b) in (&mut rx).zip(&mut ry) {
            for j in 0..LANES {
                lane[j] += a[j] * b[j];
            }
        }
        for (j, (a, b)) in rx.remainder().iter().zip(ry.remainder()).enumerate() {
            lane[j] += a * b;
        }
        acc = acc + tree(lane);
    }
    acc
}

/// Two f64 loaded as one v128 with f64's alignment, for the volatile
/// reads of the dot loop (a `*const v128` must be 16-byte aligned).
#[derive(Clone, Copy)]
#[repr(C, packed(8))]
struct Pair(v128);

/// The same fold with 8 f64x2 accumulators: accumulator k holds lanes 2k and
/// 2k+1. The lane remainder of a short block is added in scalar code into the
/// same lanes before the tree, so the order of every add is unchanged.
#[target_feature(enable = "simd128")]
pub fn fold_simd(mut acc: f64, x: &[f64], y: Option<&[f64]>) -> f64 {
    let n = x.len();
    let mut start = 0;
    while start < n {
        let end = usize::min(start + BLOCK, n);
        let full = start + (end - start) / LANES * LANES;
        let mut v = [f64x2_splat(-0.0); LANES / 2];
        // The dot loop pins each accumulator update with a volatile store
        // (and loads with volatile reads, which LLVM keeps in order), as
        // internal/cnative/kernels.h does for the C guest and for the same
        // reason: Cranelift keeps loads in place and puts pure arithmetic at
        // its first use, here the loop's back edge, so otherwise all 16 loads
        // of a row come first and the 8 accumulators spill on every row. The
        // values and their order of operations are unchanged.
        let mut pin = [f64x2_splat(0.0); LANES / 2];
        let mut i = start;
        while i < full {
            for (k, vk) in v.iter_mut().enumerate() {
                // SAFETY: i + 2k + 1 < full <= n = x.len() (= y.len()); v128_load
                // needs no alignment, and Pair only f64's.
                unsafe {
                    match y {
                        Some(y) => {
                            let xv = core::ptr::read_volatile(x.as_ptr().add(i + 2 * k) as *const Pair).0;
                            let yv = core::ptr::read_volatile(y.as_ptr().add(i + 2 * k) as *const Pair).0;
                            *vk = f64x2_add(*vk, f64x2_mul(xv, yv));
                            core::ptr::write_volatile(&mut pin[k], *vk);
                        }
                        None => *vk = f64x2_add(*vk, v128_load(x.as_ptr().add(i + 2 * k) as *const v128)),
                    }
                }
            }
            i += LANES;
        }
        let mut lane = [0.0f64; LANES];
        for (k, vk) in v.iter().enumerate() {
            // SAFETY: lane has room for 2 f64 at 2k (k < 8).
            unsafe { v128_store(lane.as_mut_ptr().add(2 * k) as *mut v128, *vk) };
        }
        for j in full..end {
            lane[j % LANES] += match y {
                Some(y) => x[j] * y[j],
                None => x[j],
            };
        }
        acc = acc + tree(lane);
        start = end;
    }
    acc
}

#[target_feature(enable = "simd128")]
pub fn mul_simd(x: &[f64], y: &[f64], out: &mut [f64]) {
    let n = out.len();
    let pairs = n / 2 * 2;
    let mut i = 0;
    while i < pairs {
        // SAFETY: i + 1 < n, and x, y and out all have length n.
        unsafe {
            let p = f64x2_mul(
                v128_load(x.as_ptr().add(i) as *const v128),
                v128_load(y.as_ptr().add(i) as *const v128),
            );
            v128_store(out.as_mut_ptr().add(i) as *mut v128, p);
        }
        i += 2;
    }
    if pairs < n {
        out[pairs] = x[pairs] * y[pairs];
    }
}

#[target_feature(enable = "simd128")]
pub fn scale_simd(s: f64, x: &[f64], out: &mut [f64]) {
    let n = out.len();
    let pairs = n / 2 * 2;
    let sv = f64x2_splat(s);
    let mut i = 0;
    while i < pairs {
        // SAFETY: i + 1 < n, and x and out have length n.
        unsafe {
            let p = f64x2_mul(sv, v128_load(x.as_ptr().add(i) as *const v128));
            v128_store(out.as_mut_ptr().add(i) as *mut v128, p);
        }
        i += 2;
    }
    if pairs < n {
        out[pairs] = s * x[pairs];
    }
}

/// `out[i] = x[i] * y[i]` for every i; x and y at least as long as out.
pub fn mul(x: &[f64], y: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = x[i] * y[i];
    }
}

/// `out[i] = s * x[i]` for every i; x at least as long as out.
pub fn scale(s: f64, x: &[f64], out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = s * x[i];
    }
}

/// `len` in elements; panics (and so traps, with panic=abort) above
/// `capacity`: a kernel never touches memory outside its buffers.
pub fn check(len: u32, capacity: usize) -> usize {
    let n = len as usize;
    assert!(n <= capacity);
    n
}

/// A batch shape: `count` vectors of `len` elements must fit in a buffer of
/// `capacity` (and their `count` results in RESULT); traps otherwise.
pub fn batch_shape(count: u32, len: u32, capacity: usize) -> (usize, usize) {
    let (c, l) = (count as usize, len as usize);
    assert!(c <= capacity && c.checked_mul(l).is_some_and(|t| t <= capacity));
    (c, l)
}

/// `len == 0 ? +0.0 : acc`, the empty-sum rule of the canonical order.
#[inline(always)]
pub fn finish(n: usize, acc: f64) -> f64 {
    if n == 0 { 0.0 } else { acc }
}
