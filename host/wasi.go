package host

import (
	"encoding/binary"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// WASI preview 1 errno values the host's own WASI functions return.
const (
	errnoBadf   = 8
	errnoFault  = 21
	errnoInval  = 28
	errnoNotSup = 58
)

// The sizes of WASI preview 1's subscription and event records, and the
// most subscriptions one poll_oneoff takes.
const (
	subscriptionSize = 48 // userdata u64 @0, tag u8 @8, union @16
	eventSize        = 32 // userdata u64 @0, error u16 @8, type u8 @10, fd_readwrite @16
	maxSubscriptions = 1024
)

// pollOneoff is WASI's poll_oneoff(in, out, nsubscriptions, nevents) for
// the guest whose linear memory mem returns, without blocking: every
// subscription (a clock's timeout, an fd's readiness) is answered at once
// by an event carrying its userdata and type with the error ENOTSUP, and
// the call itself succeeds. So a sleep returns at once, as the
// specification lets a subscription fail, and the guest learns why from
// its event: Go's runtime, which sleeps in its panic path
// (freezetheworld) and checks only the call's errno, prints its panic
// message; Rust's std::thread::sleep checks the event and panics saying
// poll_oneoff's result was unexpected. No subscriptions, or more than
// maxSubscriptions, is EINVAL; records past the memory are EFAULT,
// nothing written. Each subscription's userdata and tag are read once.
func pollOneoff(mem func(*wasmtime.Caller) []byte) func(*wasmtime.Caller, int32, int32, int32, int32) int32 {
	return func(c *wasmtime.Caller, in, out, nsubs, nevents int32) int32 {
		n := uint32(nsubs)
		if n == 0 || n > maxSubscriptions {
			return errnoInval
		}
		m := mem(c)
		inside := func(off, size uint32) bool { return uint64(off)+uint64(size) <= uint64(len(m)) }
		if !inside(uint32(in), n*subscriptionSize) || !inside(uint32(out), n*eventSize) || !inside(uint32(nevents), 4) {
			return errnoFault
		}
		for i := range n {
			sub := m[uint32(in)+i*subscriptionSize:][:subscriptionSize]
			userdata, tag := binary.LittleEndian.Uint64(sub), sub[8]
			ev := m[uint32(out)+i*eventSize:][:eventSize]
			clear(ev)
			binary.LittleEndian.PutUint64(ev, userdata)
			binary.LittleEndian.PutUint16(ev[8:], errnoNotSup)
			ev[10] = tag
		}
		binary.LittleEndian.PutUint32(m[uint32(nevents):], n)
		return 0
	}
}
