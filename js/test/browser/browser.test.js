// The demo page in a real headless Chromium (playwright-core, Debian's
// chromium; CHROMIUM names another binary): the Gray–Scott and ALMA hashes
// equal the Go host's at 1 and 2 threads, a cold page starts threads, and
// without the isolation headers a threaded load fails with an error that
// names them. Screenshots go to js/test-results/.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { serve } from '../../demo/server.js';
import { launch } from './chromium.js';

const out = new URL('../../test-results/', import.meta.url);
fs.mkdirSync(out, { recursive: true });

const browser = await launch();
const isolatedServer = await serve({ isolation: true });
const plainServer = await serve({ isolation: false });
const urlOf = (/** @type {import('node:http').Server} */ s) => `http://127.0.0.1:${/** @type {any} */ (s.address()).port}/js/demo/`;

test.after(async () => {
  await browser.close();
  isolatedServer.close();
  plainServer.close();
});

/** @param {string} url */
async function openPage(url) {
  const page = await browser.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('status')?.textContent !== '', null, { timeout: 20_000 });
  return { page, errors };
}

test('cold page: the first threaded load starts its Workers and computes (2 threads)', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPage(urlOf(isolatedServer));
  const r = await page.evaluate(() => /** @type {any} */ (globalThis).wasmvecDemo.verify(2, 0));
  assert.equal(r.threads, 2);
  assert.equal(r.hash, r.want, `Gray–Scott n=${r.n} on a cold page`);
  assert.deepEqual(errors, []);
  await page.close();
});

for (const threads of [1, 2]) {
  test(`Gray–Scott and ALMA hashes equal the Go host's at ${threads} thread(s)`, { timeout: 120_000 }, async () => {
    const { page, errors } = await openPage(urlOf(isolatedServer));
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);
    const gs = await page.evaluate((t) => /** @type {any} */ (globalThis).wasmvecDemo.verify(t, 2), threads);
    assert.equal(gs.threads, threads);
    assert.equal(gs.hash, gs.want, `Gray–Scott n=${gs.n}, ${gs.steps} steps`);
    const a = await page.evaluate((t) => /** @type {any} */ (globalThis).wasmvecDemo.alma(t), threads);
    assert.equal(a.hash, a.want, 'ALMA batch');
    console.log(`chromium, ${threads} thread(s): Gray–Scott n=${gs.n} ${gs.steps} steps in ${gs.ms.toFixed(0)} ms; ALMA ${a.ns.toFixed(2)} ns per output point`);
    // the viewer runs, and draws
    await page.evaluate(() => { /** @type {any} */ (document.getElementById('threads')).value = '2'; document.getElementById('start')?.click(); });
    await page.waitForFunction(() => Number(document.getElementById('steps')?.textContent) >= 200, null, { timeout: 60_000 });
    await page.evaluate(() => document.getElementById('stop')?.click());
    await page.evaluate(() => document.getElementById('verify')?.click());
    await page.waitForFunction(() => /equal|DIFFERENT/.test(document.getElementById('hash')?.textContent ?? ''), null, { timeout: 60_000 });
    assert.match(await page.textContent('#hash') ?? '', /equal/);
    await page.screenshot({ path: new URL(`demo-${threads}.png`, out).pathname, fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('without cross-origin isolation a threaded load fails at once, naming the two headers', { timeout: 60_000 }, async () => {
  const { page } = await openPage(urlOf(plainServer));
  assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), false);
  const err = await page.evaluate(() => /** @type {any} */ (globalThis).wasmvecDemo.load(2).then(() => null, (e) => ({ name: e.name, message: e.message })));
  assert.ok(err, 'the load succeeded');
  assert.equal(err.name, 'IsolationError');
  assert.match(err.message, /Cross-Origin-Opener-Policy: same-origin/);
  assert.match(err.message, /Cross-Origin-Embedder-Policy: require-corp/);
  await page.screenshot({ path: new URL('no-isolation.png', out).pathname });
  await page.close();
});
