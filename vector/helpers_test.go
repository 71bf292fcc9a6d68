package vector_test

import (
	"os"
	"testing"
)

// Guest modules, built by ./build.sh.
const (
	rustGuest    = "../guests/rust.wasm"
	cGuest       = "../guests/c.wasm"
	goGuest      = "../guests/go.wasm"
	tinygoGuest  = "../guests/tinygo.wasm"
	threadsGuest = "../guests/rust-threads.wasm"
)

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
