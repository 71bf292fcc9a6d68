package rayon_test

import (
	"fmt"
	"log"

	"github.com/wasmvec/wasmvec/examples/rayon"
	"github.com/wasmvec/wasmvec/host"
)

// Run Rayon code on two threads inside the host: an ALMA batch on data
// written in place, then 50 Gray–Scott steps on a 16³ grid, checked
// against the pure-Go reference by the hash of the state.
func Example() {
	engine := host.NewEngine()
	defer engine.Close()
	m, err := engine.Compile("rayon", rayon.Module)
	if err != nil {
		log.Fatal(err)
	}
	k, err := rayon.Lookup(m)
	if err != nil {
		log.Fatal(err)
	}
	in, err := m.Instantiate(host.WithThreads(2)) // the guest's Rayon pool: 2 threads
	if err != nil {
		log.Fatal(err)
	}
	defer in.Close()

	const n = 16
	p := rayon.GS{Du: 0.2097, Dv: 0.105, F: 0.029, K: 0.057, Dt: 1}
	u, v := make([]float64, n*n*n), make([]float64, n*n*n)
	for i := range u {
		u[i] = 1
		if x, y, z := i%n, i/n%n, i/(n*n); x >= 6 && x < 10 && y >= 6 && y < 10 && z >= 6 && z < 10 {
			u[i], v[i] = 0.5, 0.25
		}
	}
	err = in.InPlace(func(b host.Buffers) error {
		series, err := host.View(b, k.Series)
		if err != nil {
			return err
		}
		copy(series, []float64{1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60}) // 2 series of 6
		if err := k.ALMA(b, 2, 6, []rayon.Param{{Period: 3, Offset: 0.85, Sigma: 6}}); err != nil {
			return err
		}
		out, err := host.View(b, k.Out)
		if err != nil {
			return err
		}
		fmt.Printf("ALMA: %.4f\n", out[:12])

		gu, err := host.View(b, k.U)
		if err != nil {
			return err
		}
		gv, err := host.View(b, k.V)
		if err != nil {
			return err
		}
		copy(gu, u)
		copy(gv, v)
		if err := k.GrayScott(b, n, 50, p); err != nil {
			return err
		}
		h, err := k.Hash(b, n)
		if err != nil {
			return err
		}
		if err := rayon.GrayScott(n, 50, p, u, v, nil, nil); err != nil {
			return err
		}
		fmt.Printf("Gray–Scott: hash %#x, the Go reference's the same: %v\n", h, h == rayon.Hash(u, v))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// ALMA: [NaN NaN 2.6857 3.6857 4.6857 5.6857 NaN NaN 26.8567 36.8567 46.8567 56.8567]
	// Gray–Scott: hash 0x8c18a28f6d0a6bad, the Go reference's the same: true
}
