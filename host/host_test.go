package host_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
	"github.com/wasmvec/wasmvec/vector"
)

// Guest modules, built by ./build.sh (package testguest names them).
const (
	rustGuest    = testguest.Rust
	cGuest       = testguest.C
	goGuest      = testguest.Go
	tinygoGuest  = testguest.TinyGo
	threadsGuest = testguest.Threads
)

// guest is one implementation under test (testguest.Table): a module and
// whether its simd128 exports are used; threads (0 for a guest that is not
// threaded) is passed to WithThreads.
type guest struct {
	impl    string
	path    string
	simd    bool
	threads int
}

var testGuests = func() []guest {
	var gs []guest
	for _, g := range testguest.Table {
		gs = append(gs, guest{g.Impl, g.Path, g.SIMD, g.Threads})
	}
	return gs
}()

// load returns a shared instance of the module at path.
func load(t testing.TB, path string) *host.Instance { return testguest.Load(t, path, 0) }

// loadThreads returns a shared instance of the module at path, made with
// WithThreads(threads) unless threads is 0.
func loadThreads(t testing.TB, path string, threads int) *host.Instance {
	return testguest.Load(t, path, threads)
}

// instance returns the guest's shared instance.
func (g guest) instance(t testing.TB) *host.Instance { return loadThreads(t, g.path, g.threads) }

// kernels returns the guest's vector kernels: the simd128 exports when
// its simd flag is set (vector.WithSIMD).
func (g guest) kernels(in *host.Instance) *vector.Kernels {
	if g.simd {
		return vks(in)
	}
	return vk(in)
}

func (g guest) sum(in *host.Instance, x []float64) (float64, error) { return g.kernels(in).Sum(in, x) }

func (g guest) dot(in *host.Instance, x, y []float64) (float64, error) {
	return g.kernels(in).Dot(in, x, y)
}

func (g guest) mul(in *host.Instance, dst, a, b []float64) error {
	return g.kernels(in).Mul(in, dst, a, b)
}

func (g guest) scale(in *host.Instance, dst, a []float64, s float64) error {
	return g.kernels(in).Scale(in, dst, a, s)
}

func TestCloseThenCall(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, err := e.LoadFile(rustGuest)
	if err != nil {
		t.Fatal(err)
	}
	if capacity(in) != 100000 {
		t.Errorf("capacity %d, want 100000", capacity(in))
	}
	in.Close()
	in.Close() // idempotent
	if _, err := sumOf(in, []float64{1}); !errors.Is(err, host.ErrClosed) {
		t.Errorf("Sum after Close: %v, want ErrClosed", err)
	}
	if err := mulOf(in, make([]float64, 1), make([]float64, 1), make([]float64, 1)); !errors.Is(err, host.ErrClosed) {
		t.Errorf("Mul after Close: %v, want ErrClosed", err)
	}
	m, err := e.Compile("rust", mustRead(t, rustGuest))
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	if _, err := m.Instantiate(); !errors.Is(err, host.ErrClosed) {
		t.Errorf("Instantiate after Close: %v, want ErrClosed", err)
	}
	e.Close()
	if _, err := e.Compile("rust", mustRead(t, rustGuest)); !errors.Is(err, host.ErrClosed) {
		t.Errorf("Compile after engine Close: %v, want ErrClosed", err)
	}
}

// TestConcurrentCalls shares one instance between goroutines (run with
// -race): every call must still return its own canonical result.
func TestConcurrentCalls(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	in, err := e.LoadFile(rustGuest)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x, y, _ := vectors.Make("random", 1000+w*5000)
			want, _ := kernels.Dot(x, y)
			for range 50 {
				got, err := vks(in).Dot(in, x, y)
				if err != nil || !vectors.Same(got, want) {
					errs <- fmt.Errorf("worker %d: got %v, %v want %v", w, got, err, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
