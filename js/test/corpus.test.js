// The hostile corpus (host/testdata/hostile) is a shared fixture: every
// module gets the same kind of error here as in the Go host (the Go side
// writes js/test/golden/corpus.json), and never a hang or a crash.
import test from 'node:test';
import assert from 'node:assert/strict';
import { errorClasses } from '../src/errors.js';
import { loadWorker } from '../src/index.js';
import { golden } from './golden.js';

/** The Go sentinel each class stands for (not its finer kinds, which inherit their parent's). */
const bySentinel = Object.fromEntries(
  Object.values(errorClasses)
    .filter((c) => c.sentinel && c.sentinel !== Object.getPrototypeOf(c).sentinel)
    .map((c) => [c.sentinel, c]),
);

// Where the two hosts must differ, and why. Go caps a guest's memory at its
// size after _initialize (memory.grow returns -1 from then on); JavaScript
// cannot stop a defined memory from growing, so its maximum is lowered to
// the memory limit (1 GiB = 16,384 pages) and the bomb ends there.
const divergent = /** @type {Record<string, string>} */ ({ 'memory-bomb.wat': '16384' });

const vectorCalls = /** @type {Record<string, [string, any[]]>} */ ({
  sum: ['sum', [[1, 2, 3, 4]]],
  'sum-simd': ['sum', [[1, 2, 3, 4]], { simd: true }],
  dot: [
    'dot',
    [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ],
  ],
  'dot-simd': [
    'dot',
    [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ],
    { simd: true },
  ],
  mul: [
    'mul',
    [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ],
  ],
  'mul-simd': [
    'mul',
    [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ],
    { simd: true },
  ],
  scale: ['scale', [[1, 2, 3, 4], 2]],
  'scale-simd': ['scale', [[1, 2, 3, 4], 2], { simd: true }],
  'sum-batch': ['sumBatch', [[1, 2, 3, 4], 2]],
  'dot-batch': ['dotBatch', [[1, 2, 3, 4], [5, 6, 7, 8], 2]],
});

/** @param {import('../src/remote.js').RemoteInstance} g @param {string} call */
async function callKernel(g, call) {
  if (call !== 'every kernel') {
    const v = vectorCalls[call];
    if (!v) throw new Error(`the corpus calls ${call}, which this test does not know`);
    return (await g.run({ vector: /** @type {any} */ (v) })).result;
  }
  let last;
  for (const [name, v] of Object.entries(vectorCalls)) {
    try {
      await g.run({ vector: /** @type {any} */ (v) });
      throw new Error(`${name} succeeded`);
    } catch (e) {
      if (!(e instanceof errorClasses.TrapError)) throw e;
      last = e;
    }
  }
  throw last;
}

// The memory bombs grow their memory one page at a time up to the JS
// default limit (16384 pages): 6-12 s on the 2-vCPU CI VM when quiet, past
// 20 s when it is busy. The timeout catches a hang, not a slow run.
for (const c of golden('corpus.json')) {
  test(`corpus ${c.file}: ${c.want}`, { timeout: 90_000 }, async () => {
    const opts = { name: c.file, threads: c.threads || undefined, timeout: c.timeoutMs || 0 };
    const started = performance.now();
    let err, result, g;
    try {
      g = await loadWorker(Buffer.from(c.wasm, 'base64'), opts);
      if (!c.call) assert.fail(`loaded; want ${c.want}`);
      result = await callKernel(g, c.call);
    } catch (e) {
      err = e;
    } finally {
      await g?.close();
    }
    if (c.want === 'nil') {
      assert.equal(err, undefined);
      assert.equal(String(result), divergent[c.file] ?? c.result);
      return;
    }
    const want = bySentinel[c.want];
    assert.ok(err instanceof want, `got ${err}; want a ${want.name} (Go: ${c.want})`);
    const e = /** @type {import('../src/errors.js').WasmvecError} */ (err);
    assert.equal(e.guest, c.file);
    if (c.export) assert.equal(e.export, c.export, e.message);
    if (c.stderr)
      assert.ok(
        /** @type {any} */ (e).stderr?.includes(c.stderr),
        `stderr ${JSON.stringify(/** @type {any} */ (e).stderr)} lacks ${c.stderr} (${e.message})`,
      );
    if (c.timeoutMs) assert.ok(performance.now() - started < c.timeoutMs + 5000, 'the deadline took too long');
  });
}
