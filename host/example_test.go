package host_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"sync"

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

// Fill the guest's buffers in place and call kernels by length: no copy
// between Go memory and linear memory.
func ExampleInstance_InPlace() {
	engine := host.NewEngine()
	defer engine.Close()
	guest, err := engine.LoadFile("../wasm/c/vector.wasm")
	if err != nil {
		log.Fatal(err)
	}
	defer guest.Close()

	err = guest.InPlace(func(b *host.Buffers) error {
		a := b.A()
		for i := range 8 {
			a[i] = float64(i + 1)
		}
		sum, err := b.SumSIMD(8)
		if err != nil {
			return err
		}
		if err := b.Scale(0.5, 8); err != nil {
			return err
		}
		fmt.Println(sum, b.Result()[:8])
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output: 36 [0.5 1 1.5 2 2.5 3 3.5 4]
}

// Share one compiled module between goroutines through a pool of
// instances.
func ExamplePool() {
	engine := host.NewEngine()
	defer engine.Close()
	wasm, err := os.ReadFile("../wasm/rust/vector.wasm")
	if err != nil {
		log.Fatal(err)
	}
	module, err := engine.Compile("rust", wasm)
	if err != nil {
		log.Fatal(err)
	}
	defer module.Close()
	pool, err := module.NewPool(2)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	var wg sync.WaitGroup
	sums := make([]float64, 4)
	for g := range sums {
		wg.Go(func() {
			x := []float64{float64(g), 1, 2}
			err := pool.Do(context.Background(), func(in *host.Instance) (err error) {
				sums[g], err = in.Sum(x)
				return err
			})
			if err != nil {
				log.Print(err)
			}
		})
	}
	wg.Wait()
	fmt.Println(sums)
	// Output: [3 4 5 6]
}
