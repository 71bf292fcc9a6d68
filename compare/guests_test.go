// Package compare_test holds the benchmark matrix of wasmvec's kernels
// against their peers (Go, gonum, native C via cgo, the same guests on
// wazero) and wazero's bit-exact table: a module of its own, so that the
// peers stay out of the library's go.mod. ./build.sh bench runs it.
package compare_test

import (
	"testing"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
	"github.com/wasmvec/wasmvec/vector"
)

// Guest modules, built by ./build.sh (package testguest names them).
const (
	rustGuest    = testguest.Rust
	cGuest       = testguest.C
	threadsGuest = testguest.Threads
)

// guest is one wasm row of the matrix (testguest.Table, less the threaded
// guest, whose rows threadImpls makes): a module and whether its simd128
// exports are used. noBench leaves it out of the matrix (wazero's table
// still checks it).
type guest struct {
	impl    string
	path    string
	simd    bool
	noBench bool
	threads int
}

var testGuests = func() []guest {
	var gs []guest
	for _, g := range testguest.Table {
		if g.Threads == 0 {
			gs = append(gs, guest{g.Impl, g.Path, g.SIMD, g.NoBench, 0})
		}
	}
	return gs
}()

// instance returns the guest's shared instance.
func (g guest) instance(t testing.TB) *host.Instance { return testguest.Load(t, g.path, g.threads) }

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
func capacity(in *host.Instance) int { return testguest.Capacity(in) }

func mustRead(t testing.TB, path string) []byte { return testguest.Read(t, path) }
