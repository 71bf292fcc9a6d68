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
export function readSource(source: Source): Promise<{
    bytes: Uint8Array;
    name: string;
}>;
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
export function compile(source: Source, options?: CompileOptions): Promise<Module>;
/**
 * compileBytes is compile for bytes in hand.
 * @param {Uint8Array} bytes
 * @param {string} name
 * @param {CompileOptions} options
 */
export function compileBytes(bytes: Uint8Array, name: string, options?: CompileOptions): Promise<Module>;
/**
 * validTimeout reports whether t is a timeout in milliseconds a timer can hold: a finite number
 * from 0 (none; allowed when zeroOK) to MaxTimeout. Infinity, NaN, negatives and larger values
 * are not (setTimeout would fire them at once, or never bound anything).
 * @param {unknown} t
 * @param {boolean} zeroOK
 */
export function validTimeout(t: unknown, zeroOK: boolean): boolean;
/**
 * checkOptions validates instance options against a module, as the Go host's Instantiate does.
 * @param {Module} m
 * @param {InstanceOptions} o
 * @returns {{threads: number, memoryLimit: number, timeout: number}}
 */
export function checkOptions(m: Module, o: InstanceOptions): {
    threads: number;
    memoryLimit: number;
    timeout: number;
};
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
 * instantiateHere instantiates a module in this thread; for a threaded guest (only from a
 * Worker: remote.js) with its thread Workers started.
 * @param {Module} m
 * @param {InstanceOptions} options
 * @param {import('./threads.js').ThreadHooks} [hooks] what a compute Worker adds (threads, phases)
 * @returns {Promise<Instance>}
 */
export function instantiateHere(m: Module, options: InstanceOptions, hooks?: import("./threads.js").ThreadHooks): Promise<Instance>;
/**
 * instantiateError classifies a failure of WebAssembly.instantiate.
 * @param {string} guest
 * @param {unknown} e
 */
export function instantiateError(guest: string, e: unknown): ModuleError | TrapError | LimitError;
/**
 * startRuntime runs the guest's start-up code once, as the Go host does: `_initialize`, else `_start`.
 * @param {Module} m
 * @param {import('./wasi.js').Wasi} wasi
 * @param {WebAssembly.Instance} wi
 * @param {(exp: string) => void} [phase] told which export starts running
 * @param {Output} [out] the instance's stderr, for a trap
 */
export function startRuntime(m: Module, wasi: import("./wasi.js").Wasi, wi: WebAssembly.Instance, phase?: (exp: string) => void, out?: Output): void;
/**
 * load compiles source and instantiates it once in this thread: compile, then
 * Module.instantiate. Errors are theirs.
 * @param {Source} source
 * @param {CompileOptions & InstanceOptions} [options]
 * @returns {Promise<Instance>}
 */
export function load(source: Source, options?: CompileOptions & InstanceOptions): Promise<Instance>;
/** The most memory an instance may have unless told otherwise, in bytes: 1 GiB (Go: DefaultMemoryLimit). */
export const DefaultMemoryLimit: number;
/** The most threads an instance accepts (Go: MaxThreads). */
export const MaxThreads: 64;
/** The most linear memory a threaded guest gets, in bytes: 1 GiB (Go: MaxSharedMemory). */
export const MaxSharedMemory: number;
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
    constructor(name: string, bytes: Uint8Array, info: import("./contract.js").ModuleInfo, contract: Contract);
    /** The guest's name, as given to compile. */
    name: string;
    /** The module's bytes, as compiled. */
    bytes: Uint8Array<ArrayBufferLike>;
    /** @internal */ info: import("./contract.js").ModuleInfo;
    /** @internal */ contract: import("./contract.js").Contract;
    /** @internal @type {Map<number, Promise<WebAssembly.Module>>} compiled with the limits of each memory limit */
    compiled: Map<number, Promise<WebAssembly.Module>>;
    /** Whether the guest is threaded (imports a shared env.memory and wasi.thread-spawn). */
    get threaded(): boolean;
    /**
     * Every kernel: its name and its parameter and result types, in export order.
     * @returns {KernelDecl[]}
     */
    get kernels(): KernelDecl[];
    /**
     * kernel returns the kernel named name. It throws MissingExportError when the guest has no such
     * kernel (naming the kernels it does export), or when the name is reserved by the contract;
     * SignatureError when the export is not a function.
     * @param {string} name
     * @returns {KernelDecl}
     */
    kernel(name: string): KernelDecl;
    /**
     * wasm returns the module compiled with its memory and table maxima lowered to the limits.
     * @internal
     * @param {number} maxPages
     * @returns {Promise<WebAssembly.Module>}
     */
    wasm(maxPages: number): Promise<WebAssembly.Module>;
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
    instantiate(options?: InstanceOptions): Promise<Instance>;
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
    /**
     * @param {Module} m
     * @param {WebAssembly.Instance} wi
     * @param {WebAssembly.Memory} memory
     * @param {number} threads
     */
    constructor(m: Module, wi: WebAssembly.Instance, memory: WebAssembly.Memory, threads: number);
    /** The module it was made from. */
    module: Module;
    /** The guest's name. */
    name: string;
    /** @internal */ wi: WebAssembly.Instance;
    /** The guest's linear memory. Its buffer changes when the guest grows it. */
    memory: WebAssembly.Memory;
    /** Threads each kernel call runs on: 1 for a guest that is not threaded. */
    threads: number;
    /** @internal @type {BufferInfo[]} */
    bufs: BufferInfo[];
    /** @internal @type {Map<string, BufferInfo>} */
    byName: Map<string, BufferInfo>;
    /** @internal @type {Map<string, View>} views of the current memory buffer */
    views: Map<string, View>;
    /** @internal @type {ArrayBuffer | SharedArrayBuffer | null} the buffer the cached views are of */
    viewsOf: ArrayBuffer | SharedArrayBuffer | null;
    /** @internal @type {Map<string, {fn: Function, k: KernelDecl}>} */
    fns: Map<string, {
        fn: Function;
        k: KernelDecl;
    }>;
    /** Whether close was called (later calls throw ClosedError). */
    closed: boolean;
    /** @internal @type {(() => void) | null} ends the thread Workers of a threaded guest */
    terminate: (() => void) | null;
    /** @internal the calling thread's stderr, kept for a trap (instantiateHere gives the guest's own) */
    out: Output;
    /** @internal @type {TrapError | null} why the guest can no longer be called: it called proc_exit in a call */
    ended: TrapError | null;
    /**
     * readLayout asks the guest for every buffer's offset and capacity, twice, and validates them
     * (as the Go host's readLayout): LayoutError naming the export, TrapError if one traps.
     * The overlap check sorts by offset: O(n log n) in the buffers.
     * @internal
     */
    readLayout(): void;
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
     * closedError is the ClosedError of a call of export name (or '') after close, or after the
     * guest ended (ended): then it says which trap ended it.
     * @param {string} name
     * @internal
     */
    closedError(name: string): ClosedError;
    /**
     * close releases the instance; later calls throw ClosedError. Idempotent.
     * @returns {Promise<void>}
     */
    close(): Promise<void>;
}
export type ValType = import("./contract.js").ValType;
export type KernelDecl = import("./contract.js").KernelDecl;
export type Contract = import("./contract.js").Contract;
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
 * Where a module comes from: its bytes, a URL (fetched, or read from disk for file: URLs in
 * Node), a path in Node, or an already compiled WebAssembly.Module (with its bytes unknown, so
 * it must come with them: use bytes or a URL).
 */
export type Source = Uint8Array | ArrayBuffer | URL | string;
/**
 * Options of compile.
 */
export type CompileOptions = {
    /**
     * the guest's name in errors (default: the file's base name, or 'guest')
     */
    name?: string | undefined;
    /**
     * the largest module accepted, in bytes (default DefaultMaxModuleBytes, 8 MiB)
     */
    maxModuleBytes?: number | undefined;
    /**
     * the most functions it may define (default DefaultMaxFunctions, 20,000)
     */
    maxFunctions?: number | undefined;
};
/**
 * Options of instantiate (and load).
 */
export type InstanceOptions = {
    /**
     * threads a threaded guest runs each kernel on (1 to MaxThreads; default the machine's parallelism); 1 for other guests
     */
    threads?: number | undefined;
    /**
     * the most linear memory, in bytes, from one 64 KiB page to 4 GiB (default DefaultMemoryLimit, 1 GiB)
     */
    memoryLimit?: number | undefined;
    /**
     * milliseconds; only for Worker-hosted instances (loadWorker, createPool)
     */
    timeout?: number | undefined;
};
/**
 * A typed array of a buffer's element type.
 */
export type View = Int32Array | BigInt64Array | Float32Array | Float64Array;
import { Output } from './wasi.js';
import { WasmvecError } from './errors.js';
import { ModuleError } from './errors.js';
import { TrapError } from './errors.js';
import { LimitError } from './errors.js';
import { ClosedError } from './errors.js';
