//go:build amd64 || arm64

package host

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/wasmvec/wasmvec/internal/raw"
)

// TestRawCallMatchesFuncCall guards the assumptions of the call path about
// wasmtime-go (its layouts: raw's TestLayouts): that the raw call returns
// what Func.Call returns for every kernel export.
func TestRawCallMatchesFuncCall(t *testing.T) {
	e := NewEngine()
	defer e.Close()
	in, err := e.LoadFile("../guests/rust.wasm")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	err = in.InPlace(func(b Buffers) error {
		for _, name := range []string{"a", "b"} {
			r, err := BufferRef[float64](in.mod, name)
			if err != nil {
				return err
			}
			v, err := View(b, r)
			if err != nil {
				return err
			}
			for i := range 1000 {
				v[i] = math.Sqrt(float64(i)) / float64(len(name)+i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices := 0
	for _, k := range in.mod.contract.kernels {
		if len(k.sig.params) == 0 {
			continue
		}
		// Arguments the vector world's kernels accept: an f64 (an
		// accumulator or a scale) and a length, or a count and a width.
		var args []uint64
		var slow []any
		for i, p := range k.sig.params {
			switch {
			case p == tF64:
				args, slow = append(args, math.Float64bits(0.5)), append(slow, 0.5)
			case len(k.sig.params) == 2 && k.sig.params[0] == tI32 && i == 0:
				args, slow = append(args, 3), append(slow, int32(3))
			case len(k.sig.params) == 2 && k.sig.params[0] == tI32:
				args, slow = append(args, 333), append(slow, int32(333))
			default:
				args, slow = append(args, 999), append(slow, int32(999))
			}
		}
		got, err := in.Call(k, args...)
		if err != nil {
			t.Fatalf("%s: %v", k.name, err)
		}
		f, _ := in.ExportForTest(k.name)
		want, err := f(slow...)
		if err != nil {
			t.Fatalf("%s Func.Call: %v", k.name, err)
		}
		if len(k.sig.results) == 1 && got != math.Float64bits(want.(float64)) {
			t.Errorf("%s: raw call %v, Func.Call %v", k.name, math.Float64frombits(got), want)
		}
		slices++
	}
	if slices < 16 {
		t.Errorf("compared %d kernels, want the vector world's 16", slices)
	}
}

// TestCallDoesNotAllocate: a kernel call, through Instance.Call and through
// Buffers.Call inside InPlace, makes no Go allocation.
func TestCallDoesNotAllocate(t *testing.T) {
	e := NewEngine()
	defer e.Close()
	in, err := e.LoadFile("../guests/c.wasm")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	sum, err := in.mod.Kernel("sum-simd")
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{1, 2, 3}
	ra, err := BufferRef[float64](in.mod, "a")
	if err != nil {
		t.Fatal(err)
	}
	var s uint64
	if n := testing.AllocsPerRun(100, func() {
		if _, err := in.Call(sum, 0); err != nil {
			t.Fatal(err)
		}
		err := in.InPlace(func(b Buffers) error {
			a, err := View(b, ra)
			if err != nil {
				return err
			}
			copy(a, x)
			s, err = b.Call(sum, uint64(len(x)))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per Call + InPlace, want 0", n)
	}
	if math.Float64frombits(s) != 6 {
		t.Errorf("sum = %v, want 6", math.Float64frombits(s))
	}
}

// TestBufferRef: BufferRef finds each declared buffer once, View of it
// aliases that buffer's memory with its capacity; an unknown name, another
// element type, the zero Ref and a Ref of another module are refused.
func TestBufferRef(t *testing.T) {
	e := NewEngine()
	defer e.Close()
	in, err := e.LoadFile("../guests/rust.wasm")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	other, err := e.LoadFile("../guests/c.wasm")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := BufferRef[float64](in.mod, "c"); !errors.Is(err, ErrMissingExport) || !strings.Contains(err.Error(), `"result"`) {
		t.Errorf(`BufferRef("c") = %v, want ErrMissingExport listing the declared buffers`, err)
	}
	if _, err := BufferRef[int32](in.mod, "a"); !errors.Is(err, ErrSignature) {
		t.Errorf("BufferRef[int32](a) = %v, want ErrSignature", err)
	}
	foreign, err := BufferRef[float64](other.mod, "a")
	if err != nil {
		t.Fatal(err)
	}
	err = in.InPlace(func(b Buffers) error {
		for i, name := range []string{"a", "b", "result"} {
			r, err := BufferRef[float64](in.mod, name)
			if err != nil {
				return err
			}
			v, err := View(b, r)
			if err != nil {
				return err
			}
			want := in.bufs[in.mod.contract.bufIndex[name]]
			if want.Name != name || &v[0] != raw.At[float64](in.base(), want.Offset) || len(v) != want.Capacity {
				t.Errorf("View(%q) (#%d) is not buffer %q", name, i, want.Name)
			}
		}
		if _, err := View(b, Ref[float64]{}); !errors.Is(err, ErrMissingExport) {
			t.Errorf("View(zero Ref) = %v, want ErrMissingExport", err)
		}
		if _, err := View(b, foreign); !errors.Is(err, ErrMissingExport) {
			t.Errorf("View(Ref of another module) = %v, want ErrMissingExport", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEncodeDecode: Encode gives the bits of each value type as a kernel
// argument (an i32 zero-extended), and Decode reads them back.
func TestEncodeDecode(t *testing.T) {
	if got := Encode(float64(-1.5)); got != math.Float64bits(-1.5) {
		t.Errorf("Encode(f64 -1.5) = %#x", got)
	}
	if got := Encode(float32(-1.5)); got != uint64(math.Float32bits(-1.5)) {
		t.Errorf("Encode(f32 -1.5) = %#x", got)
	}
	if got := Encode(int32(-1)); got != 0xffff_ffff {
		t.Errorf("Encode(i32 -1) = %#x, want zero-extended", got)
	}
	if got := Encode(int64(-1)); got != math.MaxUint64 {
		t.Errorf("Encode(i64 -1) = %#x", got)
	}
	if got := Decode[float64](math.Float64bits(math.Inf(-1))); !math.IsInf(got, -1) {
		t.Errorf("Decode[float64] = %v", got)
	}
	if got := Decode[float32](uint64(math.Float32bits(0.25))); got != 0.25 {
		t.Errorf("Decode[float32] = %v", got)
	}
	if got := Decode[int32](0xdead_beef_ffff_fffe); got != -2 {
		t.Errorf("Decode[int32] = %v, want -2 (the low 32 bits)", got)
	}
	if got := Decode[int64](math.MaxUint64); got != -1 {
		t.Errorf("Decode[int64] = %v", got)
	}
	// WIT's u32 and u64, the kits' unsigned lengths: the same bits as the signed types.
	if got := Encode(uint32(math.MaxUint32)); got != Encode(int32(-1)) {
		t.Errorf("Encode(u32 max) = %#x, want i32 -1's bits", got)
	}
	if got := Encode(uint32(4096)); got != 4096 {
		t.Errorf("Encode(u32 4096) = %#x", got)
	}
	if got := Encode(uint64(math.MaxUint64)); got != Encode(int64(-1)) {
		t.Errorf("Encode(u64 max) = %#x", got)
	}
	if got := Decode[uint32](0xdead_beef_ffff_fffe); got != 0xffff_fffe {
		t.Errorf("Decode[uint32] = %#x, want the low 32 bits", got)
	}
	if got := Decode[uint64](Encode(int64(-2))); got != math.MaxUint64-1 {
		t.Errorf("Decode[uint64] = %#x", got)
	}
}
