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
/** isNode is true in Node.js (its main thread and its worker_threads), false in a browser. */
export const isNode: boolean;
/** The headers a page needs for threads. */
export const isolationHeaders: "Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp";
export type AnyWorker = import("node:worker_threads").Worker | Worker;
