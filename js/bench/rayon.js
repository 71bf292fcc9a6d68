// The Rayon rows of bench/out/rayon.md, measured from JavaScript: the same
// module, sizes and thread counts as examples/rayon's BenchmarkALMA and
// BenchmarkGrayScott, printed in Go's benchmark format so that benchstat
// and benchreport read them beside the Go host's rows. The same code runs in
// Node and in a page (bench/page.html).
import { loadWorker } from '../src/index.js';
import { gsInit, seriesValue } from '../test/workloads.js';

/** ALMA sizes: series, parameter sets, length (BenchmarkALMA's). */
export const almaSizes = [[4, 4, 8192], [16, 16, 4096], [64, 16, 16384]];
/** Gray–Scott grids (BenchmarkGrayScott's), two steps per op. */
export const gsSizes = [32, 64, 128];
const gsSteps = 2;

/**
 * weights returns the ALMA weights of one parameter set, for timing only (the bit-exact tests
 * use the Go host's: Math.exp may differ in the last bit).
 * @param {number} period @param {number} offset @param {number} sigma
 */
function weights(period, offset, sigma) {
  const m = offset * (period - 1), s = period / sigma, w = new Float64Array(period);
  for (let i = 0; i < period; i++) w[i] = Math.exp(-((i - m) ** 2) / (2 * s * s));
  return w;
}

/**
 * time runs op once to warm up, then until at least ms milliseconds have passed; it returns ns per op and the count.
 * @param {() => Promise<unknown>} op @param {number} ms
 */
async function time(op, ms) {
  await op();
  let n = 0;
  const t0 = performance.now();
  do { await op(); n++; } while (performance.now() - t0 < ms);
  return { ns: (performance.now() - t0) * 1e6 / n, n };
}

/**
 * benchRayon measures every row once and returns the lines, Go benchmark format.
 * @param {URL | string} wasm the Rayon guest
 * @param {string} impl the impl= key, e.g. node-wasm-rayon
 * @param {{ms?: number, threads?: number[]}} [o] time per row (default 300 ms), thread counts (default 1, 2)
 * @returns {Promise<string[]>}
 */
export async function benchRayon(wasm, impl, o = {}) {
  const ms = o.ms ?? 300, lines = [];
  for (const threads of o.threads ?? [1, 2]) {
    const g = await loadWorker(wasm, { threads, name: 'rayon' });
    for (const [S, P, L] of almaSizes) {
      const xs = new Float64Array(S * L);
      for (let s = 0; s < S; s++) for (let i = 0; i < L; i++) xs[s * L + i] = seriesValue(s, i);
      const periods = Int32Array.from({ length: P }, (_, i) => 8 + 4 * i);
      const ws = [...periods].flatMap((p) => [...weights(p, 0.85, 6)]);
      await g.run({ write: [['series', xs], ['periods', periods], ['weights', ws]] });
      const r = await time(() => g.run({ call: ['alma', [S, L, P]] }), ms);
      lines.push(`BenchmarkALMA/impl=${impl}/threads=${threads}/series=${S}/params=${P}/len=${L}-2\t${r.n}\t${r.ns.toFixed(0)} ns/op\t${(r.ns / (S * P * L)).toFixed(3)} ns/point`);
    }
    for (const n of gsSizes) {
      const { u, v } = gsInit(n);
      await g.run({ write: [['u', u], ['v', v]] });
      const r = await time(() => g.run({ call: ['gray-scott', [n, gsSteps, 0.16, 0.08, 0.035, 0.06, 1]] }), ms);
      lines.push(`BenchmarkGrayScott/impl=${impl}/threads=${threads}/n=${n}-2\t${r.n}\t${r.ns.toFixed(0)} ns/op\t${(r.ns / gsSteps).toFixed(0)} ns/step`);
    }
    await g.close();
  }
  return lines;
}
