// The vector world (wit/vector.wit) as a client of the core: its kernels
// looked up by name, its streaming of long inputs, and its guard words,
// over an Instance's views. The same bits as the Go host's typed methods
// (host.Instance.Sum, …) for every guest of the world.

import { CapacityError, ContractError, LengthError, MissingExportError, OptionError, SignatureError } from './errors.js';

/** Elements per block of the canonical order (wit/vector.wit): 4096. */
export const BlockLen = 4096;

/** What the guard words hold during a call: a signalling NaN no kernel computes by accident (Go: guardBits). */
const guardBits = 0x7ff4deadbeefcafen;

/**
 * Options of the vector functions.
 * @typedef {{simd?: boolean}} VectorOptions simd: call the guest's simd128 exports (same bits)
 */

/** The vector world's kernels and their core signatures (wit/vector.wit), in world order. */
const worldKernels = /** @type {[string, string][]} */ ([
  ['sum', 'i32->f64'],
  ['sum-fold', 'f64,i32->f64'],
  ['sum-simd', 'i32->f64'],
  ['sum-simd-fold', 'f64,i32->f64'],
  ['dot', 'i32->f64'],
  ['dot-fold', 'f64,i32->f64'],
  ['dot-simd', 'i32->f64'],
  ['dot-simd-fold', 'f64,i32->f64'],
  ['sum-blocks', 'i32->'],
  ['dot-blocks', 'i32->'],
  ['sum-batch', 'i32,i32->'],
  ['dot-batch', 'i32,i32->'],
  ['mul', 'i32->'],
  ['mul-simd', 'i32->'],
  ['scale', 'f64,i32->'],
  ['scale-simd', 'f64,i32->'],
]);

/** @type {WeakMap<object, Error | null>} why a module does not implement the world, or null */
const checked = new WeakMap();

/**
 * world checks, once per module, that it implements the vector world: buffers a, b and result
 * of f64 and every kernel of the world with its signature. It throws MissingExportError or
 * SignatureError naming the export, as the Go host's typed methods do at their first call.
 * @param {import('./instance.js').Instance} inst
 */
function world(inst) {
  // (Told by its shape, not instanceof: this module imports none of instance.js.)
  if (inst === null || typeof inst !== 'object' || typeof (/** @type {any} */ (inst).view) !== 'function' || !inst.module) {
    const remote = inst !== null && typeof inst === 'object' && 'run' in inst;
    throw new OptionError(
      remote ? /** @type {any} */ (inst).name : '',
      '',
      remote
        ? 'the vector functions take an Instance of this thread (load): for a RemoteInstance or a Pool, run({ vector: [name, args] })'
        : `the vector functions take an Instance (load), not ${inst === null ? 'null' : typeof inst}`,
    );
  }
  const m = inst.module;
  let err = checked.get(m);
  if (err === undefined) {
    err = null;
    try {
      for (const n of ['a', 'b', 'result']) {
        const b = m.contract.buffers.find((d) => d.name === n);
        if (!b) throw new MissingExportError(m.name, `buffer-${n}-f64`, `the vector world declares buffer ${JSON.stringify(n)} of f64`);
        if (b.type !== 'f64')
          throw new SignatureError(m.name, b.offsetExport, `the vector world's buffer ${JSON.stringify(n)} holds f64, not ${b.type}`);
      }
      for (const [name, want] of worldKernels) {
        if (m.contract.nonFunctions.has(name)) throw new SignatureError(m.name, name, `export is not a function, want ${want}`);
        const k = m.contract.kernels.get(name);
        if (!k) throw new MissingExportError(m.name, name, `the vector world exports it: want ${want}`);
        const got = `${k.params.join(',')}->${k.results.join(',')}`;
        if (got !== want) throw new SignatureError(m.name, name, `got ${got}, want ${want}`);
      }
    } catch (e) {
      err = /** @type {Error} */ (e);
    }
    checked.set(m, err);
  }
  if (err) throw err;
}

/**
 * numbers checks the vector functions' inputs (each named, null when absent) before anything is
 * copied: an array or typed array of numbers, every element a number (a string, a bigint, an
 * object is SignatureError naming the input and the element), so that nothing converts
 * silently (['1', '2'] summed to 3). Typed arrays of numbers are taken as they are.
 * @param {import('./instance.js').Instance} inst
 * @param {string} kernel
 * @param {Record<string, unknown>} inputs x and y, or a and b; y and b null when the function has none
 */
function numbers(inst, kernel, inputs) {
  for (const [name, v] of Object.entries(inputs)) {
    if ((v === null || v === undefined) && (name === 'y' || name === 'b')) continue; // absent: sum, scale
    if (typeof v !== 'object' || v === null || !(Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView)))) {
      throw new SignatureError(inst.name, kernel, `${name} is ${v === null ? 'null' : typeof v}, not an array or a typed array of numbers`);
    }
    if (v instanceof BigInt64Array || v instanceof BigUint64Array)
      throw new SignatureError(inst.name, kernel, `${name} holds bigints, not numbers`);
    if (!Array.isArray(v)) continue;
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== 'number') throw new SignatureError(inst.name, kernel, `${name}[${i}] is ${typeof v[i]}, not a number`);
    }
  }
}

/**
 * guarded calls kernel with a guard word after the live elements of each buffer (A[inLen],
 * B[inLen], RESULT[out] when inside the capacity), restores them, and throws ContractError when
 * the kernel changed one, as the Go host's guardedCall does.
 * @param {import('./instance.js').Instance} inst
 * @param {number} cap the buffers' capacity (capacity(inst))
 * @param {string} kernel
 * @param {number} inLen
 * @param {number} out
 * @param {...number} args
 */
function guarded(inst, cap, kernel, inLen, out, ...args) {
  const bits = (/** @type {string} */ n) => {
    const v = inst.view(n);
    return new BigInt64Array(v.buffer, v.byteOffset, v.length);
  };
  /** @type {[string, number][]} */
  const g = [];
  if (inLen < cap) g.push(['a', inLen], ['b', inLen]);
  if (out < cap) g.push(['result', out]);
  const guard = BigInt.asIntN(64, guardBits);
  const saved = g.map(([n, i]) => {
    const v = bits(n),
      old = v[i];
    v[i] = guard;
    return old;
  });
  /** @type {number | bigint | undefined} */
  let r;
  /** @type {boolean[]} which guard words the kernel wrote */
  let hit = [];
  try {
    r = inst.call(kernel, ...args);
  } finally {
    // fresh views: the call may have grown the memory. None when the call ended the instance
    // (a proc_exit): its trap is the error to report.
    if (!inst.closed) {
      hit = g.map(([n, i]) => bits(n)[i] !== guard);
      g.forEach(([n, i], k) => {
        bits(n)[i] = saved[k];
      });
    }
  }
  // Only after a call that returned: a trap is the error to report.
  if (hit.some(Boolean)) {
    throw new ContractError(
      inst.name,
      kernel,
      `the kernel wrote a guard word (${g.map(([n, i], k) => `${n.toUpperCase()}[${i}] ${hit[k]}`).join(', ')}), where the contract forbids it`,
    );
  }
  return r;
}

/**
 * capacity returns the elements in each of A, B and RESULT (the smallest of the three).
 * @param {import('./instance.js').Instance} inst
 */
export function capacity(inst) {
  return Math.min(inst.buffer('a').capacity, inst.buffer('b').capacity, inst.buffer('result').capacity);
}

/**
 * reduce runs a folding kernel over x (and y), streaming chunks of whole blocks through the
 * -fold export when the input is longer than the capacity.
 * @param {import('./instance.js').Instance} inst
 * @param {string} whole
 * @param {ArrayLike<number>} x
 * @param {ArrayLike<number> | null} y
 * @param {VectorOptions} o
 */
function reduce(inst, whole, x, y, o) {
  const k = o.simd ? `${whole}-simd` : whole;
  const fold = `${k}-fold`;
  world(inst);
  numbers(inst, k, { x, y });
  const cap = capacity(inst);
  const load = (/** @type {number} */ s, /** @type {number} */ e) => {
    f64(inst, 'a').set(sub(x, s, e));
    if (y) f64(inst, 'b').set(sub(y, s, e));
  };
  if (x.length <= cap) {
    load(0, x.length);
    return /** @type {number} */ (guarded(inst, cap, k, x.length, 0, x.length));
  }
  const chunk = Math.floor(cap / BlockLen) * BlockLen;
  if (chunk === 0)
    throw new CapacityError(
      inst.name,
      k,
      `${x.length} elements, capacity ${cap} is below one block (${BlockLen}) so the input cannot be streamed`,
    );
  let acc = -0;
  for (let s = 0; s < x.length; s += chunk) {
    const e = Math.min(s + chunk, x.length);
    load(s, e);
    acc = /** @type {number} */ (guarded(inst, cap, fold, e - s, 0, acc, e - s));
  }
  return acc;
}

/** f64 returns a vector-world buffer's view (world() checked it is f64). */
function f64(/** @type {import('./instance.js').Instance} */ inst, /** @type {string} */ n) {
  return /** @type {Float64Array} */ (inst.view(n));
}

function sub(/** @type {ArrayLike<number>} */ x, /** @type {number} */ s, /** @type {number} */ e) {
  return ArrayBuffer.isView(x) ? /** @type {Float64Array} */ (x).subarray(s, e) : Array.prototype.slice.call(x, s, e);
}

/**
 * sum returns the canonical sum of x, computed by the guest's "sum" (or "sum-simd") export:
 *
 *	if (x.length === 0) return +0
 *	acc = -0; for each block of 4096: acc = acc + tree(16 lane sums of the block)
 *
 * Inputs longer than the capacity are streamed through "sum-fold". Errors: TrapError,
 * ContractError (a guard word changed), CapacityError (cannot stream), MissingExportError or
 * SignatureError (not a vector-world guest).
 * @param {import('./instance.js').Instance} inst
 * @param {ArrayLike<number>} x
 * @param {VectorOptions} [o]
 * @returns {number}
 */
export function sum(inst, x, o = {}) {
  return reduce(inst, 'sum', x, null, o);
}

/**
 * dot returns the canonical dot product of x and y (sum over p[i] = x[i]*y[i], each rounded):
 * the guest's "dot" (or "dot-simd"). LengthError if the lengths differ; else the errors of sum.
 * @param {import('./instance.js').Instance} inst
 * @param {ArrayLike<number>} x
 * @param {ArrayLike<number>} y
 * @param {VectorOptions} [o]
 * @returns {number}
 */
export function dot(inst, x, y, o = {}) {
  if (x.length !== y.length) throw new LengthError(inst.name, o.simd ? 'dot-simd' : 'dot', `x ${x.length}, y ${y.length}`);
  return reduce(inst, 'dot', x, y, o);
}

/**
 * elementwise runs mul or scale in chunks of the capacity.
 * @param {import('./instance.js').Instance} inst
 * @param {string} base
 * @param {ArrayLike<number>} a
 * @param {ArrayLike<number> | null} b
 * @param {number} s
 * @param {VectorOptions} o
 */
function elementwise(inst, base, a, b, s, o) {
  const k = o.simd ? `${base}-simd` : base;
  world(inst);
  numbers(inst, k, { a, b });
  if (b && a.length !== b.length) throw new LengthError(inst.name, k, `a ${a.length}, b ${b.length}`);
  const cap = capacity(inst);
  const out = new Float64Array(a.length);
  for (let st = 0; st === 0 || st < a.length; st += cap) {
    const e = Math.min(st + cap, a.length);
    f64(inst, 'a').set(sub(a, st, e));
    if (b) {
      f64(inst, 'b').set(sub(b, st, e));
      guarded(inst, cap, k, e - st, e - st, e - st);
    } else {
      guarded(inst, cap, k, e - st, e - st, s, e - st);
    }
    out.set(f64(inst, 'result').subarray(0, e - st), st);
  }
  return out;
}

/**
 * mul returns the elementwise product, from the guest's "mul" (or "mul-simd"):
 *
 *	for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i]
 *
 * LengthError unless a and b have the same length; TrapError, ContractError.
 * @param {import('./instance.js').Instance} inst
 * @param {ArrayLike<number>} a
 * @param {ArrayLike<number>} b
 * @param {VectorOptions} [o]
 * @returns {Float64Array}
 */
export function mul(inst, a, b, o = {}) {
  return elementwise(inst, 'mul', a, b, 0, o);
}

/**
 * scale returns s times a, from the guest's "scale" (or "scale-simd"):
 *
 *	for (let i = 0; i < a.length; i++) out[i] = s * a[i]
 *
 * TrapError, ContractError.
 * @param {import('./instance.js').Instance} inst
 * @param {ArrayLike<number>} a
 * @param {number} s
 * @param {VectorOptions} [o]
 * @returns {Float64Array}
 */
export function scale(inst, a, s, o = {}) {
  return elementwise(inst, 'scale', a, null, s, o);
}

/**
 * batch runs sum-batch or dot-batch: count = x.length / width vectors of width elements.
 * @param {import('./instance.js').Instance} inst
 * @param {string} k
 * @param {ArrayLike<number>} x
 * @param {ArrayLike<number> | null} y
 * @param {number} width
 */
function batch(inst, k, x, y, width) {
  world(inst);
  numbers(inst, k, { x, y });
  if (!Number.isInteger(width) || width < 1 || x.length % width !== 0 || (y && y.length !== x.length)) {
    throw new LengthError(inst.name, k, `${x.length} elements${y ? ` and ${y.length}` : ''} are not vectors of width ${width}`);
  }
  const count = x.length / width,
    cap = capacity(inst);
  if (x.length > cap) throw new CapacityError(inst.name, k, `${x.length} elements exceed the capacity of ${cap}; batches are not streamed`);
  f64(inst, 'a').set(x);
  if (y) f64(inst, 'b').set(y);
  guarded(inst, cap, k, x.length, count, count, width);
  return f64(inst, 'result').slice(0, count);
}

/**
 * sumBatch returns the canonical sum of each of the x.length / width vectors of x, from the
 * guest's "sum-batch": out[j] = sum(x[j·width .. (j+1)·width)). LengthError unless x.length is
 * a multiple of width ≥ 1; CapacityError past the capacity (not streamed); TrapError,
 * ContractError.
 * @param {import('./instance.js').Instance} inst
 * @param {ArrayLike<number>} x
 * @param {number} width
 * @returns {Float64Array}
 */
export function sumBatch(inst, x, width) {
  return batch(inst, 'sum-batch', x, null, width);
}

/**
 * dotBatch returns the canonical dot product of each pair of vectors of width elements, from
 * the guest's "dot-batch"; the errors of sumBatch, and LengthError if the lengths differ.
 * @param {import('./instance.js').Instance} inst
 * @param {ArrayLike<number>} x
 * @param {ArrayLike<number>} y
 * @param {number} width
 * @returns {Float64Array}
 */
export function dotBatch(inst, x, y, width) {
  return batch(inst, 'dot-batch', x, y, width);
}

/**
 * The vector functions a Worker-hosted instance runs by name (the `vector` step of
 * RemoteInstance.run's Job), so that the compute Worker names none of them.
 * @type {Readonly<Record<string, (inst: import('./instance.js').Instance, ...args: any[]) => any>>}
 */
export const byName = Object.freeze({ sum, dot, mul, scale, sumBatch, dotBatch });
