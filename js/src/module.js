// Module: a guest's bytes read (readSource), checked against the limits,
// compiled, and its buffers and kernels read once from its exports
// (contract.js); load, compile and instantiate in one step. Instantiation
// is start.js; the instance, instance.js.

import { MissingExportError, ModuleError, OptionError, SignatureError, WasmvecError, bounded } from './errors.js';
import { DefaultMaxFunctions, DefaultMaxModuleBytes, checkCompileLimits, isReserved, parseModule, readContract } from './contract.js';
import { isNode, nodeBuiltin } from './env.js';
import { instantiateHere } from './start.js';

/** @typedef {import('./instance.js').Instance} Instance */

/** @typedef {import('./contract.js').ValType} ValType */
/** @typedef {import('./contract.js').KernelDecl} KernelDecl */
/** @typedef {import('./contract.js').Contract} Contract */

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
    throw new ModuleError(
      what
        .replace(/[?#].*$/, '')
        .split('/')
        .pop() || 'guest',
      '',
      `cannot read ${what}: ${/** @type {Error} */ (e).message}`,
      e,
    );
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
  const base = (/** @type {string} */ s) =>
    s
      .replace(/[?#].*$/, '')
      .split('/')
      .pop() || 'guest';
  if (
    source instanceof URL ||
    (typeof source === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(source) && !(isNode && /^[a-z]:\\/i.test(source)))
  ) {
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
  throw new OptionError(
    'guest',
    '',
    `a source is a Uint8Array, an ArrayBuffer, a URL or a path, not ${source === null ? 'null' : typeof source}`,
  );
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
  }

  /** Whether the guest is threaded (imports a shared env.memory and wasi.thread-spawn). */
  get threaded() {
    return this.contract.threaded;
  }

  /**
   * Every kernel: its name and its parameter and result types, in export order.
   * @returns {KernelDecl[]}
   */
  get kernels() {
    return [...this.contract.kernels.values()].map((k) => ({ ...k, params: [...k.params], results: [...k.results] }));
  }

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
    if (isReserved(name) && this.contract.functions.has(name))
      throw new MissingExportError(this.name, name, `${JSON.stringify(name)} is reserved by the contract, not a kernel; ${list}`);
    if (this.contract.nonFunctions.has(name)) throw new SignatureError(this.name, name, `export ${JSON.stringify(name)} is not a function`);
    throw new MissingExportError(this.name, name, `no kernel ${JSON.stringify(name)}; ${list}`);
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
    if (options.timeout)
      throw new OptionError(this.name, '', `timeout ${options.timeout}: a call in this thread cannot be interrupted; use loadWorker`);
    return instantiateHere(this, options);
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
