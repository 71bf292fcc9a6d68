package host_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math"
	"sync"
	"time"

	"github.com/wasmvec/wasmvec/guests"
	"github.com/wasmvec/wasmvec/host"
)

// Load a guest, write its input straight into a buffer of its linear
// memory and call one of its kernels. The Rust guest (embedded by package
// guests, built by `./build.sh rust`) declares a buffer "a" of f64 and a
// kernel "sum" of type func(i32) -> f64 that sums its first n elements;
// package vector wraps these in typed methods.
func Example() {
	engine := host.NewEngine()
	defer engine.Close()

	guest, err := engine.Load("rust", guests.Rust)
	if err != nil {
		log.Fatal(err)
	}
	defer guest.Close()
	sum, err := guest.Module().Kernel("sum") // look it up once
	if err != nil {
		log.Fatal(err)
	}
	bufA, err := host.BufferRef[float64](guest.Module(), "a") // likewise
	if err != nil {
		log.Fatal(err)
	}

	err = guest.InPlace(func(b host.Buffers) error {
		a, err := host.View(b, bufA)
		if err != nil {
			return err
		}
		copy(a, []float64{1, 2, 3, 4})
		r, err := b.Call(sum, uint64(4)) // i32 argument: its bits
		fmt.Println(math.Float64frombits(r), len(a))
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output: 10 100000
}

// Call a kernel by itself, outside InPlace: each argument and the result
// travel as the bits of their WebAssembly values.
func ExampleInstance_Call() {
	engine := host.NewEngine()
	defer engine.Close()
	guest, err := engine.Load("c", guests.C)
	if err != nil {
		log.Fatal(err)
	}
	defer guest.Close()

	sum, err := guest.Module().Kernel("sum")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sum)                     // its core signature, read at Compile
	r, err := guest.Call(sum, uint64(0)) // the sum of no elements
	fmt.Println(math.Float64frombits(r), err)
	// Output:
	// sum: func(i32) -> f64
	// 0 <nil>
}

// Copy an input in, call a kernel and read its result under one hold of
// the instance's lock, as package vector's copying calls do.
func ExampleInstance_CallWith() {
	engine := host.NewEngine()
	defer engine.Close()
	guest, err := engine.Load("rust", guests.Rust)
	if err != nil {
		log.Fatal(err)
	}
	defer guest.Close()
	mul, err := guest.Module().Kernel("mul") // result[i] = a[i] * b[i]
	if err != nil {
		log.Fatal(err)
	}
	var refs [3]host.Ref[float64]
	for i, name := range []string{"a", "b", "result"} {
		if refs[i], err = host.BufferRef[float64](guest.Module(), name); err != nil {
			log.Fatal(err)
		}
	}

	x, y, out := []float64{1, 2, 3}, []float64{4, 5, 6}, make([]float64, 3)
	_, err = guest.CallWith(mul, []uint64{host.Encode(int32(len(x)))},
		func(b host.Buffers) error { // before the call: inputs in
			a, err := host.View(b, refs[0])
			if err != nil {
				return err
			}
			bb, err := host.View(b, refs[1])
			if err != nil {
				return err
			}
			copy(a, x)
			copy(bb, y)
			return nil
		},
		func(b host.Buffers) error { // after it: the result out
			r, err := host.View(b, refs[2])
			copy(out, r)
			return err
		})
	fmt.Println(out, err)
	// Output: [4 10 18] <nil>
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
	sum, err := module.Kernel("sum")
	if err != nil {
		log.Fatal(err)
	}
	bufA, err := host.BufferRef[float64](module, "a")
	if err != nil {
		log.Fatal(err)
	}
	pool, err := module.NewPool(2)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	var wg sync.WaitGroup
	sums := make([]float64, 4)
	for g := range sums {
		wg.Go(func() {
			err := pool.Do(context.Background(), func(in *host.Instance) error {
				return in.InPlace(func(b host.Buffers) error {
					a, err := host.View(b, bufA)
					if err != nil {
						return err
					}
					copy(a, []float64{float64(g), 1, 2})
					r, err := b.Call(sum, 3)
					sums[g] = math.Float64frombits(r)
					return err
				})
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

// Run a kernel on two threads with the threaded Rust guest (built by
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
	sum, err := guest.Module().Kernel("sum-simd")
	if err != nil {
		log.Fatal(err)
	}
	bufA, err := host.BufferRef[float64](guest.Module(), "a")
	if err != nil {
		log.Fatal(err)
	}

	const n = 1_000_000
	err = guest.InPlace(func(b host.Buffers) error {
		a, err := host.View(b, bufA)
		if err != nil {
			return err
		}
		for i := range n {
			a[i] = 0.5
		}
		r, err := b.Call(sum, n)
		fmt.Println(math.Float64frombits(r))
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output: 500000
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
	sum, err := guest.Module().Kernel("sum")
	if err != nil {
		log.Fatal(err)
	}

	r, err := guest.Call(sum, 0)
	if errors.Is(err, host.ErrDeadline) {
		log.Fatal("the guest ran too long: ", err)
	}
	fmt.Println(math.Float64frombits(r), err)
	// Output: 0 <nil>
}
