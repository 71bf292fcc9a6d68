//! wasmvec example guest in Rust: the `mykernels` world of
//! `../wit/mykernels.wit`, kernels the host knows nothing of, declared with
//! the guest kit (`kit/rust`, crate `wasmvec-guest`).
//!
//! Build: `cargo build --release --target wasm32-wasip1` (`./build.sh examples`).

use wasmvec_guest::{buffer, kernel};

buffer!(static X: [f32; 65_536] = "x");
buffer!(static Y: [f32; 65_536] = "y");
buffer!(static SAMPLES: [f64; 65_536] = "samples");
buffer!(static COUNTS: [i32; 1_024] = "counts");

kernel! {
    /// y[i] = a·x[i] + y[i] for i < len; a len past the capacity panics
    /// (panic = abort: a trap whose error carries the message).
    fn axpy(a: f32, len: u32) {
        let n = len as usize;
        // SAFETY: a wasm instance runs one kernel at a time and the host
        // does not touch the buffers meanwhile; X and Y are distinct.
        let (x, y) = unsafe { (X.get(n), Y.get_mut(n)) };
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi = a * *xi + *yi;
        }
    }

    /// counts[b] = the samples s[i], i < len, with lo <= s < hi in bin
    /// b = trunc((s-lo)/(hi-lo)·bins), clamped to bins-1; returns how
    /// many samples fell outside [lo, hi) (NaN included).
    fn histogram(len: u32, lo: f64, hi: f64, bins: u32) -> u32 {
        let (n, nb) = (len as usize, bins as usize);
        assert!(nb >= 1, "histogram: bins must be >= 1");
        assert!(lo.is_finite() && hi.is_finite() && lo < hi, "histogram: want finite lo < hi");
        // SAFETY: as for axpy; SAMPLES and COUNTS are distinct.
        let (samples, counts) = unsafe { (SAMPLES.get(n), COUNTS.get_mut(nb)) };
        counts.fill(0);
        let mut out = 0u32;
        for &v in samples {
            if !(v >= lo && v < hi) {
                out += 1;
                continue;
            }
            let b = ((v - lo) / (hi - lo) * bins as f64) as u32;
            counts[b.min(bins - 1) as usize] += 1;
        }
        out
    }
}
