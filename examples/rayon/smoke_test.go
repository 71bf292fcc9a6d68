package rayon_test

import (
	"testing"

	"github.com/wasmvec/wasmvec/examples/rayon"
	"github.com/wasmvec/wasmvec/host"
)

func TestSmoke(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	m, err := e.Compile("rayon", rayon.Module)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	k, err := rayon.Lookup(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range []int{1, 2, 3, 4} {
		in, err := m.Instantiate(host.WithThreads(th))
		if err != nil {
			t.Fatal(err)
		}
		err = in.InPlace(func(b *host.Buffers) error {
			s, _ := host.View[float64](b, "series")
			for i := range 1000 {
				s[i] = float64(i % 17)
			}
			if err := k.ALMA(b, 2, 500, []rayon.Param{{9, 0.85, 6}, {20, 0.5, 3}}); err != nil {
				return err
			}
			out, _ := host.View[float64](b, "out")
			want := make([]float64, 2000)
			rayon.ALMA(want, s[:1000], 2, []rayon.Param{{9, 0.85, 6}, {20, 0.5, 3}})
			for i := range want {
				if want[i] != out[i] && !(want[i] != want[i] && out[i] != out[i]) {
					t.Fatalf("threads %d: out[%d] = %v, want %v", th, i, out[i], want[i])
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("threads %d ok", th)
		in.Close()
	}
}
