package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/internal/corpus"
)

// TestInspectGuests: inspect prints the layout and kernels of every guest
// in the repository, and exits 0.
func TestInspectGuests(t *testing.T) {
	for _, c := range []struct {
		path string
		want []string
	}{
		{"../../guests/rust.wasm", []string{"threaded: no", "result  f64", "100000", "sum-fold: func(f64, i32) -> f64", "world vector: yes"}},
		{"../../guests/c.wasm", []string{"a       f64", "dot-batch: func(i32, i32)", "world vector: yes"}},
		{"../../guests/go.wasm", []string{"scale: func(f64, i32)", "world vector: yes"}},
		{"../../guests/rust-threads.wasm", []string{"threaded: yes", "env.memory (shared memory)", "wasi.thread-spawn (func)", "16777216", "world vector: yes"}},
		{"../../examples/mykernels/mykernels-rust.wasm", []string{"x        f32", "counts   i32", "1024", "axpy: func(f32, i32)",
			"histogram: func(i32, f64, f64, i32) -> i32", "a guest of its own: 4 buffers and 2 kernels", `world vector: not this guest's, which is fine (package vector would need it: wasmvec: missing export: no buffer "a"`}},
		{"../../examples/mykernels/mykernels-c.wasm", []string{"samples  f64", "axpy: func(f32, i32)", "a guest of its own", "world vector: not this guest's"}},
	} {
		var out, errs bytes.Buffer
		if code := run([]string{"inspect", c.path}, &out, &errs); code != 0 {
			t.Errorf("%s: exit %d: %s", c.path, code, errs.String())
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s: output lacks %q:\n%s", c.path, w, out.String())
			}
		}
	}
}

// sentinelText is the message of each sentinel error the corpus names.
var sentinelText = map[string]string{
	"ErrMissingExport": "missing export", "ErrSignature": "wrong export signature",
	"ErrModule": "invalid module", "ErrTrap": "guest trapped",
	"ErrDeadline": "call deadline exceeded", "ErrContract": "broke the buffer contract",
	"ErrLimit": "exceeds its resource limits",
}

// TestInspectCorpus: for every module of the hostile corpus that must fail
// to load, inspect exits 1 and names the violation: the sentinel's text and
// the export at fault, as the header states them.
func TestInspectCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../host/testdata/hostile/*")
	if len(files) < 40 {
		t.Fatalf("corpus: %d files", len(files))
	}
	checked := 0
	for _, path := range files {
		want, export, threads, loads := "ErrModule", "", "1", false
		if strings.HasSuffix(path, ".wat") {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			h, err := corpus.Parse(string(src))
			if err != nil {
				t.Fatal(err)
			}
			want, export, loads = h.Want, h.Export, h.Call != ""
			if h.Threads > 0 {
				threads = strconv.Itoa(h.Threads)
			}
		}
		if loads || want == "nil" {
			continue // it loads; a call is what fails
		}
		checked++
		var out, errs bytes.Buffer
		code := run([]string{"inspect", "-threads", threads, "-timeout", "200ms", path}, &out, &errs)
		msg := errs.String()
		if code != 1 || !strings.HasPrefix(msg, "violation: ") || !strings.Contains(msg, sentinelText[want]) ||
			(export != "" && !strings.Contains(msg, `export "`+export+`"`)) {
			t.Errorf("%s: exit %d, %q; want exit 1 naming %s (%s) and export %q", filepath.Base(path), code, msg, want, sentinelText[want], export)
		}
	}
	if checked < 35 {
		t.Errorf("only %d corpus modules fail at load", checked)
	}
}

func TestUsage(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run(nil, &out, &errs); code != 2 {
		t.Errorf("no arguments: exit %d, want 2", code)
	}
	if code := run([]string{"inspect", "/nonexistent.wasm"}, &out, &errs); code != 1 {
		t.Errorf("missing file: exit %d, want 1", code)
	}
}

// inspect reads untrusted files: it refuses a module over the compile
// limits before compiling anything, and prints every name from a module so
// that it cannot forge a line of the report.
func TestInspectUntrusted(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("(module (memory (export \"memory\") 1)\n")
	for range defaultMaxFunctions + 1 {
		b.WriteString("(func)\n")
	}
	b.WriteString(")")
	big := filepath.Join(dir, "big.wat")
	if err := os.WriteFile(big, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errs bytes.Buffer
	if code := run([]string{"inspect", big}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "compile limit") || strings.Contains(out.String(), "imports:") {
		t.Errorf("%d functions: exit %d, stdout %q, stderr %q; want exit 1 with the compile limit, before any compiling", defaultMaxFunctions+1, code, out.String(), errs.String())
	}

	forged := filepath.Join(dir, "forged.wat")
	src := `(module (memory (export "memory") 1)
		(func (export "k\nworld vector: yes") (result i32) i32.const 0)
		(func (export "\u{1b}[2Jclear") (result i32) i32.const 0)
		(import "wasi_snapshot_preview1" "fd_write\nthreaded: yes" (func (param i32 i32 i32 i32) (result i32))))`
	if err := os.WriteFile(forged, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errs.Reset()
	run([]string{"inspect", forged}, &out, &errs)
	for _, line := range strings.Split(out.String()+errs.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "world vector: yes") || strings.HasPrefix(strings.TrimSpace(line), "threaded: yes") || strings.ContainsRune(line, 0x1b) {
			t.Errorf("a name forged a line: %q\nstdout:\n%s\nstderr:\n%s", line, out.String(), errs.String())
		}
	}
}

// defaultMaxFunctions is the host's default compile limit on functions
// (host.WithCompileLimits' doc: 20,000).
const defaultMaxFunctions = 20_000

// TestInspectRefusesWhatIsNoFile: inspect reads a regular file only, at
// most maxInspectBytes of it: /dev/zero, a FIFO with no writer and a file
// past the bound are refused at once (it read 5.7 GiB of /dev/zero, and
// blocked on a FIFO for ever).
func TestInspectRefusesWhatIsNoFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.wasm")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.wasm")
	if err := os.WriteFile(huge, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, maxInspectBytes+1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{
		{"/dev/zero", "not a regular file"}, {fifo, "not a regular file"}, {dir, "not a regular file"}, {huge, "file too large"},
	} {
		var out, errs bytes.Buffer
		done := make(chan int, 1)
		go func() { done <- run([]string{"inspect", c.path}, &out, &errs) }()
		select {
		case code := <-done:
			if code != 1 || !strings.Contains(errs.String(), c.want) {
				t.Errorf("inspect %s: exit %d, stderr %q; want exit 1 and %q", c.path, code, errs.String(), c.want)
			}
		case <-time.After(10 * time.Second):
			panic("inspect blocked on " + c.path)
		}
	}
}
