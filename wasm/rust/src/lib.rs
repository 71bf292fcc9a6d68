//! wasmvec guest in Rust: implements the `vector` world of `wit/vector.wit`.
//!
//! Three static buffers of `CAPACITY` f64 live in linear memory; the host
//! learns their byte offsets and capacities through the `buffer-*-f64` and
//! `capacity-*` exports, writes the
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

mod kernels;

use kernels::{BLOCK, batch_shape, finish, fold_dot, fold_simd, fold_sum, mul, mul_simd, scale, scale_simd};

/// Elements in each buffer.
const CAPACITY: usize = 100_000;

#[repr(C, align(16))]
struct Buffer([f64; CAPACITY]);

static mut A: Buffer = Buffer([0.0; CAPACITY]);
static mut B: Buffer = Buffer([0.0; CAPACITY]);
static mut RESULT: Buffer = Buffer([0.0; CAPACITY]);

/// Traps when `len` exceeds the capacity (kernels::check).
fn check(len: u32) -> usize {
    kernels::check(len, CAPACITY)
}

/// Traps unless count vectors of len elements fit (kernels::batch_shape).
fn batch(count: u32, len: u32) -> (usize, usize) {
    batch_shape(count, len, CAPACITY)
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

struct Vector;

impl Guest for Vector {
    fn buffer_a_f64() -> u32 {
        (&raw const A) as u32
    }
    fn capacity_a() -> u32 {
        CAPACITY as u32
    }
    fn buffer_b_f64() -> u32 {
        (&raw const B) as u32
    }
    fn capacity_b() -> u32 {
        CAPACITY as u32
    }
    fn buffer_result_f64() -> u32 {
        (&raw const RESULT) as u32
    }
    fn capacity_result() -> u32 {
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
        mul(a(n), b(n), result(n))
    }
    fn mul_simd(len: u32) {
        let n = check(len);
        mul_simd(a(n), b(n), result(n))
    }
    fn scale(scalar: f64, len: u32) {
        let n = check(len);
        scale(scalar, a(n), result(n))
    }
    fn scale_simd(scalar: f64, len: u32) {
        let n = check(len);
        scale_simd(scalar, a(n), result(n))
    }
}

export!(Vector);
