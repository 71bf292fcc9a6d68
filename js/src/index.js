// wasmvec for JavaScript: the guests of the Go host, run unchanged in Node
// and in a browser page, with the same buffer-and-kernel contract, the same
// errors, and threaded guests on Workers.

export { compile, load, Module } from './module.js';
export { Instance } from './instance.js';
export { loadWorker, createPool, RemoteInstance, Pool } from './remote.js';
export {
  WasmvecError,
  ModuleError,
  ImportError,
  MissingExportError,
  SignatureError,
  LayoutError,
  TrapError,
  AbortedError,
  ContractError,
  DeadlineError,
  LimitError,
  OptionError,
  ClosedError,
  LengthError,
  CapacityError,
  IsolationError,
  MaxCauseChars,
} from './errors.js';
export {
  MaxParams,
  MaxBuffers,
  MaxKernels,
  MaxTableElements,
  DefaultMaxModuleBytes,
  DefaultMaxFunctions,
  DefaultMemoryLimit,
  MaxThreads,
  MaxSharedMemory,
} from './contract.js';
export * as vector from './vector.js';
export { capabilities } from './env.js';
