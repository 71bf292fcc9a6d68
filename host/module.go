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
	// shared is the type of the shared memory a threaded guest (world
	// vector-threads) imports as env.memory; nil for other guests.
	shared *wasmtime.MemoryType

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
//     wasi_snapshot_preview1, and, for a threaded guest (world
//     vector-threads), a shared 32-bit memory env.memory together with
//     wasi.thread-spawn of type (i32) -> i32;
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
	shared, err := checkModule(name, m)
	if err != nil {
		m.Close()
		return nil, err
	}
	return &Module{name: name, engine: e, m: m, shared: shared}, nil
}

func checkModule(name string, m *wasmtime.Module) (shared *wasmtime.MemoryType, err error) {
	spawn := false
	for _, imp := range m.Imports() {
		field := ""
		if n := imp.Name(); n != nil {
			field = *n
		}
		switch {
		case imp.Module() == wasiModule && imp.Type().FuncType() != nil:
		case imp.Module() == sharedModule && field == sharedName && imp.Type().MemoryType() != nil &&
			imp.Type().MemoryType().IsShared() && !imp.Type().MemoryType().Is64():
			shared = imp.Type().MemoryType()
		case imp.Module() == threadModule && field == threadSpawn && imp.Type().FuncType() != nil:
			want := signature{threadSpawn, []wasmtime.ValKind{i32}, []wasmtime.ValKind{i32}}
			if !want.matches(imp.Type().FuncType()) {
				return nil, guestErr(name, "", ErrImport, "%s.%s: want %v", threadModule, threadSpawn, want)
			}
			spawn = true
		default:
			return nil, guestErr(name, "", ErrImport, "%s.%s: only functions of %s, and for a threaded guest a shared 32-bit %s.%s and %s.%s, are offered",
				imp.Module(), field, wasiModule, sharedModule, sharedName, threadModule, threadSpawn)
		}
	}
	if (shared != nil) != spawn {
		return nil, guestErr(name, "", ErrImport, "a threaded guest imports both a shared %s.%s and %s.%s; this one imports only one", sharedModule, sharedName, threadModule, threadSpawn)
	}
	found := make(map[string]*wasmtime.ExternType)
	for _, exp := range m.Exports() {
		found[exp.Name()] = exp.Type()
	}
	mem, ok := found[memoryExport]
	if !ok {
		return nil, guestErr(name, memoryExport, ErrMissingExport, "no linear memory exported")
	}
	if mem.MemoryType() == nil {
		return nil, guestErr(name, memoryExport, ErrSignature, "export is not a memory")
	}
	if mem.MemoryType().IsShared() && shared == nil {
		return nil, guestErr(name, memoryExport, ErrSignature, "a shared memory is only accepted as the import %s.%s of a threaded guest", sharedModule, sharedName)
	}
	if mem.MemoryType().Is64() {
		return nil, guestErr(name, memoryExport, ErrSignature, "a 64-bit memory; guests use 32-bit offsets")
	}
	want := exports[:]
	if shared != nil {
		want = append(want, threadExports...)
	}
	for _, sig := range want {
		ty, ok := found[sig.name]
		if !ok {
			return nil, guestErr(name, sig.name, ErrMissingExport, "want %v", sig)
		}
		ft := ty.FuncType()
		if ft == nil {
			return nil, guestErr(name, sig.name, ErrSignature, "export is not a function, want %v", sig)
		}
		if !sig.matches(ft) {
			return nil, guestErr(name, sig.name, ErrSignature, "got %s, want %v",
				funcString(kinds(ft.Params()), kinds(ft.Results())), sig)
		}
	}
	return shared, nil
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
