// memory.h: the linear memories of instances (memory.c, memory.go): the
// Wasmtime C API's host memory creator (wasmtime/config.h of the headers
// wasmtime-go v44.0.0 ships: wasmtime_memory_creator_t,
// wasmtime_linear_memory_t and their callbacks, declared here as there),
// and the quarantine that keeps a closed instance's addresses reserved.

#ifndef WASMVEC_MEMORY_H
#define WASMVEC_MEMORY_H
#include <stddef.h>
#include <stdint.h>

typedef struct wasm_config_t wasm_config_t;
typedef struct wasm_memorytype_t wasm_memorytype_t;
typedef struct wasmtime_error wasmtime_error_t;
typedef struct wasmtime_sharedmemory wasmtime_sharedmemory_t;

typedef struct wasmtime_linear_memory {
	void *env;
	uint8_t *(*get_memory)(void *env, size_t *byte_size, size_t *byte_capacity);
	wasmtime_error_t *(*grow_memory)(void *env, size_t new_size);
	void (*finalizer)(void *);
} wasmtime_linear_memory_t;

typedef struct wasmtime_memory_creator {
	void *env;
	wasmtime_error_t *(*new_memory)(void *env, const wasm_memorytype_t *ty, size_t minimum,
		size_t maximum, size_t reserved_size_in_bytes, size_t guard_size_in_bytes,
		wasmtime_linear_memory_t *memory_ret);
	void (*finalizer)(void *);
} wasmtime_memory_creator_t;

void wasmtime_config_host_memory_creator_set(wasm_config_t *, wasmtime_memory_creator_t *);

// A linear memory made by wv_memory_new, or a quarantined shared memory.
typedef struct wv_mem {
	struct wv_mem *prev, *next; // in the list of live memories or in the quarantine
	uint8_t *region;            // the whole reservation, guards included
	size_t region_len;
	uint8_t *base;              // linear memory: base[0, size) accessible, size <= capacity
	size_t size, capacity;
	size_t accounted;           // address space charged to the quarantine's budget
	wasmtime_sharedmemory_t *shared; // a shared memory's last handle, or NULL
	int64_t closed_ns;          // CLOCK_MONOTONIC when quarantined
	uint64_t seq;               // the how-manieth memory quarantined
	char label[64];             // the guest's name, NUL-terminated
} wv_mem_t;

// What wv_quarantine_find learns of a quarantined memory.
typedef struct {
	size_t offset, size;
	int64_t closed_ns;
	uint64_t later; // memories quarantined after it
	char label[64];
} wv_found_t;

typedef struct { size_t count, bytes, budget, live; } wv_stats_t;

void wv_set_memory_creator(wasm_config_t *);
void wv_label_memory(uint8_t *base, const char *label, size_t len);
void wv_quarantine_shared(wasmtime_sharedmemory_t *, const char *label, size_t len, size_t accounted);
int wv_quarantine_find(uintptr_t addr, wv_found_t *out);
void wv_quarantine_stats(wv_stats_t *out);
size_t wv_quarantine_budget(size_t budget);
int64_t wv_monotonic_ns(void);
#endif
