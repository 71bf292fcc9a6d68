package host_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
	"github.com/wasmvec/wasmvec/vector"
)

func mustRead(t testing.TB, path string) []byte { return testguest.Read(t, path) }

// compiled compiles the guest at path on an engine of its own; the module
// and the engine are closed when the test ends (t.Cleanup).
func compiled(t testing.TB, path string) *host.Module {
	t.Helper()
	e := host.NewEngine()
	m, err := e.Compile(path, mustRead(t, path))
	if err != nil {
		e.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(); e.Close() })
	return m
}

// wat and compileWAT: the vector-world template of package testguest.
func wat(replace map[string]string) string        { return testguest.WAT(replace) }
func compileWAT(t *testing.T, text string) []byte { return testguest.CompileWAT(t, text) }

// TestTrappingKernel: a kernel that traps gives ErrTrap naming the export,
// and the instance keeps serving its other kernels and later calls.
func TestTrappingKernel(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	wasm := compileWAT(t, wat(map[string]string{
		"sum":   `(func (export "sum") (param i32) (result f64) unreachable)`,
		"scale": `(func (export "scale") (param f64 i32) (i32.div_u (i32.const 1) (i32.const 0)) drop)`,
	}))
	in, err := e.Load("trapper", wasm)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	for range 2 {
		_, err := sumOf(in, []float64{1, 2})
		var ge *host.GuestError
		var trap *host.Trap
		if !errors.Is(err, host.ErrTrap) || !errors.As(err, &ge) || ge.Export != "sum" || !errors.As(err, &trap) {
			t.Fatalf("Sum: %v; want ErrTrap naming export sum, with a *host.Trap", err)
		}
		if trap.Code != "unreachable" || !strings.Contains(trap.Message, "unreachable") {
			t.Errorf("trap code %v, message %q; want unreachable", trap.Code, trap.Message)
		}
		if got, err := vk(in).Dot(in, []float64{1}, []float64{2}); err != nil || got != 0 {
			t.Fatalf("Dot after a trap: %v, %v", got, err)
		}
	}
	err = vk(in).Scale(in, make([]float64, 3), make([]float64, 3), 2)
	var trap *host.Trap
	if !errors.Is(err, host.ErrTrap) || !errors.As(err, &trap) || trap.Code != "integer division by zero" {
		t.Fatalf("Scale: %v; want a division-by-zero trap", err)
	}
}

// TestCapacityBelowOneBlock: a guest whose capacity is under one block can
// run inputs up to its capacity, and elementwise kernels of any length, but
// a longer fold is refused rather than computed in a different order.
func TestCapacityBelowOneBlock(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, err := e.Load("small", compileWAT(t, wat(nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if _, err := vk(in).Sum(in, make([]float64, 16)); err != nil {
		t.Fatalf("Sum at capacity: %v", err)
	}
	if _, err := vk(in).Sum(in, make([]float64, 17)); !errors.Is(err, vector.ErrCapacity) {
		t.Fatalf("Sum over capacity: %v, want ErrCapacity", err)
	}
	if err := vk(in).Mul(in, make([]float64, 40), make([]float64, 40), make([]float64, 40)); err != nil {
		t.Fatalf("Mul streamed over a small capacity: %v", err)
	}
}

// TestTrapBounded: a deep recursion's trap carries the stack-overflow code
// in the project's own type, a message and a backtrace of at most
// MaxTrapMessage bytes each
// (Wasmtime 39's backtrace of every frame ran to a megabyte, which the host
// cut; Wasmtime 44 keeps a few frames itself), with no NUL from the C API.
func TestTrapBounded(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, err := e.Load("deep", compileWAT(t, wat(map[string]string{
		"sum": `(func $deep (export "sum") (param i32) (result f64) (call $deep (i32.add (local.get 0) (i32.const 1))))`})))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	_, err = sumOf(in, []float64{1})
	var trap *host.Trap
	if !errors.Is(err, host.ErrTrap) || !errors.As(err, &trap) || trap.Code != "stack overflow" {
		t.Fatalf("%.300v; want ErrTrap with a *Trap of code %v", err, "stack overflow")
	}
	for _, s := range []string{trap.Message, trap.Backtrace} {
		if len(s) > host.MaxTrapMessage+100 || strings.ContainsRune(s, 0) ||
			len(s) > host.MaxTrapMessage && !strings.Contains(s, "more lines") {
			t.Errorf("trap text of %d bytes (limit %d), ends %q", len(s), host.MaxTrapMessage, s[max(0, len(s)-120):])
		}
	}
	if trap.Backtrace == "" || strings.Contains(err.Error(), trap.Backtrace) {
		t.Errorf("backtrace %q; want one, and not in the error's text", trap.Backtrace)
	}
	t.Logf("%s; backtrace of %d bytes", trap.Message, len(trap.Backtrace))
}
