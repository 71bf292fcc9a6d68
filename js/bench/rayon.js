// The Rayon rows of bench/out/rayon.md, measured from JavaScript: the same
// module, sizes and thread counts as examples/rayon's BenchmarkALMA,
// BenchmarkGrayScott and BenchmarkMesh, printed in Go's benchmark format so that benchstat
// and benchreport read them beside the Go host's rows. The same code runs in
// Node and in a page (bench/page.html).
import { loadWorker } from '../src/index.js';
import { gsInit, seriesValue } from '../test/workloads.js';

/** ALMA sizes: series, parameter sets, length (BenchmarkALMA's). */
export const almaSizes = [
  [4, 4, 8192],
  [16, 16, 4096],
  [64, 16, 16384],
];
/** Mesh grids (BenchmarkMesh's): a gyroid-like field's isosurface at 0, chunks of 16 cells. */
export const meshSizes = [64, 128];

/**
 * gyroid is BenchmarkMesh's field, sin(kx)·cos(ky) + sin(ky)·cos(kz) + sin(kz)·cos(kx), k = 2π/32
 * (for timing: Math.sin may differ from Go's math.Sin in the last bit, and the mesh by a few cells).
 * @param {number} n
 */
function gyroid(n) {
  const v = new Float64Array(n * n * n),
    k = (2 * Math.PI) / 32;
  for (let i = 0; i < v.length; i++) {
    const [x, y, z] = [(i % n) * k, (Math.floor(i / n) % n) * k, Math.floor(i / (n * n)) * k];
    v[i] = Math.sin(x) * Math.cos(y) + Math.sin(y) * Math.cos(z) + Math.sin(z) * Math.cos(x);
  }
  return v;
}

/** Gray–Scott grids (BenchmarkGrayScott's), two steps per op. */
export const gsSizes = [32, 64, 128];
const gsSteps = 2;

/**
 * weights returns the ALMA weights of one parameter set, for timing only (the bit-exact tests
 * use the Go host's: Math.exp may differ in the last bit).
 * @param {number} period @param {number} offset @param {number} sigma
 */
function weights(period, offset, sigma) {
  const m = offset * (period - 1),
    s = period / sigma,
    w = new Float64Array(period);
  for (let i = 0; i < period; i++) w[i] = Math.exp(-((i - m) ** 2) / (2 * s * s));
  return w;
}

/**
 * @typedef {{cpuNs: number, steal: number, total: number}} Reading
 * A probe's reading (bench/probe.js): CPU time consumed so far by what runs the guest, in ns, and
 * the machine's steal and total CPU time, in clock ticks.
 */

/**
 * time runs op once to warm up, then until at least ms milliseconds have passed; it returns the
 * ns per op, the count, and, with a probe, the CPU ns per op and the machine's steal time as a
 * percentage of its CPU time over the timed runs.
 * @param {() => Promise<unknown>} op @param {number} ms
 * @param {(() => Reading | Promise<Reading>) | undefined} probe
 */
async function time(op, ms, probe) {
  await op();
  let n = 0;
  const p0 = await probe?.();
  const t0 = performance.now();
  do {
    await op();
    n++;
  } while (performance.now() - t0 < ms);
  const t1 = performance.now();
  const p1 = await probe?.();
  let extra = '';
  if (p0 && p1) {
    extra = `\t${((p1.cpuNs - p0.cpuNs) / n).toFixed(0)} cpu-ns/op`;
    if (p1.total > p0.total) extra += `\t${((100 * (p1.steal - p0.steal)) / (p1.total - p0.total)).toFixed(3)} steal-%`;
  }
  return { ns: ((t1 - t0) * 1e6) / n, n, extra };
}

/**
 * benchRayon measures every row once and returns the lines, Go benchmark format.
 * @param {URL | string} wasm the Rayon guest
 * @param {string} impl the impl= key, e.g. node-wasm-rayon
 * @param {{ms?: number, threads?: number[], largest?: boolean, probe?: () => Reading | Promise<Reading>}} [o]
 *   time per row (default 300 ms), thread counts (default 1, 2, 4), only the largest size of each
 *   workload, and what reads the CPU time and steal time (bench/probe.js; without it, wall time only)
 * @returns {Promise<string[]>}
 */
export async function benchRayon(wasm, impl, o = {}) {
  const ms = o.ms ?? 300,
    lines = [];
  for (const threads of o.threads ?? [1, 2, 4]) {
    const g = await loadWorker(wasm, { threads, name: 'rayon' });
    for (const [S, P, L] of o.largest ? almaSizes.slice(-1) : almaSizes) {
      const xs = new Float64Array(S * L);
      for (let s = 0; s < S; s++) for (let i = 0; i < L; i++) xs[s * L + i] = seriesValue(s, i);
      const periods = Int32Array.from({ length: P }, (_, i) => 8 + 4 * i);
      const ws = [...periods].flatMap((p) => [...weights(p, 0.85, 6)]);
      await g.run({
        write: [
          ['series', xs],
          ['periods', periods],
          ['weights', ws],
        ],
      });
      const r = await time(() => g.run({ call: ['alma', [S, L, P]] }), ms, o.probe);
      lines.push(
        `BenchmarkALMA/impl=${impl}/threads=${threads}/series=${S}/params=${P}/len=${L}-2\t${r.n}\t${r.ns.toFixed(0)} ns/op\t${(r.ns / (S * P * L)).toFixed(3)} ns/point${r.extra}`,
      );
    }
    for (const n of o.largest ? gsSizes.slice(-1) : gsSizes) {
      const { u, v } = gsInit(n);
      await g.run({
        write: [
          ['u', u],
          ['v', v],
        ],
      });
      const r = await time(() => g.run({ call: ['gray-scott', [n, gsSteps, 0.16, 0.08, 0.035, 0.06, 1]] }), ms, o.probe);
      lines.push(
        `BenchmarkGrayScott/impl=${impl}/threads=${threads}/n=${n}-2\t${r.n}\t${r.ns.toFixed(0)} ns/op\t${(r.ns / gsSteps).toFixed(0)} ns/step${r.extra}`,
      );
    }
    for (const n of o.largest ? meshSizes.slice(-1) : meshSizes) {
      await g.run({ write: [['v', gyroid(n)]] });
      const r = await time(() => g.run({ call: ['mesh', [n, 0, 16]] }), ms, o.probe);
      const counts = /** @type {Int32Array} */ ((await g.run({ read: [['counts', 4]] })).read[0]);
      lines.push(
        `BenchmarkMesh/impl=${impl}/threads=${threads}/n=${n}-2\t${r.n}\t${r.ns.toFixed(0)} ns/op\t${counts[1] / 3} triangles/op${r.extra}`,
      );
    }
    await g.close();
  }
  return lines;
}
