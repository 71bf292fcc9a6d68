package compare_test

// The same guest modules on wazero (github.com/tetratelabs/wazero, its
// optimizing compiler), beside Wasmtime: a benchmark-only peer, so users see
// pure Go with no cgo against Cranelift on identical work. Its rows carry
// runtime=wazero. It reuses the buffer pattern with wazero's own API (memory
// views from Memory().Read, calls through CallWithStack); inputs are limited
// to the guest's capacity (no streaming here).

import (
	"context"
	"fmt"
	"testing"
	"unsafe"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
)

type wzGuest struct {
	mod   api.Module
	fns   map[string]api.Function
	off   [3]uint32 // A, B, RESULT
	cap   int
	stack []uint64
}

var wzRuntime wazero.Runtime

func loadWazero(t testing.TB, path string) *wzGuest {
	t.Helper()
	ctx := context.Background()
	if wzRuntime == nil {
		wzRuntime = wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler())
		wasi_snapshot_preview1.MustInstantiate(ctx, wzRuntime)
	}
	mod, err := wzRuntime.InstantiateWithConfig(ctx, mustRead(t, path),
		wazero.NewModuleConfig().WithName("").WithStartFunctions("_initialize", "_start")) // a reactor, or a command whose main returns (TinyGo)
	if err != nil {
		t.Fatalf("wazero: %s: %v", path, err)
	}
	g := &wzGuest{mod: mod, fns: map[string]api.Function{}, stack: make([]uint64, 2)}
	for _, name := range []string{"buffer-a-f64", "buffer-b-f64", "buffer-result-f64", "capacity-a",
		"sum", "sum-simd", "dot", "dot-simd", "mul", "mul-simd", "scale", "scale-simd"} {
		if g.fns[name] = mod.ExportedFunction(name); g.fns[name] == nil {
			t.Fatalf("wazero: %s lacks %s", path, name)
		}
	}
	for i, name := range []string{"buffer-a-f64", "buffer-b-f64", "buffer-result-f64", "capacity-a"} {
		res, err := g.fns[name].Call(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if i < 3 {
			g.off[i] = uint32(res[0])
		} else {
			g.cap = int(uint32(res[0]))
		}
	}
	return g
}

// view returns buffer i's first n elements, aliasing wazero's memory.
func (g *wzGuest) view(t testing.TB, i, n int) []float64 {
	b, ok := g.mod.Memory().Read(g.off[i], uint32(8*n))
	if !ok {
		t.Fatalf("wazero: buffer %d of %d elements outside memory", i, n)
	}
	if n == 0 {
		return nil
	}
	if uintptr(unsafe.Pointer(&b[0]))%8 != 0 {
		t.Fatal("wazero: memory not 8-byte aligned")
	}
	return unsafe.Slice((*float64)(unsafe.Pointer(&b[0])), n)
}

// call runs a kernel: (len) or (f64, len); it returns the f64 result if any.
func (g *wzGuest) call(name string, x float64, n int) (float64, error) {
	f := g.fns[name]
	if len(f.Definition().ParamTypes()) == 2 {
		g.stack[0], g.stack[1] = api.EncodeF64(x), uint64(n)
	} else {
		g.stack[0] = uint64(n)
	}
	if err := f.CallWithStack(context.Background(), g.stack); err != nil {
		return 0, err
	}
	return api.DecodeF64(g.stack[0]), nil
}

func kernelExport(kernel string, simd bool) string {
	if simd {
		return kernel + "-simd"
	}
	return kernel
}

// TestWazeroBitExact: the guests give the canonical bits on wazero too (the
// table up to the capacity, since this peer does not stream).
func TestWazeroBitExact(t *testing.T) {
	if testing.Short() {
		t.Skip("wazero peer: skipped in -short")
	}
	for _, g := range testGuests {
		if g.threads > 0 {
			continue // wazero's wasi-threads support is not part of this peer
		}
		wz := loadWazero(t, g.path)
		for _, kind := range vectors.Kinds {
			for _, n := range vectors.Sizes {
				if n > wz.cap {
					continue
				}
				x, y, s := vectors.Make(kind, n)
				copy(wz.view(t, 0, n), x)
				copy(wz.view(t, 1, n), y)
				got, err := wz.call(kernelExport("sum", g.simd), 0, n)
				if want := kernels.Sum(x); err != nil || !vectors.Same(got, want) {
					t.Errorf("%s/%s/n=%d sum: %v, %v want %v", g.impl, kind, n, got, err, want)
				}
				got, err = wz.call(kernelExport("dot", g.simd), 0, n)
				if want, _ := kernels.Dot(x, y); err != nil || !vectors.Same(got, want) {
					t.Errorf("%s/%s/n=%d dot: %v, %v want %v", g.impl, kind, n, got, err, want)
				}
				want := make([]float64, n)
				kernels.Scale(want, x, s)
				if _, err := wz.call(kernelExport("scale", g.simd), s, n); err != nil || vectors.FirstDiff(wz.view(t, 2, n), want) >= 0 {
					t.Errorf("%s/%s/n=%d scale differs (%v)", g.impl, kind, n, err)
				}
			}
		}
	}
}

// wazeroImpl is a benchmark impl for a guest on wazero.
func wazeroImpl(g guest) benchImpl {
	return benchImpl{g.impl, func(b *testing.B, kernel, mode string, x, y, dst []float64) op {
		wz := wazeroGuests[g.path]
		if wz == nil {
			wz = loadWazero(b, g.path)
			wazeroGuests[g.path] = wz
		}
		n := len(x)
		if n > wz.cap {
			return nil
		}
		name := kernelExport(kernel, g.simd)
		copy(wz.view(b, 0, n), x)
		copy(wz.view(b, 1, n), y)
		if mode == "kernel" {
			return func() error { v, err := wz.call(name, 1.0001, n); sink += v; return err }
		}
		return func() error {
			copy(wz.view(b, 0, n), x)
			if kernel == "dot" || kernel == "mul" {
				copy(wz.view(b, 1, n), y)
			}
			v, err := wz.call(name, 1.0001, n)
			if kernel == "mul" || kernel == "scale" {
				copy(dst, wz.view(b, 2, n))
			} else {
				sink += v
			}
			return err
		}
	}}
}

var wazeroGuests = map[string]*wzGuest{}

// BenchmarkWazero runs the wasm rows of the matrix on wazero; the names add
// runtime=wazero, so benchreport shows them as impl@wazero.
func BenchmarkWazero(b *testing.B) {
	for _, k := range benchKernels {
		for _, g := range testGuests {
			if g.noBench {
				continue
			}
			impl := wazeroImpl(g)
			for _, n := range benchSizes {
				x, y, _ := vectors.Make("random", n)
				dst := make([]float64, n)
				for _, mode := range []string{"copy", "kernel"} {
					run := impl.prepare(b, k.name, mode, x, y, dst)
					if run == nil {
						continue
					}
					b.Run(fmt.Sprintf("kernel=%s/impl=%s/n=%d/mode=%s/runtime=wazero", k.name, impl.name, n, mode), func(b *testing.B) {
						b.SetBytes(int64(8 * n * k.inputs))
						b.ReportAllocs()
						for b.Loop() {
							if err := run(); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		}
	}
}
