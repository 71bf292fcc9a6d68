package mykernels_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/wasmvec/wasmvec/examples/mykernels"
	"github.com/wasmvec/wasmvec/host"
)

// Load a guest of your own, look up its kernels once, fill its f32 and f64
// buffers in place and call the kernels: y = 2x + y, then a histogram of
// samples into an i32 buffer.
func Example() {
	engine := host.NewEngine()
	defer engine.Close()
	guest, err := engine.Load("mykernels", mykernels.Rust) // or mykernels.C: same bits
	if err != nil {
		log.Fatal(err)
	}
	defer guest.Close()
	axpy, err := guest.Module().Kernel("axpy") // func(f32, i32)
	if err != nil {
		log.Fatal(err)
	}
	histogram, err := guest.Module().Kernel("histogram") // func(i32, f64, f64, i32) -> i32
	if err != nil {
		log.Fatal(err)
	}
	// The buffers, likewise looked up once, each with its element type.
	bufX, errX := host.BufferRef[float32](guest.Module(), "x")
	bufY, errY := host.BufferRef[float32](guest.Module(), "y")
	bufSamples, errS := host.BufferRef[float64](guest.Module(), "samples")
	bufCounts, errC := host.BufferRef[int32](guest.Module(), "counts")
	if err := errors.Join(errX, errY, errS, errC); err != nil {
		log.Fatal(err)
	}

	err = guest.InPlace(func(b host.Buffers) error {
		x, err := host.View(b, bufX)
		if err != nil {
			return err
		}
		y, err := host.View(b, bufY)
		if err != nil {
			return err
		}
		copy(x, []float32{1, 2, 3, 4})
		copy(y, []float32{10, 20, 30, 40})
		if _, err := b.Call(axpy, host.Encode(float32(2)), host.Encode(int32(4))); err != nil {
			return err
		}
		fmt.Println("y =", y[:4])

		samples, err := host.View(b, bufSamples)
		if err != nil {
			return err
		}
		counts, err := host.View(b, bufCounts)
		if err != nil {
			return err
		}
		n := copy(samples, []float64{0.1, 0.2, 0.25, 0.7, 0.99, 1.5, -3})
		out, err := b.Call(histogram, host.Encode(int32(n)), host.Encode(float64(0)), host.Encode(float64(1)), host.Encode(int32(4)))
		if err != nil {
			return err
		}
		fmt.Println("counts =", counts[:4], "outside =", host.Decode[int32](out))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(axpy, histogram)
	// Output:
	// y = [12 24 36 48]
	// counts = [2 1 1 1] outside = 2
	// axpy: func(f32, i32) histogram: func(i32, f64, f64, i32) -> i32
}
