// Package compare_test holds the benchmark matrix of wasmvec's kernels
// against their peers (Go, gonum, native C via cgo, the same guests on
// wazero) and wazero's bit-exact table: a module of its own, so that the
// peers stay out of the library's go.mod. ./build.sh bench runs it.
package compare_test

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/vector"
)

// Guest modules, built by ./build.sh.
const (
	rustGuest    = "../guests/rust.wasm"
	cGuest       = "../guests/c.wasm"
	goGuest      = "../guests/go.wasm"
	tinygoGuest  = "../guests/tinygo.wasm"
	threadsGuest = "../guests/rust-threads.wasm"
)

// guest is one wasm row of the matrix: a module and whether its simd128
// exports are used; threads (0 for a guest that is not threaded) is passed
// to WithThreads. noBench leaves it out of the matrix (wazero's table
// still checks it).
type guest struct {
	impl    string
	path    string
	simd    bool
	noBench bool
	threads int
}

var testGuests = []guest{
	{"wasm-rust", rustGuest, false, false, 0},
	{"wasm-rust-simd", rustGuest, true, false, 0},
	{"wasm-c", cGuest, false, false, 0},
	{"wasm-c-simd", cGuest, true, false, 0},
	{"wasm-go", goGuest, false, false, 0},
	// Go's wasm port has no SIMD: the Go guest's -simd exports run its
	// scalar code, checked but not a row of their own.
	{"wasm-go-simd-exports", goGuest, true, true, 0},
	{"wasm-tinygo", tinygoGuest, false, false, 0},
	{"wasm-tinygo-simd-exports", tinygoGuest, true, true, 0},
}

var (
	engineOnce sync.Once
	engine     *host.Engine
	instMu     sync.Mutex
	instances  = map[string]*host.Instance{}
)

// instance returns the guest's shared instance.
func (g guest) instance(t testing.TB) *host.Instance {
	t.Helper()
	engineOnce.Do(func() { engine = host.NewEngine() })
	instMu.Lock()
	defer instMu.Unlock()
	key := fmt.Sprintf("%s#%d", g.path, g.threads)
	if in, ok := instances[key]; ok {
		return in
	}
	var opts []host.Option
	if g.threads > 0 {
		opts = append(opts, host.WithThreads(g.threads))
	}
	in, err := engine.LoadFile(g.path, opts...)
	if err != nil {
		t.Fatalf("load %s: %v", g.path, err)
	}
	instances[key] = in
	return in
}

// kernels returns the vector kernels of the guest's instance in: the
// simd128 exports when its simd flag is set.
func (g guest) kernels(t testing.TB, in *host.Instance) *vector.Kernels {
	t.Helper()
	var opts []vector.Option
	if g.simd {
		opts = append(opts, vector.WithSIMD())
	}
	k, err := vector.Lookup(in.Module(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// capacity is the vector world's capacity of in, in elements.
func capacity(in *host.Instance) int {
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

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
