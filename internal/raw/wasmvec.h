// wasmvec.h: everything in C that wasmvec uses, in one place: the
// few declarations of the Wasmtime C API it calls (as in the headers
// wasmtime-go v44.0.0 ships, build/include: wasmtime/func.h, extern.h,
// val.h, trap.h, error.h, memory.h, sharedmemory.h, linker.h, store.h and
// wasm.h; the symbols are those of the libwasmtime.a wasmtime-go links),
// the C block of an instance's call path, and the small functions the one
// crossing of a call runs. Package raw (raw.go, shared.go) includes it;
// raw's TestLayouts and host's TestRawCallMatchesFuncCall fail if a layout
// assumed here changes.

#ifndef WASMVEC_H
#define WASMVEC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

typedef struct wasmtime_context wasmtime_context_t;
typedef struct wasm_trap_t wasm_trap_t;
typedef struct wasmtime_error wasmtime_error_t;
typedef struct { uint64_t store_id; void *private_; } wv_func_t;    // wasmtime_func_t
typedef union { int64_t i64; double f64; uint8_t v128[16]; } wv_val_raw_t; // wasmtime_val_raw_t
typedef struct { size_t size; char *data; } wv_byte_vec_t;         // wasm_byte_vec_t
typedef struct { struct { uint64_t store_id; uint32_t private1; } id; uint32_t private2; } wv_memory_t; // wasmtime_memory_t

wasmtime_error_t *wasmtime_func_call_unchecked(wasmtime_context_t *, const wv_func_t *,
	wv_val_raw_t *args_and_results, size_t len, wasm_trap_t **trap);
void wasm_trap_message(const wasm_trap_t *, wv_byte_vec_t *out);
bool wasmtime_trap_code(const wasm_trap_t *, uint8_t *code);
void wasm_trap_delete(wasm_trap_t *);
void wasmtime_error_message(const wasmtime_error_t *, wv_byte_vec_t *out);
void wasmtime_error_delete(wasmtime_error_t *);
bool wasmtime_error_exit_status(const wasmtime_error_t *, int *status);
void wasm_byte_vec_delete(wv_byte_vec_t *);
uint8_t *wasmtime_memory_data(const wasmtime_context_t *, const wv_memory_t *);
size_t wasmtime_memory_data_size(const wasmtime_context_t *, const wv_memory_t *);
typedef struct wasmtime_sharedmemory wasmtime_sharedmemory_t;
uint8_t *wasmtime_sharedmemory_data(const wasmtime_sharedmemory_t *);
size_t wasmtime_sharedmemory_data_size(const wasmtime_sharedmemory_t *);

typedef struct wasmtime_store wasmtime_store_t;
wasmtime_error_t *wasmtime_error_new(const char *);
void wasmtime_context_set_epoch_deadline(wasmtime_context_t *, uint64_t ticks_beyond_current);
void wasmtime_store_epoch_deadline_callback(wasmtime_store_t *,
	wasmtime_error_t *(*)(wasmtime_context_t *, void *, uint64_t *, uint8_t *), void *, void (*)(void *));

// The linear memory's base and size, and the trap of the last call.
typedef struct { uint8_t *base; size_t size; wasm_trap_t *trap; } wv_state_t;

// Everything the typed call path passes to Wasmtime, in C memory: Go memory
// would make cgo's pointer check scan it on every call.
#define WV_MAX_ARGS 16
typedef struct {
	wasmtime_context_t *ctx;
	wv_memory_t mem;                 // the linear memory, or
	wasmtime_sharedmemory_t *shared; // a threaded guest's shared memory
	wv_state_t state;
	wv_val_raw_t vals[WV_MAX_ARGS];

	// Deadlines (host/deadline.go). timeout_ns > 0 bounds the next call:
	// wv_call turns it into deadline_ns on CLOCK_MONOTONIC. interrupt is
	// set (atomically) from any thread to stop the running call and every
	// thread of the instance; interrupted records that the epoch callback
	// ended the last call.
	int64_t timeout_ns;
	int64_t deadline_ns;
	int32_t interrupt;
	int32_t interrupted;

	// The instance's lock word (host/lock.go) and whether it is closed:
	// wv_call_locked takes and releases the lock around a call.
	uint64_t lock;
	int32_t closed;

	size_t nfuncs;
	wv_func_t funcs[]; // the module's kernels by index, then ping-workers
} wv_instance_t;

enum { WV_FUNCS_OFFSET = offsetof(wv_instance_t, funcs) };

static wv_instance_t *wv_new(size_t nfuncs) {
	wv_instance_t *in = calloc(1, sizeof(wv_instance_t) + nfuncs * sizeof(wv_func_t));
	if (in != NULL) in->nfuncs = nfuncs;
	return in;
}

static int64_t wv_now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// The epoch deadline callback of an instance's store, run by Wasmtime on
// the calling thread once per engine tick while guest code runs: it ends
// the call when interrupted or past its deadline, else waits for the next
// tick.
static wasmtime_error_t *wv_epoch(wasmtime_context_t *ctx, void *data, uint64_t *delta, uint8_t *kind) {
	wv_instance_t *in = data;
	(void)ctx;
	if (__atomic_load_n(&in->interrupt, __ATOMIC_RELAXED) ||
			(in->deadline_ns != 0 && wv_now() >= in->deadline_ns)) {
		in->interrupted = 1;
		return wasmtime_error_new("wasmvec: the call passed its deadline or was cancelled");
	}
	*delta = 1;
	*kind = 0; // WASMTIME_UPDATE_DEADLINE_CONTINUE
	return NULL;
}

// The same for a worker thread's store: only the interrupt flag ends it.
static wasmtime_error_t *wv_epoch_worker(wasmtime_context_t *ctx, void *data, uint64_t *delta, uint8_t *kind) {
	wv_instance_t *in = data;
	(void)ctx;
	if (__atomic_load_n(&in->interrupt, __ATOMIC_RELAXED)) {
		return wasmtime_error_new("wasmvec: the instance was interrupted");
	}
	*delta = 1;
	*kind = 0;
	return NULL;
}

// wv_deadline is now + timeout_ns, saturated: a timeout of years (up to
// the largest int64) means no practical bound, never a wrapped deadline in
// the past.
static int64_t wv_deadline(int64_t timeout_ns) {
	int64_t now = wv_now();
	return timeout_ns > INT64_MAX - now ? INT64_MAX : now + timeout_ns;
}

// wv_arm bounds guest code run outside wv_call (Func.Call) by timeout_ns.
static void wv_arm(wv_instance_t *in, int64_t timeout_ns) {
	in->interrupted = 0;
	in->deadline_ns = wv_deadline(timeout_ns);
}

static void wv_watch(wasmtime_store_t *store, wasmtime_context_t *ctx, wv_instance_t *in, int worker) {
	wasmtime_store_epoch_deadline_callback(store, worker ? wv_epoch_worker : wv_epoch, in, NULL);
	wasmtime_context_set_epoch_deadline(ctx, 1);
}

static void wv_refresh(wv_instance_t *in) {
	if (in->shared != NULL) {
		in->state.base = wasmtime_sharedmemory_data(in->shared);
		in->state.size = wasmtime_sharedmemory_data_size(in->shared);
		return;
	}
	in->state.base = wasmtime_memory_data(in->ctx, &in->mem);
	in->state.size = wasmtime_memory_data_size(in->ctx, &in->mem);
}

// One crossing per kernel call. The memory's base and size are read once,
// at Instantiate (wv_refresh): a guest's own memory is capped at its size
// from then on and a shared memory never moves, so neither can change.
// The block comes as an integer: it is C memory, and a pointer argument
// would make cgo check on every call whether it points into Go memory.
static wasmtime_error_t *wv_call(uintptr_t block, int e, size_t nargs) {
	wv_instance_t *in = (wv_instance_t *)block;
	in->state.trap = NULL;
	in->interrupted = 0;
	in->deadline_ns = in->timeout_ns > 0 ? wv_deadline(in->timeout_ns) : 0;
	return wasmtime_func_call_unchecked(in->ctx, &in->funcs[e], in->vals, nargs, &in->state.trap);
}
// Many calls of function e in one crossing: call i takes its nargs
// arguments from args[i*nargs ...] and, when results is not NULL, leaves
// its result's bits in results[i]; slots value slots are passed (the larger
// of the argument and result counts). It stops at the first call that
// fails (its error in err, or its trap in the block) and returns its
// index in done; count when every call returned. For calls with no bound
// (no deadline is armed) on a guest that is not threaded; the caller holds
// the lock. (The error comes back in the struct: a pointer to a Go
// variable would move that variable to the heap on every batch.)
typedef struct { wasmtime_error_t *err; size_t done; } wv_many_t;
static wv_many_t wv_call_many(uintptr_t block, int e, size_t nargs, size_t slots, size_t count,
		const uint64_t *args, uint64_t *results) {
	wv_instance_t *in = (wv_instance_t *)block;
	wv_many_t r = {NULL, 0};
	in->interrupted = 0;
	in->deadline_ns = 0;
	for (; r.done < count; r.done++) {
		const uint64_t *a = args + r.done * nargs;
		for (size_t j = 0; j < nargs; j++) in->vals[j].i64 = (int64_t)a[j];
		in->state.trap = NULL;
		r.err = wasmtime_func_call_unchecked(in->ctx, &in->funcs[e], in->vals, slots, &in->state.trap);
		if (r.err != NULL || in->state.trap != NULL) return r;
		if (results != NULL) results[r.done] = (uint64_t)in->vals[0].i64;
	}
	return r;
}

// What wv_call_locked did: WV_DONE, the call ran and returned, the lock is
// released and result holds the result's bits; WV_BUSY, the lock was not
// in the state expected (result holds the state seen) and nothing ran;
// WV_HELD, the call trapped or failed (err, and the trap in the block) or
// the instance is closed (neither), and the lock is still held for the
// caller to report it and release.
enum { WV_DONE, WV_BUSY, WV_HELD };
typedef struct { wasmtime_error_t *err; uint64_t result; int32_t status; } wv_outcome_t;

// One crossing for a call and its lock: take the lock from state expect
// to held (a compare-and-swap), put the arguments (at most 4) in place,
// call, read the result and release the lock back to expect (a plain
// store with release order): one atomic read-modify-write per call, where
// taking and releasing the lock from Go costs two. For a call with no
// bound (timeout_ns is cleared) on a guest that is not threaded.
static wv_outcome_t wv_call_locked(uintptr_t block, int e, size_t nargs, uint64_t expect, uint64_t held,
		uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3) {
	wv_instance_t *in = (wv_instance_t *)block;
	wv_outcome_t r = {NULL, 0, WV_BUSY};
	uint64_t seen = expect;
	if (!__atomic_compare_exchange_n(&in->lock, &seen, held, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		r.result = seen;
		return r;
	}
	r.status = WV_HELD;
	if (in->closed) return r;
	in->vals[0].i64 = (int64_t)a0;
	in->vals[1].i64 = (int64_t)a1;
	in->vals[2].i64 = (int64_t)a2;
	in->vals[3].i64 = (int64_t)a3;
	in->timeout_ns = 0;
	r.err = wv_call(block, e, nargs);
	if (r.err != NULL || in->state.trap != NULL) return r;
	r.result = (uint64_t)in->vals[0].i64;
	r.status = WV_DONE;
	__atomic_store_n(&in->lock, expect, __ATOMIC_RELEASE);
	return r;
}

// Shared memory for threaded guests (shared.go, host/threads.go).
// The Wasmtime C API for shared memory, which wasmtime-go v44 does not bind
// (wasmtime-go issue #218), declared as in the headers wasmtime-go v44.0.0
// ships (build/include: wasmtime/sharedmemory.h, wasmtime/memory.h,
// wasmtime/extern.h, wasmtime/linker.h). TestThreadsAssumptions fails if
// one of them no longer holds.
typedef struct wasm_engine_t wasm_engine_t;
typedef struct wasm_config_t wasm_config_t;
typedef struct wasm_memorytype_t wasm_memorytype_t;
typedef struct wasmtime_linker wasmtime_linker_t;

// wasmtime_extern_t: a uint8_t kind, then a union of 24 bytes aligned to 8
// (its largest member is wasmtime_global_t); a shared memory is a pointer.
#define WV_EXTERN_SHAREDMEMORY 4
typedef struct {
	uint8_t kind;
	union { uint64_t pad[3]; wasmtime_sharedmemory_t *sharedmemory; } of;
} wv_extern_t;

wasmtime_error_t *wasmtime_memorytype_new(uint64_t min, bool max_present, uint64_t max,
	bool is_64, bool shared, uint8_t page_size_log2, wasm_memorytype_t **ret);
void wasm_memorytype_delete(wasm_memorytype_t *);
// Config::shared_memory: off by default since Wasmtime 40 (wasmtime/config.h,
// WASMTIME_CONFIG_PROP(void, shared_memory, bool)); wasmtime-go v44 does not bind it.
void wasmtime_config_shared_memory_set(wasm_config_t *, bool);
wasmtime_error_t *wasmtime_sharedmemory_new(const wasm_engine_t *, const wasm_memorytype_t *,
	wasmtime_sharedmemory_t **ret);
void wasmtime_sharedmemory_delete(wasmtime_sharedmemory_t *);
wasmtime_error_t *wasmtime_linker_define(wasmtime_linker_t *, wasmtime_context_t *,
	const char *module, size_t module_len, const char *name, size_t name_len, const wv_extern_t *item);

// wv_shared_new makes a shared memory of min..max 64 KiB pages.
static wasmtime_error_t *wv_shared_new(const wasm_engine_t *e, uint64_t min, uint64_t max,
		wasmtime_sharedmemory_t **ret) {
	wasm_memorytype_t *ty = NULL;
	wasmtime_error_t *err = wasmtime_memorytype_new(min, true, max, false, true, 16, &ty);
	if (err != NULL) return err;
	err = wasmtime_sharedmemory_new(e, ty, ret);
	wasm_memorytype_delete(ty);
	return err;
}

static wasmtime_error_t *wv_define_shared(wasmtime_linker_t *l, wasmtime_context_t *ctx,
		_GoString_ module, _GoString_ name, wasmtime_sharedmemory_t *m) {
	wv_extern_t item = {0};
	item.kind = WV_EXTERN_SHAREDMEMORY;
	item.of.sharedmemory = m;
	return wasmtime_linker_define(l, ctx, _GoStringPtr(module), _GoStringLen(module),
		_GoStringPtr(name), _GoStringLen(name), &item);
}

#endif
