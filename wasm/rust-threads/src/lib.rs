//! wasmvec guest in Rust on wasi-threads: implements the `vector-threads`
//! world of `wit/vector.wit`.
//!
//! The buffers, the capacity check and the kernels are those of `wasm/rust`
//! (the kernels are the same source file, `../rust/src/kernels.rs`). What
//! differs is who runs them: `start-workers` spawns worker threads once
//! (`std::thread`, which wasi-libc's pthreads turn into `wasi.thread-spawn`),
//! and each kernel call is a job of independent units (one block of 4096
//! elements, or one vector of a batch). The calling thread publishes the job,
//! wakes the workers, runs its own share of the units (each thread has a
//! fixed contiguous share), waits until
//! every worker has finished, and then folds the per-block partials in block
//! order. A partial is `fold(-0.0, block)` = the block's lane tree exactly, so
//! `acc + partial[0] + partial[1] + ...` performs the additions of the
//! canonical order, in the canonical order: the bits do not depend on the
//! thread count or on which thread ran which block.
//!
//! Parking: a thread that finds no work spins briefly, then parks with a
//! timeout (`std::thread::park_timeout`, a futex on `memory.atomic.wait32`;
//! the wait intrinsics themselves are unstable in Rust). Every thread checks
//! the host's abort flag on every wake-up and traps when it is set (some
//! thread trapped; see `get-abort-offset`): the waiting caller within about
//! a millisecond, a parked worker within about 100 ms.
//!
//! Build: `cargo build --release --target wasm32-wasip1-threads`
//! (see `build.sh rust-threads`).

wit_bindgen::generate!({
    path: "../../wit",
    world: "vector-threads",
});

#[path = "../../rust/src/kernels.rs"]
mod kernels;

use core::sync::atomic::{AtomicU32, Ordering};
use kernels::{BLOCK, batch_shape, finish, fold_dot, fold_simd, fold_sum, mul, mul_simd, scale, scale_simd};
use std::sync::Mutex;
use std::sync::OnceLock;
use std::thread::{JoinHandle, Thread};
use std::time::Duration;

/// Elements in each buffer: 2^24 (128 MiB per buffer), so that one kernel
/// call over 10^7 elements keeps every core busy without streaming.
const CAPACITY: usize = 1 << 24;
/// Blocks in a full buffer.
const MAX_BLOCKS: usize = CAPACITY.div_ceil(BLOCK);
/// Polls of a shared word before a thread parks on it (tens of
/// microseconds): back-to-back kernel calls then find the workers awake.
const SPIN: u32 = 1 << 15;

#[repr(C, align(16))]
struct Buffer([f64; CAPACITY]);

static mut A: Buffer = Buffer([0.0; CAPACITY]);
static mut B: Buffer = Buffer([0.0; CAPACITY]);
static mut RESULT: Buffer = Buffer([0.0; CAPACITY]);
/// Per-block partials of the reductions, folded in order by the caller.
static mut PARTIAL: [f64; MAX_BLOCKS] = [0.0; MAX_BLOCKS];

/// Bumped (Release) to publish a job; workers wait on it.
static GEN: AtomicU32 = AtomicU32::new(0);
/// Workers that have finished the current job; the caller waits on it.
static DONE: AtomicU32 = AtomicU32::new(0);
/// Set by stop-workers: workers leave their loop at the next job.
static STOP: AtomicU32 = AtomicU32::new(0);
/// Set to 1 by the host when a worker trapped.
static ABORT: AtomicU32 = AtomicU32::new(0);
/// Workers running.
static WORKERS: AtomicU32 = AtomicU32::new(0);
static HANDLES: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());
/// The workers' threads, unparked by dispatch.
static THREADS: Mutex<Vec<Thread>> = Mutex::new(Vec::new());
/// The thread that started the workers (the host's calling thread), unparked
/// by the last worker to finish a job.
static CALLER: OnceLock<Thread> = OnceLock::new();
/// The current job: written by the caller before GEN is bumped, read by
/// workers after they see the new GEN (Acquire), never written meanwhile.
static mut JOB: Job = Job { kind: Kind::Ping, n: 0, len: 0, scalar: 0.0 };

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Ping,
    Sum,
    SumSimd,
    Dot,
    DotSimd,
    SumBlocks,
    DotBlocks,
    SumBatch,
    DotBatch,
    Mul,
    MulSimd,
    Scale,
    ScaleSimd,
}

/// A kernel call split into units. `n` is the number of elements, or for a
/// batch the number of vectors (each `len` elements).
#[derive(Clone, Copy)]
struct Job {
    kind: Kind,
    n: usize,
    len: usize,
    scalar: f64,
}

fn a(n: usize) -> &'static [f64] {
    // SAFETY: n <= CAPACITY (checked by every export); A is only written by
    // the host, between kernel calls.
    unsafe { core::slice::from_raw_parts((&raw const A).cast::<f64>(), n) }
}

fn b(n: usize) -> &'static [f64] {
    // SAFETY: as for `a`.
    unsafe { core::slice::from_raw_parts((&raw const B).cast::<f64>(), n) }
}

fn out(start: usize, end: usize) -> &'static mut [f64] {
    // SAFETY: end <= CAPACITY; units are disjoint ranges of RESULT and each
    // is run by exactly one thread (work), so no two mutable slices overlap.
    unsafe { core::slice::from_raw_parts_mut((&raw mut RESULT).cast::<f64>().add(start), end - start) }
}

fn partial(k: usize, v: f64) {
    // SAFETY: k < MAX_BLOCKS; each k is written by exactly one thread.
    unsafe { (&raw mut PARTIAL).cast::<f64>().add(k).write(v) }
}

impl Job {
    fn units(&self) -> usize {
        match self.kind {
            Kind::Ping => 0,
            Kind::SumBatch | Kind::DotBatch => self.n,
            _ => self.n.div_ceil(BLOCK),
        }
    }

    fn run(&self, k: usize) {
        let (s, e) = (k * BLOCK, usize::min((k + 1) * BLOCK, self.n));
        match self.kind {
            Kind::Ping => {}
            Kind::Sum => partial(k, fold_sum(-0.0, &a(e)[s..])),
            // SAFETY (simd calls): an engine without simd128 rejects the module.
            Kind::SumSimd => partial(k, fold_simd(-0.0, &a(e)[s..], None)),
            Kind::Dot => partial(k, fold_dot(-0.0, &a(e)[s..], &b(e)[s..])),
            Kind::DotSimd => partial(k, fold_simd(-0.0, &a(e)[s..], Some(&b(e)[s..]))),
            Kind::SumBlocks => out(k, k + 1)[0] = fold_simd(-0.0, &a(e)[s..], None),
            Kind::DotBlocks => out(k, k + 1)[0] = fold_simd(-0.0, &a(e)[s..], Some(&b(e)[s..])),
            Kind::SumBatch | Kind::DotBatch => {
                let l = self.len;
                let (s, e) = (k * l, (k + 1) * l);
                let y = if self.kind == Kind::DotBatch { Some(&b(e)[s..]) } else { None };
                out(k, k + 1)[0] = finish(l, fold_simd(-0.0, &a(e)[s..], y));
            }
            Kind::Mul => mul(&a(e)[s..], &b(e)[s..], out(s, e)),
            Kind::MulSimd => mul_simd(&a(e)[s..], &b(e)[s..], out(s, e)),
            Kind::Scale => scale(self.scalar, &a(e)[s..], out(s, e)),
            Kind::ScaleSimd => scale_simd(self.scalar, &a(e)[s..], out(s, e)),
        }
    }
}

/// Runs this thread's share of the job: thread `me` of `threads` (the
/// caller is thread 0) takes the contiguous units [me*u/threads,
/// (me+1)*u/threads). A static split keeps each thread on the same part of
/// the buffers call after call, so that part stays in its core's cache.
fn work(job: &Job, me: usize, threads: usize) {
    let units = job.units();
    for k in me * units / threads..(me + 1) * units / threads {
        job.run(k);
    }
}

/// Waits, spinning then parking for at most `timeout` at a time, until
/// `word` differs from `seen`; returns the new value. `check` runs on every
/// wake-up.
fn wait_change(word: &AtomicU32, seen: u32, timeout: Duration, check: impl Fn()) -> u32 {
    let mut spins = 0;
    loop {
        let v = word.load(Ordering::Acquire);
        if v != seen {
            return v;
        }
        check();
        if spins < SPIN {
            spins += 1;
            core::hint::spin_loop();
            continue;
        }
        std::thread::park_timeout(timeout);
    }
}

/// Runs job on this thread and every worker; returns when all are done.
fn dispatch(job: Job) {
    let workers = WORKERS.load(Ordering::Relaxed);
    if workers == 0 || (job.units() < 2 && job.kind != Kind::Ping) {
        for k in 0..job.units() {
            job.run(k);
        }
        return;
    }
    // SAFETY: no worker reads JOB until GEN changes below, and every worker
    // finished the previous job before the previous dispatch returned.
    unsafe { JOB = job };
    DONE.store(0, Ordering::Relaxed);
    GEN.fetch_add(1, Ordering::Release);
    wake_workers();
    work(&job, 0, workers as usize + 1);
    let mut done = DONE.load(Ordering::Acquire);
    while done != workers {
        done = wait_change(&DONE, done, Duration::from_millis(1), check_abort);
    }
}

/// Traps when the host has raised the abort flag: some thread trapped, and
/// wasi-threads ends every thread of the computation.
fn check_abort() {
    if ABORT.load(Ordering::Relaxed) != 0 {
        core::arch::wasm32::unreachable();
    }
}

fn wake_workers() {
    for t in THREADS.lock().unwrap_or_else(|e| e.into_inner()).iter() {
        t.unpark();
    }
}

fn worker(me: usize, mut seen: u32) {
    loop {
        // A timed wait, so that the loop (and a host deadline) keeps running.
        seen = wait_change(&GEN, seen, Duration::from_millis(100), check_abort);
        if STOP.load(Ordering::Acquire) != 0 {
            return;
        }
        // SAFETY: see dispatch.
        let job = unsafe { JOB };
        // WORKERS counts the workers that did start (me is one of them).
        work(&job, me, WORKERS.load(Ordering::Relaxed) as usize + 1);
        if DONE.fetch_add(1, Ordering::Release) + 1 == WORKERS.load(Ordering::Relaxed) {
            if let Some(t) = CALLER.get() {
                t.unpark();
            }
        }
    }
}

/// Folds the first `units` partials into acc, in block order.
fn fold_partials(mut acc: f64, units: usize) -> f64 {
    for k in 0..units {
        // SAFETY: k < MAX_BLOCKS; all writers finished (dispatch returned).
        acc = acc + unsafe { (&raw const PARTIAL).cast::<f64>().add(k).read() };
    }
    acc
}

/// Traps when `len` exceeds the capacity (kernels::check).
fn check(len: u32) -> usize {
    kernels::check(len, CAPACITY)
}

fn reduce(kind: Kind, acc: f64, len: u32) -> f64 {
    let job = Job { kind, n: check(len), len: 0, scalar: 0.0 };
    dispatch(job);
    fold_partials(acc, job.units())
}

fn elementwise(kind: Kind, scalar: f64, len: u32) {
    dispatch(Job { kind, n: check(len), len: 0, scalar });
}

fn batch(kind: Kind, count: u32, len: u32) {
    let (c, l) = batch_shape(count, len, CAPACITY);
    dispatch(Job { kind, n: c, len: l, scalar: 0.0 });
}

unsafe extern "C" {
    fn __wasi_init_tp();
    fn __wasm_call_ctors();
}

/// The reactor's initializer: sets up the main thread's pointer (without it
/// the first use of a thread hangs), then runs static constructors.
#[unsafe(no_mangle)]
pub extern "C" fn _initialize() {
    // SAFETY: called once by the host before any other export.
    unsafe {
        __wasi_init_tp();
        __wasm_call_ctors();
    }
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
        finish(len as usize, reduce(Kind::Sum, -0.0, len))
    }
    fn sum_fold(acc: f64, len: u32) -> f64 {
        reduce(Kind::Sum, acc, len)
    }
    fn sum_simd(len: u32) -> f64 {
        finish(len as usize, reduce(Kind::SumSimd, -0.0, len))
    }
    fn sum_simd_fold(acc: f64, len: u32) -> f64 {
        reduce(Kind::SumSimd, acc, len)
    }
    fn dot(len: u32) -> f64 {
        finish(len as usize, reduce(Kind::Dot, -0.0, len))
    }
    fn dot_fold(acc: f64, len: u32) -> f64 {
        reduce(Kind::Dot, acc, len)
    }
    fn dot_simd(len: u32) -> f64 {
        finish(len as usize, reduce(Kind::DotSimd, -0.0, len))
    }
    fn dot_simd_fold(acc: f64, len: u32) -> f64 {
        reduce(Kind::DotSimd, acc, len)
    }
    fn sum_blocks(len: u32) {
        elementwise(Kind::SumBlocks, 0.0, len)
    }
    fn dot_blocks(len: u32) {
        elementwise(Kind::DotBlocks, 0.0, len)
    }
    fn sum_batch(count: u32, len: u32) {
        batch(Kind::SumBatch, count, len)
    }
    fn dot_batch(count: u32, len: u32) {
        batch(Kind::DotBatch, count, len)
    }
    fn mul(len: u32) {
        elementwise(Kind::Mul, 0.0, len)
    }
    fn mul_simd(len: u32) {
        elementwise(Kind::MulSimd, 0.0, len)
    }
    fn scale(scalar: f64, len: u32) {
        elementwise(Kind::Scale, scalar, len)
    }
    fn scale_simd(scalar: f64, len: u32) {
        elementwise(Kind::ScaleSimd, scalar, len)
    }

    fn start_workers(threads: u32) -> i32 {
        let mut handles = HANDLES.lock().unwrap_or_else(|e| e.into_inner());
        if !handles.is_empty() || WORKERS.load(Ordering::Relaxed) != 0 {
            return -1;
        }
        let _ = CALLER.set(std::thread::current());
        let seen = GEN.load(Ordering::Acquire);
        let mut threads_ = THREADS.lock().unwrap_or_else(|e| e.into_inner());
        for me in 1..threads as usize {
            match std::thread::Builder::new().stack_size(64 << 10).spawn(move || worker(me, seen)) {
                Ok(h) => {
                    threads_.push(h.thread().clone());
                    handles.push(h);
                }
                Err(_) => break,
            }
        }
        WORKERS.store(handles.len() as u32, Ordering::Relaxed);
        handles.len() as i32
    }
    fn ping_workers() {
        dispatch(Job { kind: Kind::Ping, n: 0, len: 0, scalar: 0.0 })
    }
    fn stop_workers() {
        let mut handles = HANDLES.lock().unwrap_or_else(|e| e.into_inner());
        STOP.store(1, Ordering::Release);
        GEN.fetch_add(1, Ordering::Release);
        wake_workers();
        for h in handles.drain(..) {
            let _ = h.join();
        }
        THREADS.lock().unwrap_or_else(|e| e.into_inner()).clear();
        WORKERS.store(0, Ordering::Relaxed);
        STOP.store(0, Ordering::Release);
    }
    fn get_abort_offset() -> u32 {
        (&raw const ABORT) as u32
    }
}

export!(Vector);
