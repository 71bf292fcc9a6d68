package vector_test

import (
	"context"
	"fmt"
	"log"

	"github.com/wasmvec/wasmvec/guests"
	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/vector"
)

// Load the Rust guest, sum a vector in the guest, take a dot product and
// multiply two vectors elementwise. The module is embedded by package
// guests (built by `./build.sh rust`).
func Example() {
	engine := host.NewEngine()
	defer engine.Close()
	guest, err := engine.Load("rust", guests.Rust)
	if err != nil {
		log.Fatal(err)
	}
	defer guest.Close()
	vec, err := vector.Lookup(guest.Module(), vector.WithSIMD())
	if err != nil {
		log.Fatal(err)
	}

	x := []float64{1, 2, 3, 4}
	y := []float64{10, 20, 30, 40}
	sum, err := vec.Sum(guest, x)
	if err != nil {
		log.Fatal(err)
	}
	dot, err := vec.Dot(guest, x, y)
	if err != nil {
		log.Fatal(err)
	}
	prod := make([]float64, len(x))
	if err := vec.Mul(guest, prod, x, y); err != nil {
		log.Fatal(err)
	}
	fmt.Println(sum, dot, prod)
	// Output: 10 300 [10 40 90 160]
}

// Fill the guest's buffers in place and call kernels by length: no copy
// between Go memory and linear memory.
func ExampleKernels_SumInPlace() {
	engine := host.NewEngine()
	defer engine.Close()
	guest, err := engine.Load("c", guests.C)
	if err != nil {
		log.Fatal(err)
	}
	defer guest.Close()
	vec, err := vector.Lookup(guest.Module(), vector.WithSIMD())
	if err != nil {
		log.Fatal(err)
	}

	bufA, _, bufResult := vec.Buffers()
	err = guest.InPlace(func(b host.Buffers) error {
		a, err := host.View(b, bufA)
		if err != nil {
			return err
		}
		for i := range 8 {
			a[i] = float64(i + 1)
		}
		sum, err := vec.SumInPlace(b, 8)
		if err != nil {
			return err
		}
		if err := vec.ScaleInPlace(b, 0.5, 8); err != nil {
			return err
		}
		result, err := host.View(b, bufResult)
		fmt.Println(sum, result[:8])
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output: 36 [0.5 1 1.5 2 2.5 3 3.5 4]
}

// Sum one long vector on every instance of a pool: each computes the
// block partials of its chunks, and the client folds them in block order,
// so the bits are those of one Sum.
func ExampleKernels_SumParallel() {
	engine := host.NewEngine()
	defer engine.Close()
	module, err := engine.Compile("rust", guests.Rust)
	if err != nil {
		log.Fatal(err)
	}
	defer module.Close()
	vec, err := vector.Lookup(module)
	if err != nil {
		log.Fatal(err)
	}
	pool, err := module.NewPool(2)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	x := make([]float64, 1_000_000)
	for i := range x {
		x[i] = 0.25
	}
	sum, err := vec.SumParallel(context.Background(), pool, x)
	fmt.Println(sum, err)
	// Output: 250000 <nil>
}
