// The demo page, the viewer of the Gray–Scott design: one compute Worker holds the guest, which
// steps the simulation for a time budget and meshes its isosurface with Rayon on every core; the
// page reads the mesh through zero-copy views (a threaded guest's shared memory) and WebGL2 draws
// it lit, with a camera the mouse orbits. Stats: steps/s, mesh ms, triangles, fps. An ALMA panel. Every hash is
// compared with the Go host's (js/test/golden/rayon.json). On a page without
// cross-origin isolation it runs the guest's single-thread build instead,
// on one thread, with the same hashes, and says so.
import { loadWorker, compile, capabilities } from 'wasmvec';
import { f64s, fnv, gsInit, meshHash, seriesValue } from '../test/workloads.js';

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

// The viewer: WebGL2 draws the isosurface of V, lit, with a camera the mouse orbits.
const canvas = $('canvas');
const gl = /** @type {WebGL2RenderingContext | null} */ (canvas.getContext('webgl2', { preserveDrawingBuffer: true }));
/** @type {{prog: WebGLProgram, pos: WebGLBuffer, nrm: WebGLBuffer, idx: WebGLBuffer, vao: WebGLVertexArrayObject, uMVP: WebGLUniformLocation | null, uCenter: WebGLUniformLocation | null, uScale: WebGLUniformLocation | null, count: number, n: number} | null} */
let scene = null;
const view = { yaw: 0.6, pitch: 0.45, dist: 3.2, spin: true };

function setupGL() {
  if (!gl) return null;
  const shader = (/** @type {number} */ type, /** @type {string} */ src) => {
    const sh = /** @type {WebGLShader} */ (gl.createShader(type));
    gl.shaderSource(sh, src);
    gl.compileShader(sh);
    if (!gl.getShaderParameter(sh, gl.COMPILE_STATUS)) throw new Error(`shader: ${gl.getShaderInfoLog(sh)}`);
    return sh;
  };
  const prog = /** @type {WebGLProgram} */ (gl.createProgram());
  gl.attachShader(
    prog,
    shader(
      gl.VERTEX_SHADER,
      `#version 300 es
in vec3 aPos; in vec3 aNrm;
uniform mat4 uMVP; uniform vec3 uCenter; uniform float uScale;
out vec3 vNrm;
void main() { vNrm = aNrm; gl_Position = uMVP * vec4((aPos - uCenter) * uScale, 1.0); }`,
    ),
  );
  gl.attachShader(
    prog,
    shader(
      gl.FRAGMENT_SHADER,
      `#version 300 es
precision mediump float;
in vec3 vNrm; out vec4 color;
void main() {
  float l = length(vNrm);
  vec3 n = l > 0.0 ? vNrm / l : vec3(0.0, 0.0, 1.0);
  float d = abs(dot(n, normalize(vec3(0.4, 0.7, 0.6)))); // two-sided
  color = vec4(vec3(0.95, 0.55, 0.2) * (0.25 + 0.75 * d), 1.0);
}`,
    ),
  );
  gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(`program: ${gl.getProgramInfoLog(prog)}`);
  const vao = /** @type {WebGLVertexArrayObject} */ (gl.createVertexArray());
  gl.bindVertexArray(vao);
  const buf = (/** @type {string} */ attr) => {
    const b = /** @type {WebGLBuffer} */ (gl.createBuffer());
    const at = gl.getAttribLocation(prog, attr);
    gl.bindBuffer(gl.ARRAY_BUFFER, b);
    gl.enableVertexAttribArray(at);
    gl.vertexAttribPointer(at, 3, gl.FLOAT, false, 0, 0);
    return b;
  };
  const pos = buf('aPos'),
    nrm = buf('aNrm');
  const idx = /** @type {WebGLBuffer} */ (gl.createBuffer());
  gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, idx);
  gl.bindVertexArray(null);
  gl.enable(gl.DEPTH_TEST);
  const u = (/** @type {string} */ name) => gl.getUniformLocation(prog, name);
  return { prog, pos, nrm, idx, vao, uMVP: u('uMVP'), uCenter: u('uCenter'), uScale: u('uScale'), count: 0, n: 2 };
}

let zeroCopyUpload = true; // WebGL takes views of a SharedArrayBuffer ([AllowShared]); else copy once

/**
 * upload hands a mesh to WebGL: positions and normals (3 per vertex), indices (3 per triangle).
 * @param {Float32Array} pos @param {Float32Array} nrm @param {Uint32Array} idx @param {number} n
 */
function upload(pos, nrm, idx, n) {
  if (!gl || !scene) return;
  const put = (/** @type {number} */ target, /** @type {WebGLBuffer} */ b, /** @type {ArrayBufferView} */ data) => {
    gl.bindBuffer(target, b);
    if (zeroCopyUpload) {
      try {
        gl.bufferData(target, data, gl.DYNAMIC_DRAW);
        return;
      } catch {
        zeroCopyUpload = false; // this browser wants an ArrayBuffer
      }
    }
    gl.bufferData(target, /** @type {any} */ (data).slice(), gl.DYNAMIC_DRAW);
  };
  gl.bindVertexArray(scene.vao);
  put(gl.ARRAY_BUFFER, scene.pos, pos);
  put(gl.ARRAY_BUFFER, scene.nrm, nrm);
  put(gl.ELEMENT_ARRAY_BUFFER, scene.idx, idx);
  gl.bindVertexArray(null);
  scene.count = idx.length;
  scene.n = n;
}

/** The product a·b of column-major 4×4 matrices. */
const mul = (/** @type {number[]} */ a, /** @type {number[]} */ b) => {
  const o = new Array(16).fill(0);
  for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) for (let k = 0; k < 4; k++) o[c * 4 + r] += a[k * 4 + r] * b[c * 4 + k];
  return o;
};

let frames = 0,
  fpsT0 = performance.now();
function draw() {
  requestAnimationFrame(draw);
  if (!gl || !scene) return;
  if (view.spin) view.yaw += 0.005;
  gl.viewport(0, 0, canvas.width, canvas.height);
  gl.clearColor(0.08, 0.09, 0.12, 1);
  gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
  const f = 1 / Math.tan(0.45),
    aspect = canvas.width / canvas.height,
    near = 0.1,
    far = 20;
  const proj = [f / aspect, 0, 0, 0, 0, f, 0, 0, 0, 0, (far + near) / (near - far), -1, 0, 0, (2 * far * near) / (near - far), 0];
  const [cy, sy, cp, sp] = [Math.cos(view.yaw), Math.sin(view.yaw), Math.cos(view.pitch), Math.sin(view.pitch)];
  const rotY = [cy, 0, -sy, 0, 0, 1, 0, 0, sy, 0, cy, 0, 0, 0, 0, 1];
  const rotX = [1, 0, 0, 0, 0, cp, sp, 0, 0, -sp, cp, 0, 0, 0, 0, 1];
  const back = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, -view.dist, 1];
  gl.useProgram(scene.prog);
  gl.uniformMatrix4fv(scene.uMVP, false, mul(proj, mul(back, mul(rotX, rotY))));
  const c = (scene.n - 1) / 2;
  gl.uniform3f(scene.uCenter, c, c, c);
  gl.uniform1f(scene.uScale, 2 / Math.max(1, scene.n - 1));
  gl.bindVertexArray(scene.vao);
  if (scene.count > 0) gl.drawElements(gl.TRIANGLES, scene.count, gl.UNSIGNED_INT, 0);
  gl.bindVertexArray(null);
  frames++;
  const now = performance.now();
  if (now - fpsT0 > 500) {
    $('fps').textContent = ((frames * 1000) / (now - fpsT0)).toFixed(0);
    frames = 0;
    fpsT0 = now;
  }
}

let dragging = /** @type {{x: number, y: number} | null} */ (null);
canvas.onpointerdown = (/** @type {PointerEvent} */ e) => {
  dragging = { x: e.clientX, y: e.clientY };
  view.spin = false;
  canvas.setPointerCapture(e.pointerId);
};
canvas.onpointermove = (/** @type {PointerEvent} */ e) => {
  if (!dragging) return;
  view.yaw += (e.clientX - dragging.x) * 0.01;
  view.pitch = Math.max(-1.5, Math.min(1.5, view.pitch + (e.clientY - dragging.y) * 0.01));
  dragging = { x: e.clientX, y: e.clientY };
};
canvas.onpointerup = () => {
  dragging = null;
};
canvas.onwheel = (/** @type {WheelEvent} */ e) => {
  e.preventDefault();
  view.dist = Math.max(1.5, Math.min(10, view.dist * Math.exp(e.deltaY * 0.001)));
};

// Actions run one at a time: none closes the instance under another (a reload for a new thread
// count waits for the viewer's loop to end, and the loop for a check to end).
let chain = /** @type {Promise<unknown>} */ (Promise.resolve());
/**
 * @template T
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
function serial(fn) {
  const p = chain.then(fn);
  chain = p.catch(() => {});
  return p;
}

/**
 * meshOf meshes V on g and returns the mesh: through the zero-copy views of a threaded guest, else
 * read (one copy, transferred). Returns null for a mesh past the guest's buffers.
 * @param {import('wasmvec').RemoteInstance} g @param {number} n @param {number} iso @param {number} [chunk]
 */
async function meshOf(g, n, iso, chunk = 16) {
  const threaded = g.build !== 'fallback' && g.threaded;
  const m = await g.run({ call: ['mesh', [n, iso, chunk]], read: threaded ? [] : [['counts', 4]] });
  if (m.result !== 0) return { result: m.result, ms: m.stats.guestMs };
  const counts = threaded ? g.view('counts') : m.read[0];
  const nv = Number(counts[0]),
    ni = Number(counts[1]);
  if (threaded) {
    const ix = g.view('indices');
    return {
      result: 0,
      ms: m.stats.guestMs,
      pos: /** @type {Float32Array} */ (g.view('positions')).subarray(0, 3 * nv),
      nrm: /** @type {Float32Array} */ (g.view('normals')).subarray(0, 3 * nv),
      idx: new Uint32Array(ix.buffer, ix.byteOffset, ni),
    };
  }
  const r = await g.run({
    read: [
      ['positions', 3 * nv],
      ['normals', 3 * nv],
      ['indices', ni],
    ],
  });
  const ix = r.read[2];
  return {
    result: 0,
    ms: m.stats.guestMs,
    pos: /** @type {Float32Array} */ (r.read[0]),
    nrm: /** @type {Float32Array} */ (r.read[1]),
    idx: new Uint32Array(ix.buffer, ix.byteOffset, ni),
  };
}

/** The viewer's loop: steps for a time budget, meshes, draws; until stop. */
async function viewer() {
  const n = Number($('n').value),
    threads = Number($('threads').value);
  const g = await guestWith(threads);
  const { u, v } = gsInit(n);
  await g.run({
    write: [
      ['u', u],
      ['v', v],
    ],
  });
  let steps = 0,
    stepMs = 0,
    t0 = performance.now(),
    s0 = 0;
  while (running) {
    const budget = Math.max(1, Number($('budget').value) | 0);
    const st = await g.run({ call: ['gray-scott', [n, 1, P.Du, P.Dv, P.F, P.K, P.Dt]], budget: { ms: budget } });
    steps += st.count;
    stepMs += st.stats.guestMs;
    const m = await meshOf(g, n, Number($('iso').value));
    if (m.result !== 0 || !m.pos || !m.nrm || !m.idx) {
      status(m.result === -4 ? 'the mesh exceeds the guest’s buffers: raise the iso level' : `mesh returned ${m.result}`);
    } else {
      upload(m.pos, m.nrm, m.idx, n);
      $('triangles').textContent = String(m.idx.length / 3);
      $('meshMs').textContent = m.ms.toFixed(1);
    }
    $('steps').textContent = String(steps);
    const now = performance.now();
    if (now - t0 > 500) {
      $('rate').textContent = ((steps - s0) / ((now - t0) / 1000)).toFixed(1);
      $('stepMs').textContent = stepMs > 0 ? (((steps - s0) * 1000) / stepMs).toFixed(1) : '–';
      t0 = now;
      s0 = steps;
      stepMs = 0;
    }
    await new Promise((r) => setTimeout(r, 0)); // let the page draw and take input
  }
  return steps;
}

async function start() {
  if (running) return;
  running = true;
  $('start').disabled = true;
  $('stop').disabled = false;
  try {
    await serial(viewer);
  } finally {
    running = false;
    $('start').disabled = false;
    $('stop').disabled = true;
  }
}

/**
 * check runs the golden Gray–Scott case (rayon.json, n = 64) at 1 and at threads threads and
 * meshes the result at the golden iso levels: the state hashes and mesh hashes beside the Go
 * host's.
 * @param {number} threads
 */
async function check(threads) {
  const gold = (await golden).grayScott[2];
  const rows = [];
  for (const t of [...new Set([1, Math.min(threads, cores)])]) {
    const g = await guestWith(t);
    const { u, v } = gsInit(gold.n);
    await g.run({
      write: [
        ['u', u],
        ['v', v],
      ],
      call: ['gray-scott', [gold.n, gold.steps, gold.p.Du, gold.p.Dv, gold.p.F, gold.p.K, gold.p.Dt]],
    });
    const state = u64(/** @type {bigint} */ (await g.call('hash', [gold.n])));
    const meshes = [];
    for (const m of gold.meshes) {
      // The hash of the mesh as the page sees it: through the zero-copy views (threaded), or
      // read's copy (fallback); and the guest's own mesh-hash.
      const seen = await meshOf(g, gold.n, m.iso, m.chunk);
      const r = seen.result;
      const page = seen.pos && seen.nrm && seen.idx ? meshHash(seen.pos, seen.nrm, seen.idx) : '';
      meshes.push({ iso: m.iso, result: r, hash: u64(/** @type {bigint} */ (await g.call('mesh-hash', []))), page, want: m.hash });
    }
    rows.push({ threads: g.threads, state, want: gold.hash, meshes, views: g.build !== 'fallback' && g.threaded });
  }
  const equal = rows.every((r) => r.state === r.want && r.meshes.every((m) => m.hash === m.want && m.page === m.want));
  return { n: gold.n, steps: gold.steps, rows, equal };
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

$('start').onclick = () => start().catch((e) => status(String(e)));
$('stop').onclick = () => {
  running = false;
};
$('threads').onchange = $('n').onchange = () => {
  if (!running) return;
  running = false; // the loop ends; start again with the new setting once it has
  void serial(async () => {}).then(() => start().catch((e) => status(String(e))));
};
$('check').onclick = async () => {
  running = false;
  try {
    const r = await serial(() => check(Number($('threads').value)));
    $('checkOut').innerHTML =
      `n=${r.n}, ${r.steps} steps, then meshes at iso ${r.rows[0].meshes.map((m) => m.iso).join(' and ')}:<br>` +
      r.rows.map((row) => `${row.threads} thread(s): state ${row.state}, meshes ${row.meshes.map((m) => m.hash).join(', ')}`).join('<br>') +
      `<br>the Go host's: state ${r.rows[0].want}, meshes ${r.rows[0].meshes.map((m) => m.want).join(', ')}: ` +
      `<b class="${r.equal ? 'ok' : 'bad'}">${r.equal ? 'equal' : 'DIFFERENT'}</b>`;
  } catch (e) {
    status(String(e));
  }
};
$('verify').onclick = async () => {
  running = false;
  try {
    const r = await serial(() => verify(Number($('threads').value)));
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
    const one = await serial(() => alma(1, series, length)),
      all = await serial(() => alma(cores, series, length));
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
  verify: (/** @type {number} */ t, /** @type {number | undefined} */ w) => serial(() => verify(t, w)),
  alma: (/** @type {number} */ t, /** @type {number | undefined} */ s, /** @type {number | undefined} */ l) => serial(() => alma(t, s, l)),
  check: (/** @type {number} */ t) => serial(() => check(t)),
  /** whether frames were drawn: a pixel region of the canvas that is not the clear color */
  drawn: () => {
    if (!gl) return { webgl: false, lit: 0 };
    const w = canvas.width,
      h = canvas.height,
      px = new Uint8Array(4 * w * h);
    gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, px);
    let lit = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] > 60) lit++; // the clear color's red is 20
    return { webgl: true, lit, zeroCopyUpload, triangles: scene?.count ? scene.count / 3 : 0 };
  },
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
try {
  scene = setupGL();
  if (!scene) status('no WebGL2 in this browser: the viewer cannot draw');
} catch (e) {
  status(`WebGL2: ${e}`);
}
requestAnimationFrame(draw);
if (!scene) status('no WebGL2');
else status('ready');
