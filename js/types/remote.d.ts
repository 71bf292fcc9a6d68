/**
 * loadWorker compiles a guest and instantiates it in a compute Worker (a worker_threads Worker
 * in Node, a Web Worker in a browser): the way to run a threaded guest (its threads are Workers
 * too, on the same shared memory), to bound calls with a timeout, and to call kernels from a
 * page without blocking it.
 *
 *	const guest = await loadWorker(new URL('./rayon.wasm', import.meta.url), { threads: 2 })
 *	await guest.write('u', u)
 *	await guest.call('gray-scott', [n, steps, du, dv, f, k, dt])
 *	await guest.close()
 *
 * Given a pair of builds (Builds: `{ threaded, fallback }`), it loads the threaded build where
 * threads can run (capabilities().threads) and the single-thread fallback elsewhere (a page
 * without cross-origin isolation), at one thread; the instance's `build` and `buildReason` say
 * which and why. Both builds of a guest from one source compute the same bits.
 *
 *	const guest = await loadWorker({ threaded: new URL('./rayon.wasm', import.meta.url),
 *	  fallback: new URL('./rayon-single.wasm', import.meta.url) }, { threads: 4 })
 *
 * # Errors
 *
 * Those of compile and Module.instantiate (ModuleError, ImportError, LayoutError, LimitError,
 * OptionError, TrapError, …); IsolationError (a ModuleError) at once for a threaded guest where
 * SharedArrayBuffer is missing (a page without cross-origin isolation); DeadlineError when the
 * guest code that loading runs ((start), _initialize, start-workers) runs past options.timeout
 * (milliseconds from when that code starts: the Worker's start-up and the compile are not
 * counted); AbortedError when a thread fails while starting. For a pair, also those of
 * chooseBuild: ModuleError naming both builds when they are not the two builds of one guest.
 * @param {import('./module.js').Source | import('./module.js').Module | Builds} source
 * @param {import('./module.js').CompileOptions & import('./module.js').InstanceOptions & BuildOptions} [options]
 * @returns {Promise<RemoteInstance>}
 */
export function loadWorker(source: import("./module.js").Source | import("./module.js").Module | Builds, options?: import("./module.js").CompileOptions & import("./module.js").InstanceOptions & BuildOptions): Promise<RemoteInstance>;
/**
 * createPool compiles source once and loads size instances of it in Workers (default: the
 * machine's parallelism). Given a pair of builds (Builds), it chooses one build as loadWorker
 * does, once, and every instance runs it (Pool.build says which). Errors are those of compile
 * and loadWorker.
 * @param {import('./module.js').Source | Builds} source
 * @param {import('./module.js').CompileOptions & import('./module.js').InstanceOptions & BuildOptions & {size?: number}} [options]
 * @returns {Promise<Pool>}
 */
export function createPool(source: import("./module.js").Source | Builds, options?: import("./module.js").CompileOptions & import("./module.js").InstanceOptions & BuildOptions & {
    size?: number;
}): Promise<Pool>;
export class RemoteInstance {
    /** @param {string} name @param {import('./env.js').AnyWorker} worker @param {boolean} threaded @param {number} timeout @param {string} channel */
    constructor(name: string, worker: import("./env.js").AnyWorker, threaded: boolean, timeout: number, channel: string);
    /** The guest's name. */
    name: string;
    /** Whether the guest is threaded. */
    threaded: boolean;
    /** The default timeout of each call, in milliseconds (0: none). */
    timeout: number;
    /** @type {import('./instance.js').BufferInfo[]} the buffers, as validated in the Worker */
    layout: import("./instance.js").BufferInfo[];
    /** @type {import('./contract.js').KernelDecl[]} */
    kernels: import("./contract.js").KernelDecl[];
    /** Threads each kernel call runs on. */
    threads: number;
    /**
     * Which build of a pair of builds (loadWorker({ threaded, fallback })) this instance runs:
     * 'threaded' or 'fallback'; '' when it was loaded from one source.
     * @type {'threaded' | 'fallback' | ''}
     */
    build: "threaded" | "fallback" | "";
    /** Why that build: what capabilities() found, or that options.build asked for it; '' for one source. */
    buildReason: string;
    /** @type {Error | null} why the instance is closed (null while it is open) */
    failed: Error | null;
    /**
     * run runs one job (see Job) in the Worker. Errors are those of Instance.write, call and read,
     * and of the vector functions; DeadlineError past the timeout; AbortedError when a thread of a
     * threaded guest traps; ClosedError once closed.
     * @param {Job} job
     * @param {CallOptions} [options]
     * @returns {Promise<JobResult>}
     */
    run(job: Job, options?: CallOptions): Promise<JobResult>;
    /**
     * call calls a kernel by name (see Instance.call for arguments and result).
     * @param {string} name
     * @param {(number|bigint)[]} [args]
     * @param {CallOptions} [options]
     * @returns {Promise<number | bigint | undefined>}
     */
    call(name: string, args?: (number | bigint)[], options?: CallOptions): Promise<number | bigint | undefined>;
    /**
     * write copies data into a buffer at element offset at (CapacityError past its capacity).
     * @param {string} name
     * @param {ArrayLike<number> | ArrayLike<bigint>} data
     * @param {number} [at]
     * @returns {Promise<void>}
     */
    write(name: string, data: ArrayLike<number> | ArrayLike<bigint>, at?: number): Promise<void>;
    /**
     * view returns a typed array over the named buffer's `capacity` elements in a threaded
     * guest's linear memory, with no copy: the memory is a SharedArrayBuffer the page shares with
     * the compute Worker and the guest's threads (Float64Array for f64, Float32Array, Int32Array,
     * BigInt64Array for i64), made once per buffer.
     *
     * # The memory model
     *
     * Between calls (after a call's promise settled, before the next is sent) a view reads what the
     * guest last wrote and the guest will read what the page wrote: the messages that carry the
     * calls order them (HTML's postMessage). While a call runs, the guest's threads write the same
     * memory without synchronising with the page: a read then may see any mix of old and new
     * elements, and an element read as it is written may be torn (JavaScript's memory model lets
     * non-atomic accesses tear); a write may be overwritten or seen part way. Use Atomics on an
     * Int32Array view for a flag both sides agree on. A view stays valid after close (the memory lives while the
     * page holds it) but no guest writes it any more.
     *
     * A guest that is not threaded has no SharedArrayBuffer: read copies out of its memory and
     * transfers the copy to the page, the one copy a Worker boundary allows.
     *
     * # Errors
     *
     * MissingExportError for an unknown buffer; OptionError for a guest that is not threaded;
     * ClosedError after close or a failure.
     * @param {string} name
     * @returns {import('./instance.js').View}
     */
    view(name: string): import("./instance.js").View;
    /**
     * stop asks the job running now to end early, with no message: it raises the guest's stop word
     * in the shared memory (the threads protocol's optional get-stop-offset, which the Rust kit's
     * threaded guests export), and a kernel that looks at it between its jobs or steps returns early
     * with a status of its own (the kit's convention: -5; examples/rayon's gray-scott and mesh do).
     * The job then resolves with that result, and the instance stays usable — unlike a timeout,
     * which terminates the Workers and stops any guest, cooperative or not. The Worker lowers the
     * word as each job starts, so a stop between jobs asks nothing.
     *
     * # Errors
     *
     * OptionError when the guest has no stop word (it is not threaded: its Worker cannot be reached
     * during a call; or it does not export get-stop-offset); ClosedError after close or a failure.
     */
    stop(): void;
    /**
     * read copies length elements of a buffer from element offset at into a new typed array.
     * @param {string} name
     * @param {number} length
     * @param {number} [at]
     * @returns {Promise<import('./instance.js').View>}
     */
    read(name: string, length: number, at?: number): Promise<import("./instance.js").View>;
    /**
     * close terminates the instance's Workers; later calls reject with ClosedError, and nothing of
     * it keeps Node's event loop alive. Idempotent.
     * @returns {Promise<void>}
     */
    close(): Promise<void>;
    #private;
}
/**
 * Pool is a fixed number of Worker-hosted instances of one module, for throughput on
 * independent calls (the Go host's Pool): run hands each job to an idle instance, and an
 * instance that ends closed (a trap of a threaded guest, a timeout) is replaced by a new one.
 */
export class Pool {
    /** @param {import('./module.js').Module} m @param {any} options @param {RemoteInstance[]} members */
    constructor(m: import("./module.js").Module, options: any, members: RemoteInstance[]);
    /** The number of instances. */
    size: number;
    closed: boolean;
    /** Which build of a pair every instance runs (see RemoteInstance.build); '' for one source. */
    build: "" | "threaded" | "fallback";
    /** Why that build (see RemoteInstance.buildReason). */
    buildReason: string;
    /**
     * run runs a job (see RemoteInstance.run) on an idle instance, waiting for one if none is.
     * Errors are those of RemoteInstance.run, and ClosedError once the pool is closed.
     * @param {Job} job
     * @param {CallOptions} [options]
     * @returns {Promise<JobResult>}
     */
    run(job: Job, options?: CallOptions): Promise<JobResult>;
    /**
     * close closes every instance; jobs not yet started reject with ClosedError.
     * @returns {Promise<void>}
     */
    close(): Promise<void>;
    #private;
}
/** The most instances a pool makes (each is a Worker, and a threaded one a Worker per thread). */
export const MaxPoolSize: 256;
/**
 * Builds is a guest's two builds from one source, for loadWorker and createPool: `threaded` (for
 * wasm32-wasip1-threads: a shared memory, wasi.thread-spawn, the worker exports) and `fallback`
 * (the same crate for wasm32-wasip1, not threaded: its Rayon code runs on the calling thread).
 * `wasmvec build` of a rust-rayon project writes them as guest.wasm and guest-single.wasm; the
 * Rayon example ships them as wasmvec/guests/rayon.wasm and wasmvec/guests/rayon-single.wasm.
 */
export type Builds = {
    /**
     * the threaded build
     */
    threaded: import("./module.js").Source | Module;
    /**
     * the single-thread build
     */
    fallback: import("./module.js").Source | Module;
};
/**
 * BuildOptions chooses between the two builds of a Builds source.
 */
export type BuildOptions = {
    /**
     * 'auto' (the default): the threaded build
     * where capabilities().threads is true, else the fallback; 'threaded' or 'fallback': that one
     * (the threaded one still needs threads: IsolationError without them)
     */
    build?: "threaded" | "fallback" | "auto" | undefined;
};
/**
 * A job: what one round trip to a Worker-hosted instance does, in this order: copy arrays into
 * buffers (`write`: [buffer, data, element offset]), call a kernel (`call`: [name, args]) or a
 * vector-world function (`vector`: ['sum' | 'dot' | 'mul' | 'scale' | 'sumBatch' | 'dotBatch', args, {simd}]), and copy
 * buffers out (`read`: [buffer, length in elements, element offset]).
 */
export type Job = {
    write?: [string, ArrayLike<number> | ArrayLike<bigint>, (number | undefined)?][] | undefined;
    call?: [string, ((number | bigint)[] | undefined)?] | undefined;
    /**
     * repeat call in the Worker for a time budget (no message per call)
     */
    budget?: Budget | undefined;
    vector?: [string, any[], ({
        simd?: boolean;
    } | undefined)?] | undefined;
    read?: [string, number, (number | undefined)?][] | undefined;
};
/**
 * A time budget for a job's call: the Worker calls the kernel again and again, with the same
 * arguments, until ms milliseconds have passed since the first call began (checked after each
 * call, so the job runs at most ms plus one call's time), or max calls have run, or a call
 * returns stop (a kernel's status, say) — at least once. The job's result is the last call's,
 * its count how many ran. A step kernel called with a small step count this way gives
 * time-budgeted stepping: as many steps as fit in a frame.
 */
export type Budget = {
    /**
     * 1 to 2^31 - 1
     */
    ms: number;
    /**
     * 1 to 2^31 - 1 (default: no limit)
     */
    max?: number | undefined;
    /**
     * a result that ends the repetition (compared with ===)
     */
    stop?: number | bigint | undefined;
};
/**
 * What a job returns: the kernel's (or vector function's) result (the last call's under a
 * budget), one typed array per read, how many calls ran (1 without a budget, 0 without a call),
 * and its times in milliseconds: wallMs on the page from sending the job to its reply, lastCallMs
 * the last call's (under a budget, the job ran past ms only by the last call: guestMs −
 * lastCallMs < ms), guestMs
 * in the Worker from the first call to the last one's return (performance.now; a browser may
 * coarsen it to 0.1 ms or more without cross-origin isolation).
 */
export type JobResult = {
    result: any;
    read: import("./instance.js").View[];
    count: number;
    stats: {
        wallMs: number;
        guestMs: number;
        lastCallMs: number;
    };
};
/**
 * timeout in milliseconds; 0 or absent: the instance's;
 * otherwise 1 to 2^31 - 1 (what a timer can hold), else the call rejects with OptionError
 */
export type CallOptions = {
    timeout?: number;
};
import { Module } from './module.js';
