package host

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/bytecodealliance/wasmtime-go/v39"
)

// Engine compiles guest modules. It is configured for Cranelift with
// optimisation level "speed", and the WebAssembly SIMD and threads
// proposals enabled; with WithDeadlines, also epoch interruption.
// An Engine is safe for concurrent use and can serve many modules.
//
// Engine owns native memory: Close it after every module and instance made
// from it has been closed.
type Engine struct {
	// mu guards the life of e: every use that makes something with it
	// (Compile, Instantiate, a thread's store) holds it for reading, Close
	// for writing, so Close waits for them and they see ErrClosed after.
	mu     sync.RWMutex
	e      *wasmtime.Engine
	closed atomic.Bool

	tmu    sync.Mutex
	ticker *ticker // the epoch ticker (deadline.go), nil until needed; guarded by tmu

	deadlines bool // built WithDeadlines
}

// EngineOption configures NewEngine.
type EngineOption func(*Engine)

// WithDeadlines builds the engine with Wasmtime's epoch interruption, which
// WithTimeout, Instance.Bind and Pool.Do need to stop a running call (an
// infinite loop included; see deadline.go). It has a price: compiled code
// checks the epoch at every loop back-edge, which made the Rust guest's
// simd128 sum at n = 100000 about 2 times slower, and its dot about 1.1
// times, on the machine of the README (BenchmarkDeadlines, docs/bench).
// Use it for guests you do not trust.
func WithDeadlines() EngineOption {
	return func(e *Engine) { e.deadlines = true }
}

// NewEngine returns an engine configured for wasmvec guests.
func NewEngine(opts ...EngineOption) *Engine {
	eng := &Engine{}
	for _, o := range opts {
		o(eng)
	}
	cfg := wasmtime.NewConfig()
	cfg.SetStrategy(wasmtime.StrategyCranelift)
	cfg.SetCraneliftOptLevel(wasmtime.OptLevelSpeed)
	cfg.SetWasmSIMD(true)
	cfg.SetWasmThreads(true) // shared memory and atomics, for threaded guests
	// Off: no guest needs them, and each lets a module claim memory the
	// per-store limits would have to chase (docs/security.md). A module that
	// uses one fails Compile with ErrModule naming the feature.
	cfg.SetWasmMultiMemory(false)
	cfg.SetWasmMemory64(false)
	cfg.SetEpochInterruption(eng.deadlines)
	eng.e = wasmtime.NewEngineWithConfig(cfg)
	return eng
}

// Close releases the engine. It waits for a Compile or an Instantiate
// running on another goroutine to finish; later ones return ErrClosed.
// Instances and modules made before stay usable until closed themselves.
// Close is idempotent and always returns nil.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.closed.Load() {
		e.closed.Store(true)
		e.tmu.Lock()
		e.stopTicker()
		e.tmu.Unlock()
		e.e.Close()
	}
	return nil
}

// use holds the engine open for making something with it, or reports that
// it is closed. Release with e.mu.RUnlock.
func (e *Engine) use() bool {
	e.mu.RLock()
	if e.closed.Load() {
		e.mu.RUnlock()
		return false
	}
	return true
}

// Load compiles wasm and instantiates it once with opts: a shorthand for
// Compile then Module.Instantiate. The module is released when the instance is closed.
// name identifies the guest in errors. Errors are those of Compile and
// Instantiate.
func (e *Engine) Load(name string, wasm []byte, opts ...Option) (*Instance, error) {
	m, err := e.Compile(name, wasm)
	if err != nil {
		return nil, err
	}
	in, err := m.Instantiate(opts...)
	if err != nil {
		m.Close()
		return nil, err
	}
	in.owned = m
	return in, nil
}

// LoadFile reads a module from path and loads it as Load does, naming the
// guest after the file's base name. A read failure is returned as it is
// (an *fs.PathError).
func (e *Engine) LoadFile(path string, opts ...Option) (*Instance, error) {
	wasm, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("wasmvec: %w", err)
	}
	return e.Load(filepath.Base(path), wasm, opts...)
}
