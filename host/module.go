package host

import (
	"fmt"
	"sync"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// Module is a compiled guest whose imports and exports were checked against
// the buffer-and-kernel contract (wit/README.md): it knows the guest's
// buffers and kernels. A Module is safe for concurrent use; instantiate it
// as often as needed. Close it after its instances.
type Module struct {
	name     string
	engine   *Engine
	m        *wasmtime.Module
	contract *contract // its buffers and kernels, read from its exports
	// shared is the type of the shared memory a threaded guest imports as
	// env.memory; nil for other guests.
	shared *wasmtime.MemoryType
	// memMin is the minimum size of the memory, in 64 KiB pages.
	memMin uint64

	// mu guards closed and refs: m is freed when it is closed and no
	// instantiation or threaded instance uses it (a thread of a threaded
	// instance instantiates the module whenever the guest spawns one).
	mu     sync.Mutex
	closed bool
	refs   int
}

// acquire holds the compiled module for a use that may outlast Close (an
// instantiation, a threaded instance's threads), or reports that it is
// closed. Release with release.
func (m *Module) acquire() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return false
	}
	m.refs++
	return true
}

// retain adds a use for a caller that holds one already (acquire).
func (m *Module) retain() {
	m.mu.Lock()
	m.refs++
	m.mu.Unlock()
}

// release ends a use begun by acquire; the last one after Close frees the
// compiled module.
func (m *Module) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.refs--
	if m.closed && m.refs == 0 {
		m.m.Close()
	}
}

// Compile compiles wasm (a core WebAssembly module in binary form) for this
// engine and reads its buffers and kernels from its exports (the contract
// of wit/README.md). name identifies the guest in errors.
//
// # Errors
//
// Every error is a *GuestError wrapping:
//   - ErrClosed if the engine was closed;
//   - ErrLimit if wasm is larger, or defines more functions, than the
//     engine's compile limits (WithCompileLimits), checked before compiling,
//     or declares more than 4,096 buffers;
//   - ErrModule if wasm is not a valid module (malformed bytes, a feature the
//     engine does not enable), if it imports anything but functions of
//     wasi_snapshot_preview1 (and, for a threaded guest, a shared 32-bit
//     memory env.memory together with wasi.thread-spawn of type (i32) -> i32),
//     or if a buffer export names an unknown element type or two buffer
//     exports declare the same buffer;
//   - ErrMissingExport if the memory "memory" is absent, a buffer lacks its
//     capacity export (or a capacity its buffer), or a threaded guest lacks
//     start-workers, stop-workers, get-abort-offset or wasi_thread_start;
//   - ErrSignature if an export has the wrong kind or function type: an
//     _initialize or _start that is not func(), a
//     buffer or capacity export that is not func() -> i32, a kernel with a
//     parameter or result that is not i32, i64, f32 or f64, with more than
//     one result or more than 16 parameters.
//
// Any module that keeps to the contract is a valid guest, whatever kernels
// it exports (package vector is one client that looks for its own).
func (e *Engine) Compile(name string, wasm []byte) (*Module, error) {
	if !e.use() {
		return nil, &GuestError{Guest: name, Err: ErrClosed}
	}
	defer e.mu.RUnlock()
	return e.compile(name, wasm)
}

// compile is Compile for a caller that holds the engine (e.use).
func (e *Engine) compile(name string, wasm []byte) (*Module, error) {
	if err := e.checkSize(name, wasm); err != nil {
		return nil, err
	}
	m, err := wasmtime.NewModule(e.e, wasm)
	if err != nil {
		return nil, &GuestError{Guest: name, Err: fmt.Errorf("%w: %w", ErrModule, err)}
	}
	return e.newModule(name, m)
}

// newModule checks a compiled module's imports and reads its contract; it
// closes m on failure.
func (e *Engine) newModule(name string, m *wasmtime.Module) (*Module, error) {
	mod := &Module{name: name, engine: e, m: m}
	var err error
	mod.shared, err = checkImports(name, m)
	if err == nil {
		mod.contract, err = readContract(name, mod, m.Exports(), mod.shared != nil)
	}
	if err != nil {
		m.Close()
		return nil, err
	}
	if mod.shared != nil {
		mod.memMin = mod.shared.Minimum()
	}
	for _, exp := range m.Exports() {
		if mt := exp.Type().MemoryType(); mt != nil && exp.Name() == memoryExport && mod.shared == nil {
			mod.memMin = mt.Minimum()
		}
	}
	return mod, nil
}

func checkImports(name string, m *wasmtime.Module) (shared *wasmtime.MemoryType, err error) {
	spawn := false
	spawnSig := signature{[]valType{tI32}, []valType{tI32}}
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
			if s, _, _ := signatureOf(imp.Type().FuncType()); !s.equal(spawnSig) {
				return nil, guestErr(name, "", ErrModule, "%s.%s: want %v", threadModule, threadSpawn, spawnSig)
			}
			spawn = true
		default:
			return nil, guestErr(name, "", ErrModule, "%s.%s: only functions of %s, and for a threaded guest a shared 32-bit %s.%s and %s.%s, are offered",
				imp.Module(), field, wasiModule, sharedModule, sharedName, threadModule, threadSpawn)
		}
	}
	if (shared != nil) != spawn {
		return nil, guestErr(name, "", ErrModule, "a threaded guest imports both a shared %s.%s and %s.%s; this one imports only one", sharedModule, sharedName, threadModule, threadSpawn)
	}
	return shared, nil
}

// Threaded reports whether the module is a threaded guest: it imports a
// shared memory env.memory and wasi.thread-spawn.
func (m *Module) Threaded() bool { return !m.zero() && m.shared != nil }

// Name returns the guest's name as given to Compile ("" for a nil Module).
func (m *Module) Name() string {
	if m == nil {
		return ""
	}
	return m.name
}

// zero reports whether m is nil or a zero Module, not one Compile made.
func (m *Module) zero() bool { return m == nil || m.contract == nil }

// errZeroModule is the error of a nil or zero Module's methods.
var errZeroModule = shared(&GuestError{Err: fmt.Errorf("%w: a nil or zero *Module: not one that Engine.Compile returned", ErrClosed)})

// Close releases the compiled module. Instances made from it stay valid
// until closed themselves (the threads of a threaded one keep the compiled
// code until they end); later calls to Instantiate return ErrClosed.
// Close is idempotent and always returns nil (also for a nil or zero
// Module).
func (m *Module) Close() error {
	if m.zero() {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.closed {
		m.closed = true
		if m.refs == 0 {
			m.m.Close()
		}
	}
	return nil
}
