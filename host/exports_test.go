package host_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/wasmvec/wasmvec/host"
)

// TestThreadExportsMatchWIT checks the host's exports of a threaded guest
// against the WIT world as wit-bindgen reads it: the threaded Rust guest's
// bindings come from the vector-threads world, which is the vector world
// (package vector checks that one) plus the worker exports the host
// requires; wasi_thread_start is wasi-libc's, required by wasi-threads.
func TestThreadExportsMatchWIT(t *testing.T) {
	fromThreadsWIT := functionExports(t, threadsGuest)
	want := append(functionExports(t, rustGuest), host.ThreadExportNames()...)
	slices.Sort(want)
	if !slices.Equal(fromThreadsWIT, want) {
		t.Errorf("vector-threads world exports %v\nhost requires              %v", fromThreadsWIT, want)
	}
}

// functionExports lists a module's function exports, sorted, less the
// runtime's own (_initialize, cabi_*, and TinyGo's _start and allocator).
func functionExports(t *testing.T, path string) []string {
	t.Helper()
	wasm, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := wasmtime.NewConfig()
	cfg.SetWasmThreads(true)
	m, err := wasmtime.NewModule(wasmtime.NewEngineWithConfig(cfg), wasm)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range m.Exports() {
		n := e.Name()
		if e.Type().FuncType() == nil || n == "_initialize" || strings.HasPrefix(n, "cabi_") ||
			n == "_start" || n == "malloc" || n == "free" || n == "calloc" || n == "realloc" {
			continue
		}
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
