// Every vector guest, bit-exact against the results the Go side writes
// (js/test/golden/vectors.json, from package kernels).
import test from 'node:test';
import assert from 'node:assert/strict';
import { load, vector } from '../src/index.js';
import { bitsHex, f64s, fnv, golden, root } from './golden.js';

const cases = golden('vectors.json');
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
        const x = tile(f64s(c.x), c.repeat), y = tile(f64s(c.y), c.repeat);
        const at = `${g} simd=${simd} ${c.kind} n=${c.n}×${c.repeat}`;
        assert.equal(bitsHex(vector.sum(inst, x, { simd })), c.sum, `sum ${at}`);
        assert.equal(bitsHex(vector.dot(inst, x, y, { simd })), c.dot, `dot ${at}`);
        assert.equal(fnv(vector.mul(inst, x, y, { simd })), c.mul, `mul ${at}`);
        assert.equal(fnv(vector.scale(inst, x, c.s, { simd })), c.scale, `scale ${at}`);
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
