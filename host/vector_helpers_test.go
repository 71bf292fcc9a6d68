package host_test

import (
	"fmt"
	"sync"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
	"github.com/wasmvec/wasmvec/vector"
)

// The host's tests use the vector world (package vector, a client of the
// host like any other) as their workload.

var (
	vecMu sync.Mutex
	vecs  = map[vecKey]*vector.Kernels{}
)

type vecKey struct {
	m    *host.Module
	simd bool
}

// vk returns the scalar vector kernels of in's module; it panics if the
// module does not implement the vector world (a test's mistake).
func vk(in *host.Instance) *vector.Kernels { return vecKernels(in, false) }

// vks returns the simd128 vector kernels of in's module.
func vks(in *host.Instance) *vector.Kernels { return vecKernels(in, true) }

func vecKernels(in *host.Instance, simd bool) *vector.Kernels {
	vecMu.Lock()
	defer vecMu.Unlock()
	key := vecKey{in.Module(), simd}
	if k, ok := vecs[key]; ok {
		return k
	}
	var opts []vector.Option
	if simd {
		opts = append(opts, vector.WithSIMD())
	}
	k, err := vector.Lookup(in.Module(), opts...)
	if err != nil {
		panic(fmt.Sprintf("vector.Lookup(%s): %v", in.Module().Name(), err))
	}
	vecs[key] = k
	return k
}

// viewA and viewB are the vector world's buffers inside an InPlace call;
// they panic if the guest lacks them.
func viewA(in *host.Instance, b host.Buffers) []float64 { return mustView(in, b, "a") }
func viewB(in *host.Instance, b host.Buffers) []float64 { return mustView(in, b, "b") }

func mustView(in *host.Instance, b host.Buffers, name string) []float64 {
	v, err := testguest.View[float64](in.Module(), b, name)
	if err != nil {
		panic(err)
	}
	return v
}

// capacity is the vector world's capacity of in, in elements.
func capacity(in *host.Instance) int { return testguest.Capacity(in) }

// pools maps each pool made by the tests to its module's vector kernels.
var pools sync.Map // *host.Pool -> *vector.Kernels

// vkPool returns the vector kernels registered for pool p by modPool or newPool.
func vkPool(p *host.Pool) *vector.Kernels {
	k, ok := pools.Load(p)
	if !ok {
		panic("pool not made by modPool or newPool")
	}
	return k.(*vector.Kernels)
}

// modPool is m.NewPool, with the pool's vector kernels registered for
// vkPool when the module implements the vector world.
func modPool(m *host.Module, size int, opts ...host.Option) (*host.Pool, error) {
	p, err := m.NewPool(size, opts...)
	if err != nil {
		return nil, err
	}
	if k, err := vector.Lookup(m); err == nil {
		pools.Store(p, k)
	}
	return p, nil
}
