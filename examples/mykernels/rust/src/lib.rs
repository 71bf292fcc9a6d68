//! wasmvec example guest in Rust: the `mykernels` world of
//! `../wit/mykernels.wit`, kernels the host knows nothing of.
//!
//! Build: `cargo build --release --target wasm32-wasip1` (`./build.sh examples`).

wit_bindgen::generate!({
    path: "../wit",
    world: "mykernels",
});

const CAP_XY: usize = 65_536;
const CAP_SAMPLES: usize = 65_536;
const CAP_COUNTS: usize = 1_024;

static mut X: [f32; CAP_XY] = [0.0; CAP_XY];
static mut Y: [f32; CAP_XY] = [0.0; CAP_XY];
static mut SAMPLES: [f64; CAP_SAMPLES] = [0.0; CAP_SAMPLES];
static mut COUNTS: [i32; CAP_COUNTS] = [0; CAP_COUNTS];

struct MyKernels;

impl Guest for MyKernels {
    fn buffer_x_f32() -> u32 {
        (&raw const X) as u32
    }
    fn capacity_x() -> u32 {
        CAP_XY as u32
    }
    fn buffer_y_f32() -> u32 {
        (&raw const Y) as u32
    }
    fn capacity_y() -> u32 {
        CAP_XY as u32
    }
    fn buffer_samples_f64() -> u32 {
        (&raw const SAMPLES) as u32
    }
    fn capacity_samples() -> u32 {
        CAP_SAMPLES as u32
    }
    fn buffer_counts_i32() -> u32 {
        (&raw const COUNTS) as u32
    }
    fn capacity_counts() -> u32 {
        CAP_COUNTS as u32
    }

    fn axpy(a: f32, len: u32) {
        let n = len as usize;
        assert!(n <= CAP_XY); // panic = abort: a trap
        // SAFETY: n <= CAP_XY; a wasm instance runs one kernel at a time, so
        // no other reference to X or Y is alive.
        let (x, y) = unsafe {
            (
                core::slice::from_raw_parts((&raw const X).cast::<f32>(), n),
                core::slice::from_raw_parts_mut((&raw mut Y).cast::<f32>(), n),
            )
        };
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi = a * *xi + *yi;
        }
    }

    fn histogram(len: u32, lo: f64, hi: f64, bins: u32) -> u32 {
        let (n, nb) = (len as usize, bins as usize);
        assert!(n <= CAP_SAMPLES && nb >= 1 && nb <= CAP_COUNTS);
        assert!(lo.is_finite() && hi.is_finite() && lo < hi);
        // SAFETY: as for axpy; SAMPLES and COUNTS are distinct statics.
        let (samples, counts) = unsafe {
            (
                core::slice::from_raw_parts((&raw const SAMPLES).cast::<f64>(), n),
                core::slice::from_raw_parts_mut((&raw mut COUNTS).cast::<i32>(), nb),
            )
        };
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

export!(MyKernels);
