/**
 * The page asks the compute Worker to compile and instantiate a guest.
 * @typedef {object} LoadRequest
 * @property {'load'} op
 * @property {number} id the request's id, echoed in its Reply
 * @property {Uint8Array} bytes the module
 * @property {string} name the guest's name
 * @property {{maxModuleBytes?: number, maxFunctions?: number}} compile the compile limits
 * @property {{threads: number, memoryLimit: number}} options checked by the page (checkOptions)
 * @property {Record<string, string>} deps the dependencies' URLs from the page's import map (env.js)
 * @property {string} channel the BroadcastChannel on which threads report failures (ThreadFailed)
 */
/**
 * The compute Worker's answer to a LoadRequest, once the instance is made.
 * @typedef {object} LoadResult the value of a load's Reply
 * @property {import('./instance.js').BufferInfo[]} layout the buffers, as validated in the Worker
 * @property {import('./contract.js').KernelDecl[]} kernels
 * @property {number} threads
 * @property {SharedArrayBuffer | null} memory a threaded guest's linear memory as loaded (the page's
 *   zero-copy views: RemoteInstance.view), null for a guest that is not threaded
 * @property {number} stopOffset the byte offset of its stop word (RemoteInstance.stop), or -1
 */
/**
 * The page asks for one job (remote.js: Job) on the loaded instance.
 * @typedef {object} RunRequest
 * @property {'run'} op
 * @property {number} id
 * @property {import('./remote.js').Job} job
 */
/**
 * The compute Worker says which guest code a load runs now ('(start)', '_initialize',
 * 'start-workers'; '' when done): a load's timeout counts from the first.
 * @typedef {{phase: string}} PhaseNote
 */
/**
 * The compute Worker's answer to a request: the value, or the error as plain data
 * (errors.js: toPlain, fromPlain).
 * @typedef {{id: number, ok: true, value: any} | {id: number, ok: false, error: any}} Reply
 */
/** The key of ThreadSetup, apart from @emnapi/wasi-threads' own messages. */
export const setupKey: "__wasmvec__";
/**
 * The compute Worker's first message to each thread Worker: what the package adds to the
 * library's protocol.
 * @typedef {object} ThreadSetup
 * @property {Int32Array} ctl the control block: spawns so far, the abort flag's offset, the budget (threads.js)
 * @property {WebAssembly.Memory} slots the host's memory of spawn result slots
 * @property {number} slot this thread's slot
 * @property {string} channel where it reports a failure (ThreadFailed)
 * @property {Record<string, string>} deps the dependencies' URLs, as the compute Worker got them
 * @property {string} guest the guest's name
 */
/** The kind of ThreadFailed. */
export const threadFailedKind: "thread-failed";
/**
 * The page asks the compute Worker to compile and instantiate a guest.
 */
export type LoadRequest = {
    op: "load";
    /**
     * the request's id, echoed in its Reply
     */
    id: number;
    /**
     * the module
     */
    bytes: Uint8Array;
    /**
     * the guest's name
     */
    name: string;
    /**
     * the compile limits
     */
    compile: {
        maxModuleBytes?: number;
        maxFunctions?: number;
    };
    /**
     * checked by the page (checkOptions)
     */
    options: {
        threads: number;
        memoryLimit: number;
    };
    /**
     * the dependencies' URLs from the page's import map (env.js)
     */
    deps: Record<string, string>;
    /**
     * the BroadcastChannel on which threads report failures (ThreadFailed)
     */
    channel: string;
};
/**
 * the value of a load's Reply
 */
export type LoadResult = {
    /**
     * the buffers, as validated in the Worker
     */
    layout: import("./instance.js").BufferInfo[];
    kernels: import("./contract.js").KernelDecl[];
    threads: number;
    /**
     * a threaded guest's linear memory as loaded (the page's
     * zero-copy views: RemoteInstance.view), null for a guest that is not threaded
     */
    memory: SharedArrayBuffer | null;
    /**
     * the byte offset of its stop word (RemoteInstance.stop), or -1
     */
    stopOffset: number;
};
/**
 * The page asks for one job (remote.js: Job) on the loaded instance.
 */
export type RunRequest = {
    op: "run";
    id: number;
    job: import("./remote.js").Job;
};
/**
 * The compute Worker says which guest code a load runs now ('(start)', '_initialize',
 * 'start-workers'; '' when done): a load's timeout counts from the first.
 */
export type PhaseNote = {
    phase: string;
};
/**
 * The compute Worker's answer to a request: the value, or the error as plain data
 * (errors.js: toPlain, fromPlain).
 */
export type Reply = {
    id: number;
    ok: true;
    value: any;
} | {
    id: number;
    ok: false;
    error: any;
};
/**
 * The compute Worker's first message to each thread Worker: what the package adds to the
 * library's protocol.
 */
export type ThreadSetup = {
    /**
     * the control block: spawns so far, the abort flag's offset, the budget (threads.js)
     */
    ctl: Int32Array;
    /**
     * the host's memory of spawn result slots
     */
    slots: WebAssembly.Memory;
    /**
     * this thread's slot
     */
    slot: number;
    /**
     * where it reports a failure (ThreadFailed)
     */
    channel: string;
    /**
     * the dependencies' URLs, as the compute Worker got them
     */
    deps: Record<string, string>;
    /**
     * the guest's name
     */
    guest: string;
};
/**
 * A thread Worker's failure, on the instance's BroadcastChannel.
 */
export type ThreadFailed = {
    kind: "thread-failed";
    /**
     * what the thread was doing (the library's phase names)
     */
    phase: string;
    /**
     * the error's message, at most 4,096 characters
     */
    message: string;
    /**
     * what the thread wrote to stderr (its first and last 512 bytes)
     */
    stderr: string;
};
