/**
 * A WASI implementation for one instance (or one thread of a threaded instance).
 * @typedef {object} Wasi
 * @property {Record<string, Function>} wasiImport the wasi_snapshot_preview1 import object
 * @property {(instance: object) => void} initialize runs a reactor's _initialize
 * @property {(instance: object) => number} start runs a command's _start; returns its exit status
 */
/**
 * createWasi returns a new WASI for one instance or thread: @bjorn3/browser_wasi_shim, in Node
 * and in a browser alike (Node's node:wasi printed an ExperimentalWarning once per thread, and
 * the host answers every call a guest needs of it itself: fd_write, poll_oneoff and proc_exit
 * are guestImports' own; the shim gives no files, arguments or environment).
 * @returns {Promise<Wasi>}
 */
export function createWasi(): Promise<Wasi>;
/**
 * fdWrite is WASI's fd_write(fd, iovs, iovs_len, nwritten) as the Go host's (host/output.go):
 * fds 1 and 2 only (else EBADF, 8), at most 1,024 iovecs (else EINVAL, 28), every iovec
 * checked to lie in the memory before any byte is taken (else EFAULT, 21); stderr goes to out,
 * stdout is dropped, and the guest is told every byte was written.
 * @param {WebAssembly.Memory | undefined} memory
 * @param {Output} out
 * @param {number} fd @param {number} iovs @param {number} iovsLen @param {number} nwritten
 * @returns {number} the errno, 0 on success
 */
export function fdWrite(memory: WebAssembly.Memory | undefined, out: Output, fd: number, iovs: number, iovsLen: number, nwritten: number): number;
/**
 * guestImports returns the WASI import object a guest gets from w: w's own functions, but
 * poll_oneoff (pollOneoff), which never blocks, fd_write (fdWrite), which keeps stderr in out
 * for a trap, and proc_exit, which throws a GuestExit, as in the Go host.
 * @param {Wasi} w
 * @param {() => WebAssembly.Memory | undefined} memory the guest's linear memory, once there is one
 * @param {Output} [out] where stderr goes; a new Output when not given
 * @returns {Record<string, Function>}
 */
export function guestImports(w: Wasi, memory: () => WebAssembly.Memory | undefined, out?: Output): Record<string, Function>;
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
 * Output is what a guest wrote to its standard error during the running call, as the Go host
 * keeps it for a trap (Trap.Stderr): all of it up to 1,024 bytes, else its first and last 512
 * with a line between them saying how many were left out. Standard output is dropped.
 */
export class Output {
    /** @type {number[]} */ head: number[];
    /** @type {number[]} */ tail: number[];
    total: number;
    /** Written to since the last reset. */
    dirty: boolean;
    /**
     * keep adds bytes written to stderr.
     * @param {Uint8Array} p
     */
    keep(p: Uint8Array): void;
    /** @returns {string} the call's stderr as a trap keeps it; '' when it wrote none */
    stderr(): string;
    /** reset starts a new call. */
    reset(): void;
}
/**
 * GuestExit is what the guest's proc_exit throws (the host's own proc_exit, in Node and in a
 * browser alike): startRuntime takes status 0 from `_start` as returning; anywhere else it is
 * a trap that ends the instance, as in the Go host.
 */
export class GuestExit extends Error {
    /** @param {number} status the guest's exit status */
    constructor(status: number);
    /** The exit status. */
    status: number;
}
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
