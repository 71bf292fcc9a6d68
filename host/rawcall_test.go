//go:build amd64 || arm64

package host

import (
	"math"
	"testing"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v39"
)

// TestRawCallMatchesFuncCall guards the assumptions of the typed call path
// about wasmtime-go: the layout of wasmtime.Func, and that the raw call
// returns what Func.Call returns for every kernel export.
func TestRawCallMatchesFuncCall(t *testing.T) {
	if a, b := unsafe.Sizeof(wasmtime.Func{}), unsafe.Sizeof(rawFunc{}); a != b {
		t.Fatalf("sizeof(wasmtime.Func) = %d, sizeof(wasmtime_func_t) = %d: the typed call path does not fit this wasmtime-go", a, b)
	}
	if a, b := unsafe.Sizeof(wasmtime.Memory{}), unsafe.Sizeof(rawMemory{}); a != b {
		t.Fatalf("sizeof(wasmtime.Memory) = %d, sizeof(wasmtime_memory_t) = %d: the typed call path does not fit this wasmtime-go", a, b)
	}
	e := NewEngine()
	defer e.Close()
	in, err := e.LoadFile("../guests/rust.wasm")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	x := make([]float64, 1000)
	y := make([]float64, 1000)
	for i := range x {
		x[i], y[i] = math.Sqrt(float64(i)), 1/float64(i+1)
	}
	if err := in.FillForTest(x, y); err != nil {
		t.Fatal(err)
	}
	for _, w := range vectorWorld {
		if len(w.sig.params) == 0 {
			continue
		}
		typed, err := in.KernelForTest(w.name)
		if err != nil {
			t.Fatal(err)
		}
		slow, _ := in.ExportForTest(w.name)
		x, args := 0.5, []any{int32(999)}
		switch {
		case len(w.sig.params) == 2 && w.sig.params[0] == I32: // (count, len)
			x, args = 3, []any{int32(3), int32(333)}
		case len(w.sig.params) == 2:
			args = []any{0.5, int32(999)}
		}
		got, err := typed(x, int(args[len(args)-1].(int32)))
		if err != nil {
			t.Fatalf("%s typed: %v", w.name, err)
		}
		want, err := slow(args...)
		if err != nil {
			t.Fatalf("%s Func.Call: %v", w.name, err)
		}
		if len(w.sig.results) == 1 && math.Float64bits(got) != math.Float64bits(want.(float64)) {
			t.Errorf("%s: typed %v, Func.Call %v", w.name, got, want)
		}
	}
}

// TestTypedCallDoesNotAllocate: a kernel call on the typed path makes no Go
// allocation.
func TestTypedCallDoesNotAllocate(t *testing.T) {
	e := NewEngine()
	defer e.Close()
	in, err := e.LoadFile("../guests/c.wasm")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	x := []float64{1, 2, 3}
	dst := make([]float64, 3)
	if n := testing.AllocsPerRun(100, func() {
		if _, err := in.SumSIMD(x); err != nil {
			t.Fatal(err)
		}
		if err := in.Scale(dst, x, 2); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per Sum+Scale, want 0", n)
	}
}
