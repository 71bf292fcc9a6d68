package host

import (
	"errors"
	"testing"
)

// TestGuestsTrapPastCapacity: the WIT says a kernel called with a length
// above the capacity traps instead of touching memory past its buffers.
// The host never makes such a call; this checks each guest keeps the rule,
// and that the instance serves correct calls afterwards.
func TestGuestsTrapPastCapacity(t *testing.T) {
	e := NewEngine()
	defer e.Close()
	for _, path := range []string{"../guests/rust.wasm", "../guests/c.wasm", "../guests/go.wasm", "../guests/tinygo.wasm"} {
		in, err := e.LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"sum", "dot-simd-fold", "mul", "scale-simd"} {
			call, err := in.KernelForTest(name)
			if err != nil {
				t.Fatal(err)
			}
			_, err = call(1, in.Capacity()+1)
			var trap *Trap
			if !errors.Is(err, ErrTrap) || !errors.As(err, &trap) {
				t.Errorf("%s %s(capacity+1): %v, want a trap", path, name, err)
			}
		}
		// The instance stays usable (for the Go guest, even after its runtime
		// panicked).
		if v, err := in.Sum([]float64{1, 2}); err != nil || v != 3 {
			t.Errorf("%s: Sum after traps = %v, %v; want 3", path, v, err)
		}
		in.Close()
	}
}
