// Every message between the threads of a Worker-hosted instance, declared
// in one place (as emnapi's wasi-threads declares its commands and
// comlink its protocol):
//
//	page or caller (remote.js)                compute Worker (compute-worker.js)
//	  LoadRequest, RunRequest   ───────────►  loads the instance, runs jobs
//	  RemoteInstance.reply      ◄───────────  PhaseNote (which guest code runs), Reply
//
//	compute Worker (instance.js: startThreadedInstance)   thread Worker (thread-worker.js, threads.js)
//	  ThreadSetup, then @emnapi/wasi-threads' own   ───►  instantiates the module on the shared memory
//	  messages (the library declares those)
//
//	thread Worker  ── ThreadFailed on the BroadcastChannel named in LoadRequest ──►  RemoteInstance
//
// A thread reports on a BroadcastChannel, not to its creator, because the
// compute Worker is usually asleep in a wait then and cannot read messages.

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
export const setupKey = '__wasmvec__';

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
export const threadFailedKind = 'thread-failed';

/**
 * A thread Worker's failure, on the instance's BroadcastChannel.
 * @typedef {object} ThreadFailed
 * @property {'thread-failed'} kind
 * @property {string} phase what the thread was doing (the library's phase names)
 * @property {string} message the error's message, at most 4,096 characters
 * @property {string} stderr what the thread wrote to stderr (its first and last 512 bytes)
 */
