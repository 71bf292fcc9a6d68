//go:build amd64 || arm64

package raw

/*
#include "memory.h"
*/
import "C"

import (
	"errors"
	"runtime"
	"time"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// QuarantineMemories makes engines made from c create every linear memory
// an instance defines in memory.c, where a closed instance's memory is
// made inaccessible and its addresses stay reserved (the quarantine)
// instead of being unmapped; and turns off copy-on-write initialisation,
// which Wasmtime supports only for the memories it maps itself (data
// segments are copied in at instantiation instead). Call it before the
// engine is made from c. The error wraps ErrLayout.
func QuarantineMemories(c *wasmtime.Config) error {
	cp := *(**C.wasm_config_t)(unsafe.Pointer(c)) // wasmtime-go v44: type Config struct{ _ptr *C.wasm_config_t }
	if cp == nil {
		return errors.Join(ErrLayout, errors.New("the Config no longer holds its C pointer first (or an engine was made from it)"))
	}
	c.SetMemoryInitCOWSet(false)
	C.wv_set_memory_creator(cp)
	runtime.KeepAlive(c)
	return nil
}

// LabelMemory names the guest whose linear memory starts at base, for
// KeptView to report once the memory is quarantined (at most 63 bytes are
// kept). A base of a memory not made in memory.c is ignored.
func LabelMemory(base Addr, label string) {
	C.wv_label_memory((*C.uint8_t)(base.p), cString(label), C.size_t(len(label)))
}

// Quarantine releases the host's last handle on a shared memory into the
// quarantine: its pages are made inaccessible and released, and Wasmtime's
// mapping of it stays in place until the quarantine lets it go (then the
// handle is deleted). Call it only once no instance uses s.
func (s *Shared) Quarantine(label string) {
	C.wv_quarantine_shared(s.c(), cString(label), C.size_t(len(label)), C.size_t(sharedAccounted))
}

// sharedAccounted is the address space a shared memory is charged in the
// quarantine's budget: Wasmtime's reservation of a 32-bit memory (4 GiB)
// and its guard regions (32 MiB each), the defaults this engine keeps.
const sharedAccounted = 4<<30 + 2*(32<<20)

func cString(s string) *C.char { return (*C.char)(unsafe.Pointer(unsafe.StringData(s))) }

// Kept describes a quarantined linear memory an address falls in.
type Kept struct {
	Label  string        // the guest's name, as LabelMemory or Quarantine gave it
	Offset uint64        // the address's offset in the memory, in bytes
	Size   uint64        // the memory's size when it was closed, in bytes
	Ago    time.Duration // how long ago it was quarantined
	Later  uint64        // memories quarantined since
}

// KeptView reports whether addr lies in a quarantined linear memory, and
// which.
func KeptView(addr uintptr) (Kept, bool) {
	var f C.wv_found_t
	if C.wv_quarantine_find(C.uintptr_t(addr), &f) == 0 {
		return Kept{}, false
	}
	return Kept{
		Label:  C.GoString(&f.label[0]),
		Offset: uint64(f.offset),
		Size:   uint64(f.size),
		Ago:    time.Duration(int64(C.wv_monotonic_ns()) - int64(f.closed_ns)),
		Later:  uint64(f.later),
	}, true
}

// QuarantineStats are the quarantine's contents: how many memories and how
// many bytes of address space it holds, its budget in bytes, and how many
// memories made in memory.c are live.
type QuarantineStats struct{ Count, Bytes, Budget, Live uint64 }

// Quarantined returns the quarantine's contents.
func Quarantined() QuarantineStats {
	var s C.wv_stats_t
	C.wv_quarantine_stats(&s)
	return QuarantineStats{uint64(s.count), uint64(s.bytes), uint64(s.budget), uint64(s.live)}
}

// SetQuarantineBudget sets the most address space, in bytes, the
// quarantine holds before it releases its oldest memories (it releases at
// once what no longer fits), and returns the budget before.
func SetQuarantineBudget(bytes uint64) uint64 {
	return uint64(C.wv_quarantine_budget(C.size_t(bytes)))
}
