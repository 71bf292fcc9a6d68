package host_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v39"
	"github.com/wasmvec/wasmvec/host"
)

// TestExportsMatchWIT checks the host's export table against the WIT world
// as wit-bindgen reads it: the Rust guest's bindings are generated from
// wit/vector.wit at build time, so its function exports (less the runtime's
// own) are the world's. A kernel added to the WIT but not to the host, or
// the reverse, fails here.
func TestExportsMatchWIT(t *testing.T) {
	wasm, err := os.ReadFile(rustGuest)
	if err != nil {
		t.Fatal(err)
	}
	m, err := wasmtime.NewModule(wasmtime.NewEngine(), wasm)
	if err != nil {
		t.Fatal(err)
	}
	var fromWIT []string
	for _, e := range m.Exports() {
		n := e.Name()
		if e.Type().FuncType() == nil || n == "_initialize" || strings.HasPrefix(n, "cabi_") {
			continue
		}
		fromWIT = append(fromWIT, n)
	}
	want := host.ExportNames()
	slices.Sort(fromWIT)
	slices.Sort(want)
	if !slices.Equal(fromWIT, want) {
		t.Fatalf("WIT world exports %v\nhost requires      %v", fromWIT, want)
	}
}
