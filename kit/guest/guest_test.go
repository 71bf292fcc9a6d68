package guest

import (
	"strings"
	"testing"
	"unsafe"
)

// TestBuffer: a buffer's elements are aligned to their size, zero, of the
// capacity asked, and Slice shares them; Slice past the capacity and
// Require's failure panic with messages that name the numbers.
func TestBuffer(t *testing.T) {
	f := NewBuffer[float64](3)
	i := NewBuffer[int32](5)
	if f.Capacity() != 3 || i.Capacity() != 5 {
		t.Fatalf("capacities %d, %d", f.Capacity(), i.Capacity())
	}
	if a := uintptr(unsafe.Pointer(&f.Slice(1)[0])); a%8 != 0 {
		t.Errorf("f64 buffer at %#x: not 8-byte aligned", a)
	}
	s := f.Slice(3)
	for _, v := range s {
		if v != 0 {
			t.Fatalf("not zero: %v", s)
		}
	}
	s[2] = 7
	if f.Slice(3)[2] != 7 || len(f.Slice(2)) != 2 || cap(f.Slice(2)) != 2 {
		t.Errorf("Slice does not share the buffer or has the wrong shape")
	}
	wantPanic(t, "wasmvec guest: 6 elements asked of a buffer of capacity 5", func() { i.Slice(6) })
	wantPanic(t, "wasmvec guest: requirement failed: bins >= 1", func() { Require(false, "bins >= 1") })
	wantPanic(t, "wasmvec guest: buffer capacity 0 is not positive", func() { NewBuffer[float32](0) })
	Require(true, "never")
}

func wantPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		if msg, _ := recover().(string); !strings.Contains(msg, want) {
			t.Errorf("panic %q, want one containing %q", msg, want)
		}
	}()
	f()
}
