/**
 * setDeps records where the dependencies are (URLs by specifier), in a Worker.
 * @param {Record<string, string>} d
 */
export function setDeps(d: Record<string, string>): void;
/**
 * resolvedDeps returns the URL of every dependency, resolved where this code runs (a page's
 * main thread: through its import map), to pass to Workers.
 * @returns {Record<string, string>}
 */
export function resolvedDeps(): Record<string, string>;
/**
 * importDep imports a dependency by its bare specifier, from the URL a page gave, if any.
 * @param {string} name
 * @returns {Promise<any>}
 */
export function importDep(name: string): Promise<any>;
/**
 * parallelism returns the number of logical processors (os.availableParallelism in Node,
 * navigator.hardwareConcurrency in a browser), at least 1.
 */
export function parallelism(): number;
/** @typedef {import('node:worker_threads').Worker | Worker} AnyWorker */
/**
 * newWorker starts a module Worker from url: a worker_threads Worker in Node, a Web Worker in a browser.
 * @param {URL} url
 * @param {string} name
 * @returns {AnyWorker}
 */
export function newWorker(url: URL, name: string): AnyWorker;
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
