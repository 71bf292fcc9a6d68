package host_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/host"
)

// writer is a guest that writes through WASI's fd_write: from its buffer
// "text" (i32 elements at byte 4096, 16,384 of them: 64 KiB of bytes).
const writer = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "buffer-text-i32") (result i32) (i32.const 4096))
  (func (export "capacity-text") (result i32) (i32.const 16384))
  ;; put writes n bytes at off to fd through one iovec at 0; nwritten at 8.
  (func $put (param $fd i32) (param $off i32) (param $n i32) (result i32)
    (i32.store (i32.const 0) (local.get $off))
    (i32.store (i32.const 4) (local.get $n))
    (call $w (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func (export "say") (param $fd i32) (param $n i32) (result i32)
    (call $put (local.get $fd) (i32.const 4096) (local.get $n)))
  (func (export "die") (param $n i32)
    (drop (call $put (i32.const 2) (i32.const 4096) (local.get $n)))
    unreachable)
  ;; shred writes n bytes to stderr in writes of piece bytes, then traps.
  (func (export "shred") (param $n i32) (param $piece i32)
    (local $off i32)
    (local.set $off (i32.const 4096))
    (block $done (loop $l
      (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
      (drop (call $put (i32.const 2) (local.get $off)
        (select (local.get $piece) (local.get $n) (i32.lt_s (local.get $piece) (local.get $n)))))
      (local.set $off (i32.add (local.get $off) (local.get $piece)))
      (local.set $n (i32.sub (local.get $n) (local.get $piece)))
      (br $l)))
    unreachable)
  ;; quit writes n bytes to stderr, then calls proc_exit(status).
  (func (export "quit") (param $n i32) (param $status i32)
    (drop (call $put (i32.const 2) (i32.const 4096) (local.get $n)))
    (call $exit (local.get $status)))
  (func (export "flood") (param $times i32)
    (loop $l
      (drop (call $put (i32.const 1) (i32.const 4096) (i32.const 65536)))
      (br_if $l (local.tee $times (i32.sub (local.get $times) (i32.const 1))))))
  (func (export "raw") (param i32 i32 i32 i32) (result i32)
    (call $w (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "poll") (param i32 i32 i32 i32) (result i32)
    (call $poll (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "nwritten") (result i32) (i32.load (i32.const 8))))`

// loadWriter instantiates the writer guest with opts and fills its text
// buffer with text, repeated.
func loadWriter(t *testing.T, text string, opts ...host.Option) (*host.Instance, func(name string, args ...uint64) (uint64, error)) {
	t.Helper()
	e := host.NewEngine()
	t.Cleanup(func() { e.Close() })
	in, err := e.Load("writer", compileWAT(t, writer), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	ref, err := host.BufferRef[int32](in.Module(), "text")
	if err != nil {
		t.Fatal(err)
	}
	err = in.InPlace(func(b host.Buffers) error {
		v, err := host.View(b, ref)
		if err != nil {
			return err
		}
		bs := bytes.Repeat([]byte(text), 4*len(v)/len(text)+1)
		for i := range v {
			v[i] = int32(uint32(bs[4*i]) | uint32(bs[4*i+1])<<8 | uint32(bs[4*i+2])<<16 | uint32(bs[4*i+3])<<24)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	call := func(name string, args ...uint64) (uint64, error) {
		k, err := in.Module().Kernel(name)
		if err != nil {
			t.Fatal(err)
		}
		return in.Call(k, args...)
	}
	return in, call
}

// TestOutputRouted: WithOutput's writers get what the guest writes to fd 1
// and fd 2, and fd_write reports every byte written.
func TestOutputRouted(t *testing.T) {
	var stdout, stderr bytes.Buffer
	_, call := loadWriter(t, "hello, host\n", host.WithOutput(&stdout, &stderr))
	if r, err := call("say", 1, 12); err != nil || r != 0 {
		t.Fatalf("say(1): %d, %v", r, err)
	}
	if n, _ := call("nwritten"); n != 12 {
		t.Errorf("nwritten %d, want 12", n)
	}
	if _, err := call("say", 2, 6); err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "hello, host\n" || stderr.String() != "hello," {
		t.Errorf("stdout %q, stderr %q; want %q, %q", stdout.String(), stderr.String(), "hello, host\n", "hello,")
	}
}

// TestOutputDroppedByDefault: without WithOutput the guest's writes
// succeed and go nowhere.
func TestOutputDroppedByDefault(t *testing.T) {
	_, call := loadWriter(t, "x")
	if r, err := call("say", 1, 100); err != nil || r != 0 {
		t.Fatalf("say: %d, %v", r, err)
	}
	if n, _ := call("nwritten"); n != 100 {
		t.Errorf("nwritten %d, want 100", n)
	}
}

// TestTrapKeepsStderr: a trap carries the end of the failing call's
// stderr (a Rust panic message, here a line of text), in Trap.Stderr and
// in the error's text; a successful call's stderr is not carried into a
// later trap; more than 1,024 bytes keeps the first and the last 512,
// whether written at once or in pieces.
func TestTrapKeepsStderr(t *testing.T) {
	const msg = "panicked at src/lib.rs:7:5: index out of bounds\n"
	_, call := loadWriter(t, msg)
	_, err := call("die", uint64(len(msg)))
	var trap *host.Trap
	if !errors.Is(err, host.ErrTrap) || !errors.As(err, &trap) {
		t.Fatalf("die: %v; want ErrTrap with a *Trap", err)
	}
	if trap.Stderr != msg || trap.Code != "unreachable" {
		t.Errorf("Trap.Stderr %q, Code %q; want %q, unreachable", trap.Stderr, trap.Code, msg)
	}
	if !strings.Contains(err.Error(), "guest stderr:\n  | "+strings.TrimSuffix(msg, "\n")) {
		t.Errorf("error text %q lacks the guest's stderr", err)
	}

	// A call that succeeds after writing to stderr; then a trap writing
	// nothing: its Stderr is empty.
	if _, err := call("say", 2, 10); err != nil {
		t.Fatal(err)
	}
	_, err = call("die", 0)
	if !errors.As(err, &trap) || trap.Stderr != "" || strings.Contains(err.Error(), "guest stderr") {
		t.Errorf("trap after a call that wrote: Stderr %q, error %v; want none", trap.Stderr, err)
	}

	// 3,000 bytes: the first and last 512 are kept.
	_, err = call("die", 3000)
	if !errors.As(err, &trap) {
		t.Fatal(err)
	}
	all := strings.Repeat(msg, 3000/len(msg)+1)[:3000]
	if want := all[:512] + "\n[… 1976 bytes …]\n" + all[3000-512:]; trap.Stderr != want {
		t.Errorf("Stderr of a 3,000-byte write: %d bytes %q; want %q", len(trap.Stderr), trap.Stderr, want)
	}

	// 1,024 bytes: all of them.
	_, err = call("die", 1024)
	if !errors.As(err, &trap) || trap.Stderr != all[:1024] {
		t.Errorf("Stderr of a 1,024-byte write: %d bytes; want all 1,024", len(trap.Stderr))
	}
	// The same 3,000 bytes in writes of 1 to 700 bytes.
	for _, piece := range []uint64{1, 7, 100, 511, 512, 513, 700} {
		_, err = call("shred", 3000, piece)
		if want := all[:512] + "\n[… 1976 bytes …]\n" + all[3000-512:]; !errors.As(err, &trap) || trap.Stderr != want {
			t.Errorf("Stderr of 3,000 bytes in writes of %d: %q; want %q", piece, trap.Stderr, want)
		}
	}
}

// TestExitEndsInstance: a guest's proc_exit during a call (how a Go
// guest's panic ends) is a trap with Code "exit" and the stderr written
// before it; the guest's runtime is gone, so every later call, by any
// path, returns ErrClosed wrapping that trap, and Close still frees it.
func TestExitEndsInstance(t *testing.T) {
	const msg = "panic: wasmvec guest: 9 elements asked of a buffer of capacity 8\n"
	in, call := loadWriter(t, msg)
	_, err := call("quit", uint64(len(msg)), 2)
	var trap *host.Trap
	if !errors.Is(err, host.ErrTrap) || !errors.As(err, &trap) || trap.Code != "exit" || trap.Stderr != msg ||
		!strings.Contains(trap.Message, "exit status 2") {
		t.Fatalf("quit: %v (trap %+v); want ErrTrap, Code exit, the message in Stderr, the status in Message", err, trap)
	}
	say, _ := in.Module().Kernel("say")
	_, e1 := in.Call(say, 2, 1)
	e2 := in.InPlace(func(host.Buffers) error { return nil })
	_, e3 := in.CallWith(say, []uint64{2, 1}, nil, nil)
	for i, err := range []error{e1, e2, e3} {
		if !errors.Is(err, host.ErrClosed) || !errors.As(err, &trap) || trap.Code != "exit" {
			t.Errorf("call %d after the exit: %v; want ErrClosed wrapping the exit's trap", i, err)
		}
	}
	if err := in.Close(); err != nil {
		t.Errorf("Close after the exit: %v", err)
	}
}

// TestOutputBounded: at most 1 MiB a call reaches the writer, then one
// line saying the rest is dropped; the next call has its own MiB. The
// guest is told every byte was written.
func TestOutputBounded(t *testing.T) {
	var stdout bytes.Buffer
	_, call := loadWriter(t, "0123456789abcdef", host.WithOutput(&stdout, nil))
	for round := range 2 {
		stdout.Reset()
		if _, err := call("flood", 20); err != nil { // 20 × 64 KiB = 1.25 MiB
			t.Fatal(err)
		}
		got := stdout.String()
		body, note, ok := strings.Cut(got, "\n[wasmvec: ")
		if !ok || len(body) != 1<<20 || !strings.Contains(note, "dropped") {
			t.Errorf("round %d: %d bytes before the note, note %q; want 1 MiB and a note", round, len(body), note)
		}
		if n, _ := call("nwritten"); n != 65536 {
			t.Errorf("nwritten %d, want 65536", n)
		}
	}
}

// TestFdWriteChecksMemory: fd_write refuses iovecs outside linear memory
// (EFAULT, 21), more than 1,024 iovecs (EINVAL, 28) and fds other than 1
// and 2 (EBADF, 8), without writing any byte.
func TestFdWriteChecksMemory(t *testing.T) {
	var stdout bytes.Buffer
	in, call := loadWriter(t, "y", host.WithOutput(&stdout, &stdout))
	const end = 2 << 16 // the memory's size in bytes
	for _, c := range []struct {
		name                 string
		fd, iovs, n, written uint64
		want                 uint64
	}{
		{"iovec array past memory", 1, end - 4, 1, 8, 21},
		{"nwritten past memory", 1, 0, 0, end - 2, 21},
		{"negative count", 1, 0, uint64(uint32(0xffffffff)), 8, 28},
		{"1,025 iovecs", 1, 0, 1025, 8, 28},
		{"fd 3", 3, 0, 1, 8, 8},
		{"fd 0", 0, 0, 1, 8, 8},
	} {
		if r, err := call("raw", c.fd, c.iovs, c.n, c.written); err != nil || r != c.want {
			t.Errorf("%s: errno %d, %v; want %d", c.name, r, err, c.want)
		}
	}
	// Iovecs at 4096 (the text buffer) whose bytes run past memory.
	ref, _ := host.BufferRef[int32](in.Module(), "text")
	for _, iov := range [][]int32{{end - 2, 10}, {4096, 8, 4096, 1 << 30}} {
		err := in.InPlace(func(b host.Buffers) error {
			v, err := host.View(b, ref)
			copy(v, iov)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if r, err := call("raw", 1, 4096, uint64(len(iov)/2), 8); err != nil || r != 21 {
			t.Errorf("iovecs %v: errno %d, %v; want 21", iov, r, err)
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("refused writes wrote %q", stdout.String())
	}
}

// TestPollOneoffNeverBlocks: poll_oneoff answers every subscription at
// once, an hour's clock timeout included (the test would hang otherwise),
// with an event carrying its userdata and type and the error ENOTSUP (58),
// and succeeds; no subscriptions or more than 1,024 is EINVAL (28), records
// past the memory EFAULT (21).
func TestPollOneoffNeverBlocks(t *testing.T) {
	in, call := loadWriter(t, "z")
	ref, _ := host.BufferRef[int32](in.Module(), "text")
	hour := uint64(3600e9)                  // ns
	sub := make([]int32, 24)                // two 48-byte subscriptions
	sub[0], sub[1] = 0x55667788, 0x11223344 // userdata
	sub[2] = 0                              // tag: clock
	sub[6], sub[7] = int32(uint32(hour)), int32(hour>>32)
	sub[12], sub[14] = 7, 1 // userdata 7, tag: fd_read
	var ev []int32
	view := func(fill []int32) {
		err := in.InPlace(func(b host.Buffers) error {
			v, err := host.View(b, ref)
			if fill != nil {
				clear(v[:64])
				copy(v, fill)
			}
			ev = append(ev[:0], v[24:40]...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	view(sub)
	if r, err := call("poll", 4096, 4096+96, 2, 8); err != nil || r != 0 {
		t.Fatalf("poll: errno %d, %v; want 0", r, err)
	}
	view(nil)
	if n, _ := call("nwritten"); n != 2 {
		t.Errorf("nevents %d, want 2", n)
	}
	if ev[0] != 0x55667788 || ev[1] != 0x11223344 || ev[2] != 58 || ev[8] != 7 || ev[9] != 0 || ev[10] != 58|1<<16 {
		t.Errorf("events %#x; want userdata, ENOTSUP and each subscription's type", ev)
	}
	const end = 2 << 16
	for _, c := range []struct {
		name                string
		in, out, n, nevents uint64
		want                uint64
	}{
		{"no subscriptions", 4096, 8192, 0, 8, 28},
		{"1,025 subscriptions", 4096, 8192, 1025, 8, 28},
		{"subscriptions past memory", end - 48, 8192, 2, 8, 21},
		{"events past memory", 4096, end - 32, 2, 8, 21},
		{"nevents past memory", 4096, 8192, 1, end - 2, 21},
	} {
		if r, err := call("poll", c.in, c.out, c.n, c.nevents); err != nil || r != c.want {
			t.Errorf("%s: errno %d, %v; want %d", c.name, r, err, c.want)
		}
	}
}

// TestExitAnyStatus: proc_exit ends the guest's runtime whatever its
// status, WASI's exitcode a u32: every status is Trap.Code "exit" naming
// the status, and ends the instance (the next call is ErrClosed). Wasmtime's
// own proc_exit answered 126 and above with a plain error, and the
// instance kept serving.
func TestExitAnyStatus(t *testing.T) {
	for _, status := range []int32{0, 1, 125, 126, 255, 256, -1, math.MaxInt32, math.MinInt32} {
		in, call := loadWriter(t, "bye\n")
		_, err := call("quit", 4, uint64(uint32(status)))
		var trap *host.Trap
		want := fmt.Sprintf("exit status %d", uint32(status))
		if !errors.Is(err, host.ErrTrap) || !errors.As(err, &trap) || trap.Code != "exit" || !strings.Contains(trap.Message, want) {
			t.Errorf("proc_exit(%d): %v (trap %+v); want ErrTrap, Code exit, %q in Message", status, err, trap, want)
			continue
		}
		if _, err := call("nwritten"); !errors.Is(err, host.ErrClosed) {
			t.Errorf("the call after proc_exit(%d): %v, want ErrClosed", status, err)
		}
		in.Close()
	}
}

// callbackWriter is a WithOutput writer that runs fn on each write.
type callbackWriter func(p []byte)

func (f callbackWriter) Write(p []byte) (int, error) { f(p); return len(p), nil }

// TestWriterCallsBack: a writer may call the instance that is writing
// (Call, InPlace, Close): the guest's output reaches the writers once the
// call has released the instance's lock, so these work (or, after Close,
// return ErrClosed) where they hung. A slow writer does not count against
// the call's deadline: the guest's value comes back, with no error, and the
// writer has run when the call returns.
func TestWriterCallsBack(t *testing.T) {
	type result struct {
		n   uint64
		err error
	}
	run := func(name string, f func() error) error {
		t.Helper()
		done := make(chan error, 1)
		go func() { done <- f() }()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			// The Cleanup's Close would wait for the hung call too: end
			// the test binary, with every goroutine's stack.
			panic(name + ": the call hung for 10 s")
		}
	}
	var in *host.Instance
	var inner []result
	var call func(string, ...uint64) (uint64, error)
	reenter := callbackWriter(func([]byte) {
		n, err := call("nwritten")
		inner = append(inner, result{n, err})
		err = in.InPlace(func(host.Buffers) error { return nil })
		inner = append(inner, result{0, err})
	})
	in, call = loadWriter(t, "hello\n", host.WithOutput(reenter, nil))
	err := run("Call, InPlace from a writer", func() error { _, err := call("say", 1, 6); return err })
	if err != nil || len(inner) != 2 || inner[0].err != nil || inner[0].n != 6 || inner[1].err != nil {
		t.Errorf("say: %v; the writer's calls: %+v; want nwritten 6 and an InPlace, both without error", err, inner)
	}

	var closeErr, after error
	closer := callbackWriter(func([]byte) {
		closeErr = in.Close()
		_, after = call("nwritten")
	})
	in, call = loadWriter(t, "bye\n", host.WithOutput(nil, closer))
	if err := run("Close from a writer", func() error { _, err := call("say", 2, 4); return err }); err != nil || closeErr != nil || !errors.Is(after, host.ErrClosed) {
		t.Errorf("say: %v; Close in the writer: %v, a call after it: %v (want ErrClosed)", err, closeErr, after)
	}

	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	var wrote atomic.Bool
	slow := callbackWriter(func([]byte) { time.Sleep(300 * time.Millisecond); wrote.Store(true) })
	in2, err := e.Load("writer", compileWAT(t, writer), host.WithOutput(slow, nil), host.WithTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer in2.Close()
	say, _ := in2.Module().Kernel("say")
	if _, err := in2.Call(say, 1, 4); err != nil || !wrote.Load() {
		t.Errorf("say under a 50 ms timeout with a 300 ms writer: %v, the writer ran: %v; want no error, the writer run", err, wrote.Load())
	}
}

// TestGuestTextEscaped: what a guest wrote to stderr reaches err.Error()
// escaped (no escape sequence, NUL, carriage return or bidirectional
// control, invalid UTF-8 as \x..), each of its lines behind "  | ", so
// that none forges a line of the host's; Trap.Stderr keeps the bytes.
func TestGuestTextEscaped(t *testing.T) {
	const msg = "\x1b[31mred\x1b[0m\r\nwasmvec: guest trapped: forged\x00 \u202eevil \xff\n"
	_, call := loadWriter(t, msg)
	_, err := call("die", uint64(len(msg)))
	var trap *host.Trap
	if !errors.As(err, &trap) || trap.Stderr != msg {
		t.Fatalf("die: %v; want a *Trap whose Stderr is the bytes written", err)
	}
	text := err.Error()
	for _, bad := range []string{"\x1b", "\x00", "\r", "\u202e", "\xff", "\nwasmvec: guest trapped: forged"} {
		if strings.Contains(text, bad) {
			t.Errorf("error text holds %q: %q", bad, text)
		}
	}
	for _, want := range []string{`\x1b[31mred`, `\r`, "\n  | wasmvec: guest trapped: forged\\x00 \\u202eevil \\xff"} {
		if !strings.Contains(text, want) {
			t.Errorf("error text lacks %q: %q", want, text)
		}
	}
}
