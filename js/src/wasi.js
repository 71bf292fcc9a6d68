// WASI preview 1 for guests, as the Go host offers it (host/instance.go,
// defineWASI; host/wasi.go): no files, arguments, environment or standard
// streams, and a poll_oneoff that never blocks, so no WASI call can hold a
// guest (a sleep would otherwise outlast any deadline). In Node it is
// node:wasi; in a browser @bjorn3/browser_wasi_shim.

import { importDep, isNode } from './env.js';

/** WASI's errno values poll_oneoff returns. */
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

/** @type {number | undefined} the null device, opened once per process, for every guest's stdio */
let devNull;

/**
 * createWasi returns a new WASI for one instance or thread.
 * @returns {Promise<Wasi>}
 */
export async function createWasi() {
  /** @type {any} */
  let w;
  if (isNode) {
    const [{ WASI }, fs, os] = await Promise.all([import('node:wasi'), import('node:fs'), import('node:os')]);
    devNull ??= fs.openSync(os.devNull, 'r+');
    w = new WASI({ version: 'preview1', args: [], env: {}, returnOnExit: true, stdin: devNull, stdout: devNull, stderr: devNull });
  } else {
    const { WASI } = await importDep('@bjorn3/browser_wasi_shim');
    w = new WASI([], [], [], { debug: false });
  }
  return w;
}

/**
 * guestImports returns the WASI import object a guest gets from w: w's own functions, but
 * poll_oneoff (pollOneoff), which never blocks, as in the Go host.
 * @param {Wasi} w
 * @param {() => WebAssembly.Memory | undefined} memory the guest's linear memory, once there is one
 * @returns {Record<string, Function>}
 */
export function guestImports(w, memory) {
  /** @type {Record<string, Function>} */
  const out = {};
  const src = w.wasiImport;
  for (const k of Object.keys(src)) out[k] = typeof src[k] === 'function' ? src[k].bind(src) : src[k];
  out.poll_oneoff = (/** @type {number} */ inp, /** @type {number} */ outp, /** @type {number} */ nsubs, /** @type {number} */ nevents) =>
    pollOneoff(memory(), inp >>> 0, outp >>> 0, nsubs >>> 0, nevents >>> 0);
  return out;
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
