// Module and Instance: the contract read once, an instance's buffers
// validated once, views re-derived from the memory's current buffer, and a
// kernel called by name with typed arguments. This is the in-thread core;
// remote.js hosts it in a Worker for threaded guests, timeouts and pools.

import {
  CapacityError, ClosedError, ImportError, IsolationError, LayoutError, LimitError, MissingExportError, ModuleError,
  OptionError, SignatureError, TrapError, WasmvecError, bounded, withStderr,
} from './errors.js';
import {
  DefaultMaxFunctions, DefaultMaxModuleBytes, MaxTableElements, MaxTimeout, PageSize, capLimits, checkCompileLimits,
  checkWrite, isReserved, parseModule, readContract, sizeOf,
} from './contract.js';
import { GuestExit, Output, createWasi, guestImports } from './wasi.js';
import { isNode, isolated, isolationHeaders, nodeBuiltin, givenDeps, nodeWorker, parallelism, wasiThreads } from './env.js';
import { ctlAbortOffset, ctlBudget, makeSpawn } from './threads.js';
import { setupKey } from './protocol.js';

/** The most memory an instance may have unless told otherwise, in bytes: 1 GiB (Go: DefaultMemoryLimit). */
export const DefaultMemoryLimit = 1 << 30;
/** The most threads an instance accepts (Go: MaxThreads). */
export const MaxThreads = 64;
/** The most linear memory a threaded guest gets, in bytes: 1 GiB (Go: MaxSharedMemory). */
export const MaxSharedMemory = 1 << 30;

/** @typedef {import('./contract.js').ValType} ValType */
/** @typedef {import('./contract.js').KernelDecl} KernelDecl */
/** @typedef {import('./contract.js').Contract} Contract */

/**
 * One buffer of an instance's layout (Go: host.BufferInfo), as the guest declares it and the host validated it:
 * `capacity` elements of `type` at byte `offset` of linear memory.
 * @typedef {{name: string, type: ValType, offset: number, capacity: number}} BufferInfo
 */

/**
 * Where a module comes from: its bytes, a URL (fetched, or read from disk for file: URLs in
 * Node), a path in Node, or an already compiled WebAssembly.Module (with its bytes unknown, so
 * it must come with them: use bytes or a URL).
 * @typedef {Uint8Array | ArrayBuffer | URL | string} Source
 */

/**
 * Options of compile.
 * @typedef {object} CompileOptions
 * @property {string} [name] the guest's name in errors (default: the file's base name, or 'guest')
 * @property {number} [maxModuleBytes] the largest module accepted, in bytes (default DefaultMaxModuleBytes, 8 MiB)
 * @property {number} [maxFunctions] the most functions it may define (default DefaultMaxFunctions, 20,000)
 */

/**
 * Options of instantiate (and load).
 * @typedef {object} InstanceOptions
 * @property {number} [threads] threads a threaded guest runs each kernel on (1 to MaxThreads; default the machine's parallelism); 1 for other guests
 * @property {number} [memoryLimit] the most linear memory, in bytes, from one 64 KiB page to 4 GiB (default DefaultMemoryLimit, 1 GiB)
 * @property {number} [timeout] milliseconds; only for Worker-hosted instances (loadWorker, createPool)
 */

/**
 * readSource returns the bytes of a source, and a name for the guest. A source that cannot be
 * read (a missing file, a URL that answers 404 or cannot be reached) is a ModuleError naming
 * it, with the underlying error as its cause; a value that is no source is an OptionError.
 * @param {Source} source
 * @returns {Promise<{bytes: Uint8Array, name: string}>}
 */
export async function readSource(source) {
  try {
    return await readSourceBytes(source);
  } catch (e) {
    if (e instanceof WasmvecError) throw e;
    const what = source instanceof URL ? source.href : String(source);
    throw new ModuleError(what.replace(/[?#].*$/, '').split('/').pop() || 'guest', '', `cannot read ${what}: ${/** @type {Error} */ (e).message}`, e);
  }
}

/**
 * readSourceBytes is readSource without the error conversion.
 * @param {Source} source
 * @returns {Promise<{bytes: Uint8Array, name: string}>}
 */
async function readSourceBytes(source) {
  if (source instanceof Uint8Array) return { bytes: source, name: 'guest' };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), name: 'guest' };
  const base = (/** @type {string} */ s) => s.replace(/[?#].*$/, '').split('/').pop() || 'guest';
  if (source instanceof URL || (typeof source === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(source) && !(isNode && /^[a-z]:\\/i.test(source)))) {
    const url = source instanceof URL ? source : new URL(source);
    if (isNode && url.protocol === 'file:') {
      const fs = /** @type {typeof import('node:fs/promises')} */ (nodeBuiltin('node:fs/promises'));
      return { bytes: new Uint8Array(await fs.readFile(url)), name: base(url.pathname) };
    }
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
    return { bytes: new Uint8Array(await r.arrayBuffer()), name: base(url.pathname) };
  }
  if (typeof source === 'string') {
    if (!isNode) return readSourceBytes(new URL(source, globalThis.location?.href));
    const fs = /** @type {typeof import('node:fs/promises')} */ (nodeBuiltin('node:fs/promises'));
    return { bytes: new Uint8Array(await fs.readFile(source)), name: base(source) };
  }
  throw new OptionError('guest', '', `a source is a Uint8Array, an ArrayBuffer, a URL or a path, not ${source === null ? 'null' : typeof source}`);
}

/**
 * compile compiles a guest and reads its buffers and kernels from its exports (the contract of
 * wit/README.md), as the Go host's Engine.Compile does.
 *
 *	const m = await compile(new URL('./guest.wasm', import.meta.url))
 *
 * # Errors
 *
 * It rejects with LimitError when the module is larger, or defines more functions, than the
 * limits (checked before compiling); ModuleError when the bytes are not a valid module, or use a
 * feature the Go host does not enable (several memories, a 64-bit memory, non-function types);
 * ImportError when it imports anything but WASI preview 1 functions (and, for a threaded guest,
 * a shared env.memory and wasi.thread-spawn of type func(i32) -> i32); MissingExportError,
 * SignatureError and LayoutError as the Go host does for the exports. A source that cannot be
 * read rejects with the platform's error.
 * @param {Source} source
 * @param {CompileOptions} [options]
 * @returns {Promise<Module>}
 */
export async function compile(source, options = {}) {
  const { bytes, name: fileName } = await readSource(source);
  return compileBytes(bytes, options.name ?? fileName, options);
}

/**
 * compileBytes is compile for bytes in hand.
 * @param {Uint8Array} bytes
 * @param {string} name
 * @param {CompileOptions} options
 */
export async function compileBytes(bytes, name, options = {}) {
  checkCompileLimits(name, bytes, options.maxModuleBytes ?? DefaultMaxModuleBytes, options.maxFunctions ?? DefaultMaxFunctions);
  try {
    await WebAssembly.compile(/** @type {BufferSource} */ (bytes));
  } catch (e) {
    throw new ModuleError(name, '', bounded(e), e);
  }
  let info;
  try {
    info = parseModule(bytes);
  } catch (e) {
    if (e instanceof WasmvecError) throw e;
    throw new ModuleError(name, '', bounded(e), e);
  }
  const contract = readContract(name, info);
  return new Module(name, bytes, info, contract);
}

/**
 * Module is a compiled guest whose imports and exports were checked against the contract: it
 * knows the guest's buffers and kernels. Instantiate it as often as needed; it can be sent to
 * Workers (its bytes are cloned).
 */
export class Module {
  /**
   * @param {string} name
   * @param {Uint8Array} bytes
   * @param {import('./contract.js').ModuleInfo} info
   * @param {Contract} contract
   */
  constructor(name, bytes, info, contract) {
    /** The guest's name, as given to compile. */
    this.name = name;
    /** The module's bytes, as compiled. */
    this.bytes = bytes;
    /** @internal */ this.info = info;
    /** @internal */ this.contract = contract;
    /** @internal @type {Map<number, Promise<WebAssembly.Module>>} compiled with the limits of each memory limit */
    this.compiled = new Map();
  }

  /** Whether the guest is threaded (imports a shared env.memory and wasi.thread-spawn). */
  get threaded() { return this.contract.threaded; }

  /**
   * Every kernel: its name and its parameter and result types, in export order.
   * @returns {KernelDecl[]}
   */
  get kernels() { return [...this.contract.kernels.values()].map((k) => ({ ...k, params: [...k.params], results: [...k.results] })); }

  /**
   * kernel returns the kernel named name. It throws MissingExportError when the guest has no such
   * kernel (naming the kernels it does export), or when the name is reserved by the contract;
   * SignatureError when the export is not a function.
   * @param {string} name
   * @returns {KernelDecl}
   */
  kernel(name) {
    const k = this.contract.kernels.get(name);
    if (k) return k;
    const known = [...this.contract.kernels.keys()];
    const list = known.length ? `its kernels: ${known.join(', ')}` : 'it exports no kernels';
    if (typeof name !== 'string') throw new MissingExportError(this.name, String(name), `a kernel is named by a string; ${list}`);
    if (isReserved(name) && this.contract.functions.has(name)) throw new MissingExportError(this.name, name, `${JSON.stringify(name)} is reserved by the contract, not a kernel; ${list}`);
    if (this.contract.nonFunctions.has(name)) throw new SignatureError(this.name, name, `export ${JSON.stringify(name)} is not a function`);
    throw new MissingExportError(this.name, name, `no kernel ${JSON.stringify(name)}; ${list}`);
  }

  /**
   * wasm returns the module compiled with its memory and table maxima lowered to the limits.
   * @internal
   * @param {number} maxPages
   * @returns {Promise<WebAssembly.Module>}
   */
  wasm(maxPages) {
    let p = this.compiled.get(maxPages);
    if (!p) {
      p = WebAssembly.compile(/** @type {BufferSource} */ (capLimits(this.bytes, this.info, maxPages)));
      this.compiled.set(maxPages, p);
    }
    return p;
  }

  /**
   * instantiate makes a new instance in the current thread: WASI preview 1 with no files,
   * arguments, environment or standard streams; the start function; `_initialize` (a reactor)
   * or else `_start` (a command whose main returns; exit status 0 counts as returning); then every
   * buffer's offset and capacity, read twice and validated against the memory.
   *
   * A threaded guest, and any timeout, needs a Worker: use loadWorker (a page's main thread
   * cannot block, and a call in this thread cannot be interrupted).
   *
   * # Errors
   *
   * OptionError for an option out of range, threads for a guest that is not threaded, or a
   * threaded guest or a timeout here; LimitError when the memory starts larger than memoryLimit,
   * or the module has more than one table or a table over MaxTableElements; TrapError (naming
   * "(start)", "_initialize", "_start" or the buffer export) when that code traps; ModuleError
   * when instantiation fails otherwise; LayoutError for a bad buffer declaration (capacity 0,
   * misaligned, past the memory, overlapping, or changing when asked again).
   * @param {InstanceOptions} [options]
   * @returns {Promise<Instance>}
   */
  async instantiate(options = {}) {
    if (this.threaded) {
      throw new OptionError(this.name, '', 'a threaded guest runs in a Worker, where its calling thread may wait: use loadWorker');
    }
    if (options.timeout) throw new OptionError(this.name, '', `timeout ${options.timeout}: a call in this thread cannot be interrupted; use loadWorker`);
    return instantiateHere(this, options);
  }
}

/**
 * validTimeout reports whether t is a timeout in milliseconds a timer can hold: a finite number
 * from 0 (none; allowed when zeroOK) to MaxTimeout. Infinity, NaN, negatives and larger values
 * are not (setTimeout would fire them at once, or never bound anything).
 * @param {unknown} t
 * @param {boolean} zeroOK
 */
export function validTimeout(t, zeroOK) {
  return typeof t === 'number' && Number.isFinite(t) && (t > 0 || (zeroOK && t === 0)) && t <= MaxTimeout;
}

/**
 * checkOptions validates instance options against a module, as the Go host's Instantiate does.
 * @param {Module} m
 * @param {InstanceOptions} o
 * @returns {{threads: number, memoryLimit: number, timeout: number}}
 */
export function checkOptions(m, o) {
  const threads = o.threads ?? (m.threaded ? Math.min(parallelism(), MaxThreads) : 1);
  const memoryLimit = o.memoryLimit ?? DefaultMemoryLimit;
  const timeout = o.timeout ?? 0;
  if (!Number.isInteger(threads) || threads < 1 || threads > MaxThreads) throw new OptionError(m.name, '', `threads ${threads}: want 1 to ${MaxThreads}`);
  if (!m.threaded && threads !== 1) throw new OptionError(m.name, '', `threads ${threads}: the guest is not threaded (it does not import a shared memory)`);
  if (!Number.isInteger(memoryLimit) || memoryLimit < PageSize || memoryLimit > 2 ** 32) throw new OptionError(m.name, '', `memoryLimit ${memoryLimit}: want ${PageSize} to ${2 ** 32} bytes`);
  if (!validTimeout(timeout, true)) throw new OptionError(m.name, '', `timeout ${String(timeout)}: want 0 (none) to ${MaxTimeout} milliseconds`);
  const c = m.contract;
  const limit = Math.floor(Math.min(memoryLimit, m.threaded ? MaxSharedMemory : 2 ** 32) / PageSize);
  if (c.memory.min > limit) throw new LimitError(m.name, 'memory', `the memory starts at ${c.memory.min * PageSize} bytes, over the limit of ${limit * PageSize}`);
  if (c.tables > 1) throw new LimitError(m.name, '', `${c.tables} tables; an instance may have one`);
  if (c.tableMin > MaxTableElements) throw new LimitError(m.name, '', `a table of ${c.tableMin} elements, over the limit of ${MaxTableElements}`);
  return { threads, memoryLimit, timeout };
}

/**
 * toTrap converts what guest code threw into a TrapError naming the export, with what the guest
 * wrote to stderr during the call first in its message and in its `stderr` (as the Go host's
 * Trap.Stderr: a Rust, C or Go panic's message); errors of the package itself pass through.
 * It resets out for the next call.
 * @param {string} guest
 * @param {string} exp
 * @param {unknown} e
 * @param {Output | null} [out] the instance's stderr
 */
export function toTrap(guest, exp, e, out) {
  if (e instanceof WasmvecError) return e;
  const stderr = out?.dirty ? out.stderr() : '';
  out?.reset();
  const t = new TrapError(guest, exp, withStderr(stderr, bounded(e)), e);
  /** What the guest wrote to stderr during the failing call (first and last 512 bytes), or ''. */
  t.stderr = stderr;
  return t;
}

/**
 * instantiateHere instantiates a module in this thread; for a threaded guest (only from a
 * Worker: remote.js) with its thread Workers started.
 * @param {Module} m
 * @param {InstanceOptions} options
 * @param {import('./threads.js').ThreadHooks} [hooks] what a compute Worker adds (threads, phases)
 * @returns {Promise<Instance>}
 */
export async function instantiateHere(m, options, hooks) {
  const o = checkOptions(m, options);
  const c = m.contract;
  const maxPages = Math.floor(Math.min(o.memoryLimit, 2 ** 32) / PageSize);
  const wasm = await m.wasm(maxPages);
  if (c.threaded) {
    if (!isolated()) throw new IsolationError(m.name, '', `SharedArrayBuffer is not available: serve the page with ${isolationHeaders}`);
    if (!hooks) throw new OptionError(m.name, '', 'a threaded guest runs in a Worker: use loadWorker');
    return startThreadedInstance(m, wasm, o, hooks);
  }
  const wasi = await createWasi();
  const out = new Output();
  /** @type {WebAssembly.Instance | undefined} */
  let wi;
  hooks?.phase?.('(start)');
  try {
    wi = await WebAssembly.instantiate(wasm, {
      wasi_snapshot_preview1: guestImports(wasi, () => /** @type {WebAssembly.Memory | undefined} */ (wi?.exports.memory), out),
    });
  } catch (e) {
    throw instantiateError(m.name, e);
  }
  const inst = new Instance(m, wi, /** @type {WebAssembly.Memory} */ (wi.exports.memory), 1);
  inst.out = out;
  startRuntime(m, wasi, wi, hooks?.phase, out);
  inst.readLayout();
  return inst;
}

/**
 * instantiateError classifies a failure of WebAssembly.instantiate.
 * @param {string} guest
 * @param {unknown} e
 */
export function instantiateError(guest, e) {
  if (e instanceof WebAssembly.RuntimeError) return new TrapError(guest, '(start)', bounded(e), e);
  // The start function called proc_exit (any status: it is no command's _start), as in Go.
  if (e instanceof GuestExit) return new TrapError(guest, '(start)', e.message, e);
  if (e instanceof WebAssembly.LinkError) return new ImportError(guest, '', bounded(e), e);
  if (e instanceof RangeError) return new LimitError(guest, '', bounded(e), e);
  return new ModuleError(guest, '', bounded(e), e);
}

/**
 * startRuntime runs the guest's start-up code once, as the Go host does: `_initialize`, else `_start`.
 * @param {Module} m
 * @param {import('./wasi.js').Wasi} wasi
 * @param {WebAssembly.Instance} wi
 * @param {(exp: string) => void} [phase] told which export starts running
 * @param {Output} [out] the instance's stderr, for a trap
 */
export function startRuntime(m, wasi, wi, phase, out) {
  if (!m.contract.start) { // a reactor; WASI is bound to the instance even without _initialize
    phase?.('_initialize');
    try { wasi.initialize(wi); } catch (e) { throw toTrap(m.name, '_initialize', e, out); }
  } else if (m.contract.start) {
    phase?.('_start');
    let status;
    try {
      status = wasi.start(wi);
    } catch (e) {
      if (!(e instanceof GuestExit)) throw toTrap(m.name, '_start', e, out);
      status = e.status;
    }
    if (status !== 0 && status !== undefined) throw new TrapError(m.name, '_start', `exited with status ${status}`);
  }
}

/**
 * startThreadedInstance makes the shared memory, the thread Workers and the instance, and starts
 * the guest's workers (start-workers), as the Go host's newThreads and startThreads do.
 * @param {Module} m
 * @param {WebAssembly.Module} wasm
 * @param {{threads: number, memoryLimit: number}} o
 * @param {import('./threads.js').ThreadHooks} hooks
 * @returns {Promise<Instance>}
 */
async function startThreadedInstance(m, wasm, o, hooks) {
  const { WASIThreads } = await wasiThreads();
  const lim = m.contract.memory;
  const capPages = Math.floor(Math.min(o.memoryLimit, MaxSharedMemory) / PageSize);
  const max = Math.min(lim.max ?? capPages, capPages);
  if (lim.min > max) throw new LimitError(m.name, 'memory', `shared memory of ${lim.min} pages exceeds the limit of ${max} pages`);
  let memory;
  try {
    memory = new WebAssembly.Memory({ initial: lim.min, maximum: max, shared: true });
  } catch (e) {
    throw new LimitError(m.name, 'memory', `a shared memory of ${lim.min}..${max} pages: ${e}`);
  }
  const slots = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const budget = o.threads - 1;
  const ctl = new Int32Array(new SharedArrayBuffer(16));
  Atomics.store(ctl, ctlBudget, budget);
  Atomics.store(ctl, ctlAbortOffset, -1);
  const deps = givenDeps();
  let nextSlot = 1;
  const wasi = await createWasi();
  const threads = new WASIThreads({
    wasi,
    reuseWorker: budget > 0 ? { size: budget, strict: true } : false,
    waitThreadStart: false,
    printErr: () => {}, // failures reach the caller as errors, not as console noise
    onCreateWorker: () => {
      const w = isNode ? nodeWorker('./thread-worker.js', `${m.name} thread`) :
        new Worker(new URL('./thread-worker.js', import.meta.url), { type: 'module' });
      /** @type {import('./protocol.js').ThreadSetup} */
      const setup = { ctl, slots, slot: nextSlot++, channel: hooks.channel, deps, guest: m.name };
      w.postMessage({ [setupKey]: setup });
      return w;
    },
  });
  const spawn = makeSpawn(ctl, (arg, slot) => threads.PThread.threadSpawn(arg, slot), slots, 0);
  let wi;
  const out = new Output(); // the calling thread's stderr, for its traps (Instance.out)
  hooks.phase?.('(start)');
  try {
    wi = await WebAssembly.instantiate(wasm, {
      env: { memory },
      wasi_snapshot_preview1: guestImports(wasi, () => memory, out),
      wasi: { 'thread-spawn': spawn },
    });
  } catch (e) {
    throw instantiateError(m.name, e);
  }
  threads.setup(wi, wasm, slots); // the result slots' memory
  threads.PThread.setup(wasm, memory); // the memory the thread Workers instantiate against
  try {
    await threads.preloadWorkers();
  } catch (e) {
    throw new ModuleError(m.name, '', `starting ${budget} thread Workers: ${e}`, e);
  }
  const inst = new Instance(m, wi, memory, o.threads);
  inst.out = out;
  inst.terminate = () => threads.terminateAllThreads();
  startRuntime(m, wasi, wi, hooks.phase, out);
  inst.readLayout();
  const ex = /** @type {Record<string, Function>} */ (wi.exports);
  let off;
  try { off = ex['get-abort-offset']() >>> 0; } catch (e) { throw toTrap(m.name, 'get-abort-offset', e); }
  const size = memory.buffer.byteLength;
  if (off % 4 !== 0 || off + 4 > size) {
    throw new LayoutError(m.name, 'get-abort-offset', `abort flag at ${off} is not a 4-byte-aligned u32 inside linear memory of ${size} bytes`);
  }
  for (const b of inst.layout) {
    const end = b.offset + b.capacity * (b.type === 'f64' || b.type === 'i64' ? 8 : 4);
    if (off < end && b.offset < off + 4) throw new LayoutError(m.name, 'get-abort-offset', `abort flag at ${off} lies in buffer ${JSON.stringify(b.name)} at ${b.offset}`);
  }
  Atomics.store(ctl, ctlAbortOffset, off);
  let started;
  hooks.phase?.('start-workers');
  try { started = ex['start-workers'](o.threads); } catch (e) { throw toTrap(m.name, 'start-workers', e); }
  if (started !== budget) throw new ModuleError(m.name, 'start-workers', `started ${started} of ${budget} workers`);
  return inst;
}

const arrayOf = /** @type {const} */ ({ i32: Int32Array, i64: BigInt64Array, f32: Float32Array, f64: Float64Array });

/**
 * A typed array of a buffer's element type.
 * @typedef {Int32Array | BigInt64Array | Float32Array | Float64Array} View
 */

/**
 * Instance is one instantiation of a guest: its memory and its validated buffers. Calls run in
 * the calling thread, one at a time (JavaScript runs one at a time anyway).
 */
export class Instance {
  /**
   * @param {Module} m
   * @param {WebAssembly.Instance} wi
   * @param {WebAssembly.Memory} memory
   * @param {number} threads
   */
  constructor(m, wi, memory, threads) {
    /** The module it was made from. */
    this.module = m;
    /** The guest's name. */
    this.name = m.name;
    /** @internal */ this.wi = wi;
    /** The guest's linear memory. Its buffer changes when the guest grows it. */
    this.memory = memory;
    /** Threads each kernel call runs on: 1 for a guest that is not threaded. */
    this.threads = threads;
    /** @internal @type {BufferInfo[]} */
    this.bufs = [];
    /** @internal @type {Map<string, BufferInfo>} */
    this.byName = new Map();
    /** @internal @type {Map<string, View>} views of the current memory buffer */
    this.views = new Map();
    /** @internal @type {ArrayBuffer | SharedArrayBuffer | null} the buffer the cached views are of */
    this.viewsOf = null;
    /** @internal @type {Map<string, {fn: Function, k: KernelDecl}>} */
    this.fns = new Map();
    /** Whether close was called (later calls throw ClosedError). */
    this.closed = false;
    /** @internal @type {(() => void) | null} ends the thread Workers of a threaded guest */
    this.terminate = null;
    /** @internal the calling thread's stderr, kept for a trap (instantiateHere gives the guest's own) */
    this.out = new Output();
    /** @internal @type {TrapError | null} why the guest can no longer be called: it called proc_exit in a call */
    this.ended = null;
  }

  /**
   * readLayout asks the guest for every buffer's offset and capacity, twice, and validates them
   * (as the Go host's readLayout): LayoutError naming the export, TrapError if one traps.
   * The overlap check sorts by offset: O(n log n) in the buffers.
   * @internal
   */
  readLayout() {
    const ex = /** @type {Record<string, Function>} */ (this.wi.exports);
    const ask = (/** @type {string} */ e) => {
      try { return ex[e]() >>> 0; } catch (err) { throw toTrap(this.name, e, err, this.out); }
    };
    // Each buffer's first fault, as the Go host finds them buffer by buffer in declaration
    // order: its own (capacity, alignment, bounds) or an overlap with one declared before it.
    // The overlaps come from one sweep in offset order: O(n log n), not every pair.
    const decls = this.module.contract.buffers;
    /** @type {(LayoutError | null)[]} */
    const faults = [];
    const answers = decls.map((d) => [
      [ask(d.offsetExport), ask(d.capacityExport)],
      [ask(d.offsetExport), ask(d.capacityExport)],
    ]);
    // The size after every answer: a guest may grow its memory for a buffer when first asked
    // for the buffer's offset (the Rust kit's threaded buffers do), and memory never shrinks.
    const size = this.memory.buffer.byteLength;
    decls.forEach((d, i) => {
      const [got, again] = answers[i];
      const q = JSON.stringify(d.name);
      const [off, capacity] = got;
      const span = capacity * sizeOf[d.type];
      this.bufs.push({ name: d.name, type: d.type, offset: off, capacity });
      if (got[0] !== again[0] || got[1] !== again[1]) {
        faults[i] = new LayoutError(this.name, d.offsetExport, `buffer ${q}: offset and capacity (${got}) changed to (${again}) when asked again`);
      } else if (capacity === 0) {
        faults[i] = new LayoutError(this.name, d.capacityExport, `buffer ${q}: capacity is 0`);
      } else if (off % sizeOf[d.type] !== 0) {
        faults[i] = new LayoutError(this.name, d.offsetExport, `buffer ${q}: offset ${off} is not ${sizeOf[d.type]}-byte aligned for ${d.type}`);
      } else if (off + span > size) {
        faults[i] = new LayoutError(this.name, d.offsetExport, `buffer ${q} [${off}, ${off + span}) of ${capacity} elements runs past linear memory of ${size} bytes`);
      } else {
        faults[i] = null;
      }
    });
    const end = (/** @type {BufferInfo} */ b) => b.offset + b.capacity * sizeOf[b.type];
    const order = this.bufs.map((_, i) => i).sort((x, y) => this.bufs[x].offset - this.bufs[y].offset || x - y);
    let reach = -1; // the buffer reaching furthest so far in the sweep
    for (const i of order) {
      const b = this.bufs[i];
      if (b.capacity > 0 && reach >= 0 && b.offset < end(this.bufs[reach])) {
        const [early, late] = reach < i ? [reach, i] : [i, reach];
        const a = this.bufs[early], l = this.bufs[late];
        faults[late] ??= new LayoutError(this.name, decls[late].offsetExport, `buffer ${JSON.stringify(l.name)} [${l.offset}, ${end(l)}) overlaps buffer ${JSON.stringify(a.name)} [${a.offset}, ${end(a)})`);
      }
      if (b.capacity > 0 && (reach < 0 || end(b) > end(this.bufs[reach]))) reach = i;
    }
    const first = faults.find((f) => f);
    if (first) throw first;
    for (const b of this.bufs) this.byName.set(b.name, b);
  }

  /**
   * The buffers, as validated at instantiation, in export order.
   * @returns {BufferInfo[]}
   */
  get layout() { return this.bufs.map((b) => ({ ...b })); }

  /**
   * buffer returns the named buffer's declaration. MissingExportError if the guest declares no
   * such buffer; ClosedError after close.
   * @param {string} name
   * @returns {BufferInfo}
   */
  buffer(name) {
    if (this.closed) throw this.closedError('');
    const b = this.byName.get(name);
    if (!b) {
      const known = this.bufs.map((x) => x.name);
      throw new MissingExportError(this.name, `buffer-${name}`, `no buffer ${JSON.stringify(name)}; its buffers: ${known.join(', ') || 'none'}`);
    }
    return b;
  }

  /**
   * view returns a typed array over the named buffer's `capacity` elements in linear memory
   * (Float64Array for f64, Float32Array, Int32Array, BigInt64Array for i64). The view is of the
   * memory's buffer now: after a call that grows the memory, ask again (a view kept across
   * calls may be detached, or see an old buffer). Cheap: views are cached per memory buffer.
   * MissingExportError for an unknown buffer, ClosedError after close.
   * @param {string} name
   * @returns {View}
   */
  view(name) {
    const b = this.buffer(name);
    const buf = this.memory.buffer;
    if (buf !== this.viewsOf) { this.views.clear(); this.viewsOf = buf; }
    let v = this.views.get(name);
    if (!v) {
      v = new arrayOf[b.type](buf, b.offset, b.capacity);
      this.views.set(name, v);
    }
    return v;
  }

  /**
   * write copies data into the named buffer at element offset `at` (default 0). It throws
   * CapacityError (LengthError's sibling) when at + data.length exceeds the capacity, and
   * SignatureError when data is not an array or typed array or an element is not of the
   * buffer's kind (see checkWrite: no silent conversion), and writes nothing then.
   * @param {string} name
   * @param {ArrayLike<number> | ArrayLike<bigint>} data
   * @param {number} [at]
   */
  write(name, data, at = 0) {
    const v = this.view(name);
    checkWrite(this.name, this.buffer(name), data, at);
    /** @type {any} */ (v).set(data, at);
  }

  /**
   * read copies `length` elements of the named buffer from element offset `at` (default 0) into
   * a new typed array. CapacityError when the range exceeds the capacity.
   * @param {string} name
   * @param {number} length
   * @param {number} [at]
   * @returns {View}
   */
  read(name, length, at = 0) {
    const v = this.view(name);
    if (!Number.isInteger(length) || !Number.isInteger(at) || at < 0 || length < 0 || at + length > v.length) {
      throw new CapacityError(this.name, name, `[${at}, ${at + length}) exceeds the capacity of ${v.length}`);
    }
    return v.slice(at, at + length);
  }

  /**
   * call calls the named kernel with args, one per parameter: a number for i32 (an integer in
   * [-2^31, 2^32)), f32 and f64; a bigint (or a safe integer) for i64. It returns the result: a
   * number (i32 signed, f32, f64), a bigint (i64), or undefined for a kernel with no result.
   *
   *	inst.write('x', xs); inst.write('y', ys)
   *	inst.call('axpy', 2, xs.length)
   *	const y = inst.read('y', xs.length)
   *
   * # Errors
   *
   * MissingExportError for an unknown kernel (naming those the guest exports); SignatureError
   * for the wrong number or type of arguments (before any guest code runs); TrapError when the
   * guest traps (the instance stays usable, as in the Go host); ClosedError after close.
   * @param {string} name
   * @param {...(number|bigint)} args
   * @returns {number | bigint | undefined}
   */
  call(name, ...args) {
    if (this.closed) throw this.closedError(name);
    let f = this.fns.get(name);
    if (!f) {
      const k = this.module.kernel(name);
      f = { fn: /** @type {Function} */ (this.wi.exports[name]), k };
      this.fns.set(name, f);
    }
    const p = f.k.params;
    if (args.length !== p.length) {
      const hint = args.length === 1 && Array.isArray(args[0]) ?
        ': Instance.call takes its arguments spread, call(name, ...args) (an array is RemoteInstance.call\'s form)' : '';
      throw new SignatureError(this.name, name, `${args.length} arguments for func(${p.join(', ')})${hint}`);
    }
    for (let i = 0; i < p.length; i++) {
      const a = args[i];
      if (p[i] === 'i64') {
        if (typeof a === 'bigint' && a >= -(2n ** 63n) && a < 2n ** 64n) continue; // s64 or u64, no wrap
        if (Number.isSafeInteger(a)) { args[i] = BigInt(a); continue; }
      } else if (typeof a === 'number' && (p[i] !== 'i32' || (Number.isInteger(a) && a >= -0x80000000 && a < 0x100000000))) {
        continue;
      }
      const hint = Array.isArray(a) ? ': Instance.call takes its arguments spread, call(name, ...args) (an array is RemoteInstance.call\'s form)' : '';
      throw new SignatureError(this.name, name, `argument ${i} is ${typeof a === 'number' ? a : typeof a}, not an ${p[i]} (func(${p.join(', ')}))${hint}`);
    }
    try {
      const r = f.fn(...args);
      if (this.out.dirty) this.out.reset(); // a call that returned: its stderr is not a trap's
      return r;
    } catch (e) {
      const t = toTrap(this.name, name, e, this.out);
      if (e instanceof GuestExit && !this.terminate) { // its runtime is gone: end the instance, as the Go host
        this.ended = /** @type {TrapError} */ (t);
        this.closed = true;
      }
      throw t;
    }
  }

  /**
   * closedError is the ClosedError of a call of export name (or '') after close, or after the
   * guest ended (ended): then it says which trap ended it.
   * @param {string} name
   * @internal
   */
  closedError(name) {
    return new ClosedError(this.name, name, this.ended ? `the guest ended in an earlier call: ${this.ended.message}` : 'the instance was closed');
  }

  /**
   * close releases the instance; later calls throw ClosedError. Idempotent.
   * @returns {Promise<void>}
   */
  async close() {
    if (this.terminate) { this.terminate(); this.terminate = null; }
    this.closed = true;
    this.views.clear();
    this.viewsOf = null;
  }
}

/**
 * load compiles source and instantiates it once in this thread: compile, then
 * Module.instantiate. Errors are theirs.
 * @param {Source} source
 * @param {CompileOptions & InstanceOptions} [options]
 * @returns {Promise<Instance>}
 */
export async function load(source, options = {}) {
  const m = await compile(source, options);
  return m.instantiate(options);
}
