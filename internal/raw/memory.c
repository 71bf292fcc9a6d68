//go:build amd64 || arm64

// Linear memories that a kept view cannot follow into another instance
// (memory.go). Wasmtime calls wv_memory_new for every linear memory an
// instance defines (the engine's host memory creator,
// wasmtime_config_host_memory_creator_set); the memory's finalizer does
// not unmap it but puts it in the quarantine: its pages are replaced by
// inaccessible ones (which releases them) and its address range stays
// reserved, so no later mapping, another instance's memory included, can
// take those addresses while it is there. The quarantine releases its
// oldest ranges once it holds more address space than its budget.
//
// A threaded guest's shared memory is made by Wasmtime itself
// (wasmtime_sharedmemory_new does not use the creator); the host hands its
// last handle to wv_quarantine_shared instead of deleting it, which keeps
// Wasmtime's mapping in place, inaccessible, until the quarantine lets it go.

#include "memory.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

wasmtime_error_t *wasmtime_error_new(const char *);
uint8_t *wasmtime_sharedmemory_data(const wasmtime_sharedmemory_t *);
size_t wasmtime_sharedmemory_data_size(const wasmtime_sharedmemory_t *);
void wasmtime_sharedmemory_delete(wasmtime_sharedmemory_t *);

int64_t wv_monotonic_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static pthread_mutex_t wv_mu = PTHREAD_MUTEX_INITIALIZER;
static wv_mem_t wv_live = {.prev = &wv_live, .next = &wv_live};  // memories in use
static wv_mem_t wv_quar = {.prev = &wv_quar, .next = &wv_quar};  // oldest first
static size_t wv_quar_bytes, wv_quar_count, wv_budget;
static uint64_t wv_seq;

static void wv_unlink(wv_mem_t *m) {
	m->prev->next = m->next;
	m->next->prev = m->prev;
	m->prev = m->next = m;
}

static void wv_append(wv_mem_t *list, wv_mem_t *m) {
	m->prev = list->prev;
	m->next = list;
	list->prev->next = m;
	list->prev = m;
}

static size_t wv_page(void) { return (size_t)sysconf(_SC_PAGESIZE); }

static size_t wv_round_up(size_t n, size_t to) {
	if (n > SIZE_MAX - (to - 1)) return SIZE_MAX;
	return (n + to - 1) / to * to;
}

// The default budget: a sixteenth of the address space a mapping can take
// (the next power of two above this stack, which sits near its top), and a
// quarter of RLIMIT_AS when that is set: 8 TiB on x86-64 (47-bit addresses),
// 32 GiB with 39-bit ones.
static size_t wv_default_budget(void) {
	uintptr_t top = 1;
	uintptr_t here = (uintptr_t)__builtin_frame_address(0);
	while (top != 0 && top <= here) top <<= 1;
	size_t b = top != 0 ? top / 16 : SIZE_MAX / 16;
	struct rlimit rl;
	if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur / 4 < b) {
		b = rl.rlim_cur / 4;
	}
	return b;
}

// wv_release frees what the quarantine let go: a range it reserved, or a
// shared memory's last handle (Wasmtime then unmaps it).
static void wv_release(wv_mem_t *m) {
	if (m->shared != NULL) {
		wasmtime_sharedmemory_delete(m->shared);
	} else {
		munmap(m->region, m->region_len);
	}
	free(m);
}

// wv_trim moves the oldest quarantined memories to evict until the rest
// fit the budget. The caller holds wv_mu.
static void wv_trim(wv_mem_t *evict) {
	if (wv_budget == 0) wv_budget = wv_default_budget();
	while (wv_quar_bytes > wv_budget && wv_quar.next != &wv_quar) {
		wv_mem_t *old = wv_quar.next;
		wv_unlink(old);
		wv_quar_bytes -= old->accounted;
		wv_quar_count--;
		wv_append(evict, old);
	}
}

// wv_release_all releases what wv_trim took, outside wv_mu.
static void wv_release_all(wv_mem_t *evict) {
	while (evict->next != evict) {
		wv_mem_t *old = evict->next;
		wv_unlink(old);
		wv_release(old);
	}
}

// wv_quarantine makes m's pages inaccessible and releases them, queues m
// (its range stays reserved), and lets the oldest ranges go past the budget.
static void wv_quarantine(wv_mem_t *m, size_t accounted) {
	if (m->size > 0) {
		// Fresh inaccessible pages in place of the old ones, in one step.
		if (mmap(m->base, m->size, PROT_NONE, MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) == MAP_FAILED) {
			// Out of mappings (vm.max_map_count): at least no access,
			// and the pages back to the kernel.
			mprotect(m->base, m->size, PROT_NONE);
			madvise(m->base, m->size, MADV_DONTNEED);
		}
	}
	wv_mem_t evict = {.prev = &evict, .next = &evict};
	pthread_mutex_lock(&wv_mu);
	wv_unlink(m);
	m->closed_ns = wv_monotonic_ns();
	m->seq = ++wv_seq;
	m->accounted = accounted;
	wv_append(&wv_quar, m);
	wv_quar_bytes += accounted;
	wv_quar_count++;
	wv_trim(&evict);
	pthread_mutex_unlock(&wv_mu);
	wv_release_all(&evict);
}

static uint8_t *wv_memory_get(void *env, size_t *size, size_t *capacity) {
	wv_mem_t *m = env;
	*size = m->size;
	*capacity = m->capacity;
	return m->base;
}

static wasmtime_error_t *wv_memory_grow(void *env, size_t new_size) {
	wv_mem_t *m = env;
	if (new_size > m->capacity) return wasmtime_error_new("wasmvec: linear memory grows past its reservation");
	if (new_size > m->size && mprotect(m->base + m->size, new_size - m->size, PROT_READ | PROT_WRITE) != 0) {
		return wasmtime_error_new("wasmvec: cannot make grown linear memory accessible");
	}
	m->size = new_size;
	return NULL;
}

static void wv_memory_finalize(void *env) {
	wv_mem_t *m = env;
	wv_quarantine(m, m->region_len);
}

// wv_memory_new reserves guard + reserved + guard bytes, inaccessible, and
// makes the first minimum bytes after the first guard accessible. Wasmtime
// compiles its bounds checks for reserved (4 GiB on 64-bit hosts) and
// guard (32 MiB) bytes (Config::memory_reservation, memory_guard_size), so
// the range must hold them; the guard before the memory is Wasmtime's own
// default too (Config::guard_before_linear_memory).
static wasmtime_error_t *wv_memory_new(void *env, const wasm_memorytype_t *ty, size_t minimum,
		size_t maximum, size_t reserved, size_t guard, wasmtime_linear_memory_t *ret) {
	(void)env;
	(void)ty;
	size_t page = wv_page();
	size_t capacity = reserved;
	if (capacity == 0) capacity = maximum < ((size_t)4 << 30) ? maximum : ((size_t)4 << 30);
	capacity = wv_round_up(capacity, page);
	guard = wv_round_up(guard, page);
	if (minimum > capacity || capacity == SIZE_MAX || guard > (SIZE_MAX - capacity) / 2) {
		return wasmtime_error_new("wasmvec: linear memory larger than its reservation");
	}
	size_t len = guard + capacity + guard;
	wv_mem_t *m = calloc(1, sizeof *m);
	if (m == NULL) return wasmtime_error_new("wasmvec: out of memory");
	void *r = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED) {
		free(m);
		return wasmtime_error_new("wasmvec: cannot reserve address space for a linear memory");
	}
	m->region = r;
	m->region_len = len;
	m->base = (uint8_t *)r + guard;
	m->capacity = capacity;
	if (minimum > 0 && mprotect(m->base, minimum, PROT_READ | PROT_WRITE) != 0) {
		munmap(r, len);
		free(m);
		return wasmtime_error_new("wasmvec: cannot make linear memory accessible");
	}
	m->size = minimum;
	m->prev = m->next = m;
	pthread_mutex_lock(&wv_mu);
	wv_append(&wv_live, m);
	pthread_mutex_unlock(&wv_mu);
	ret->env = m;
	ret->get_memory = wv_memory_get;
	ret->grow_memory = wv_memory_grow;
	ret->finalizer = wv_memory_finalize;
	return NULL;
}

void wv_set_memory_creator(wasm_config_t *c) {
	wasmtime_memory_creator_t mc = {.env = NULL, .new_memory = wv_memory_new, .finalizer = NULL};
	wasmtime_config_host_memory_creator_set(c, &mc);
}

void wv_label_memory(uint8_t *base, const char *label, size_t n) {
	pthread_mutex_lock(&wv_mu);
	for (wv_mem_t *m = wv_live.next; m != &wv_live; m = m->next) {
		if (m->base == base) {
			if (n >= sizeof m->label) n = sizeof m->label - 1;
			memcpy(m->label, label, n);
			m->label[n] = 0;
			break;
		}
	}
	pthread_mutex_unlock(&wv_mu);
}

void wv_quarantine_shared(wasmtime_sharedmemory_t *s, const char *label, size_t n, size_t accounted) {
	wv_mem_t *m = calloc(1, sizeof *m);
	if (m == NULL) {
		wasmtime_sharedmemory_delete(s);
		return;
	}
	m->prev = m->next = m;
	m->shared = s;
	m->base = wasmtime_sharedmemory_data(s);
	m->size = wasmtime_sharedmemory_data_size(s);
	m->capacity = m->size;
	m->region = m->base;
	m->region_len = m->size;
	if (n >= sizeof m->label) n = sizeof m->label - 1;
	memcpy(m->label, label, n);
	wv_quarantine(m, accounted);
}

int wv_quarantine_find(uintptr_t addr, wv_found_t *out) {
	int found = 0;
	pthread_mutex_lock(&wv_mu);
	for (wv_mem_t *m = wv_quar.prev; m != &wv_quar; m = m->prev) {
		uintptr_t b = (uintptr_t)m->base;
		if (addr >= b && addr - b < m->capacity) {
			out->offset = addr - b;
			out->size = m->size;
			out->closed_ns = m->closed_ns;
			out->later = wv_seq - m->seq;
			memcpy(out->label, m->label, sizeof out->label);
			found = 1;
			break;
		}
	}
	pthread_mutex_unlock(&wv_mu);
	return found;
}

void wv_quarantine_stats(wv_stats_t *out) {
	pthread_mutex_lock(&wv_mu);
	if (wv_budget == 0) wv_budget = wv_default_budget();
	out->count = wv_quar_count;
	out->bytes = wv_quar_bytes;
	out->budget = wv_budget;
	size_t live = 0;
	for (wv_mem_t *m = wv_live.next; m != &wv_live; m = m->next) live++;
	out->live = live;
	pthread_mutex_unlock(&wv_mu);
}

size_t wv_quarantine_budget(size_t budget) {
	wv_mem_t evict = {.prev = &evict, .next = &evict};
	pthread_mutex_lock(&wv_mu);
	if (wv_budget == 0) wv_budget = wv_default_budget();
	size_t old = wv_budget;
	wv_budget = budget;
	wv_trim(&evict);
	pthread_mutex_unlock(&wv_mu);
	wv_release_all(&evict);
	return old;
}
