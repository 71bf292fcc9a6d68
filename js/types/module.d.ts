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
 * load compiles source and instantiates it once in this thread: compile, then
 * Module.instantiate. Errors are theirs.
 * @param {Source} source
 * @param {CompileOptions & InstanceOptions} [options]
 * @returns {Promise<Instance>}
 */
export function load(source: Source, options?: CompileOptions & InstanceOptions): Promise<Instance>;
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
export type Instance = import("./instance.js").Instance;
export type ValType = import("./contract.js").ValType;
export type KernelDecl = import("./contract.js").KernelDecl;
export type Contract = import("./contract.js").Contract;
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
