// Worker-hosted instances and pools: the API for threaded guests, for
// timeouts, for a page (whose main thread cannot wait), and for many
// independent calls at once. The controller (this file) runs where the
// caller is and never blocks; each instance lives in a compute Worker
// (compute-worker.js) and, for a threaded guest, its thread Workers.

import {
  AbortedError,
  ClosedError,
  DeadlineError,
  IsolationError,
  MissingExportError,
  ModuleError,
  OptionError,
  SignatureError,
  TrapError,
  fromPlain,
  withStderr,
} from './errors.js';
import { MaxTimeout, arrayOf, checkWrite } from './contract.js';
import { threadFailedKind } from './protocol.js';
import { Module, compile } from './module.js';
import { checkOptions, validTimeout } from './start.js';
import { capabilities, depNames, isNode, isolated, isolationHeaders, listen, nodeWorker, parallelism, ref } from './env.js';

/**
 * A job: what one round trip to a Worker-hosted instance does, in this order: copy arrays into
 * buffers (`write`: [buffer, data, element offset]), call a kernel (`call`: [name, args]) or a
 * vector-world function (`vector`: ['sum' | 'dot' | 'mul' | 'scale' | 'sumBatch' | 'dotBatch', args, {simd}]), and copy
 * buffers out (`read`: [buffer, length in elements, element offset]).
 * @typedef {object} Job
 * @property {[string, ArrayLike<number> | ArrayLike<bigint>, number?][]} [write]
 * @property {[string, (number|bigint)[]?]} [call]
 * @property {Budget} [budget] repeat call in the Worker for a time budget (no message per call)
 * @property {[string, any[], {simd?: boolean}?]} [vector]
 * @property {[string, number, number?][]} [read]
 */

/**
 * A time budget for a job's call: the Worker calls the kernel again and again, with the same
 * arguments, until ms milliseconds have passed since the first call began (checked after each
 * call, so the job runs at most ms plus one call's time), or max calls have run, or a call
 * returns stop (a kernel's status, say) — at least once. The job's result is the last call's,
 * its count how many ran. A step kernel called with a small step count this way gives
 * time-budgeted stepping: as many steps as fit in a frame.
 * @typedef {object} Budget
 * @property {number} ms 1 to 2^31 - 1
 * @property {number} [max] 1 to 2^31 - 1 (default: no limit)
 * @property {number | bigint} [stop] a result that ends the repetition (compared with ===)
 */

/**
 * What a job returns: the kernel's (or vector function's) result (the last call's under a
 * budget), one typed array per read, how many calls ran (1 without a budget, 0 without a call),
 * and its times in milliseconds: wallMs on the page from sending the job to its reply, lastCallMs
 * the last call's (under a budget, the job ran past ms only by the last call: guestMs −
 * lastCallMs < ms), guestMs
 * in the Worker from the first call to the last one's return (performance.now; a browser may
 * coarsen it to 0.1 ms or more without cross-origin isolation).
 * @typedef {{result: any, read: import('./instance.js').View[], count: number, stats: {wallMs: number, guestMs: number, lastCallMs: number}}} JobResult
 */

/**
 * Options of a call.
 * @typedef {{timeout?: number}} CallOptions timeout in milliseconds; 0 or absent: the instance's;
 * otherwise 1 to 2^31 - 1 (what a timer can hold), else the call rejects with OptionError
 */

let serial = 0;

/**
 * resolvedDeps returns the URL of every dependency (env.js: depNames) as this page resolves it,
 * through its import map (import.meta.resolve), to pass to the compute Worker; none in Node,
 * and none in a bundle, where the Workers import what the bundler bundled.
 * @returns {Record<string, string>}
 */
function resolvedDeps() {
  if (isNode) return {};
  /** @type {Record<string, string>} */
  const out = {};
  for (const name of depNames) {
    try {
      out[name] = import.meta.resolve(name);
    } catch {
      /* left to the Worker's own import */
    }
  }
  return out;
}

/**
 * RemoteInstance is an instance hosted in a compute Worker. Its methods return promises and
 * never block the caller. After a trap of a threaded guest, a timeout, or close, it is closed:
 * later calls reject with ClosedError.
 *
 * What a timeout costs: JavaScript cannot interrupt running wasm (Wasmtime's epochs have no
 * equivalent), so a call past its timeout terminates the instance's Workers, threads and all,
 * and rejects with DeadlineError. Load a new instance to go on.
 */
/**
 * loadInWorker sends the load request msg to r's compute Worker and waits for its reply (within
 * timeout ms from when guest code starts); a failure closes r. It reaches RemoteInstance's
 * private state from this module only.
 * @type {(r: RemoteInstance, msg: import('./protocol.js').LoadRequest | any, timeout: number) => Promise<any>}
 */
let loadInWorker;

export class RemoteInstance {
  /** @type {Map<number, {resolve: (v: any) => void, reject: (e: Error) => void, timer: any, arm: (() => void) | null}>} calls awaiting their reply, by id */
  #pending;
  /** @type {import('./env.js').AnyWorker} the compute Worker */
  #worker;
  /** whether the load finished: a Worker that fails before is a load error, not a trap */
  #loaded = false;
  /** @type {SharedArrayBuffer | null} a threaded guest's linear memory, as loaded (view) */
  #memory = null;
  /** @type {Int32Array | null} its stop word (stop), null when it has none */
  #stopWord = null;
  /** @type {Map<string, import('./instance.js').View>} the views view made */
  #views = new Map();
  /** the guest code running while loading ('(start)', '_initialize', …), for a deadline's export */
  #phase;
  /** @type {BroadcastChannel} where the instance's threads tell their failures */
  #channel;
  /** @param {string} name @param {import('./env.js').AnyWorker} worker @param {boolean} threaded @param {number} timeout @param {string} channel */
  constructor(name, worker, threaded, timeout, channel) {
    /** The guest's name. */
    this.name = name;
    /** Whether the guest is threaded. */
    this.threaded = threaded;
    /** The default timeout of each call, in milliseconds (0: none). */
    this.timeout = timeout;
    /** @type {import('./instance.js').BufferInfo[]} the buffers, as validated in the Worker */
    this.layout = [];
    /** @type {import('./contract.js').KernelDecl[]} */
    this.kernels = [];
    /** Threads each kernel call runs on. */
    this.threads = 1;
    /**
     * Which build of a pair of builds (loadWorker({ threaded, fallback })) this instance runs:
     * 'threaded' or 'fallback'; '' when it was loaded from one source.
     * @type {'threaded' | 'fallback' | ''}
     */
    this.build = '';
    /** Why that build: what capabilities() found, or that options.build asked for it; '' for one source. */
    this.buildReason = '';
    this.#worker = worker;
    this.#pending = new Map();
    this.#phase = '';
    /** @type {Error | null} why the instance is closed (null while it is open) */
    this.failed = null;
    this.#channel = new BroadcastChannel(channel);
    /** @type {any} */ (this.#channel).unref?.();
    this.#channel.onmessage = (/** @type {MessageEvent} */ e) => {
      if (e.data?.kind === threadFailedKind) {
        // As the Go host's threadFailed: the thread's stderr first in the message, and in stderr.
        const stderr = typeof e.data.stderr === 'string' ? e.data.stderr : '';
        const err = new AbortedError(name, 'wasi_thread_start', `a thread failed (${e.data.phase}): ${withStderr(stderr, e.data.message)}`);
        err.stderr = stderr;
        this.#fail(err);
      }
    };
    ref(worker, false);
    this.#loaded = false;
    listen(
      worker,
      (msg) => this.#reply(msg),
      (e) => {
        const text = e instanceof Error ? e.message : String(e);
        if (!this.#loaded && this.#phase === '') {
          // Its script did not load or threw before any guest code ran (a bundler that did not
          // emit it, a server that does not serve it, a dependency it cannot import).
          this.#fail(
            new ModuleError(
              name,
              '',
              `the compute Worker (the package's compute-worker.js, as bundled or served) failed to load: ${text}`,
              e,
            ),
          );
          return;
        }
        this.#fail(
          threaded
            ? new AbortedError(name, '', `the compute Worker failed: ${text}`)
            : new TrapError(name, '', `the compute Worker failed: ${text}`),
        );
      },
    );
  }

  /** @param {{id: number, ok: boolean, value?: any, error?: any, phase?: string}} msg */
  #reply(msg) {
    if (msg.phase !== undefined) {
      this.#phase = msg.phase;
      // A load's timeout counts from when its guest code starts (as the Go host's does): the
      // Worker's own start-up and the compile before it are not the guest's.
      for (const p of this.#pending.values())
        if (msg.phase && p.arm) {
          p.arm();
          p.arm = null;
        }
      return;
    }
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#settle(msg.id);
    if (msg.ok) {
      p.resolve(msg.value);
      return;
    }
    const err = fromPlain(msg.error);
    if (this.threaded && err instanceof TrapError && !(err instanceof AbortedError)) {
      // wasi-threads: a trap in any thread ends the instance. When a worker trapped first, the
      // calling thread trapped because of it (the abort flag), and the worker's failure is the
      // one to report, as in the Go host: it comes on the BroadcastChannel, which may deliver
      // after this reply, so a trap waits up to threadFailedGrace for it. Otherwise the same
      // trap, of the kind that says so (its message and stderr as they are, not wrapped again).
      const finish = () => {
        let ab = this.failed instanceof AbortedError ? this.failed : null;
        if (!ab) {
          ab = new AbortedError(this.name, err.export, '');
          ab.message = err.message;
          ab.stderr = err.stderr;
          this.#fail(ab);
        }
        p.reject(ab);
      };
      if (this.failed instanceof AbortedError) finish();
      else setTimeout(finish, threadFailedGrace);
      return;
    }
    p.reject(err);
  }

  /** @param {number} id */
  #settle(id) {
    const p = this.#pending.get(id);
    if (p?.timer) clearTimeout(p.timer);
    this.#pending.delete(id);
    if (this.#pending.size === 0) ref(this.#worker, false);
  }

  /**
   * closed is the ClosedError of a use of export what ('' for none) once the instance failed or
   * was closed: that error itself when it is one, else one saying why.
   * @param {string} what
   */
  #closed(what) {
    const f = /** @type {Error} */ (this.failed);
    return f instanceof ClosedError ? f : new ClosedError(this.name, what, `the instance is closed: ${f.message}`);
  }

  /**
   * fail closes the instance for reason: its Workers are terminated and every pending call rejects.
   * @param {Error} reason
   */
  #fail(reason) {
    if (this.failed) return;
    this.failed = reason;
    this.#channel.close();
    void this.#worker.terminate();
    for (const [id, p] of [...this.#pending]) {
      this.#settle(id);
      p.reject(reason);
    }
  }

  /**
   * send posts a request and waits for its reply, within timeout milliseconds (0: no bound),
   * counted for a load ('(load)') from when the Worker reports that guest code starts.
   * @param {any} msg
   * @param {number} timeout
   * @param {string} what the export, for a deadline error
   * @param {Transferable[]} [transfer]
   */
  #send(msg, timeout, what, transfer = []) {
    if (this.failed) return Promise.reject(this.#closed(what));
    const id = ++serial;
    return new Promise((resolve, reject) => {
      /** @type {{resolve: (v: any) => void, reject: (e: Error) => void, timer: any, arm: (() => void) | null}} */
      const p = { resolve, reject, timer: null, arm: null };
      const arm = () => {
        p.timer = setTimeout(() => {
          this.#fail(
            new DeadlineError(
              this.name,
              what === '(load)' ? this.#phase || '(start)' : what,
              `${what === '(load)' ? 'instantiation' : 'the call'} ran past the timeout of ${timeout} ms; the instance's Workers were terminated`,
            ),
          );
        }, timeout);
      };
      if (timeout > 0) {
        if (what === '(load)') p.arm = arm;
        else arm();
      }
      try {
        /** @type {any} */ (this.#worker).postMessage({ ...msg, id }, transfer);
      } catch (e) {
        // a value the structured clone cannot copy (a function, a symbol, …)
        clearTimeout(p.timer);
        reject(new OptionError(this.name, what, `the job cannot be sent to the Worker: ${/** @type {Error} */ (e).message}`, e));
        return;
      }
      this.#pending.set(id, p);
      ref(this.#worker, true);
    });
  }

  /**
   * run runs one job (see Job) in the Worker. Errors are those of Instance.write, call and read,
   * and of the vector functions; DeadlineError past the timeout; AbortedError when a thread of a
   * threaded guest traps; ClosedError once closed.
   * @param {Job} job
   * @param {CallOptions} [options]
   * @returns {Promise<JobResult>}
   */
  run(job, options = {}) {
    const what = job.call?.[0] ?? job.vector?.[0] ?? '';
    // Writes are checked here, before anything is cloned to the Worker (a write past the
    // capacity would otherwise be copied whole first).
    for (const w of job.write ?? []) {
      const [name, data, at = 0] = w;
      const b = this.layout.find((l) => l.name === name);
      if (!b) return Promise.reject(new MissingExportError(this.name, '', `no buffer ${JSON.stringify(name)}`));
      try {
        checkWrite(this.name, b, data, at);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    const t = options?.timeout;
    // 0 or absent: the instance's timeout; anything else must be one a timer can hold.
    if (t !== undefined && t !== 0 && !validTimeout(t, false)) {
      return Promise.reject(
        new OptionError(this.name, what, `timeout ${String(t)}: want 0 or absent (the instance's) or 1 to ${MaxTimeout} milliseconds`),
      );
    }
    if (job.budget !== undefined) {
      const b = job.budget;
      const whole = (/** @type {unknown} */ x) => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= MaxTimeout;
      if (!job.call || typeof b !== 'object' || b === null || !whole(b.ms) || (b.max !== undefined && !whole(b.max))) {
        return Promise.reject(
          new OptionError(
            this.name,
            what,
            `budget ${JSON.stringify(b)}: want a call, and { ms, max? } of whole numbers from 1 to ${MaxTimeout} (max: calls)`,
          ),
        );
      }
    }
    const t0 = performance.now();
    return this.#send({ op: 'run', job }, t || this.timeout, what).then((/** @type {any} */ r) => {
      r.stats = { wallMs: performance.now() - t0, guestMs: r.guestMs, lastCallMs: r.lastCallMs };
      delete r.guestMs;
      delete r.lastCallMs;
      return /** @type {JobResult} */ (r);
    });
  }

  /**
   * call calls a kernel by name (see Instance.call for arguments and result).
   * @param {string} name
   * @param {(number|bigint)[]} [args]
   * @param {CallOptions} [options]
   * @returns {Promise<number | bigint | undefined>}
   */
  async call(name, args = [], options = {}) {
    if (!Array.isArray(args)) {
      throw new SignatureError(
        this.name,
        name,
        "RemoteInstance.call takes its arguments as one array, call(name, [a, b], options) (spread arguments are Instance.call's form)",
      );
    }
    return (await this.run({ call: [name, args] }, options)).result;
  }

  /**
   * write copies data into a buffer at element offset at (CapacityError past its capacity).
   * @param {string} name
   * @param {ArrayLike<number> | ArrayLike<bigint>} data
   * @param {number} [at]
   * @returns {Promise<void>}
   */
  async write(name, data, at = 0) {
    await this.run({ write: [[name, data, at]] });
  }

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
  view(name) {
    if (this.failed) throw this.#closed('');
    const b = this.layout.find((l) => l.name === name);
    if (!b) {
      throw new MissingExportError(
        this.name,
        `buffer-${name}`,
        `no buffer ${JSON.stringify(name)}; its buffers: ${this.layout.map((l) => l.name).join(', ') || 'none'}`,
      );
    }
    if (!this.#memory) {
      throw new OptionError(
        this.name,
        '',
        `view(${JSON.stringify(name)}): zero-copy views need a threaded guest (its linear memory is a SharedArrayBuffer); read copies from any guest`,
      );
    }
    let v = this.#views.get(name);
    if (!v) {
      v = new arrayOf[b.type](/** @type {ArrayBuffer} */ (/** @type {unknown} */ (this.#memory)), b.offset, b.capacity);
      this.#views.set(name, v);
    }
    return v;
  }

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
  stop() {
    if (this.failed) throw this.#closed('');
    if (!this.#stopWord) {
      throw new OptionError(
        this.name,
        'get-stop-offset',
        "stop needs a threaded guest with a stop word (export get-stop-offset: the Rust kit's threaded guests have one)",
      );
    }
    Atomics.store(this.#stopWord, 0, 1);
  }

  /**
   * read copies length elements of a buffer from element offset at into a new typed array.
   * @param {string} name
   * @param {number} length
   * @param {number} [at]
   * @returns {Promise<import('./instance.js').View>}
   */
  async read(name, length, at = 0) {
    return (await this.run({ read: [[name, length, at]] })).read[0];
  }

  /**
   * close terminates the instance's Workers; later calls reject with ClosedError, and nothing of
   * it keeps Node's event loop alive. Idempotent.
   * @returns {Promise<void>}
   */
  async close() {
    const closing = !this.failed;
    this.#fail(new ClosedError(this.name, '', 'the instance was closed'));
    if (closing) await this.#worker.terminate();
  }

  static {
    loadInWorker = async (r, msg, timeout) => {
      try {
        const v = /** @type {import('./protocol.js').LoadResult} */ (await r.#send(msg, timeout, '(load)'));
        r.#loaded = true;
        r.#memory = v.memory ?? null;
        if (r.#memory && v.stopOffset >= 0) r.#stopWord = new Int32Array(/** @type {any} */ (r.#memory), v.stopOffset, 1);
        return v;
      } catch (e) {
        r.#fail(/** @type {Error} */ (e));
        throw e;
      }
    };
  }
}

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
export async function loadWorker(source, options = {}) {
  const { m, pair, opts } = await moduleOf(source, options);
  const o = checkOptions(m, opts);
  if (m.threaded && !isolated()) {
    throw new IsolationError(
      m.name,
      '',
      `SharedArrayBuffer is not available: serve the page with ${isolationHeaders}` +
        (pair ? '' : ', or load a pair of builds, loadWorker({ threaded, fallback }), to run the single-thread build here'),
    );
  }
  const channel = `wasmvec-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const w = isNode
    ? nodeWorker('./compute-worker.js', m.name)
    : new Worker(new URL('./compute-worker.js', import.meta.url), { type: 'module' });
  const r = new RemoteInstance(m.name, w, m.threaded, o.timeout, channel);
  if (pair) {
    r.build = pair.build;
    r.buildReason = pair.reason;
  }
  const compileOpts = { maxModuleBytes: options.maxModuleBytes, maxFunctions: options.maxFunctions };
  const v = await loadInWorker(
    r,
    {
      op: 'load',
      bytes: m.bytes,
      name: m.name,
      compile: compileOpts,
      options: { threads: o.threads, memoryLimit: o.memoryLimit },
      deps: resolvedDeps(),
      channel,
    },
    o.timeout,
  );
  r.layout = v.layout;
  r.kernels = v.kernels;
  r.threads = v.threads;
  return r;
}

/**
 * Builds is a guest's two builds from one source, for loadWorker and createPool: `threaded` (for
 * wasm32-wasip1-threads: a shared memory, wasi.thread-spawn, the worker exports) and `fallback`
 * (the same crate for wasm32-wasip1, not threaded: its Rayon code runs on the calling thread).
 * `wasmvec build` of a rust-rayon project writes them as guest.wasm and guest-single.wasm; the
 * Rayon example ships them as wasmvec/guests/rayon.wasm and wasmvec/guests/rayon-single.wasm.
 * @typedef {object} Builds
 * @property {import('./module.js').Source | Module} threaded the threaded build
 * @property {import('./module.js').Source | Module} fallback the single-thread build
 */

/**
 * BuildOptions chooses between the two builds of a Builds source.
 * @typedef {object} BuildOptions
 * @property {'auto' | 'threaded' | 'fallback'} [build] 'auto' (the default): the threaded build
 *   where capabilities().threads is true, else the fallback; 'threaded' or 'fallback': that one
 *   (the threaded one still needs threads: IsolationError without them)
 */

/**
 * moduleOf compiles source (a Module passes as it is; a pair of builds is chosen by chooseBuild)
 * and returns the options to load it with: one thread for a pair's fallback.
 * @param {import('./module.js').Source | Module | Builds} source
 * @param {import('./module.js').CompileOptions & import('./module.js').InstanceOptions & BuildOptions} options
 */
async function moduleOf(source, options) {
  if (isBuilds(source)) {
    const pair = await chooseBuild(source, options);
    return { m: pair.m, pair, opts: pair.build === 'fallback' ? { ...options, threads: 1 } : options };
  }
  const m = source instanceof Module ? source : await compile(source, options);
  return { m, pair: null, opts: options };
}

/**
 * isBuilds reports whether a source is a pair of builds ({ threaded, fallback }) rather than one source.
 * @param {unknown} s
 * @returns {s is Builds}
 */
function isBuilds(s) {
  return (
    typeof s === 'object' &&
    s !== null &&
    !(s instanceof URL) &&
    !(s instanceof Uint8Array) &&
    !(s instanceof ArrayBuffer) &&
    !(s instanceof Module) &&
    ('threaded' in s || 'fallback' in s)
  );
}

/**
 * chooseBuild compiles both builds of a pair (each is read and compiled, so a page fetches both
 * once), checks that they are the two builds of one guest, and picks the one to load.
 *
 * # Errors
 *
 * OptionError when either build is missing or options.build is not 'auto', 'threaded' or
 * 'fallback'; those of compile for each build; ModuleError naming both builds when the threaded
 * build is not threaded, the fallback is threaded, or their buffers (name, element type) or
 * kernels (name, parameter and result types) differ: nothing falls back to a guest with other
 * calls. (Capacities are read at instantiation, from the one build loaded: a caller that depends
 * on one checks RemoteInstance.layout.)
 * @param {Builds} pair
 * @param {import('./module.js').CompileOptions & BuildOptions} options
 * @returns {Promise<{m: Module, build: 'threaded' | 'fallback', reason: string}>}
 */
async function chooseBuild(pair, options) {
  const want = options.build ?? 'auto';
  if (!pair.threaded || !pair.fallback) {
    throw new OptionError(
      'guest',
      '',
      `a pair of builds names both: { threaded, fallback } (got ${pair.threaded ? 'no fallback' : 'no threaded build'})`,
    );
  }
  if (want !== 'auto' && want !== 'threaded' && want !== 'fallback') {
    throw new OptionError('guest', '', `build ${JSON.stringify(want)}: want 'auto', 'threaded' or 'fallback'`);
  }
  const opts = { maxModuleBytes: options.maxModuleBytes, maxFunctions: options.maxFunctions };
  const [t, f] = await Promise.all([pair.threaded, pair.fallback].map((s) => (s instanceof Module ? s : compile(s, opts))));
  const both = `the threaded build ${t.name} and the fallback ${f.name}`;
  if (!t.threaded)
    throw new ModuleError(
      t.name,
      '',
      `${both}: ${t.name} is not threaded (it does not import a shared memory): give the wasm32-wasip1-threads build as threaded`,
    );
  if (f.threaded)
    throw new ModuleError(
      f.name,
      '',
      `${both}: ${f.name} is threaded, and a fallback must run where threads cannot: give the wasm32-wasip1 build as fallback`,
    );
  const calls = (/** @type {Module} */ m) => [
    ...m.contract.buffers.map((b) => `buffer ${b.name} of ${b.type}`),
    ...m.kernels.map((k) => `kernel ${k.name}(${k.params.join(', ')})${k.results.length ? ' -> ' + k.results[0] : ''}`),
  ];
  const ct = calls(t),
    cf = calls(f);
  const diff = [
    ...ct.filter((x) => !cf.includes(x)).map((x) => `${t.name} has ${x}, ${f.name} does not`),
    ...cf.filter((x) => !ct.includes(x)).map((x) => `${f.name} has ${x}, ${t.name} does not`),
  ];
  if (diff.length)
    throw new ModuleError(
      f.name,
      '',
      `${both} are not two builds of one guest: ${diff.slice(0, 8).join('; ')}${diff.length > 8 ? `; and ${diff.length - 8} more` : ''}`,
    );
  if (want === 'threaded') return { m: t, build: 'threaded', reason: "options.build is 'threaded'" };
  if (want === 'fallback') return { m: f, build: 'fallback', reason: "options.build is 'fallback'" };
  const c = capabilities();
  if (c.threads)
    return {
      m: t,
      build: 'threaded',
      reason: 'threads can run here (cross-origin isolated, SharedArrayBuffer, shared WebAssembly.Memory)',
    };
  const missing = [
    !c.crossOriginIsolated && `the page is not cross-origin isolated (it needs ${isolationHeaders})`,
    !c.sharedArrayBuffer && 'SharedArrayBuffer is missing',
    c.sharedArrayBuffer && !c.sharedMemory && 'a shared WebAssembly.Memory cannot be made',
  ].filter(Boolean);
  return { m: f, build: 'fallback', reason: `threads cannot run here: ${missing.join('; ')}` };
}

/**
 * Pool is a fixed number of Worker-hosted instances of one module, for throughput on
 * independent calls (the Go host's Pool): run hands each job to an idle instance, and an
 * instance that ends closed (a trap of a threaded guest, a timeout) is replaced by a new one.
 */
export class Pool {
  /** @type {RemoteInstance[]} idle instances */
  #idle;
  /** @type {{resolve: (r: RemoteInstance) => void, reject: (e: Error) => void}[]} callers waiting for one */
  #waiting;
  /** @type {Set<RemoteInstance>} every member */
  #all;
  /** @type {Error | null} why a replacement failed to load; with no member left, every job rejects with it */
  #lost;
  /** @type {import('./module.js').Module} */
  #module;
  /** @type {any} the options every member (and replacement) loads with */
  #options;
  /** @param {import('./module.js').Module} m @param {any} options @param {RemoteInstance[]} members */
  constructor(m, options, members) {
    this.#module = m;
    this.#options = options;
    this.#idle = members;
    this.#waiting = [];
    /** The number of instances. */
    this.size = members.length;
    this.closed = false;
    this.#all = new Set(members);
    this.#lost = null;
    /** Which build of a pair every instance runs (see RemoteInstance.build); '' for one source. */
    this.build = members[0]?.build ?? '';
    /** Why that build (see RemoteInstance.buildReason). */
    this.buildReason = members[0]?.buildReason ?? '';
  }

  /** @returns {Promise<RemoteInstance>} */
  #acquire() {
    if (this.closed) return Promise.reject(new ClosedError(this.#module.name, '', 'the pool was closed'));
    const r = this.#idle.pop();
    if (r) return Promise.resolve(r);
    if (this.#all.size === 0 && this.#lost) return Promise.reject(this.#lost);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** @param {RemoteInstance} r */
  #release(r) {
    if (this.closed) {
      void r.close();
      return;
    }
    if (r.failed) {
      this.#all.delete(r);
      loadWorker(this.#module, this.#options).then(
        (n) => {
          if (this.closed) {
            void n.close();
            return;
          }
          n.build = this.build;
          n.buildReason = this.buildReason;
          this.#all.add(n);
          this.#release(n);
        },
        (e) => {
          // No replacement: when no instance is left, nobody waiting will be served, and no
          // later job either: each rejects with why the pool could not keep a member.
          this.size--;
          this.#lost = new ClosedError(
            this.#module.name,
            '',
            `the pool has no instance left: a replacement failed to load: ${e.message}`,
            e,
          );
          if (this.#all.size === 0) for (const w of this.#waiting.splice(0)) w.reject(this.#lost);
        },
      );
      return;
    }
    const w = this.#waiting.shift();
    if (w) w.resolve(r);
    else this.#idle.push(r);
  }

  /**
   * run runs a job (see RemoteInstance.run) on an idle instance, waiting for one if none is.
   * Errors are those of RemoteInstance.run, and ClosedError once the pool is closed.
   * @param {Job} job
   * @param {CallOptions} [options]
   * @returns {Promise<JobResult>}
   */
  async run(job, options) {
    const r = await this.#acquire();
    try {
      return await r.run(job, options);
    } finally {
      this.#release(r);
    }
  }

  /**
   * close closes every instance; jobs not yet started reject with ClosedError.
   * @returns {Promise<void>}
   */
  async close() {
    this.closed = true;
    await Promise.all([...this.#all].map((r) => r.close()));
    for (const w of this.#waiting.splice(0)) w.reject(new ClosedError(this.#module.name, '', 'the pool was closed'));
  }
}

/**
 * How long a threaded call's trap waits for a worker's failure to arrive on the
 * BroadcastChannel (RemoteInstance.reply), in milliseconds.
 */
const threadFailedGrace = 50;

/** The most instances a pool makes (each is a Worker, and a threaded one a Worker per thread). */
export const MaxPoolSize = 256;

/**
 * createPool compiles source once and loads size instances of it in Workers (default: the
 * machine's parallelism). Given a pair of builds (Builds), it chooses one build as loadWorker
 * does, once, and every instance runs it (Pool.build says which). Errors are those of compile
 * and loadWorker.
 * @param {import('./module.js').Source | Builds} source
 * @param {import('./module.js').CompileOptions & import('./module.js').InstanceOptions & BuildOptions & {size?: number}} [options]
 * @returns {Promise<Pool>}
 */
export async function createPool(source, options = {}) {
  const { m, pair, opts: o } = await moduleOf(source, options);
  const size = options.size ?? parallelism();
  if (!Number.isInteger(size) || size < 1 || size > MaxPoolSize)
    throw new OptionError(m.name, '', `size ${String(size)}: want a whole number of instances from 1 to ${MaxPoolSize}`);
  const members = await Promise.all(Array.from({ length: size }, () => loadWorker(m, o)));
  if (pair)
    for (const r of members) {
      r.build = pair.build;
      r.buildReason = pair.reason;
    }
  return new Pool(m, o, members);
}
