// Instantiation, in this thread or a compute Worker's: WASI, the start
// function and _initialize (or _start), the buffers' layout read and
// validated; for a threaded guest the shared memory, its thread Workers
// (threads.js) and start-workers, as the Go host's load sequence
// (host/load.go) does.

import { ImportError, IsolationError, LayoutError, LimitError, ModuleError, OptionError, TrapError, bounded } from './errors.js';
import { DefaultMemoryLimit, MaxSharedMemory, MaxTableElements, MaxThreads, MaxTimeout, PageSize, capLimits } from './contract.js';
import { GuestExit, Output, createWasi, guestImports } from './wasi.js';
import { givenDeps, isNode, isolated, isolationHeaders, nodeWorker, parallelism, wasiThreads } from './env.js';
import { ctlAbortOffset, ctlBudget, makeSpawn } from './threads.js';
import { setupKey } from './protocol.js';
import { Instance, toTrap } from './instance.js';

/** @typedef {import('./module.js').Module} Module */
/** @typedef {import('./module.js').InstanceOptions} InstanceOptions */

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
  if (!Number.isInteger(threads) || threads < 1 || threads > MaxThreads)
    throw new OptionError(m.name, '', `threads ${threads}: want 1 to ${MaxThreads}`);
  if (!m.threaded && threads !== 1)
    throw new OptionError(m.name, '', `threads ${threads}: the guest is not threaded (it does not import a shared memory)`);
  if (!Number.isInteger(memoryLimit) || memoryLimit < PageSize || memoryLimit > 2 ** 32)
    throw new OptionError(m.name, '', `memoryLimit ${memoryLimit}: want ${PageSize} to ${2 ** 32} bytes`);
  if (!validTimeout(timeout, true))
    throw new OptionError(m.name, '', `timeout ${String(timeout)}: want 0 (none) to ${MaxTimeout} milliseconds`);
  const c = m.contract;
  const limit = Math.floor(Math.min(memoryLimit, m.threaded ? MaxSharedMemory : 2 ** 32) / PageSize);
  if (c.memory.min > limit)
    throw new LimitError(m.name, 'memory', `the memory starts at ${c.memory.min * PageSize} bytes, over the limit of ${limit * PageSize}`);
  if (c.tables > 1) throw new LimitError(m.name, '', `${c.tables} tables; an instance may have one`);
  if (c.tableMin > MaxTableElements)
    throw new LimitError(m.name, '', `a table of ${c.tableMin} elements, over the limit of ${MaxTableElements}`);
  return { threads, memoryLimit, timeout };
}

/** @type {WeakMap<Module, Map<number, Promise<WebAssembly.Module>>>} each module compiled once per memory limit */
const compiled = new WeakMap();

/**
 * wasmOf returns module m compiled with its memory and table maxima lowered to maxPages pages of
 * 64 KiB (capLimits), compiling it once per limit.
 * @param {Module} m
 * @param {number} maxPages
 * @returns {Promise<WebAssembly.Module>}
 */
function wasmOf(m, maxPages) {
  let byLimit = compiled.get(m);
  if (!byLimit) compiled.set(m, (byLimit = new Map()));
  let p = byLimit.get(maxPages);
  if (!p) {
    p = WebAssembly.compile(/** @type {BufferSource} */ (capLimits(m.bytes, m.info, maxPages)));
    byLimit.set(maxPages, p);
  }
  return p;
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
  const wasm = await wasmOf(m, maxPages);
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
  startRuntime(m, wasi, wi, hooks?.phase, out);
  return new Instance(m, wi, /** @type {WebAssembly.Memory} */ (wi.exports.memory), 1, out, null);
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
  if (!m.contract.start) {
    // a reactor; WASI is bound to the instance even without _initialize
    phase?.('_initialize');
    try {
      wasi.initialize(wi);
    } catch (e) {
      throw toTrap(m.name, '_initialize', e, out);
    }
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
      const w = isNode
        ? nodeWorker('./thread-worker.js', `${m.name} thread`)
        : new Worker(new URL('./thread-worker.js', import.meta.url), { type: 'module' });
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
  startRuntime(m, wasi, wi, hooks.phase, out);
  const inst = new Instance(m, wi, memory, o.threads, out, () => threads.terminateAllThreads());
  const ex = /** @type {Record<string, Function>} */ (wi.exports);
  /**
   * flagAt reads the byte offset of a flag word from export exp and validates it (as the Go
   * host's flagAt): 4-byte aligned, inside linear memory, in no buffer.
   * @param {string} exp
   * @param {string} what
   */
  const flagAt = (exp, what) => {
    let off;
    try {
      off = ex[exp]() >>> 0;
    } catch (e) {
      throw toTrap(m.name, exp, e);
    }
    const size = memory.buffer.byteLength;
    if (off % 4 !== 0 || off + 4 > size) {
      throw new LayoutError(m.name, exp, `${what} at ${off} is not a 4-byte-aligned u32 inside linear memory of ${size} bytes`);
    }
    for (const b of inst.layout) {
      const end = b.offset + b.capacity * (b.type === 'f64' || b.type === 'i64' ? 8 : 4);
      if (off < end && b.offset < off + 4)
        throw new LayoutError(m.name, exp, `${what} at ${off} lies in buffer ${JSON.stringify(b.name)} at ${b.offset}`);
    }
    return off;
  };
  const off = flagAt('get-abort-offset', 'abort flag');
  if (typeof ex['get-stop-offset'] === 'function') {
    const stop = flagAt('get-stop-offset', 'stop word');
    if (stop === off) throw new LayoutError(m.name, 'get-stop-offset', `the stop word at ${stop} is the abort flag`);
    inst.stopOffset = stop;
  }
  Atomics.store(ctl, ctlAbortOffset, off);
  let started;
  hooks.phase?.('start-workers');
  try {
    started = ex['start-workers'](o.threads);
  } catch (e) {
    throw toTrap(m.name, 'start-workers', e);
  }
  if (started !== budget) throw new ModuleError(m.name, 'start-workers', `started ${started} of ${budget} workers`);
  return inst;
}
