// What differs between Node and a browser: Workers, their messages, where
// the dependencies are found, and the machine's parallelism.

/** isNode is true in Node.js (its main thread and its worker_threads), false in a browser. */
export const isNode = typeof process === 'object' && process !== null && typeof process.versions?.node === 'string';

/**
 * nodeBuiltin returns a Node built-in module (process.getBuiltinModule, Node 20.16+), null
 * outside Node. No top-level await and no import of a node: specifier, so that bundlers build
 * the package for the browser as it is.
 * @param {string} id a built-in's specifier ('node:os')
 * @returns {any}
 */
export function nodeBuiltin(id) {
  return isNode ? process.getBuiltinModule(id) : null;
}

/** @type {typeof import('node:worker_threads') | null} */
const wt = nodeBuiltin('node:worker_threads');
/** @type {typeof import('node:os') | null} */
const os = nodeBuiltin('node:os');

/**
 * The dependencies the package loads at run time, by bare specifier. In Node they are resolved
 * from node_modules as usual; a bundler resolves and bundles them. A page without a bundler names
 * them in an import map, which its Workers do not see, so the page's main thread resolves each
 * specifier (remote.js's resolvedDeps: import.meta.resolve, which honours the import map) and
 * hands the URLs to every Worker it starts. (Not here: env.js is in every Worker too, where a
 * bundler may build it as a classic script, without import.meta.)
 */
export const depNames = ['@emnapi/wasi-threads', '@bjorn3/browser_wasi_shim'];
/** @type {Record<string, string>} */
let deps = {};

/**
 * setDeps records where the dependencies are (URLs by specifier), in a Worker.
 * @param {Record<string, string>} d
 */
export function setDeps(d) {
  deps = { ...d };
}

/**
 * givenDeps returns the dependencies' URLs this Worker was given (setDeps), to pass on to the
 * Workers it starts.
 * @returns {Record<string, string>}
 */
export function givenDeps() {
  return { ...deps };
}

/**
 * wasiThreads imports @emnapi/wasi-threads: from the URL a page gave (a page with an import map
 * and no bundler), else by its bare specifier, written out so that bundlers resolve and bundle
 * it (and Node finds it in node_modules).
 * @returns {Promise<any>}
 */
export function wasiThreads() {
  const url = deps['@emnapi/wasi-threads'];
  return url ? import(/* @vite-ignore */ /* webpackIgnore: true */ url) : import('@emnapi/wasi-threads');
}

/**
 * wasiShim imports @bjorn3/browser_wasi_shim, as wasiThreads does its package.
 * @returns {Promise<any>}
 */
export function wasiShim() {
  const url = deps['@bjorn3/browser_wasi_shim'];
  return url ? import(/* @vite-ignore */ /* webpackIgnore: true */ url) : import('@bjorn3/browser_wasi_shim');
}

/**
 * parallelism returns the number of logical processors (os.availableParallelism in Node,
 * navigator.hardwareConcurrency in a browser), at least 1.
 */
export function parallelism() {
  if (os) return Math.max(1, os.availableParallelism());
  return Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
}

/** @typedef {import('node:worker_threads').Worker | Worker} AnyWorker */

/**
 * nodeWorker starts a worker_threads Worker from the package's script file (a name beside this
 * module), in Node. In a browser the callers write `new Worker(new URL('./….js',
 * import.meta.url), { type: 'module' })` out, the form bundlers recognise and bundle; the URL
 * here is made from a variable, so that bundlers do not copy the script as an asset.
 * @param {string} file
 * @param {string} name
 * @returns {AnyWorker}
 */
export function nodeWorker(file, name) {
  const url = new URL(/* webpackIgnore: true */ file, import.meta.url);
  // A Worker inherits the process's flags, but --input-type applies only to --eval input
  // and makes a Worker started from a file fail.
  return new /** @type {typeof import('node:worker_threads')} */ (wt).Worker(url, {
    name,
    execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')),
  });
}

/**
 * listen calls fn with the data of every message the Worker sends, and onFail once when it
 * fails (an uncaught error, or in Node an exit nobody asked for).
 * @param {AnyWorker} w
 * @param {(data: any) => void} fn
 * @param {(e: unknown) => void} onFail
 */
export function listen(w, fn, onFail) {
  if (isNode) {
    const nw = /** @type {import('node:worker_threads').Worker} */ (w);
    nw.on('message', fn);
    nw.on('error', onFail);
    nw.on('messageerror', onFail);
    nw.on('exit', (code) => onFail(new Error(`the Worker exited with code ${code}`)));
  } else {
    const bw = /** @type {Worker} */ (w);
    bw.addEventListener('message', (e) => fn(e.data));
    bw.addEventListener('error', (e) => {
      e.preventDefault();
      onFail(new Error(e.message || 'the Worker failed to load or threw'));
    });
    bw.addEventListener('messageerror', () => onFail(new Error('a message from the Worker could not be read')));
  }
}

/**
 * ref keeps Node's event loop alive for the Worker (while a call is pending) or not; nothing in a browser.
 * @param {AnyWorker} w
 * @param {boolean} on
 */
export function ref(w, on) {
  if (isNode) {
    const nw = /** @type {import('node:worker_threads').Worker} */ (w);
    if (on) nw.ref();
    else nw.unref();
  }
}

/**
 * self is this Worker's side of its channel to its creator: post and listen.
 * @returns {{post: (m: any, transfer?: Transferable[]) => void, listen: (fn: (data: any) => void) => void}}
 */
export function selfPort() {
  if (wt) {
    const p = /** @type {import('node:worker_threads').MessagePort} */ (wt.parentPort);
    return {
      post: (m, t) => p.postMessage(m, /** @type {any} */ (t)),
      listen: (fn) => p.on('message', fn),
    };
  }
  const g = /** @type {any} */ (globalThis);
  return {
    post: (m, t) => g.postMessage(m, t ?? []),
    listen: (fn) => g.addEventListener('message', (/** @type {MessageEvent} */ e) => fn(e.data)),
  };
}

/**
 * isolated reports whether threads can run here: SharedArrayBuffer exists and, in a browser,
 * the page is cross-origin isolated.
 */
export function isolated() {
  if (typeof SharedArrayBuffer !== 'function') return false;
  return isNode || globalThis.crossOriginIsolated !== false;
}

/**
 * The smallest module that uses simd128 (wasm-feature-detect's probe: i8x16.splat and
 * i8x16.popcnt in a function returning v128).
 */
const simdProbe = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/**
 * Capabilities is what a page or process offers wasmvec's guests (see capabilities).
 * @typedef {object} Capabilities
 * @property {boolean} crossOriginIsolated the page is cross-origin isolated (always true in Node)
 * @property {boolean} sharedArrayBuffer SharedArrayBuffer exists
 * @property {boolean} sharedMemory a shared WebAssembly.Memory can be made
 * @property {boolean} simd the engine validates simd128 (every guest of this project that uses SIMD needs it)
 * @property {boolean} threads a threaded guest can run here (loadWorker of one needs this):
 *   all of the first three
 */

/**
 * capabilities reports, without loading a guest, what this page or process offers guests, so
 * that a caller can choose a build before loading one: a threaded guest needs `threads` (else
 * loadWorker rejects with IsolationError), and every guest built with simd128 needs `simd`.
 * A page served without the headers of isolationHeaders has crossOriginIsolated, and so
 * threads, false; SharedArrayBuffer may still exist there, unusable for threads.
 * @returns {Capabilities}
 */
export function capabilities() {
  const sharedArrayBuffer = typeof SharedArrayBuffer === 'function';
  let sharedMemory = false;
  try {
    sharedMemory =
      sharedArrayBuffer && new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    /* no shared memory here */
  }
  const crossOriginIsolated = isNode || globalThis.crossOriginIsolated === true;
  return {
    crossOriginIsolated,
    sharedArrayBuffer,
    sharedMemory,
    simd: WebAssembly.validate(simdProbe),
    threads: crossOriginIsolated && sharedArrayBuffer && sharedMemory,
  };
}

/** The headers a page needs for threads. */
export const isolationHeaders = 'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';
