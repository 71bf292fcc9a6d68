// The entry point of a compute Worker: it hosts one instance (remote.js)
// and runs the jobs its controller sends (the messages: protocol.js). For a threaded guest it is the
// guest's calling thread, so it may wait (Atomics.wait) while the guest's
// own threads work; its controller stays free to time calls out.

import { selfPort, setDeps } from './env.js';
import { toPlain } from './errors.js';

const port = selfPort();
/** @type {import('./instance.js').Instance | null} */
let inst = null;
/** @type {Int32Array | null} the guest's stop word (a threaded guest's, when it has one) */
let stopWord = null;
/** @type {typeof import('./vector.js') | null} */
let vector = null;

port.listen(async (/** @type {import('./protocol.js').LoadRequest | import('./protocol.js').RunRequest} */ msg) => {
  try {
    if (msg.op === 'load') {
      setDeps(msg.deps);
      const [{ compileBytes }, { instantiateHere }] = await Promise.all([import('./module.js'), import('./start.js')]);
      const m = await compileBytes(msg.bytes, msg.name, msg.compile);
      inst = await instantiateHere(m, msg.options, { channel: msg.channel, phase: (exp) => port.post({ phase: exp }) });
      port.post({ phase: '' });
      const buf = inst.memory.buffer;
      if (inst.stopOffset >= 0) stopWord = new Int32Array(buf, inst.stopOffset, 1);
      /** @type {import('./protocol.js').LoadResult} */
      const value = {
        layout: inst.layout,
        kernels: m.kernels,
        threads: inst.threads,
        memory: typeof SharedArrayBuffer !== 'undefined' && buf instanceof SharedArrayBuffer ? buf : null,
        stopOffset: inst.stopOffset,
      };
      port.post({ id: msg.id, ok: true, value });
    } else if (msg.op === 'run') {
      if (!inst) throw new Error('wasmvec: no instance');
      const j = msg.job;
      for (const [name, data, at] of j.write ?? []) inst.write(name, data, at);
      /** @type {any} */
      let result;
      // A stop (RemoteInstance.stop) asks the job that runs now: lower the word first.
      if (stopWord) Atomics.store(stopWord, 0, 0);
      let count = 0,
        lastMs = 0;
      const t0 = performance.now();
      if (j.call) {
        const [name, args = []] = j.call;
        const b = j.budget;
        const max = b?.max ?? Infinity;
        let now = t0;
        do {
          const t = now;
          result = inst.call(name, ...args);
          count++;
          now = performance.now();
          lastMs = now - t;
        } while (b && count < max && result !== b.stop && now - t0 < b.ms);
      }
      if (j.vector) {
        vector ??= await import('./vector.js');
        const [fn, args, opts] = j.vector;
        if (!Object.hasOwn(vector.byName, fn)) throw new TypeError(`wasmvec: no vector function ${fn}`);
        result = vector.byName[fn](inst, ...args, ...(opts ? [opts] : []));
      }
      const guestMs = performance.now() - t0,
        lastCallMs = lastMs;
      const read = (j.read ?? []).map(([name, length, at]) => inst?.read(name, length, at));
      port.post({ id: msg.id, ok: true, value: { result, read, count, guestMs, lastCallMs } }, [
        ...read.map((/** @type {any} */ v) => v.buffer),
      ]);
    }
  } catch (e) {
    port.post({ id: msg.id, ok: false, error: toPlain(e) });
  }
});
