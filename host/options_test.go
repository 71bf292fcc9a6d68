package host_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/wasmvec/wasmvec/guests"
	"github.com/wasmvec/wasmvec/host"
)

// TestEngineOptions: an instance option given to NewEngine is the default
// of every instance the engine makes, which the instance's own options
// override; WithThreads given to NewEngine reaches threaded guests only;
// an engine option given to an instance is ErrOption on every path.
func TestEngineOptions(t *testing.T) {
	small := host.NewEngine(host.WithMemoryLimit(64 << 10))
	defer small.Close()
	if in, err := small.Load("rust", guests.Rust); !errors.Is(err, host.ErrLimit) {
		if in != nil {
			in.Close()
		}
		t.Fatalf("Load on an engine WithMemoryLimit(64 KiB): %v, want ErrLimit (the guest's memory starts larger)", err)
	}
	in, err := small.Load("rust", guests.Rust, host.WithMemoryLimit(1<<30))
	if err != nil {
		t.Fatalf("Load WithMemoryLimit(1 GiB) on that engine: %v, want the instance's option to win", err)
	}
	in.Close()

	two := host.NewEngine(host.WithThreads(2))
	defer two.Close()
	in, err = two.Load("rust", guests.Rust)
	if err != nil {
		t.Fatalf("a guest that is not threaded on an engine WithThreads(2): %v", err)
	}
	in.Close()
	in, err = two.Load("rust-threads", guests.RustThreads)
	if err != nil {
		t.Fatal(err)
	}
	if n := in.ThreadsForTest(); n != 2 {
		t.Errorf("a threaded guest on an engine WithThreads(2) runs %d threads", n)
	}
	in.Close()
	in, err = two.Load("rust-threads", guests.RustThreads, host.WithThreads(1))
	if err != nil {
		t.Fatal(err)
	}
	if n := in.ThreadsForTest(); n != 1 {
		t.Errorf("WithThreads(1) on an engine WithThreads(2) runs %d threads", n)
	}
	in.Close()
	zero := host.NewEngine(host.WithThreads(0))
	defer zero.Close()
	if in, err := zero.Load("rust-threads", guests.RustThreads); !errors.Is(err, host.ErrOption) {
		if in != nil {
			in.Close()
		}
		t.Errorf("a threaded guest on an engine WithThreads(0): %v, want ErrOption", err)
	}

	e := host.NewEngine()
	defer e.Close()
	m, err := e.Compile("rust", guests.Rust)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, o := range []struct {
		name string
		opt  host.Option
	}{{"WithDeadlines", host.WithDeadlines()}, {"WithCompileLimits", host.WithCompileLimits(1, 1)}} {
		check := func(path string, in interface{ Close() error }, err error) {
			t.Helper()
			if in != nil && !reflect.ValueOf(in).IsNil() {
				in.Close()
			}
			if !errors.Is(err, host.ErrOption) || !strings.Contains(err.Error(), o.name+" configures an engine") {
				t.Errorf("%s(%s): %v, want ErrOption", path, o.name, err)
			}
		}
		in, err := m.Instantiate(o.opt)
		check("Instantiate", in, err)
		p, err := m.NewPool(1, o.opt)
		check("NewPool", p, err)
		in, err = e.Load("rust", guests.Rust, o.opt)
		check("Load", in, err)
	}
}
