package host

import (
	"fmt"
	"github.com/wasmvec/wasmvec/internal/raw"
	"math"
	"strings"
)

// export is the index of a kernel in its module's table (in export order),
// and in every instance's table of raw function handles.
type export int

// kname returns the name of kernel e of the instance's module.
func (in *Instance) kname(e export) string {
	if int(e) < len(in.mod.c.kernels) {
		return in.mod.c.kernels[e].name
	}
	if e == in.pingSlot() {
		return expPingWorkers
	}
	return fmt.Sprintf("kernel %d", int(e))
}

// Calling any kernel. Arguments and the result travel as the raw bits of
// their WebAssembly values, as in wazero's api.EncodeF64 and friends, so a
// call allocates nothing and reflects on nothing.

// Encode returns x as a kernel argument: the bits of its WebAssembly value
// (f64 for float64, f32 for float32, i32 for int32 and uint32, i64 for
// int64 and uint64: WIT's u32 and u64, and the kits' u32/uint32_t
// lengths, take a uint32 as it is), as in wazero's api.EncodeF64 and
// friends:
//
//	in.Call(k, host.Encode(float32(2)), host.Encode(uint32(n)))
//
// An untyped constant needs its type: Encode(2) is an int, which is no
// value type.
func Encode[T Value](x T) uint64 {
	switch elemType[T]() {
	case tF32:
		return uint64(math.Float32bits(float32(x)))
	case tF64:
		return math.Float64bits(float64(x))
	case tI32:
		return uint64(uint32(int32(x)))
	}
	return uint64(int64(x))
}

// Decode returns the value of type T a kernel returned as v (its result's
// bits, as Call returns them): Decode[float64](r) for an f64 result,
// Decode[int32](r) for an i32, Decode[uint32](r) for an i32 the guest
// means as unsigned (WIT u32); likewise int64 and uint64 for an i64.
func Decode[T Value](v uint64) T {
	switch elemType[T]() {
	case tF32:
		return T(math.Float32frombits(uint32(v)))
	case tF64:
		return T(math.Float64frombits(v))
	case tI32:
		return T(int32(uint32(v)))
	}
	return T(int64(v))
}

// Call calls kernel k on the instance with args, one per parameter, each
// encoded by Encode, and returns its result encoded likewise (Decode) (0 when it returns nothing; a 32-bit result is
// zero-extended). It takes the instance's lock for the call; inside
// InPlace, use Buffers.Call. The call is one crossing into Wasmtime, with
// the instance's deadline (WithTimeout, Bind) and, for a threaded guest, on
// its threads.
//
// What is checked: the kernel belongs to the instance's module and len(args)
// is its parameter count (ErrSignature otherwise). An argument's type is not:
// a uint64 carries bits, not a type, so an f64 encoded into an i32
// parameter reaches the guest as its low 32 bits. Encode each argument
// with Encode of a Go value of the parameter's type (Kernel.Params lists
// them). The JS package, whose arguments are typed JS values, checks
// each against the signature.
//
// The host cannot know which buffer elements a kernel reads or writes, so
// it places no guard words (a client that knows, as package vector does,
// places its own over views, and returns ErrContract from InPlace): the
// kernel is trusted to keep to its buffers, and if it does not, it can
// corrupt only its own linear memory.
//
// # Errors
//
// Every error is a *GuestError naming the kernel:
//   - ErrMissingExport if k was looked up in another module;
//   - ErrSignature if len(args) is not the number of k's parameters;
//   - ErrClosed after Close;
//   - ErrTrap (with a *Trap) if the guest traps, ErrDeadline past the
//     deadline; for a threaded guest one of whose threads trapped (or whose
//     call passed its deadline) also ErrClosed, as for every call after.
func (in *Instance) Call(k *Kernel, args ...uint64) (uint64, error) {
	if err := in.checkCall(k, args); err != nil {
		return 0, err
	}
	if in.unbounded(args) {
		// The lock is free (the common case): take it, call and release it
		// in one crossing.
		if v := in.lockWord().Load(); v&3 == lkFree {
			r, _, status, err := in.lockedCall(k, args, v, v|lkHeld)
			switch status {
			case lockedDone:
				in.wakeWaiter()
				in.out.deliver()
				return k.result(r), nil
			case lockedHeld:
				in.unlock()
				in.out.deliver()
				return 0, err
			}
		}
	}
	if err := in.lock(k.name); err != nil {
		return 0, err
	}
	defer in.release()
	if err := in.gone(k.name); err != nil {
		return 0, err
	}
	return in.rawCall(k, args)
}

// Call calls kernel k with args inside InPlace, without taking the lock
// again: see Instance.Call for the encoding and the errors, to which it
// adds ErrClosed after InPlace returned and ErrConcurrent when another
// goroutine's call through b is in progress.
func (b Buffers) Call(k *Kernel, args ...uint64) (uint64, error) {
	if b.in == nil {
		return 0, b.expired(k.Name())
	}
	in := b.in
	if err := in.checkCall(k, args); err != nil {
		return 0, err
	}
	if in.unbounded(args) {
		r, seen, status, err := in.lockedCall(k, args, b.gen<<2|lkInPlace, b.gen<<2|lkCalling)
		switch status {
		case lockedDone:
			in.out.deliver()
			return k.result(r), nil
		case lockedHeld:
			b.leave()
			in.out.deliver()
			return 0, err
		}
		return 0, b.refuse(k.name, seen)
	}
	if err := b.enter(k.name); err != nil {
		return 0, err
	}
	v, err := in.rawCall(k, args)
	b.leave()
	in.out.deliver()
	return v, err
}

// unbounded reports whether a call with args can take the one-crossing
// path (wv_call_locked): a guest that is not threaded, no timeout and no
// bound context to arm, and few enough arguments; never under the race
// detector (race_on.go).
func (in *Instance) unbounded(args []uint64) bool {
	return !raceEnabled && in.th == nil && in.timeout == 0 && len(args) <= maxLockedArgs && in.nctx.Load() == 0
}

func (in *Instance) checkCall(k *Kernel, args []uint64) error {
	if in == nil || k == nil || k.m != in.mod || in.mod == nil || len(args) != len(k.sig.params) {
		return in.callArgsError(k, args)
	}
	return nil
}

// callArgsError is why checkCall refused k with args.
func (in *Instance) callArgsError(k *Kernel, args []uint64) error {
	if in.zero() {
		return errZeroInstance
	}
	if k == nil {
		return guestErr(in.name, "", ErrMissingExport, "a nil *Kernel: look the kernel up once with Module.Kernel (the guest exports %s)", in.mod.kernelNames())
	}
	if k.m != in.mod {
		return guestErr(in.name, k.name, ErrMissingExport, "kernel %q was looked up in module %q, not in this instance's: use Instance.Module().Kernel (the guest exports %s)",
			k.name, k.m.name, in.mod.kernelNames())
	}
	return guestErr(in.name, k.name, ErrSignature, "%d arguments for %v", len(args), k.sig)
}

// rawCall runs k through the typed path. The caller holds the instance's lock.
func (in *Instance) rawCall(k *Kernel, args []uint64) (uint64, error) {
	for i, a := range args {
		in.c.SetArg(i, a)
	}
	if err := in.fastCall(k.index, len(args)); err != nil {
		return 0, err
	}
	return k.result(in.c.Result()), nil
}

// result is the result of k from the bits v of its slot: 0 when k returns
// nothing, the low 32 bits for a 32-bit type (Wasmtime writes only those).
func (k *Kernel) result(v uint64) uint64 {
	if len(k.sig.results) == 0 {
		return 0
	}
	if k.sig.results[0].size() == 4 {
		v &= math.MaxUint32
	}
	return v
}

// Elem is the Go type of a buffer's elements: float64 for f64, float32 for
// f32, int32 for i32, int64 for i64.
type Elem interface {
	float64 | float32 | int32 | int64
}

// Value is the Go type of a kernel's argument or result (Encode, Decode):
// an Elem, or uint32 for an i32 and uint64 for an i64 that the guest
// reads as unsigned (WIT's u32 and u64; the bits are the same).
type Value interface {
	Elem | uint32 | uint64
}

// elemType is T's value type, from its size and whether it is a float:
// constants for each instantiation.
func elemType[T Value]() valType {
	var one, two T = 1, 2
	float := one/two != 0
	switch {
	case raw.Sizeof[T]() == 4 && float:
		return tF32
	case raw.Sizeof[T]() == 4:
		return tI32
	case float:
		return tF64
	}
	return tI64
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
	i, ok := m.c.bufIndex[name]
	if !ok {
		return Ref[T]{}, guestErr(m.name, "", ErrMissingExport, "no buffer %q (the guest declares %s)", name, m.bufferNames())
	}
	if d, want := m.c.buffers[i], elemType[T](); d.typ != want {
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
//
// View is small enough to be inlined (its errors are made at Instantiate,
// not here, and errors.As gives each caller a copy of one). b is live
// while its lock word is in state lkInPlace or lkCalling of its generation
// (the two differ in bit 0 alone). readLayout proved Offset+Capacity*size
// <= the memory size and Offset aligned to the element size, and the
// memory never moves, so each buffer's slice is made
// once at Instantiate and handed out here.
func View[T Elem](b Buffers, r Ref[T]) ([]T, error) {
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
	decls := m.c.buffers
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
