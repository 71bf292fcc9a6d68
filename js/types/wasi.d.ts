/**
 * createWasi returns a new WASI for one instance or thread.
 * @returns {Promise<Wasi>}
 */
export function createWasi(): Promise<Wasi>;
/**
 * guestImports returns the WASI import object a guest gets from w: w's own functions, but
 * poll_oneoff (pollOneoff), which never blocks, as in the Go host.
 * @param {Wasi} w
 * @param {() => WebAssembly.Memory | undefined} memory the guest's linear memory, once there is one
 * @returns {Record<string, Function>}
 */
export function guestImports(w: Wasi, memory: () => WebAssembly.Memory | undefined): Record<string, Function>;
/**
 * pollOneoff is WASI's poll_oneoff(in, out, nsubscriptions, nevents) without blocking, as the
 * Go host's (host/wasi.go): each of the nsubs 48-byte subscriptions at byte offset inp is
 * answered at once by a 32-byte event at outp carrying its userdata and type with the error
 * ENOTSUP (58); the count goes to nevents and the call succeeds (0). So a sleep returns at
 * once: Go's runtime, which sleeps in its panic path and checks only the call's errno, goes
 * on to print its panic; Rust's std::thread::sleep sees the event's error and panics.
 * @param {WebAssembly.Memory | undefined} memory
 * @param {number} inp @param {number} outp @param {number} nsubs @param {number} nevents
 * @returns {number} 0; EINVAL (28) for no subscriptions or more than 1,024; EFAULT (21) for
 *   records past the memory (nothing written)
 */
export function pollOneoff(memory: WebAssembly.Memory | undefined, inp: number, outp: number, nsubs: number, nevents: number): number;
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
