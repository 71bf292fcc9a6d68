package host

import (
	"fmt"
	"sync"

	"github.com/bytecodealliance/wasmtime-go/v39"
)

// Module is a compiled guest whose imports and exports were checked against
// the WIT world (wit/vector.wit). A Module is safe for concurrent use;
// instantiate it as often as needed. Close it after its instances.
type Module struct {
	name   string
	engine *Engine
	m      *wasmtime.Module

	mu     sync.Mutex
	closed bool
}

// Compile compiles wasm (a core WebAssembly module in binary form) for this
// engine and checks it against the WIT world. name identifies the guest in
// errors.
//
// # Errors
//
// Every error is a *GuestError wrapping:
//   - ErrClosed if the engine was closed;
//   - ErrModule if wasm is not a valid module (malformed bytes, a feature the
//     engine does not enable);
//   - ErrImport if it imports anything but functions of
//     wasi_snapshot_preview1;
//   - ErrMissingExport if an export of the WIT world, or the memory
//     "memory", is absent;
//   - ErrSignature if an export has the wrong kind or function type.
func (e *Engine) Compile(name string, wasm []byte) (*Module, error) {
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return nil, &GuestError{Guest: name, Err: ErrClosed}
	}
	m, err := wasmtime.NewModule(e.e, wasm)
	if err != nil {
		return nil, &GuestError{Guest: name, Err: fmt.Errorf("%w: %w", ErrModule, err)}
	}
	if err := checkModule(name, m); err != nil {
		m.Close()
		return nil, err
	}
	return &Module{name: name, engine: e, m: m}, nil
}

func checkModule(name string, m *wasmtime.Module) error {
	for _, imp := range m.Imports() {
		field := ""
		if n := imp.Name(); n != nil {
			field = *n
		}
		if imp.Module() != wasiModule || imp.Type().FuncType() == nil {
			return guestErr(name, "", ErrImport, "%s.%s: only functions of %s are offered", imp.Module(), field, wasiModule)
		}
	}
	found := make(map[string]*wasmtime.ExternType)
	for _, exp := range m.Exports() {
		found[exp.Name()] = exp.Type()
	}
	mem, ok := found[memoryExport]
	if !ok {
		return guestErr(name, memoryExport, ErrMissingExport, "no linear memory exported")
	}
	if mem.MemoryType() == nil {
		return guestErr(name, memoryExport, ErrSignature, "export is not a memory")
	}
	for _, sig := range exports {
		ty, ok := found[sig.name]
		if !ok {
			return guestErr(name, sig.name, ErrMissingExport, "want %v", sig)
		}
		ft := ty.FuncType()
		if ft == nil {
			return guestErr(name, sig.name, ErrSignature, "export is not a function, want %v", sig)
		}
		if !sig.matches(ft) {
			return guestErr(name, sig.name, ErrSignature, "got %s, want %v",
				funcString(kinds(ft.Params()), kinds(ft.Results())), sig)
		}
	}
	return nil
}

// Name returns the guest's name as given to Compile.
func (m *Module) Name() string { return m.name }

// Close releases the compiled module. Instances made from it stay valid
// until closed themselves; later calls to Instantiate return ErrClosed.
// Close is idempotent and always returns nil.
func (m *Module) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.closed = true
		m.m.Close()
	}
	return nil
}
