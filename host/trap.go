package host

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// Trap is a trap, or another failure, raised while guest code ran: its
// code and the runtime's message with the wasm backtrace, cut to 4,096
// bytes. Kernel errors wrap it with ErrTrap. Its fields are plain strings,
// so they do not change with the runtime.
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
	// TinyGo guest (the kits' checks included) traps as "unreachable"; an
	// instance that is not threaded then serves later calls, with whatever
	// state the guest's runtime was left in (a threaded one's trap ends it).
	Code string
	// Message is the runtime's message, with the wasm backtrace.
	Message string
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
// panic message says more than the backtrace), then the message ("<nil>"
// for a nil *Trap). Both are text a guest controls (what it wrote, the
// function names of its backtrace), so the error shows them escaped: every
// rune that is not printable but a line break written as a Go escape (no
// escape sequence reaches a terminal), and each line of the stderr after
// "  | ", so that none can pass for a line of the host's. Stderr and
// Message keep the text as it was.
func (t *Trap) Error() string {
	if t == nil {
		return "<nil>"
	}
	msg := escapeGuestText(t.Message)
	if s := strings.TrimSpace(t.Stderr); s != "" {
		return "guest stderr:\n  | " + strings.ReplaceAll(escapeGuestText(s), "\n", "\n  | ") + "\n" + msg
	}
	return msg
}

// escapeGuestText writes every rune of s that is not printable, other
// than a newline, as a Go escape (\x1b, \u202e, \x00, \r ...): invalid
// UTF-8 and bidirectional controls included.
func escapeGuestText(s string) string {
	clean := true
	for _, r := range s {
		if r != '\n' && (r == utf8.RuneError || !unicode.IsPrint(r)) {
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
		case r == '\n' || unicode.IsPrint(r):
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

// maxTrapMessage is the most bytes of a runtime's trap message a Trap
// keeps: the first lines (the reason and the innermost frames), then a line
// saying how many were cut. A deep recursion's backtrace ran to a megabyte.
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
// bounded as on the typed path. Every path reports a guest's trap as a
// *Trap, so errors.As finds one whichever thread or export trapped.
func trapOf(err error) *Trap {
	t := &Trap{Message: boundTrapMessage(err.Error())}
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
