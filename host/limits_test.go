package host

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// TestFunctionCount: the count read from the bytes is the number of
// functions a module defines (not its imports), wherever its function
// section sits among the others.
func TestFunctionCount(t *testing.T) {
	for _, want := range []int{0, 1, 7, 300} {
		var b strings.Builder
		b.WriteString(`(module (import "wasi_snapshot_preview1" "sched_yield" (func (result i32))) (memory (export "memory") 1) (global i32 (i32.const 1))`)
		for i := range want {
			fmt.Fprintf(&b, "(func (export \"f%d\") (result i32) i32.const %d)", i, i)
		}
		b.WriteString(`(data (i32.const 0) "x"))`)
		wasm, err := wasmtime.Wat2Wasm(b.String())
		if err != nil {
			t.Fatal(err)
		}
		n, ok := functionCount(wasm)
		if want == 0 && ok {
			t.Errorf("no functions: got %d, ok", n)
		}
		if want > 0 && (!ok || n != uint64(want)) {
			t.Errorf("%d functions: got %d (%t)", want, n, ok)
		}
	}
	for _, bad := range [][]byte{nil, []byte("\x00asm"), []byte("\x00asm\x01\x00\x00\x00\x03\xff"), []byte("\x00asm\x01\x00\x00\x00\x03\x05\x80\x80\x80\x80\x80")} {
		if _, ok := functionCount(bad); ok {
			t.Errorf("functionCount(%q) ok", bad)
		}
	}
}

// TestCompileLimits: a module over the function or byte limit is refused
// with ErrLimit before any compiling; WithCompileLimits raises or lowers
// the limits.
func TestCompileLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("(module (memory (export \"memory\") 1)\n")
	for i := range DefaultMaxFunctions + 1 {
		fmt.Fprintf(&b, "(func (result i32) i32.const %d)\n", i)
	}
	b.WriteString(")")
	wasm, err := wasmtime.Wat2Wasm(b.String())
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine()
	defer e.Close()
	start := time.Now()
	if _, err := e.Compile("many", wasm); !errors.Is(err, ErrLimit) {
		t.Fatalf("%d functions: %v, want ErrLimit", DefaultMaxFunctions+1, err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("refused after %v: it compiled first", d)
	}
	if _, err := e.CompileCached("many", wasm, t.TempDir()); !errors.Is(err, ErrLimit) {
		t.Fatalf("CompileCached, %d functions: %v, want ErrLimit", DefaultMaxFunctions+1, err)
	}
	more := NewEngine(WithCompileLimits(0, DefaultMaxFunctions+1))
	defer more.Close()
	m, err := more.Compile("many", wasm)
	if err != nil {
		t.Fatalf("WithCompileLimits(0, %d): %v", DefaultMaxFunctions+1, err)
	}
	m.Close()
	rust, err := os.ReadFile("../guests/rust.wasm")
	if err != nil {
		t.Fatal(err)
	}
	small := NewEngine(WithCompileLimits(1000, 0))
	defer small.Close()
	if _, err := small.Compile("rust", rust); !errors.Is(err, ErrLimit) {
		t.Fatalf("a %d-byte module under a 1000-byte limit: %v, want ErrLimit", len(rust), err)
	}
}
