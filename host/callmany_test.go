package host_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/host"
)

// manyWAT is a guest of small kernels for CallMany: madd(a, b, c) = a·b+c
// (f64), neg(x) = -x (i32: results are zero-extended as Call's), div(a, b)
// (i32; traps on b = 0), put(at, v) stores v at byte at (no result), and
// get(at).
const manyWAT = `(module
  (memory (export "memory") 1)
  (func (export "madd") (param f64 f64 f64) (result f64)
    (f64.add (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
  (func (export "neg") (param i32) (result i32) (i32.sub (i32.const 0) (local.get 0)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "put") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "get") (param i32) (result i32) (i32.load (local.get 0))))`

// TestCallMany: CallMany gives what a loop of Call gives, result for result
// and error for error, on both of its paths (one crossing; one Call each
// when a deadline is armed), and refuses shapes that do not fit k.
func TestCallMany(t *testing.T) {
	wasm := compileWAT(t, manyWAT)
	for _, deadlines := range []bool{false, true} {
		var opts []host.Option
		var eopts []host.Option
		if deadlines {
			eopts = append(eopts, host.WithDeadlines())
			opts = append(opts, host.WithTimeout(time.Second))
		}
		e := host.NewEngine(eopts...)
		in, err := e.Load("many", wasm, opts...)
		if err != nil {
			t.Fatal(err)
		}
		kern := func(name string) *host.Kernel {
			k, err := in.Module().Kernel(name)
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
		madd, neg, div, put, get := kern("madd"), kern("neg"), kern("div"), kern("put"), kern("get")

		// Results, bit for bit, against a loop of Call.
		const n = 100
		args := make([]uint64, 0, 3*n)
		for i := range n {
			args = append(args, host.Encode(float64(i)*0.1), host.Encode(-1.5), host.Encode(math.Pi))
		}
		got := make([]uint64, n)
		if done, err := in.CallMany(madd, n, args, got); done != n || err != nil {
			t.Fatalf("deadlines %v: madd: %d done, %v", deadlines, done, err)
		}
		for i := range n {
			want, err := in.Call(madd, args[3*i:3*i+3]...)
			if err != nil || got[i] != want {
				t.Fatalf("deadlines %v: madd call %d: %#x, Call gives %#x (%v)", deadlines, i, got[i], want, err)
			}
		}
		negs := []uint64{host.Encode(int32(5)), host.Encode(int32(-7)), host.Encode(int32(0))}
		got = make([]uint64, 3)
		if _, err := in.CallMany(neg, 3, negs, got); err != nil || host.Decode[int32](got[0]) != -5 || got[0] != 0xffff_fffb || host.Decode[int32](got[1]) != 7 || got[2] != 0 {
			t.Fatalf("deadlines %v: neg: %#x, %v", deadlines, got, err)
		}
		// No result: results may be nil; the side effects happen in order.
		puts := []uint64{host.Encode(int32(8)), host.Encode(int32(1)), host.Encode(int32(8)), host.Encode(int32(2))}
		if done, err := in.CallMany(put, 2, puts, nil); done != 2 || err != nil {
			t.Fatalf("deadlines %v: put: %d, %v", deadlines, done, err)
		}
		if v, _ := in.Call(get, host.Encode(int32(8))); host.Decode[int32](v) != 2 {
			t.Fatalf("deadlines %v: after two puts, %d", deadlines, host.Decode[int32](v))
		}
		// A trap in call 3 of 5 stops the rest, says which, and keeps the results before it.
		divs := []uint64{}
		for _, d := range []int32{1, 2, 4, 0, 8} {
			divs = append(divs, host.Encode(int32(64)), host.Encode(d))
		}
		got = make([]uint64, 5)
		done, err := in.CallMany(div, 5, divs, got)
		var trap *host.Trap
		if done != 3 || !errors.Is(err, host.ErrTrap) || !errors.As(err, &trap) || !strings.Contains(err.Error(), "call 3 of 5") {
			t.Fatalf("deadlines %v: div by 0 in call 3: %d done, %v", deadlines, done, err)
		}
		if got[0] != 64 || got[1] != 32 || got[2] != 16 || got[3] != 0 || got[4] != 0 {
			t.Fatalf("deadlines %v: results around the trap: %v", deadlines, got)
		}
		// The instance goes on.
		if v, err := in.Call(div, host.Encode(int32(9)), host.Encode(int32(3))); err != nil || v != 3 {
			t.Fatalf("deadlines %v: a call after the trap: %d, %v", deadlines, v, err)
		}
		// Shapes that do not fit.
		for _, c := range []struct {
			count         int
			args, results []uint64
		}{
			{-1, nil, nil},
			{2, divs[:3], got},          // 3 arguments for 2 calls of 2
			{5, divs, got[:4]},          // room for 4 results
			{5, divs, nil},              // div returns a value
			{1, []uint64{1, 2, 3}, nil}, // put takes 2
		} {
			k := div
			if len(c.args) == 3 && c.count == 1 {
				k = put
			}
			if done, err := in.CallMany(k, c.count, c.args, c.results); done != 0 || !errors.Is(err, host.ErrSignature) {
				t.Errorf("deadlines %v: CallMany(%s, %d, %d args, %d results) = %d, %v; want ErrSignature", deadlines, k.Name(), c.count, len(c.args), len(c.results), done, err)
			}
		}
		if done, err := in.CallMany(madd, 0, nil, nil); done != 0 || err != nil {
			t.Errorf("deadlines %v: no calls: %d, %v", deadlines, done, err)
		}
		in.Close()
		if _, err := in.CallMany(madd, 1, args[:3], got); !errors.Is(err, host.ErrClosed) {
			t.Errorf("deadlines %v: after Close: %v", deadlines, err)
		}
		e.Close()
	}
}
