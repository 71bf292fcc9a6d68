package host_test

import (
	"os"
	"path/filepath"
	"testing"

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
		if got, err := vks(in).Sum(in, []float64{1, 2, 3.5}); err != nil || got != 6.5 {
			t.Fatalf("%s: Sum = %v, %v", what, got, err)
		}
	}
	check("miss")
	entries, _ := filepath.Glob(filepath.Join(dir, "*.cwasm"))
	if len(entries) != 1 {
		t.Fatalf("cache holds %v, want one entry", entries)
	}
	first, _ := os.Stat(entries[0])
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
	// A hostile module is still refused through the cache.
	if _, err := e.CompileCached("bad", []byte("\x00asm\x01\x00\x00\x00"), dir); err == nil {
		t.Error("an empty module compiled through the cache")
	}
}
