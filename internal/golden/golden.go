// Package golden keeps the files the Go side writes for the JS package's
// tests (js/test/golden): the Go host is the reference, and the JS tests
// read what it wrote, so there is one copy of each expected result.
package golden

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Update is the environment variable that makes Check rewrite the files.
const Update = "WASMVEC_UPDATE_GOLDEN"

// Dir returns js/test/golden of this repository.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "js", "test", "golden")
}

// Check compares got with the committed file name in Dir, and fails the
// test when they differ; with WASMVEC_UPDATE_GOLDEN=1 it writes got instead.
func Check(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join(Dir(), name)
	if os.Getenv(Update) == "1" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the tests with %s=1 to write it)", err, Update)
	}
	if !bytes.Equal(want, got) {
		t.Fatalf("%s is stale: the Go side now writes other results (rerun with %s=1 and commit it)", path, Update)
	}
}
