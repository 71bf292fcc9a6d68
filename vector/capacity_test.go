package vector_test

import (
	"errors"
	"testing"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/vector"
)

// TestGuestsTrapPastCapacity: the WIT says a kernel called with a length
// above the capacity traps instead of touching memory past its buffers.
// The client never makes such a call; this checks each guest keeps the
// rule (through the generic host.Instance.Call), and that the instance
// serves correct calls afterwards.
func TestGuestsTrapPastCapacity(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	for _, path := range []string{rustGuest, cGuest, goGuest, tinygoGuest} {
		in, err := e.LoadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		capacity := 0
		for _, b := range in.Layout() {
			if b.Name == "a" {
				capacity = b.Capacity
			}
		}
		for _, name := range []string{"sum", "dot-simd-fold", "mul", "scale-simd"} {
			k, err := in.Module().Kernel(name)
			if err != nil {
				t.Fatal(err)
			}
			args := []uint64{uint64(capacity + 1)}
			if len(k.Params()) == 2 {
				args = []uint64{0x3ff0_0000_0000_0000, uint64(capacity + 1)} // 1.0, capacity+1
			}
			_, err = in.Call(k, args...)
			var trap *host.Trap
			if !errors.Is(err, host.ErrTrap) || !errors.As(err, &trap) {
				t.Errorf("%s %s(capacity+1): %v, want a trap", path, name, err)
			}
		}
		// The instance stays usable (for the Go guest, even after its runtime
		// panicked).
		vec, err := vector.Lookup(in.Module())
		if err != nil {
			t.Fatal(err)
		}
		if v, err := vec.Sum(in, []float64{1, 2}); err != nil || v != 3 {
			t.Errorf("%s: Sum after traps = %v, %v; want 3", path, v, err)
		}
		in.Close()
	}
}
