//go:build wasmvec_rust_native

package rayon_test

import (
	"testing"

	"github.com/wasmvec/wasmvec/examples/rayon"
	"github.com/wasmvec/wasmvec/examples/rayon/native"
)

func TestSmokeNative(t *testing.T) {
	p, err := native.NewPool(2)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	s := make([]float64, 1000)
	for i := range s {
		s[i] = float64(i % 17)
	}
	ps := []rayon.Param{{9, 0.85, 6}, {20, 0.5, 3}}
	out, want := make([]float64, 2000), make([]float64, 2000)
	if err := p.ALMA(out, s, 2, ps); err != nil {
		t.Fatal(err)
	}
	rayon.ALMA(want, s, 2, ps)
	for i := range want {
		if want[i] != out[i] && !(want[i] != want[i] && out[i] != out[i]) {
			t.Fatalf("out[%d] = %v, want %v", i, out[i], want[i])
		}
	}
}
