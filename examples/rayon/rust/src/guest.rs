//! The wasm32-wasip1-threads guest: the `rayon` world of `../../wit/rayon.wit`.
//!
//! Rayon's pool is this guest's own `ThreadPool`, sized by the host
//! (start-workers gets WithThreads): the calling thread is worker 0
//! (`use_current_thread`), threads-1 more are spawned through the host's
//! wasi thread-spawn. Stock wasi-libc reports one CPU, so Rayon's global
//! pool (sized by `available_parallelism`) is never used: every kernel runs
//! inside `POOL.install`.

wit_bindgen::generate!({
    path: "../wit",
    world: "rayon",
});

use core::sync::atomic::{AtomicI32, AtomicPtr, AtomicU32, AtomicUsize, Ordering};
use rayon::{ThreadPool, ThreadPoolBuilder};

const CAP_SERIES: usize = 1 << 21;
const CAP_PERIODS: usize = 4096;
const CAP_WEIGHTS: usize = 1 << 16;
const CAP_OUT: usize = 1 << 24;
const CAP_GRID: usize = 128 * 128 * 128;
const STACK: usize = 256 << 10;

/// The buffers, back to back in pages `_initialize` adds to the linear
/// memory with memory.grow (byte offsets from BASE). Not statics: with a
/// shared memory, wasm-ld's start function zero-fills all of .bss itself,
/// which for these 220 MB took hundreds of milliseconds and made every page resident at
/// every instantiation; grown pages are zero by the WebAssembly
/// specification and cost nothing until used.
const SERIES: usize = 0;
const WEIGHTS: usize = SERIES + 8 * CAP_SERIES;
const OUT: usize = WEIGHTS + 8 * CAP_WEIGHTS;
const U: usize = OUT + 8 * CAP_OUT;
const V: usize = U + 8 * CAP_GRID;
const U2: usize = V + 8 * CAP_GRID;
const V2: usize = U2 + 8 * CAP_GRID;
const PERIODS: usize = V2 + 8 * CAP_GRID;
const BYTES: usize = PERIODS + 4 * CAP_PERIODS;

/// Byte offset of the buffers' pages, set once by `_initialize`.
static BASE: AtomicUsize = AtomicUsize::new(0);

/// The address of buffer `at` (one of the offsets above).
fn buf<T>(at: usize) -> *mut T {
    (BASE.load(Ordering::Relaxed) + at) as *mut T
}

/// The host's abort flag (get-abort-offset): set when any thread failed.
static ABORT: AtomicU32 = AtomicU32::new(0);
/// The pool (a leaked Box), null before start-workers and after stop-workers.
static POOL: AtomicPtr<ThreadPool> = AtomicPtr::new(core::ptr::null_mut());
/// Spawned pool threads that have exited (Rayon's exit handler).
static EXITED: AtomicI32 = AtomicI32::new(0);

pub(crate) fn check_abort() {
    if ABORT.load(Ordering::Relaxed) != 0 {
        core::arch::wasm32::unreachable();
    }
}

unsafe fn slice<T>(p: *const T, n: usize) -> &'static [T] {
    unsafe { core::slice::from_raw_parts(p, n) }
}

unsafe fn slice_mut<T>(p: *mut T, n: usize) -> &'static mut [T] {
    unsafe { core::slice::from_raw_parts_mut(p, n) }
}

/// Runs f on the pool, or -3 before start-workers.
fn on_pool(f: impl FnOnce() -> i32 + Send) -> i32 {
    let p = POOL.load(Ordering::Acquire);
    if p.is_null() {
        return crate::ERR_POOL;
    }
    unsafe { &*p }.install(f)
}

/// A panic in any thread (a bounds check, an unwrap) aborts that thread
/// (panic = "abort": a trap). Before it does, this hook raises the abort
/// flag and hands every pool thread a job that traps, so threads asleep in
/// Rayon's waits (which have no timeout) wake and end too, and the call
/// returns ErrTrap instead of waiting forever for the dead thread's work.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|_| {
        ABORT.store(1, Ordering::SeqCst);
        let p = POOL.load(Ordering::Acquire);
        if !p.is_null() {
            unsafe { &*p }.spawn_broadcast(|_| core::arch::wasm32::unreachable());
        }
    }));
}

unsafe extern "C" {
    fn __wasi_init_tp();
    fn __wasm_call_ctors();
}

/// The reactor's initializer (stable Rust's cdylib on this target has none):
/// thread pointer, static constructors, then the buffers' pages.
#[unsafe(no_mangle)]
pub extern "C" fn _initialize() {
    unsafe {
        __wasi_init_tp();
        __wasm_call_ctors();
    }
    let old = core::arch::wasm32::memory_grow::<0>(BYTES.div_ceil(65536));
    if old == usize::MAX {
        core::arch::wasm32::unreachable(); // the host's memory limit is below BYTES
    }
    BASE.store(old * 65536, Ordering::Relaxed);
}

struct Rayon;

impl Guest for Rayon {
    fn buffer_series_f64() -> u32 {
        buf::<u8>(SERIES) as u32
    }
    fn capacity_series() -> u32 {
        CAP_SERIES as u32
    }
    fn buffer_periods_i32() -> u32 {
        buf::<u8>(PERIODS) as u32
    }
    fn capacity_periods() -> u32 {
        CAP_PERIODS as u32
    }
    fn buffer_weights_f64() -> u32 {
        buf::<u8>(WEIGHTS) as u32
    }
    fn capacity_weights() -> u32 {
        CAP_WEIGHTS as u32
    }
    fn buffer_out_f64() -> u32 {
        buf::<u8>(OUT) as u32
    }
    fn capacity_out() -> u32 {
        CAP_OUT as u32
    }
    fn buffer_u_f64() -> u32 {
        buf::<u8>(U) as u32
    }
    fn capacity_u() -> u32 {
        CAP_GRID as u32
    }
    fn buffer_v_f64() -> u32 {
        buf::<u8>(V) as u32
    }
    fn capacity_v() -> u32 {
        CAP_GRID as u32
    }

    fn buffer_u2_f64() -> u32 {
        buf::<u8>(U2) as u32
    }
    fn capacity_u2() -> u32 {
        CAP_GRID as u32
    }
    fn buffer_v2_f64() -> u32 {
        buf::<u8>(V2) as u32
    }
    fn capacity_v2() -> u32 {
        CAP_GRID as u32
    }

    fn alma(series: u32, len: u32, params: u32) -> i32 {
        if params as usize > CAP_PERIODS {
            return crate::ERR_SHAPE;
        }
        on_pool(|| unsafe {
            let r = crate::alma_batch(
                slice(buf::<f64>(SERIES), CAP_SERIES),
                series as usize,
                len as usize,
                slice(buf::<i32>(PERIODS), params as usize),
                slice(buf::<f64>(WEIGHTS), CAP_WEIGHTS),
                slice_mut(buf::<f64>(OUT), CAP_OUT),
            );
            r.err().unwrap_or(0)
        })
    }

    fn gray_scott(n: u32, steps: u32, du: f64, dv: f64, f: f64, k: f64, dt: f64) -> i32 {
        let n = n as usize;
        if n == 0 || n.checked_pow(3).is_none_or(|c| c > CAP_GRID) {
            return crate::ERR_SHAPE;
        }
        if dt.is_nan() || dt < 0.0 {
            return crate::ERR_PARAM;
        }
        let p = crate::Params { du, dv, f, k, dt };
        on_pool(|| unsafe {
            let (u, v) = (
                slice_mut(buf::<f64>(U), CAP_GRID),
                slice_mut(buf::<f64>(V), CAP_GRID),
            );
            let (u2, v2) = (
                slice_mut(buf::<f64>(U2), CAP_GRID),
                slice_mut(buf::<f64>(V2), CAP_GRID),
            );
            if crate::gray_scott(n, steps as usize, p, u, v, u2, v2) {
                let c = n * n * n;
                u[..c].copy_from_slice(&u2[..c]);
                v[..c].copy_from_slice(&v2[..c]);
            }
            0
        })
    }

    fn hash(n: u32) -> u64 {
        let c = (n as usize)
            .checked_pow(3)
            .filter(|&c| c <= CAP_GRID)
            .expect("hash: n³ exceeds the capacity of U and V");
        unsafe { crate::hash(slice(buf::<f64>(U), c), slice(buf::<f64>(V), c)) }
    }

    fn spawn_more(count: u32) -> i32 {
        let mut started = 0;
        for _ in 0..count {
            if let Ok(h) = std::thread::Builder::new()
                .stack_size(64 << 10)
                .spawn(|| {})
            {
                started += 1;
                let _ = h.join();
            }
        }
        if count > 0 {
            if let Ok(p) = ThreadPoolBuilder::new()
                .num_threads(count as usize)
                .stack_size(STACK)
                .build()
            {
                started += p.current_num_threads() as i32;
            }
        }
        started
    }

    fn panic_in_job(bad: u32, items: u32) -> i32 {
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

    fn start_workers(threads: u32) -> i32 {
        if !POOL.load(Ordering::Acquire).is_null() {
            return -1;
        }
        install_panic_hook();
        let n = threads.max(1) as usize;
        let built = ThreadPoolBuilder::new()
            .num_threads(n)
            .use_current_thread()
            .stack_size(STACK)
            .exit_handler(|_| {
                EXITED.fetch_add(1, Ordering::SeqCst);
            })
            .build();
        match built {
            Ok(p) => {
                POOL.store(Box::into_raw(Box::new(p)), Ordering::Release);
                (n - 1) as i32
            }
            Err(_) => -1,
        }
    }

    /// Drops the pool (Rayon tells its threads to exit) and waits, looking
    /// at the abort flag every millisecond (park_timeout: a timed
    /// memory.atomic.wait32; std's sleep would need poll_oneoff, which the
    /// host does not offer), until every spawned thread has left Rayon's
    /// loop, so the host's join finds them ending.
    fn stop_workers() {
        let p = POOL.swap(core::ptr::null_mut(), Ordering::AcqRel);
        if p.is_null() {
            return;
        }
        let spawned = unsafe { &*p }.current_num_threads() as i32 - 1;
        drop(unsafe { Box::from_raw(p) });
        loop {
            let seen = EXITED.load(Ordering::SeqCst);
            if seen >= spawned {
                return;
            }
            check_abort();
            std::thread::park_timeout(std::time::Duration::from_millis(1));
        }
    }

    fn get_abort_offset() -> u32 {
        (&raw const ABORT) as u32
    }
}

export!(Rayon);
