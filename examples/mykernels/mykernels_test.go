package mykernels_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wasmvec/wasmvec/examples/mykernels"
	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
	"github.com/wasmvec/wasmvec/vector"
)

var modules = []struct {
	name   string
	wasm   []byte
	source string // what a kit check's failure names of the guest's source: its file, or for TinyGo the check
}{
	{"rust", mykernels.Rust, "src/lib.rs:"},
	{"c", mykernels.C, "mykernels.c:"},
	{"go", mykernels.Go, "main.go:"},
	{"tinygo", mykernels.TinyGo, "wasmvec guest: "},
}

// edge values every input mixes in with random ones.
var edges64 = []float64{0, math.Copysign(0, -1), math.NaN(), math.Inf(1), math.Inf(-1), math.SmallestNonzeroFloat64,
	-math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64, 1, -1, 0.5, 1 - 1e-16}

func randomF32(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		switch r.IntN(8) {
		case 0:
			x[i] = float32(edges64[r.IntN(len(edges64))])
		case 1:
			x[i] = math.Float32frombits(r.Uint32()) // any bit pattern, NaNs and subnormals included
		default:
			x[i] = float32(r.NormFloat64() * 100)
		}
	}
	return x
}

func randomF64(r *rand.Rand, n int, lo, hi float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		switch r.IntN(8) {
		case 0:
			x[i] = edges64[r.IntN(len(edges64))]
		case 1:
			x[i] = lo + (hi-lo)*float64(r.IntN(5))/4 // the bin edges and hi itself
		default:
			x[i] = lo + (hi-lo)*(r.Float64()*1.2-0.1)
		}
	}
	return x
}

// TestBitExact: both guests give the Go reference's bits, for axpy on
// random and edge-case f32 (NaN payloads aside: any NaN matches any NaN),
// and the same counts for histogram, at many lengths and bin counts.
func TestBitExact(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	r := rand.New(rand.NewPCG(1, 2))
	for _, m := range modules {
		in, err := e.Load(m.name, m.wasm)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		axpy, err1 := in.Module().Kernel("axpy")
		histogram, err2 := in.Module().Kernel("histogram")
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 1, 3, 16, 17, 1000, 65536} {
			a := randomF32(r, 1)[0]
			x, y := randomF32(r, n), randomF32(r, n)
			want := slices.Clone(y)
			mykernels.Axpy(a, x, want)
			err := in.InPlace(func(b host.Buffers) error {
				gx, _ := testguest.View[float32](in.Module(), b, "x")
				gy, _ := testguest.View[float32](in.Module(), b, "y")
				copy(gx, x)
				copy(gy, y)
				if _, err := b.Call(axpy, host.Encode(float32(a)), host.Encode(int32(n))); err != nil {
					return err
				}
				for i := range n {
					if g, w := gy[i], want[i]; math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
						t.Fatalf("%s axpy n=%d a=%v: y[%d] = %v (%#x), want %v (%#x)", m.name, n, a, i, g, math.Float32bits(g), w, math.Float32bits(w))
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			n, bins int
			lo, hi  float64
		}{{0, 1, 0, 1}, {1, 1, 0, 1}, {1000, 7, -3, 5}, {65536, 1024, -1e3, 1e3}, {5000, 3, -1e308, 1e308}, {100, 10, 1, 1 + 1e-12}} {
			samples := randomF64(r, c.n, c.lo, c.hi)
			want := make([]int32, c.bins)
			wantOut := mykernels.Histogram(want, samples, c.lo, c.hi)
			err := in.InPlace(func(b host.Buffers) error {
				gs, _ := testguest.View[float64](in.Module(), b, "samples")
				gc, _ := testguest.View[int32](in.Module(), b, "counts")
				copy(gs, samples)
				gc[0] = 12345 // must be cleared
				out, err := b.Call(histogram, host.Encode(int32(c.n)), host.Encode(float64(c.lo)), host.Encode(float64(c.hi)), host.Encode(int32(c.bins)))
				if err != nil {
					return err
				}
				if uint32(out) != wantOut || !slices.Equal(gc[:c.bins], want) {
					t.Fatalf("%s histogram %+v: out %d counts %v, want %d %v", m.name, c, uint32(out), gc[:min(c.bins, 20)], wantOut, want[:min(c.bins, 20)])
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestBadCalls: what a caller can get wrong gives a typed error, never a
// panic. Each call that traps runs on an instance of its own and then, but
// for the Go guest, on one instance that saw every earlier trap and stays
// usable. A Go guest's runtime aborts at its first panic and is left
// mid-panic (a second panic prints "panic during panic"): its instance is
// not to be called again after a trap.
func TestBadCalls(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	for _, m := range modules {
		mod, err := e.Compile(m.name, m.wasm)
		if err != nil {
			t.Fatal(err)
		}
		defer mod.Close()
		in, err := mod.Instantiate()
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		axpy, _ := mod.Kernel("axpy")
		histogram, _ := mod.Kernel("histogram")
		var e1, e2 error
		err = in.InPlace(func(b host.Buffers) error {
			_, e1 = testguest.View[float64](mod, b, "x")
			_, e2 = testguest.View[float32](mod, b, "nope")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		checks := []struct {
			what string
			err  error
			want error
		}{
			{"unknown kernel", second(mod.Kernel("saxpy")), host.ErrMissingExport},
			{"buffer export as kernel", second(mod.Kernel("buffer-x-f32")), host.ErrMissingExport},
			{"too few arguments", second(in.Call(axpy, host.Encode(float32(1)))), host.ErrSignature},
			{"f32 buffer viewed as float64", e1, host.ErrSignature},
			{"unknown buffer", e2, host.ErrMissingExport},
		}
		for _, c := range checks {
			var ge *host.GuestError
			if !errors.Is(c.err, c.want) || !errors.As(c.err, &ge) {
				t.Errorf("%s %s: %v, want a *GuestError wrapping %v", m.name, c.what, c.err, c.want)
			}
		}
		traps := []struct {
			what string
			k    *host.Kernel
			args []uint64
		}{
			{"len past capacity", axpy, []uint64{host.Encode(float32(1)), host.Encode(int32(65537))}},
			{"bins past capacity", histogram, []uint64{host.Encode(int32(1)), host.Encode(float64(0)), host.Encode(float64(1)), host.Encode(int32(1025))}},
			{"NaN bound", histogram, []uint64{host.Encode(int32(1)), host.Encode(float64(math.NaN())), host.Encode(float64(1)), host.Encode(int32(4))}},
			{"lo >= hi", histogram, []uint64{host.Encode(int32(1)), host.Encode(float64(1)), host.Encode(float64(1)), host.Encode(int32(4))}},
		}
		// After a trap the instance serves on (a Pool would replace it). The
		// standard Go runtime is left mid-panic: its next panic is fatal
		// ("unlock of unlocked lock") and exits, which ends the instance.
		reusable := m.name != "go"
		for i, c := range traps {
			fresh, err := mod.Instantiate()
			if err != nil {
				t.Fatal(err)
			}
			_, err = fresh.Call(c.k, c.args...)
			fresh.Close()
			var ge *host.GuestError
			var trap *host.Trap
			if !errors.Is(err, host.ErrTrap) || !errors.As(err, &ge) || !errors.As(err, &trap) {
				t.Errorf("%s %s: %v, want a *GuestError wrapping ErrTrap and a *Trap", m.name, c.what, err)
				continue
			}
			// The error is short and points at the user's line: the panic's
			// message from stderr and the reason, the backtrace only in its
			// field (TinyGo's runtime knows no lines).
			text := err.Error()
			if strings.Contains(text, "wasm backtrace") || strings.Contains(text, "RUST_BACKTRACE") || trap.Backtrace == "" ||
				strings.Count(text, "\n") > 12 || !strings.Contains(text, m.source) {
				t.Errorf("%s %s: error of %d lines, backtrace of %d bytes; want a short error naming %q:\n%s",
					m.name, c.what, strings.Count(text, "\n")+1, len(trap.Backtrace), m.source, text)
			}
			_, err = in.Call(c.k, c.args...)
			switch {
			case reusable || i == 0:
				if !errors.Is(err, host.ErrTrap) {
					t.Errorf("%s %s after %d traps: %v, want ErrTrap", m.name, c.what, i, err)
				}
			case i == 1:
				if !errors.As(err, &trap) || trap.Code != "exit" {
					t.Errorf("%s %s after a trap: %.200v, want the runtime's exit (Trap.Code exit)", m.name, c.what, err)
				}
			default:
				if !errors.Is(err, host.ErrClosed) {
					t.Errorf("%s %s after the runtime exited: %.200v, want ErrClosed", m.name, c.what, err)
				}
			}
		}
		_, err = in.Call(axpy, host.Encode(float32(1)), host.Encode(int32(4)))
		if reusable && err != nil || !reusable && !errors.Is(err, host.ErrClosed) {
			t.Errorf("%s: axpy after the bad calls: %.200v", m.name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestSameExports: the four guests, each written with its language's kit,
// export the same buffers (by name and type) and kernels, those of
// wit/mykernels.wit, and none is a vector-world guest.
func TestSameExports(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	var shapes [][]string
	for _, m := range modules {
		mod, err := e.Compile(m.name, m.wasm)
		if err != nil {
			t.Fatal(err)
		}
		defer mod.Close()
		in, err := mod.Instantiate()
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		var shape []string
		for _, b := range in.Layout() {
			shape = append(shape, b.Name+" "+b.Type)
		}
		for _, k := range mod.Kernels() {
			shape = append(shape, k.String())
		}
		slices.Sort(shape)
		shapes = append(shapes, shape)
		if _, err := vector.Lookup(mod); !errors.Is(err, host.ErrMissingExport) {
			t.Errorf("%s: vector.Lookup = %v, want ErrMissingExport (not a vector guest)", m.name, err)
		}
	}
	for i := range shapes[1:] {
		if !slices.Equal(shapes[0], shapes[i+1]) {
			t.Errorf("%s %v\n%s %v", modules[0].name, shapes[0], modules[i+1].name, shapes[i+1])
		}
	}
	want := []string{"axpy: func(f32, i32)", "counts i32", "histogram: func(i32, f64, f64, i32) -> i32", "samples f64", "x f32", "y f32"}
	if !slices.Equal(shapes[0], want) {
		t.Fatalf("got %v, want %v", shapes[0], want)
	}
}

// TestHostDoesNotKnow: no file of the host package mentions these kernels:
// the host runs them from what the modules declare.
func TestHostDoesNotKnow(t *testing.T) {
	files, err := filepath.Glob("../../host/*.go")
	if err != nil || len(files) < 10 {
		t.Fatalf("host sources: %d, %v", len(files), err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, word := range []string{"axpy", "histogram", "mykernels"} {
			if strings.Contains(strings.ToLower(string(src)), word) {
				t.Errorf("%s mentions %q", f, word)
			}
		}
	}
}

// TestPanicMessage: each guest's failed check on a length past the
// capacity reaches the caller with its message, through the stderr the
// host keeps in the Trap: Rust's panic (then the abort's trap), C's
// WASMVEC_REQUIRE, Go's and TinyGo's panic (then proc_exit).
func TestPanicMessage(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	want := map[string][]string{
		// the guest's own line (the kit's get is #[track_caller]), and the buffer's name
		"rust":   {"panicked at src/lib.rs:", `buffer "x": 65537 elements asked, past its capacity of 65536`},
		"c":      {"mykernels.c:", "requirement failed: len <= WASMVEC_CAPACITY(x)"},
		"go":     {"panic: wasmvec guest: 65537 elements asked of a buffer of capacity 65536"},
		"tinygo": {"wasmvec guest: 65537 elements asked of a buffer of capacity 65536"},
	}
	for _, m := range modules {
		in, err := e.Load(m.name, m.wasm)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		axpy, _ := in.Module().Kernel("axpy")
		_, err = in.Call(axpy, host.Encode(float32(1)), host.Encode(int32(65537)))
		var trap *host.Trap
		if !errors.As(err, &trap) {
			t.Fatalf("%s: axpy past capacity: %v; want a trap", m.name, err)
		}
		for _, w := range want[m.name] {
			if !strings.Contains(trap.Stderr, w) || !strings.Contains(err.Error(), w) {
				t.Errorf("%s: axpy past capacity: %v (stderr %q); want %q in the trap's Stderr and the error's text", m.name, err, trap.Stderr, w)
			}
		}
	}
}
