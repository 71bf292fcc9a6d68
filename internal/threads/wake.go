//go:build amd64 || arm64

package threads

import (
	"cmp"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// A guest thread blocked in memory.atomic.wait32/64 without a timeout
// (Rayon's idle workers and its join latches, any condition variable of
// std or wasi-libc) runs no guest code, so neither an epoch interrupt nor
// the abort flag reaches it: it would wait forever for a thread that
// trapped, or for a call that passed its deadline. After a failure the
// host wakes such threads itself: a module of its own (wakeWAT),
// instantiated against the guest's shared memory in a store of its own,
// calls memory.atomic.notify on every 4-byte word of the memory outside
// the declared buffers (a wait's word is a lock or a flag, never kernel
// data). A woken thread runs guest code again: with the interrupt flag set
// (engines made WithDeadlines) it traps at its next epoch check; a guest
// that looks at the abort flag after a wait (the threads protocol
// asks it to) traps on its own.
//
// The sweep's cost grows with the memory outside the buffers (about 40 ns
// a word: docs/security.md); MaxWakeBytes bounds it.

// MaxWakeBytes bounds the bytes of linear memory, outside the declared
// buffers, one wake-up sweep notifies (64 MiB, 16 Mi words). Words past it
// are not woken: their threads keep waiting and count as stuck when the
// instance closes (MaxStuck).
const MaxWakeBytes = 64 << 20

const wakeWAT = `(module
  (import "env" "memory" (memory 0 65536 shared))
  ;; wake(lo, hi): memory.atomic.notify(a, all) for every 4-byte word a
  ;; in [lo, hi).
  (func (export "wake") (param $lo i32) (param $hi i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $lo) (local.get $hi)))
        (drop (memory.atomic.notify (local.get $lo) (i32.const -1)))
        (local.set $lo (i32.add (local.get $lo) (i32.const 4)))
        (br $next)))))`

// Waker compiles the wake-up module once per engine; its zero value is
// ready to use.
type Waker struct {
	once sync.Once
	m    *wasmtime.Module
	err  error
}

func (w *Waker) module(e *wasmtime.Engine) (*wasmtime.Module, error) {
	w.once.Do(func() {
		wasm, err := wasmtime.Wat2Wasm(wakeWAT)
		if err == nil {
			w.m, err = wasmtime.NewModule(e, wasm)
		}
		w.err = err
	})
	return w.m, w.err
}

// WakeRanges returns the byte ranges [lo, hi) of a linear memory of size
// bytes outside the ranges taken (the declared buffers), 4-byte aligned,
// at most MaxWakeBytes in all, highest addresses first (the heap, where
// threads keep their locks, lies above the static data in the usual
// layouts).
func WakeRanges(size uint64, taken [][2]uint64) [][2]uint64 {
	taken = slices.Clone(taken)
	slices.SortFunc(taken, func(a, b [2]uint64) int { return cmp.Compare(a[0], b[0]) })
	var free [][2]uint64
	at := uint64(0)
	for _, s := range taken {
		if s[0] > at {
			free = append(free, [2]uint64{at &^ 3, s[0] &^ 3})
		}
		at = max(at, s[1]+3)
	}
	if at < size {
		free = append(free, [2]uint64{at &^ 3, size &^ 3})
	}
	slices.Reverse(free)
	budget := uint64(MaxWakeBytes)
	out := free[:0]
	for _, r := range free {
		if budget == 0 {
			break
		}
		if r[1]-r[0] > budget {
			r[0] = r[1] - budget
		}
		if r[1] > r[0] {
			out = append(out, r)
			budget -= r[1] - r[0]
		}
	}
	return out
}

// wake notifies every word of the shared memory outside the declared
// buffers (wakeRanges). It does nothing once close has begun or the engine
// is closing.
func (t *Threads) wake() error {
	if t.closing.Load() || !t.cfg.Open() {
		return ErrClosing
	}
	m, err := t.cfg.Waker.module(t.cfg.Engine)
	if err != nil {
		t.cfg.Done()
		return fmt.Errorf("compiling the host's wake-up module: %w", err)
	}
	store := wasmtime.NewStore(t.cfg.Engine)
	t.cfg.Done()
	defer store.Close()
	store.SetEpochDeadline(1 << 40) // the host's own code: never interrupted
	t.lmu.RLock()
	if t.linker == nil {
		t.lmu.RUnlock()
		return ErrClosing
	}
	wi, err := t.linker.Instantiate(store, m)
	t.lmu.RUnlock()
	if err != nil {
		return err
	}
	f := wi.GetFunc(store, "wake")
	_, size := t.Data()
	for _, r := range WakeRanges(uint64(size), t.taken) {
		if _, err := f.Call(store, int32(uint32(r[0])), int32(uint32(r[1]))); err != nil {
			return err
		}
	}
	return nil
}

// wakeFor keeps waking the threads, every period, until they have all
// ended or d has passed; it reports whether they ended. Once close has
// begun (or the engine is closing, or a sweep fails) it only waits. It
// starts no goroutine: what an abandoned instance costs is its stuck
// threads alone.
func (t *Threads) wakeFor(d, period time.Duration) bool {
	deadline := time.Now().Add(d)
	for {
		if t.wait(0) {
			return true
		}
		if err := t.wake(); err != nil {
			if t.closing.Load() {
				return t.wait(0)
			}
			return t.wait(time.Until(deadline))
		}
		if t.wait(min(period, time.Until(deadline))) {
			return true
		}
		if !time.Now().Before(deadline) {
			return false
		}
	}
}
