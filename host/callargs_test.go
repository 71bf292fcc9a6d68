package host_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/wasmvec/wasmvec/host"
)

// TestCallArgs: typed arguments give Call's result when their types are the
// kernel's, and ErrSignature, naming the argument, when one is not (before
// any guest code runs); Call's errors otherwise.
func TestCallArgs(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, err := e.LoadFile(rustGuest)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := in.Module().Kernel("sum")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sumOf(in, []float64{1.5, 2.25, 4}); err != nil {
		t.Fatal(err)
	}
	want, err := in.Call(sum, host.Encode(uint32(3)))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []host.Arg{host.U32(3), host.I32(3)} {
		if got, err := in.CallArgs(sum, a); err != nil || got != want || host.Decode[float64](got) != 7.75 {
			t.Errorf("CallArgs(sum, %v) = %v, %v; want %v (7.75)", a, host.Decode[float64](got), err, host.Decode[float64](want))
		}
	}
	for _, c := range []struct {
		args []host.Arg
		want error
		text string
	}{
		{[]host.Arg{host.F64(3)}, host.ErrSignature, "argument 0 is an f64, not an i32"},
		{[]host.Arg{host.I64(3)}, host.ErrSignature, "argument 0 is an i64"},
		{[]host.Arg{host.F32(3)}, host.ErrSignature, "argument 0 is an f32"},
		{[]host.Arg{host.U64(3)}, host.ErrSignature, "argument 0 is an i64"},
		{[]host.Arg{{}}, host.ErrSignature, "the zero Arg"},
		{nil, host.ErrSignature, "0 arguments"},
		{[]host.Arg{host.U32(1), host.U32(2)}, host.ErrSignature, "2 arguments"},
		{make([]host.Arg, 17), host.ErrSignature, "17 arguments"},
	} {
		_, err := in.CallArgs(sum, c.args...)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.text) {
			t.Errorf("CallArgs(sum, %v) = %v; want %v saying %q", c.args, err, c.want, c.text)
		}
	}
	if _, err := in.CallArgs(nil, host.U32(1)); !errors.Is(err, host.ErrMissingExport) {
		t.Errorf("CallArgs(nil kernel) = %v, want ErrMissingExport", err)
	}
	var zero host.Instance
	if _, err := zero.CallArgs(sum, host.U32(1)); !errors.Is(err, host.ErrClosed) {
		t.Errorf("CallArgs on a zero Instance = %v, want ErrClosed", err)
	}
	in.Close()
	if _, err := in.CallArgs(sum, host.U32(1)); !errors.Is(err, host.ErrClosed) {
		t.Errorf("CallArgs after Close = %v, want ErrClosed", err)
	}
}
