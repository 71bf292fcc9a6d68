/**
 * makeSpawn returns the guest's wasi.thread-spawn for one thread: the budget first, then the
 * library's two-argument spawn with this thread's result slot.
 * @param {Int32Array} ctl the control block
 * @param {(arg: number, slot: number) => number} spawn the library's threadSpawn
 * @param {WebAssembly.Memory} slots the host's memory of result slots
 * @param {number} slot this thread's index (0 for the calling thread)
 * @returns {(arg: number) => number}
 */
export function makeSpawn(ctl: Int32Array, spawn: (arg: number, slot: number) => number, slots: WebAssembly.Memory, slot: number): (arg: number) => number;
/**
 * runThreadWorker is the body of a thread Worker: it waits for the host's configuration, then
 * lets the library's ThreadMessageHandler instantiate the module on the shared memory and run
 * wasi_thread_start. A failure raises the guest's abort flag (so threads that poll it trap) and
 * is reported on the instance's BroadcastChannel with what the thread wrote to stderr (the
 * AbortedError's stderr, as the Go host's Trap.Stderr).
 * @param {{post: (m: any) => void, listen: (fn: (d: any) => void) => void}} port
 */
export function runThreadWorker(port: {
    post: (m: any) => void;
    listen: (fn: (d: any) => void) => void;
}): void;
export const ctlSpawned: 0;
export const ctlAbortOffset: 1;
export const ctlBudget: 2;
/**
 * What a compute Worker gives a threaded instance.
 */
export type ThreadHooks = {
    /**
     * the BroadcastChannel on which threads report their failures
     */
    channel: string;
    /**
     * told which guest code starts running (for a deadline's message)
     */
    phase?: ((exp: string) => void) | undefined;
};
