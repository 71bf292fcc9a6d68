// node bench/run.js [node|chromium ...] [--ms 300] [--largest]: one round of
// the Rayon rows from Node and/or headless Chromium, on standard output in
// Go's benchmark format (./build.sh bench-rayon appends them to each round),
// with the CPU time per op of the processes that ran the guest (Node's own;
// Chromium's, all its processes) and the machine's steal time (probe.js).
import { benchRayon } from './rayon.js';
import { self, descendants } from './probe.js';

const args = process.argv.slice(2);
const i = args.indexOf('--ms');
const ms = i >= 0 ? Number(args[i + 1]) : 300;
const largest = args.includes('--largest');
const where = args.filter((a, k) => !a.startsWith('--') && args[k - 1] !== '--ms');
const wasm = new URL('../../examples/rayon/rayon.wasm', import.meta.url);

for (const w of where.length ? where : ['node', 'chromium']) {
  if (w === 'node') {
    for (const l of await benchRayon(wasm, 'node-wasm-rayon', { ms, largest, probe: self })) console.log(l);
  } else if (w === 'chromium') {
    const { launch } = await import('../test/browser/chromium.js');
    const { serve } = await import('../demo/server.js');
    const server = await serve({ isolation: true });
    const browser = await launch();
    try {
      const page = await browser.newPage();
      await page.exposeFunction('wasmvecProbe', descendants);
      await page.goto(`http://127.0.0.1:${/** @type {any} */ (server.address()).port}/js/bench/page.html`);
      await page.waitForFunction(() => document.title === 'ready');
      const lines = await page.evaluate(([t, l]) => /** @type {any} */ (globalThis).benchRayon(t, l), /** @type {const} */ ([ms, largest]));
      for (const l of lines) console.log(l);
    } finally {
      await browser.close();
      server.close();
    }
  } else {
    throw new Error(`bench/run.js: ${w}: want node or chromium`);
  }
}
