/*
 * wasmvec kernels in portable C, in the canonical order of operations
 * (wit/vector.wit; BLOCK = 4096 elements, 16 lanes, a pairwise tree per
 * block). One source serves two builds:
 *   - the C guest (wasm/c/guest.c includes this file; clang --target=wasm32-wasi),
 *   - the native baseline (this package, internal/cnative, through cgo).
 * so that their ratio measures WebAssembly itself.
 *
 * Build with -ffp-contract=off: a fused multiply-add would change dot's bits.
 * The scalar functions are meant to stay scalar (build with
 * -fno-vectorize -fno-slp-vectorize or -fno-tree-vectorize); the _simd ones
 * use GCC/Clang vector extensions, 8 accumulators of 2 f64 lanes, which
 * lower to wasm simd128 or to SSE2/AVX natively. Both give the same bits:
 * accumulator k holds lanes 2k and 2k+1.
 *
 * WV_API sets the linkage (the cgo build makes everything static).
 */
#include <stddef.h>
#include <string.h>

/* No fused multiply-add, whatever the command line says: clang honours the
 * standard pragma; GCC does not implement it, but contracts nothing in ISO C
 * mode (-std=c11), which the cgo build uses (cgo rejects -ffp-contract). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__) && !defined(__STRICT_ANSI__)
#error "build with -std=c11 (ISO C) so that GCC does not contract a*b+c into an FMA"
#endif

#ifndef WV_API
#define WV_API
#endif

#define WV_BLOCK 4096
#define WV_LANES 16

typedef double wv_f64x2 __attribute__((vector_size(16)));

static inline wv_f64x2 wv_load2(const double *p) {
	wv_f64x2 v;
	memcpy(&v, p, sizeof v); /* unaligned load: v128.load / movupd */
	return v;
}

static inline void wv_store2(double *p, wv_f64x2 v) { memcpy(p, &v, sizeof v); }

/* for w in 8, 4, 2, 1: for j < w: l[j] = l[j] + l[j+w] */
static inline double wv_tree(double l[WV_LANES]) {
	for (int w = WV_LANES / 2; w > 0; w /= 2)
		for (int j = 0; j < w; j++)
			l[j] = l[j] + l[j + w];
	return l[0];
}

/* fold(acc, x[0..n)) with p[i] = x[i] (y == NULL) or x[i]*y[i]. */
static inline double wv_fold(double acc, const double *x, const double *y, size_t n) {
	for (size_t s = 0; s < n; s += WV_BLOCK) {
		size_t e = n - s < WV_BLOCK ? n : s + WV_BLOCK;
		double l[WV_LANES];
		for (int j = 0; j < WV_LANES; j++)
			l[j] = -0.0;
		size_t i = s;
		if (y) {
			for (; i + WV_LANES <= e; i += WV_LANES)
				for (int j = 0; j < WV_LANES; j++)
					l[j] += x[i + j] * y[i + j];
			for (size_t j = i; j < e; j++)
				l[j - i] += x[j] * y[j];
		} else {
			for (; i + WV_LANES <= e; i += WV_LANES)
				for (int j = 0; j < WV_LANES; j++)
					l[j] += x[i + j];
			for (size_t j = i; j < e; j++)
				l[j - i] += x[j];
		}
		acc = acc + wv_tree(l);
	}
	return acc;
}

/* The dot loop's loads and accumulator updates, for the wasm build: the
 * order of operations is the same either way.
 *
 * Cranelift (Wasmtime's compiler) keeps loads where they are and places pure
 * arithmetic at its first use. In a row of the dot loop the only use of the
 * 8 updated accumulators is the loop's back edge, so all 16 loads of the row
 * come first, 16 loaded values and 8 accumulators are live at once in 16
 * xmm registers, and the accumulators go through the stack on every row. A
 * volatile store of each accumulator right after its update is an earlier
 * use that pins the multiply and add there, and volatile loads keep clang
 * from hoisting the loads above those stores: 2 loaded values live instead
 * of 16, no spills, at the price of 8 stores per row. The README ("What
 * it says") has the measurement. */
#if defined(__wasm__)
typedef double wv_f64x2u __attribute__((vector_size(16), aligned(8)));
#define WV_DOT_LOAD2(p) (*(const volatile wv_f64x2u *)(p))
#define WV_DOT_PIN(pin, k, v) ((pin)[k] = (v))
#else
#define WV_DOT_LOAD2(p) wv_load2(p)
#define WV_DOT_PIN(pin, k, v) ((void)(pin), (void)(v))
#endif

static inline double wv_fold_simd(double acc, const double *x, const double *y, size_t n) {
	for (size_t s = 0; s < n; s += WV_BLOCK) {
		size_t e = n - s < WV_BLOCK ? n : s + WV_BLOCK;
		wv_f64x2 v[WV_LANES / 2];
		for (int k = 0; k < WV_LANES / 2; k++)
			v[k] = (wv_f64x2){-0.0, -0.0};
		size_t i = s;
		if (y) {
			volatile wv_f64x2 pin[WV_LANES / 2];
			for (; i + WV_LANES <= e; i += WV_LANES)
				for (int k = 0; k < WV_LANES / 2; k++) {
					v[k] += WV_DOT_LOAD2(x + i + 2 * k) * WV_DOT_LOAD2(y + i + 2 * k);
					WV_DOT_PIN(pin, k, v[k]);
				}
		} else {
			for (; i + WV_LANES <= e; i += WV_LANES)
				for (int k = 0; k < WV_LANES / 2; k++)
					v[k] += wv_load2(x + i + 2 * k);
		}
		double l[WV_LANES];
		for (int k = 0; k < WV_LANES / 2; k++)
			wv_store2(l + 2 * k, v[k]); /* by value: v stays in registers */
		for (size_t j = i; j < e; j++)
			l[j - i] += y ? x[j] * y[j] : x[j];
		acc = acc + wv_tree(l);
	}
	return acc;
}

/* Continue a running sum: return fold(acc, x[0..n)). */
WV_API double wv_sum_fold(double acc, const double *x, size_t n) { return wv_fold(acc, x, NULL, n); }
WV_API double wv_sum_fold_simd(double acc, const double *x, size_t n) { return wv_fold_simd(acc, x, NULL, n); }

/* Continue a running dot product: return fold(acc, p[0..n)), p[i] = x[i]*y[i]. */
WV_API double wv_dot_fold(double acc, const double *x, const double *y, size_t n) { return wv_fold(acc, x, y, n); }
WV_API double wv_dot_fold_simd(double acc, const double *x, const double *y, size_t n) {
	return wv_fold_simd(acc, x, y, n);
}

/* for i < n: out[i] = x[i] * y[i] */
WV_API void wv_mul(double *out, const double *x, const double *y, size_t n) {
	for (size_t i = 0; i < n; i++)
		out[i] = x[i] * y[i];
}

WV_API void wv_mul_simd(double *out, const double *x, const double *y, size_t n) {
	size_t i = 0;
	for (; i + 2 <= n; i += 2)
		wv_store2(out + i, wv_load2(x + i) * wv_load2(y + i));
	if (i < n)
		out[i] = x[i] * y[i];
}

/* for i < n: out[i] = s * x[i] */
WV_API void wv_scale(double *out, double s, const double *x, size_t n) {
	for (size_t i = 0; i < n; i++)
		out[i] = s * x[i];
}

WV_API void wv_scale_simd(double *out, double s, const double *x, size_t n) {
	wv_f64x2 sv = {s, s};
	size_t i = 0;
	for (; i + 2 <= n; i += 2)
		wv_store2(out + i, sv * wv_load2(x + i));
	if (i < n)
		out[i] = s * x[i];
}
