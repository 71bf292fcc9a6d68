/*
 * wasmvec example guest in C: the `mykernels` world of ../wit/mykernels.wit,
 * written with the kit's header (kit/c/wasmvec_guest.h): the contract is the
 * export names, so a C guest needs no generated glue. Built by
 * ./build.sh examples:
 *
 *   clang-19 --target=wasm32-wasi -O3 -ffp-contract=off -I../../../kit/c -Wall -Wextra -Werror -c mykernels.c
 *   clang-19 --target=wasm32-wasi -mexec-model=reactor -Wl,--strip-all -o ../mykernels-c.wasm mykernels.o
 * (linked without -O, so clang does not run binaryen's wasm-opt when it is installed).
 *
 * -ffp-contract=off: a*x + y stays a rounded product and a rounded add.
 */
#include <math.h>

#include "wasmvec_guest.h"

WASMVEC_BUFFER(f32, x, "x", 65536)
WASMVEC_BUFFER(f32, y, "y", 65536)
WASMVEC_BUFFER(f64, samples, "samples", 65536)
WASMVEC_BUFFER(i32, counts, "counts", 1024)

WASMVEC_KERNEL("axpy") void axpy(float a, uint32_t len) {
	WASMVEC_REQUIRE(len <= WASMVEC_CAPACITY(x));
	for (uint32_t i = 0; i < len; i++)
		y[i] = a * x[i] + y[i];
}

WASMVEC_KERNEL("histogram") uint32_t histogram(uint32_t len, double lo, double hi, uint32_t bins) {
	WASMVEC_REQUIRE(len <= WASMVEC_CAPACITY(samples));
	WASMVEC_REQUIRE(bins > 0 && bins <= WASMVEC_CAPACITY(counts));
	WASMVEC_REQUIRE(isfinite(lo) && isfinite(hi) && lo < hi);
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
