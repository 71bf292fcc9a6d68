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
export function toTrap(guest: string, exp: string, e: unknown, out?: Output | null): WasmvecError;
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
     * Instances are made by load, loadWorker and createPool (start.js), once the guest's runtime
     * has started: the constructor reads and validates the buffers (LayoutError, TrapError).
     * @param {Module} m
     * @param {WebAssembly.Instance} wi
     * @param {WebAssembly.Memory} memory
     * @param {number} threads
     * @param {Output} out the guest's stderr
     * @param {(() => void) | null} terminate ends the thread Workers of a threaded guest
     */
    constructor(m: Module, wi: WebAssembly.Instance, memory: WebAssembly.Memory, threads: number, out: Output, terminate: (() => void) | null);
    /** The module it was made from. */
    module: import("./module.js").Module;
    /** The guest's name. */
    name: string;
    /** The guest's linear memory. Its buffer changes when the guest grows it. */
    memory: WebAssembly.Memory;
    /** Threads each kernel call runs on: 1 for a guest that is not threaded. */
    threads: number;
    /** Whether close was called (later calls throw ClosedError). */
    closed: boolean;
    /**
     * The byte offset of a threaded guest's stop word (the threads protocol's optional
     * get-stop-offset: RemoteInstance.stop raises it), or -1 when it has none.
     */
    stopOffset: number;
    /**
     * The buffers, as validated at instantiation, in export order.
     * @returns {BufferInfo[]}
     */
    get layout(): BufferInfo[];
    /**
     * buffer returns the named buffer's declaration. MissingExportError if the guest declares no
     * such buffer; ClosedError after close.
     * @param {string} name
     * @returns {BufferInfo}
     */
    buffer(name: string): BufferInfo;
    /**
     * view returns a typed array over the named buffer's `capacity` elements in linear memory
     * (Float64Array for f64, Float32Array, Int32Array, BigInt64Array for i64). The view is of the
     * memory's buffer now: after a call that grows the memory, ask again (a view kept across
     * calls may be detached, or see an old buffer). Cheap: views are cached per memory buffer.
     * MissingExportError for an unknown buffer, ClosedError after close.
     * @param {string} name
     * @returns {View}
     */
    view(name: string): View;
    /**
     * write copies data into the named buffer at element offset `at` (default 0). It throws
     * CapacityError (LengthError's sibling) when at + data.length exceeds the capacity, and
     * SignatureError when data is not an array or typed array or an element is not of the
     * buffer's kind (see checkWrite: no silent conversion), and writes nothing then.
     * @param {string} name
     * @param {ArrayLike<number> | ArrayLike<bigint>} data
     * @param {number} [at]
     */
    write(name: string, data: ArrayLike<number> | ArrayLike<bigint>, at?: number): void;
    /**
     * read copies `length` elements of the named buffer from element offset `at` (default 0) into
     * a new typed array. CapacityError when the range exceeds the capacity.
     * @param {string} name
     * @param {number} length
     * @param {number} [at]
     * @returns {View}
     */
    read(name: string, length: number, at?: number): View;
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
    call(name: string, ...args: (number | bigint)[]): number | bigint | undefined;
    /**
     * close releases the instance; later calls throw ClosedError. Idempotent.
     * @returns {Promise<void>}
     */
    close(): Promise<void>;
    #private;
}
export type Output = import("./wasi.js").Output;
export type ValType = import("./contract.js").ValType;
export type KernelDecl = import("./contract.js").KernelDecl;
export type Contract = import("./contract.js").Contract;
export type Module = import("./module.js").Module;
/**
 * One buffer of an instance's layout (Go: host.BufferInfo), as the guest declares it and the host validated it:
 * `capacity` elements of `type` at byte `offset` of linear memory.
 */
export type BufferInfo = {
    name: string;
    type: ValType;
    offset: number;
    capacity: number;
};
/**
 * A typed array of a buffer's element type.
 */
export type View = Int32Array | BigInt64Array | Float32Array | Float64Array;
import { WasmvecError } from './errors.js';
