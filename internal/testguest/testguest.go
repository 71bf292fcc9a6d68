// Package testguest is what the tests and benchmarks of host, vector and
// compare share about the repository's guests: the table of guests they
// run, a vector-world module in the text format with parts replaced, and
// small helpers. Only tests import it.
package testguest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/wasmvec/wasmvec/host"
)

// Guest modules, built by ./build.sh, as a test in a package one level
// below the repository's root (host/, vector/, compare/) names them.
const (
	Rust    = "../guests/rust.wasm"
	C       = "../guests/c.wasm"
	Go      = "../guests/go.wasm"
	TinyGo  = "../guests/tinygo.wasm"       // the Go guest's source compiled by TinyGo: a WASI command whose _start returns
	Threads = "../guests/rust-threads.wasm" // the Rust guest on wasi-threads (world vector-threads)
)

// Guest is one implementation under test: a module and whether its simd128
// exports are used. NoBench leaves it out of the benchmark matrix; Threads
// (0 for a guest that is not threaded) is passed to host.WithThreads.
type Guest struct {
	Impl    string
	Path    string
	SIMD    bool
	NoBench bool
	Threads int
}

// Table is every guest the bit-exact tables run.
var Table = []Guest{
	{"wasm-rust", Rust, false, false, 0},
	{"wasm-rust-simd", Rust, true, false, 0},
	{"wasm-c", C, false, false, 0},
	{"wasm-c-simd", C, true, false, 0},
	{"wasm-go", Go, false, false, 0},
	// Go's wasm port has no SIMD: the Go guest's -simd exports run its
	// scalar code. They are tested, but not benchmarked as a row of their own.
	{"wasm-go-simd-exports", Go, true, true, 0},
	// TinyGo, built with simd128: LLVM vectorises mul and scale; the
	// -simd exports are the same functions as the scalar ones.
	{"wasm-tinygo", TinyGo, false, false, 0},
	{"wasm-tinygo-simd-exports", TinyGo, true, true, 0},
	// The threaded guest at 1 to 4 threads, scalar and simd128 exports.
	{"wasm-rust-threads/threads=1", Threads, false, true, 1},
	{"wasm-rust-threads-simd/threads=1", Threads, true, true, 1},
	{"wasm-rust-threads/threads=2", Threads, false, true, 2},
	{"wasm-rust-threads-simd/threads=2", Threads, true, true, 2},
	{"wasm-rust-threads/threads=3", Threads, false, true, 3},
	{"wasm-rust-threads-simd/threads=3", Threads, true, true, 3},
	{"wasm-rust-threads/threads=4", Threads, false, true, 4},
	{"wasm-rust-threads-simd/threads=4", Threads, true, true, 4},
}

var (
	engineOnce sync.Once
	engine     *host.Engine
	instMu     sync.Mutex
	instances  = map[string]*host.Instance{}
)

// Load returns an instance of the module at path shared by the tests of
// one test binary (on one engine, never closed), made with
// host.WithThreads(threads) unless threads is 0.
func Load(t testing.TB, path string, threads int) *host.Instance {
	t.Helper()
	engineOnce.Do(func() { engine = host.NewEngine() })
	instMu.Lock()
	defer instMu.Unlock()
	key := fmt.Sprintf("%s#%d", path, threads)
	if in, ok := instances[key]; ok {
		return in
	}
	var opts []host.Option
	if threads > 0 {
		opts = append(opts, host.WithThreads(threads))
	}
	in, err := LoadFile(engine, path, opts...)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	instances[key] = in
	return in
}

// Read reads the file at path, failing the test if it cannot.
func Read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Capacity is the vector world's capacity of in: the smallest of its
// buffers a, b and result, in elements (-1 if it has none of them).
func Capacity(in *host.Instance) int {
	c := -1
	for _, b := range in.Layout() {
		if b.Name == "a" || b.Name == "b" || b.Name == "result" {
			if c < 0 || b.Capacity < c {
				c = b.Capacity
			}
		}
	}
	return c
}

// WAT builds a guest module in the WebAssembly text format: a well-formed
// guest (one page of memory, buffers of 16 elements at 0, 1024 and 2048)
// with the given exports replaced. A replacement "" drops the export;
// "head" adds text at the top of the module, "tail" at the end.
func WAT(replace map[string]string) string {
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

// CompileWAT assembles text, failing the test if it does not assemble.
func CompileWAT(t testing.TB, text string) []byte {
	t.Helper()
	wasm, err := wasmtime.Wat2Wasm(text)
	if err != nil {
		t.Fatalf("test module does not assemble: %v\n%s", err, text)
	}
	return wasm
}

// View is host.View of module m's buffer named name, looked up with
// host.BufferRef on the spot (tests only: a client looks it up once).
func View[T host.Elem](m *host.Module, b host.Buffers, name string) ([]T, error) {
	r, err := host.BufferRef[T](m, name)
	if err != nil {
		return nil, err
	}
	return host.View(b, r)
}

// LoadFile reads the module at path and loads it on e with opts, naming
// the guest after the file.
func LoadFile(e *host.Engine, path string, opts ...host.Option) (*host.Instance, error) {
	wasm, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return e.Load(filepath.Base(path), wasm, opts...)
}
