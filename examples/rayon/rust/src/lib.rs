//! wasmvec example guest: Rayon code on all cores inside the Go host.
//!
//! The two workloads (`alma_batch`, `gray_scott`) are plain Rayon code
//! (`par_chunks_mut`) that runs in whatever pool calls it. The crate builds
//! twice: for `wasm32-wasip1-threads` as a wasmvec guest (`guest.rs`: the
//! buffers, the kernels and the worker exports of `../../wit/rayon.wit`),
//! and natively as a shared library with a C ABI (`native.rs`) that the
//! cgo baseline links, so wasm / native compares the same code.
//!
//! Canonical order (the Go references in examples/rayon compute the same
//! bits): every sum left to right with one accumulator, every product
//! rounded (Rust never contracts to a fused multiply-add).

use rayon::prelude::*;

#[cfg(target_family = "wasm")]
mod guest;
pub mod mesh;
#[cfg(not(target_family = "wasm"))]
mod native;

/// Status codes of the kernels (see the WIT world).
pub const ERR_SHAPE: i32 = -1;
pub const ERR_PARAM: i32 = -2;
pub const ERR_POOL: i32 = -3;
pub const ERR_MESH: i32 = -4;
pub const ERR_STOPPED: i32 = -5;

/// ALMA batch: `series` holds `s` series of length `l`; `periods[p]` and
/// the weights of set p (back to back in `weights`) give output series
/// `out[(s·P + p)·l ..][..l]`. Checks every shape before writing anything.
/// A stop (the host's stop word) leaves the series not begun as they were:
/// `Err(ERR_STOPPED)`.
pub fn alma_batch(
    series: &[f64],
    s: usize,
    l: usize,
    periods: &[i32],
    weights: &[f64],
    out: &mut [f64],
) -> Result<(), i32> {
    let np = periods.len();
    let mut starts = Vec::with_capacity(np);
    let mut at = 0usize;
    for &p in periods {
        if p < 1 {
            return Err(ERR_PARAM);
        }
        starts.push(at);
        at = at.checked_add(p as usize).ok_or(ERR_SHAPE)?;
    }
    let total = s
        .checked_mul(np)
        .and_then(|v| v.checked_mul(l))
        .ok_or(ERR_SHAPE)?;
    if at > weights.len() || s.checked_mul(l).is_none_or(|v| v > series.len()) || total > out.len()
    {
        return Err(ERR_SHAPE);
    }
    if total == 0 {
        return Ok(());
    }
    // Σw from -0.0, left to right: -0.0 + w[0] is w[0], bit for bit.
    let wsum: Vec<f64> = (0..np)
        .map(|p| {
            weights[starts[p]..][..periods[p] as usize]
                .iter()
                .fold(-0.0, |a, &w| a + w)
        })
        .collect();
    // A stop the host asks for (its stop word: a cooperative deadline, or
    // Stop) leaves the series not yet begun as they were, and the call
    // returns ERR_STOPPED.
    let skipped = core::sync::atomic::AtomicBool::new(false);
    out[..total]
        .par_chunks_mut(l)
        .enumerate()
        .for_each(|(k, o)| {
            guest_check();
            if stopped() {
                skipped.store(true, core::sync::atomic::Ordering::Relaxed);
                return;
            }
            let (si, p) = (k / np, k % np);
            let period = periods[p] as usize;
            alma_one(
                &series[si * l..][..l],
                &weights[starts[p]..][..period],
                wsum[p],
                o,
            );
        });
    if skipped.into_inner() {
        return Err(ERR_STOPPED);
    }
    Ok(())
}

/// One output series: NaN before period-1, then the weighted window.
///
/// Outputs are computed 8 at a time in four 2-lane accumulators (`simd`:
/// WebAssembly simd128, SSE2 natively) kept in registers while i runs
/// over the window: each lane is one output, summing its products in the
/// canonical order. Left to LLVM, the same loop over `[f64; 4]` stayed
/// scalar in WebAssembly (its SLP vectorizer declined), and a loop over a
/// block of accumulators in memory ran 2.7 times slower there than
/// natively (measured: BenchmarkALMA, 16 series × 16 sets × 4096).
fn alma_one(x: &[f64], w: &[f64], ws: f64, out: &mut [f64]) {
    use simd::F64x2;
    let (l, period) = (x.len(), w.len());
    let first = (period - 1).min(l);
    out[..first].fill(f64::NAN);
    let mut t = first;
    let wsv = F64x2::splat(ws);
    while t + 8 <= l {
        let xs = &x[t + 1 - period..t + 8];
        let w0 = F64x2::splat(w[0]);
        let mut acc = [0, 2, 4, 6].map(|k| w0.mul(F64x2::load(&xs[k..k + 2])));
        // Two window steps per loop iteration, each accumulator still adding
        // its products one at a time in window order: the same bits, and
        // half the loop back-edges, where an engine's deadline check sits
        // (Wasmtime's epoch interruption: 3.0x the plain time with one step
        // per iteration, 1.8x with two; four cost the plain engine 27%:
        // docs/performance.md).
        let mut i = 1;
        while i + 2 <= period {
            let (wa, wb) = (F64x2::splat(w[i]), F64x2::splat(w[i + 1]));
            let (xa, xb) = (&xs[i..i + 8], &xs[i + 1..i + 9]);
            for (k, a) in acc.iter_mut().enumerate() {
                *a = a.add(wa.mul(F64x2::load(&xa[2 * k..2 * k + 2])));
                *a = a.add(wb.mul(F64x2::load(&xb[2 * k..2 * k + 2])));
            }
            i += 2;
        }
        if i < period {
            let wv = F64x2::splat(w[i]);
            let xi = &xs[i..i + 8];
            for (k, a) in acc.iter_mut().enumerate() {
                *a = a.add(wv.mul(F64x2::load(&xi[2 * k..2 * k + 2])));
            }
        }
        for (k, a) in acc.iter().enumerate() {
            a.div(wsv).store(&mut out[t + 2 * k..t + 2 * k + 2]);
        }
        t += 8;
    }
    while t < l {
        let base = t + 1 - period;
        let mut acc = w[0] * x[base];
        for i in 1..period {
            acc = acc + w[i] * x[base + i];
        }
        out[t] = acc / ws;
        t += 1;
    }
}

/// Two f64 lanes: WebAssembly simd128 in the guest, SSE2 on x86-64, two
/// scalars elsewhere. Every operation is lane-wise IEEE 754 (no fusion).
mod simd {
    #[cfg(target_arch = "wasm32")]
    use core::arch::wasm32::*;
    #[cfg(target_arch = "x86_64")]
    use core::arch::x86_64::*;

    #[derive(Clone, Copy)]
    #[cfg(target_arch = "wasm32")]
    pub struct F64x2(v128);
    #[derive(Clone, Copy)]
    #[cfg(target_arch = "x86_64")]
    pub struct F64x2(__m128d);
    #[derive(Clone, Copy)]
    #[cfg(not(any(target_arch = "wasm32", target_arch = "x86_64")))]
    pub struct F64x2([f64; 2]);

    #[cfg(target_arch = "wasm32")]
    impl F64x2 {
        #[inline(always)]
        pub fn splat(v: f64) -> Self {
            Self(f64x2_splat(v))
        }
        #[inline(always)]
        pub fn load(s: &[f64]) -> Self {
            assert!(s.len() >= 2);
            Self(unsafe { v128_load(s.as_ptr().cast()) })
        }
        #[inline(always)]
        pub fn store(self, s: &mut [f64]) {
            assert!(s.len() >= 2);
            unsafe { v128_store(s.as_mut_ptr().cast(), self.0) }
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            Self(f64x2_add(self.0, o.0))
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            Self(f64x2_mul(self.0, o.0))
        }
        #[inline(always)]
        pub fn div(self, o: Self) -> Self {
            Self(f64x2_div(self.0, o.0))
        }
    }

    #[cfg(target_arch = "x86_64")]
    impl F64x2 {
        #[inline(always)]
        pub fn splat(v: f64) -> Self {
            Self(unsafe { _mm_set1_pd(v) })
        }
        #[inline(always)]
        pub fn load(s: &[f64]) -> Self {
            assert!(s.len() >= 2);
            Self(unsafe { _mm_loadu_pd(s.as_ptr()) })
        }
        #[inline(always)]
        pub fn store(self, s: &mut [f64]) {
            assert!(s.len() >= 2);
            unsafe { _mm_storeu_pd(s.as_mut_ptr(), self.0) }
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            Self(unsafe { _mm_add_pd(self.0, o.0) })
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            Self(unsafe { _mm_mul_pd(self.0, o.0) })
        }
        #[inline(always)]
        pub fn div(self, o: Self) -> Self {
            Self(unsafe { _mm_div_pd(self.0, o.0) })
        }
    }

    #[cfg(not(any(target_arch = "wasm32", target_arch = "x86_64")))]
    impl F64x2 {
        #[inline(always)]
        pub fn splat(v: f64) -> Self {
            Self([v, v])
        }
        #[inline(always)]
        pub fn load(s: &[f64]) -> Self {
            Self([s[0], s[1]])
        }
        #[inline(always)]
        pub fn store(self, s: &mut [f64]) {
            s[..2].copy_from_slice(&self.0)
        }
        #[inline(always)]
        pub fn add(self, o: Self) -> Self {
            Self([self.0[0] + o.0[0], self.0[1] + o.0[1]])
        }
        #[inline(always)]
        pub fn mul(self, o: Self) -> Self {
            Self([self.0[0] * o.0[0], self.0[1] * o.0[1]])
        }
        #[inline(always)]
        pub fn div(self, o: Self) -> Self {
            Self([self.0[0] / o.0[0], self.0[1] / o.0[1]])
        }
    }
}

/// Gray–Scott parameters.
#[derive(Clone, Copy)]
pub struct Params {
    pub du: f64,
    pub dv: f64,
    pub f: f64,
    pub k: f64,
    pub dt: f64,
}

/// `steps` steps on the periodic n³ grid: (u, v) → (u2, v2) → (u, v) ...;
/// returns the steps done (fewer than `steps` when the host asked the call
/// to stop: `stopped`, looked at before each step) and whether the result
/// is in (u2, v2) (an odd count done).
pub fn gray_scott(
    n: usize,
    steps: usize,
    p: Params,
    u: &mut [f64],
    v: &mut [f64],
    u2: &mut [f64],
    v2: &mut [f64],
) -> (usize, bool) {
    let cells = n * n * n;
    let (u, v, u2, v2) = (
        &mut u[..cells],
        &mut v[..cells],
        &mut u2[..cells],
        &mut v2[..cells],
    );
    for s in 0..steps {
        if stopped() {
            return (s, s % 2 == 1);
        }
        if s % 2 == 0 {
            step(n, p, u, v, u2, v2);
        } else {
            step(n, p, u2, v2, u, v);
        }
    }
    (steps, steps % 2 == 1)
}

#[inline(always)]
fn cell(p: Params, u: [f64; 7], v: [f64; 7]) -> (f64, f64) {
    // [center, x-1, x+1, y-1, y+1, z-1, z+1]
    let lu = u[1] + u[2] + u[3] + u[4] + u[5] + u[6] - 6.0 * u[0];
    let lv = v[1] + v[2] + v[3] + v[4] + v[5] + v[6] - 6.0 * v[0];
    let uvv = u[0] * v[0] * v[0];
    let un = u[0] + p.dt * (p.du * lu - uvv + p.f * (1.0 - u[0]));
    let vn = v[0] + p.dt * (p.dv * lv + uvv - (p.f + p.k) * v[0]);
    (un, vn)
}

fn step(n: usize, p: Params, u: &[f64], v: &[f64], uo: &mut [f64], vo: &mut [f64]) {
    let nn = n * n;
    uo.par_chunks_mut(nn)
        .zip(vo.par_chunks_mut(nn))
        .enumerate()
        .for_each(|(z, (us, vs))| {
            guest_check();
            let (zm, zp) = ((z + n - 1) % n, (z + 1) % n);
            for y in 0..n {
                let (ym, yp) = ((y + n - 1) % n, (y + 1) % n);
                let r = |zz: usize, yy: usize| (zz * n + yy) * n;
                let (c, a, b, d, e) = (r(z, y), r(z, ym), r(z, yp), r(zm, y), r(zp, y));
                let uc = &u[c..][..n];
                let vc = &v[c..][..n];
                let (uym, uyp, uzm, uzp) = (&u[a..][..n], &u[b..][..n], &u[d..][..n], &u[e..][..n]);
                let (vym, vyp, vzm, vzp) = (&v[a..][..n], &v[b..][..n], &v[d..][..n], &v[e..][..n]);
                let (ur, vr) = (&mut us[y * n..][..n], &mut vs[y * n..][..n]);
                let edge = |x: usize| {
                    let (xm, xp) = ((x + n - 1) % n, (x + 1) % n);
                    cell(
                        p,
                        [uc[x], uc[xm], uc[xp], uym[x], uyp[x], uzm[x], uzp[x]],
                        [vc[x], vc[xm], vc[xp], vym[x], vyp[x], vzm[x], vzp[x]],
                    )
                };
                (ur[0], vr[0]) = edge(0);
                if n > 1 {
                    for x in 1..n - 1 {
                        (ur[x], vr[x]) = cell(
                            p,
                            [uc[x], uc[x - 1], uc[x + 1], uym[x], uyp[x], uzm[x], uzp[x]],
                            [vc[x], vc[x - 1], vc[x + 1], vym[x], vyp[x], vzm[x], vzp[x]],
                        );
                    }
                    (ur[n - 1], vr[n - 1]) = edge(n - 1);
                }
            }
        });
}

/// FNV-1a (64-bit) over the little-endian bytes of u, then of v, every
/// NaN as 0x7ff8000000000000 (NaN payloads are not specified: x86 and
/// WebAssembly code for the same expression may give different ones).
pub fn hash(u: &[f64], v: &[f64]) -> u64 {
    use std::hash::Hasher;
    let mut h = fnv::FnvHasher::default();
    for x in u.iter().chain(v) {
        let b = if x.is_nan() {
            0x7ff8_0000_0000_0000u64
        } else {
            x.to_bits()
        };
        h.write(&b.to_le_bytes());
    }
    h.finish()
}

/// In the guest: whether the host asked the running call to stop (the
/// kit's stop word). Natively: never.
#[inline(always)]
fn stopped() -> bool {
    #[cfg(target_family = "wasm")]
    return wasmvec_guest::threads::stop_requested();
    #[cfg(not(target_family = "wasm"))]
    false
}

/// In the guest: trap at once when the host has raised the abort flag
/// (another thread failed). Natively: nothing.
#[inline(always)]
fn guest_check() {
    #[cfg(target_family = "wasm")]
    guest::check_abort();
}
