// The demo page in real headless browsers: Chromium (playwright-core,
// Debian's chromium) and Firefox ESR (puppeteer-core over WebDriver BiDi,
// Debian's firefox-esr); see browsers.js. In each: the Gray–Scott and ALMA
// hashes equal the Go host's at 1 and 2 threads, a cold page starts
// threads, and without the isolation headers a threaded load fails with an
// error that names them while the pair of builds runs the single-thread
// build with the same hashes. Screenshots go to js/test-results/.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve } from '../../demo/server.js';
import { browsers } from './browsers.js';

const out = new URL('../../test-results/', import.meta.url);
fs.mkdirSync(out, { recursive: true });

const isolatedServer = await serve({ isolation: true });
const plainServer = await serve({ isolation: false });
const urlOf = (/** @type {import('node:http').Server} */ s) => `http://127.0.0.1:${/** @type {any} */ (s.address()).port}/js/demo/`;

test.after(() => {
  isolatedServer.close();
  plainServer.close();
});

for (const { name, launch } of browsers()) {
  test(`${name}`, { timeout: 600_000 }, async (t) => {
    const browser = await launch();
    t.after(() => browser.close());

    /** @param {string} url */
    async function openPage(url) {
      const page = await browser.newPage();
      await page.goto(url);
      await page.waitFor(() => document.getElementById('status')?.textContent !== '', null, 20_000);
      return page;
    }

    await t.test('cold page: the first threaded load starts its Workers and computes (2 threads)', async () => {
      const page = await openPage(urlOf(isolatedServer));
      const caps = await page.evaluate(async () => (await import('/js/src/index.js')).capabilities());
      assert.deepEqual(caps, { crossOriginIsolated: true, sharedArrayBuffer: true, sharedMemory: true, simd: true, threads: true });
      const r = await page.evaluate(() => /** @type {any} */ (globalThis).wasmvecDemo.verify(2, 0));
      assert.equal(r.threads, 2);
      assert.equal(r.hash, r.want, `Gray–Scott n=${r.n} on a cold page`);
      assert.deepEqual(page.errors, []);
      await page.close();
    });

    for (const threads of [1, 2]) {
      await t.test(`Gray–Scott and ALMA hashes equal the Go host's at ${threads} thread(s)`, async () => {
        const page = await openPage(urlOf(isolatedServer));
        assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);
        const gs = await page.evaluate((n) => /** @type {any} */ (globalThis).wasmvecDemo.verify(n, 2), threads);
        assert.equal(gs.threads, threads);
        assert.equal(gs.hash, gs.want, `Gray–Scott n=${gs.n}, ${gs.steps} steps`);
        const a = await page.evaluate((n) => /** @type {any} */ (globalThis).wasmvecDemo.alma(n), threads);
        assert.equal(a.hash, a.want, 'ALMA batch');
        console.log(`${name}, ${threads} thread(s): Gray–Scott n=${gs.n} ${gs.steps} steps in ${gs.ms.toFixed(0)} ms; ALMA ${a.ns.toFixed(2)} ns per output point`);
        // the viewer runs, and draws
        await page.evaluate(() => { /** @type {any} */ (document.getElementById('threads')).value = '2'; document.getElementById('start')?.click(); });
        await page.waitFor(() => Number(document.getElementById('steps')?.textContent) >= 200, null, 60_000);
        await page.evaluate(() => document.getElementById('stop')?.click());
        await page.evaluate(() => document.getElementById('verify')?.click());
        await page.waitFor(() => /equal|DIFFERENT/.test(document.getElementById('hash')?.textContent ?? ''), null, 60_000);
        assert.match(await page.text('#hash'), /equal/);
        await page.screenshot(new URL(`demo-${name}-${threads}.png`, out).pathname);
        assert.deepEqual(page.errors, []);
        await page.close();
      });
    }

    await t.test('without cross-origin isolation a threaded load fails at once, naming the two headers, and the pair runs the single-thread build with the same hashes', async () => {
      const page = await openPage(urlOf(plainServer));
      assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), false);
      const caps = await page.evaluate(async () => (await import('/js/src/index.js')).capabilities());
      assert.equal(caps.crossOriginIsolated, false);
      assert.equal(caps.threads, false, 'capabilities says a threaded guest cannot run here');
      assert.equal(caps.simd, true);
      const err = await page.evaluate(() => /** @type {any} */ (globalThis).wasmvecDemo.load(2).then(() => null, (/** @type {any} */ e) => ({ name: e.name, message: e.message })));
      assert.ok(err, 'the load succeeded');
      assert.equal(err.name, 'IsolationError');
      assert.match(err.message, /Cross-Origin-Opener-Policy: same-origin/);
      assert.match(err.message, /Cross-Origin-Embedder-Policy: require-corp/);
      // the pair of builds: the single-thread build runs here, with the Go host's hashes
      const gs = await page.evaluate(() => /** @type {any} */ (globalThis).wasmvecDemo.verify(2, 2));
      assert.equal(gs.threads, 1);
      assert.equal(gs.hash, gs.want, `Gray–Scott n=${gs.n}, ${gs.steps} steps, single-thread build`);
      const a = await page.evaluate(() => /** @type {any} */ (globalThis).wasmvecDemo.alma(1));
      assert.equal(a.hash, a.want, 'ALMA batch, single-thread build');
      assert.match(await page.text('#build'), /single-thread/);
      assert.match(await page.text('#buildReason'), /not cross-origin isolated/);
      console.log(`${name}, no isolation, single-thread build: Gray–Scott n=${gs.n} ${gs.steps} steps in ${gs.ms.toFixed(0)} ms; ALMA ${a.ns.toFixed(2)} ns per output point`);
      await page.screenshot(new URL(`no-isolation-${name}.png`, out).pathname);
      assert.deepEqual(page.errors, []);
      await page.close();
    });
  });
}
