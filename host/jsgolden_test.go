package host_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/corpus"
	"github.com/wasmvec/wasmvec/internal/golden"
	"github.com/wasmvec/wasmvec/internal/vectors"
	"github.com/wasmvec/wasmvec/kernels"
	"github.com/wasmvec/wasmvec/vector"
)

// The JS package's tests (js/test) run the same modules and compare with
// what the Go side writes here: the hostile corpus with the error each
// module must give (TestHostileCorpus proves the Go host gives it), and the
// vector kernels' results from package kernels (the bit-exact table proves
// every guest gives them).

type jsCorpusEntry struct {
	File      string `json:"file"`
	Wasm      string `json:"wasm"` // base64
	Want      string `json:"want"` // a sentinel's name, or "nil"
	Export    string `json:"export,omitempty"`
	Call      string `json:"call,omitempty"`
	Threads   int    `json:"threads,omitempty"`
	TimeoutMs int64  `json:"timeoutMs,omitempty"`
	Result    string `json:"result,omitempty"`
	Stderr    string `json:"stderr,omitempty"`
}

func TestJSGoldenCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/hostile/*")
	if err != nil || len(files) < 30 {
		t.Fatalf("corpus: %d files, %v", len(files), err)
	}
	var out []jsCorpusEntry
	for _, path := range files {
		src := mustRead(t, path)
		e := jsCorpusEntry{File: filepath.Base(path), Want: "ErrModule"}
		module := src
		if strings.HasSuffix(path, ".wat") {
			h, err := corpus.Parse(string(src))
			if err != nil {
				t.Fatal(err)
			}
			if module, err = wasmtime.Wat2Wasm(string(src)); err != nil {
				t.Fatal(err)
			}
			e.Want, e.Export, e.Call, e.Threads, e.TimeoutMs, e.Result, e.Stderr = h.Want, h.Export, h.Call, h.Threads, h.Timeout.Milliseconds(), h.Result, h.Stderr
		}
		e.Wasm = base64.StdEncoding.EncodeToString(module)
		out = append(out, e)
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "corpus.json", append(b, '\n'))
}

type jsVectorCase struct {
	Kind   string  `json:"kind"`
	N      int     `json:"n"`      // elements of x and y as stored
	Repeat int     `json:"repeat"` // the inputs are x and y repeated this many times
	X      string  `json:"x"`      // base64 of little-endian float64
	Y      string  `json:"y"`
	S      float64 `json:"s"`
	Sum    string  `json:"sum"` // float64 bits, hex
	Dot    string  `json:"dot"`
	Mul    string  `json:"mul"` // FNV-1a 64 of the output's bits (NaN as 0x7ff8000000000000), hex
	Scale  string  `json:"scale"`
}

func TestJSGoldenVectors(t *testing.T) {
	var out []jsVectorCase
	add := func(kind string, n, repeat int) {
		x0, y0, s := vectors.Make(kind, n)
		var x, y []float64
		for range repeat {
			x, y = append(x, x0...), append(y, y0...)
		}
		dot, err := kernels.Dot(x, y)
		if err != nil {
			t.Fatal(err)
		}
		mul, scale := make([]float64, len(x)), make([]float64, len(x))
		if err := kernels.Mul(mul, x, y); err != nil {
			t.Fatal(err)
		}
		if err := kernels.Scale(scale, x, s); err != nil {
			t.Fatal(err)
		}
		out = append(out, jsVectorCase{Kind: kind, N: n, Repeat: repeat, X: golden.F64s(x0), Y: golden.F64s(y0), S: s,
			Sum: fmt.Sprintf("%016x", math.Float64bits(kernels.Sum(x))), Dot: fmt.Sprintf("%016x", math.Float64bits(dot)),
			Mul: golden.Hash(mul), Scale: golden.Hash(scale)})
	}
	for _, kind := range vectors.Kinds {
		for _, n := range []int{0, 1, 17, 257} {
			add(kind, n, 1)
		}
	}
	for _, kind := range []string{"random", "nan", "cancel"} {
		add(kind, 4097, 1)
	}
	add("random", 4097, 25) // 102,425 elements: past a guest's capacity, so streamed
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "vectors.json", append(b, '\n'))
}

// TestJSGoldenParity writes what the two hosts must say alike
// (js/test/golden/parity.json): the text of every sentinel error (the JS
// classes' `text`, which starts their messages as Go's sentinel starts its
// errors) and the limits both enforce; js/test/parity.test.js compares.
func TestJSGoldenParity(t *testing.T) {
	sentinels := map[string]error{
		"ErrModule": host.ErrModule, "ErrMissingExport": host.ErrMissingExport, "ErrSignature": host.ErrSignature,
		"ErrTrap": host.ErrTrap, "ErrContract": host.ErrContract, "ErrDeadline": host.ErrDeadline,
		"ErrLimit": host.ErrLimit, "ErrConcurrent": host.ErrConcurrent, "ErrOption": host.ErrOption,
		"ErrClosed": host.ErrClosed, "ErrLength": vector.ErrLength, "ErrCapacity": vector.ErrCapacity,
	}
	texts := map[string]string{}
	for name, err := range sentinels {
		texts[name] = err.Error()
	}
	limits := map[string]int64{
		"DefaultMemoryLimit": host.DefaultMemoryLimit, "DefaultMaxModuleBytes": host.DefaultMaxModuleBytes,
		"DefaultMaxFunctions": host.DefaultMaxFunctions, "MaxBuffers": host.MaxBuffers, "MaxKernels": host.MaxKernels,
		"MaxParams": host.MaxParams, "MaxSharedMemory": host.MaxSharedMemory, "MaxTableElements": host.MaxTableElements,
		"MaxThreads": host.MaxThreads, "BlockLen": kernels.BlockLen,
	}
	b, err := json.MarshalIndent(map[string]any{"sentinels": texts, "limits": limits}, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "parity.json", append(b, '\n'))
}
