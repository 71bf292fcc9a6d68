package host_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/host"
)

func TestCompileCached(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	wasm := mustRead(t, cGuest)
	e := host.NewEngine()
	defer e.Close()
	check := func(what string) {
		t.Helper()
		m, err := e.CompileCached("c", wasm, dir)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		defer m.Close()
		in, err := m.Instantiate()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		defer in.Close()
		if got, err := sumOf(in, []float64{1, 2, 3.5}); err != nil || got != 6.5 {
			t.Fatalf("%s: Sum = %v, %v", what, got, err)
		}
	}
	check("miss")
	entries, _ := filepath.Glob(filepath.Join(dir, "*.cwasm"))
	if len(entries) != 1 {
		t.Fatalf("cache holds %v, want one entry", entries)
	}
	first, _ := os.Stat(entries[0])
	t.Logf("a cache entry of the C guest: %d bytes of code for %d bytes of wasm (%.1fx)", first.Size(), len(wasm), float64(first.Size())/float64(len(wasm)))
	check("hit")
	if again, _ := os.Stat(entries[0]); !again.ModTime().Equal(first.ModTime()) {
		t.Error("a hit rewrote the entry")
	}
	// A damaged entry is refused by Wasmtime, compiled anew and replaced.
	if err := os.WriteFile(entries[0], []byte("not machine code"), 0o600); err != nil {
		t.Fatal(err)
	}
	check("damaged")
	if fi, _ := os.Stat(entries[0]); fi.Size() < 1000 {
		t.Errorf("damaged entry not replaced (%d bytes)", fi.Size())
	}
	// An entry that is a symbolic link (to /dev/zero, to a good entry), a
	// FIFO or a directory is passed over, not read: the module is compiled.
	good, _ := os.ReadFile(entries[0])
	elsewhere := filepath.Join(t.TempDir(), "elsewhere.cwasm")
	if err := os.WriteFile(elsewhere, good, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, hostile := range []struct {
		what string
		make func(path string) error
	}{
		{"a link to /dev/zero", func(p string) error { return os.Symlink("/dev/zero", p) }},
		{"a link to an entry", func(p string) error { return os.Symlink(elsewhere, p) }},
		{"a FIFO", func(p string) error { return syscall.Mkfifo(p, 0o600) }},
		{"a directory", func(p string) error { return os.Mkdir(p, 0o700) }},
	} {
		os.Remove(entries[0])
		if err := hostile.make(entries[0]); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { defer close(done); check(hostile.what) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			panic("CompileCached blocked on an entry that is " + hostile.what)
		}
		os.RemoveAll(entries[0])
	}
	// A cache that cannot be written (its dir is a file) costs a compile.
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if m, err := e.CompileCached("c", wasm, notDir); err != nil {
		t.Errorf("a dir that cannot be made: %v, want the module compiled", err)
	} else {
		m.Close()
	}
	// A hostile module is still refused through the cache.
	if _, err := e.CompileCached("bad", []byte("\x00asm\x01\x00\x00\x00"), dir); err == nil {
		t.Error("an empty module compiled through the cache")
	}
}
