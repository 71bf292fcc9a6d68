package host

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap one of them; those
// that concern a guest are also a [*GuestError].
var (
	// ErrModule: the module cannot be used as it is: its bytes are not a
	// valid WebAssembly module for this engine; it imports something the
	// host does not offer; it declares a buffer badly (an unknown element
	// type, the same name twice, a capacity of zero, an offset misaligned
	// for its element type, buffers overlapping or past the end of linear
	// memory, an offset or capacity that changes when asked again: the
	// *GuestError names the export); or instantiation failed for a reason
	// other than those below. The message says which; the guest must be
	// fixed, not the call.
	ErrModule = errors.New("wasmvec: invalid module")
	// ErrMissingExport: the module lacks an export the contract needs (the
	// memory, a buffer's capacity, a threaded guest's worker exports), or
	// one the caller names: a kernel (Module.Kernel), a buffer (View).
	ErrMissingExport = errors.New("wasmvec: missing export")
	// ErrSignature: an export has the wrong kind or function type (a
	// kernel with a parameter or result that is not numeric, or more than
	// one result), or a call does not fit it: the wrong number of arguments
	// for a kernel, a View of another element type than the buffer's.
	ErrSignature = errors.New("wasmvec: wrong export signature")
	// ErrTrap: guest code trapped (or failed) during a call.
	ErrTrap = errors.New("wasmvec: guest trapped")
	// ErrContract: a guest broke the contract of its kernels in a way only
	// a client that knows their semantics can tell (package vector's guard
	// words: a kernel wrote past the elements it may write). A client
	// returns it from an InPlace callback; the instance is then marked
	// untrusted and a Pool replaces it.
	ErrContract = errors.New("wasmvec: guest broke the buffer contract")
	// ErrDeadline: a call ran past its timeout (WithTimeout) or its bound
	// context ended (Bind, Pool.Do); it wraps the context's error when
	// there is one. The instance serves later calls; a Pool replaces it.
	ErrDeadline = errors.New("wasmvec: call deadline exceeded")
	// ErrLimit: a guest asks for more than its limits allow: at Compile a
	// module over the compile limits or with more than 4,096 buffers;
	// at instantiation a memory larger than WithMemoryLimit, more than one
	// memory, table or instance, a table over 65,536 elements. (Growing
	// past a limit later is not an error: memory.grow and table.grow
	// return -1 to the guest.)
	ErrLimit = errors.New("wasmvec: guest exceeds its resource limits")
	// ErrConcurrent: a call through a Buffers was made while another
	// goroutine's call through the same Buffers was in progress, or a method
	// of an instance was called from inside an InPlace callback while an
	// InPlace holds it; the later call did nothing. Use one goroutine per
	// InPlace, or a Pool.
	ErrConcurrent = errors.New("wasmvec: concurrent use of one Buffers")
	// ErrOption: an option passed to Instantiate is out of range or does
	// not apply to the module.
	ErrOption = errors.New("wasmvec: invalid option")
	// ErrClosed: the engine, module, instance or pool was closed, or a
	// Buffers was used after its InPlace returned; or a threaded instance
	// was ended by a failure: a thread trapped (or failed), or a call on
	// it passed its deadline, which ends the whole computation (the
	// wasi-threads rule). The call running then returns ErrClosed together
	// with ErrTrap (or ErrDeadline), and every later call returns ErrClosed
	// wrapping that error. Close the instance and make a new one (a Pool
	// does).
	ErrClosed = errors.New("wasmvec: closed")
	// ErrKeptView: a view was used after its instance was closed (a slice
	// from View kept past its InPlace or CallWith). Only ViewFault returns
	// it, given the panic of such a use on a goroutine that called
	// debug.SetPanicOnFault(true).
	ErrKeptView = errors.New("wasmvec: a view kept past Close")
)

// GuestError is an error concerning one guest: its name (given at Compile
// or Load), the export involved ("" when none is), and the cause, which
// wraps one of the sentinel errors and, for traps, a *Trap.
type GuestError struct {
	Guest  string
	Export string
	Err    error
}

// Error implements error ("<nil>" for a nil *GuestError).
func (e *GuestError) Error() string {
	if e == nil {
		return "<nil>"
	}
	if e.Export == "" {
		return fmt.Sprintf("wasmvec guest %q: %v", e.Guest, e.Err)
	}
	return fmt.Sprintf("wasmvec guest %q, export %q: %v", e.Guest, e.Export, e.Err)
}

// Unwrap returns the cause (nil for a nil *GuestError).
func (e *GuestError) Unwrap() error {
	if e == nil {
		return nil
	}
	return e.Err
}

// sharedError is a GuestError made once and returned by many calls (View's
// errors, made at Instantiate so that View stays small enough to inline).
// errors.As hands each caller a copy of it, so that a caller that changes
// the *GuestError it got changes nothing the next caller sees.
type sharedError struct{ e GuestError }

// shared makes err, a *GuestError, safe to return from many calls.
func shared(err error) error { return &sharedError{e: *err.(*GuestError)} }

func (s *sharedError) Error() string { return s.e.Error() }
func (s *sharedError) Unwrap() error { return s.e.Err }

// As sets *target to a copy of the GuestError when target is a
// **GuestError.
func (s *sharedError) As(target any) bool {
	p, ok := target.(**GuestError)
	if ok {
		c := s.e
		*p = &c
	}
	return ok
}

func guestErr(guest, export string, sentinel error, format string, args ...any) error {
	return &GuestError{Guest: guest, Export: export, Err: fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)}
}
