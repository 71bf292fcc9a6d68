package host

import (
	"fmt"
	"strings"

	"github.com/wasmvec/wasmvec/internal/raw"
)

// Buffers is in-place access to an instance's buffers: the caller writes
// inputs straight into linear memory through views (View) and calls
// kernels (Buffers.Call), with no copy. A Buffers is handed to the function
// given to Instance.InPlace and is valid only while that function runs; the
// instance's lock is held all that time. A Buffers kept or copied past that
// is expired: its methods and View return ErrClosed.
//
// # Rules for views
//
// A view aliases the guest's linear memory. It stays valid for the whole
// InPlace call: the host caps every instance's memory at its size after
// instantiation, so the memory cannot grow and move, and Close waits for
// InPlace to return. A view must not be kept or used after InPlace returns.
// Kept, it still reaches the instance's memory while the instance is open;
// once it is closed, the memory is made inaccessible and its addresses are
// kept out of reuse for a while (docs/security.md), so a kept view's use
// faults instead of reaching another instance's memory: see ViewFault.
//
// # One goroutine at a time
//
// Calls through one Buffers must not run at the same time on two
// goroutines: they share the instance's store. Doing so is detected, not
// suffered: the call that finds another in progress returns ErrConcurrent
// and does nothing. (Views are plain Go memory over the guest's: their
// reads and writes are yours to order, as for any slice.)
type Buffers struct {
	in  *Instance
	gen uint64 // the InPlace call that handed it out
}

// InPlace calls fn with in-place access to the instance's buffers (see
// Buffers), holding the instance's lock until fn returns, and returns fn's
// error. It returns ErrClosed (in a *GuestError) without calling fn if the
// instance is closed (or in is nil or a zero Instance), and ErrOption if
// fn is nil.
//
// If fn's error wraps ErrContract (a client found that the guest broke its
// contract, a guard word it placed overwritten, say), the instance is
// marked untrusted: a Pool replaces it when it is released.
//
// Inside fn, call kernels through the Buffers (Buffers.Call): the
// instance's own methods (Call, InPlace, Close, ...) called from inside an
// InPlace callback on an instance that an InPlace holds return
// ErrConcurrent at once instead of waiting for a lock that could be held
// for ever (by the callback itself, or by a callback that waits in turn).
// Called from anywhere else, they wait for the InPlace to return, as for
// any call in progress.
func (in *Instance) InPlace(fn func(Buffers) error) error {
	if in.zero() {
		return errZeroInstance
	}
	if fn == nil {
		return guestErr(in.name, "", ErrOption, "InPlace with a nil function")
	}
	gen, err := in.acquire(1, "", lkInPlace)
	if err != nil {
		return err
	}
	defer in.endInPlace(gen)
	if err := in.gone(""); err != nil {
		return err
	}
	err = fn(Buffers{in: in, gen: gen})
	in.taint(err)
	return err
}

// Ref is a buffer of a module, holding elements of type T: looked up once
// by name with BufferRef, as a kernel is with Module.Kernel, and viewed
// with View inside an InPlace or CallWith on any instance of that module.
// The zero Ref is no buffer. A Ref is a small value, safe to copy and to
// use from many goroutines.
type Ref[T Elem] struct {
	m     *Module
	index int // in the module's declarations and each instance's layout
}

// BufferRef returns the buffer of module m named name (the <name> of its
// export "buffer-<name>-<type>"), whose elements must be of type T: f64 is
// float64, f32 float32, i32 int32, i64 int64.
//
// Errors, each in a *GuestError: ErrClosed if m is nil or a zero Module;
// ErrMissingExport if the module declares no buffer of that name (the
// message lists those it declares); ErrSignature if the buffer holds
// another type.
func BufferRef[T Elem](m *Module, name string) (Ref[T], error) {
	if m.zero() {
		return Ref[T]{}, errZeroModule
	}
	i, ok := m.contract.bufIndex[name]
	if !ok {
		return Ref[T]{}, guestErr(m.name, "", ErrMissingExport, "no buffer %q (the guest declares %s)", name, m.bufferNames())
	}
	if d, want := m.contract.buffers[i], elemType[T](); d.typ != want {
		return Ref[T]{}, guestErr(m.name, d.offsetExport(), ErrSignature, "buffer %q holds %v, not %v", name, d.typ, want)
	}
	return Ref[T]{m: m, index: i}, nil
}

// View returns buffer r as a slice of its capacity in elements (BufferInfo.Capacity) that
// aliases linear memory, for use inside the InPlace or CallWith call that
// handed out b (see Buffers for the rules; the slice must not be kept).
//
// Errors, each in a *GuestError: ErrClosed after that call returned;
// ErrMissingExport if r is the zero Ref or was looked up in another module.
func View[T Elem](b Buffers, r Ref[T]) ([]T, error) {
	// Small enough to be inlined (its errors are made at Instantiate, not
	// here, and errors.As gives each caller a copy of one). b is live while
	// its lock word is in state lkInPlace or lkCalling of its generation
	// (the two differ in bit 0 alone). readLayout proved
	// Offset+Capacity*size <= the memory size and Offset aligned to the
	// element size, and the memory never moves, so each buffer's slice is
	// made once at Instantiate and handed out here.
	in := b.in
	if in == nil {
		return nil, errZeroBuffers
	}
	if in.mod != r.m {
		return nil, in.errForeign
	}
	if in.lockWord().Load()&^1 != b.gen<<2|lkInPlace {
		return nil, in.errExpired
	}
	return raw.Get[T](in.views[r.index]), nil
}

// errZeroBuffers is View's error for a Buffers no InPlace handed out.
var errZeroBuffers = shared(&GuestError{Err: fmt.Errorf("%w: a zero Buffers: use the one InPlace or CallWith hands out", ErrClosed)})

// newView makes the view of a buffer of type t at a, of n elements: with
// the Go type View[T] will ask for (BufferRef checked that T is t).
func newView(t valType, a raw.Addr, n int) raw.View {
	switch t {
	case tF64:
		return raw.NewView[float64](a, n)
	case tF32:
		return raw.NewView[float32](a, n)
	case tI32:
		return raw.NewView[int32](a, n)
	}
	return raw.NewView[int64](a, n)
}

// bufferNames lists the declared buffers for an error message, at most 8.
func (m *Module) bufferNames() string {
	decls := m.contract.buffers
	if len(decls) == 0 {
		return "no buffers"
	}
	var names []string
	for i, d := range decls {
		if i == 8 {
			names = append(names, fmt.Sprintf("and %d more", len(decls)-8))
			break
		}
		names = append(names, fmt.Sprintf("%q", d.name))
	}
	return strings.Join(names, ", ")
}

// BufferInfo describes one buffer of an instance's layout (Layout), as the
// guest declares it (wit/README.md) and the host validated it: Capacity
// elements of Type at byte Offset of linear memory, aligned to the element
// size, inside the memory and disjoint from every other buffer.
type BufferInfo struct {
	Name     string
	Type     string // "f64", "f32", "i32" or "i64", as in its export's name
	Offset   int    // bytes from the start of linear memory
	Capacity int    // elements
}

// bytes is the buffer's size in bytes.
func (b BufferInfo) bytes() uint64 {
	size := uint64(8)
	if b.Type == "f32" || b.Type == "i32" {
		size = 4
	}
	return uint64(b.Capacity) * size
}

// Layout returns the instance's buffers, as validated at Instantiate, in
// the order of their exports (none for a nil Instance).
func (in *Instance) Layout() []BufferInfo {
	if in == nil {
		return nil
	}
	return append([]BufferInfo(nil), in.bufs...)
}
