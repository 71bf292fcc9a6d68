package host

import (
	"errors"
	"fmt"

	"github.com/wasmvec/wasmvec/kernels"
)

// Sentinel errors. Errors returned by this package wrap one of them; those
// that concern a guest are also a [*GuestError].
var (
	// ErrLength: slices that must have equal lengths do not (the same value
	// as kernels.ErrLength).
	ErrLength = kernels.ErrLength
	// ErrCapacity: an input is longer than the guest's capacity and cannot be
	// streamed, because the capacity is smaller than one block
	// (kernels.BlockLen elements) and the fold must stay block-aligned.
	ErrCapacity = errors.New("wasmvec: input exceeds guest capacity")
	// ErrModule: the bytes are not a valid WebAssembly module for this
	// engine, or instantiation failed for a reason other than those below.
	ErrModule = errors.New("wasmvec: invalid module")
	// ErrImport: the module imports something the host does not offer.
	ErrImport = errors.New("wasmvec: unsupported import")
	// ErrMissingExport: the module lacks an export the contract needs (the
	// memory, a buffer's capacity, a threaded guest's worker exports), or
	// one the caller names: a kernel (Module.Kernel), a buffer (View), or
	// for the typed methods an export of the vector world (Module.Vector).
	ErrMissingExport = errors.New("wasmvec: missing export")
	// ErrSignature: an export has the wrong kind or function type (a
	// kernel with a parameter or result that is not numeric, or more than
	// one result), or a call does not fit it: the wrong number of arguments
	// for a kernel, a View of another element type than the buffer's.
	ErrSignature = errors.New("wasmvec: wrong export signature")
	// ErrLayout: the guest declares a buffer badly: an unknown element type,
	// the same name twice, a capacity of zero, an offset misaligned for its
	// element type, buffers overlapping or past the end of linear memory,
	// or an offset or capacity that changes when asked again.
	ErrLayout = errors.New("wasmvec: invalid buffer layout")
	// ErrTrap: guest code trapped (or failed) during a call.
	ErrTrap = errors.New("wasmvec: guest trapped")
	// ErrAborted: a thread of a threaded guest trapped (or failed), or a
	// call on one passed its deadline, which ends the whole computation
	// (the wasi-threads rule): the call running then returns it together
	// with ErrTrap (or ErrDeadline), and every later call returns ErrClosed
	// wrapping that error. Close the instance and make a new one.
	ErrAborted = errors.New("wasmvec: threaded instance aborted")
	// ErrContract: a kernel wrote where the WIT contract says it must not
	// (detected by guard words the host places around the buffers' live
	// elements for each call: A[len], B[len], and RESULT[len], or RESULT[0]
	// for a reduction). The results of that call are discarded; a Pool
	// replaces the instance.
	ErrContract = errors.New("wasmvec: guest broke the buffer contract")
	// ErrDeadline: a call ran past its timeout (WithTimeout) or its bound
	// context ended (Bind, Pool.Do); it wraps the context's error when
	// there is one. The instance serves later calls; a Pool replaces it.
	ErrDeadline = errors.New("wasmvec: call deadline exceeded")
	// ErrLimit: a guest asks for more than its limits allow: at Compile a
	// module over the compile limits or with more than MaxBuffers buffers;
	// at instantiation a memory larger than WithMemoryLimit, more than one
	// memory, table or instance, a table over MaxTableElements. (Growing
	// past a limit later is not an error: memory.grow and table.grow
	// return -1 to the guest.)
	ErrLimit = errors.New("wasmvec: guest exceeds its resource limits")
	// ErrConcurrent: a kernel method of a Buffers was called while another
	// goroutine's call on the same Buffers was in progress; the later call
	// did nothing. Use one goroutine per InPlace, or a Pool.
	ErrConcurrent = errors.New("wasmvec: concurrent use of one Buffers")
	// ErrOption: an option passed to Instantiate is out of range or does
	// not apply to the module.
	ErrOption = errors.New("wasmvec: invalid option")
	// ErrClosed: the instance or module was closed, or the threaded
	// instance was ended by a failure (ErrAborted, wrapped too).
	ErrClosed = errors.New("wasmvec: closed")
)

// GuestError is an error concerning one guest: its name (given at Compile
// or Load), the export involved ("" when none is), and the cause, which
// wraps one of the sentinel errors and, for traps, a *Trap.
type GuestError struct {
	Guest  string
	Export string
	Err    error
}

// Error implements error.
func (e *GuestError) Error() string {
	if e.Export == "" {
		return fmt.Sprintf("wasmvec guest %q: %v", e.Guest, e.Err)
	}
	return fmt.Sprintf("wasmvec guest %q, export %q: %v", e.Guest, e.Export, e.Err)
}

// Unwrap returns the cause.
func (e *GuestError) Unwrap() error { return e.Err }

func guestErr(guest, export string, sentinel error, format string, args ...any) error {
	return &GuestError{Guest: guest, Export: export, Err: fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)}
}
