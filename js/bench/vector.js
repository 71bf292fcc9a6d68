// One vector kernel call from JavaScript, in this thread: the Rust guest's
// sum-simd at n = 1 and n = 100,000, with the copy in (vector.sum) and on
// data written in place (a view, then the kernel), against a plain JS loop
// in the canonical order. Go benchmark format on standard output.
//
//	node bench/vector.js [--ms 300]
import { load, vector } from '../src/index.js';

const i = process.argv.indexOf('--ms');
const ms = i >= 0 ? Number(process.argv[i + 1]) : 300;
const inst = await load(new URL('../../guests/rust.wasm', import.meta.url));

/** canonical sum (wit/vector.wit): 16 lanes per block of 4096, tree, folded */
function jsSum(/** @type {Float64Array} */ x) {
  if (x.length === 0) return 0;
  const lane = new Float64Array(16);
  let acc = -0;
  for (let b = 0; b < x.length; b += 4096) {
    lane.fill(-0);
    const e = Math.min(b + 4096, x.length);
    for (let k = b; k < e; k++) lane[(k - b) & 15] += x[k];
    for (let w = 8; w >= 1; w >>= 1) for (let j = 0; j < w; j++) lane[j] = lane[j] + lane[j + w];
    acc = acc + lane[0];
  }
  return acc;
}

/** @param {string} name @param {() => unknown} f */
function bench(name, f) {
  for (let k = 0; k < 100; k++) f();
  let n = 0,
    batch = 1;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let k = 0; k < batch; k++) f();
    n += batch;
    batch = Math.min(batch * 2, 1 << 16);
  }
  console.log(`${name}-2\t${n}\t${(((performance.now() - t0) * 1e6) / n).toFixed(1)} ns/op`);
}

for (const n of [1, 100_000]) {
  const x = Float64Array.from({ length: n }, (_, k) => Math.sin(k));
  if (jsSum(x) !== vector.sum(inst, x, { simd: true })) throw new Error('the JS loop and the guest disagree');
  bench(`BenchmarkJSSum/impl=node-wasm-rust-simd/mode=copy/n=${n}`, () => vector.sum(inst, x, { simd: true }));
  inst.view('a').set(x);
  bench(`BenchmarkJSSum/impl=node-wasm-rust-simd/mode=inplace/n=${n}`, () => inst.call('sum-simd', n));
  bench(`BenchmarkJSSum/impl=node-js-loop/mode=inplace/n=${n}`, () => jsSum(x));
}
