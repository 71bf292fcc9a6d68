//! A Rayon pool on wasi-threads, sized by the host: the worker exports of
//! the contract's threaded worlds (`start-workers`, `stop-workers`,
//! `get-abort-offset`, and the optional `get-stop-offset`: the `threads`
//! world of `wit/vector.wit`) for a `wasm32-wasip1-threads` guest whose
//! kernels run Rayon code.
//!
//! The stop word (`get-stop-offset`) is the host's cooperative stop: the
//! host clears it as a call starts and sets it to ask the call to end early
//! (Go: `Instance.Stop`, a cooperative deadline; JS: `RemoteInstance.stop`). A kernel that looks at
//! [`stop_requested`] between its jobs or steps returns [`ERR_STOPPED`]
//! with its buffers in a state its documentation names; the instance stays
//! usable. Unlike the abort flag, which ends the instance, nothing traps.
//!
//! The same guest crate also builds for `wasm32-wasip1` (no `atomics`
//! target feature): the single-thread build a host loads where threads
//! cannot run (a page without cross-origin isolation). There [`on_pool`]
//! runs on a pool of one thread, the calling thread, and the crate exports
//! none of the worker functions, so hosts load it as a guest that is not
//! threaded. The Rayon code is the same, so are its results.
//!
//! The pool is this crate's own `ThreadPool` of `WithThreads` threads: the
//! calling thread is worker 0 (`use_current_thread`), the others are
//! spawned through the host's `wasi.thread-spawn` at instantiation. Stock
//! wasi-libc reports one CPU, so Rayon's global pool is never the one to
//! use: run a kernel's parallel code inside [`on_pool`].
//!
//! ```ignore
//! wasmvec_guest::kernel! {
//!     fn scale(a: f64, len: u32) -> i32 {
//!         let x = unsafe { X.get_mut(len as usize) };
//!         wasmvec_guest::threads::on_pool(|| x.par_iter_mut().for_each(|v| *v *= a))
//!             .map_or(wasmvec_guest::threads::ERR_POOL, |()| 0)
//!     }
//! }
//! ```
//!
//! A panic in any thread (with `panic = "abort"`, a trap) first prints its
//! message (the host keeps it in the trap), then raises the host's abort
//! flag and hands every pool thread a job that traps, so threads asleep in
//! Rayon's waits (which have no timeout) end too and the call returns the
//! trap instead of waiting for the dead thread's work.

use core::sync::atomic::{AtomicU32, Ordering};
#[cfg(wasmvec_threads)]
use core::sync::atomic::{AtomicI32, AtomicPtr};
use rayon::{ThreadPool, ThreadPoolBuilder};

/// What a kernel returns when it is called before `start-workers` (or
/// after `stop-workers`): by convention a negative status.
pub const ERR_POOL: i32 = -3;

/// What a kernel returns when the host asked it to stop
/// ([`stop_requested`]), by convention: -5.
pub const ERR_STOPPED: i32 = -5;

/// The stack of each pool thread: 256 KiB.
pub const STACK: usize = 256 << 10;

/// The host's abort flag (`get-abort-offset`): 1 once any thread failed.
static ABORT: AtomicU32 = AtomicU32::new(0);
/// The host's stop word (`get-stop-offset`): 1 when the host asks the
/// running call to end early; the host clears it as each call starts.
static STOP: AtomicU32 = AtomicU32::new(0);
/// The pool (a leaked Box), null before start-workers and after stop-workers.
#[cfg(wasmvec_threads)]
static POOL: AtomicPtr<ThreadPool> = AtomicPtr::new(core::ptr::null_mut());
/// Spawned pool threads that have exited (Rayon's exit handler).
#[cfg(wasmvec_threads)]
static EXITED: AtomicI32 = AtomicI32::new(0);

/// Runs `f` on the pool and returns its result, or `None` before
/// `start-workers`. In the single-thread build, runs `f` on a pool of one
/// thread (the calling thread) and never returns `None`.
#[cfg(wasmvec_threads)]
pub fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> Option<R> {
    let p = POOL.load(Ordering::Acquire);
    if p.is_null() {
        return None;
    }
    // SAFETY: the pool lives from start-workers until stop-workers, and the
    // host calls no kernel during either.
    Some(unsafe { &*p }.install(f))
}

/// Traps when the host's abort flag is up (a thread failed): call it in
/// long loops of a parallel job so a job of a failed computation ends.
pub fn check_abort() {
    if ABORT.load(Ordering::Relaxed) != 0 {
        core::arch::wasm32::unreachable();
    }
}

/// Whether the host asked the running call to end early (its stop word;
/// always false in the single-thread build, whose host cannot reach a
/// running call). Look at it between jobs or steps, and return
/// [`ERR_STOPPED`] when it is set.
pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed) != 0
}

/// The number of threads in the pool (the calling thread included), 0
/// before `start-workers`; 1 in the single-thread build.
#[cfg(wasmvec_threads)]
pub fn threads() -> usize {
    let p = POOL.load(Ordering::Acquire);
    if p.is_null() { 0 } else { unsafe { &*p }.current_num_threads() }
}

#[cfg(wasmvec_threads)]
fn install_panic_hook() {
    let print = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        print(info); // the message to stderr, where the host finds it
        ABORT.store(1, Ordering::SeqCst);
        let p = POOL.load(Ordering::Acquire);
        if !p.is_null() {
            unsafe { &*p }.spawn_broadcast(|_| core::arch::wasm32::unreachable());
        }
    }));
}

/// `start-workers(threads) -> s32`: builds the pool of `threads` threads
/// (at least 1) and returns the number of workers spawned (`threads - 1`),
/// or -1 when a pool exists or cannot be built.
#[cfg(wasmvec_threads)]
#[unsafe(export_name = "start-workers")]
pub extern "C" fn start_workers(threads: u32) -> i32 {
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

/// `stop-workers()`: drops the pool (Rayon tells its threads to exit) and
/// waits, looking at the abort flag every millisecond (`park_timeout`: a
/// timed `memory.atomic.wait32`; std's sleep would need `poll_oneoff`,
/// which the host does not offer), until every spawned thread has left
/// Rayon's loop, so the host's join finds them ending.
#[cfg(wasmvec_threads)]
#[unsafe(export_name = "stop-workers")]
pub extern "C" fn stop_workers() {
    let p = POOL.swap(core::ptr::null_mut(), Ordering::AcqRel);
    if p.is_null() {
        return;
    }
    let spawned = unsafe { &*p }.current_num_threads() as i32 - 1;
    drop(unsafe { Box::from_raw(p) });
    while EXITED.load(Ordering::SeqCst) < spawned {
        check_abort();
        std::thread::park_timeout(std::time::Duration::from_millis(1));
    }
}

/// `get-abort-offset() -> u32`: the byte offset of the abort flag.
#[cfg(wasmvec_threads)]
#[unsafe(export_name = "get-abort-offset")]
pub extern "C" fn get_abort_offset() -> u32 {
    (&raw const ABORT) as u32
}

/// `get-stop-offset() -> u32`: the byte offset of the stop word.
#[cfg(wasmvec_threads)]
#[unsafe(export_name = "get-stop-offset")]
pub extern "C" fn get_stop_offset() -> u32 {
    (&raw const STOP) as u32
}

/// The single-thread build's pool: one thread, the calling thread
/// (`use_current_thread`), built at the first kernel call; no thread is
/// ever spawned (`wasm32-wasip1` has none).
#[cfg(not(wasmvec_threads))]
fn single() -> &'static ThreadPool {
    static POOL: std::sync::OnceLock<ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        ThreadPoolBuilder::new()
            .num_threads(1)
            .use_current_thread()
            .build()
            .expect("a pool of the calling thread alone needs no spawn")
    })
}

/// Runs `f` on the pool of one thread, the calling thread: always `Some`.
#[cfg(not(wasmvec_threads))]
pub fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> Option<R> {
    Some(single().install(f))
}

/// The number of threads in the pool: 1.
#[cfg(not(wasmvec_threads))]
pub fn threads() -> usize {
    1
}
