// WASI preview 1 for guests, as the Go host offers it (host/instance.go,
// defineWASI; host/wasi.go): no files, arguments, environment or standard
// streams, and a poll_oneoff that never blocks, so no WASI call can hold a
// guest (a sleep would otherwise outlast any deadline). In Node and in a
// browser alike it is @bjorn3/browser_wasi_shim.

import { wasiShim } from './env.js';

/** WASI's errno values fd_write and poll_oneoff return. */
const errnoBadf = 8;
const errnoFault = 21;
const errnoInval = 28;
const errnoNotSup = 58;

/** The sizes of WASI's subscription and event records, and the most subscriptions one poll takes (host/wasi.go). */
const subscriptionSize = 48;
const eventSize = 32;
const maxSubscriptions = 1024;

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
export async function createWasi() {
  const { WASI } = await wasiShim();
  return /** @type {any} */ (new WASI([], [], [], { debug: false }));
}

const maxStderrPart = 512;
/** The most iovecs one fd_write takes (Linux's IOV_MAX), as in the Go host. */
const maxIovecs = 1024;

/**
 * Output is what a guest wrote to its standard error during the running call, as the Go host
 * keeps it for a trap (Trap.Stderr): all of it up to 1,024 bytes, else its first and last 512
 * with a line between them saying how many were left out. Standard output is dropped.
 */
export class Output {
  constructor() {
    /** @type {number[]} */ this.head = [];
    /** @type {number[]} */ this.tail = [];
    this.total = 0;
    /** Written to since the last reset. */
    this.dirty = false;
  }

  /**
   * keep adds bytes written to stderr.
   * @param {Uint8Array} p
   */
  keep(p) {
    this.dirty = true;
    this.total += p.length;
    let i = 0;
    while (i < p.length && this.head.length < maxStderrPart) this.head.push(p[i++]);
    const rest = p.subarray(i);
    if (rest.length >= maxStderrPart) {
      this.tail = Array.from(rest.subarray(rest.length - maxStderrPart));
      return;
    }
    const over = this.tail.length + rest.length - maxStderrPart;
    if (over > 0) this.tail.splice(0, over);
    for (const b of rest) this.tail.push(b);
  }

  /** @returns {string} the call's stderr as a trap keeps it; '' when it wrote none */
  stderr() {
    const dec = new TextDecoder();
    const cut = this.total - this.head.length - this.tail.length;
    const head = dec.decode(Uint8Array.from(this.head)),
      tail = dec.decode(Uint8Array.from(this.tail));
    return cut > 0 ? `${head}\n[… ${cut} bytes …]\n${tail}` : head + tail;
  }

  /** reset starts a new call. */
  reset() {
    this.head = [];
    this.tail = [];
    this.total = 0;
    this.dirty = false;
  }
}

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
export function fdWrite(memory, out, fd, iovs, iovsLen, nwritten) {
  if (fd !== 1 && fd !== 2) return errnoBadf;
  if (iovsLen > maxIovecs) return errnoInval;
  if (!memory) return errnoFault;
  const size = memory.buffer.byteLength;
  if (iovs + 8 * iovsLen > size || nwritten + 4 > size) return errnoFault;
  const v = new DataView(memory.buffer);
  const iov = [];
  let total = 0;
  for (let i = 0; i < iovsLen; i++) {
    const p = v.getUint32(iovs + 8 * i, true),
      n = v.getUint32(iovs + 8 * i + 4, true);
    if (p + n > size) return errnoFault;
    iov.push(p, n);
    total += n;
  }
  if (total > 0x7fffffff) return errnoInval;
  if (fd === 2) {
    const bytes = new Uint8Array(memory.buffer);
    for (let i = 0; i < iov.length; i += 2) if (iov[i + 1] > 0) out.keep(bytes.slice(iov[i], iov[i] + iov[i + 1]));
  }
  v.setUint32(nwritten, total, true);
  return 0;
}

/**
 * GuestExit is what the guest's proc_exit throws (the host's own proc_exit, in Node and in a
 * browser alike): startRuntime takes status 0 from `_start` as returning; anywhere else it is
 * a trap that ends the instance, as in the Go host.
 */
export class GuestExit extends Error {
  /** @param {number} status the guest's exit status */
  constructor(status) {
    super(`the guest called proc_exit(${status})`);
    /** The exit status. */
    this.status = status;
  }
}

/**
 * guestImports returns the WASI import object a guest gets from w: w's own functions, but
 * poll_oneoff (pollOneoff), which never blocks, fd_write (fdWrite), which keeps stderr in out
 * for a trap, and proc_exit, which throws a GuestExit, as in the Go host.
 * @param {Wasi} w
 * @param {() => WebAssembly.Memory | undefined} memory the guest's linear memory, once there is one
 * @param {Output} [out] where stderr goes; a new Output when not given
 * @returns {Record<string, Function>}
 */
export function guestImports(w, memory, out = new Output()) {
  /** @type {Record<string, Function>} */
  const imp = {};
  const src = w.wasiImport;
  for (const k of Object.keys(src)) imp[k] = typeof src[k] === 'function' ? src[k].bind(src) : src[k];
  imp.poll_oneoff = (/** @type {number} */ inp, /** @type {number} */ outp, /** @type {number} */ nsubs, /** @type {number} */ nevents) =>
    pollOneoff(memory(), inp >>> 0, outp >>> 0, nsubs >>> 0, nevents >>> 0);
  imp.fd_write = (/** @type {number} */ fd, /** @type {number} */ iovs, /** @type {number} */ n, /** @type {number} */ nwritten) =>
    fdWrite(memory(), out, fd >>> 0, iovs >>> 0, n >>> 0, nwritten >>> 0);
  imp.proc_exit = (/** @type {number} */ status) => {
    throw new GuestExit(status >>> 0);
  };
  return imp;
}

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
export function pollOneoff(memory, inp, outp, nsubs, nevents) {
  if (nsubs === 0 || nsubs > maxSubscriptions) return errnoInval;
  if (!memory) return errnoFault;
  const size = memory.buffer.byteLength;
  if (inp + nsubs * subscriptionSize > size || outp + nsubs * eventSize > size || nevents + 4 > size) return errnoFault;
  const v = new DataView(memory.buffer);
  for (let i = 0; i < nsubs; i++) {
    const s = inp + i * subscriptionSize;
    const e = outp + i * eventSize;
    const userdata = v.getBigUint64(s, true);
    const tag = v.getUint8(s + 8);
    for (let b = 0; b < eventSize; b += 4) v.setUint32(e + b, 0, true);
    v.setBigUint64(e, userdata, true);
    v.setUint16(e + 8, errnoNotSup, true);
    v.setUint8(e + 10, tag);
  }
  v.setUint32(nevents, nsubs, true);
  return 0;
}
