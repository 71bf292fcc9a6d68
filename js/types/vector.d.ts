/**
 * capacity returns the elements in each of A, B and RESULT (the smallest of the three).
 * @param {import('./instance.js').Instance} inst
 */
export function capacity(inst: import("./instance.js").Instance): number;
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
export function sum(inst: import("./instance.js").Instance, x: ArrayLike<number>, o?: VectorOptions): number;
/**
 * dot returns the canonical dot product of x and y (sum over p[i] = x[i]*y[i], each rounded):
 * the guest's "dot" (or "dot-simd"). LengthError if the lengths differ; else the errors of sum.
 * @param {import('./instance.js').Instance} inst
 * @param {ArrayLike<number>} x
 * @param {ArrayLike<number>} y
 * @param {VectorOptions} [o]
 * @returns {number}
 */
export function dot(inst: import("./instance.js").Instance, x: ArrayLike<number>, y: ArrayLike<number>, o?: VectorOptions): number;
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
export function mul(inst: import("./instance.js").Instance, a: ArrayLike<number>, b: ArrayLike<number>, o?: VectorOptions): Float64Array;
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
export function scale(inst: import("./instance.js").Instance, a: ArrayLike<number>, s: number, o?: VectorOptions): Float64Array;
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
export function sumBatch(inst: import("./instance.js").Instance, x: ArrayLike<number>, width: number): Float64Array;
/**
 * dotBatch returns the canonical dot product of each pair of vectors of width elements, from
 * the guest's "dot-batch"; the errors of sumBatch, and LengthError if the lengths differ.
 * @param {import('./instance.js').Instance} inst
 * @param {ArrayLike<number>} x
 * @param {ArrayLike<number>} y
 * @param {number} width
 * @returns {Float64Array}
 */
export function dotBatch(inst: import("./instance.js").Instance, x: ArrayLike<number>, y: ArrayLike<number>, width: number): Float64Array;
/** Elements per block of the canonical order (wit/vector.wit): 4096. */
export const BlockLen: 4096;
/**
 * The vector functions a Worker-hosted instance runs by name (the `vector` step of
 * RemoteInstance.run's Job), so that the compute Worker names none of them.
 * @type {Readonly<Record<string, (inst: import('./instance.js').Instance, ...args: any[]) => any>>}
 */
export const byName: Readonly<Record<string, (inst: import("./instance.js").Instance, ...args: any[]) => any>>;
/**
 * simd: call the guest's simd128 exports (same bits)
 */
export type VectorOptions = {
    simd?: boolean;
};
