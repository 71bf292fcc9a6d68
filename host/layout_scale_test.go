package host_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/wasmvec/wasmvec/host"
)

// manyBuffers returns a module declaring n buffers of 2 f64 each, 16 bytes
// apart; with overlap, buffer n-1 starts inside buffer 0.
func manyBuffers(t testing.TB, n int, overlap bool) []byte {
	var b strings.Builder
	b.WriteString("(module (memory (export \"memory\") 2)\n")
	for i := range n {
		off := 16 * i
		if overlap && i == n-1 {
			off = 8
		}
		fmt.Fprintf(&b, "(func (export \"buffer-b%d-f64\") (result i32) i32.const %d)\n", i, off)
		fmt.Fprintf(&b, "(func (export \"capacity-b%d\") (result i32) i32.const 2)\n", i)
	}
	b.WriteString(")")
	wasm, err := wasmtime.Wat2Wasm(b.String())
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}

func TestManyBuffers(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, err := e.Load("many", manyBuffers(t, host.MaxBuffers, false))
	if err != nil {
		t.Fatalf("%d disjoint buffers: %v", host.MaxBuffers, err)
	}
	if got := len(in.Layout()); got != host.MaxBuffers {
		t.Errorf("layout has %d buffers, want %d", got, host.MaxBuffers)
	}
	in.Close()

	_, err = e.Load("overlap", manyBuffers(t, 1000, true))
	var ge *host.GuestError
	if !errors.Is(err, host.ErrModule) || !errors.As(err, &ge) || ge.Export != "buffer-b999-f64" {
		t.Errorf("buffer 999 inside buffer 0: %v; want ErrModule naming buffer-b999-f64", err)
	}

	_, err = e.Compile("too-many", manyBuffers(t, host.MaxBuffers+1, false))
	if !errors.Is(err, host.ErrLimit) {
		t.Errorf("%d buffers: %v; want ErrLimit", host.MaxBuffers+1, err)
	}
}

// BenchmarkLayout: Instantiate (and Close) of a module declaring
// MaxBuffers buffers, which the overlap sweep keeps O(n log n).
func BenchmarkLayout(b *testing.B) {
	e := host.NewEngine()
	defer e.Close()
	m, err := e.Compile("many", manyBuffers(b, host.MaxBuffers, false))
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	for b.Loop() {
		in, err := m.Instantiate()
		if err != nil {
			b.Fatal(err)
		}
		in.Close()
	}
}
