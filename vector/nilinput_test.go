package vector_test

import (
	"context"
	"errors"
	"testing"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
	"github.com/wasmvec/wasmvec/vector"
)

// TestNilAndZeroInputs calls every exported function and method of package
// vector with nil or zero values (a nil or zero Module, Kernels, Instance,
// Pool, Buffers, context or Option): none panics, each returns an error
// wrapping the sentinel given. Package host's test of the same name covers
// its own surface.
func TestNilAndZeroInputs(t *testing.T) {
	in, vec := instance(t, testguest.Table[0])
	var (
		nilK   *vector.Kernels
		zeroK  = &vector.Kernels{}
		nilI   *host.Instance
		nilP   *host.Pool
		nilC   context.Context
		x      = []float64{1, 2}
		dst    = make([]float64, 2)
		zeroB  host.Buffers
		ctx    = context.Background()
		closed = host.ErrClosed
		absent = host.ErrMissingExport
	)
	if _, err := vector.Lookup(in.Module(), nil); err != nil {
		t.Errorf("Lookup(m, nil): %v; a nil Option is no option", err)
	}
	cases := []struct {
		name string
		want error
		call func() error
	}{
		{"Lookup(nil)", closed, func() error { _, err := vector.Lookup(nil); return err }},
		{"Lookup(zero Module)", closed, func() error { _, err := vector.Lookup(&host.Module{}); return err }},
		{"Buffers of nil Kernels", absent, func() error {
			a, _, _ := nilK.Buffers()
			return in.InPlace(func(b host.Buffers) error { _, err := host.View(b, a); return err })
		}},
		{"Sum(nil Instance)", closed, func() error { _, err := vec.Sum(nilI, x); return err }},
		{"Mul(nil Instance)", closed, func() error { return vec.Mul(nilI, dst, x, x) }},
		{"SumBatch(nil Instance)", closed, func() error { return vec.SumBatch(nilI, dst[:1], x, 2) }},
		{"SumInPlace(zero Buffers)", closed, func() error { _, err := vec.SumInPlace(zeroB, 1); return err }},
		{"MulInPlace(zero Buffers)", closed, func() error { return vec.MulInPlace(zeroB, 1) }},
		{"SumParallel(nil Pool)", closed, func() error { _, err := vec.SumParallel(ctx, nilP, x); return err }},
		{"SumParallel(nil context)", host.ErrOption, func() error { _, err := vec.SumParallel(nilC, nilP, x); return err }},
	}
	for _, k := range []*vector.Kernels{nilK, zeroK} {
		name := "nil Kernels."
		if k != nil {
			name = "zero Kernels."
		}
		cases = append(cases, []struct {
			name string
			want error
			call func() error
		}{
			{name + "Sum", absent, func() error { _, err := k.Sum(in, x); return err }},
			{name + "Dot", absent, func() error { _, err := k.Dot(in, x, x); return err }},
			{name + "Mul", absent, func() error { return k.Mul(in, dst, x, x) }},
			{name + "Scale", absent, func() error { return k.Scale(in, dst, x, 2) }},
			{name + "SumBatch", absent, func() error { return k.SumBatch(in, dst[:1], x, 2) }},
			{name + "DotBatch", absent, func() error { return k.DotBatch(in, dst[:1], x, x, 2) }},
			{name + "SumParallel", absent, func() error { _, err := k.SumParallel(ctx, nilP, x); return err }},
			{name + "DotParallel", absent, func() error { _, err := k.DotParallel(ctx, nilP, x, x); return err }},
			{name + "SumInPlace", absent, func() error {
				return in.InPlace(func(b host.Buffers) error { _, err := k.SumInPlace(b, 1); return err })
			}},
			{name + "DotInPlace", absent, func() error {
				return in.InPlace(func(b host.Buffers) error { _, err := k.DotInPlace(b, 1); return err })
			}},
			{name + "MulInPlace", absent, func() error {
				return in.InPlace(func(b host.Buffers) error { return k.MulInPlace(b, 1) })
			}},
			{name + "ScaleInPlace", absent, func() error {
				return in.InPlace(func(b host.Buffers) error { return k.ScaleInPlace(b, 2, 1) })
			}},
		}...)
	}
	for _, c := range cases {
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s panicked: %v", c.name, r)
				}
			}()
			return c.call()
		}()
		var g *host.GuestError
		if !errors.Is(err, c.want) || !errors.As(err, &g) {
			t.Errorf("%s: %v, want a *host.GuestError wrapping %v", c.name, err, c.want)
		}
	}
}
