/*
 * wasmvec example guest in C: the `mykernels` world of ../wit/mykernels.wit,
 * written with export_name attributes alone: the contract is the export
 * names, so a C guest needs no generated glue. Built by ./build.sh examples:
 *
 *   clang-19 --target=wasm32-wasi -O3 -ffp-contract=off -Wall -Wextra -Werror -c mykernels.c
 *   clang-19 --target=wasm32-wasi -mexec-model=reactor -Wl,--strip-all -o ../mykernels-c.wasm mykernels.o
 * (linked without -O, so clang does not run binaryen's wasm-opt when it is installed).
 *
 * -ffp-contract=off: a*x + y stays a rounded product and a rounded add.
 */
#include <math.h>
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name)))
#define CAP_XY 65536u
#define CAP_SAMPLES 65536u
#define CAP_COUNTS 1024u

static float x[CAP_XY], y[CAP_XY];
static double samples[CAP_SAMPLES];
static int32_t counts[CAP_COUNTS];

EXPORT("buffer-x-f32") uint32_t buffer_x(void) { return (uint32_t)(uintptr_t)x; }
EXPORT("capacity-x") uint32_t capacity_x(void) { return CAP_XY; }
EXPORT("buffer-y-f32") uint32_t buffer_y(void) { return (uint32_t)(uintptr_t)y; }
EXPORT("capacity-y") uint32_t capacity_y(void) { return CAP_XY; }
EXPORT("buffer-samples-f64") uint32_t buffer_samples(void) { return (uint32_t)(uintptr_t)samples; }
EXPORT("capacity-samples") uint32_t capacity_samples(void) { return CAP_SAMPLES; }
EXPORT("buffer-counts-i32") uint32_t buffer_counts(void) { return (uint32_t)(uintptr_t)counts; }
EXPORT("capacity-counts") uint32_t capacity_counts(void) { return CAP_COUNTS; }

EXPORT("axpy") void axpy(float a, uint32_t len) {
	if (len > CAP_XY)
		__builtin_trap();
	for (uint32_t i = 0; i < len; i++)
		y[i] = a * x[i] + y[i];
}

EXPORT("histogram") uint32_t histogram(uint32_t len, double lo, double hi, uint32_t bins) {
	if (len > CAP_SAMPLES || bins == 0 || bins > CAP_COUNTS || !isfinite(lo) || !isfinite(hi) || !(lo < hi))
		__builtin_trap();
	for (uint32_t b = 0; b < bins; b++)
		counts[b] = 0;
	uint32_t out = 0;
	for (uint32_t i = 0; i < len; i++) {
		double v = samples[i];
		if (!(v >= lo && v < hi)) {
			out++;
			continue;
		}
		uint32_t b = (uint32_t)((v - lo) / (hi - lo) * (double)bins);
		counts[b < bins ? b : bins - 1]++;
	}
	return out;
}
