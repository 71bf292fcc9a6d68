// Package host runs numeric kernels compiled to WebAssembly, through
// Wasmtime, with the pre-allocated buffer pattern.
//
// A guest module declares, by the names of its exports, static buffers in
// its linear memory ("buffer-<name>-<type>" gives a buffer's byte offset,
// "capacity-<name>" its capacity in elements; the type is f64, f32, i32 or
// i64) and kernels (every other exported function whose parameters and
// result are numeric): the contract of wit/README.md. [Engine.Compile]
// reads the declaration from the module; [Module.Instantiate] asks each
// buffer's offset and capacity once, checks them against the guest's memory
// and caches them with every kernel. A kernel is looked up once
// ([Module.Kernel]) and called with [Instance.Call], or inside
// [Instance.InPlace] with [Buffers.Call] on data written straight into
// typed views of the buffers ([View]).
//
// This package knows no kernel of its own: the vector world of
// wit/vector.wit is package github.com/wasmvec/wasmvec/vector, a client of
// this API like any other,
// and package github.com/wasmvec/wasmvec/guests embeds guests that
// implement it.
//
// # Call path
//
// Every kernel's core signature is read and checked at Compile, so each
// kernel call is one cgo crossing to Wasmtime's
// wasmtime_func_call_unchecked with a raw argument array in C memory the
// Instance owns: no allocation, and the instance's lock taken and released
// inside that same crossing (one compare-and-swap). Inside one
// [Instance.InPlace], [Buffers.Call] costs the same. wasmtime-go's Func.Call
// (several crossings and allocations per call) serves only the calls made
// while loading; BenchmarkCall compares the paths with an empty cgo call.
// This path reads two unexported layouts of wasmtime-go v44 (Func and
// Memory hold the C handle as their only field);
// TestRawCallMatchesFuncCall fails if that changes, and Instantiate returns
// ErrModule rather than guess.
//
// # Threaded guests
//
// A guest of the world vector-threads (wasm/rust-threads) imports a shared
// memory and wasi.thread-spawn. Instantiate makes the shared memory (a small
// cgo layer over Wasmtime's C API: wasmtime-go does not bind it), answers
// thread-spawn with a new store and instance per thread on a goroutine of
// its own, and starts the guest's workers ([WithThreads]). Each kernel call
// is then split by blocks over every thread and gives the same bits as the
// single-threaded guests. A trap in any thread ends the instance
// ([ErrClosed], with the trap's [ErrTrap]); Close stops and waits for every
// thread.
//
// # Deadlines
//
// An engine made [WithDeadlines] builds code with Wasmtime's epoch
// interruption, and one ticker goroutine per engine advances the epoch every
// millisecond. A call is then bounded by [WithTimeout], or by a context
// through [Instance.Bind] or [Pool.Do], and returns [ErrDeadline] past it,
// whatever the guest does. The checks cost speed in tight loops
// (BenchmarkDeadlines), so engines are made without them by default.
//
// # Types and concurrency
//
//   - [Engine]: compiles modules (Cranelift, optimised for speed, SIMD and
//     threads on).
//     Safe for concurrent use; one engine can serve many modules.
//   - [Module]: a compiled guest whose buffers and kernels were read from
//     its exports. Safe for concurrent use; instantiate it as often as needed.
//   - [Kernel]: a kernel export, looked up once, callable on every instance
//     of its module. Immutable.
//   - [Instance]: one instantiation with its own store and linear memory.
//     Its methods are safe for concurrent use: its lock serialises calls.
//   - [Pool]: instances of one module for many goroutines, safe for
//     concurrent use; Do shares no state between
//     goroutines while a free instance is at hand.
//
// Each owns native memory: call Close when done (instances first, then
// modules, then the engine). Finalizers are only a safety net.
//
// # Errors
//
// Errors that concern a guest are [*GuestError] values naming the guest and
// the export; test for the cause with errors.Is and the sentinels
// ([ErrModule], [ErrMissingExport], [ErrSignature],
// [ErrLimit], [ErrTrap], [ErrDeadline], [ErrContract],
// [ErrConcurrent], [ErrOption], [ErrClosed]). A trap in a kernel also
// wraps a [*Trap] with its code, reason, stderr and backtrace. Bad input never panics and
// never truncates.
//
// # Trust
//
// A guest is untrusted: its buffer declarations are validated against its
// memory before any view of that memory is made; imports are limited to
// WASI preview 1 with no files, arguments, environment or standard streams
// (and thread-spawn for threaded guests); memory growth and thread count
// are capped; a trap is returned as an error and the instance stays
// usable. The host cannot know what a kernel may write; a client that
// does places guard words over views and returns [ErrContract] from
// InPlace (package vector does), and the instance is then replaced by a
// Pool. docs/security.md says what is promised and what is not.
package host
