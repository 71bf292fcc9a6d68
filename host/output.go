package host

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// A guest's standard output and error: what it writes to file descriptors
// 1 and 2 through WASI's fd_write. The host answers fd_write itself (it
// shadows Wasmtime's), so that
//
//   - the bytes can go to the io.Writers given by WithOutput (none by
//     default: they are dropped, as before this option existed), at most
//     maxOutputPerCall bytes per call or instantiation, and
//   - the start and the end of what the guest wrote to stderr during a
//     call that traps (at most maxStderrPart bytes of each) are kept in the
//     Trap (Trap.Stderr): Rust's panic hook, C's assert and Go's panic
//     write their message there just before the trap, which alone would
//     say only "unreachable" or "exit status 2". Go's message comes
//     first, its goroutine's stack after; Rust's is the last line.
const (
	// maxOutputPerCall is the most bytes of guest output passed on to the
	// writers during one call (or instantiation), 1 MiB; the rest of that
	// call's output is dropped, and one line says how much was.
	maxOutputPerCall = 1 << 20
	// maxStderrPart is the most bytes of a call's stderr a Trap keeps
	// from its start, and again from its end.
	maxStderrPart = 512
)

// output is one instance's guest output: its writers and the stderr tail
// of the running call. Its methods are safe for concurrent use (a threaded
// guest's threads write at once).
type output struct {
	mu    sync.Mutex
	w     [3]io.Writer  // by fd: w[1] stdout, w[2] stderr
	left  int           // bytes still passed on in this call; -1 once some were dropped
	head  []byte        // the start of this call's stderr, at most maxStderrPart
	tail  []byte        // the end of the rest, at most maxStderrPart
	total int64         // bytes written to stderr in this call
	dirty atomic.Bool   // written to since the last reset
	exit  atomic.Uint64 // 1<<32 | status once the guest called proc_exit (procExit)

	// pend holds what goes to the writers, in the order written, until
	// the call that wrote it has released the instance's lock (deliver);
	// pending is set while it is not empty, delivering while one goroutine
	// hands it to the writers.
	pend       []piece
	pending    atomic.Bool
	delivering atomic.Bool
}

// piece is bytes the guest wrote to fd, waiting for the writer.
type piece struct {
	fd int32
	p  []byte
}

func newOutput(stdout, stderr io.Writer) *output {
	return &output{w: [3]io.Writer{nil, stdout, stderr}, left: maxOutputPerCall}
}

// reset starts a new call: an empty tail and a full budget. It costs one
// load when the guest wrote nothing.
func (o *output) reset() {
	if o.dirty.Load() {
		o.clear()
	}
}

func (o *output) clear() {
	o.mu.Lock()
	o.dirty.Store(false)
	o.head, o.tail, o.total, o.left = o.head[:0], o.tail[:0], 0, maxOutputPerCall
	o.mu.Unlock()
}

// stderr returns what the guest wrote to stderr since the last reset: all
// of it up to 2*maxStderrPart bytes, else its first and last maxStderrPart
// bytes with a line between them saying how many were left out.
func (o *output) stderr() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if cut := o.total - int64(len(o.head)+len(o.tail)); cut > 0 {
		return fmt.Sprintf("%s\n[… %d bytes …]\n%s", o.head, cut, o.tail)
	}
	return string(o.head) + string(o.tail)
}

// withStderr returns t with the call's stderr attached, for a trap, and
// Code "exit" when the trap has no code of its own and the guest called
// proc_exit (procExit's trap). Every thread of a threaded guest that traps
// gets it (the instance ends); an instance that is not threaded resets
// after its trap.
func (o *output) withStderr(t *Trap) *Trap {
	if o != nil {
		t.Stderr = o.stderr()
		if _, ok := o.exited(); ok && t.Code == "" {
			t.Code = codeExit
		}
	}
	return t
}

// exited reports whether the guest called proc_exit, and its status (WASI's
// exitcode, a u32).
func (o *output) exited() (status uint32, ok bool) {
	v := o.exit.Load()
	return uint32(v), v != 0
}

// procExit is WASI's proc_exit(status), the host's own for every status
// (Wasmtime's refuses those past 125 with a plain error that reads as no
// exit): it records the exit in out and ends the guest's code with a trap
// naming the status. Whatever the status, the guest's runtime is gone: a
// call that exits fails with Trap.Code "exit" and ends the instance (a
// _start that exits with 0 has finished instead).
func procExit(out *output) func(*wasmtime.Caller, int32) *wasmtime.Trap {
	return func(_ *wasmtime.Caller, status int32) *wasmtime.Trap {
		out.exit.CompareAndSwap(0, 1<<32|uint64(uint32(status)))
		return wasmtime.NewTrap(fmt.Sprintf("wasmvec: the guest exited: WASI proc_exit, exit status %d", uint32(status)))
	}
}

// keep adds p to the call's stderr as Trap.Stderr keeps it: the first
// maxStderrPart bytes in head, the last maxStderrPart of the rest in tail.
func (o *output) keep(p []byte) {
	o.total += int64(len(p))
	n := min(len(p), maxStderrPart-len(o.head))
	o.head, p = append(o.head, p[:n]...), p[n:]
	if len(p) >= maxStderrPart {
		o.tail = append(o.tail[:0], p[len(p)-maxStderrPart:]...)
		return
	}
	if over := len(o.tail) + len(p) - maxStderrPart; over > 0 {
		o.tail = o.tail[:copy(o.tail, o.tail[over:])]
	}
	o.tail = append(o.tail, p...)
}

// write takes the bytes the guest wrote to fd (1 or 2).
func (o *output) write(fd int32, p []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.dirty.Store(true)
	if fd == 2 {
		o.keep(p)
	}
	if o.w[fd] == nil {
		return
	}
	if len(p) > o.left {
		if o.left >= 0 {
			o.queue(fd, p[:o.left])
			o.queue(fd, fmt.Appendf(nil, "\n[wasmvec: the guest's output past %d bytes in one call is dropped]\n", maxOutputPerCall))
			o.left = -1
		}
		return
	}
	o.left -= len(p)
	o.queue(fd, p)
}

// queue keeps a copy of p for fd's writer. The caller holds o.mu.
func (o *output) queue(fd int32, p []byte) {
	o.pend = append(o.pend, piece{fd, append([]byte(nil), p...)})
	o.pending.Store(true)
}

// deliver hands what the guest wrote to the writers, in order, on the
// calling goroutine, once the call that wrote it has released the
// instance's lock: so a writer may call the instance again (or close it),
// and a slow writer neither holds the guest nor counts against the call's
// deadline. A delivery that finds another under way leaves its pieces to
// it. It costs one load when nothing is pending (small enough to inline
// into the call path; the work is in flush).
func (o *output) deliver() {
	if o.pending.Load() {
		o.flush()
	}
}

// flush is deliver's work.
func (o *output) flush() {
	for o.pending.Load() && o.delivering.CompareAndSwap(false, true) {
		for {
			o.mu.Lock()
			ps := o.pend
			o.pend = nil
			o.pending.Store(false)
			o.mu.Unlock()
			if len(ps) == 0 {
				break
			}
			for _, pc := range ps {
				o.w[pc.fd].Write(pc.p)
			}
		}
		o.delivering.Store(false)
		// A piece queued after the last look and before the store above
		// is delivered by the loop's next round.
	}
}

// maxIovecs is the most iovecs one fd_write takes (Linux's IOV_MAX).
const maxIovecs = 1024

// fdWrite is WASI's fd_write(fd, iovs, iovs_len, nwritten) for the guest
// whose linear memory mem returns: fds 1 and 2 go to out, others are
// EBADF (the guest has no files); more than maxIovecs iovecs is EINVAL.
// The iovecs are copied out of the memory once and every one is checked to
// lie inside it before any byte is written (EFAULT otherwise, nothing
// written): a threaded guest's other threads may change the memory
// meanwhile, and nothing is read twice.
func fdWrite(out *output, mem func(*wasmtime.Caller) []byte) func(*wasmtime.Caller, int32, int32, int32, int32) int32 {
	return func(c *wasmtime.Caller, fd, iovs, iovsLen, nwritten int32) int32 {
		if fd != 1 && fd != 2 {
			return errnoBadf
		}
		if uint32(iovsLen) > maxIovecs {
			return errnoInval
		}
		m := mem(c)
		in := func(off, n uint32) bool { return uint64(off)+uint64(n) <= uint64(len(m)) }
		if !in(uint32(iovs), 8*uint32(iovsLen)) || !in(uint32(nwritten), 4) {
			return errnoFault
		}
		iov := make([]uint32, 2*iovsLen)
		var total uint64
		for i := range iov {
			iov[i] = binary.LittleEndian.Uint32(m[uint32(iovs)+4*uint32(i):])
			if i%2 == 1 {
				if !in(iov[i-1], iov[i]) {
					return errnoFault
				}
				total += uint64(iov[i])
			}
		}
		if total > math.MaxInt32 { // WASI's size is a u32; POSIX caps a write at SSIZE_MAX
			return errnoInval
		}
		for i := 0; i < len(iov); i += 2 {
			if p, n := iov[i], iov[i+1]; n > 0 {
				out.write(fd, m[p:p+n])
			}
		}
		binary.LittleEndian.PutUint32(m[nwritten:], uint32(total))
		return 0
	}
}

// exportedMemory is the memory of a guest that exports it (every guest
// but a threaded one), nil before it is instantiated.
func exportedMemory(c *wasmtime.Caller) []byte {
	if ex := c.GetExport(memoryExport); ex != nil {
		if m := ex.Memory(); m != nil {
			return m.UnsafeData(c)
		}
	}
	return nil
}
