/*
 * wasmvec_guest.h: the guest side of wasmvec's buffer-and-kernel contract
 * (wit/README.md) for C, one header with no generated glue. A C file that
 * includes it, built as a WASI reactor for wasm32-wasi, is a guest the host
 * discovers from its export names:
 *
 *   #include "wasmvec_guest.h"
 *
 *   WASMVEC_BUFFER(f32, x, "x", 65536)   // float x[65536]; exports buffer-x-f32, capacity-x
 *   WASMVEC_BUFFER(f32, y, "y", 65536)
 *
 *   // y[i] = a*x[i] + y[i] for i < len.
 *   WASMVEC_KERNEL("axpy") void axpy(float a, uint32_t len) {
 *       WASMVEC_REQUIRE(len <= WASMVEC_CAPACITY(x));
 *       for (uint32_t i = 0; i < len; i++)
 *           y[i] = a * x[i] + y[i];
 *   }
 *
 * Built, for example, with Debian's clang-19, lld-19, wasi-libc and
 * libclang-rt-19-dev-wasm32:
 *
 *   clang-19 --target=wasm32-wasi -O3 -ffp-contract=off -c guest.c
 *   clang-19 --target=wasm32-wasi -mexec-model=reactor -Wl,--strip-debug -o guest.wasm guest.o
 *
 * (-mexec-model=reactor: a module with _initialize, not a command with
 * _start; -ffp-contract=off: a*x + y stays a rounded product and a rounded
 * add, as in every other guest language.)
 */
#ifndef WASMVEC_GUEST_H
#define WASMVEC_GUEST_H

#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* The contract's element types, by their names in the exports. */
typedef double wasmvec_f64;
typedef float wasmvec_f32;
typedef int32_t wasmvec_i32;
typedef int64_t wasmvec_i64;

/*
 * WASMVEC_BUFFER(type, id, "name", capacity) declares a buffer: a static
 * array `id` of `capacity` elements of wasmvec_<type> (type one of f64, f32,
 * i32, i64), zero until written, and its two exports: buffer-<name>-<type>,
 * the array's byte offset in linear memory, and capacity-<name>, its
 * capacity in elements. The name is kebab-case (wit/README.md).
 */
#define WASMVEC_BUFFER(type, id, name, capacity)                                                   \
	_Static_assert((capacity) > 0 && (uint64_t)(capacity) * sizeof(wasmvec_##type) <= UINT32_MAX, \
		       "buffer " name ": capacity must be > 0 and fit in 32-bit linear memory");       \
	static wasmvec_##type id[(capacity)];                                                      \
	__attribute__((export_name("buffer-" name "-" #type))) uint32_t wasmvec_offset_##id(void)   \
	{                                                                                          \
		return (uint32_t)(uintptr_t)id;                                                    \
	}                                                                                          \
	__attribute__((export_name("capacity-" name))) uint32_t wasmvec_capacity_##id(void)        \
	{                                                                                          \
		return (uint32_t)(capacity);                                                       \
	}

/* WASMVEC_CAPACITY(id) is buffer id's capacity in elements. */
#define WASMVEC_CAPACITY(id) ((uint32_t)(sizeof(id) / sizeof((id)[0])))

/*
 * WASMVEC_KERNEL("name") before a function definition exports it as
 * kernel "name". Parameters and result: int32_t/uint32_t, int64_t/uint64_t,
 * float or double; at most one result.
 */
#define WASMVEC_KERNEL(name) __attribute__((export_name(name)))

/*
 * wasmvec_fail writes msg and a newline to stderr, then traps: the host's
 * error carries the text (host.Trap.Stderr) when the call fails.
 */
__attribute__((noreturn)) static inline void wasmvec_fail(const char *msg)
{
	(void)!write(2, msg, strlen(msg));
	(void)!write(2, "\n", 1);
	__builtin_trap();
}

#define WASMVEC_STR2(x) #x
#define WASMVEC_STR(x) WASMVEC_STR2(x)

/*
 * WASMVEC_REQUIRE(cond) traps, saying which requirement failed and where,
 * unless cond holds: for a length past a capacity or an argument out of
 * range, which would otherwise read or write past a buffer.
 */
#define WASMVEC_REQUIRE(cond)                                                                       \
	do {                                                                                        \
		if (!(cond))                                                                        \
			wasmvec_fail(__FILE__ ":" WASMVEC_STR(__LINE__) ": requirement failed: " #cond); \
	} while (0)

#endif
