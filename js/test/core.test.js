// The in-thread core: the contract read the Go host's way, views, kernels
// by name with checked arguments, errors naming guest and export; the
// user's own kernels (examples/mykernels); a pool.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  CapacityError,
  ClosedError,
  DeadlineError,
  MissingExportError,
  ModuleError,
  OptionError,
  SignatureError,
  TrapError,
  Pool,
  compile,
  createPool,
  load,
  loadWorker,
} from '../src/index.js';
import { Output, fdWrite, pollOneoff } from '../src/wasi.js';
import { golden, root } from './golden.js';

const corpus = Object.fromEntries(golden('corpus.json').map((/** @type {any} */ c) => [c.file, Buffer.from(c.wasm, 'base64')]));

for (const lang of ['rust', 'c', 'go', 'tinygo']) {
  test(`examples/mykernels (${lang}): axpy and histogram against the reference loops`, async () => {
    const k = await load(new URL(`examples/mykernels/mykernels-${lang}.wasm`, root));
    assert.deepEqual(k.module.kernels.map((x) => x.name).sort(), ['axpy', 'histogram']);
    const n = 1000,
      x = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) * 3)),
      y = Float32Array.from({ length: n }, (_, i) => Math.fround(i / 7));
    k.write('x', x);
    k.write('y', y);
    k.call('axpy', 2.5, n);
    const want = y.map((v, i) => Math.fround(Math.fround(Math.fround(2.5) * x[i]) + v));
    assert.deepEqual(k.read('y', n), want);
    const samples = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i * 0.37) * 10);
    k.write('samples', samples);
    const bins = 16,
      lo = -10,
      hi = 10;
    samples[3] = NaN;
    samples[4] = 10;
    samples[5] = -10.5;
    k.write('samples', samples);
    const out = k.call('histogram', samples.length, lo, hi, bins);
    // the reference loop (examples/mykernels/mykernels.go, Histogram)
    const wantCounts = new Int32Array(bins);
    let wantOut = 0;
    for (const v of samples) {
      if (!(v >= lo && v < hi)) {
        wantOut++;
        continue;
      }
      wantCounts[Math.min(Math.floor(((v - lo) / (hi - lo)) * bins), bins - 1)]++;
    }
    assert.equal(out >>> 0, wantOut);
    assert.deepEqual(k.read('counts', bins), wantCounts);
    await k.close();
    assert.throws(() => k.call('axpy', 1, 1), ClosedError);
  });
}

test('kernels are called by name with checked arguments; errors name the guest, the export and what it has', async () => {
  const k = await load(new URL('examples/mykernels/mykernels-c.wasm', root), { name: 'mine' });
  assert.throws(
    () => k.call('nope'),
    (e) => e instanceof MissingExportError && e.guest === 'mine' && e.export === 'nope' && /axpy, histogram/.test(e.message),
  );
  assert.throws(
    () => k.call('_initialize'),
    (e) => e instanceof MissingExportError && /reserved/.test(e.message),
  );
  assert.throws(() => k.call('axpy', 1), SignatureError); // one argument of two
  assert.throws(() => k.call('axpy', 1, 2.5), SignatureError); // an f64 into an i32
  assert.throws(() => k.call('axpy', 1, 2 ** 32), SignatureError);
  assert.throws(() => k.call('axpy', 1, /** @type {any} */ ('3')), SignatureError);
  assert.throws(() => k.write('x', new Float32Array(k.buffer('x').capacity + 1)), CapacityError);
  assert.throws(() => k.read('x', 4, -1), CapacityError);
  assert.throws(
    () => k.view('nothing'),
    (e) => e instanceof MissingExportError && /x, y, samples, counts/.test(e.message),
  );
  const v = k.view('x');
  assert.ok(v instanceof Float32Array && v.length === k.buffer('x').capacity);
  await k.close();
});

test('views stay valid after the guest grows its memory: they are derived again', async () => {
  const m = await compile(corpus['memory-bomb.wat'], { name: 'grows' });
  const inst = await m.instantiate({ memoryLimit: 64 << 20 });
  const before = inst.view('a');
  before[0] = 42;
  assert.equal(inst.call('sum', 0), 1024); // memory.grow until the 64 MiB limit: 1024 pages
  assert.equal(before.length, 0, 'the old view is detached by the grow');
  const after = inst.view('a');
  assert.equal(after.length, 16);
  assert.equal(after[0], 42);
  await inst.close();
});

test('options are checked as in the Go host', async () => {
  const m = await compile(new URL('guests/rust.wasm', root));
  await assert.rejects(m.instantiate({ threads: 2 }), OptionError);
  await assert.rejects(m.instantiate({ memoryLimit: 100 }), OptionError);
  await assert.rejects(m.instantiate({ timeout: 10 }), OptionError); // needs a Worker
  const t = await compile(new URL('examples/rayon/rayon.wasm', root));
  await assert.rejects(t.instantiate({ threads: 1 }), OptionError); // a threaded guest needs a Worker
  await assert.rejects(loadWorker(t, { threads: 65 }), OptionError);
});

test('a pool of Worker-hosted instances: concurrent jobs, the same bits, a timed-out instance replaced', { timeout: 60_000 }, async () => {
  const pool = await createPool(new URL('guests/rust.wasm', root), { size: 2 });
  const xs = Array.from({ length: 8 }, (_, j) => Float64Array.from({ length: 5000 + j }, (_, i) => Math.sin(i + j)));
  const one = await load(new URL('guests/rust.wasm', root));
  const { sum } = await import('../src/vector.js');
  const got = await Promise.all(xs.map((x) => pool.run({ vector: ['sum', [x], { simd: true }] })));
  got.forEach((r, j) => assert.equal(r.result, sum(one, xs[j])));
  const loop = await pool.run({ write: [] }); // an empty job
  assert.deepEqual(loop.read, []);
  const hostile = await createPool(corpus['infinite-loop-in-kernel.wat'], { size: 1, name: 'loop' });
  await assert.rejects(hostile.run({ vector: ['sum', [[1]]] }, { timeout: 50 }), DeadlineError);
  await assert.rejects(hostile.run({ vector: ['sum', [[1]]] }, { timeout: 50 }), DeadlineError); // a new instance, timed out again
  await hostile.close();
  await pool.close();
  await assert.rejects(pool.run({}), ClosedError);
});

test(
  "timeouts mean what they say: 0 or absent per call is the instance's; Infinity, NaN, negatives and past 2^31 - 1 ms are OptionError",
  { timeout: 60_000 },
  async () => {
    const src = corpus['infinite-loop-in-kernel.wat'];
    for (const timeout of [-1, NaN, Infinity, 2 ** 31, 30 * 864e5, '50']) {
      await assert.rejects(
        loadWorker(src, { name: 'loop', timeout: /** @type {any} */ (timeout) }),
        OptionError,
        `instance timeout ${String(timeout)}`,
      );
    }
    const r = await loadWorker(src, { name: 'loop', timeout: 100 });
    for (const timeout of [-1, NaN, Infinity, 2 ** 31, 30 * 864e5, '50']) {
      await assert.rejects(
        r.run({ vector: ['sum', [[1]]] }, { timeout: /** @type {any} */ (timeout) }),
        OptionError,
        `call timeout ${String(timeout)}`,
      );
    }
    const start = Date.now();
    await assert.rejects(r.run({ vector: ['sum', [[1]]] }, { timeout: 0 }), DeadlineError); // the instance's 100 ms
    assert.ok(Date.now() - start >= 90, `a per-call timeout of 0 is the instance's: ended after ${Date.now() - start} ms`);
    await r.close();
  },
);

test(
  'a pool never hangs: sizes that are not whole numbers from 1 are OptionError; with no member left, jobs reject with the cause',
  { timeout: 60_000 },
  async () => {
    for (const size of [0, -1, 1.5, NaN, 1e6]) {
      await assert.rejects(createPool(new URL('guests/rust.wasm', root), { size }), OptionError, `size ${size}`);
    }
    // one member, and options its replacements cannot load with (threads 2 of a guest that is not
    // threaded: OptionError)
    const m = await compile(corpus['infinite-loop-in-kernel.wat'], { name: 'loop' });
    const pool = new Pool(m, { threads: 2 }, [await loadWorker(m)]);
    await assert.rejects(pool.run({ vector: ['sum', [[1]]] }, { timeout: 50 }), DeadlineError);
    for (let i = 0; i < 2; i++) {
      const late = await Promise.race([
        pool.run({ vector: ['sum', [[1]]] }).then(
          () => 'ran',
          (e) => e,
        ),
        new Promise((resolve) => setTimeout(() => resolve('hung'), 5000)),
      ]);
      assert.ok(
        late instanceof ClosedError && /replacement failed to load/.test(late.message),
        `job ${i} after the last member was lost: ${late}`,
      );
    }
    await pool.close();
  },
);

test(
  'one call shape, or a typed error that says which: Instance.call spreads, RemoteInstance.call takes an array, the vector functions take an Instance; i64 arguments past 64 bits are refused',
  { timeout: 60_000 },
  async () => {
    // (module (memory (export "memory") 1) (func (export "id") (param i64) (result i64) local.get 0))
    const idWasm = Uint8Array.from([
      0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 6, 1, 0x60, 1, 0x7e, 1, 0x7e, 3, 2, 1, 0, 5, 3, 1, 0, 1, 7, 0x0f, 2, 6, 0x6d, 0x65, 0x6d, 0x6f,
      0x72, 0x79, 2, 0, 2, 0x69, 0x64, 0, 0, 0x0a, 6, 1, 4, 0, 0x20, 0, 0x0b,
    ]);
    const k = await load(idWasm, { name: 'id' });
    assert.equal(k.call('id', 2n ** 64n - 1n), -1n); // u64 max: the same 64 bits
    assert.equal(k.call('id', -(2n ** 63n)), -(2n ** 63n));
    for (const a of [2n ** 64n, -(2n ** 63n) - 1n, 2n ** 100n]) assert.throws(() => k.call('id', a), SignatureError, `i64 argument ${a}`);
    const v = await load(new URL('guests/rust.wasm', root));
    assert.throws(() => v.call('sum', [3]), /spread/);
    const r = await loadWorker(new URL('guests/rust.wasm', root));
    await assert.rejects(r.call('sum', /** @type {any} */ (3)), /one array/);
    assert.equal(await r.call('sum', [0]), 0);
    const { sum } = await import('../src/vector.js');
    assert.throws(
      () => sum(/** @type {any} */ (r), [1, 2]),
      (e) => e instanceof OptionError && /run\(\{ vector/.test(e.message),
    );
    assert.throws(() => sum(/** @type {any} */ (null), [1, 2]), OptionError);
    await r.close();
  },
);

test('careless writes and arguments are typed errors, checked before any copy', { timeout: 60_000 }, async () => {
  const v = await load(new URL('guests/rust.wasm', root));
  const { sum, mul } = await import('../src/vector.js');
  for (const data of [5, 'abc', { length: 2 }, null, new DataView(new ArrayBuffer(8))]) {
    assert.throws(() => v.write('a', /** @type {any} */ (data)), SignatureError, `write(${String(data)})`);
  }
  assert.throws(() => v.write('a', /** @type {any} */ (['1', 2])), SignatureError);
  assert.throws(() => v.write('a', /** @type {any} */ ([1n])), SignatureError);
  v.write('a', [1.5, 2 ** 40, NaN]); // any number into an f64 buffer
  assert.deepEqual([...v.read('a', 3)], [1.5, 2 ** 40, NaN]);
  const c = await load(new URL('examples/mykernels/mykernels-c.wasm', root));
  const i32 = c.layout.find((/** @type {any} */ b) => b.type === 'i32');
  if (i32) {
    for (const bad of [[1.5], [2 ** 40], [-(2 ** 31) - 1], new Float64Array([0.5])]) {
      assert.throws(() => c.write(i32.name, /** @type {any} */ (bad)), SignatureError, `i32 ${bad}`);
    }
    c.write(i32.name, [-(2 ** 31), 2 ** 32 - 1, 7]);
    c.write(i32.name, new Int32Array([1, 2]));
  }
  assert.throws(() => sum(v, /** @type {any} */ (['1', '2'])), SignatureError);
  assert.throws(() => sum(v, /** @type {any} */ (null)), SignatureError);
  assert.throws(() => mul(v, [1], /** @type {any} */ ([{}])), SignatureError);
  assert.equal(sum(v, [1, 2]), 3);
  const r = await loadWorker(new URL('guests/rust.wasm', root));
  const cap = r.layout.find((/** @type {any} */ b) => b.name === 'a').capacity;
  await assert.rejects(r.write('a', new Float64Array(cap + 1)), CapacityError); // refused here, not cloned first
  await assert.rejects(r.write('a', /** @type {any} */ (['x'])), SignatureError);
  await assert.rejects(r.run({ call: ['sum', [() => 0]] }), OptionError); // a function cannot be cloned
  await assert.rejects(compile(new URL('file:///nonexistent/guest.wasm')), ModuleError);
  await r.close();
});

test('names and text from a module are escaped in messages, as the Go host escapes them', async () => {
  const v = await load(new URL('guests/rust.wasm', root), { name: 'evil\u001b[2J\u202e\u0000' });
  for (const name of ['x\u0000y', 'x\u001b[31my', 'x\ny', 'x\u202ey']) {
    const e = /** @type {Error} */ (
      await Promise.resolve()
        .then(() => v.call(name))
        .catch((err) => err)
    );
    assert.ok(e instanceof MissingExportError, String(e));
    // eslint-disable-next-line no-control-regex -- the controls a message must not carry
    assert.ok(!/[\u0000\u001b\u202e]/.test(e.message) && !e.message.includes('x\ny'), JSON.stringify(e.message));
  }
  const { withStderr } = await import('../src/errors.js');
  assert.equal(withStderr('line 1\nwasmvec: forged\n', 'trap'), 'guest stderr:\n  | line 1\n  | wasmvec: forged\ntrap');
});

test("the guests shipped with the package (wasmvec/guests/*) are the repository's, byte for byte", async () => {
  const { readFile } = await import('node:fs/promises');
  for (const [shipped, original] of [
    ['rust.wasm', 'guests/rust.wasm'],
    ['rayon.wasm', 'examples/rayon/rayon.wasm'],
    ['rayon-single.wasm', 'examples/rayon/rayon-single.wasm'],
  ]) {
    const a = await readFile(new URL(import.meta.resolve(`wasmvec/guests/${shipped}`)));
    const b = await readFile(new URL(original, root));
    assert.ok(a.equals(b), `js/guests/${shipped} differs from ${original}: run ./build.sh examples (or rust)`);
  }
});

test('capabilities: Node offers threads, shared memory and simd128, checked before any guest loads', async () => {
  const { capabilities } = await import('../src/index.js');
  assert.deepEqual(capabilities(), { crossOriginIsolated: true, sharedArrayBuffer: true, sharedMemory: true, simd: true, threads: true });
});

test('runtime exports (names that begin with "__") are no kernels, as in the Go host', async () => {
  const { isReserved } = await import('../src/contract.js');
  for (const name of ['__main_void', '__wasm_call_ctors', '_initialize', 'cabi_realloc', 'buffer-a-f64']) {
    assert.ok(isReserved(name), name);
  }
  for (const name of ['sum', 'my__kernel', '_x']) assert.ok(!isReserved(name), name);
});

test('poll_oneoff never blocks: every subscription answered at once with ENOTSUP, as in the Go host', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const v = new DataView(memory.buffer);
  v.setBigUint64(0, 0x1122334455667788n, true);
  v.setUint8(8, 0); // clock
  v.setBigUint64(24, 3600n * 10n ** 9n, true); // an hour
  v.setBigUint64(48, 7n, true);
  v.setUint8(56, 1); // fd_read
  v.setUint32(200, 0xffffffff, true); // garbage the event must not keep
  assert.equal(pollOneoff(memory, 0, 192, 2, 300), 0);
  assert.equal(v.getUint32(300, true), 2);
  assert.equal(v.getBigUint64(192, true), 0x1122334455667788n);
  assert.deepEqual([v.getUint16(200, true), v.getUint8(202), v.getUint8(203)], [58, 0, 0]);
  assert.deepEqual([v.getBigUint64(224, true), v.getUint16(232, true), v.getUint8(234)], [7n, 58, 1]);
  assert.equal(pollOneoff(memory, 0, 192, 0, 300), 28);
  assert.equal(pollOneoff(memory, 0, 192, 1025, 300), 28);
  assert.equal(pollOneoff(memory, 65536 - 48, 192, 2, 300), 21);
  assert.equal(pollOneoff(memory, 0, 65536 - 32, 2, 300), 21);
  assert.equal(pollOneoff(memory, 0, 192, 1, 65535), 21);
});

// The same failed check in each language's example guest reaches the caller with its message,
// as in the Go host (examples/mykernels TestPanicMessage): in the TrapError's stderr and first
// in its text; in this thread and through a compute Worker.
const panicText = {
  rust: ['panicked at src/lib.rs:', 'buffer "x": 65537 elements asked, past its capacity of 65536'],
  c: ['mykernels.c:', 'requirement failed: len <= WASMVEC_CAPACITY(x)'],
  go: ['panic: wasmvec guest: 65537 elements asked of a buffer of capacity 65536'],
  tinygo: ['wasmvec guest: 65537 elements asked of a buffer of capacity 65536'],
};
for (const [lang, want] of Object.entries(panicText)) {
  test(`examples/mykernels (${lang}): a panic's message is in the TrapError`, async () => {
    for (const loader of [load, loadWorker]) {
      const k = await loader(new URL(`examples/mykernels/mykernels-${lang}.wasm`, root));
      /** @type {(name: string, ...args: number[]) => Promise<unknown>} a Worker's call takes its arguments as an array */
      const call = async (name, ...args) => (loader === load ? k.call(name, ...args) : /** @type {any} */ (k).call(name, args));
      let err;
      try {
        await call('axpy', 1, 65537);
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof TrapError, `${loader.name}: ${err}`);
      for (const w of want) {
        assert.ok(err.stderr.includes(w), `${loader.name}: stderr ${JSON.stringify(err.stderr)} lacks ${w}`);
        assert.ok(err.message.includes(w), `${loader.name}: message lacks ${w}`);
      }
      if (lang !== 'go') {
        // a Go guest's runtime is left mid-panic: not called again
        await call('axpy', 1, 4);
        let again;
        try {
          await call('axpy', 1, 0x7fffffff);
        } catch (e) {
          again = e;
        }
        assert.ok(again instanceof TrapError && !again.stderr.includes('[…'), 'the next trap has its own stderr only');
      }
      await k.close();
    }
  });
}

test('fd_write as the Go host: stderr kept (first and last 512 bytes), fds and memory checked', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const v = new DataView(memory.buffer);
  const bytes = new Uint8Array(memory.buffer);
  const text = 'x'.repeat(100) + 'y'.repeat(2800) + 'z'.repeat(100);
  bytes.set(new TextEncoder().encode(text), 4096);
  const out = new Output();
  for (let off = 0; off < 3000; off += 700) {
    // in writes of 700 bytes
    v.setUint32(0, 4096 + off, true);
    v.setUint32(4, Math.min(700, 3000 - off), true);
    assert.equal(fdWrite(memory, out, 2, 0, 1, 8), 0);
  }
  assert.equal(out.stderr(), text.slice(0, 512) + '\n[… 1976 bytes …]\n' + text.slice(3000 - 512));
  out.reset();
  assert.equal(out.stderr(), '');
  assert.equal(fdWrite(memory, out, 1, 0, 1, 8), 0); // stdout: dropped, counted as written
  assert.equal(v.getUint32(8, true), 200); // the last iovec: 200 bytes
  assert.equal(out.dirty, false);
  assert.equal(fdWrite(memory, out, 3, 0, 1, 8), 8);
  assert.equal(fdWrite(memory, out, 2, 0, 1025, 8), 28);
  assert.equal(fdWrite(memory, out, 2, 65536 - 4, 1, 8), 21);
  v.setUint32(0, 65536 - 2, true);
  v.setUint32(4, 10, true);
  assert.equal(fdWrite(memory, out, 2, 0, 1, 8), 21);
  assert.equal(out.dirty, false, 'a refused write keeps nothing');
});

test("a guest's proc_exit in a call ends the instance, as in the Go host; proc_exit(0) from _start returns", async () => {
  const exit = corpus['proc-exit-in-kernel.wat'];
  const k = await load(exit, { name: 'exits' });
  assert.throws(
    () => k.call('sum', 1),
    (e) => e instanceof TrapError && /proc_exit\(0\)/.test(e.message),
  );
  assert.throws(
    () => k.call('sum', 1),
    (e) => e instanceof ClosedError && /ended in an earlier call/.test(e.message),
  );
  assert.throws(() => k.view('a'), ClosedError);
  await k.close();
  const zero = await load(corpus['start-exits-zero.wat'], { name: 'zero' });
  assert.equal(zero.call('sum', 0), 0);
  await zero.close();
  await assert.rejects(
    load(corpus['start-exits-nonzero.wat'], { name: 'three' }),
    (e) => e instanceof TrapError && /status 3/.test(e.message),
  );
});
