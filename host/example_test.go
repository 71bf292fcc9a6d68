package host_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/wasmvec/wasmvec/guests"
	"github.com/wasmvec/wasmvec/host"
)

// Load the Rust guest, sum a vector in the guest, and multiply two vectors
// elementwise. The module is embedded by package guests
// (built by `./build.sh rust`).
func Example() {
	engine := host.NewEngine()
	defer engine.Close()

	guest, err := engine.Load("rust", guests.Rust)
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
	guest, err := engine.Load("c", guests.C)
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
	module, err := engine.Compile("rust", guests.Rust)
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

// Run one long sum on two threads with the threaded Rust guest (built by
// `./build.sh rust-threads`): the result has the same bits as on one
// thread, or in any other wasmvec guest.
func ExampleWithThreads() {
	engine := host.NewEngine()
	defer engine.Close()

	guest, err := engine.Load("rust-threads", guests.RustThreads, host.WithThreads(2))
	if err != nil {
		log.Fatal(err)
	}
	defer guest.Close() // stops the worker thread and waits for it

	x := make([]float64, 1_000_000)
	for i := range x {
		x[i] = 0.5
	}
	sum, err := guest.SumSIMD(x)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sum, guest.Threads())
	// Output: 500000 2
}

// Bound every call of a guest you do not trust: on an engine made
// WithDeadlines, a call that runs past its timeout returns ErrDeadline
// (here the Rust guest, which finishes well within it).
func ExampleWithDeadlines() {
	engine := host.NewEngine(host.WithDeadlines())
	defer engine.Close()

	guest, err := engine.Load("rust", guests.Rust, host.WithTimeout(100*time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	defer guest.Close()

	sum, err := guest.Sum([]float64{1, 2, 3})
	if errors.Is(err, host.ErrDeadline) {
		log.Fatal("the guest ran too long: ", err)
	}
	fmt.Println(sum, err)
	// Output: 6 <nil>
}
