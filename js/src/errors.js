// Errors of the wasmvec JS host. Each class matches one sentinel error of
// the Go host (package host, errors.go), so code that tests `instanceof
// ModuleError` here tests `errors.Is(err, host.ErrModule)` there. A few
// subclasses are finer kinds of their parent's sentinel, which the Go host
// tells apart only in the message: ImportError, LayoutError and
// IsolationError (ErrModule), AbortedError (ErrTrap, whose instance is
// over: Go adds ErrClosed). Every error names the guest (as given at
// compile) and, when one is involved, the export.

/**
 * The base class of every error the package throws or rejects with.
 *
 * `guest` is the guest's name (as given to compile or load), `export` the
 * export involved ('' when none is), `sentinel` the name of the Go host's
 * sentinel error of the same kind ('ErrModule', …), and `cause` the
 * underlying error (a WebAssembly.RuntimeError for a trap), if any.
 */
export class WasmvecError extends Error {
  /**
   * @param {string} guest the guest's name
   * @param {string} exportName the export involved, or ''
   * @param {string} detail what happened
   * @param {unknown} [cause] the underlying error
   */
  constructor(guest, exportName, detail, cause) {
    const self = /** @type {typeof WasmvecError} */ (new.target);
    const where =
      exportName === ''
        ? `wasmvec guest ${JSON.stringify(guest)}`
        : `wasmvec guest ${JSON.stringify(guest)}, export ${JSON.stringify(exportName)}`;
    // Names and text from a module are escaped (escapeText), so that no message carries an
    // escape sequence, a NUL or a bidirectional control from a guest.
    super(escapeText(`${where}: ${self.text}: ${detail}`), cause === undefined ? undefined : { cause });
    /** @type {string} */ this.guest = guest;
    /** @type {string} */ this.export = exportName;
    /** @type {string} */ this.sentinel = self.sentinel;
    this.name = self.name;
  }
  /** The Go host's sentinel of this kind. */
  static sentinel = '';
  /** The Go host's sentinel text. */
  static text = 'wasmvec: error';
}

/** The bytes are not a valid WebAssembly module for this host (Go: ErrModule), or instantiation failed for another reason than those below. */
export class ModuleError extends WasmvecError {
  static sentinel = 'ErrModule';
  static text = 'wasmvec: invalid module';
}
/** The module imports something the host does not offer: a ModuleError (Go: ErrModule). */
export class ImportError extends ModuleError {}
/** The module lacks an export the contract needs, or one the caller names (Go: ErrMissingExport). */
export class MissingExportError extends WasmvecError {
  static sentinel = 'ErrMissingExport';
  static text = 'wasmvec: missing export';
}
/** An export has the wrong kind or type, or a call does not fit a kernel's signature (Go: ErrSignature). */
export class SignatureError extends WasmvecError {
  static sentinel = 'ErrSignature';
  static text = 'wasmvec: wrong export signature';
}
/** A buffer is declared badly: unknown element type, twice, capacity 0, misaligned, past memory, overlapping, or changing: a ModuleError (Go: ErrModule, naming the export). */
export class LayoutError extends ModuleError {}
/** Guest code trapped (Go: ErrTrap). `cause` is the WebAssembly.RuntimeError or the value thrown. */
export class TrapError extends WasmvecError {
  static sentinel = 'ErrTrap';
  static text = 'wasmvec: guest trapped';
  /** What the guest wrote to stderr during the failing call, its first and last 512 bytes (Go: Trap.Stderr); '' when none. */
  stderr = '';
}
/** A thread of a threaded guest trapped, which ends the whole instance: a TrapError (Go: ErrTrap with ErrClosed); later calls throw ClosedError. */
export class AbortedError extends TrapError {}
/** A kernel wrote where the vector world's contract says it must not, seen by the guard words (Go: ErrContract). */
export class ContractError extends WasmvecError {
  static sentinel = 'ErrContract';
  static text = 'wasmvec: guest broke the buffer contract';
}
/** A call or a load ran past its timeout (Go: ErrDeadline). In JS this costs the instance: its Workers are terminated. */
export class DeadlineError extends WasmvecError {
  static sentinel = 'ErrDeadline';
  static text = 'wasmvec: call deadline exceeded';
}
/** The guest asks for more than its limits allow: module size or functions, memory, tables (Go: ErrLimit). */
export class LimitError extends WasmvecError {
  static sentinel = 'ErrLimit';
  static text = 'wasmvec: guest exceeds its resource limits';
}
/** An option is out of range or does not apply (Go: ErrOption). */
export class OptionError extends WasmvecError {
  static sentinel = 'ErrOption';
  static text = 'wasmvec: invalid option';
}
/** The instance, module or pool was closed (Go: ErrClosed). */
export class ClosedError extends WasmvecError {
  static sentinel = 'ErrClosed';
  static text = 'wasmvec: closed';
}
/** Arrays that must have equal lengths do not (Go: ErrLength). */
export class LengthError extends WasmvecError {
  static sentinel = 'ErrLength';
  static text = 'wasmvec: mismatched lengths';
}
/** An input is longer than a buffer's capacity and cannot be streamed (Go: ErrCapacity). */
export class CapacityError extends WasmvecError {
  static sentinel = 'ErrCapacity';
  static text = 'wasmvec/vector: input exceeds guest capacity';
}
/** Cross-origin isolation is missing: SharedArrayBuffer is not available, so a threaded guest cannot load. A ModuleError. */
export class IsolationError extends ModuleError {
  static text = 'wasmvec: threads need cross-origin isolation';
}

/** Every error class by its `name`, for errors that cross a Worker boundary. */
export const errorClasses = /** @type {Record<string, typeof WasmvecError>} */ ({
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
});

// Each class's name as a string, so that `err.name` says 'ModuleError' in a minified bundle too
// (a minifier renames the classes; the keys above are kept).
for (const [name, c] of Object.entries(errorClasses)) Object.defineProperty(c, 'name', { value: name });

/** The most characters of a cause's message kept in an error (traps of deep recursions carry long stacks). */
export const MaxCauseChars = 4096;

/**
 * withStderr is a trap's message text with what the guest wrote to stderr (as Output.stderr
 * keeps it) first, as the Go host's Trap.Error writes it; text alone when stderr is blank.
 * @param {string} stderr
 * @param {string} text
 * @returns {string}
 */
export function withStderr(stderr, text) {
  return stderr.trim() === '' ? text : `guest stderr:\n  | ${stderr.trim().replaceAll('\n', '\n  | ')}\n${text}`;
}

/**
 * Characters a message must not carry as they are: C0 and C1 controls but the newline, DEL,
 * and the invisible and bidirectional format characters (U+200B–U+200F, U+202A–U+202E,
 * U+2066–U+2069, …) that let a name pass for another or reorder a line.
 */
// eslint-disable-next-line no-control-regex -- matching the control characters is its purpose
const unsafe = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

/**
 * escapeText writes every character of s that a terminal or a log could take for something
 * else (see unsafe) as a \uXXXX escape, as the Go host's errors escape a guest's text: names
 * from a module, what it wrote to stderr.
 * @param {string} s
 * @returns {string}
 */
export function escapeText(s) {
  return s.replace(unsafe, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * bounded returns the message of a thrown value, cut to MaxCauseChars with a note of how much was cut.
 * @param {unknown} e
 * @returns {string}
 */
export function bounded(e) {
  const s = e instanceof Error ? e.message : String(e);
  return s.length <= MaxCauseChars ? s : `${s.slice(0, MaxCauseChars)}… (${s.length - MaxCauseChars} more characters cut)`;
}

/**
 * toPlain turns an error into a structured-clone-safe record (for postMessage).
 * @param {unknown} e
 * @returns {{name: string, guest: string, export: string, message: string, stderr: string}}
 */
export function toPlain(e) {
  if (e instanceof WasmvecError)
    return { name: e.name, guest: e.guest, export: e.export, message: e.message, stderr: e instanceof TrapError ? e.stderr : '' };
  return { name: 'Error', guest: '', export: '', message: bounded(e), stderr: '' };
}

/**
 * fromPlain rebuilds an error that toPlain flattened, as the same class with the same message.
 * @param {{name: string, guest: string, export: string, message: string, stderr?: string}} p
 * @returns {Error}
 */
export function fromPlain(p) {
  const C = errorClasses[p.name];
  if (!C) return new Error(p.message);
  const e = new C(p.guest, p.export, '');
  e.message = p.message;
  if (e instanceof TrapError) e.stderr = p.stderr ?? '';
  return e;
}
