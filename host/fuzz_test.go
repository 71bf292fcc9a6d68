package host_test

import (
	"encoding/binary"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
	"github.com/wasmvec/wasmvec/vector"
)

// Fuzz targets. ./build.sh test runs each for a short while (FUZZTIME,
// by default a count of inputs: 250,000 and 200,000, about 12 s each); a
// long run is, for example:
//
//	go test -run '^$' -fuzz '^FuzzKernels$' -fuzztime 1h ./host
//
// New failing inputs land in testdata/fuzz/<target>/ and are replayed by
// every plain go test from then on.

// fuzzGuests are the guests FuzzKernels picks from: every bit-exact guest,
// the threaded one at 2 threads included.
var fuzzGuests = func() []guest {
	var gs []guest
	for _, g := range testGuests {
		if g.threads == 0 || g.threads == 2 {
			gs = append(gs, g)
		}
	}
	return gs
}()

// FuzzKernels: any input, as raw float64 bits (NaN payloads, ±Inf, -0.0,
// subnormals included), gives the canonical bits in every guest and kernel.
// data[0] picks the guest, data[1] the kernel, data[2] repeats the input
// (1 to 16 times, to reach several blocks); the rest are x and y
// interleaved, 8 bytes each, little-endian.
func FuzzKernels(f *testing.F) {
	seed := func(g, k, rep byte, vals ...float64) []byte {
		b := []byte{g, k, rep}
		for _, v := range vals {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	f.Add(seed(0, 0, 1, 1, 2, 3, 4))
	f.Add(seed(1, 1, 16, math.Inf(1), math.Copysign(0, -1), 5e-324, math.NaN(), -2.5, 1e308))
	f.Add(seed(6, 2, 3, math.MaxFloat64, math.SmallestNonzeroFloat64, math.Copysign(0, -1), 7))
	f.Add(seed(7, 3, 255, 1e-310, -1e-310, 3, math.Inf(-1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		g := fuzzGuests[int(data[0])%len(fuzzGuests)]
		kernel := int(data[1]) % 4
		rep := int(data[2])%16 + 1
		var x, y []float64
		body := data[3:]
		for r := 0; r < rep; r++ {
			for i := 0; i+16 <= len(body); i += 16 {
				x = append(x, math.Float64frombits(binary.LittleEndian.Uint64(body[i:])))
				y = append(y, math.Float64frombits(binary.LittleEndian.Uint64(body[i+8:])))
			}
		}
		in := g.instance(t)
		switch kernel {
		case 0:
			want := kernels.Sum(x)
			if got, err := g.sum(in, x); err != nil || !vectors.Same(got, want) {
				t.Fatalf("%s sum(%d) = %v (%#x), %v; want %v (%#x)", g.impl, len(x), got, math.Float64bits(got), err, want, math.Float64bits(want))
			}
		case 1:
			want, _ := kernels.Dot(x, y)
			if got, err := g.dot(in, x, y); err != nil || !vectors.Same(got, want) {
				t.Fatalf("%s dot(%d) = %v (%#x), %v; want %v (%#x)", g.impl, len(x), got, math.Float64bits(got), err, want, math.Float64bits(want))
			}
		case 2:
			want, got := make([]float64, len(x)), make([]float64, len(x))
			kernels.Mul(want, x, y)
			if err := g.mul(in, got, x, y); err != nil {
				t.Fatal(err)
			}
			if i := vectors.FirstDiff(got, want); i >= 0 {
				t.Fatalf("%s mul[%d] = %v, want %v", g.impl, i, got[i], want[i])
			}
		default:
			s := 1.0
			if len(y) > 0 {
				s = y[0]
			}
			want, got := make([]float64, len(x)), make([]float64, len(x))
			kernels.Scale(want, x, s)
			if err := g.scale(in, got, x, s); err != nil {
				t.Fatal(err)
			}
			if i := vectors.FirstDiff(got, want); i >= 0 {
				t.Fatalf("%s scale[%d] = %v, want %v", g.impl, i, got[i], want[i])
			}
		}
	})
}

// FuzzModule: any bytes as a module never panic the host or hang it: they
// are refused with an error, or load and answer a call (bounded by a
// timeout) with a result or an error. Seeds: the hostile corpus, the
// Rust guest and a user module (kernel_test.go).
func FuzzModule(f *testing.F) {
	files, _ := filepath.Glob("testdata/hostile/*")
	for _, path := range files {
		b := mustRead(f, path)
		if strings.HasSuffix(path, ".wat") {
			if w, err := wasmtime.Wat2Wasm(string(b)); err == nil {
				b = w
			}
		}
		f.Add(b)
	}
	f.Add(mustRead(f, rustGuest))
	if w, err := wasmtime.Wat2Wasm(userWAT); err == nil {
		f.Add(w) // buffers of every element type, kernels of every value type
	}
	e := host.NewEngine(host.WithDeadlines())
	f.Cleanup(func() { e.Close() })
	f.Fuzz(func(t *testing.T, wasm []byte) {
		in, err := e.Load("fuzz", wasm, host.WithTimeout(100*time.Millisecond), host.WithThreads(1))
		if err != nil {
			var ge *host.GuestError
			if !errors.As(err, &ge) {
				t.Fatalf("load error is not a *GuestError: %v", err)
			}
			return
		}
		defer in.Close()
		x := []float64{1, 2, 3}
		if vec, err := vector.Lookup(in.Module()); err == nil {
			vec.Sum(in, x)
			vec.Mul(in, make([]float64, 3), x, x)
		}
		// Every buffer it declares, through a view of its type, and every
		// kernel it has, with arguments of ones.
		in.InPlace(func(b host.Buffers) error {
			for _, buf := range in.Layout() {
				var err error
				switch buf.Type {
				case "f64":
					_, err = testguest.View[float64](in.Module(), b, buf.Name)
				case "f32":
					_, err = testguest.View[float32](in.Module(), b, buf.Name)
				case "i32":
					_, err = testguest.View[int32](in.Module(), b, buf.Name)
				case "i64":
					_, err = testguest.View[int64](in.Module(), b, buf.Name)
				}
				if err != nil {
					t.Fatalf("View of declared buffer %+v: %v", buf, err)
				}
			}
			for _, k := range in.Module().Kernels() {
				args := make([]uint64, len(k.Params()))
				for i := range args {
					args[i] = 1
				}
				b.Call(k, args...)
			}
			return nil
		})
	})
}
