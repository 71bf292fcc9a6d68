package host

import (
	"fmt"
	"time"

	"github.com/wasmvec/wasmvec/internal/raw"
)

// ViewFault tells whether r, a value recovered from a panic, is the fault
// of a view kept past its instance: a read or write through a slice from
// View (or a Buffers method's) after the instance was closed. It returns
// ErrKeptView, in a *GuestError naming the guest, with the address's
// offset in the closed instance's linear memory and how long ago it was
// closed; nil for any other value.
//
// A closed instance's linear memory is not unmapped but made
// inaccessible, and its addresses stay reserved (docs/security.md, kept
// views), so such an access faults rather than reaching the memory of an
// instance made later. Go turns the fault into a panic only on a goroutine
// that has called debug.SetPanicOnFault(true); elsewhere the process dies
// with "unexpected fault address". To find a kept view, set it where views
// are used and recover:
//
//	debug.SetPanicOnFault(true)
//	defer func() {
//		if r := recover(); r != nil {
//			if err := host.ViewFault(r); err != nil {
//				log.Fatal(err) // wasmvec: guest "mine": a view kept past Close: ...
//			}
//			panic(r)
//		}
//	}()
func ViewFault(r any) error {
	f, ok := r.(interface{ Addr() uintptr })
	if !ok {
		return nil
	}
	k, ok := raw.KeptView(f.Addr())
	if !ok {
		return nil
	}
	return &GuestError{Guest: k.Label, Err: fmt.Errorf(
		"%w: address %#x is byte %d of the linear memory (%d bytes) of an instance closed %v ago (%d linear memories closed since); a view is valid only inside the InPlace or CallWith that made it",
		ErrKeptView, f.Addr(), k.Offset, k.Size, k.Ago.Round(time.Millisecond), k.Later)}
}
