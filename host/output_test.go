package host_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/wasmvec/wasmvec/host"
)

// writer is a guest that writes through WASI's fd_write: from its buffer
// "text" (i32 elements at byte 4096, 16,384 of them: 64 KiB of bytes).
const writer = `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
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
  (func (export "flood") (param $times i32)
    (loop $l
      (drop (call $put (i32.const 1) (i32.const 4096) (i32.const 65536)))
      (br_if $l (local.tee $times (i32.sub (local.get $times) (i32.const 1))))))
  (func (export "raw") (param i32 i32 i32 i32) (result i32)
    (call $w (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
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
// later trap; more than 1,024 bytes keeps the last 1,024.
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
	if !strings.Contains(err.Error(), "guest stderr:\n"+strings.TrimSuffix(msg, "\n")) {
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

	// 3,000 bytes: the last 1,024 are kept.
	_, err = call("die", 3000)
	if !errors.As(err, &trap) {
		t.Fatal(err)
	}
	all := strings.Repeat(msg, 3000/len(msg)+1)[:3000]
	if trap.Stderr != all[3000-1024:] {
		t.Errorf("Stderr of a 3,000-byte write: %d bytes %q; want the last 1,024", len(trap.Stderr), trap.Stderr)
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
