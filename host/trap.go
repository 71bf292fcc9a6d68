package host

import (
	"errors"
	"fmt"
	"strings"

	"github.com/bytecodealliance/wasmtime-go/v39"
)

// Trap is a trap, or another failure, raised while guest code ran: its
// code (TrapUnknown when the runtime reports none, as for a WASI exit) and
// the runtime's message with the wasm backtrace, cut to MaxTrapMessage
// bytes. Kernel errors wrap it with ErrTrap. Its fields are the project's
// own types, so they do not change with the runtime.
type Trap struct {
	Code    TrapCode
	Message string
}

// Error implements error.
func (t *Trap) Error() string { return t.Message }

// TrapCode says why guest code trapped.
type TrapCode uint8

// The trap codes (the WebAssembly specification's traps, as Wasmtime
// reports them).
const (
	TrapUnknown                TrapCode = iota // no code: a WASI exit, a host error, or one this version does not name
	TrapStackOverflow                          // call stack exhausted
	TrapMemoryOutOfBounds                      // a load or store outside linear memory
	TrapHeapMisaligned                         // a misaligned atomic access
	TrapTableOutOfBounds                       // a table access out of bounds
	TrapIndirectCallToNull                     // call_indirect to a null entry
	TrapBadSignature                           // call_indirect with the wrong type
	TrapIntegerOverflow                        // integer overflow (INT_MIN / -1)
	TrapIntegerDivisionByZero                  // integer division or remainder by zero
	TrapBadConversionToInteger                 // a float that does not fit the integer type
	TrapUnreachable                            // an unreachable instruction
	TrapInterrupt                              // interrupted: a deadline, a cancel, or Close
)

var trapNames = [...]string{"unknown", "stack overflow", "memory out of bounds", "misaligned heap access",
	"table out of bounds", "indirect call to null", "bad signature", "integer overflow",
	"integer division by zero", "bad conversion to integer", "unreachable", "interrupt"}

// String names the code, as "unreachable".
func (c TrapCode) String() string {
	if int(c) < len(trapNames) {
		return trapNames[c]
	}
	return fmt.Sprintf("TrapCode(%d)", uint8(c))
}

// trapCodeOf converts Wasmtime's code by name, not by number.
func trapCodeOf(c wasmtime.TrapCode) TrapCode {
	switch c {
	case wasmtime.StackOverflow:
		return TrapStackOverflow
	case wasmtime.MemoryOutOfBounds:
		return TrapMemoryOutOfBounds
	case wasmtime.HeapMisaligned:
		return TrapHeapMisaligned
	case wasmtime.TableOutOfBounds:
		return TrapTableOutOfBounds
	case wasmtime.IndirectCallToNull:
		return TrapIndirectCallToNull
	case wasmtime.BadSignature:
		return TrapBadSignature
	case wasmtime.IntegerOverflow:
		return TrapIntegerOverflow
	case wasmtime.IntegerDivisionByZero:
		return TrapIntegerDivisionByZero
	case wasmtime.BadConversionToInteger:
		return TrapBadConversionToInteger
	case wasmtime.UnreachableCodeReached:
		return TrapUnreachable
	case wasmtime.Interrupt:
		return TrapInterrupt
	}
	return TrapUnknown
}

// MaxTrapMessage is the most bytes of a runtime's trap message a Trap
// keeps: the first lines (the reason and the innermost frames), then a line
// saying how many were cut. A deep recursion's backtrace ran to a megabyte.
const MaxTrapMessage = 4096

// boundTrapMessage cuts msg to MaxTrapMessage bytes at a line end.
func boundTrapMessage(msg string) string {
	if len(msg) <= MaxTrapMessage {
		return msg
	}
	keep := msg[:MaxTrapMessage]
	if i := strings.LastIndexByte(keep, '\n'); i > 0 {
		keep = keep[:i]
	}
	cut := strings.Count(msg[len(keep):], "\n")
	return fmt.Sprintf("%s\n    … %d more lines (%d bytes) cut", keep, cut, len(msg)-len(keep))
}

// trapOf is the Trap of an error that wasmtime-go returned for guest code
// run outside the typed path (Func.Call, Linker.Instantiate): a
// *wasmtime.Trap gives its code, anything else TrapUnknown; the message is
// bounded as on the typed path. Every path reports a guest's trap as a
// *Trap, so errors.As finds one whichever thread or export trapped.
func trapOf(err error) *Trap {
	t := &Trap{Message: boundTrapMessage(err.Error())}
	var wt *wasmtime.Trap
	if errors.As(err, &wt) {
		if c := wt.Code(); c != nil {
			t.Code = trapCodeOf(*c)
		}
	}
	return t
}
