//! wasmvec guest in Rust: implements the `vector` world of `wit/vector.wit`.
//!
//! Three static buffers of `CAPACITY` f64 live in linear memory; the host
//! learns their byte offsets through the `get-*-offset` exports, writes the
//! inputs, and calls a kernel with a length in elements. Every kernel follows
//! the canonical order of operations documented in the WIT (blocks of 4096
//! elements, 16 lanes, a pairwise tree per block), so results are
//! bit-identical to every other wasmvec implementation.
//!
//! Build: `cargo build --release --target wasm32-wasip1` (see `build.sh rust`).
//! The crate is compiled without the simd128 target feature; only the
//! `-simd` kernels enable it, per function, so the scalar exports stay scalar.

wit_bindgen::generate!({
    path: "../../wit",
    world: "vector",
});

use core::arch::wasm32::{f64x2_add, f64x2_mul, f64x2_splat, v128, v128_load, v128_store};

/// Elements in each buffer.
const CAPACITY: usize = 100_000;
/// Elements per block of the canonical order.
const BLOCK: usize = 4096;
/// Lanes of the canonical order.
const LANES: usize = 16;

#[repr(C, align(16))]
struct Buffer([f64; CAPACITY]);

static mut A: Buffer = Buffer([0.0; CAPACITY]);
static mut B: Buffer = Buffer([0.0; CAPACITY]);
static mut RESULT: Buffer = Buffer([0.0; CAPACITY]);

/// Panics (and so traps, with panic=abort) when `len` exceeds the capacity:
/// a kernel never touches memory outside its buffers.
fn check(len: u32) -> usize {
    let n = len as usize;
    assert!(n <= CAPACITY);
    n
}

/// Checks a batch shape: count vectors of len elements fit in A and their
/// results in RESULT; traps otherwise.
fn batch(count: u32, len: u32) -> (usize, usize) {
    let (c, l) = (count as usize, len as usize);
    assert!(c <= CAPACITY && c.checked_mul(l).is_some_and(|t| t <= CAPACITY));
    (c, l)
}

fn a(n: usize) -> &'static [f64] {
    // SAFETY: n <= CAPACITY (checked by `check`); the guest is single-threaded
    // and no kernel holds a mutable reference to A while this one is alive.
    unsafe { core::slice::from_raw_parts((&raw const A).cast::<f64>(), n) }
}

fn b(n: usize) -> &'static [f64] {
    // SAFETY: as for `a`.
    unsafe { core::slice::from_raw_parts((&raw const B).cast::<f64>(), n) }
}

fn result(n: usize) -> &'static mut [f64] {
    // SAFETY: n <= CAPACITY; RESULT is never aliased by A or B, and only one
    // kernel runs at a time (a wasm instance is single-threaded).
    unsafe { core::slice::from_raw_parts_mut((&raw mut RESULT).cast::<f64>(), n) }
}

/// The per-block lane tree: for w in 8, 4, 2, 1: lane[j] = lane[j] + lane[j+w].
#[inline(always)]
fn tree(mut lane: [f64; LANES]) -> f64 {
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
fn fold_sum(mut acc: f64, x: &[f64]) -> f64 {
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
fn fold_dot(mut acc: f64, x: &[f64], y: &[f64]) -> f64 {
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

/// The same fold with 8 f64x2 accumulators: accumulator k holds lanes 2k and
/// 2k+1. The lane remainder of a short block is added in scalar code into the
/// same lanes before the tree, so the order of every add is unchanged.
#[target_feature(enable = "simd128")]
fn fold_simd(mut acc: f64, x: &[f64], y: Option<&[f64]>) -> f64 {
    let n = x.len();
    let mut start = 0;
    while start < n {
        let end = usize::min(start + BLOCK, n);
        let full = start + (end - start) / LANES * LANES;
        let mut v = [f64x2_splat(-0.0); LANES / 2];
        let mut i = start;
        while i < full {
            for (k, vk) in v.iter_mut().enumerate() {
                // SAFETY: i + 2k + 1 < full <= n = x.len() (= y.len()); v128_load
                // has no alignment requirement.
                let t = unsafe {
                    let xv = v128_load(x.as_ptr().add(i + 2 * k) as *const v128);
                    match y {
                        Some(y) => f64x2_mul(xv, v128_load(y.as_ptr().add(i + 2 * k) as *const v128)),
                        None => xv,
                    }
                };
                *vk = f64x2_add(*vk, t);
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
fn mul_simd(x: &[f64], y: &[f64], out: &mut [f64]) {
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
fn scale_simd(s: f64, x: &[f64], out: &mut [f64]) {
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

/// `len == 0 ? +0.0 : acc`, the empty-sum rule of the canonical order.
#[inline(always)]
fn finish(n: usize, acc: f64) -> f64 {
    if n == 0 { 0.0 } else { acc }
}

struct Vector;

impl Guest for Vector {
    fn get_buffer_a_offset() -> u32 {
        (&raw const A) as u32
    }
    fn get_buffer_b_offset() -> u32 {
        (&raw const B) as u32
    }
    fn get_result_offset() -> u32 {
        (&raw const RESULT) as u32
    }
    fn get_capacity() -> u32 {
        CAPACITY as u32
    }

    fn sum(len: u32) -> f64 {
        let n = check(len);
        finish(n, Self::sum_fold(-0.0, len))
    }
    fn sum_fold(acc: f64, len: u32) -> f64 {
        fold_sum(acc, a(check(len)))
    }
    fn sum_simd(len: u32) -> f64 {
        let n = check(len);
        finish(n, Self::sum_simd_fold(-0.0, len))
    }
    fn sum_simd_fold(acc: f64, len: u32) -> f64 {
        let n = check(len);
        // Calling a simd128 function is safe on wasm: an engine without simd128
        // rejects the module at load rather than running it.
        fold_simd(acc, a(n), None)
    }

    fn dot(len: u32) -> f64 {
        let n = check(len);
        finish(n, Self::dot_fold(-0.0, len))
    }
    fn dot_fold(acc: f64, len: u32) -> f64 {
        let n = check(len);
        fold_dot(acc, a(n), b(n))
    }
    fn dot_simd(len: u32) -> f64 {
        let n = check(len);
        finish(n, Self::dot_simd_fold(-0.0, len))
    }
    fn dot_simd_fold(acc: f64, len: u32) -> f64 {
        let n = check(len);
        fold_simd(acc, a(n), Some(b(n)))
    }

    fn sum_blocks(len: u32) {
        let n = check(len);
        let out = result(n.div_ceil(BLOCK));
        for (k, blk) in a(n).chunks(BLOCK).enumerate() {
            // -0.0 + t == t for every t: the partial itself.
            out[k] = fold_simd(-0.0, blk, None);
        }
    }
    fn dot_blocks(len: u32) {
        let n = check(len);
        let out = result(n.div_ceil(BLOCK));
        for (k, (bx, by)) in a(n).chunks(BLOCK).zip(b(n).chunks(BLOCK)).enumerate() {
            out[k] = fold_simd(-0.0, bx, Some(by));
        }
    }

    fn sum_batch(count: u32, len: u32) {
        let (c, l) = batch(count, len);
        let (x, out) = (a(c * l), result(c));
        for (j, o) in out.iter_mut().enumerate() {
            *o = finish(l, fold_simd(-0.0, &x[j * l..(j + 1) * l], None));
        }
    }
    fn dot_batch(count: u32, len: u32) {
        let (c, l) = batch(count, len);
        let (x, y, out) = (a(c * l), b(c * l), result(c));
        for (j, o) in out.iter_mut().enumerate() {
            let r = j * l..(j + 1) * l;
            *o = finish(l, fold_simd(-0.0, &x[r.clone()], Some(&y[r])));
        }
    }

    fn mul(len: u32) {
        let n = check(len);
        let (x, y, out) = (a(n), b(n), result(n));
        for i in 0..n {
            out[i] = x[i] * y[i];
        }
    }
    fn mul_simd(len: u32) {
        let n = check(len);
        mul_simd(a(n), b(n), result(n))
    }
    fn scale(scalar: f64, len: u32) {
        let n = check(len);
        let (x, out) = (a(n), result(n));
        for i in 0..n {
            out[i] = scalar * x[i];
        }
    }
    fn scale_simd(scalar: f64, len: u32) {
        let n = check(len);
        scale_simd(scalar, a(n), result(n))
    }
}

export!(Vector);
