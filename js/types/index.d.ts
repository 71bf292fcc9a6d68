export * as vector from "./vector.js";
export { capabilities } from "./env.js";
export { compile, load, Module, Instance, DefaultMemoryLimit, MaxThreads, MaxSharedMemory } from "./instance.js";
export { loadWorker, createPool, RemoteInstance, Pool } from "./remote.js";
export { WasmvecError, ModuleError, ImportError, MissingExportError, SignatureError, LayoutError, TrapError, AbortedError, ContractError, DeadlineError, LimitError, OptionError, ClosedError, LengthError, CapacityError, IsolationError, MaxCauseChars } from "./errors.js";
export { MaxParams, MaxBuffers, MaxKernels, MaxTableElements, DefaultMaxModuleBytes, DefaultMaxFunctions } from "./contract.js";
