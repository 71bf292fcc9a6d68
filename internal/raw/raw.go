//go:build amd64 || arm64

// Package raw is wasmvec's one unsafe room: everything that crosses into C
// (cgo and the few Wasmtime C API functions declared in wasmvec.h), reads
// a private layout of wasmtime-go (v44), or addresses C or linear memory.
// Package host calls it through the small API here and holds no C type of
// its own.
//
// A Block is the C memory of one instance's call path: the raw handles of
// its store, memory and functions, the argument and result slots, the
// deadline and interrupt flags the epoch callback reads, and the instance's
// lock word, which the one crossing of a call can take and release
// (CallLocked). A call crosses once (Call), with no allocation and no
// pointer into Go memory.
package raw

/*
#include "wasmvec.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// MaxArgs is the most argument slots a Block has; MaxLockedArgs the most
// arguments CallLocked takes.
const (
	MaxArgs       = C.WV_MAX_ARGS
	MaxLockedArgs = 4
)

// Block is the C block of one instance's call path (wv_instance_t).
type Block C.wv_instance_t

// New allocates a Block with room for nfuncs function handles, or returns
// nil when C memory is exhausted. Free it, or tie it to its owner (Own).
func New(nfuncs int) *Block { return (*Block)(C.wv_new(C.size_t(nfuncs))) }

// Free releases b.
func (b *Block) Free() { C.free(unsafe.Pointer(b)) }

// Own frees b once owner is garbage: b must then be used only through
// owner. (A few hundred bytes, never freed while a method could use them.)
func Own[T any](owner *T, b *Block) {
	runtime.AddCleanup(owner, func(p unsafe.Pointer) { C.free(p) }, unsafe.Pointer(b))
}

func (b *Block) c() *C.wv_instance_t { return (*C.wv_instance_t)(b) }

// addr is b as the integer wv_call takes: C memory passed as a pointer
// would make cgo check on every call whether it points into Go memory.
func (b *Block) addr() C.uintptr_t { return C.uintptr_t(uintptr(unsafe.Pointer(b))) }

// SetArg puts argument i's bits in its slot; Result reads the result's
// bits (slot 0) after a call.
func (b *Block) SetArg(i int, v uint64) { *(*uint64)(unsafe.Pointer(&b.vals[i])) = v }
func (b *Block) Result() uint64         { return *(*uint64)(unsafe.Pointer(&b.vals[0])) }

// Err is the wasmtime_error_t a call returned, or none; its trap, if any,
// is in the Block. Outcome reads and frees both.
type Err struct{ p *C.wasmtime_error_t }

// Call makes the one crossing of a call: function e with the first nargs
// argument slots, bounded by the timeout set (SetTimeout) if any.
func (b *Block) Call(e, nargs int) Err {
	return Err{C.wv_call(b.addr(), C.int(e), C.size_t(nargs))}
}

// CallMany calls function e count times in one crossing: call i takes
// its nargs arguments from args[i*nargs:] and, when results is not nil,
// leaves its result's bits in results[i]; slots is the larger of the
// argument and result counts. It returns how many calls returned; the
// first that did not left its failure in err and the block, as Call does.
// For calls with no bound on a guest that is not threaded; the caller holds
// the lock. args and results hold no pointers (cgo lets C read them).
func (b *Block) CallMany(e, nargs, slots, count int, args, results []uint64) (int, Err) {
	if count == 0 {
		return 0, Err{}
	}
	var a, r *C.uint64_t
	if len(args) > 0 {
		a = (*C.uint64_t)(unsafe.Pointer(unsafe.SliceData(args)))
	}
	if results != nil {
		r = (*C.uint64_t)(unsafe.Pointer(unsafe.SliceData(results)))
	}
	m := C.wv_call_many(b.addr(), C.int(e), C.size_t(nargs), C.size_t(slots), C.size_t(count), a, r)
	return int(m.done), Err{m.err}
}

// What CallLocked did.
const (
	Done   = iota // the call returned; the lock is released; v is its result
	Busy          // the lock was not in state expect; seen is the state found; nothing ran
	Held          // the call failed (Outcome has it); the lock is still held
	Closed        // the Block is marked closed (SetClosed); the lock is still held
)

// CallLocked runs function e with args (at most MaxLockedArgs) in one
// crossing that takes the lock word from state expect to held (a
// compare-and-swap) and, if the call returns, back to expect (a release
// store): one atomic read-modify-write per call. For a call with no bound
// on a guest that is not threaded.
func (b *Block) CallLocked(e int, args []uint64, expect, held uint64) (v, seen uint64, status int, err Err) {
	var a [MaxLockedArgs]uint64
	copy(a[:], args)
	r := C.wv_call_locked(b.addr(), C.int(e), C.size_t(len(args)),
		C.uint64_t(expect), C.uint64_t(held), C.uint64_t(a[0]), C.uint64_t(a[1]), C.uint64_t(a[2]), C.uint64_t(a[3]))
	switch {
	case r.status == C.WV_DONE:
		return uint64(r.result), 0, Done, Err{}
	case r.status == C.WV_BUSY:
		return 0, uint64(r.result), Busy, Err{}
	case r.err == nil && b.state.trap == nil:
		return 0, 0, Closed, Err{}
	}
	return 0, 0, Held, Err{r.err}
}

// Failure is what a failed call left: its trap's code (when it has one,
// a wasmtime.TrapCode) and message, or a wasmtime_error_t's message.
type Failure struct {
	HasCode bool
	Code    wasmtime.TrapCode
	Message string
	// Exited: the guest called WASI's proc_exit, with Status.
	Exited bool
	Status int
}

// Outcome reads and frees err and the trap the last call left in b, and
// reports whether there was either.
func (b *Block) Outcome(err Err) (Failure, bool) {
	trap := b.state.trap
	b.state.trap = nil
	if trap == nil && err.p == nil {
		return Failure{}, false
	}
	var f Failure
	var msg C.wv_byte_vec_t
	if trap != nil {
		var code C.uint8_t
		if C.wasmtime_trap_code(trap, &code) {
			f.HasCode, f.Code = true, wasmtime.TrapCode(code)
		}
		C.wasm_trap_message(trap, &msg)
		C.wasm_trap_delete(trap)
	} else {
		var status C.int
		if C.wasmtime_error_exit_status(err.p, &status) {
			f.Exited, f.Status = true, int(status)
		}
		C.wasmtime_error_message(err.p, &msg)
		C.wasmtime_error_delete(err.p)
	}
	n := C.int(msg.size)
	if trap != nil && n > 0 && *(*byte)(unsafe.Add(unsafe.Pointer(msg.data), n-1)) == 0 {
		n-- // wasm_trap_message's vector ends with the string's NUL (wasm.h: own wasm_message_t)
	}
	f.Message = C.GoStringN(msg.data, n)
	C.wasm_byte_vec_delete(&msg)
	return f, true
}

// Failed reports whether err or a trap is pending (the call failed).
func (b *Block) Failed(err Err) bool { return err.p != nil || b.state.trap != nil }

// LockWord is the instance's lock word (see host/lock.go).
func (b *Block) LockWord() *atomic.Uint64 { return (*atomic.Uint64)(unsafe.Pointer(&b.lock)) }

// SetClosed marks the instance closed for CallLocked.
func (b *Block) SetClosed() { b.closed = 1 }

// SetTimeout bounds the next calls by d (0: none); Timeout returns it.
func (b *Block) SetTimeout(d time.Duration) { b.timeout_ns = C.int64_t(d) }
func (b *Block) Timeout() time.Duration     { return time.Duration(b.timeout_ns) }

// SetInterrupt sets or clears the interrupt flag, which makes the running
// call of every store watching b (Watch) trap at its next epoch check;
// Interrupting reads it. Any goroutine may call them.
func (b *Block) SetInterrupt(on bool) {
	v := int32(0)
	if on {
		v = 1
	}
	atomic.StoreInt32((*int32)(unsafe.Pointer(&b.interrupt)), v)
}
func (b *Block) Interrupting() bool {
	return atomic.LoadInt32((*int32)(unsafe.Pointer(&b.interrupt))) != 0
}

// Interrupted reports whether the epoch callback ended the last call
// (its deadline, or the interrupt flag).
func (b *Block) Interrupted() bool { return b.interrupted != 0 }

// Arm bounds guest code run outside Call (wasmtime-go's Func.Call: start
// functions, _initialize, the layout exports) by d from now; Disarm
// removes the bound.
func (b *Block) Arm(d time.Duration) { C.wv_arm(b.c(), C.int64_t(d)) }
func (b *Block) Disarm()             { b.deadline_ns = 0 }

// Watch installs b's epoch deadline callback on store: a worker thread's
// store stops only on interrupt, others also at the call's deadline.
func (b *Block) Watch(store *wasmtime.Store, worker bool) {
	sp := *(**C.wasmtime_store_t)(unsafe.Pointer(store)) // wasmtime-go v44: type Store struct{ _ptr *C.wasmtime_store_t; ... }
	w := C.int(0)
	if worker {
		w = 1
	}
	C.wv_watch(sp, context(store), b.c(), w)
	runtime.KeepAlive(store)
}

// context returns the store's wasmtime_context_t, stable for its life.
func context(s *wasmtime.Store) *C.wasmtime_context_t {
	return (*C.wasmtime_context_t)(unsafe.Pointer(s.Context()))
}

// ErrLayout is returned when a wasmtime-go value no longer holds the C
// value raw reads from it first: the call path does not fit this
// wasmtime-go version.
var ErrLayout = errors.New("wasmtime-go's layout is not the one the call path reads (wasmtime-go v44)")

// Bind caches in b the raw handles of store, its memory (mem, or shared
// for a threaded guest) and the functions, in slots 0, 1, ... of b's
// table, and reads the memory's base and size once: the memory never
// moves. The error wraps ErrLayout.
func (b *Block) Bind(store *wasmtime.Store, mem *wasmtime.Memory, shared *Shared, funcs []*wasmtime.Func) error {
	b.ctx = context(store)
	if shared != nil {
		b.shared = shared.c()
	} else {
		b.mem = *(*C.wv_memory_t)(unsafe.Pointer(mem)) // wasmtime-go v44: type Memory struct{ val C.wasmtime_memory_t }
		if b.mem.id.store_id == 0 {
			return fmt.Errorf("%w: Memory no longer holds a wasmtime_memory_t first", ErrLayout)
		}
	}
	C.wv_refresh(b.c())
	for i, f := range funcs {
		if !b.SetFunc(i, f) {
			return fmt.Errorf("%w: Func no longer holds a wasmtime_func_t first", ErrLayout)
		}
	}
	return nil
}

// SetFunc puts f's raw handle in slot i, and reports whether it holds one
// (a zero store id means wasmtime-go's layout changed).
func (b *Block) SetFunc(i int, f *wasmtime.Func) bool {
	fs := b.funcs()
	fs[i] = *(*C.wv_func_t)(unsafe.Pointer(f)) // wasmtime-go v44: type Func struct{ val C.wasmtime_func_t }
	return fs[i].store_id != 0
}

// HasFunc reports whether slot i holds a function.
func (b *Block) HasFunc(i int) bool { return b.funcs()[i].store_id != 0 }

func (b *Block) funcs() []C.wv_func_t {
	base := unsafe.Add(unsafe.Pointer(b), C.WV_FUNCS_OFFSET) // funcs[], the flexible array member
	return unsafe.Slice((*C.wv_func_t)(base), int(b.nfuncs))
}

// Base is the start of linear memory as Bind read it; Size its size then
// in bytes. A threaded guest's shared memory may grow past that size
// later, at the same base.
func (b *Block) Base() Addr { return Addr{unsafe.Pointer(b.state.base)} }
func (b *Block) Size() int  { return int(b.state.size) }

// Addr is an address in linear memory, which Wasmtime allocates outside
// the Go heap and never moves. The zero Addr is none.
type Addr struct{ p unsafe.Pointer }

// Add is the address off bytes past a.
func (a Addr) Add(off int) Addr { return Addr{unsafe.Add(a.p, off)} }

// Slice is the n values of type T from a. The caller proves that they lie
// inside the memory and are aligned for T.
func Slice[T any](a Addr, n int) []T { return unsafe.Slice((*T)(a.p), n) }

// A View is a slice of linear memory made once (NewView) and handed out
// many times (Get) with no check and no allocation: a pointer to the slice
// header. The zero View is none.
type View struct{ p unsafe.Pointer }

// NewView makes the view of the n values of type T from a, with Slice's
// proof obligations.
func NewView[T any](a Addr, n int) View {
	s := Slice[T](a, n)
	return View{unsafe.Pointer(&s)}
}

// Get returns v's slice. T must be the type v was made with.
func Get[T any](v View) []T { return *(*[]T)(v.p) }

// At is the value of type T at offset off of a; the caller proves it in
// bounds and aligned.
func At[T any](a Addr, off int) *T { return (*T)(unsafe.Add(a.p, off)) }

// Sizes of wasmtime-go's values raw reads a C value from, and of those C
// values: equal while the layout holds (TestLayouts).
func LayoutSizes() (goFunc, cFunc, goMemory, cMemory uintptr) {
	return unsafe.Sizeof(wasmtime.Func{}), unsafe.Sizeof(C.wv_func_t{}), unsafe.Sizeof(wasmtime.Memory{}), unsafe.Sizeof(C.wv_memory_t{})
}

// Sizeof is the size of a T in bytes.
func Sizeof[T any]() uintptr {
	var z T
	return unsafe.Sizeof(z)
}
