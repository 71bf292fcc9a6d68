//go:build amd64 || arm64

package raw

import (
	"testing"
	"unsafe"
)

// TestLayouts: the wasmtime-go values raw reads a C value from have that
// value's size (wasmtime-go v44: Func holds a wasmtime_func_t, Memory a
// wasmtime_memory_t). Bind and SetFunc also check a read's store id.
func TestLayouts(t *testing.T) {
	goFunc, cFunc, goMem, cMem := LayoutSizes()
	if goFunc != cFunc {
		t.Errorf("sizeof(wasmtime.Func) = %d, sizeof(wasmtime_func_t) = %d", goFunc, cFunc)
	}
	if goMem != cMem {
		t.Errorf("sizeof(wasmtime.Memory) = %d, sizeof(wasmtime_memory_t) = %d", goMem, cMem)
	}
}

// TestBlock: a new Block's lock word, flags and argument slots start at
// zero and keep what is set.
func TestBlock(t *testing.T) {
	b := New(3)
	if b == nil {
		t.Fatal("New: out of C memory")
	}
	defer b.Free()
	if b.LockWord().Load() != 0 || b.Interrupting() || b.Interrupted() || b.Timeout() != 0 || b.HasFunc(2) {
		t.Fatal("a new Block is not zero")
	}
	b.SetArg(0, 42)
	b.SetInterrupt(true)
	b.SetTimeout(7)
	if b.Result() != 42 || !b.Interrupting() || b.Timeout() != 7 {
		t.Errorf("Block kept arg %d, interrupt %v, timeout %v", b.Result(), b.Interrupting(), b.Timeout())
	}
	var mem [16]uint64
	a := Addr{unsafe.Pointer(&mem[0])}
	if s := Slice[uint64](a.Add(8), 3); &s[0] != &mem[1] || len(s) != 3 {
		t.Errorf("Slice(a+8, 3) = %p len %d, want %p len 3", &s[0], len(s), &mem[1])
	}
}
