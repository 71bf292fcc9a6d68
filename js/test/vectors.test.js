// Every vector guest, bit-exact against the results the Go side writes
// (js/test/golden/vectors.json, from package kernels).
import test from 'node:test';
import assert from 'node:assert/strict';
import { load, loadWorker, vector } from '../src/index.js';
import { bitsHex, f64s, fnv, golden, root } from './golden.js';

const cases = golden('vectors.json');

/**
 * same is the Go tests' vectors.Same: the bits are equal, or both are NaN (a NaN's payload may
 * differ between implementations, and postMessage may make it canonical).
 * @param {number} got @param {string} want hex bits
 */
function same(got, want) {
  const w = new DataView(new ArrayBuffer(8));
  w.setBigUint64(0, BigInt('0x' + want), true);
  return bitsHex(got) === want || (Number.isNaN(got) && Number.isNaN(w.getFloat64(0, true)));
}
const tile = (/** @type {Float64Array} */ x, /** @type {number} */ r) => {
  const out = new Float64Array(x.length * r);
  for (let i = 0; i < r; i++) out.set(x, i * x.length);
  return out;
};

for (const g of ['rust', 'c', 'go', 'tinygo']) {
  test(`vector guest ${g}: sum, dot, mul, scale bit-exact with Go`, async () => {
    const inst = await load(new URL(`guests/${g}.wasm`, root));
    for (const simd of [false, true]) {
      for (const c of cases) {
        const x = tile(f64s(c.x), c.repeat),
          y = tile(f64s(c.y), c.repeat);
        const at = `${g} simd=${simd} ${c.kind} n=${c.n}×${c.repeat}`;
        assert.ok(same(vector.sum(inst, x, { simd }), c.sum), `sum ${at}`);
        assert.ok(same(vector.dot(inst, x, y, { simd }), c.dot), `dot ${at}`);
        assert.equal(fnv(vector.mul(inst, x, y, { simd })), c.mul, `mul ${at}`);
        assert.equal(fnv(vector.scale(inst, x, c.s, { simd })), c.scale, `scale ${at}`);
      }
    }
    await inst.close();
  });
}

for (const threads of [1, 2]) {
  test(`vector guest rust-threads at ${threads} thread(s), in a Worker: bit-exact with Go`, { timeout: 120_000 }, async () => {
    const inst = await loadWorker(new URL('guests/rust-threads.wasm', root), { threads });
    for (const simd of [false, true]) {
      for (const c of cases) {
        const x = tile(f64s(c.x), c.repeat),
          y = tile(f64s(c.y), c.repeat);
        const at = `rust-threads/${threads} simd=${simd} ${c.kind} n=${c.n}×${c.repeat}`;
        const [s, d, m, k] = await Promise.all([
          inst.run({ vector: ['sum', [x], { simd }] }),
          inst.run({ vector: ['dot', [x, y], { simd }] }),
          inst.run({ vector: ['mul', [x, y], { simd }] }),
          inst.run({ vector: ['scale', [x, c.s], { simd }] }),
        ]);
        assert.ok(same(s.result, c.sum), `sum ${at}`);
        assert.ok(same(d.result, c.dot), `dot ${at}`);
        assert.equal(fnv(m.result), c.mul, `mul ${at}`);
        assert.equal(fnv(k.result), c.scale, `scale ${at}`);
      }
    }
    await inst.close();
  });
}

test('vector functions refuse bad input before any guest code runs', async () => {
  const inst = await load(new URL('guests/rust.wasm', root));
  assert.throws(() => vector.dot(inst, [1, 2], [1]), { name: 'LengthError' });
  assert.throws(() => vector.mul(inst, [1, 2], [1]), { name: 'LengthError' });
  await inst.close();
  assert.throws(() => vector.sum(inst, [1]), { name: 'ClosedError' });
});
