package host_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v39"
	"github.com/wasmvec/wasmvec/host"
)

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wat builds a guest module in the WebAssembly text format: a well-formed
// guest (one page of memory, buffers of 16 elements at 0, 1024 and 2048)
// with the given exports replaced. A replacement "" drops the export;
// "head" adds text at the top of the module, "tail" at the end.
func wat(replace map[string]string) string {
	parts := map[string]string{
		"memory":              `(memory (export "memory") 1)`,
		"get-buffer-a-offset": `(func (export "get-buffer-a-offset") (result i32) i32.const 0)`,
		"get-buffer-b-offset": `(func (export "get-buffer-b-offset") (result i32) i32.const 1024)`,
		"get-result-offset":   `(func (export "get-result-offset") (result i32) i32.const 2048)`,
		"get-capacity":        `(func (export "get-capacity") (result i32) i32.const 16)`,
	}
	order := []string{"head", "memory", "get-buffer-a-offset", "get-buffer-b-offset", "get-result-offset", "get-capacity"}
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

// TestHostileModules loads modules that break the contract; each must fail
// with its own typed error, naming the export at fault, without a panic,
// and the host must keep serving a good guest afterwards.
func TestHostileModules(t *testing.T) {
	capacity := func(v string) string {
		return `(func (export "get-capacity") (result i32) i32.const ` + v + `)`
	}
	offsetA := func(v string) string {
		return `(func (export "get-buffer-a-offset") (result i32) i32.const ` + v + `)`
	}
	cases := []struct {
		name    string
		module  []byte // or, when nil, wat(replace)
		replace map[string]string
		want    error
		export  string
	}{
		{name: "misaligned offset", replace: map[string]string{"get-buffer-a-offset": offsetA("4")},
			want: host.ErrLayout, export: "get-buffer-a-offset"},
		{name: "offset past memory", replace: map[string]string{"get-buffer-a-offset": offsetA("65536")},
			want: host.ErrLayout, export: "get-buffer-a-offset"},
		{name: "offset near 4 GiB", replace: map[string]string{"get-buffer-a-offset": offsetA("-8")},
			want: host.ErrLayout, export: "get-buffer-a-offset"},
		{name: "offset+capacity past memory", replace: map[string]string{"get-capacity": capacity("8000")},
			want: host.ErrLayout, export: "get-buffer-b-offset"},
		{name: "capacity 2^32-1", replace: map[string]string{"get-capacity": capacity("-1")},
			want: host.ErrLayout, export: "get-buffer-a-offset"},
		{name: "capacity 0", replace: map[string]string{"get-capacity": capacity("0")},
			want: host.ErrLayout, export: "get-capacity"},
		{name: "overlapping buffers", replace: map[string]string{
			"get-result-offset": `(func (export "get-result-offset") (result i32) i32.const 1032)`},
			want: host.ErrLayout, export: "get-result-offset"},
		{name: "missing export", replace: map[string]string{"dot-fold": ""},
			want: host.ErrMissingExport, export: "dot-fold"},
		{name: "missing memory", replace: map[string]string{"memory": "(memory 1)"},
			want: host.ErrMissingExport, export: "memory"},
		{name: "wrong parameter type", replace: map[string]string{
			"sum": `(func (export "sum") (param i64) (result f64) f64.const 0)`},
			want: host.ErrSignature, export: "sum"},
		{name: "wrong result type", replace: map[string]string{
			"get-capacity": `(func (export "get-capacity") (result i64) i64.const 16)`},
			want: host.ErrSignature, export: "get-capacity"},
		{name: "export is a global", replace: map[string]string{
			"mul": `(global (export "mul") i32 (i32.const 0))`},
			want: host.ErrSignature, export: "mul"},
		{name: "memory is a function", replace: map[string]string{
			"memory": `(memory 1) (func (export "memory"))`},
			want: host.ErrSignature, export: "memory"},
		{name: "malformed bytes", module: []byte("\x00asm\x01\x00\x00\x00\xff\xff garbage"),
			want: host.ErrModule},
		{name: "empty bytes", module: []byte{}, want: host.ErrModule},
		{name: "unknown import module", replace: map[string]string{
			"head": `(import "env" "steal" (func))`}, want: host.ErrImport},
		{name: "unknown WASI function", replace: map[string]string{
			"head": `(import "wasi_snapshot_preview1" "no_such_call" (func))`}, want: host.ErrImport},
		{name: "imported memory", replace: map[string]string{
			"head": `(import "wasi_snapshot_preview1" "mem" (memory 1))`}, want: host.ErrImport},
		{name: "trapping get-capacity", replace: map[string]string{
			"get-capacity": `(func (export "get-capacity") (result i32) unreachable)`},
			want: host.ErrTrap, export: "get-capacity"},
		{name: "trapping start function", replace: map[string]string{
			"head": `(func $boom unreachable) (start $boom)`}, want: host.ErrTrap, export: "(start)"},
		{name: "trapping _initialize", replace: map[string]string{
			"head": `(func (export "_initialize") unreachable)`}, want: host.ErrTrap, export: "_initialize"},
	}
	e := host.NewEngine()
	defer e.Close()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			module := c.module
			if module == nil {
				module = compileWAT(t, wat(c.replace))
			}
			in, err := e.Load("hostile", module)
			if err == nil {
				in.Close()
				t.Fatalf("loaded; want %v", c.want)
			}
			var ge *host.GuestError
			if !errors.Is(err, c.want) || !errors.As(err, &ge) {
				t.Fatalf("got %v; want a *GuestError wrapping %v", err, c.want)
			}
			if ge.Guest != "hostile" || ge.Export != c.export {
				t.Errorf("error names guest %q export %q; want %q %q (%v)", ge.Guest, ge.Export, "hostile", c.export, err)
			}
			t.Log(err)
		})
	}
	// The engine still serves a good guest.
	in, err := e.LoadFile(rustGuest)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if got, err := in.Sum([]float64{1, 2, 3}); err != nil || got != 6 {
		t.Fatalf("good guest after hostile ones: %v, %v", got, err)
	}
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
		_, err := in.Sum([]float64{1, 2})
		var ge *host.GuestError
		var trap *host.Trap
		if !errors.Is(err, host.ErrTrap) || !errors.As(err, &ge) || ge.Export != "sum" || !errors.As(err, &trap) {
			t.Fatalf("Sum: %v; want ErrTrap naming export sum, with a *host.Trap", err)
		}
		if trap.Code == nil || *trap.Code != wasmtime.UnreachableCodeReached || !strings.Contains(trap.Message, "unreachable") {
			t.Errorf("trap code %v, message %q; want unreachable", trap.Code, trap.Message)
		}
		if got, err := in.Dot([]float64{1}, []float64{2}); err != nil || got != 0 {
			t.Fatalf("Dot after a trap: %v, %v", got, err)
		}
	}
	err = in.Scale(make([]float64, 3), make([]float64, 3), 2)
	var trap *host.Trap
	if !errors.Is(err, host.ErrTrap) || !errors.As(err, &trap) || trap.Code == nil || *trap.Code != wasmtime.IntegerDivisionByZero {
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
	if _, err := in.Sum(make([]float64, 16)); err != nil {
		t.Fatalf("Sum at capacity: %v", err)
	}
	if _, err := in.Sum(make([]float64, 17)); !errors.Is(err, host.ErrCapacity) {
		t.Fatalf("Sum over capacity: %v, want ErrCapacity", err)
	}
	if err := in.Mul(make([]float64, 40), make([]float64, 40), make([]float64, 40)); err != nil {
		t.Fatalf("Mul streamed over a small capacity: %v", err)
	}
}
