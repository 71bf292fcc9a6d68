package host

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// Trap is a trap, or another failure, raised while guest code ran: its
// code, the runtime's reason, the wasm backtrace and what the guest wrote
// to its standard error. Kernel errors wrap it with ErrTrap. Its fields are
// plain strings, so they do not change with the runtime. Its Error is
// short: the guest's stderr (a panic's message and line) and the reason;
// the backtrace is only in its field.
type Trap struct {
	// Code says why guest code trapped, as the WebAssembly specification
	// names its traps (Wasmtime's codes): "stack overflow", "memory out of
	// bounds", "misaligned heap access", "table out of bounds", "indirect
	// call to null", "bad signature", "integer overflow", "integer division
	// by zero", "bad conversion to integer", "unreachable", or "interrupt"
	// (a deadline, a cancel, or Close); "exit" when the guest called WASI's
	// proc_exit during a call (C's exit(), a Go guest's os.Exit), which
	// ends the instance: its later calls return ErrClosed; "" when the
	// runtime reports no code (a host error). A panic in a Rust, C, Go or
	// TinyGo guest (the kits' checks included) traps as "unreachable". An
	// instance that is not threaded then serves later calls, as
	// WebAssembly allows, with whatever state the guest's runtime was left
	// in: the kits' checks fail before a kernel writes anything, but a
	// standard Go guest's runtime is left mid-panic, and its next panic
	// exits (code "exit", ErrClosed after). A Pool replaces an instance
	// whose call trapped; a threaded instance's trap ends it.
	Code string
	// Message is the runtime's reason, without the backtrace: "wasm trap:
	// wasm `unreachable` instruction executed", "wasm trap: interrupt",
	// "wasmvec: the guest exited: WASI proc_exit, exit status 2", a host
	// function's error. At most 4,096 bytes.
	Message string
	// Backtrace is the wasm backtrace the runtime reported, one frame per
	// line, innermost first ("    0: 0x344a - <unknown>!main.step"): the
	// function's name where the module keeps a name section, else "<wasm
	// function N>". Text the guest controls (its names); "" when the
	// runtime gave none. At most 4,096 bytes: past them the first frames,
	// then a line saying how many were cut.
	Backtrace string
	// Stderr is what the guest wrote to its standard error during the call
	// (or instantiation) that trapped, at most its first and last 512
	// bytes (a line between them says how many were left out): a Rust
	// guest's panic message ("panicked at src/lib.rs:12:5: ..."), a C
	// guest's failed check, a Go guest's "panic: ..." and its stack. ""
	// when it wrote nothing. Kept whether or not WithOutput routes the
	// stream.
	Stderr string
}

// Error implements error: the guest's stderr first, if it wrote any (a
// panic message and its line), then the message ("<nil>" for a nil
// *Trap); not the backtrace. Rust's "note: run with `RUST_BACKTRACE=1`"
// line is left out: no environment reaches a guest. Both are text a guest
// controls, so the error shows them escaped: every rune that is not
// printable, other than a line break or a tab, written as a Go escape (no
// escape sequence reaches a terminal), and each line of the stderr after "  | ", so that
// none can pass for a line of the host's. Stderr and Message keep the text
// as it was.
func (t *Trap) Error() string {
	if t == nil {
		return "<nil>"
	}
	msg := escapeGuestText(t.Message)
	if s := strings.TrimSpace(withoutRustNote(t.Stderr)); s != "" {
		return "guest stderr:\n  | " + strings.ReplaceAll(escapeGuestText(s), "\n", "\n  | ") + "\n" + msg
	}
	return msg
}

// rustNote is the line Rust's default panic hook adds to a panic's message.
const rustNote = "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"

// withoutRustNote is s without its lines that are rustNote.
func withoutRustNote(s string) string {
	if !strings.Contains(s, rustNote) {
		return s
	}
	lines := strings.Split(s, "\n")
	return strings.Join(slices.DeleteFunc(lines, func(l string) bool { return strings.TrimSpace(l) == rustNote }), "\n")
}

// splitTrapMessage parses the text Wasmtime gives for a failure of guest
// code into its reason and its wasm backtrace. Wasmtime writes (anyhow's
// form of an error with context):
//
//	error while executing at wasm backtrace:
//	    0:   0x344a - <unknown>!<wasm function 82>
//	    ...
//
//	Caused by:
//	    wasm trap: wasm `unreachable` instruction executed
//
// and, with RUST_BACKTRACE=1 in the host process's environment, a "Stack
// backtrace:" of Wasmtime's own frames, which is dropped. The reason is the
// causes joined by ": " (their "N: " numbers dropped), or the text before
// the backtrace when no cause follows it; a text of another form is the
// reason whole.
func splitTrapMessage(msg string) (reason, backtrace string) {
	lines := strings.Split(strings.TrimRight(msg, "\n"), "\n")
	var head, frames, causes []string
	state := 0 // 0 head, 1 frames, 2 causes, 3 Wasmtime's own stack
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case state == 0 && strings.HasSuffix(t, "wasm backtrace:"):
			if h := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(t, "wasm backtrace:"), " at")); h != "" {
				head = append(head, h)
			}
			state = 1
		case t == "Caused by:":
			state = 2
		case t == "Stack backtrace:":
			state = 3
		case state == 0:
			head = append(head, l)
		case state == 1 && t != "":
			frames = append(frames, l)
		case state == 2 && t != "":
			if i := strings.Index(t, ": "); i > 0 && strings.Trim(t[:i], "0123456789") == "" {
				t = t[i+2:] // anyhow numbers the causes when there are several
			}
			causes = append(causes, t)
		}
	}
	switch {
	case len(causes) > 0:
		reason = strings.Join(causes, ": ")
	case len(frames) > 0:
		reason = strings.Join(head, "\n")
	default:
		return boundTrapMessage(strings.TrimSpace(msg)), ""
	}
	return boundTrapMessage(reason), boundTrapMessage(strings.Join(frames, "\n"))
}

// escapeGuestText writes every rune of s that is not printable, other
// than a newline or a tab, as a Go escape (\x1b, \u202e, \x00, \r ...): invalid
// UTF-8 and bidirectional controls included.
func escapeGuestText(s string) string {
	clean := true
	for _, r := range s {
		if r != '\n' && r != '\t' && (r == utf8.RuneError || !unicode.IsPrint(r)) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, "\\x%02x", s[i]) // a byte that is not UTF-8
		case r == '\n' || r == '\t' || unicode.IsPrint(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String()
}

// codeExit is Trap.Code for a guest's proc_exit.
const codeExit = "exit"

// trapCodeOf names Wasmtime's code (by its constant, not its number).
func trapCodeOf(c wasmtime.TrapCode) string {
	switch c {
	case wasmtime.StackOverflow:
		return "stack overflow"
	case wasmtime.MemoryOutOfBounds:
		return "memory out of bounds"
	case wasmtime.HeapMisaligned:
		return "misaligned heap access"
	case wasmtime.TableOutOfBounds:
		return "table out of bounds"
	case wasmtime.IndirectCallToNull:
		return "indirect call to null"
	case wasmtime.BadSignature:
		return "bad signature"
	case wasmtime.IntegerOverflow:
		return "integer overflow"
	case wasmtime.IntegerDivisionByZero:
		return "integer division by zero"
	case wasmtime.BadConversionToInteger:
		return "bad conversion to integer"
	case wasmtime.UnreachableCodeReached:
		return "unreachable"
	case wasmtime.Interrupt:
		return "interrupt"
	}
	return ""
}

// maxTrapMessage is the most bytes of a runtime's reason or backtrace a
// Trap keeps: the first lines (the innermost frames), then a line saying
// how many were cut. A deep recursion's backtrace ran to a megabyte.
const maxTrapMessage = 4096

// boundTrapMessage cuts msg to maxTrapMessage bytes at a line end.
func boundTrapMessage(msg string) string {
	if len(msg) <= maxTrapMessage {
		return msg
	}
	keep := msg[:maxTrapMessage]
	if i := strings.LastIndexByte(keep, '\n'); i > 0 {
		keep = keep[:i]
	}
	cut := strings.Count(msg[len(keep):], "\n")
	return fmt.Sprintf("%s\n    … %d more lines (%d bytes) cut", keep, cut, len(msg)-len(keep))
}

// trapOf is the Trap of an error that wasmtime-go returned for guest code
// run outside the typed path (Func.Call, Linker.Instantiate): a
// *wasmtime.Trap gives its code, anything else none; the message is
// split and bounded as on the typed path. Every path reports a guest's trap as a
// *Trap, so errors.As finds one whichever thread or export trapped.
func trapOf(err error) *Trap {
	t := &Trap{}
	t.Message, t.Backtrace = splitTrapMessage(err.Error())
	var wt *wasmtime.Trap
	var we *wasmtime.Error
	if errors.As(err, &wt) {
		if c := wt.Code(); c != nil {
			t.Code = trapCodeOf(*c)
		}
	} else if errors.As(err, &we) {
		if _, exited := we.ExitStatus(); exited {
			t.Code = codeExit
		}
	}
	return t
}
