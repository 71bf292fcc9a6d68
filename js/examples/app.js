// The bundler examples' page (vite/, webpack/): load the pair of builds,
// run a golden Gray–Scott case (js/test/golden/rayon.json: n = 16, 50
// steps), and show the hash, the build and why it was chosen. The browser
// tests read globalThis.wasmvecResult.

/**
 * @param {typeof import('wasmvec').loadWorker} loadWorker
 * @param {{threaded: URL, fallback: URL}} builds
 */
export async function grayScott(loadWorker, builds) {
  const out = /** @type {HTMLElement} */ (document.getElementById('out'));
  const g = globalThis;
  try {
    const t0 = performance.now();
    const guest = await loadWorker(builds, { threads: 2 });
    const loadMs = performance.now() - t0;
    const n = 16,
      N = n ** 3,
      u = new Float64Array(N).fill(1),
      v = new Float64Array(N);
    const lo = Math.floor((3 * n) / 8),
      hi = Math.floor((5 * n) / 8);
    for (let i = 0; i < N; i++) {
      const x = i % n,
        y = Math.floor(i / n) % n,
        z = Math.floor(i / (n * n));
      if (x >= lo && x < hi && y >= lo && y < hi && z >= lo && z < hi) {
        u[i] = 0.5;
        v[i] = 0.25;
      }
    }
    await guest.run({
      write: [
        ['u', u],
        ['v', v],
      ],
      call: ['gray-scott', [n, 50, 0.16, 0.08, 0.035, 0.06, 1]],
    });
    const hash = BigInt.asUintN(64, /** @type {bigint} */ (await guest.call('hash', [n])))
      .toString(16)
      .padStart(16, '0');
    /** @type {any} */ (g).wasmvecResult = { hash, build: guest.build, reason: guest.buildReason, threads: guest.threads, loadMs };
    out.textContent = `hash ${hash}, ${guest.build} build on ${guest.threads} thread(s) (${guest.buildReason}); loaded in ${loadMs.toFixed(0)} ms`;
    await guest.close();
  } catch (e) {
    const err = /** @type {Error} */ (e);
    /** @type {any} */ (g).wasmvecResult = { error: { name: err.name, message: err.message } };
    out.textContent = `${err.name}: ${err.message}`;
  }
}
