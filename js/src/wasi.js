// WASI preview 1 for guests, as the Go host offers it (host/instance.go,
// defineWASI): no files, arguments, environment or standard streams, and
// poll_oneoff answering ENOTSUP at once, so no WASI call can hold a guest
// (a sleep would otherwise outlast any deadline). In Node it is node:wasi;
// in a browser @bjorn3/browser_wasi_shim.

import { importDep, isNode } from './env.js';

/** WASI's ENOTSUP. */
const errnoNotSup = 58;

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
 * poll_oneoff, which answers ENOTSUP at once (as in the Go host).
 * @param {Wasi} w
 * @returns {Record<string, Function>}
 */
export function guestImports(w) {
  /** @type {Record<string, Function>} */
  const out = {};
  const src = w.wasiImport;
  for (const k of Object.keys(src)) out[k] = typeof src[k] === 'function' ? src[k].bind(src) : src[k];
  out.poll_oneoff = () => errnoNotSup;
  return out;
}
