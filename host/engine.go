package host

import (
	"sync"
	"sync/atomic"

	"github.com/wasmvec/wasmvec/internal/raw"
	"github.com/wasmvec/wasmvec/internal/threads"

	"github.com/bytecodealliance/wasmtime-go/v44"
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
	// live counts the instances not yet closed, freed is set once e is
	// released: Close frees the engine (its ticker, its Wasmtime handle)
	// only when no instance remains, else the last instance's Close does,
	// so that a closed engine leaves the deadlines of its live instances
	// armed. Both guarded by tmu.
	live  int
	freed bool

	deadlines bool // built WithDeadlines

	waker threads.Waker // the wake-up module of threaded guests, compiled when first needed
	// sharedErr is why the engine cannot create shared memories (a
	// wasmtime-go layout raw does not know), nil when it can.
	sharedErr error
	// memErr is why the engine cannot make linear memories with the
	// quarantine (raw.QuarantineMemories), nil when it can.
	memErr error

	maxBytes, maxFuncs int // WithCompileLimits

	defaults options // the instance options given to NewEngine
}

// NewEngine returns an engine configured for wasmvec guests by opts: the
// engine's own (WithDeadlines, WithCompileLimits), and instance options,
// which are then the defaults of every instance it makes (see Option).
// Instance options are checked when an instance is made: one out of range
// makes Instantiate return ErrOption.
func NewEngine(opts ...Option) *Engine {
	o := engineDefaults()
	for _, opt := range opts {
		if opt != nil { // a nil Option is no option
			opt(&o)
		}
	}
	eng := &Engine{deadlines: o.deadlines, maxBytes: o.maxBytes, maxFuncs: o.maxFuncs, defaults: o}
	cfg := wasmtime.NewConfig()
	cfg.SetStrategy(wasmtime.StrategyCranelift)
	cfg.SetCraneliftOptLevel(wasmtime.OptLevelSpeed)
	cfg.SetWasmSIMD(true)
	cfg.SetWasmThreads(true) // shared memory and atomics, for threaded guests
	// and creating their shared memories (off by default since Wasmtime 40)
	sharedErr := raw.EnableSharedMemory(cfg)
	// Linear memories whose addresses a closed instance keeps out of reuse
	// (docs/security.md, kept views).
	eng.memErr = raw.QuarantineMemories(cfg)
	// Off: no guest needs them, and each lets a module claim memory the
	// per-store limits would have to chase (docs/security.md). A module that
	// uses one fails Compile with ErrModule naming the feature.
	cfg.SetWasmMultiMemory(false)
	cfg.SetWasmMemory64(false)
	cfg.SetEpochInterruption(eng.deadlines)
	eng.e = wasmtime.NewEngineWithConfig(cfg)
	eng.sharedErr = sharedErr
	return eng
}

// Close releases the engine. It waits for a Compile or an Instantiate
// running on another goroutine to finish; later ones return ErrClosed.
// Instances and modules made before stay usable until closed themselves,
// their deadlines included (the engine's epoch ticker runs until the last
// of its instances is closed).
// Close is idempotent and always returns nil, also for a nil or zero
// Engine (one NewEngine did not make).
func (e *Engine) Close() error {
	if e == nil || e.e == nil {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.closed.Load() {
		e.closed.Store(true)
		e.tmu.Lock()
		if e.live == 0 {
			e.free()
		}
		e.tmu.Unlock()
	}
	return nil
}

// free stops the ticker and releases the Wasmtime engine. The caller holds
// e.tmu; the engine is closed and has no live instance.
func (e *Engine) free() {
	e.stopTicker()
	e.e.Close()
	e.freed = true
}

// retain counts a new instance; the caller holds the engine open (use).
func (e *Engine) retain() {
	e.tmu.Lock()
	e.live++
	e.tmu.Unlock()
}

// release ends an instance's use of the engine: the last one of a closed
// engine frees it.
func (e *Engine) release() {
	e.tmu.Lock()
	defer e.tmu.Unlock()
	e.live--
	if e.live == 0 && e.closed.Load() && !e.freed {
		e.free()
	}
}

// use holds the engine open for making something with it, or reports that
// it is closed (or nil or zero: one NewEngine did not make). Release with
// e.mu.RUnlock.
func (e *Engine) use() bool {
	if e == nil || e.e == nil {
		return false
	}
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

// checkSize refuses, before compiling, a module over the engine's compile
// limits. It reads only the module's size and its function section's
// count; anything malformed is left for Wasmtime to report.
func (e *Engine) checkSize(name string, wasm []byte) error {
	if len(wasm) > e.maxBytes {
		return guestErr(name, "", ErrLimit, "%d bytes, over the compile limit of %d (WithCompileLimits)", len(wasm), e.maxBytes)
	}
	if n, ok := functionCount(wasm); ok && n > uint64(e.maxFuncs) {
		return guestErr(name, "", ErrLimit, "%d functions, over the compile limit of %d (WithCompileLimits)", n, e.maxFuncs)
	}
	return nil
}

// functionCount returns the count of a binary module's function section
// (section 3), the functions it defines; ok is false if there is none or
// the bytes are not laid out as a module.
func functionCount(wasm []byte) (n uint64, ok bool) {
	if len(wasm) < 8 || string(wasm[:4]) != "\x00asm" {
		return 0, false
	}
	p := wasm[8:]
	for len(p) > 0 {
		id := p[0]
		size, k := uleb(p[1:])
		if k == 0 || size > uint64(len(p)-1-k) {
			return 0, false
		}
		body := p[1+k : 1+k+int(size)]
		if id == 3 {
			n, k := uleb(body)
			return n, k > 0
		}
		p = p[1+k+int(size):]
	}
	return 0, false
}

// uleb decodes an unsigned LEB128 number of at most 5 bytes (32 bits), and
// returns it and the bytes it took, or 0 bytes if malformed.
func uleb(p []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(p) && i < 5; i++ {
		v |= uint64(p[i]&0x7f) << (7 * i)
		if p[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return 0, 0
}
