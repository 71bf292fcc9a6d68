package host_test

import (
	"fmt"
	"log"

	"github.com/wasmvec/wasmvec/host"
)

// Load the Rust guest, sum a vector in the guest, and multiply two vectors
// elementwise. The guest module is built by `./build.sh rust`.
func Example() {
	engine := host.NewEngine()
	defer engine.Close()

	guest, err := engine.LoadFile("../wasm/rust/vector.wasm")
	if err != nil {
		log.Fatal(err)
	}
	defer guest.Close()

	x := []float64{1, 2, 3, 4}
	y := []float64{10, 20, 30, 40}

	sum, err := guest.SumSIMD(x)
	if err != nil {
		log.Fatal(err)
	}
	dot, err := guest.Dot(x, y)
	if err != nil {
		log.Fatal(err)
	}
	prod := make([]float64, len(x))
	if err := guest.Mul(prod, x, y); err != nil {
		log.Fatal(err)
	}
	fmt.Println(sum, dot, prod, guest.Capacity())
	// Output: 10 300 [10 40 90 160] 100000
}
