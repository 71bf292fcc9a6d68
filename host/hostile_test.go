package host_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v39"
	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/vector"
)

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

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

// wat builds a guest module in the WebAssembly text format: a well-formed
// guest (one page of memory, buffers of 16 elements at 0, 1024 and 2048)
// with the given exports replaced. A replacement "" drops the export;
// "head" adds text at the top of the module, "tail" at the end.
func wat(replace map[string]string) string {
	parts := map[string]string{
		"memory":            `(memory (export "memory") 1)`,
		"buffer-a-f64":      `(func (export "buffer-a-f64") (result i32) i32.const 0)`,
		"buffer-b-f64":      `(func (export "buffer-b-f64") (result i32) i32.const 1024)`,
		"buffer-result-f64": `(func (export "buffer-result-f64") (result i32) i32.const 2048)`,
		"capacity-a":        `(func (export "capacity-a") (result i32) i32.const 16)`,
		"capacity-b":        `(func (export "capacity-b") (result i32) i32.const 16)`,
		"capacity-result":   `(func (export "capacity-result") (result i32) i32.const 16)`,
	}
	order := []string{"head", "memory", "buffer-a-f64", "buffer-b-f64", "buffer-result-f64", "capacity-a", "capacity-b", "capacity-result"}
	for _, name := range []string{"sum", "sum-simd", "dot", "dot-simd"} {
		parts[name] = fmt.Sprintf(`(func (export %q) (param i32) (result f64) f64.const 0)`, name)
		parts[name+"-fold"] = fmt.Sprintf(`(func (export "%s-fold") (param f64 i32) (result f64) local.get 0)`, name)
		order = append(order, name, name+"-fold")
	}
	for _, name := range []string{"sum-blocks", "dot-blocks", "mul", "mul-simd"} {
		parts[name] = fmt.Sprintf(`(func (export %q) (param i32))`, name)
		order = append(order, name)
	}
	for _, name := range []string{"sum-batch", "dot-batch"} {
		parts[name] = fmt.Sprintf(`(func (export %q) (param i32 i32))`, name)
		order = append(order, name)
	}
	for _, name := range []string{"scale", "scale-simd"} {
		parts[name] = fmt.Sprintf(`(func (export %q) (param f64 i32))`, name)
		order = append(order, name)
	}
	order = append(order, "tail")
	for k, v := range replace {
		parts[k] = v
	}
	var b strings.Builder
	b.WriteString("(module\n")
	for _, k := range order {
		b.WriteString(parts[k] + "\n")
	}
	b.WriteString(")")
	return b.String()
}

func compileWAT(t *testing.T, text string) []byte {
	t.Helper()
	wasm, err := wasmtime.Wat2Wasm(text)
	if err != nil {
		t.Fatalf("test module does not assemble: %v\n%s", err, text)
	}
	return wasm
}

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
		_, err := vk(in).Sum(in, []float64{1, 2})
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
// in the project's own type and a message cut to MaxTrapMessage bytes that
// says what was cut (Wasmtime's backtrace of every frame ran to a megabyte).
func TestTrapBounded(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, err := e.Load("deep", compileWAT(t, wat(map[string]string{
		"sum": `(func $deep (export "sum") (param i32) (result f64) (call $deep (i32.add (local.get 0) (i32.const 1))))`})))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	_, err = vk(in).Sum(in, []float64{1})
	var trap *host.Trap
	if !errors.Is(err, host.ErrTrap) || !errors.As(err, &trap) || trap.Code != "stack overflow" {
		t.Fatalf("%.300v; want ErrTrap with a *Trap of code %v", err, "stack overflow")
	}
	if len(trap.Message) > host.MaxTrapMessage+100 || !strings.Contains(trap.Message, "more lines") {
		t.Errorf("trap message of %d bytes (limit %d), ends %q", len(trap.Message), host.MaxTrapMessage, trap.Message[max(0, len(trap.Message)-120):])
	}
	t.Logf("%d bytes; %s", len(trap.Message), trap.Message[strings.LastIndexByte(trap.Message, '\n')+1:])
}
