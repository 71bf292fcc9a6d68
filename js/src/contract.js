// The buffer-and-kernel contract (wit/README.md), read from a module's
// binary the way the Go host reads it from Wasmtime's types (host/contract.go,
// host/module.go): JavaScript's WebAssembly API lists exports without their
// types, so the sections the contract needs (types, imports, functions,
// tables, memories, exports) are read here, after WebAssembly.compile has
// validated the bytes. Every count and index is checked against the bytes
// before it is used.

import { CapacityError, ImportError, LayoutError, LimitError, MissingExportError, ModuleError, SignatureError } from './errors.js';

/** The most parameters a kernel may take (Go: host.MaxParams). */
export const MaxParams = 16;
/** The most buffers a module may declare (Go: host.MaxBuffers): compile refuses more with LimitError. */
export const MaxBuffers = 4096;
/** The most kernels a module may export (Go: maxKernels). */
export const MaxKernels = 4096;
/** The largest module compile accepts unless told otherwise, in bytes (Go: DefaultMaxModuleBytes, 8 MiB). */
export const DefaultMaxModuleBytes = 8 << 20;
/** The most functions a module compile accepts may define unless told otherwise (Go: DefaultMaxFunctions). */
export const DefaultMaxFunctions = 20_000;
/** The most elements a table may have (Go: MaxTableElements, 65,536): a table's maximum is lowered to it. */
export const MaxTableElements = 1 << 16;
/** The most memory an instance may have unless told otherwise, in bytes: 1 GiB (Go: DefaultMemoryLimit). */
export const DefaultMemoryLimit = 1 << 30;
/** The most threads an instance accepts (Go: MaxThreads). */
export const MaxThreads = 64;
/** The most linear memory a threaded guest gets, in bytes: 1 GiB (Go: MaxSharedMemory). */
export const MaxSharedMemory = 1 << 30;
/** The longest timeout, in milliseconds, a timer can hold (2^31 - 1, about 24.8 days): setTimeout fires a longer one at once. */
export const MaxTimeout = 2 ** 31 - 1;

/** The WebAssembly page, in bytes. */
export const PageSize = 65536;

const WASI = 'wasi_snapshot_preview1';

/** Every function of WASI preview 1 (the Go host offers them all, through Wasmtime). */
export const wasiFunctions = new Set([
  'args_get',
  'args_sizes_get',
  'environ_get',
  'environ_sizes_get',
  'clock_res_get',
  'clock_time_get',
  'fd_advise',
  'fd_allocate',
  'fd_close',
  'fd_datasync',
  'fd_fdstat_get',
  'fd_fdstat_set_flags',
  'fd_fdstat_set_rights',
  'fd_filestat_get',
  'fd_filestat_set_size',
  'fd_filestat_set_times',
  'fd_pread',
  'fd_prestat_get',
  'fd_prestat_dir_name',
  'fd_pwrite',
  'fd_read',
  'fd_readdir',
  'fd_renumber',
  'fd_seek',
  'fd_sync',
  'fd_tell',
  'fd_write',
  'path_create_directory',
  'path_filestat_get',
  'path_filestat_set_times',
  'path_link',
  'path_open',
  'path_readlink',
  'path_remove_directory',
  'path_rename',
  'path_symlink',
  'path_unlink_file',
  'poll_oneoff',
  'proc_exit',
  'proc_raise',
  'sched_yield',
  'random_get',
  'sock_accept',
  'sock_recv',
  'sock_send',
  'sock_shutdown',
]);

/** Exports that are neither buffers nor kernels (wit/README.md, "Reserved"). */
const reservedNames = new Set([
  '_initialize',
  '_start',
  'start-workers',
  'stop-workers',
  'ping-workers',
  'get-abort-offset',
  'get-stop-offset',
  'wasi_thread_start',
  'malloc',
  'free',
  'calloc',
  'realloc',
]);

/**
 * isReserved reports whether a function export belongs to the runtime or the contract rather than being a kernel.
 * @param {string} name
 */
export function isReserved(name) {
  return (
    reservedNames.has(name) ||
    name.startsWith('cabi_') ||
    name.startsWith('__') ||
    name.startsWith('buffer-') ||
    name.startsWith('capacity-')
  );
}

/** @typedef {'i32'|'i64'|'f32'|'f64'} ValType one of the four numeric types of core WebAssembly */
/** @typedef {{params: string[], results: string[], numeric: boolean}} FuncType a function type; numeric is false if a type is not i32, i64, f32 or f64 */
/** @typedef {{min: number, max: number|undefined, shared: boolean, is64: boolean}} Limits limits in pages (memories) or elements (tables) */

/**
 * A buffer as the module declares it: its name, its element type, and the exports that give its offset and capacity.
 * @typedef {{name: string, type: ValType, offsetExport: string, capacityExport: string}} BufferDecl
 */

/**
 * A kernel: a function export with numeric parameters and at most one numeric result.
 * @typedef {{name: string, params: ValType[], results: ValType[]}} KernelDecl
 */

/** Bytes per element of each numeric type. */
export const sizeOf = /** @type {Record<ValType, number>} */ ({ i32: 4, i64: 8, f32: 4, f64: 8 });
/** The typed array of each element type: a buffer's view. */
export const arrayOf = /** @type {const} */ ({ i32: Int32Array, i64: BigInt64Array, f32: Float32Array, f64: Float64Array });

class Reader {
  /** @param {Uint8Array} b */
  constructor(b) {
    this.b = b;
    this.p = 0;
  }
  get done() {
    return this.p >= this.b.length;
  }
  byte() {
    if (this.p >= this.b.length) throw new RangeError('unexpected end of section');
    return this.b[this.p++];
  }
  /** an unsigned LEB128 of at most 64 bits, as a number (exact up to 2^53) */
  u() {
    let result = 0,
      mul = 1;
    for (let i = 0; i < 10; i++) {
      const x = this.byte();
      result += (x & 0x7f) * mul;
      if ((x & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new RangeError('LEB128 too long');
  }
  /** a signed LEB128 (s33 heap types): only skipped */
  s() {
    for (let i = 0; i < 10; i++) if ((this.byte() & 0x80) === 0) return;
    throw new RangeError('LEB128 too long');
  }
  name() {
    const n = this.u();
    if (n > this.b.length - this.p) throw new RangeError('name past the end of the section');
    const s = new TextDecoder('utf-8', { fatal: true }).decode(this.b.subarray(this.p, this.p + n));
    this.p += n;
    return s;
  }
  /** a count of items that take at least one byte each */
  count() {
    const n = this.u();
    if (n > this.b.length - this.p) throw new RangeError('count larger than the section');
    return n;
  }
  valtype() {
    const t = this.byte();
    switch (t) {
      case 0x7f:
        return 'i32';
      case 0x7e:
        return 'i64';
      case 0x7d:
        return 'f32';
      case 0x7c:
        return 'f64';
      case 0x7b:
        return 'v128';
      case 0x70:
        return 'funcref';
      case 0x6f:
        return 'externref';
      case 0x63:
      case 0x64:
        this.s();
        return 'ref';
      default:
        return `type 0x${t.toString(16)}`;
    }
  }
  limits() {
    const flags = this.byte();
    if (flags > 7) throw new RangeError(`limits flags 0x${flags.toString(16)}`);
    const min = this.u();
    const max = flags & 1 ? this.u() : undefined;
    return { min, max, shared: (flags & 2) !== 0, is64: (flags & 4) !== 0 };
  }
}

/**
 * The parts of a module's binary the contract needs.
 * @typedef {object} ModuleInfo
 * @property {FuncType[]} types
 * @property {{module: string, name: string, kind: string, type?: FuncType, limits?: Limits}[]} imports
 * @property {FuncType[]} funcs every function's type, imported ones first (the function index space)
 * @property {number} definedFuncs functions the module defines
 * @property {Limits[]} tables every table, imported ones first
 * @property {Limits[]} memories every memory, imported ones first
 * @property {{name: string, kind: number, index: number}[]} exports
 * @property {{id: number, head: number, start: number, end: number}[]} sections where each section (head: its id byte; start, end: its content) lies in the bytes
 */

/**
 * functionCount returns the count of the function section (the functions a module defines), or -1 when it cannot tell;
 * read before compiling, as the Go host's checkSize does.
 * @param {Uint8Array} b
 */
export function functionCount(b) {
  if (b.length < 8 || b[0] !== 0 || b[1] !== 0x61 || b[2] !== 0x73 || b[3] !== 0x6d) return -1;
  try {
    const r = new Reader(b);
    r.p = 8;
    while (!r.done) {
      const id = r.byte(),
        size = r.u();
      if (size > b.length - r.p) return -1;
      if (id === 3) return new Reader(b.subarray(r.p, r.p + size)).u();
      r.p += size;
    }
  } catch {
    /* malformed: WebAssembly.compile reports it */
  }
  return -1;
}

/**
 * parseModule reads the sections of a valid binary module.
 * @param {Uint8Array} b
 * @returns {ModuleInfo}
 */
export function parseModule(b) {
  /** @type {ModuleInfo} */
  const m = { types: [], imports: [], funcs: [], definedFuncs: 0, tables: [], memories: [], exports: [], sections: [] };
  const top = new Reader(b);
  top.p = 8;
  while (!top.done) {
    const head = top.p;
    const id = top.byte(),
      size = top.u();
    if (size > b.length - top.p) throw new RangeError('section past the end of the module');
    const start = top.p;
    m.sections.push({ id, head, start, end: start + size });
    const r = new Reader(b.subarray(start, start + size));
    top.p += size;
    switch (id) {
      case 1: // types
        for (let n = r.count(); n > 0; n--) {
          const form = r.byte();
          if (form !== 0x60) throw new TypeError(`type form 0x${form.toString(16)} (only function types are supported)`);
          const params = [],
            results = [];
          for (let k = r.count(); k > 0; k--) params.push(r.valtype());
          for (let k = r.count(); k > 0; k--) results.push(r.valtype());
          const numeric = [...params, ...results].every((t) => t in sizeOf);
          m.types.push({ params, results, numeric });
        }
        break;
      case 2: // imports
        for (let n = r.count(); n > 0; n--) {
          const module = r.name(),
            name = r.name(),
            kind = r.byte();
          if (kind === 0) {
            const t = m.types[r.u()];
            if (!t) throw new RangeError('import of an unknown type');
            m.imports.push({ module, name, kind: 'function', type: t });
            m.funcs.push(t);
          } else if (kind === 1) {
            r.valtype();
            const limits = r.limits();
            m.imports.push({ module, name, kind: 'table', limits });
            m.tables.push(limits);
          } else if (kind === 2) {
            const limits = r.limits();
            m.imports.push({ module, name, kind: 'memory', limits });
            m.memories.push(limits);
          } else if (kind === 3) {
            r.valtype();
            r.byte();
            m.imports.push({ module, name, kind: 'global' });
          } else {
            r.byte();
            r.u();
            m.imports.push({ module, name, kind: 'tag' });
          }
        }
        break;
      case 3: // functions
        for (let n = r.count(); n > 0; n--) {
          const t = m.types[r.u()];
          if (!t) throw new RangeError('function of an unknown type');
          m.funcs.push(t);
          m.definedFuncs++;
        }
        break;
      case 4: // tables
        for (let n = r.count(); n > 0; n--) {
          if (r.b[r.p] === 0x40) {
            r.p += 2;
          } // a table with an initialiser (function references)
          r.valtype();
          m.tables.push(r.limits());
        }
        break;
      case 5: // memories
        for (let n = r.count(); n > 0; n--) m.memories.push(r.limits());
        break;
      case 7: // exports
        for (let n = r.count(); n > 0; n--) m.exports.push({ name: r.name(), kind: r.byte(), index: r.u() });
        break;
    }
  }
  return m;
}

/**
 * What compile learns from a module: its buffers and kernels, whether it is threaded, and the limits of its memory.
 * @typedef {object} Contract
 * @property {BufferDecl[]} buffers in export order
 * @property {Map<string, KernelDecl>} kernels by name, in export order
 * @property {Set<string>} nonFunctions exports that are neither functions nor the memory
 * @property {Set<string>} functions every function export's name
 * @property {boolean} threaded imports a shared env.memory and wasi.thread-spawn
 * @property {Limits} memory the memory's limits, in pages
 * @property {number} tables tables, imported and defined
 * @property {number} tableMin the largest minimum of its tables, in elements
 * @property {boolean} start it exports _start (a WASI command) and no _initialize
 * @property {boolean} initialize it exports _initialize
 */

const sig = (/** @type {FuncType} */ t) => `func(${t.params.join(', ')})${t.results.length ? ' -> ' + t.results.join(', ') : ''}`;

/**
 * readContract checks a parsed module's imports and exports against the contract, as the Go host's
 * checkImports and readContract do, and returns what it declares. It throws ImportError,
 * MissingExportError, SignatureError, LayoutError or ModuleError (a feature the Go host does not
 * enable: more than one memory, a 64-bit memory), each naming guest and export.
 * @param {string} guest
 * @param {ModuleInfo} m
 * @returns {Contract}
 */
export function readContract(guest, m) {
  if (m.memories.length > 1) throw new ModuleError(guest, '', `${m.memories.length} memories: multi-memory is not enabled`);
  if (m.memories.some((l) => l.is64)) throw new ModuleError(guest, '', 'a 64-bit memory: memory64 is not enabled');
  let shared = false,
    spawn = false;
  for (const imp of m.imports) {
    if (imp.module === WASI && imp.kind === 'function') {
      if (!wasiFunctions.has(imp.name)) {
        throw new ImportError(guest, '', `${imp.module}.${imp.name} is not a WASI preview 1 function the host offers`);
      }
    } else if (imp.module === 'env' && imp.name === 'memory' && imp.kind === 'memory' && imp.limits?.shared) {
      shared = true;
    } else if (imp.module === 'wasi' && imp.name === 'thread-spawn' && imp.kind === 'function') {
      const t = /** @type {FuncType} */ (imp.type);
      if (sig(t) !== 'func(i32) -> i32') throw new ImportError(guest, '', `wasi.thread-spawn: want func(i32) -> i32`);
      spawn = true;
    } else {
      throw new ImportError(
        guest,
        '',
        `${imp.module}.${imp.name}: only functions of ${WASI}, and for a threaded guest a shared 32-bit env.memory and wasi.thread-spawn, are offered`,
      );
    }
  }
  if (shared !== spawn) {
    throw new ImportError(guest, '', 'a threaded guest imports both a shared env.memory and wasi.thread-spawn; this one imports only one');
  }
  /** @type {Map<string, FuncType>} */
  const funcs = new Map();
  /** @type {string[]} */
  const order = [];
  const nonFunctions = new Set();
  let memory = /** @type {Limits|undefined} */ (undefined);
  for (const e of m.exports) {
    if (e.name === 'memory') {
      if (e.kind !== 2) throw new SignatureError(guest, 'memory', 'export is not a memory');
      memory = m.memories[e.index];
      if (!memory) throw new ModuleError(guest, 'memory', 'export of an unknown memory');
      if (memory.shared && !shared)
        throw new SignatureError(guest, 'memory', 'a shared memory is only accepted as the import env.memory of a threaded guest');
      continue;
    }
    if (e.kind !== 0) {
      nonFunctions.add(e.name);
      continue;
    }
    const t = m.funcs[e.index];
    if (!t) throw new ModuleError(guest, e.name, 'export of an unknown function');
    funcs.set(e.name, t);
    order.push(e.name);
  }
  if (!memory) throw new MissingExportError(guest, 'memory', 'no linear memory exported');
  /** @type {BufferDecl[]} */
  const buffers = [];
  const byBuffer = new Map();
  for (const name of order) {
    if (!name.startsWith('buffer-')) continue;
    const rest = name.slice('buffer-'.length);
    const i = rest.lastIndexOf('-');
    if (i <= 0) throw new LayoutError(guest, name, 'a buffer export is named buffer-<name>-<type>, with <type> one of i32, i64, f32, f64');
    const bname = rest.slice(0, i),
      tname = rest.slice(i + 1);
    if (!(tname in sizeOf))
      throw new LayoutError(
        guest,
        name,
        `buffer ${JSON.stringify(bname)}: unknown element type ${JSON.stringify(tname)} (want i32, i64, f32 or f64)`,
      );
    if (byBuffer.has(bname))
      throw new LayoutError(guest, name, `buffer ${JSON.stringify(bname)} is declared twice (also by ${byBuffer.get(bname).offsetExport})`);
    const d = { name: bname, type: /** @type {ValType} */ (tname), offsetExport: name, capacityExport: 'capacity-' + bname };
    for (const e of [d.offsetExport, d.capacityExport]) {
      const t = funcs.get(e);
      if (!t)
        throw new MissingExportError(
          guest,
          e,
          `buffer ${JSON.stringify(bname)} needs ${d.offsetExport} and ${d.capacityExport}, each func() -> i32`,
        );
      if (sig(t) !== 'func() -> i32') throw new SignatureError(guest, e, `got ${sig(t)}, want func() -> i32`);
    }
    byBuffer.set(bname, d);
    buffers.push(d);
    if (buffers.length > MaxBuffers)
      throw new LimitError(guest, name, `more than ${MaxBuffers} buffers; at most ${MaxBuffers} are supported (MaxBuffers)`);
  }
  for (const name of order) {
    if (name.startsWith('capacity-') && !byBuffer.has(name.slice('capacity-'.length))) {
      const b = name.slice('capacity-'.length);
      throw new MissingExportError(guest, name, `capacity of buffer ${JSON.stringify(b)}, which no buffer-${b}-<type> export declares`);
    }
  }
  /** @type {Map<string, KernelDecl>} */
  const kernels = new Map();
  for (const name of order) {
    if (isReserved(name)) continue;
    const t = /** @type {FuncType} */ (funcs.get(name));
    if (!t.numeric) throw new SignatureError(guest, name, `got ${sig(t)}: a kernel takes and returns only i32, i64, f32 and f64`);
    if (t.results.length > 1) throw new SignatureError(guest, name, `got ${sig(t)}: a kernel returns at most one value`);
    if (t.params.length > MaxParams) throw new SignatureError(guest, name, `got ${sig(t)}: a kernel takes at most ${MaxParams} parameters`);
    kernels.set(name, { name, params: /** @type {ValType[]} */ (t.params), results: /** @type {ValType[]} */ (t.results) });
  }
  if (kernels.size > MaxKernels) throw new SignatureError(guest, '', `${kernels.size} kernels; at most ${MaxKernels} are supported`);
  // The start-up exports the host calls with no arguments (startRuntime), as the Go host checks.
  for (const name of ['_initialize', '_start']) {
    const t = funcs.get(name);
    if (t && sig(t) !== 'func()') throw new SignatureError(guest, name, `got ${sig(t)}, want func() (the host calls it with no arguments)`);
    if (!t && nonFunctions.has(name)) throw new SignatureError(guest, name, `export "${name}" is not a function`);
  }
  if (shared) {
    // Its threads start from state _initialize set up: without it, start-workers runs on memory
    // nobody initialised and can wait for ever (the Go host's check and message).
    const init = funcs.get('_initialize');
    if (!init)
      throw new ModuleError(
        guest,
        '_initialize',
        'a threaded guest cannot start without it: export _initialize of type func() (a WASI reactor)',
      );
    if (sig(init) !== 'func()') throw new SignatureError(guest, '_initialize', `got ${sig(init)}, want func()`);
    for (const [name, want] of [
      ['start-workers', 'func(i32) -> i32'],
      ['stop-workers', 'func()'],
      ['get-abort-offset', 'func() -> i32'],
      ['wasi_thread_start', 'func(i32, i32)'],
      ['ping-workers', 'func()'],
      ['get-stop-offset', 'func() -> i32'],
    ]) {
      const t = funcs.get(name);
      if (!t) {
        if (name === 'ping-workers' || name === 'get-stop-offset') continue; // optional
        throw new MissingExportError(guest, name, `a threaded guest exports it: want ${want}`);
      }
      if (sig(t) !== want) throw new SignatureError(guest, name, `got ${sig(t)}, want ${want}`);
    }
  }
  return {
    buffers,
    kernels,
    nonFunctions,
    functions: new Set(order),
    threaded: shared,
    memory,
    tables: m.tables.length,
    tableMin: Math.max(0, ...m.tables.map((t) => t.min)),
    start: funcs.has('_start') && !funcs.has('_initialize'),
    initialize: funcs.has('_initialize'),
  };
}

/**
 * capLimits returns the module's bytes with the maximum of every defined memory lowered to
 * maxPages and of every defined table to MaxTableElements, so that memory.grow and table.grow
 * past the limits return -1 to the guest, as the Go host's store limiter makes them. JavaScript
 * has no limiter to hook; rewriting the declared maxima is its equivalent. Imported memories are
 * created by the host with the capped maximum instead.
 * @param {Uint8Array} b a valid module
 * @param {ModuleInfo} m its parse
 * @param {number} maxPages
 * @returns {Uint8Array}
 */
export function capLimits(b, m, maxPages) {
  /** @type {Uint8Array[]} */
  const parts = [b.subarray(0, 8)];
  let changed = false;
  for (const s of m.sections) {
    const header = s.head;
    if (s.id !== 4 && s.id !== 5) {
      parts.push(b.subarray(header, s.end));
      continue;
    }
    const r = new Reader(b.subarray(s.start, s.end));
    /** @type {number[]} */
    const out = [];
    let n = r.count();
    leb(out, n);
    let ok = true;
    for (; n > 0; n--) {
      if (s.id === 4) {
        if (r.b[r.p] === 0x40) {
          ok = false;
          break;
        }
        const rt = r.p;
        r.valtype();
        out.push(...r.b.subarray(rt, r.p));
      }
      const l = r.limits();
      const cap = s.id === 5 ? maxPages : MaxTableElements;
      const max = l.max === undefined ? cap : Math.min(l.max, cap);
      if (max < l.min) {
        ok = false;
        break;
      } // refused before instantiating: leave as it is
      changed ||= l.max !== max;
      out.push(1 | (l.shared ? 2 : 0));
      leb(out, l.min);
      leb(out, max);
    }
    if (!ok || !r.done) {
      parts.push(b.subarray(header, s.end));
      continue;
    }
    const body = Uint8Array.from(out);
    /** @type {number[]} */
    const head = [s.id];
    leb(head, body.length);
    parts.push(Uint8Array.from(head), body);
  }
  if (!changed) return b;
  const total = parts.reduce((a, p) => a + p.length, 0);
  const res = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    res.set(p, o);
    o += p.length;
  }
  return res;
}

function leb(/** @type {number[]} */ out, /** @type {number} */ n) {
  do {
    let x = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) x |= 0x80;
    out.push(x);
  } while (n > 0);
}

/**
 * checkCompileLimits refuses, before compiling, a module over the size or function limits (LimitError), as the Go host's Compile does.
 * @param {string} guest
 * @param {Uint8Array} b
 * @param {number} maxBytes
 * @param {number} maxFunctions
 */
export function checkCompileLimits(guest, b, maxBytes, maxFunctions) {
  if (b.length > maxBytes) throw new LimitError(guest, '', `${b.length} bytes, over the compile limit of ${maxBytes} (maxModuleBytes)`);
  const n = functionCount(b);
  if (n > maxFunctions) throw new LimitError(guest, '', `${n} functions, over the compile limit of ${maxFunctions} (maxFunctions)`);
}

/** Typed arrays whose every element an i32 buffer holds as it is. */
const i32Exact = [Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array, Uint8ClampedArray];

/**
 * checkWrite checks, before a byte is copied, that data may be written into buffer b (of
 * capacity elements of type b.type) at element offset at: data is an array or a typed array
 * (SignatureError otherwise: a number, a string, an object, null); every element is of the
 * buffer's kind, with no silent conversion (SignatureError naming the first that is not: a
 * number for f32 and f64; an integer in [-2^31, 2^32) for i32; a bigint in [-2^63, 2^64) for
 * i64); and at + data.length is within the capacity (CapacityError). Typed arrays of a kind
 * that converts exactly (Float64Array into f64, Int32Array into i32, BigInt64Array into i64...)
 * are not looked at element by element.
 * @param {string} guest
 * @param {{name: string, type: ValType, capacity: number}} b
 * @param {unknown} data
 * @param {unknown} at
 */
export function checkWrite(guest, b, data, at) {
  if (data === null || typeof data !== 'object' || !(Array.isArray(data) || ArrayBuffer.isView(data)) || data instanceof DataView) {
    throw new SignatureError(
      guest,
      b.name,
      `write takes an array or a typed array of ${b.type === 'i64' ? 'bigints' : 'numbers'}, not ${data === null ? 'null' : typeof data}`,
    );
  }
  const d = /** @type {any} */ (data);
  if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at + d.length > b.capacity) {
    throw new CapacityError(guest, b.name, `${d.length} elements at ${String(at)} exceed the capacity of ${b.capacity}`);
  }
  const big = d instanceof BigInt64Array || d instanceof BigUint64Array;
  let exact; // every element converts as it is: nothing to look at
  if (b.type === 'i64') exact = big;
  else if (Array.isArray(d) || big) exact = false;
  else if (b.type === 'i32') exact = i32Exact.some((T) => d instanceof T);
  else exact = true; // any typed array of numbers into f32 or f64
  if (exact) return;
  for (let i = 0; i < d.length; i++) {
    const x = d[i];
    const ok =
      b.type === 'i64'
        ? typeof x === 'bigint' && x >= -(2n ** 63n) && x < 2n ** 64n
        : b.type === 'i32'
          ? typeof x === 'number' && Number.isInteger(x) && x >= -0x80000000 && x < 0x100000000
          : typeof x === 'number';
    if (!ok) {
      const want = { i64: 'a bigint in [-2^63, 2^64)', i32: 'an integer in [-2^31, 2^32)', f32: 'a number', f64: 'a number' }[b.type];
      throw new SignatureError(
        guest,
        b.name,
        `element ${i} is ${typeof x === 'number' || typeof x === 'bigint' ? String(x) : typeof x}, not ${want} (buffer of ${b.type})`,
      );
    }
  }
}
