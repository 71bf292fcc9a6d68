// The Rayon guest (examples/rayon/rayon.wasm) on Workers: the same hashes as
// the Go references at 1, 2 and 4 threads; the thread budget; a thread's
// trap; a timeout; close.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  AbortedError,
  ClosedError,
  DeadlineError,
  MissingExportError,
  ModuleError,
  OptionError,
  TrapError,
  compile,
  createPool,
  load,
  loadWorker,
} from '../src/index.js';
import { f64s, fnv, golden, gsInit, meshHash, root, seriesValue } from './golden.js';

const g = golden('rayon.json');
const rayon = await compile(new URL('examples/rayon/rayon.wasm', root), { name: 'rayon' });
const u64 = (/** @type {bigint} */ h) => BigInt.asUintN(64, h).toString(16).padStart(16, '0');

/**
 * hashes runs every golden ALMA and Gray–Scott case on guest, and meshes each Gray–Scott result,
 * and checks the hashes (and the mesh sizes) equal Go's.
 * @param {import('../src/index.js').RemoteInstance} guest
 */
async function hashes(guest) {
  for (const a of g.alma) {
    const series = new Float64Array(a.series * a.length);
    for (let s = 0; s < a.series; s++) for (let i = 0; i < a.length; i++) series[s * a.length + i] = seriesValue(s, i);
    const total = a.series * a.params.length * a.length;
    const r = await guest.run({
      write: [
        ['series', series],
        ['periods', a.periods],
        ['weights', f64s(a.weights)],
      ],
      call: ['alma', [a.series, a.length, a.params.length]],
      read: [['out', total]],
    });
    assert.equal(r.result, 0);
    assert.equal(fnv(/** @type {Float64Array} */ (r.read[0])), a.hash, `ALMA ${a.series}×${a.params.length}×${a.length}`);
  }
  for (const c of g.grayScott) {
    const { u, v } = gsInit(c.n);
    const r = await guest.run({
      write: [
        ['u', u],
        ['v', v],
      ],
      call: ['gray-scott', [c.n, c.steps, c.p.Du, c.p.Dv, c.p.F, c.p.K, c.p.Dt]],
    });
    assert.equal(r.result, 0);
    assert.equal(u64(/** @type {bigint} */ (await guest.call('hash', [c.n]))), c.hash, `Gray–Scott n=${c.n} steps=${c.steps}`);
    for (const m of c.meshes) {
      const r = await guest.run({ call: ['mesh', [c.n, m.iso, m.chunk]], read: [['counts', 4]] });
      const what = `mesh of n=${c.n} at iso ${m.iso}, chunks of ${m.chunk}`;
      assert.equal(r.result, 0, what);
      assert.deepEqual([...r.read[0]], [m.vertices, m.indices, m.meshed, Math.ceil((c.n - 1) / m.chunk) ** 3], what);
      assert.equal(u64(/** @type {bigint} */ (await guest.call('mesh-hash', []))), m.hash, what);
    }
  }
}

for (const threads of [1, 2, 4]) {
  test(`rayon at ${threads} threads: ALMA batch, Gray–Scott and mesh hashes equal Go's`, { timeout: 120_000 }, async () => {
    const guest = await loadWorker(rayon, { threads });
    assert.equal(guest.threads, threads);
    assert.equal(guest.build, '');
    await hashes(guest);
    await guest.close();
  });
}

const single = new URL('examples/rayon/rayon-single.wasm', root);
const threadedURL = new URL('examples/rayon/rayon.wasm', root);

test(
  'the single-thread build (rayon-single.wasm), as the fallback of a pair: the same hashes, on one thread',
  { timeout: 120_000 },
  async () => {
    const guest = await loadWorker({ threaded: threadedURL, fallback: single }, { threads: 4, build: 'fallback' });
    assert.equal(guest.build, 'fallback');
    assert.equal(guest.threaded, false);
    assert.equal(guest.threads, 1);
    assert.match(guest.buildReason, /options.build is 'fallback'/);
    await hashes(guest);
    await guest.close();
    // and in this thread, without a Worker: a guest that is not threaded needs none
    const here = await load(single);
    const c = g.grayScott[0];
    const { u, v } = gsInit(c.n);
    here.write('u', u);
    here.write('v', v);
    assert.equal(here.call('gray-scott', c.n, c.steps, c.p.Du, c.p.Dv, c.p.F, c.p.K, c.p.Dt), 0);
    assert.equal(u64(/** @type {bigint} */ (here.call('hash', c.n))), c.hash);
    here.close();
  },
);

test(
  'a pair of builds where threads can run (Node) loads the threaded build, saying why; a pool of a pair too',
  { timeout: 60_000 },
  async () => {
    const guest = await loadWorker({ threaded: threadedURL, fallback: single }, { threads: 2 });
    assert.equal(guest.build, 'threaded');
    assert.equal(guest.threads, 2);
    assert.match(guest.buildReason, /threads can run here/);
    await guest.close();
    const pool = await createPool({ threaded: threadedURL, fallback: single }, { size: 2, build: 'fallback' });
    assert.equal(pool.build, 'fallback');
    const c = g.grayScott[0];
    const { u, v } = gsInit(c.n);
    const r = await pool.run({
      write: [
        ['u', u],
        ['v', v],
      ],
      call: ['gray-scott', [c.n, c.steps, c.p.Du, c.p.Dv, c.p.F, c.p.K, c.p.Dt]],
    });
    assert.equal(r.result, 0);
    await pool.close();
  },
);

test('a pair that is not two builds of one guest is a ModuleError naming both; nothing falls back', async () => {
  // the single-thread build with one kernel renamed (spawn-more to spawn-mora, in place)
  const bytes = new Uint8Array(await (await import('node:fs/promises')).readFile(single));
  const at = Buffer.from(bytes).indexOf('spawn-more');
  assert.ok(at > 0);
  bytes[at + 9] = 'a'.charCodeAt(0);
  const lacking = await compile(bytes, { name: 'lacking.wasm' });
  for (const [pair, pattern] of /** @type {[any, RegExp][]} */ ([
    [{ threaded: single, fallback: single }, /rayon-single\.wasm is not threaded/],
    [{ threaded: threadedURL, fallback: threadedURL }, /rayon\.wasm is threaded, and a fallback must run where threads cannot/],
    [
      { threaded: threadedURL, fallback: lacking },
      /rayon\.wasm has kernel spawn-more\(i32\) -> i32, lacking\.wasm does not; lacking\.wasm has kernel spawn-mora\(i32\) -> i32, rayon\.wasm does not$/,
    ],
    [
      { threaded: threadedURL, fallback: new URL('guests/rust.wasm', root) },
      /rayon\.wasm has buffer out of f64, rust\.wasm does not; .* and \d+ more$/,
    ],
  ])) {
    await assert.rejects(loadWorker(pair, { build: 'fallback' }), (e) => {
      assert.ok(e instanceof ModuleError, String(e));
      assert.match(e.message, pattern);
      assert.match(e.message, /the threaded build \S+ and the fallback \S+/);
      return true;
    });
  }
  await assert.rejects(loadWorker(/** @type {any} */ ({ threaded: threadedURL })), OptionError);
  await assert.rejects(loadWorker({ threaded: threadedURL, fallback: single }, /** @type {any} */ ({ build: 'single' })), OptionError);
});

test('the thread budget: spawns past threads-1 are refused, and the guest goes on', async () => {
  const guest = await loadWorker(rayon, { threads: 2 });
  // spawn-more asks for more threads than start-workers took: every one is refused
  assert.equal(await guest.call('spawn-more', [3]), 0);
  const c = g.grayScott[0];
  const { u, v } = gsInit(c.n);
  await guest.run({
    write: [
      ['u', u],
      ['v', v],
    ],
    call: ['gray-scott', [c.n, c.steps, c.p.Du, c.p.Dv, c.p.F, c.p.K, c.p.Dt]],
  });
  assert.equal(u64(/** @type {bigint} */ (await guest.call('hash', [c.n]))), c.hash);
  await guest.close();
});

test(
  'a panic in a Rayon job on a worker thread ends the call with a trap, in bounded time, and closes the instance',
  { timeout: 30_000 },
  async () => {
    for (const threads of [2, 4]) {
      const guest = await loadWorker(rayon, { threads });
      const t0 = performance.now();
      await assert.rejects(guest.call('panic-in-job', [7, 12]), (e) => e instanceof TrapError);
      assert.ok(performance.now() - t0 < 5000, `took ${performance.now() - t0} ms`);
      await assert.rejects(guest.call('hash', [4]), ClosedError);
      await guest.close();
    }
  },
);

test(
  'a panic on the calling thread of a threaded guest keeps its stderr, and its message says "guest trapped" once',
  { timeout: 30_000 },
  async () => {
    const guest = await loadWorker(rayon, { threads: 1 }); // the one job runs on the calling thread
    await assert.rejects(guest.call('panic-in-job', [0, 1]), (e) => {
      assert.ok(e instanceof TrapError, String(e));
      assert.match(/** @type {TrapError} */ (e).stderr, /job 0 of 1 panics, as asked/);
      assert.equal(e.message.split('guest trapped').length - 1, 1, e.message);
      return true;
    });
    await guest.close();
  },
);

test('a timeout terminates the instance and rejects with DeadlineError; later calls get ClosedError', { timeout: 30_000 }, async () => {
  const guest = await loadWorker(rayon, { threads: 2 });
  const n = 128,
    { u, v } = gsInit(n);
  await guest.run({
    write: [
      ['u', u],
      ['v', v],
    ],
  });
  const t0 = performance.now();
  await assert.rejects(guest.call('gray-scott', [n, 1_000_000, 0.2097, 0.105, 0.029, 0.057, 1], { timeout: 100 }), (e) => {
    assert.ok(e instanceof DeadlineError, String(e));
    assert.equal(/** @type {DeadlineError} */ (e).export, 'gray-scott');
    return true;
  });
  const took = performance.now() - t0;
  assert.ok(took >= 100 && took < 2000, `rejected after ${took} ms`);
  await assert.rejects(guest.call('hash', [4]), ClosedError);
  await guest.close();
});

test('a worker thread that traps (not a panic) while the caller waits: AbortedError, bounded', { timeout: 30_000 }, async () => {
  const c = golden('corpus.json').find((/** @type {any} */ x) => x.file === 'threads-worker-traps-mid-call.wat');
  const guest = await loadWorker(Buffer.from(c.wasm, 'base64'), { threads: 3, name: c.file });
  const t0 = performance.now();
  await assert.rejects(guest.run({ vector: ['sum', [[1, 2, 3, 4]]] }), AbortedError);
  assert.ok(performance.now() - t0 < 5000);
  await guest.close();
});

test('close releases everything: a process that loads, calls and closes exits on its own', { timeout: 60_000 }, () => {
  const script = `
    import { loadWorker, createPool } from ${JSON.stringify(new URL('../src/index.js', import.meta.url).href)};
    const g = await loadWorker(new URL('examples/rayon/rayon.wasm', ${JSON.stringify(root.href)}), { threads: 2 });
    await g.call('hash', [4]);
    await g.close();
    const p = await createPool(new URL('guests/c.wasm', ${JSON.stringify(root.href)}), { size: 2 });
    await p.run({ vector: ['sum', [[1, 2]]] });
    await p.close();
    console.log('closed');
  `;
  const r = spawnSync(process.execPath, ['--no-warnings', '--input-type=module', '-e', script], { timeout: 30_000, encoding: 'utf8' });
  assert.equal(r.signal, null, `the process did not exit on its own (killed by ${r.signal}): ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'closed');
});

test(
  'closed instances leave no threads behind (20 loads at 4 threads)',
  { skip: process.platform !== 'linux' && 'reads /proc/self/status', timeout: 120_000 },
  async () => {
    const fs = await import('node:fs');
    const osThreads = () => Number(/Threads:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]);
    const settle = () => new Promise((r) => setTimeout(r, 500));
    await (await loadWorker(rayon, { threads: 4 })).close();
    await settle();
    const before = osThreads();
    for (let i = 0; i < 20; i++) {
      const guest = await loadWorker(rayon, { threads: 4 });
      await guest.call('hash', [4]);
      await guest.close();
    }
    await settle();
    assert.ok(osThreads() <= before + 2, `OS threads ${before} before, ${osThreads()} after`);
  },
);

test('zero-copy views of a threaded guest: the page writes V and reads the mesh in the shared memory', { timeout: 60_000 }, async () => {
  const c = g.grayScott[1];
  for (const threads of [1, 2]) {
    const guest = await loadWorker(rayon, { threads });
    const [u, v] = [guest.view('u'), guest.view('v')];
    assert.ok(v instanceof Float64Array && v.buffer instanceof SharedArrayBuffer);
    assert.equal(guest.view('v'), v, 'one view per buffer');
    const init = gsInit(c.n);
    u.set(init.u);
    v.set(init.v);
    assert.equal(await guest.call('gray-scott', [c.n, c.steps, c.p.Du, c.p.Dv, c.p.F, c.p.K, c.p.Dt]), 0);
    assert.equal(u64(/** @type {bigint} */ (await guest.call('hash', [c.n]))), c.hash, 'the guest stepped what the page wrote');
    // What the guest wrote, seen through the views with no copy: equal to read's copy.
    const n3 = c.n ** 3;
    assert.deepEqual(v.subarray(0, n3), await guest.read('v', n3));
    const m = c.meshes[0];
    assert.equal(await guest.call('mesh', [c.n, m.iso, m.chunk]), 0);
    const counts = guest.view('counts');
    assert.deepEqual([counts[0], counts[1]], [m.vertices, m.indices]);
    const pos = /** @type {Float32Array} */ (guest.view('positions')).subarray(0, 3 * m.vertices);
    const nrm = /** @type {Float32Array} */ (guest.view('normals')).subarray(0, 3 * m.vertices);
    const idx = new Uint32Array(guest.view('indices').buffer, guest.view('indices').byteOffset, m.indices);
    assert.equal(meshHash(pos, nrm, idx), m.hash, 'the mesh hashed from the views is Go MeshHash');
    await guest.close();
    assert.throws(() => guest.view('v'), ClosedError);
  }
  const single = await loadWorker(new URL('examples/rayon/rayon-single.wasm', root));
  assert.throws(() => single.view('v'), OptionError);
  assert.throws(() => single.view('nope'), MissingExportError);
  await single.close();
});

test(
  'work by time budget: a job repeats its call in the Worker for about ms, and reports its count and times',
  { timeout: 60_000 },
  async () => {
    const c = g.grayScott[2]; // n = 64
    const guest = await loadWorker(rayon, { threads: 2 });
    const { u, v } = gsInit(c.n);
    await guest.run({
      write: [
        ['u', u],
        ['v', v],
      ],
    });
    const step = /** @type {[string, number[]]} */ (['gray-scott', [c.n, 1, c.p.Du, c.p.Dv, c.p.F, c.p.K, c.p.Dt]]);
    const r = await guest.run({ call: step, budget: { ms: 200 } });
    assert.equal(r.result, 0);
    assert.ok(r.count > 1, `${r.count} steps in 200 ms`);
    assert.ok(r.stats.guestMs >= 200, `ran ${r.stats.guestMs} ms, want at least the budget`);
    // within the budget plus one call: every call but the last began before 200 ms had passed
    assert.ok(
      r.stats.lastCallMs > 0 && r.stats.guestMs - r.stats.lastCallMs < 201, // (1 ms for the clock read after the loop)
      `ran ${r.stats.guestMs} ms, the last call ${r.stats.lastCallMs} ms`,
    );
    assert.ok(r.stats.wallMs >= r.stats.guestMs, `wall ${r.stats.wallMs} ms < guest ${r.stats.guestMs} ms`);
    // max and stop end it early; a plain call counts 1
    assert.equal((await guest.run({ call: step, budget: { ms: 100_000, max: 3 } })).count, 3);
    const bad = await guest.run({ call: ['gray-scott', [c.n, 1, c.p.Du, c.p.Dv, c.p.F, c.p.K, -1]], budget: { ms: 100_000, stop: -2 } });
    assert.deepEqual([bad.result, bad.count], [-2, 1]);
    const one = await guest.run({ call: step });
    assert.equal(one.count, 1);
    assert.ok(one.stats.guestMs > 0 && one.stats.wallMs >= one.stats.guestMs);
    for (const budget of [{ ms: 0 }, { ms: 1.5 }, { ms: 10, max: 0 }, /** @type {any} */ (null)]) {
      await assert.rejects(guest.run({ call: step, budget: /** @type {any} */ (budget) }), OptionError, JSON.stringify(budget));
    }
    await assert.rejects(guest.run({ budget: { ms: 10 } }), OptionError, 'a budget without a call');
    await guest.close();
  },
);

test('a cooperative stop ends a long call early with -5, and the instance serves on', { timeout: 60_000 }, async () => {
  const c = g.grayScott[1]; // n = 32, stable parameters
  const guest = await loadWorker(rayon, { threads: 2 });
  const { u, v } = gsInit(c.n);
  guest.stop(); // between jobs: asks nothing of the next
  const args = [c.n, 1_000_000, c.p.Du, c.p.Dv, c.p.F, c.p.K, c.p.Dt];
  const t0 = performance.now();
  const long = guest.run({
    write: [
      ['u', u],
      ['v', v],
    ],
    call: ['gray-scott', args],
  });
  setTimeout(() => guest.stop(), 300);
  const r = await long;
  assert.equal(r.result, -5, 'ERR_STOPPED');
  assert.ok(performance.now() - t0 < 10_000, 'stopped long before its million steps');
  // The fields are a whole number of steps on: step them one at a time from the start until the
  // hash matches, in a second instance (the Go reference's count is not known here).
  const stopped = u64(/** @type {bigint} */ (await guest.call('hash', [c.n])));
  assert.equal(await guest.call('gray-scott', [c.n, 2, c.p.Du, c.p.Dv, c.p.F, c.p.K, c.p.Dt]), 0, 'the instance serves on');
  const ref = await loadWorker(rayon, { threads: 1 });
  await ref.run({
    write: [
      ['u', u],
      ['v', v],
    ],
  });
  let steps = 0;
  const one = /** @type {[string, number[]]} */ (['gray-scott', [c.n, 1, c.p.Du, c.p.Dv, c.p.F, c.p.K, c.p.Dt]]);
  for (; steps < 200_000; steps++) {
    if (u64(/** @type {bigint} */ (await ref.call('hash', [c.n]))) === stopped) break;
    await ref.run({ call: one, budget: { ms: 1_000_000, max: 1 } });
  }
  assert.ok(steps > 0 && steps < 200_000, `the stopped fields are ${steps} whole steps on`);
  await ref.close();
  await guest.close();
  assert.throws(() => guest.stop(), ClosedError);
  const single = await loadWorker(new URL('examples/rayon/rayon-single.wasm', root));
  assert.throws(() => single.stop(), OptionError);
  await single.close();
});
