// Threaded guests (wasi-threads): a thread budget the package enforces and
// the thread Workers that @emnapi/wasi-threads drives (instance.js's
// startThreadedInstance makes the shared memory and starts them). This runs
// in a compute Worker (remote.js), never on a page's main thread.
//
// The spawn protocol is the library's; what is the host's own:
//   - the budget: at most threads-1 spawns for the life of the instance,
//     counted in a SharedArrayBuffer every thread sees; a spawn past it
//     returns -1, as in the Go host (a refused spawn changes nothing);
//   - the result slots of the library's two-argument threadSpawn, 8 bytes
//     per thread, in a small shared memory of the host's own (the library
//     writes them in the memory given to WASIThreads.setup; the guest's
//     memory goes to the thread Workers through ThreadManager.setup), so the
//     guest's memory is exactly what it declares;
//   - a warm pool: every thread Worker is started and has instantiated the
//     module before the guest's _initialize and start-workers run, so a
//     guest that spawns and then waits never waits for a Worker to start
//     (in Chromium a Worker made by a Worker starts only when its creator
//     yields);
//   - failure: a thread's trap raises the guest's abort flag and is told to
//     the controlling thread on a BroadcastChannel, because the compute
//     Worker is usually asleep in a wait and cannot read messages.

import { setDeps, wasiThreads } from './env.js';
import { setupKey, threadFailedKind } from './protocol.js';
import { Output, createWasi, guestImports } from './wasi.js';

/**
 * What a compute Worker gives a threaded instance.
 * @typedef {object} ThreadHooks
 * @property {string} channel the BroadcastChannel on which threads report their failures
 * @property {(exp: string) => void} [phase] told which guest code starts running (for a deadline's message)
 */

/** Words of the control block shared with every thread. */
export const ctlSpawned = 0,
  ctlAbortOffset = 1,
  ctlBudget = 2;

/**
 * makeSpawn returns the guest's wasi.thread-spawn for one thread: the budget first, then the
 * library's two-argument spawn with this thread's result slot.
 * @param {Int32Array} ctl the control block
 * @param {(arg: number, slot: number) => number} spawn the library's threadSpawn
 * @param {WebAssembly.Memory} slots the host's memory of result slots
 * @param {number} slot this thread's index (0 for the calling thread)
 * @returns {(arg: number) => number}
 */
export function makeSpawn(ctl, spawn, slots, slot) {
  return (arg) => {
    const budget = Atomics.load(ctl, ctlBudget);
    for (;;) {
      const n = Atomics.load(ctl, ctlSpawned);
      if (n >= budget) return -1;
      if (Atomics.compareExchange(ctl, ctlSpawned, n, n + 1) === n) break;
    }
    const at = 8 * slot;
    if (spawn(arg, at) !== 0) return -1;
    const tid = Atomics.load(new Int32Array(slots.buffer, at, 2), 1);
    return tid > 0 ? tid : -1;
  };
}

/**
 * runThreadWorker is the body of a thread Worker: it waits for the host's configuration, then
 * lets the library's ThreadMessageHandler instantiate the module on the shared memory and run
 * wasi_thread_start. A failure raises the guest's abort flag (so threads that poll it trap) and
 * is reported on the instance's BroadcastChannel with what the thread wrote to stderr (the
 * AbortedError's stderr, as the Go host's Trap.Stderr).
 * @param {{post: (m: any) => void, listen: (fn: (d: any) => void) => void}} port
 */
export function runThreadWorker(port) {
  /** @type {any} */
  let handler;
  /** @type {any[]} */
  const queue = [];
  port.listen(async (data) => {
    if (data?.[setupKey]) {
      /** @type {import('./protocol.js').ThreadSetup} */
      const cfg = data[setupKey];
      setDeps(cfg.deps);
      const { ThreadMessageHandler, WASIThreads } = await wasiThreads();
      const channel = new BroadcastChannel(cfg.channel);
      /** @type {WebAssembly.Memory | undefined} */
      let mem;
      // What this thread writes to stderr (its first and last 512 bytes), told with its failure.
      const out = new Output();
      handler = new ThreadMessageHandler({
        postMessage: (/** @type {any} */ msg) => port.post(msg),
        onLoad: async (/** @type {{wasmModule: WebAssembly.Module, wasmMemory: WebAssembly.Memory}} */ { wasmModule, wasmMemory }) => {
          mem = wasmMemory;
          const wasi = await createWasi();
          const wt = new WASIThreads({ wasi, childThread: true, postMessage: (/** @type {any} */ msg) => port.post(msg) });
          const imports = wt.getImportObject();
          const spawn = makeSpawn(cfg.ctl, (arg, slot) => imports.wasi['thread-spawn'](arg, slot), cfg.slots, cfg.slot);
          const wi = await WebAssembly.instantiate(wasmModule, {
            env: { memory: wasmMemory },
            wasi_snapshot_preview1: guestImports(wasi, () => wasmMemory, out),
            wasi: { 'thread-spawn': spawn },
          });
          const instance = wt.initialize(wi, wasmModule, wasmMemory);
          wt.setup(instance, wasmModule, cfg.slots); // spawns from this thread: result slots in the host's memory
          return { module: wasmModule, instance };
        },
        onError: (/** @type {unknown} */ err, /** @type {string} */ phase) => {
          // The failure is told first, then the abort flag raised: the calling thread traps
          // because of the flag, and its reply should find this failure already recorded
          // (RemoteInstance.reply also waits a little for it).
          const message = err instanceof Error ? err.message : String(err);
          /** @type {import('./protocol.js').ThreadFailed} */
          const failed = { kind: threadFailedKind, phase, message: message.slice(0, 4096), stderr: out.stderr() };
          channel.postMessage(failed);
          const off = Number(Atomics.load(/** @type {Int32Array} */ (cfg.ctl), ctlAbortOffset));
          if (mem && off >= 0) {
            const flag = new Int32Array(mem.buffer, off, 1);
            Atomics.store(flag, 0, 1);
            Atomics.notify(flag, 0);
          }
        },
      });
      for (const d of queue.splice(0)) handler.handle({ data: d });
      return;
    }
    if (handler) handler.handle({ data });
    else queue.push(data);
  });
}
