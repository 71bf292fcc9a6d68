package vector_test

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
	goGuest      = testguest.Go
	tinygoGuest  = testguest.TinyGo
	threadsGuest = testguest.Threads
)

func mustRead(t testing.TB, path string) []byte { return testguest.Read(t, path) }

// load returns a shared instance of the module at path.
func load(t testing.TB, path string) *host.Instance { return testguest.Load(t, path, 0) }

// instance returns guest g's shared instance and its vector kernels (the
// simd128 ones when g.SIMD is set).
func instance(t testing.TB, g testguest.Guest) (*host.Instance, *vector.Kernels) {
	t.Helper()
	in := testguest.Load(t, g.Path, g.Threads)
	if g.SIMD {
		return in, simdKernelsOf(t, in)
	}
	return in, kernelsOf(t, in)
}

// kernelsOf and simdKernelsOf look up the vector world of in's module,
// scalar and simd128.
func kernelsOf(t testing.TB, in *host.Instance) *vector.Kernels { return lookup(t, in.Module()) }

func simdKernelsOf(t testing.TB, in *host.Instance) *vector.Kernels {
	return lookup(t, in.Module(), vector.WithSIMD())
}

func lookup(t testing.TB, m *host.Module, opts ...vector.Option) *vector.Kernels {
	t.Helper()
	k, err := vector.Lookup(m, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// newPool is a pool of size instances of the guest at path, compiled on an
// engine of its own, with its vector kernels; done closes them.
func newPool(t testing.TB, path string, size int) (*host.Pool, *vector.Kernels, func()) {
	t.Helper()
	e := host.NewEngine()
	m, err := e.Compile(path, mustRead(t, path))
	if err != nil {
		e.Close()
		t.Fatal(err)
	}
	p, err := m.NewPool(size)
	if err != nil {
		t.Fatal(err)
	}
	return p, lookup(t, m), func() { p.Close(); m.Close(); e.Close() }
}
