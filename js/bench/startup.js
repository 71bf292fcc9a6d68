// Start-up costs in Node: compile, an in-thread load, a Worker-hosted load
// (compute Worker start included), and threaded loads, each the median of
// ten, ms; a Markdown table on standard output (docs/browser.md).
//
//	node bench/startup.js
import { compile, loadWorker } from '../src/index.js';

const root = new URL('../../', import.meta.url);
const median = (/** @type {number[]} */ xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
/** @param {() => Promise<unknown>} f */
async function ms(f) {
  const ts = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    await f();
    ts.push(performance.now() - t0);
  }
  return median(ts).toFixed(1);
}

const rows = [];
for (const path of ['guests/rust.wasm', 'guests/rust-threads.wasm', 'examples/rayon/rayon.wasm', 'examples/rayon/rayon-single.wasm']) {
  const url = new URL(path, root);
  const m = await compile(url);
  const c = await ms(() => compile(url));
  const here = m.threaded ? '–' : await ms(async () => (await m.instantiate()).close());
  const w1 = await ms(async () => (await loadWorker(m, { threads: 1 })).close());
  const w2 = m.threaded ? await ms(async () => (await loadWorker(m, { threads: 2 })).close()) : '–';
  rows.push(`| ${path} (${(m.bytes.length / 1024).toFixed(0)} KiB) | ${c} | ${here} | ${w1} | ${w2} |`);
}
console.log('| guest | compile | instantiate in this thread | loadWorker, 1 thread | loadWorker, 2 threads |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
