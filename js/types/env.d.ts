/**
 * nodeBuiltin returns a Node built-in module (process.getBuiltinModule, Node 20.16+), null
 * outside Node. No top-level await and no import of a node: specifier, so that bundlers build
 * the package for the browser as it is.
 * @param {string} id a built-in's specifier ('node:os')
 * @returns {any}
 */
export function nodeBuiltin(id: string): any;
/**
 * setDeps records where the dependencies are (URLs by specifier), in a Worker.
 * @param {Record<string, string>} d
 */
export function setDeps(d: Record<string, string>): void;
/**
 * givenDeps returns the dependencies' URLs this Worker was given (setDeps), to pass on to the
 * Workers it starts.
 * @returns {Record<string, string>}
 */
export function givenDeps(): Record<string, string>;
/**
 * wasiThreads imports @emnapi/wasi-threads: from the URL a page gave (a page with an import map
 * and no bundler), else by its bare specifier, written out so that bundlers resolve and bundle
 * it (and Node finds it in node_modules).
 * @returns {Promise<any>}
 */
export function wasiThreads(): Promise<any>;
/**
 * wasiShim imports @bjorn3/browser_wasi_shim, as wasiThreads does its package.
 * @returns {Promise<any>}
 */
export function wasiShim(): Promise<any>;
/**
 * parallelism returns the number of logical processors (os.availableParallelism in Node,
 * navigator.hardwareConcurrency in a browser), at least 1.
 */
export function parallelism(): number;
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
export function nodeWorker(file: string, name: string): AnyWorker;
/**
 * listen calls fn with the data of every message the Worker sends, and onFail once when it
 * fails (an uncaught error, or in Node an exit nobody asked for).
 * @param {AnyWorker} w
 * @param {(data: any) => void} fn
 * @param {(e: unknown) => void} onFail
 */
export function listen(w: AnyWorker, fn: (data: any) => void, onFail: (e: unknown) => void): void;
/**
 * ref keeps Node's event loop alive for the Worker (while a call is pending) or not; nothing in a browser.
 * @param {AnyWorker} w
 * @param {boolean} on
 */
export function ref(w: AnyWorker, on: boolean): void;
/**
 * self is this Worker's side of its channel to its creator: post and listen.
 * @returns {{post: (m: any, transfer?: Transferable[]) => void, listen: (fn: (data: any) => void) => void}}
 */
export function selfPort(): {
    post: (m: any, transfer?: Transferable[]) => void;
    listen: (fn: (data: any) => void) => void;
};
/**
 * isolated reports whether threads can run here: SharedArrayBuffer exists and, in a browser,
 * the page is cross-origin isolated.
 */
export function isolated(): boolean;
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
export function capabilities(): Capabilities;
/** isNode is true in Node.js (its main thread and its worker_threads), false in a browser. */
export const isNode: boolean;
/**
 * The dependencies the package loads at run time, by bare specifier. In Node they are resolved
 * from node_modules as usual; a bundler resolves and bundles them. A page without a bundler names
 * them in an import map, which its Workers do not see, so the page's main thread resolves each
 * specifier (remote.js's resolvedDeps: import.meta.resolve, which honours the import map) and
 * hands the URLs to every Worker it starts. (Not here: env.js is in every Worker too, where a
 * bundler may build it as a classic script, without import.meta.)
 */
export const depNames: string[];
/** The headers a page needs for threads. */
export const isolationHeaders: "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp";
export type AnyWorker = import("node:worker_threads").Worker | Worker;
/**
 * Capabilities is what a page or process offers wasmvec's guests (see capabilities).
 */
export type Capabilities = {
    /**
     * the page is cross-origin isolated (always true in Node)
     */
    crossOriginIsolated: boolean;
    /**
     * SharedArrayBuffer exists
     */
    sharedArrayBuffer: boolean;
    /**
     * a shared WebAssembly.Memory can be made
     */
    sharedMemory: boolean;
    /**
     * the engine validates simd128 (every guest of this project that uses SIMD needs it)
     */
    simd: boolean;
    /**
     * a threaded guest can run here (loadWorker of one needs this):
     * all of the first three
     */
    threads: boolean;
};
