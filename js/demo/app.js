// The demo page: Gray–Scott 3D stepping in one compute Worker with Rayon on
// every core, a slice drawn each frame; an ALMA batch panel. Every hash is
// compared with the Go host's (js/test/golden/rayon.json). On a page without
// cross-origin isolation it runs the guest's single-thread build instead,
// on one thread, with the same hashes, and says so.
import { loadWorker, compile, capabilities } from 'wasmvec';
import { f64s, fnv, gsInit, seriesValue } from '../test/workloads.js';

const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));
const threadsWork = capabilities().threads;
const cores = threadsWork ? navigator.hardwareConcurrency || 1 : 1;
$('isolated').textContent = String(globalThis.crossOriginIsolated);
$('cores').textContent = String(navigator.hardwareConcurrency || 1);
for (let t = 1; t <= cores; t++) $('threads').add(new Option(String(t), String(t), t === cores, t === cores));
const status = (/** @type {string} */ s) => {
  $('status').textContent = s;
};

const golden = fetch('/js/test/golden/rayon.json').then((r) => r.json());
const wasm = new URL('/examples/rayon/rayon.wasm', location.href);
const wasmSingle = new URL('/examples/rayon/rayon-single.wasm', location.href);
/** @type {Promise<{threaded: import('wasmvec').Module, fallback: import('wasmvec').Module}> | null} */
let builds = null;
// Both builds compiled once (loadWorker checks they are one guest's two builds, then picks one).
const mods = () =>
  (builds ??= Promise.all([compile(wasm, { name: 'rayon' }), compile(wasmSingle, { name: 'rayon-single' })]).then(
    ([threaded, fallback]) => ({ threaded, fallback }),
  ));
const u64 = (/** @type {bigint} */ h) => BigInt.asUintN(64, h).toString(16).padStart(16, '0');

/** @type {import('wasmvec').RemoteInstance | null} */
let guest = null;
let running = false;
/** @type {Promise<import('wasmvec').RemoteInstance> | null} */
let loading = null;

/** load (or reload) the guest with the chosen thread count: the threaded build where threads work, else the single-thread build */
async function guestWith(/** @type {number} */ threads) {
  threads = Math.min(threads, cores);
  if (loading) await loading.catch(() => null);
  if (guest && guest.threads === threads && !guest.failed) return guest;
  const old = guest;
  guest = null;
  loading = (async () => {
    await old?.close();
    const g = await loadWorker(await mods(), { threads });
    $('running').textContent = String(g.threads);
    $('build').textContent = g.build === 'threaded' ? 'threaded (rayon.wasm)' : 'single-thread (rayon-single.wasm)';
    $('buildReason').textContent = `(${g.buildReason})`;
    return g;
  })();
  try {
    guest = await loading;
  } finally {
    loading = null;
  }
  return guest;
}

const P = { Du: 0.16, Dv: 0.08, F: 0.035, K: 0.06, Dt: 1 }; // the golden cases' (stable: 6·Du·Dt < 1)

async function start() {
  const n = Number($('n').value),
    threads = Number($('threads').value);
  running = true;
  $('start').disabled = true;
  $('stop').disabled = false;
  const g = await guestWith(threads);
  const { u, v } = gsInit(n);
  await g.run({
    write: [
      ['u', u],
      ['v', v],
    ],
  });
  const canvas = $('canvas');
  canvas.width = n;
  canvas.height = n;
  const ctx = canvas.getContext('2d'),
    img = ctx.createImageData(n, n);
  let steps = 0,
    t0 = performance.now(),
    s0 = 0;
  while (running) {
    const spf = Math.max(1, Number($('spf').value) | 0);
    const r = await g.run({ call: ['gray-scott', [n, spf, P.Du, P.Dv, P.F, P.K, P.Dt]], read: [['v', n * n, (n >> 1) * n * n]] });
    steps += spf;
    const slice = /** @type {Float64Array} */ (r.read[0]);
    for (let i = 0; i < n * n; i++) {
      const c = Math.min(255, Math.max(0, slice[i] * 510)) | 0;
      img.data[4 * i] = c;
      img.data[4 * i + 1] = 64 + (c >> 2);
      img.data[4 * i + 2] = 255 - c;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    const now = performance.now();
    if (now - t0 > 500) {
      $('rate').textContent = ((steps - s0) / ((now - t0) / 1000)).toFixed(1);
      t0 = now;
      s0 = steps;
    }
    $('steps').textContent = String(steps);
    await new Promise(requestAnimationFrame);
  }
  $('start').disabled = false;
  $('stop').disabled = true;
}

/**
 * verify runs a golden Gray–Scott case at threads and returns the guest's hash and the Go host's.
 * @param {number} threads
 * @param {number} [which] index into rayon.json's grayScott cases
 */
async function verify(threads, which = 2) {
  const c = (await golden).grayScott[which];
  const g = await guestWith(threads);
  const { u, v } = gsInit(c.n);
  const t0 = performance.now();
  await g.run({
    write: [
      ['u', u],
      ['v', v],
    ],
    call: ['gray-scott', [c.n, c.steps, c.p.Du, c.p.Dv, c.p.F, c.p.K, c.p.Dt]],
  });
  const ms = performance.now() - t0;
  const hash = u64(/** @type {bigint} */ (await g.call('hash', [c.n])));
  return { hash, want: c.hash, n: c.n, steps: c.steps, threads: g.threads, ms };
}

/**
 * alma runs the golden ALMA batch at threads; returns the hash of the outputs, the Go host's, and ns per output point.
 * @param {number} threads
 * @param {number} [series]
 * @param {number} [length]
 */
async function alma(threads, series, length) {
  const a = (await golden).alma[1];
  series ??= a.series;
  length ??= a.length;
  const g = await guestWith(threads);
  const xs = new Float64Array(series * length);
  for (let s = 0; s < series; s++) for (let i = 0; i < length; i++) xs[s * length + i] = seriesValue(s, i);
  await g.run({
    write: [
      ['series', xs],
      ['periods', a.periods],
      ['weights', f64s(a.weights)],
    ],
  });
  const total = series * a.params.length * length;
  const call = () => g.run({ call: ['alma', [series, length, a.params.length]] });
  await call(); // warm-up: first touch of the outputs
  const t0 = performance.now();
  const reps = 3;
  for (let i = 0; i < reps; i++) await call();
  const ns = ((performance.now() - t0) * 1e6) / reps / total;
  const out = /** @type {Float64Array} */ ((await g.run({ read: [['out', total]] })).read[0]);
  return { hash: fnv(out), want: series === a.series && length === a.length ? a.hash : null, ns, threads: g.threads };
}

$('start').onclick = () =>
  start().catch((e) => {
    status(String(e));
    running = false;
    $('start').disabled = false;
  });
$('stop').onclick = () => {
  running = false;
};
$('verify').onclick = async () => {
  running = false;
  try {
    const r = await verify(Number($('threads').value));
    $('hash').innerHTML =
      `n=${r.n}, ${r.steps} steps at ${r.threads} threads: hash ${r.hash} — the Go host's ${r.want}: <b class="${r.hash === r.want ? 'ok' : 'bad'}">${r.hash === r.want ? 'equal' : 'DIFFERENT'}</b>`;
  } catch (e) {
    status(String(e));
  }
};
$('alma').onclick = async () => {
  running = false;
  try {
    const series = Number($('series').value),
      length = Number($('len').value);
    const one = await alma(1, series, length),
      all = await alma(cores, series, length);
    const eq = (/** @type {any} */ r) =>
      r.want === null
        ? '(no golden hash for this shape)'
        : r.hash === r.want
          ? '<b class="ok">equal to the Go host\'s</b>'
          : '<b class="bad">DIFFERENT from the Go host\'s</b>';
    $('almaOut').innerHTML =
      `1 thread: ${one.ns.toFixed(2)} ns per output point, hash ${one.hash} ${eq(one)}<br>` +
      `${all.threads} threads: ${all.ns.toFixed(2)} ns per output point, hash ${all.hash} ${eq(all)}; speed-up ${(one.ns / all.ns).toFixed(2)}×`;
  } catch (e) {
    status(String(e));
  }
};

// For tests and the console.
/** @type {any} */ (globalThis).wasmvecDemo = {
  verify,
  alma,
  start,
  stop: () => {
    running = false;
  },
  guestWith,
  load: (/** @type {number} */ t) =>
    loadWorker(wasm, { threads: t }).then(
      (g) => g.close(),
      (e) => {
        throw e;
      },
    ),
};
status('ready');
