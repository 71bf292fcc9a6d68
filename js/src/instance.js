// Instance: one instantiation of a guest, its buffers validated once,
// views re-derived from the memory's current buffer, and a kernel called by
// name with typed arguments. This is the in-thread core; remote.js hosts it
// in a Worker for threaded guests, timeouts and pools. Compiling is
// module.js, instantiating start.js.

import {
  CapacityError,
  ClosedError,
  LayoutError,
  MissingExportError,
  SignatureError,
  TrapError,
  WasmvecError,
  bounded,
  withStderr,
} from './errors.js';
import { arrayOf, checkWrite, sizeOf } from './contract.js';
import { GuestExit } from './wasi.js';

/** @typedef {import('./wasi.js').Output} Output */

/** @typedef {import('./contract.js').ValType} ValType */
/** @typedef {import('./contract.js').KernelDecl} KernelDecl */
/** @typedef {import('./contract.js').Contract} Contract */
/** @typedef {import('./module.js').Module} Module */

/**
 * One buffer of an instance's layout (Go: host.BufferInfo), as the guest declares it and the host validated it:
 * `capacity` elements of `type` at byte `offset` of linear memory.
 * @typedef {{name: string, type: ValType, offset: number, capacity: number}} BufferInfo
 */

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
 * A typed array of a buffer's element type.
 * @typedef {Int32Array | BigInt64Array | Float32Array | Float64Array} View
 */

/**
 * Instance is one instantiation of a guest: its memory and its validated buffers. Calls run in
 * the calling thread, one at a time (JavaScript runs one at a time anyway).
 */
export class Instance {
  /** @type {WebAssembly.Instance} */
  #wi;
  /** @type {BufferInfo[]} */
  #bufs = [];
  /** @type {Map<string, BufferInfo>} */
  #byName = new Map();
  /** @type {Map<string, View>} views of the current memory buffer */
  #views = new Map();
  /** @type {ArrayBuffer | SharedArrayBuffer | null} the buffer the cached views are of */
  #viewsOf = null;
  /** @type {Map<string, {fn: Function, k: KernelDecl}>} */
  #fns = new Map();
  /** @type {TrapError | null} why the guest can no longer be called: it called proc_exit in a call */
  #ended = null;
  /** @type {Output} the calling thread's stderr, kept for a trap */
  #out;
  /** @type {(() => void) | null} ends the thread Workers of a threaded guest */
  #terminate;

  /**
   * Instances are made by load, loadWorker and createPool (start.js), once the guest's runtime
   * has started: the constructor reads and validates the buffers (LayoutError, TrapError).
   * @param {Module} m
   * @param {WebAssembly.Instance} wi
   * @param {WebAssembly.Memory} memory
   * @param {number} threads
   * @param {Output} out the guest's stderr
   * @param {(() => void) | null} terminate ends the thread Workers of a threaded guest
   */
  constructor(m, wi, memory, threads, out, terminate) {
    /** The module it was made from. */
    this.module = m;
    /** The guest's name. */
    this.name = m.name;
    this.#wi = wi;
    /** The guest's linear memory. Its buffer changes when the guest grows it. */
    this.memory = memory;
    /** Threads each kernel call runs on: 1 for a guest that is not threaded. */
    this.threads = threads;
    /** Whether close was called (later calls throw ClosedError). */
    this.closed = false;
    /**
     * The byte offset of a threaded guest's stop word (the threads protocol's optional
     * get-stop-offset: RemoteInstance.stop raises it), or -1 when it has none.
     */
    this.stopOffset = -1;
    this.#out = out;
    this.#terminate = terminate;
    this.#readLayout();
  }

  /**
   * readLayout asks the guest for every buffer's offset and capacity, twice, and validates them
   * (as the Go host's readLayout): LayoutError naming the export, TrapError if one traps.
   * The overlap check sorts by offset: O(n log n) in the buffers.
   */
  #readLayout() {
    const ex = /** @type {Record<string, Function>} */ (this.#wi.exports);
    const ask = (/** @type {string} */ e) => {
      try {
        return ex[e]() >>> 0;
      } catch (err) {
        throw toTrap(this.name, e, err, this.#out);
      }
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
      this.#bufs.push({ name: d.name, type: d.type, offset: off, capacity });
      if (got[0] !== again[0] || got[1] !== again[1]) {
        faults[i] = new LayoutError(
          this.name,
          d.offsetExport,
          `buffer ${q}: offset and capacity (${got}) changed to (${again}) when asked again`,
        );
      } else if (capacity === 0) {
        faults[i] = new LayoutError(this.name, d.capacityExport, `buffer ${q}: capacity is 0`);
      } else if (off % sizeOf[d.type] !== 0) {
        faults[i] = new LayoutError(
          this.name,
          d.offsetExport,
          `buffer ${q}: offset ${off} is not ${sizeOf[d.type]}-byte aligned for ${d.type}`,
        );
      } else if (off + span > size) {
        faults[i] = new LayoutError(
          this.name,
          d.offsetExport,
          `buffer ${q} [${off}, ${off + span}) of ${capacity} elements runs past linear memory of ${size} bytes`,
        );
      } else {
        faults[i] = null;
      }
    });
    const end = (/** @type {BufferInfo} */ b) => b.offset + b.capacity * sizeOf[b.type];
    const order = this.#bufs.map((_, i) => i).sort((x, y) => this.#bufs[x].offset - this.#bufs[y].offset || x - y);
    let reach = -1; // the buffer reaching furthest so far in the sweep
    for (const i of order) {
      const b = this.#bufs[i];
      if (b.capacity > 0 && reach >= 0 && b.offset < end(this.#bufs[reach])) {
        const [early, late] = reach < i ? [reach, i] : [i, reach];
        const a = this.#bufs[early],
          l = this.#bufs[late];
        faults[late] ??= new LayoutError(
          this.name,
          decls[late].offsetExport,
          `buffer ${JSON.stringify(l.name)} [${l.offset}, ${end(l)}) overlaps buffer ${JSON.stringify(a.name)} [${a.offset}, ${end(a)})`,
        );
      }
      if (b.capacity > 0 && (reach < 0 || end(b) > end(this.#bufs[reach]))) reach = i;
    }
    const first = faults.find((f) => f);
    if (first) throw first;
    for (const b of this.#bufs) this.#byName.set(b.name, b);
  }

  /**
   * The buffers, as validated at instantiation, in export order.
   * @returns {BufferInfo[]}
   */
  get layout() {
    return this.#bufs.map((b) => ({ ...b }));
  }

  /**
   * buffer returns the named buffer's declaration. MissingExportError if the guest declares no
   * such buffer; ClosedError after close.
   * @param {string} name
   * @returns {BufferInfo}
   */
  buffer(name) {
    if (this.closed) throw this.#closedError('');
    const b = this.#byName.get(name);
    if (!b) {
      const known = this.#bufs.map((x) => x.name);
      throw new MissingExportError(
        this.name,
        `buffer-${name}`,
        `no buffer ${JSON.stringify(name)}; its buffers: ${known.join(', ') || 'none'}`,
      );
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
    if (buf !== this.#viewsOf) {
      this.#views.clear();
      this.#viewsOf = buf;
    }
    let v = this.#views.get(name);
    if (!v) {
      v = new arrayOf[b.type](buf, b.offset, b.capacity);
      this.#views.set(name, v);
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
    if (this.closed) throw this.#closedError(name);
    let f = this.#fns.get(name);
    if (!f) {
      const k = this.module.kernel(name);
      f = { fn: /** @type {Function} */ (this.#wi.exports[name]), k };
      this.#fns.set(name, f);
    }
    const p = f.k.params;
    if (args.length !== p.length) {
      const hint =
        args.length === 1 && Array.isArray(args[0])
          ? ": Instance.call takes its arguments spread, call(name, ...args) (an array is RemoteInstance.call's form)"
          : '';
      throw new SignatureError(this.name, name, `${args.length} arguments for func(${p.join(', ')})${hint}`);
    }
    for (let i = 0; i < p.length; i++) {
      const a = args[i];
      if (p[i] === 'i64') {
        if (typeof a === 'bigint' && a >= -(2n ** 63n) && a < 2n ** 64n) continue; // s64 or u64, no wrap
        if (Number.isSafeInteger(a)) {
          args[i] = BigInt(a);
          continue;
        }
      } else if (typeof a === 'number' && (p[i] !== 'i32' || (Number.isInteger(a) && a >= -0x80000000 && a < 0x100000000))) {
        continue;
      }
      const hint = Array.isArray(a)
        ? ": Instance.call takes its arguments spread, call(name, ...args) (an array is RemoteInstance.call's form)"
        : '';
      throw new SignatureError(
        this.name,
        name,
        `argument ${i} is ${typeof a === 'number' ? a : typeof a}, not an ${p[i]} (func(${p.join(', ')}))${hint}`,
      );
    }
    try {
      const r = f.fn(...args);
      if (this.#out.dirty) this.#out.reset(); // a call that returned: its stderr is not a trap's
      return r;
    } catch (e) {
      const t = toTrap(this.name, name, e, this.#out);
      if (e instanceof GuestExit && !this.#terminate) {
        // its runtime is gone: end the instance, as the Go host
        this.#ended = /** @type {TrapError} */ (t);
        this.closed = true;
      }
      throw t;
    }
  }

  /**
   * closedError is the ClosedError of a call of export name (or '') after close, or after the
   * guest ended (ended): then it says which trap ended it.
   * @param {string} name
   */
  #closedError(name) {
    return new ClosedError(
      this.name,
      name,
      this.#ended ? `the guest ended in an earlier call: ${this.#ended.message}` : 'the instance was closed',
    );
  }

  /**
   * close releases the instance; later calls throw ClosedError. Idempotent.
   * @returns {Promise<void>}
   */
  async close() {
    if (this.#terminate) {
      this.#terminate();
      this.#terminate = null;
    }
    this.closed = true;
    this.#views.clear();
    this.#viewsOf = null;
  }
}
