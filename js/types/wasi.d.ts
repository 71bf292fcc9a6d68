/**
 * createWasi returns a new WASI for one instance or thread.
 * @returns {Promise<Wasi>}
 */
export function createWasi(): Promise<Wasi>;
/**
 * guestImports returns the WASI import object a guest gets from w: w's own functions, but
 * poll_oneoff, which answers ENOTSUP at once (as in the Go host).
 * @param {Wasi} w
 * @returns {Record<string, Function>}
 */
export function guestImports(w: Wasi): Record<string, Function>;
/**
 * A WASI implementation for one instance (or one thread of a threaded instance).
 */
export type Wasi = {
    /**
     * the wasi_snapshot_preview1 import object
     */
    wasiImport: Record<string, Function>;
    /**
     * runs a reactor's _initialize
     */
    initialize: (instance: object) => void;
    /**
     * runs a command's _start; returns its exit status
     */
    start: (instance: object) => number;
};
