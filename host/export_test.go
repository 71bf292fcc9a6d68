package host

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/wasmvec/wasmvec/internal/raw"
	"github.com/wasmvec/wasmvec/internal/threads"
)

// Test hooks.

// The limits, under the names the tests use.
const (
	DefaultLoadTimeout    = defaultLoadTimeout
	DefaultMaxFunctions   = defaultMaxFunctions
	DefaultMaxModuleBytes = defaultMaxModuleBytes
	DefaultMemoryLimit    = defaultMemoryLimit
	MaxBuffers            = maxBuffers
	MaxKernels            = maxKernels
	MaxParams             = maxParams
	MaxSharedMemory       = maxSharedMemory
	MaxStuckThreads       = threads.MaxStuck
	MaxTableElements      = maxTableElements
	MaxThreads            = maxThreads
	MaxTrapMessage        = maxTrapMessage
	MaxWakeBytes          = threads.MaxWakeBytes
)

// BoundTrapMessage is boundTrapMessage.
var BoundTrapMessage = boundTrapMessage

// SplitTrapMessage is splitTrapMessage.
var SplitTrapMessage = splitTrapMessage

// ExportForTest returns a function that calls the kernel named name with
// args through wasmtime-go's Func.Call (under the instance's lock, traps as
// errors).
func (in *Instance) ExportForTest(name string) (func(args ...any) (any, error), error) {
	k, err := in.mod.Kernel(name)
	if err != nil {
		return nil, err
	}
	return func(args ...any) (any, error) {
		in.lock("")
		defer in.unlock()
		v, err := in.fns[k.index].Call(in.store, args...)
		if err != nil {
			return nil, &GuestError{Guest: in.name, Export: name, Err: fmt.Errorf("%w: %w", ErrTrap, err)}
		}
		return v, nil
	}, nil
}

// ThreadExportNames lists the function exports of the threads world the
// host knows of a threaded guest beyond its kernels and buffers (not world
// stop's get-stop-offset).
func ThreadExportNames() []string {
	var names []string
	for _, t := range threadExports {
		if t.name != expStopOffset {
			names = append(names, t.name)
		}
	}
	return names
}

// ThreadsForTest is the number of threads a kernel call runs on.
func (in *Instance) ThreadsForTest() int { return in.threadCount() }

// PingForTest runs the threaded guest's ping-workers through the typed call
// path: one dispatch round trip with no kernel work.
func (in *Instance) PingForTest() error { return in.ping() }

// SetCloseWaitForTest sets how long Close waits for worker threads, and
// returns a function that restores it.
func SetCloseWaitForTest(d time.Duration) (restore func()) {
	old := threads.CloseWait
	threads.CloseWait = d
	return func() { threads.CloseWait = old }
}

// StuckThreadsForTest reports the threads of abandoned instances still
// running.
func StuckThreadsForTest() int64 { return threads.Stuck() }

// WakeRangesForTest is wakeRanges: the byte ranges a wake-up sweep
// notifies in a memory of size bytes with the buffers bufs.
func WakeRangesForTest(size uint64, bufs []BufferInfo) [][2]uint64 {
	return threads.WakeRanges(size, byteRanges(bufs))
}

// SharedMemoryForTest returns a threaded instance's shared memory as a
// byte slice (its base never moves; the guest's threads keep it mapped).
func SharedMemoryForTest(in *Instance) []byte {
	base, n := in.th.Data()
	return raw.Slice[byte](base, n)
}

// SetLoadTimeoutForTest sets the bound of an instantiation without
// WithTimeout (DefaultLoadTimeout), and returns a function that restores it.
func SetLoadTimeoutForTest(d time.Duration) (restore func()) {
	old := loadTimeout
	loadTimeout = d
	return func() { loadTimeout = old }
}

// AcquireForTest and ReleaseForTest are the pool's acquire and release,
// which Do pairs.
func (p *Pool) AcquireForTest(ctx context.Context) (*Instance, error) { return p.acquire(ctx) }
func (p *Pool) ReleaseForTest(in *Instance)                           { p.release(in) }

// UntrustedForTest reports whether a Pool would replace the instance.
func (in *Instance) UntrustedForTest() bool { return in.untrusted() }

// LoadFile reads a module from path and loads it as Load does (tests only).
func (e *Engine) LoadFile(path string, opts ...Option) (*Instance, error) {
	wasm, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return e.Load(filepath.Base(path), wasm, opts...)
}
