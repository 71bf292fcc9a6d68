/**
 * withStderr is a trap's message text with what the guest wrote to stderr (as Output.stderr
 * keeps it) first, as the Go host's Trap.Error writes it; text alone when stderr is blank.
 * @param {string} stderr
 * @param {string} text
 * @returns {string}
 */
export function withStderr(stderr: string, text: string): string;
/**
 * escapeText writes every character of s that a terminal or a log could take for something
 * else (see unsafe) as a \uXXXX escape, as the Go host's errors escape a guest's text: names
 * from a module, what it wrote to stderr.
 * @param {string} s
 * @returns {string}
 */
export function escapeText(s: string): string;
/**
 * bounded returns the message of a thrown value, cut to MaxCauseChars with a note of how much was cut.
 * @param {unknown} e
 * @returns {string}
 */
export function bounded(e: unknown): string;
/**
 * toPlain turns an error into a structured-clone-safe record (for postMessage).
 * @param {unknown} e
 * @returns {{name: string, guest: string, export: string, message: string, stderr: string}}
 */
export function toPlain(e: unknown): {
    name: string;
    guest: string;
    export: string;
    message: string;
    stderr: string;
};
/**
 * fromPlain rebuilds an error that toPlain flattened, as the same class with the same message.
 * @param {{name: string, guest: string, export: string, message: string, stderr?: string}} p
 * @returns {Error}
 */
export function fromPlain(p: {
    name: string;
    guest: string;
    export: string;
    message: string;
    stderr?: string;
}): Error;
/**
 * The base class of every error the package throws or rejects with.
 *
 * `guest` is the guest's name (as given to compile or load), `export` the
 * export involved ('' when none is), `sentinel` the name of the Go host's
 * sentinel error of the same kind ('ErrModule', …), and `cause` the
 * underlying error (a WebAssembly.RuntimeError for a trap), if any.
 */
export class WasmvecError extends Error {
    /** The Go host's sentinel of this kind. */
    static sentinel: string;
    /** The Go host's sentinel text. */
    static text: string;
    /**
     * @param {string} guest the guest's name
     * @param {string} exportName the export involved, or ''
     * @param {string} detail what happened
     * @param {unknown} [cause] the underlying error
     */
    constructor(guest: string, exportName: string, detail: string, cause?: unknown);
    /** @type {string} */ guest: string;
    /** @type {string} */ export: string;
    /** @type {string} */ sentinel: string;
}
/** The bytes are not a valid WebAssembly module for this host (Go: ErrModule), or instantiation failed for another reason than those below. */
export class ModuleError extends WasmvecError {
}
/** The module imports something the host does not offer: a ModuleError (Go: ErrModule). */
export class ImportError extends ModuleError {
}
/** The module lacks an export the contract needs, or one the caller names (Go: ErrMissingExport). */
export class MissingExportError extends WasmvecError {
}
/** An export has the wrong kind or type, or a call does not fit a kernel's signature (Go: ErrSignature). */
export class SignatureError extends WasmvecError {
}
/** A buffer is declared badly: unknown element type, twice, capacity 0, misaligned, past memory, overlapping, or changing: a ModuleError (Go: ErrModule, naming the export). */
export class LayoutError extends ModuleError {
}
/** Guest code trapped (Go: ErrTrap). `cause` is the WebAssembly.RuntimeError or the value thrown. */
export class TrapError extends WasmvecError {
    /** What the guest wrote to stderr during the failing call, its first and last 512 bytes (Go: Trap.Stderr); '' when none. */
    stderr: string;
}
/** A thread of a threaded guest trapped, which ends the whole instance: a TrapError (Go: ErrTrap with ErrClosed); later calls throw ClosedError. */
export class AbortedError extends TrapError {
}
/** A kernel wrote where the vector world's contract says it must not, seen by the guard words (Go: ErrContract). */
export class ContractError extends WasmvecError {
}
/** A call or a load ran past its timeout (Go: ErrDeadline). In JS this costs the instance: its Workers are terminated. */
export class DeadlineError extends WasmvecError {
}
/** The guest asks for more than its limits allow: module size or functions, memory, tables (Go: ErrLimit). */
export class LimitError extends WasmvecError {
}
/** An option is out of range or does not apply (Go: ErrOption). */
export class OptionError extends WasmvecError {
}
/** The instance, module or pool was closed (Go: ErrClosed). */
export class ClosedError extends WasmvecError {
}
/** Arrays that must have equal lengths do not (Go: ErrLength). */
export class LengthError extends WasmvecError {
}
/** An input is longer than a buffer's capacity and cannot be streamed (Go: ErrCapacity). */
export class CapacityError extends WasmvecError {
}
/** Cross-origin isolation is missing: SharedArrayBuffer is not available, so a threaded guest cannot load. A ModuleError. */
export class IsolationError extends ModuleError {
}
/** Every error class by its `name`, for errors that cross a Worker boundary. */
export const errorClasses: Record<string, typeof WasmvecError>;
/** The most characters of a cause's message kept in an error (traps of deep recursions carry long stacks). */
export const MaxCauseChars: 4096;
