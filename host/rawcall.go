//go:build amd64 || arm64

package host

/*
#include "wasmvec.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v39"
)

// The typed call path. The kernels' core signatures are read from the
// module and checked at Compile, so a kernel is called with one cgo crossing
// to wasmtime_func_call_unchecked, with its arguments in a raw-value array
// that the Instance owns: no type lookup, no allocation, no lock but the
// instance's own. wasmtime-go's Func.Call (about ten crossings and several
// allocations per call) serves only the load-time calls.

// rawFunc is a wasmtime_func_t.
type rawFunc = C.wv_func_t

// rawVal is a wasmtime_val_raw_t: 16 bytes, little-endian, 8-byte aligned.
type rawVal = C.wv_val_raw_t

// rawCtx is a wasmtime_context_t*; rawMemory a wasmtime_memory_t;
// rawInstance the C block of one Instance's call path.
type (
	rawCtx      = *C.wasmtime_context_t
	rawMemory   = C.wv_memory_t
	rawInstance = *C.wv_instance_t
)

// rawFuncOf reads the wasmtime_func_t inside a *wasmtime.Func, whose only
// field it is (wasmtime-go v39: type Func struct{ val C.wasmtime_func_t }).
// A zero store id means the assumption broke; the caller reports it.
func rawFuncOf(f *wasmtime.Func) rawFunc {
	return *(*rawFunc)(unsafe.Pointer(f))
}

// rawContext returns the store's wasmtime_context_t, stable for its life.
func rawContext(s *wasmtime.Store) rawCtx {
	return rawCtx(unsafe.Pointer(s.Context()))
}

func putU64(v *rawVal, x uint64) { *(*uint64)(unsafe.Pointer(v)) = x }
func getU64(v *rawVal) uint64    { return *(*uint64)(unsafe.Pointer(v)) }

// fastCall calls export e with the first nargs values of in.c.vals, which
// hold the results afterwards. The caller holds the instance's lock.
func (in *Instance) fastCall(e export, nargs int) error {
	if in.th != nil {
		if err := in.th.failure(); err != nil {
			return &GuestError{Guest: in.name, Export: in.kname(e),
				Err: fmt.Errorf("%w: the instance ended with an earlier failure: %w", ErrClosed, err)}
		}
	}
	if in.timeout > 0 || in.nctx.Load() > 0 {
		if err := in.arm(in.kname(e)); err != nil {
			return err
		}
	} else if in.c.timeout_ns != 0 {
		in.c.timeout_ns = 0
	}
	if in.th != nil {
		return in.threadedCall(e, nargs)
	}
	err := callBlock(in.c, e, nargs)
	if err == nil && in.c.state.trap == nil {
		return nil
	}
	return in.callError(e, err)
}

// lockWord returns the instance's lock word: in its C block, where the one
// crossing of a call takes and releases it; under the race detector, which
// sees no atomic on C memory, in the Instance (and every call takes it from
// Go: unbounded).
func (in *Instance) lockWord() *atomic.Uint64 {
	if raceEnabled {
		return &in.lkRace
	}
	return (*atomic.Uint64)(unsafe.Pointer(&in.c.lock))
}

// maxLockedArgs is the most arguments wv_call_locked takes.
const maxLockedArgs = 4

// lockedCall runs kernel k with args (at most maxLockedArgs) in one
// crossing that takes the lock from state expect to held and releases it
// (wv_call_locked). done: the call returned, with its result; busy: the
// lock was not in state expect and nothing ran (seen is the state found);
// otherwise the lock is held and the error is the call's (ErrClosed, or
// its trap or failure), for the caller to release the lock after.
func (in *Instance) lockedCall(k *Kernel, args []uint64, expect, held uint64) (v uint64, seen uint64, status int, err error) {
	var a [maxLockedArgs]uint64
	copy(a[:], args)
	r := C.wv_call_locked(C.uintptr_t(uintptr(unsafe.Pointer(in.c))), C.int(k.index), C.size_t(len(args)),
		C.uint64_t(expect), C.uint64_t(held), C.uint64_t(a[0]), C.uint64_t(a[1]), C.uint64_t(a[2]), C.uint64_t(a[3]))
	switch r.status {
	case C.WV_DONE:
		return uint64(r.result), 0, lockedDone, nil
	case C.WV_BUSY:
		return 0, uint64(r.result), lockedBusy, nil
	}
	if r.err == nil && in.c.state.trap == nil {
		return 0, 0, lockedHeld, &GuestError{Guest: in.name, Export: k.name, Err: ErrClosed}
	}
	return 0, 0, lockedHeld, in.callError(k.index, unsafe.Pointer(r.err))
}

const (
	lockedDone = iota
	lockedBusy
	lockedHeld
)

// callBlock makes the one crossing of a call: kernel e of block c with
// nargs arguments. It returns the wasmtime_error_t, if any; the trap, if
// any, is in c.state.trap.
func callBlock(c rawInstance, e export, nargs int) unsafe.Pointer {
	return unsafe.Pointer(C.wv_call(C.uintptr_t(uintptr(unsafe.Pointer(c))), C.int(e), C.size_t(nargs)))
}

// threadedCall runs the call on the runner (runner.go) and waits for it,
// for its deadline, for a bound context to end, or for a thread to fail;
// in the last three cases it returns within about grace, with the
// instance done.
func (in *Instance) threadedCall(e export, nargs int) error {
	t := in.th
	var deadline time.Time
	if d := time.Duration(in.c.timeout_ns); d > 0 {
		deadline = time.Now().Add(d)
	}
	if !t.give(job{e: e, nargs: nargs}, deadline) {
		return &GuestError{Guest: in.name, Export: in.kname(e), Err: errRunnerBusy}
	}
	for {
		res, done := t.next()
		if done {
			return in.callError(e, res.err)
		}
		cause := in.expired(e, deadline)
		if cause == nil {
			continue
		}
		if res, done := t.giveUp(cause); done {
			return in.callError(e, res.err)
		}
		return t.failure()
	}
}

// expired is why a threaded call must end now, or nil: a thread failed,
// the call passed its deadline, or a bound context ended. The caller holds
// the instance's lock.
func (in *Instance) expired(e export, deadline time.Time) error {
	if err := in.th.failure(); err != nil {
		return err
	}
	over := !deadline.IsZero() && !time.Now().Before(deadline)
	in.cmu.Lock()
	for _, ctx := range in.ctxs {
		over = over || ctx.Err() != nil
	}
	in.cmu.Unlock()
	if !over {
		return nil
	}
	return &GuestError{Guest: in.name, Export: in.kname(e),
		Err: fmt.Errorf("%w: calling thread: %w", ErrAborted, in.deadlineError(in.kname(e), errWaiting))}
}

// callError is the error of a call that returned err (a wasmtime_error_t,
// or nil) and left its trap, if any, in the C block. The caller holds
// the instance's lock.
func (in *Instance) callError(e export, errp unsafe.Pointer) error {
	err := (*C.wasmtime_error_t)(errp)
	trap := in.c.state.trap
	in.c.state.trap = nil
	if trap == nil && err == nil {
		return nil
	}
	t := &Trap{}
	var msg C.wv_byte_vec_t
	if trap != nil {
		var code C.uint8_t
		if C.wasmtime_trap_code(trap, &code) {
			t.Code = trapCodeOf(wasmtime.TrapCode(code))
		}
		C.wasm_trap_message(trap, &msg)
		C.wasm_trap_delete(trap)
	} else {
		C.wasmtime_error_message(err, &msg)
		C.wasmtime_error_delete(err)
	}
	t.Message = boundTrapMessage(C.GoStringN(msg.data, C.int(msg.size)))
	C.wasm_byte_vec_delete(&msg)
	var failed error = &GuestError{Guest: in.name, Export: in.kname(e), Err: fmt.Errorf("%w: %w", ErrTrap, t)}
	if in.c.interrupted != 0 {
		failed = in.deadlineError(in.kname(e), t)
	}
	if in.th != nil {
		// wasi-threads: a trap in any thread ends the whole computation. When
		// a worker trapped first, the caller trapped because of it (the abort
		// flag), and the worker's trap is the one to report.
		in.th.fail(&GuestError{Guest: in.name, Export: in.kname(e), Err: fmt.Errorf("%w: calling thread: %w", ErrAborted, failed)})
		return in.th.failure()
	}
	return failed
}

// base is the start of the guest's linear memory as read at Instantiate:
// it cannot move (see wv_call). A threaded guest's shared memory may grow
// past the size read then; the buffers lie inside it.
func (in *Instance) base() unsafe.Pointer { return unsafe.Pointer(in.c.state.base) }

// newBlock allocates the C block of an instance's call path, with room for
// nfuncs function handles, or returns nil when C memory is exhausted. Once an Instance owns it, a cleanup frees
// it when the Instance is garbage (a few hundred bytes, never freed while a
// method could still use it); until then freeBlock does.
func newBlock(nfuncs int) rawInstance {
	return C.wv_new(C.size_t(nfuncs))
}

// funcs returns the block's table of function handles.
func (in *Instance) funcs() []rawFunc {
	base := unsafe.Add(unsafe.Pointer(in.c), C.WV_FUNCS_OFFSET) // funcs[], the flexible array member
	return unsafe.Slice((*rawFunc)(base), int(in.c.nfuncs))
}

// pingSlot is the slot of ping-workers, after the kernels.
func (in *Instance) pingSlot() export { return export(len(in.mod.c.kernels)) }

func (in *Instance) setRawFunc(e export, f *wasmtime.Func) { in.funcs()[e] = rawFuncOf(f) }

func (in *Instance) hasRawFunc(e export) bool { return in.funcs()[e].store_id != 0 }

func freeBlock(c rawInstance) { C.free(unsafe.Pointer(c)) }

// setTimeout sets the bound of the next call (0: none).
func (in *Instance) setTimeout(d time.Duration) { in.c.timeout_ns = C.int64_t(d) }

// armBlock bounds guest code run outside the typed path (Func.Call: the
// start function, _initialize, the get-* exports, stop-workers) by d from
// now; blockInterrupted reports whether the epoch callback ended it.
func armBlock(c rawInstance, d time.Duration) { C.wv_arm(c, C.int64_t(d)) }

// disarmBlock removes the bound armBlock set.
func disarmBlock(c rawInstance) { c.deadline_ns = 0 }

func blockInterrupted(c rawInstance) bool { return c.interrupted != 0 }

// own ties the C block's life to the Instance.
func (in *Instance) own() {
	runtime.AddCleanup(in, func(p unsafe.Pointer) { C.free(p) }, unsafe.Pointer(in.c))
}

// watch installs the epoch deadline callback of block c on store (see
// deadline.go): worker stores stop only on interrupt, others also at the
// call's deadline.
func watch(store *wasmtime.Store, c rawInstance, worker bool) {
	sp := *(**C.wasmtime_store_t)(unsafe.Pointer(store)) // wasmtime-go v39: type Store struct{ _ptr *C.wasmtime_store_t; ... }
	w := C.int(0)
	if worker {
		w = 1
	}
	C.wv_watch(sp, rawContext(store), c, w)
	runtime.KeepAlive(store)
}

// bindRaw caches in the instance's C block the raw handles of the store,
// the memory and the kernels.
func (in *Instance) bindRaw() error {
	c := in.c
	c.ctx = rawContext(in.store)
	if in.th != nil {
		c.shared = (*C.wasmtime_sharedmemory_t)(unsafe.Pointer(in.th.shared))
	} else {
		c.mem = *(*rawMemory)(unsafe.Pointer(in.mem)) // wasmtime-go v39: type Memory struct{ val C.wasmtime_memory_t }
		if c.mem.id.store_id == 0 {
			return guestErr(in.name, memoryExport, ErrModule,
				"wasmtime-go's Memory no longer holds a wasmtime_memory_t first: the typed call path does not fit this wasmtime-go version")
		}
	}
	C.wv_refresh(c)
	if int(c.state.size) != in.memorySize() {
		return guestErr(in.name, memoryExport, ErrModule, "raw memory size %d differs from wasmtime-go's %d", c.state.size, in.memorySize())
	}
	for e, f := range in.fns {
		in.setRawFunc(export(e), f)
		if !in.hasRawFunc(export(e)) {
			return guestErr(in.name, in.kname(export(e)), ErrModule,
				"wasmtime-go's Func no longer holds a wasmtime_func_t first: the typed call path does not fit this wasmtime-go version")
		}
	}
	return nil
}

// The C block has room for every parameter of a kernel.
var _ [C.WV_MAX_ARGS - maxParams]struct{}
