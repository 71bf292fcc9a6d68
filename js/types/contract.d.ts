/**
 * isReserved reports whether a function export belongs to the runtime or the contract rather than being a kernel.
 * @param {string} name
 */
export function isReserved(name: string): boolean;
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
export function functionCount(b: Uint8Array): number;
/**
 * parseModule reads the sections of a valid binary module.
 * @param {Uint8Array} b
 * @returns {ModuleInfo}
 */
export function parseModule(b: Uint8Array): ModuleInfo;
/**
 * readContract checks a parsed module's imports and exports against the contract, as the Go host's
 * checkImports and readContract do, and returns what it declares. It throws ImportError,
 * MissingExportError, SignatureError, LayoutError or ModuleError (a feature the Go host does not
 * enable: more than one memory, a 64-bit memory), each naming guest and export.
 * @param {string} guest
 * @param {ModuleInfo} m
 * @returns {Contract}
 */
export function readContract(guest: string, m: ModuleInfo): Contract;
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
export function capLimits(b: Uint8Array, m: ModuleInfo, maxPages: number): Uint8Array;
/**
 * checkCompileLimits refuses, before compiling, a module over the size or function limits (LimitError), as the Go host's Compile does.
 * @param {string} guest
 * @param {Uint8Array} b
 * @param {number} maxBytes
 * @param {number} maxFunctions
 */
export function checkCompileLimits(guest: string, b: Uint8Array, maxBytes: number, maxFunctions: number): void;
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
export function checkWrite(guest: string, b: {
    name: string;
    type: ValType;
    capacity: number;
}, data: unknown, at: unknown): void;
/** The most parameters a kernel may take (Go: host.MaxParams). */
export const MaxParams: 16;
/** The most buffers a module may declare (Go: host.MaxBuffers): compile refuses more with LimitError. */
export const MaxBuffers: 4096;
/** The most kernels a module may export (Go: maxKernels). */
export const MaxKernels: 4096;
/** The largest module compile accepts unless told otherwise, in bytes (Go: DefaultMaxModuleBytes, 8 MiB). */
export const DefaultMaxModuleBytes: number;
/** The most functions a module compile accepts may define unless told otherwise (Go: DefaultMaxFunctions). */
export const DefaultMaxFunctions: 20000;
/** The most elements a table may have (Go: MaxTableElements, 65,536): a table's maximum is lowered to it. */
export const MaxTableElements: number;
/** The most memory an instance may have unless told otherwise, in bytes: 1 GiB (Go: DefaultMemoryLimit). */
export const DefaultMemoryLimit: number;
/** The most threads an instance accepts (Go: MaxThreads). */
export const MaxThreads: 64;
/** The most linear memory a threaded guest gets, in bytes: 1 GiB (Go: MaxSharedMemory). */
export const MaxSharedMemory: number;
/** The longest timeout, in milliseconds, a timer can hold (2^31 - 1, about 24.8 days): setTimeout fires a longer one at once. */
export const MaxTimeout: number;
/** The WebAssembly page, in bytes. */
export const PageSize: 65536;
/** Every function of WASI preview 1 (the Go host offers them all, through Wasmtime). */
export const wasiFunctions: Set<string>;
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
export const sizeOf: Record<ValType, number>;
export namespace arrayOf {
    let i32: Int32ArrayConstructor;
    let i64: BigInt64ArrayConstructor;
    let f32: Float32ArrayConstructor;
    let f64: Float64ArrayConstructor;
}
/**
 * The parts of a module's binary the contract needs.
 */
export type ModuleInfo = {
    types: FuncType[];
    imports: {
        module: string;
        name: string;
        kind: string;
        type?: FuncType;
        limits?: Limits;
    }[];
    /**
     * every function's type, imported ones first (the function index space)
     */
    funcs: FuncType[];
    /**
     * functions the module defines
     */
    definedFuncs: number;
    /**
     * every table, imported ones first
     */
    tables: Limits[];
    /**
     * every memory, imported ones first
     */
    memories: Limits[];
    exports: {
        name: string;
        kind: number;
        index: number;
    }[];
    /**
     * where each section (head: its id byte; start, end: its content) lies in the bytes
     */
    sections: {
        id: number;
        head: number;
        start: number;
        end: number;
    }[];
};
/**
 * one of the four numeric types of core WebAssembly
 */
export type ValType = "i32" | "i64" | "f32" | "f64";
/**
 * a function type; numeric is false if a type is not i32, i64, f32 or f64
 */
export type FuncType = {
    params: string[];
    results: string[];
    numeric: boolean;
};
/**
 * limits in pages (memories) or elements (tables)
 */
export type Limits = {
    min: number;
    max: number | undefined;
    shared: boolean;
    is64: boolean;
};
/**
 * A buffer as the module declares it: its name, its element type, and the exports that give its offset and capacity.
 */
export type BufferDecl = {
    name: string;
    type: ValType;
    offsetExport: string;
    capacityExport: string;
};
/**
 * A kernel: a function export with numeric parameters and at most one numeric result.
 */
export type KernelDecl = {
    name: string;
    params: ValType[];
    results: ValType[];
};
/**
 * What compile learns from a module: its buffers and kernels, whether it is threaded, and the limits of its memory.
 */
export type Contract = {
    /**
     * in export order
     */
    buffers: BufferDecl[];
    /**
     * by name, in export order
     */
    kernels: Map<string, KernelDecl>;
    /**
     * exports that are neither functions nor the memory
     */
    nonFunctions: Set<string>;
    /**
     * every function export's name
     */
    functions: Set<string>;
    /**
     * imports a shared env.memory and wasi.thread-spawn
     */
    threaded: boolean;
    /**
     * the memory's limits, in pages
     */
    memory: Limits;
    /**
     * tables, imported and defined
     */
    tables: number;
    /**
     * the largest minimum of its tables, in elements
     */
    tableMin: number;
    /**
     * it exports _start (a WASI command) and no _initialize
     */
    start: boolean;
    /**
     * it exports _initialize
     */
    initialize: boolean;
};
