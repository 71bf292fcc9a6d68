// Command callcount makes calls of one kind in a loop, for ./build.sh
// bench-instructions, which runs it under valgrind's callgrind for two
// counts and takes the difference: the instructions of one call.
//
//	callcount ROW N
//
// ROW is one of cgo-empty, call, buffers-call, sum, sum-in-place, mul,
// pool: an empty cgo call; Instance.Call of the Rust guest's "sum" at n =
// 0; Buffers.Call of it inside one InPlace; vector's Sum of one element
// (its copy and guard words); SumInPlace of one element inside one
// InPlace; vector's Mul of one element; Sum of one element through a
// Pool of one (one Do per call). Scalar kernels throughout.
package main

// static int callcount_empty(void) { return 0; }
import "C"

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/wasmvec/wasmvec/guests"
	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/vector"
)

func main() {
	if len(os.Args) != 3 {
		fail(fmt.Errorf("usage: callcount ROW N"))
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fail(err)
	}
	e := host.NewEngine()
	defer e.Close()
	in, err := e.Load("rust", guests.Rust)
	if err != nil {
		fail(err)
	}
	defer in.Close()
	vec, err := vector.Lookup(in.Module())
	if err != nil {
		fail(err)
	}
	sum, err := in.Module().Kernel("sum")
	if err != nil {
		fail(err)
	}
	x, dst := []float64{1.5}, []float64{0}
	var sink float64
	switch os.Args[1] {
	case "cgo-empty":
		for range n {
			sink += float64(C.callcount_empty())
		}
	case "call":
		for range n {
			v, err := in.Call(sum, host.Encode(int32(0)))
			if err != nil {
				fail(err)
			}
			sink += host.Decode[float64](v)
		}
	case "buffers-call":
		err = in.InPlace(func(b host.Buffers) error {
			for range n {
				v, err := b.Call(sum, host.Encode(int32(0)))
				if err != nil {
					return err
				}
				sink += host.Decode[float64](v)
			}
			return nil
		})
	case "sum":
		for range n {
			s, err := vec.Sum(in, x)
			if err != nil {
				fail(err)
			}
			sink += s
		}
	case "sum-in-place":
		err = in.InPlace(func(b host.Buffers) error {
			for range n {
				s, err := vec.SumInPlace(b, 1)
				if err != nil {
					return err
				}
				sink += s
			}
			return nil
		})
	case "mul":
		for range n {
			if err := vec.Mul(in, dst, x, x); err != nil {
				fail(err)
			}
		}
	case "pool":
		p, err := in.Module().NewPool(1)
		if err != nil {
			fail(err)
		}
		defer p.Close()
		ctx := context.Background()
		for range n {
			err := p.Do(ctx, func(in *host.Instance) error {
				s, err := vec.Sum(in, x)
				sink += s
				return err
			})
			if err != nil {
				fail(err)
			}
		}
	default:
		err = fmt.Errorf("unknown row %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
	fmt.Println(sink, dst[0])
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "callcount:", err)
	os.Exit(1)
}
