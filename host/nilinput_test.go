package host_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/wasmvec/wasmvec/host"
)

// TestNilAndZeroInputs calls every exported function and method of package
// host with nil or zero values: a nil or zero Engine, Module, Instance,
// Pool, Kernel, Buffers, Ref, context or callback. None panics; each that
// returns an error returns one wrapping the sentinel given (a nil or zero
// receiver is not open: ErrClosed; a nil kernel, buffer or callback is the
// caller's: ErrMissingExport or ErrOption), and the rest return zero
// values. Package vector's own test does the same for its surface.
func TestNilAndZeroInputs(t *testing.T) {
	e := host.NewEngine(nil) // a nil Option is no option
	defer e.Close()
	m := compiled(t, rustGuest)
	in, err := m.Instantiate(nil)
	if !errors.Is(err, host.ErrOption) {
		t.Errorf("Instantiate(nil): %v, want ErrOption", err)
	}
	if err == nil {
		in.Close()
	}
	in, err = m.Instantiate()
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	k, err := m.Kernel("sum")
	if err != nil {
		t.Fatal(err)
	}
	var (
		nilE *host.Engine
		nilM *host.Module
		nilI *host.Instance
		nilP *host.Pool
		nilK *host.Kernel
		nilC context.Context
	)
	zeroE, zeroM, zeroI, zeroP := &host.Engine{}, &host.Module{}, &host.Instance{}, &host.Pool{}
	wasm := compileWAT(t, `(module (memory (export "memory") 1))`)
	ctx := context.Background()
	errs := []struct {
		name string
		want error
		call func() error
	}{
		{"nil Engine.Compile", host.ErrClosed, func() error { _, err := nilE.Compile("g", wasm); return err }},
		{"zero Engine.Compile", host.ErrClosed, func() error { _, err := zeroE.Compile("g", wasm); return err }},
		{"nil Engine.CompileCached", host.ErrClosed, func() error { _, err := nilE.CompileCached("g", wasm, t.TempDir()); return err }},
		{"zero Engine.CompileCached", host.ErrClosed, func() error { _, err := zeroE.CompileCached("g", wasm, t.TempDir()); return err }},
		{"nil Engine.Load", host.ErrClosed, func() error { _, err := nilE.Load("g", wasm); return err }},
		{"zero Engine.Load", host.ErrClosed, func() error { _, err := zeroE.Load("g", wasm); return err }},
		{"Engine.Compile(nil bytes)", host.ErrModule, func() error { _, err := e.Compile("g", nil); return err }},
		{"Engine.Load(nil option)", host.ErrOption, func() error { _, err := e.Load("g", wasm, nil); return err }},
		{"nil Module.Instantiate", host.ErrClosed, func() error { _, err := nilM.Instantiate(); return err }},
		{"zero Module.Instantiate", host.ErrClosed, func() error { _, err := zeroM.Instantiate(); return err }},
		{"nil Module.Kernel", host.ErrClosed, func() error { _, err := nilM.Kernel("sum"); return err }},
		{"zero Module.Kernel", host.ErrClosed, func() error { _, err := zeroM.Kernel("sum"); return err }},
		{"nil Module.NewPool", host.ErrClosed, func() error { _, err := nilM.NewPool(1); return err }},
		{"zero Module.NewPool", host.ErrClosed, func() error { _, err := zeroM.NewPool(1); return err }},
		{"Module.NewPool(nil option)", host.ErrOption, func() error { _, err := m.NewPool(1, nil); return err }},
		{"BufferRef(nil Module)", host.ErrClosed, func() error { _, err := host.BufferRef[float64](nilM, "a"); return err }},
		{"BufferRef(zero Module)", host.ErrClosed, func() error { _, err := host.BufferRef[float64](zeroM, "a"); return err }},
		{"nil Instance.Call", host.ErrClosed, func() error { _, err := nilI.Call(k, 0); return err }},
		{"zero Instance.Call", host.ErrClosed, func() error { _, err := zeroI.Call(k, 0); return err }},
		{"Instance.Call(nil Kernel)", host.ErrMissingExport, func() error { _, err := in.Call(nilK, 0); return err }},
		{"nil Instance.CallWith", host.ErrClosed, func() error { _, err := nilI.CallWith(k, []uint64{0}, nil, nil); return err }},
		{"zero Instance.CallWith", host.ErrClosed, func() error { _, err := zeroI.CallWith(k, []uint64{0}, nil, nil); return err }},
		{"Instance.CallWith(nil Kernel)", host.ErrMissingExport, func() error { _, err := in.CallWith(nilK, nil, nil, nil); return err }},
		{"nil Instance.CallMany", host.ErrClosed, func() error { _, err := nilI.CallMany(k, 1, []uint64{0}, make([]uint64, 1)); return err }},
		{"zero Instance.CallMany", host.ErrClosed, func() error { _, err := zeroI.CallMany(k, 1, []uint64{0}, make([]uint64, 1)); return err }},
		{"Instance.CallMany(nil Kernel)", host.ErrMissingExport, func() error { _, err := in.CallMany(nilK, 1, []uint64{0}, nil); return err }},
		{"nil Instance.CallArgs", host.ErrClosed, func() error { _, err := nilI.CallArgs(k, host.U32(0)); return err }},
		{"zero Instance.CallArgs", host.ErrClosed, func() error { _, err := zeroI.CallArgs(k, host.F64(0)); return err }},
		{"Instance.CallArgs(nil Kernel)", host.ErrMissingExport, func() error { _, err := in.CallArgs(nilK, host.U32(0)); return err }},
		{"nil Instance.Stop", host.ErrClosed, func() error { return nilI.Stop() }},
		{"zero Instance.Stop", host.ErrClosed, func() error { return zeroI.Stop() }},
		{"ViewFault(nil)", nil, func() error { return host.ViewFault(nil) }},
		{"nil Instance.InPlace", host.ErrClosed, func() error { return nilI.InPlace(func(host.Buffers) error { return nil }) }},
		{"zero Instance.InPlace", host.ErrClosed, func() error { return zeroI.InPlace(func(host.Buffers) error { return nil }) }},
		{"Instance.InPlace(nil)", host.ErrOption, func() error { return in.InPlace(nil) }},
		{"zero Buffers.Call", host.ErrClosed, func() error { _, err := host.Buffers{}.Call(k, 0); return err }},
		{"zero Buffers.Call(nil Kernel)", host.ErrClosed, func() error { _, err := host.Buffers{}.Call(nilK, 0); return err }},
		{"zero Buffers.CallWith(nil Kernel)", host.ErrClosed, func() error { _, err := host.Buffers{}.CallWith(nilK, nil, nil, nil); return err }},
		{"Buffers.Call(nil Kernel)", host.ErrMissingExport, func() error {
			return in.InPlace(func(b host.Buffers) error { _, err := b.Call(nilK, 0); return err })
		}},
		{"Buffers.CallWith(nil Kernel)", host.ErrMissingExport, func() error {
			return in.InPlace(func(b host.Buffers) error { _, err := b.CallWith(nilK, nil, nil, nil); return err })
		}},
		{"View(zero Buffers)", host.ErrClosed, func() error { _, err := host.View(host.Buffers{}, host.Ref[float64]{}); return err }},
		{"View(zero Ref)", host.ErrMissingExport, func() error {
			return in.InPlace(func(b host.Buffers) error { _, err := host.View(b, host.Ref[float64]{}); return err })
		}},
		{"nil Pool.Do", host.ErrClosed, func() error { return nilP.Do(ctx, func(*host.Instance) error { return nil }) }},
		{"zero Pool.Do", host.ErrClosed, func() error { return zeroP.Do(ctx, func(*host.Instance) error { return nil }) }},
		{"Pool.Do(nil context)", host.ErrOption, func() error {
			p, err := m.NewPool(1)
			if err != nil {
				return err
			}
			defer p.Close()
			return p.Do(nilC, func(*host.Instance) error { return nil })
		}},
		{"Pool.Do(nil func)", host.ErrOption, func() error {
			p, err := m.NewPool(1)
			if err != nil {
				return err
			}
			defer p.Close()
			return p.Do(ctx, nil)
		}},
	}
	for _, c := range errs {
		err := noPanic(t, c.name, c.call)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// What returns no error returns zero values, or nil for Close.
	zero := []struct {
		name string
		call func() error
	}{
		{"nil Engine.Close", nilE.Close},
		{"zero Engine.Close", zeroE.Close},
		{"nil Module.Close", nilM.Close},
		{"zero Module.Close", zeroM.Close},
		{"nil Instance.Close", nilI.Close},
		{"zero Instance.Close", zeroI.Close},
		{"nil Pool.Close", nilP.Close},
		{"zero Pool.Close", zeroP.Close},
		{"nil Module getters", func() error {
			return zeroValues(nilM.Name(), !nilM.Threaded(), len(nilM.Kernels()))
		}},
		{"zero Module getters", func() error {
			return zeroValues(zeroM.Name(), !zeroM.Threaded(), len(zeroM.Kernels()))
		}},
		{"nil Instance getters", func() error {
			return zeroValues(nilI.Module() == nil, len(nilI.Layout()))
		}},
		{"zero Instance getters", func() error {
			return zeroValues(zeroI.Module() == nil, len(zeroI.Layout()))
		}},
		{"nil Instance.Bind", func() error { nilI.Bind(ctx)(); return nil }},
		{"zero Instance.Bind", func() error { zeroI.Bind(ctx)(); return nil }},
		{"Instance.Bind(nil)", func() error { in.Bind(nilC)(); return nil }},
		{"nil Pool.Size", func() error { return zeroValues(nilP.Size()) }},
		{"zero Pool.Size", func() error { return zeroValues(zeroP.Size()) }},
		{"nil Kernel", func() error {
			return zeroValues(nilK.Name(), len(nilK.Params()), len(nilK.Results()), nilK.String() == "<nil>")
		}},
		{"nil GuestError", func() error {
			var g *host.GuestError
			return zeroValues(g.Error() == "<nil>", g.Unwrap())
		}},
		{"nil Trap", func() error {
			var tr *host.Trap
			return zeroValues(tr.Error() == "<nil>")
		}},
	}
	for _, c := range zero {
		if err := noPanic(t, c.name, c.call); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// noPanic runs f and returns its error, failing the test (and returning
// nil) if it panics.
func noPanic(t *testing.T, name string, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked: %v", name, r)
			err = nil
		}
	}()
	return f()
}

// zeroValues is nil when every string, int and error is its type's zero
// and every bool is true (a comparison that must hold).
func zeroValues(vs ...any) error {
	for i, v := range vs {
		switch v := v.(type) {
		case nil:
		case string:
			if v != "" {
				return fmt.Errorf("value %d: %q, want \"\"", i, v)
			}
		case int:
			if v != 0 {
				return fmt.Errorf("value %d: %d, want 0", i, v)
			}
		case bool:
			if !v {
				return fmt.Errorf("value %d: false", i)
			}
		case error:
			return fmt.Errorf("value %d: %v, want nil", i, v)
		}
	}
	return nil
}
