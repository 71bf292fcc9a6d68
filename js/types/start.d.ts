/** @typedef {import('./module.js').Module} Module */
/** @typedef {import('./module.js').InstanceOptions} InstanceOptions */
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
export type Module = import("./module.js").Module;
export type InstanceOptions = import("./module.js").InstanceOptions;
import { Instance } from './instance.js';
import { ModuleError } from './errors.js';
import { TrapError } from './errors.js';
import { LimitError } from './errors.js';
import { Output } from './wasi.js';
