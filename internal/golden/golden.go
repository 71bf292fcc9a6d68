// Package golden keeps the files the Go side writes for the JS package's
// tests (js/test/golden): the Go host is the reference, and the JS tests
// read what it wrote, so there is one copy of each expected result.
package golden

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
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

// F64s encodes x as the golden files hold float64 arrays: base64 of their
// little-endian bits.
func F64s(x []float64) string {
	b := make([]byte, 8*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
	}
	return base64.StdEncoding.EncodeToString(b)
}

// Hash returns FNV-1a 64 of x's little-endian float64 bits, every NaN read
// as 0x7ff8000000000000, in hex: how the golden files name a long output
// (js/test/workloads.js computes the same; examples/rayon's Hash is this
// function over u then v).
func Hash(x []float64) string {
	h := fnv.New64a()
	var b [8]byte
	for _, v := range x {
		bits := math.Float64bits(v)
		if v != v {
			bits = 0x7ff8_0000_0000_0000
		}
		binary.LittleEndian.PutUint64(b[:], bits)
		h.Write(b[:])
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
