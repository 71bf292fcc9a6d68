package host

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"time"
)

// ErrExpired is returned by a Buffers method called after the InPlace call
// that handed the Buffers out has returned.
var ErrExpired = errors.New("wasmvec: buffers used after InPlace returned")

// Buffers is in-place access to an instance's buffers A, B and RESULT: the
// caller writes inputs straight into linear memory and reads results from
// it, and calls kernels by length, with no copy. A Buffers is handed to the
// function given to Instance.InPlace and is valid only while that function
// runs; the instance's lock is held all that time.
//
// # Rules for the slices
//
// A, B and Result return slices of Capacity elements that alias the guest's
// linear memory. They stay valid for the whole InPlace call: the host caps
// every instance's memory at its size after instantiation, so the memory
// cannot grow and move, and Close waits for InPlace to return. They must
// not be kept or used after InPlace returns: the memory is freed when the
// instance is closed, and Go cannot tell. After InPlace returns, A, B and
// Result return nil and the kernel methods return ErrExpired.
//
// # One goroutine at a time
//
// The kernel methods (and Call) of one Buffers must not run at the same
// time on two goroutines: they share the instance's store. Doing so is
// detected, not suffered: the call that finds another in progress returns
// ErrConcurrent and does nothing. (The slices are plain Go memory over the
// guest's: their reads and writes are yours to order, as for any slice.)
type Buffers struct {
	in    *Instance
	state atomic.Int32 // buffersExpired, buffersIdle or buffersCalling
}

const (
	buffersExpired = iota
	buffersIdle
	buffersCalling
)

// InPlace calls fn with in-place access to the instance's buffers (see
// Buffers), holding the instance's lock until fn returns, and returns fn's
// error. It returns ErrClosed (in a *GuestError) without calling fn if the
// instance is closed.
//
// Inside fn, call kernels through the Buffers (b.Call, b.Sum, ...): the
// instance's own methods (Call, Sum, InPlace, Close, ...) called from
// inside an InPlace callback on an instance that an InPlace holds return
// ErrConcurrent at once instead of waiting for a lock that could be held
// for ever (by the callback itself, or by a callback that waits in turn).
// Called from anywhere else, they wait for the InPlace to return, as for
// any call in progress.
func (in *Instance) InPlace(fn func(*Buffers) error) error {
	if err := in.lock(""); err != nil {
		return err
	}
	defer in.mu.Unlock()
	if in.closed {
		return &GuestError{Guest: in.name, Err: ErrClosed}
	}
	b := &Buffers{in: in}
	b.state.Store(buffersIdle)
	in.held.Store(true)
	defer func() {
		// A call another goroutine started on b finishes before the lock
		// is given up; later ones see ErrExpired. Waiting for one (a
		// misuse, and rare) sleeps between looks instead of spinning.
		for !b.state.CompareAndSwap(buffersIdle, buffersExpired) {
			time.Sleep(expireWait)
		}
		in.held.Store(false)
	}()
	return fn(b)
}

// lock takes the instance's lock for a call of export name, or returns
// ErrConcurrent when waiting for it could be for ever: the lock is held by
// an InPlace and the calling goroutine is inside an InPlace callback
// itself (see InPlace). Release with in.mu.Unlock.
func (in *Instance) lock(name string) error {
	if in.mu.TryLock() {
		return nil
	}
	if in.held.Load() && insideInPlace() {
		return guestErr(in.name, name, ErrConcurrent,
			"called from inside an InPlace callback while an InPlace holds the instance: use the Buffers' methods")
	}
	in.mu.Lock()
	return nil
}

// inPlaceFrame is the function whose frame marks a goroutine that runs an
// InPlace callback.
const inPlaceFrame = "github.com/wasmvec/wasmvec/host.(*Instance).InPlace"

// insideInPlace reports whether the calling goroutine runs inside an
// InPlace callback: whether InPlace is on its stack. It walks the whole
// stack (only a call that found the lock taken by an InPlace pays this).
func insideInPlace() bool {
	pcs := make([]uintptr, 64)
	for skip := 2; ; skip += len(pcs) {
		n := runtime.Callers(skip, pcs)
		frames := runtime.CallersFrames(pcs[:n])
		for {
			f, more := frames.Next()
			if f.Function == inPlaceFrame || strings.HasPrefix(f.Function, inPlaceFrame+".") {
				return true
			}
			if !more {
				break
			}
		}
		if n < len(pcs) {
			return false
		}
	}
}

func (b *Buffers) buffer(buf int) []float64 {
	if b.state.Load() == buffersExpired || b.in.vecErr != nil {
		return nil
	}
	return b.in.view(buf, b.in.cap)
}

// A returns the vector world's buffer A, Capacity elements, aliasing
// linear memory; nil after InPlace returned, or for a guest that does not
// implement the vector world (use View).
func (b *Buffers) A() []float64 { return b.buffer(bufA) }

// B returns buffer B, Capacity elements, aliasing linear memory; nil after
// InPlace returned.
func (b *Buffers) B() []float64 { return b.buffer(bufB) }

// Result returns buffer RESULT, Capacity elements, aliasing linear memory;
// nil after InPlace returned.
func (b *Buffers) Result() []float64 { return b.buffer(bufResult) }

// enter takes b for one call, or says why it cannot: InPlace returned
// (ErrExpired), or another goroutine's call is in progress (ErrConcurrent).
// Release with leave.
func (b *Buffers) enter(e export) error { return b.enterName(b.in.kname(e)) }

func (b *Buffers) enterName(name string) error {
	if b.state.CompareAndSwap(buffersIdle, buffersCalling) {
		return nil
	}
	return b.refuse(name)
}

// refuse is the error of a call enter refused.
func (b *Buffers) refuse(name string) error {
	if b.state.Load() == buffersExpired {
		return &GuestError{Guest: b.in.name, Export: name, Err: ErrExpired}
	}
	return guestErr(b.in.name, name, ErrConcurrent, "a call on the same Buffers is in progress on another goroutine")
}

func (b *Buffers) leave() { b.state.Store(buffersIdle) }

// expireWait is how long InPlace sleeps between looks while another
// goroutine's call on its Buffers finishes.
const expireWait = 50 * time.Microsecond

// check validates a length in elements for a call on the buffers and, if
// it is good, takes b for the call (enter): the caller then calls leave.
func (b *Buffers) check(e export, n int) error {
	switch {
	case b.in.vecErr != nil:
		return b.in.vecErr
	case n < 0:
		return &GuestError{Guest: b.in.name, Export: b.in.kname(e), Err: fmt.Errorf("%w: negative length %d", ErrLength, n)}
	case n > b.in.cap:
		return guestErr(b.in.name, b.in.kname(e), ErrCapacity, "%d elements in place, capacity %d", n, b.in.cap)
	}
	return b.enter(e)
}

func (b *Buffers) reduce(e export, n int) (float64, error) {
	if err := b.check(e, n); err != nil {
		return 0, err
	}
	defer b.leave()
	if err := b.in.callLen(e, n); err != nil {
		return 0, err
	}
	return b.in.result(), nil
}

// Sum returns the canonical sum of A[:n] (see Instance.Sum) from the
// guest's "sum" export. Errors: ErrExpired, ErrConcurrent, ErrLength if
// n < 0, ErrCapacity if n > Capacity, ErrTrap; each in a *GuestError.
func (b *Buffers) Sum(n int) (float64, error) { return b.reduce(expSum, n) }

// SumSIMD is Sum from the "sum-simd" export; same bits, same errors.
func (b *Buffers) SumSIMD(n int) (float64, error) { return b.reduce(expSumSIMD, n) }

// Dot returns the canonical dot product of A[:n] and B[:n] (see
// Instance.Dot); errors as Sum.
func (b *Buffers) Dot(n int) (float64, error) { return b.reduce(expDot, n) }

// DotSIMD is Dot from the "dot-simd" export; same bits, same errors.
func (b *Buffers) DotSIMD(n int) (float64, error) { return b.reduce(expDotSIMD, n) }

// Mul sets Result[i] = A[i] * B[i] for i < n; errors as Sum.
func (b *Buffers) Mul(n int) error {
	if err := b.check(expMul, n); err != nil {
		return err
	}
	defer b.leave()
	return b.in.callLen(expMul, n)
}

// MulSIMD is Mul from the "mul-simd" export; same bits, same errors.
func (b *Buffers) MulSIMD(n int) error {
	if err := b.check(expMulSIMD, n); err != nil {
		return err
	}
	defer b.leave()
	return b.in.callLen(expMulSIMD, n)
}

// Scale sets Result[i] = s * A[i] for i < n; errors as Sum.
func (b *Buffers) Scale(s float64, n int) error {
	if err := b.check(expScale, n); err != nil {
		return err
	}
	defer b.leave()
	return b.in.callF64Len(expScale, s, n)
}

// ScaleSIMD is Scale from the "scale-simd" export; same bits, same errors.
func (b *Buffers) ScaleSIMD(s float64, n int) error {
	if err := b.check(expScaleSIMD, n); err != nil {
		return err
	}
	defer b.leave()
	return b.in.callF64Len(expScaleSIMD, s, n)
}
