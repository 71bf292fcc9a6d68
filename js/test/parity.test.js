// The two hosts say the same things: every sentinel's text and every limit
// the JS package exports equal what the Go host writes
// (js/test/golden/parity.json, host/jsgolden_test.go TestJSGoldenParity).
import test from 'node:test';
import assert from 'node:assert/strict';
import * as wasmvec from '../src/index.js';
import { errorClasses } from '../src/errors.js';
import { golden } from './golden.js';

const parity = golden('parity.json');

/** Go sentinels with no JS class, and why. */
const goOnly = {
  ErrConcurrent: 'a JS instance is called from one thread: there is no Buffers to share between goroutines',
};

test("each JS error class that has a sentinel of its own carries the Go sentinel's text", () => {
  const seen = new Set();
  for (const [name, cls] of Object.entries(errorClasses)) {
    if (!Object.hasOwn(cls, 'sentinel') || cls.sentinel === '') continue; // a finer kind of its parent's, or the base
    assert.ok(cls.sentinel in parity.sentinels, `${name}: no Go sentinel ${cls.sentinel}`);
    assert.equal(cls.text, parity.sentinels[cls.sentinel], `${name} (${cls.sentinel})`);
    seen.add(cls.sentinel);
  }
  for (const s of Object.keys(parity.sentinels)) {
    assert.ok(seen.has(s) || s in goOnly, `Go sentinel ${s} has no JS error class`);
  }
});

test("the limits the JS package exports are the Go host's", () => {
  /** @type {Record<string, number>} */
  const js = { ...wasmvec, BlockLen: wasmvec.vector.BlockLen };
  for (const [name, value] of Object.entries(parity.limits)) {
    assert.equal(js[name], value, name);
  }
});
