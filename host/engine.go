package host

import (
	"github.com/wasmvec/wasmvec/internal/threads"
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

	waker threads.Waker // the wake-up module of threaded guests, compiled when first needed

	maxBytes, maxFuncs int // WithCompileLimits
}

// EngineOption configures NewEngine.
type EngineOption func(*Engine)

// WithDeadlines builds the engine with Wasmtime's epoch interruption, which
// WithTimeout, Instance.Bind and Pool.Do need to stop a running call (an
// infinite loop included; see deadline.go). It has a price: compiled code
// checks the epoch at every function entry and loop back-edge, which slows
// tight loops (up to about 2 times; BenchmarkDeadlines, and
// docs/performance.md and docs/rayon-scaling.md for measured runs). Use it
// for guests you do not trust. A threaded guest's call bound by a
// context (Instance.Bind, Pool.Do) returns when the context ends without
// it; only code that never looks at the guest's abort flag then keeps its
// threads busy.
func WithDeadlines() EngineOption {
	return func(e *Engine) { e.deadlines = true }
}

// Compiling costs time and memory that Wasmtime 39 offers no way to bound
// or cancel once it has started, and that grow with the number of
// functions more than with the bytes (docs/security.md has the measured
// costs; the largest guest here, the Go guest, has 1,827 functions in
// 2.6 MB). So Compile refuses, before compiling, a module over either
// limit.
const (
	// defaultMaxModuleBytes is the largest module Compile accepts unless
	// WithCompileLimits says otherwise: 8 MiB.
	defaultMaxModuleBytes = 8 << 20
	// defaultMaxFunctions is the most functions a module Compile accepts
	// may define, unless WithCompileLimits says otherwise: 20,000 (about
	// 0.7 s and 150 MB to compile at the rates above).
	defaultMaxFunctions = 20_000
)

// WithCompileLimits sets the largest module, in bytes, and the most
// functions it may define, that Compile accepts (defaults 8 MiB and
// 20,000 functions); a module over either
// gets ErrLimit before any compiling. 0 keeps a default.
func WithCompileLimits(maxBytes, maxFunctions int) EngineOption {
	return func(e *Engine) {
		if maxBytes > 0 {
			e.maxBytes = maxBytes
		}
		if maxFunctions > 0 {
			e.maxFuncs = maxFunctions
		}
	}
}

// NewEngine returns an engine configured for wasmvec guests.
func NewEngine(opts ...EngineOption) *Engine {
	eng := &Engine{maxBytes: defaultMaxModuleBytes, maxFuncs: defaultMaxFunctions}
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
