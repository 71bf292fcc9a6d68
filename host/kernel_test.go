package host_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
	"github.com/wasmvec/wasmvec/vector"
)

// userWAT is a guest of a world the host does not know: buffers of each
// element type, and kernels of each parameter and result type.
const userWAT = `(module
(memory (export "memory") 1)
(func (export "buffer-ints-i32") (result i32) i32.const 0)
(func (export "capacity-ints") (result i32) i32.const 8)
(func (export "buffer-longs-i64") (result i32) i32.const 64)
(func (export "capacity-longs") (result i32) i32.const 8)
(func (export "buffer-halfs-f32") (result i32) i32.const 128)
(func (export "capacity-halfs") (result i32) i32.const 8)
(func (export "buffer-wides-f64") (result i32) i32.const 192)
(func (export "capacity-wides") (result i32) i32.const 8)
;; ints[i] = i * k for i < n; returns the last one written
(func (export "fill-ints") (param $n i32) (param $k i32) (result i32) (local $i i32)
  (block $done (loop $l
    (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
    (i32.store (i32.shl (local.get $i) (i32.const 2)) (i32.mul (local.get $i) (local.get $k)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $l)))
  (i32.mul (i32.sub (local.get $n) (i32.const 1)) (local.get $k)))
(func (export "neg-i64") (param i64) (result i64) (i64.sub (i64.const 0) (local.get 0)))
(func (export "half-f32") (param f32) (result f32) (f32.mul (local.get 0) (f32.const 0.5)))
(func (export "longs0-plus") (param f64) (result f64) (f64.add (f64.convert_i64_s (i64.load (i32.const 64))) (local.get 0)))
(func (export "spin") (loop $l (br $l)))
(func (export "boom") unreachable)
)`

func userModule(t *testing.T, e *host.Engine) *host.Module {
	t.Helper()
	m, err := e.Compile("user", compileWAT(t, userWAT))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestUserKernels: a module of a world the host does not know loads, shows
// its layout and kernels, and its kernels run on the typed path with each
// value type, in place on views of each element type.
func TestUserKernels(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	m := userModule(t, e)
	if _, err := vector.Lookup(m); !errors.Is(err, host.ErrMissingExport) {
		t.Errorf("vector.Lookup = %v, want ErrMissingExport", err)
	}
	var names []string
	for _, k := range m.Kernels() {
		names = append(names, k.String())
	}
	want := []string{"fill-ints: func(i32, i32) -> i32", "neg-i64: func(i64) -> i64", "half-f32: func(f32) -> f32",
		"longs0-plus: func(f64) -> f64", "spin: func()", "boom: func()"}
	if !slices.Equal(names, want) {
		t.Fatalf("kernels %q, want %q", names, want)
	}
	in, err := m.Instantiate()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	wantLayout := []host.BufferInfo{{"ints", "i32", 0, 8}, {"longs", "i64", 64, 8}, {"halfs", "f32", 128, 8}, {"wides", "f64", 192, 8}}
	if got := in.Layout(); !slices.Equal(got, wantLayout) {
		t.Fatalf("layout %+v, want %+v", got, wantLayout)
	}
	kernel := func(name string) *host.Kernel {
		k, err := m.Kernel(name)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	fill, neg, half, plus := kernel("fill-ints"), kernel("neg-i64"), kernel("half-f32"), kernel("longs0-plus")
	if v, err := in.Call(neg, host.Encode(int64(-1<<40))); err != nil || host.Decode[int64](v) != 1<<40 {
		t.Errorf("neg-i64 = %d, %v", host.Decode[int64](v), err)
	}
	// The argument slot held 64 bits; a 32-bit result must not show them.
	if v, err := in.Call(half, host.Encode(float32(-3))); err != nil || v != uint64(math.Float32bits(-1.5)) {
		t.Errorf("half-f32 = %#x, %v; want %#x", v, err, math.Float32bits(-1.5))
	}
	err = in.InPlace(func(b host.Buffers) error {
		ints, err := testguest.View[int32](in.Module(), b, "ints")
		if err != nil {
			return err
		}
		longs, err := testguest.View[int64](in.Module(), b, "longs")
		if err != nil {
			return err
		}
		if len(ints) != 8 || len(longs) != 8 {
			t.Fatalf("views of %d and %d elements, want 8", len(ints), len(longs))
		}
		v, err := b.Call(fill, host.Encode(int32(5)), host.Encode(int32(-3)))
		if err != nil {
			return err
		}
		if host.Decode[int32](v) != -12 || !slices.Equal(ints[:6], []int32{0, -3, -6, -9, -12, 0}) {
			t.Errorf("fill-ints = %d, ints %v", host.Decode[int32](v), ints)
		}
		longs[0] = 40
		if v, err := b.Call(plus, host.Encode(float64(2))); err != nil || host.Decode[float64](v) != 42 {
			t.Errorf("longs0-plus = %v, %v", host.Decode[float64](v), err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A view of a buffer the guest does not declare names the ones it does.
	err = in.InPlace(func(b host.Buffers) error {
		_, err := testguest.View[float64](in.Module(), b, "a")
		return err
	})
	if !errors.Is(err, host.ErrMissingExport) || !strings.Contains(err.Error(), `"ints", "longs", "halfs", "wides"`) {
		t.Errorf("View of an undeclared buffer: %v, want ErrMissingExport naming the declared ones", err)
	}
}

// TestUserKernelErrors: a trap, a deadline, a kernel of another module, a
// wrong argument count, a closed instance, a view after InPlace.
func TestUserKernelErrors(t *testing.T) {
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	m := userModule(t, e)
	in, err := m.Instantiate(host.WithTimeout(50 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	boom, _ := m.Kernel("boom")
	spin, _ := m.Kernel("spin")
	neg, _ := m.Kernel("neg-i64")
	var trap *host.Trap
	if _, err := in.Call(boom); !errors.Is(err, host.ErrTrap) || !errors.As(err, &trap) {
		t.Errorf("boom: %v, want ErrTrap with a *Trap", err)
	}
	start := time.Now()
	if _, err := in.Call(spin); !errors.Is(err, host.ErrDeadline) {
		t.Errorf("spin: %v, want ErrDeadline", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("spin returned after %v", d)
	}
	if _, err := in.Call(neg); !errors.Is(err, host.ErrSignature) {
		t.Errorf("no arguments for neg-i64: %v, want ErrSignature", err)
	}
	other := userModule(t, e)
	otherNeg, _ := other.Kernel("neg-i64")
	if _, err := in.Call(otherNeg, 1); !errors.Is(err, host.ErrMissingExport) {
		t.Errorf("a kernel of another module: %v, want ErrMissingExport", err)
	}
	if _, err := in.Call(nil); !errors.Is(err, host.ErrMissingExport) {
		t.Errorf("a nil kernel: %v, want ErrMissingExport", err)
	}
	if _, err := m.Kernel("buffer-ints-i32"); !errors.Is(err, host.ErrMissingExport) {
		t.Errorf("a buffer export as kernel: %v, want ErrMissingExport", err)
	}
	if _, err := m.Kernel("memory"); !errors.Is(err, host.ErrMissingExport) {
		t.Errorf("the memory as kernel: %v, want ErrMissingExport", err)
	}
	var kept host.Buffers
	in.InPlace(func(b host.Buffers) error { kept = b; return nil })
	if _, err := testguest.View[int32](in.Module(), kept, "ints"); !errors.Is(err, host.ErrClosed) {
		t.Errorf("View after InPlace: %v, want ErrExpired", err)
	}
	if _, err := kept.Call(neg, 1); !errors.Is(err, host.ErrClosed) {
		t.Errorf("Buffers.Call after InPlace: %v, want ErrExpired", err)
	}
	// Still usable after the trap and the deadline.
	if v, err := in.Call(neg, host.Encode(int64(7))); err != nil || host.Decode[int64](v) != -7 {
		t.Errorf("neg-i64 after errors = %d, %v", host.Decode[int64](v), err)
	}
	in.Close()
	if _, err := in.Call(neg, 1); !errors.Is(err, host.ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}

// TestUserKernelPool: a kernel looked up once serves every instance of a
// pool, through Pool.Do with a deadline.
func TestUserKernelPool(t *testing.T) {
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	m := userModule(t, e)
	pool, err := modPool(m, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	neg, _ := m.Kernel("neg-i64")
	spin, _ := m.Kernel("spin")
	for i := range int64(10) {
		err := pool.Do(context.Background(), func(in *host.Instance) error {
			v, err := in.Call(neg, host.Encode(int64(i)))
			if err == nil && host.Decode[int64](v) != -i {
				t.Errorf("neg-i64(%d) = %d", i, host.Decode[int64](v))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = pool.Do(ctx, func(in *host.Instance) error { _, err := in.Call(spin); return err })
	if !errors.Is(err, host.ErrDeadline) {
		t.Fatalf("spin in Pool.Do: %v, want ErrDeadline", err)
	}
}

// TestUserKernelThreaded: the threaded guest's kernels called by name
// through Instance.Call run on its threads and give the typed method's bits.
func TestUserKernelThreaded(t *testing.T) {
	in := loadThreads(t, threadsGuest, 2)
	k, err := in.Module().Kernel("sum-simd")
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, 50000)
	for i := range x {
		x[i] = math.Sqrt(float64(i))
	}
	want, err := sumOf(in, x)
	if err != nil {
		t.Fatal(err)
	}
	var got float64
	err = in.InPlace(func(b host.Buffers) error {
		copy(viewA(in, b), x)
		v, err := b.Call(k, host.Encode(int32(len(x))))
		got = host.Decode[float64](v)
		return err
	})
	if err != nil || math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("Call(sum-simd) = %v, %v; SumSIMD = %v", got, err, want)
	}
}

// TestUserCallDoesNotAllocate: Instance.Call and Buffers.Call allocate
// nothing.
func TestUserCallDoesNotAllocate(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	m := userModule(t, e)
	in, err := m.Instantiate()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	fill, _ := m.Kernel("fill-ints")
	if n := testing.AllocsPerRun(100, func() {
		if _, err := in.Call(fill, host.Encode(int32(8)), host.Encode(int32(3))); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per Instance.Call, want 0", n)
	}
	in.InPlace(func(b host.Buffers) error {
		if n := testing.AllocsPerRun(100, func() {
			if _, err := b.Call(fill, host.Encode(int32(8)), host.Encode(int32(3))); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%v allocations per Buffers.Call, want 0", n)
		}
		return nil
	})
}

// TestMemoryLimit: WithMemoryLimit refuses a module whose memory starts
// over it (ErrLimit, before anything is reserved) and takes only sane
// values (ErrOption).
func TestMemoryLimit(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	m := compiled(t, rustGuest) // a memory of about 2.5 MB from the start
	for _, c := range []struct {
		limit int64
		want  error
	}{{100, host.ErrOption}, {1<<32 + 1, host.ErrOption}, {1 << 16, host.ErrLimit}, {1 << 21, host.ErrLimit}, {1 << 32, nil}, {64 << 20, nil}} {
		in, err := m.Instantiate(host.WithMemoryLimit(c.limit))
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("WithMemoryLimit(%d): %v, want %v", c.limit, err, c.want)
		}
		if err == nil {
			if v, err := sumOf(in, []float64{1, 2}); err != nil || v != 3 {
				t.Errorf("WithMemoryLimit(%d): Sum = %v, %v", c.limit, v, err)
			}
			in.Close()
		}
	}
}

// TestKernelErrorsNameTheExports: a runtime export ("__main_void") is no
// kernel; an unknown kernel, a nil *Kernel and a kernel of another module
// get errors that name the kernel asked for and the ones the guest has.
func TestKernelErrorsNameTheExports(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	wasm := testguest.CompileWAT(t, testguest.WAT(map[string]string{
		"tail": `(func (export "__main_void") (result i32) i32.const 0) (func (export "__wasm_call_ctors"))`}))
	in, err := e.Load("mine", wasm)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	for _, k := range in.Module().Kernels() {
		if strings.HasPrefix(k.Name(), "__") {
			t.Errorf("runtime export %s listed as a kernel", k.Name())
		}
	}
	if _, err := in.Module().Kernel("__main_void"); !errors.Is(err, host.ErrMissingExport) || !strings.Contains(err.Error(), "reserved") {
		t.Errorf(`Kernel("__main_void") = %v, want ErrMissingExport: reserved`, err)
	}
	_, err = in.Module().Kernel("summ")
	if !errors.Is(err, host.ErrMissingExport) || !strings.Contains(err.Error(), `no kernel "summ"`) || !strings.Contains(err.Error(), `"sum"`) {
		t.Errorf(`Kernel("summ") = %v, want ErrMissingExport naming it and listing "sum"`, err)
	}
	if _, err := in.Call(nil); !errors.Is(err, host.ErrMissingExport) || !strings.Contains(err.Error(), "nil *Kernel") || !strings.Contains(err.Error(), `"sum"`) {
		t.Errorf("Call(nil) = %v, want ErrMissingExport saying nil and listing the kernels", err)
	}
	other, err := e.Load("other", wasm)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	k, err := other.Module().Kernel("sum")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Call(k, 0); !errors.Is(err, host.ErrMissingExport) || !strings.Contains(err.Error(), `kernel "sum" was looked up in module "other"`) {
		t.Errorf("Call(kernel of another module) = %v, want ErrMissingExport naming the kernel and its module", err)
	}
}
