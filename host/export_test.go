package host

import (
	"fmt"
	"time"
	"unsafe"
)

// Test hooks for the benchmarks' "kernel only" mode: the data is put in the
// guest buffers once, then only the export is called.

// FillForTest copies x into buffer A and y (if not nil) into buffer B.
func (in *Instance) FillForTest(x, y []float64) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(x) > in.cap || len(y) > in.cap {
		return fmt.Errorf("fill: %d/%d elements, capacity %d", len(x), len(y), in.cap)
	}
	in.load(x, y)
	return nil
}

// ExportForTest returns a function that calls the kernel named name with
// args through wasmtime-go's Func.Call (under the instance's lock, traps as
// errors).
func (in *Instance) ExportForTest(name string) (func(args ...any) (any, error), error) {
	k, err := in.mod.Kernel(name)
	if err != nil {
		return nil, err
	}
	return func(args ...any) (any, error) {
		in.mu.Lock()
		defer in.mu.Unlock()
		v, err := in.fns[k.index].Call(in.store, args...)
		if err != nil {
			return nil, &GuestError{Guest: in.name, Export: name, Err: fmt.Errorf("%w: %w", ErrTrap, err)}
		}
		return v, nil
	}, nil
}

// ExportNames lists the function exports of the vector world: its buffers'
// offset and capacity exports, and its kernels.
func ExportNames() []string {
	var names []string
	for _, b := range vectorBuffers {
		d := bufferDecl{b, F64}
		names = append(names, d.offsetExport(), d.capacityExport())
	}
	for _, w := range vectorWorld {
		names = append(names, w.name)
	}
	return names
}

// ThreadExportNames lists the function exports the host requires of a
// threaded guest beyond ExportNames.
func ThreadExportNames() []string {
	names := make([]string, len(threadExports))
	for i, t := range threadExports {
		names[i] = t.name
	}
	return names
}

// KernelForTest returns a function that calls the vector-world kernel
// named name through the typed call path, as the kernels do: x is the
// first argument (acc or scalar; for the (count, len) batch exports, the
// count) for exports that take two and is ignored otherwise; the f64
// result, if the export has one, is returned.
func (in *Instance) KernelForTest(name string) (func(x float64, n int) (float64, error), error) {
	for e, w := range vectorWorld {
		sig := w.sig
		if w.name != name || len(sig.params) == 0 {
			continue
		}
		e := export(e)
		twoArgs := len(sig.params) == 2
		countFirst := twoArgs && sig.params[0] == I32
		return func(x float64, n int) (float64, error) {
			in.mu.Lock()
			defer in.mu.Unlock()
			var err error
			if countFirst {
				err = in.callLenLen(e, int(x), n)
			} else if twoArgs {
				err = in.callF64Len(e, x, n)
			} else {
				err = in.callLen(e, n)
			}
			if err != nil || len(sig.results) == 0 {
				return 0, err
			}
			return in.result(), nil
		}, nil
	}
	return nil, fmt.Errorf("no kernel export %q in the vector world", name)
}

// PingForTest runs the threaded guest's ping-workers through the typed call
// path: one dispatch round trip with no kernel work.
func (in *Instance) PingForTest() error { return in.ping() }

// SetCloseWaitForTest sets how long Close waits for worker threads, and
// returns a function that restores it.
func SetCloseWaitForTest(d time.Duration) (restore func()) {
	old := closeWait
	closeWait = d
	return func() { closeWait = old }
}

// StuckThreadsForTest reports the threads of abandoned instances still
// running.
func StuckThreadsForTest() int64 { return stuckThreads.Load() }

// WakeRangesForTest is wakeRanges: the byte ranges a wake-up sweep
// notifies in a memory of size bytes with the buffers bufs.
func WakeRangesForTest(size uint64, bufs []Buffer) [][2]uint64 { return wakeRanges(size, bufs) }

// SharedMemoryForTest returns a threaded instance's shared memory as a
// byte slice (its base never moves; the guest's threads keep it mapped).
func SharedMemoryForTest(in *Instance) []byte {
	base, n := in.th.data()
	return unsafe.Slice((*byte)(base), n)
}

// SetLoadTimeoutForTest sets the bound of an instantiation without
// WithTimeout (DefaultLoadTimeout), and returns a function that restores it.
func SetLoadTimeoutForTest(d time.Duration) (restore func()) {
	old := loadTimeout
	loadTimeout = d
	return func() { loadTimeout = old }
}
