// Command wasmvec is the guest author's tool. From any Go module:
//
//	go run github.com/wasmvec/wasmvec/cmd/wasmvec@latest new rust ./mykernel
//
//	wasmvec new [-replace CHECKOUT] rust|rust-rayon|c|go|tinygo DIR
//	wasmvec build [DIR]
//	wasmvec inspect [-threads N] [-timeout D] MODULE.wasm|MODULE.wat
//
// new writes a guest project into DIR (which must not exist or be empty)
// from the template of its language (package kit): the guest's sources
// with the language's kit, a kernel "scale" over a buffer "x", and a Go
// module with a test that loads guest.wasm and checks the kernel bit for
// bit; then it runs go mod tidy there. The go.mod requires this wasmvec's
// version, or, for a wasmvec run from a checkout, replaces it with that
// checkout (-replace names one).
//
// build builds the project in DIR (default: the current folder) into
// DIR/guest.wasm with its language's toolchain (cargo; go with
// GOOS=wasip1 -buildmode=c-shared; tinygo; clang-19 or clang for
// wasm32-wasi), says what is wrong when that makes no module (a crate
// without crate-type = ["cdylib"], one built for this machine) or a WASI
// command instead of a reactor, then prints what inspect prints.
//
// inspect loads a module the way package host does (Compile, then
// Instantiate on an engine with deadlines) and prints its imports, whether
// it is threaded, its buffers (name, element type, byte offset, capacity in
// elements, bytes) and its kernels with their core signatures, and whether
// it implements the vector world. When the module breaks the contract it
// prints the error, which names the export at fault, and exits with status
// 1; status 2 is a usage error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/files"
	"github.com/wasmvec/wasmvec/vector"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const inspectUsage = "usage: wasmvec inspect [-threads N] [-timeout D] MODULE.wasm|MODULE.wat"

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "new":
			return runNew(args[1:], stdout, stderr)
		case "build":
			return runBuild(args[1:], stdout, stderr)
		}
	}
	if len(args) == 0 || args[0] != "inspect" {
		fmt.Fprintln(stderr, newUsage)
		fmt.Fprintln(stderr, buildUsage)
		fmt.Fprintln(stderr, inspectUsage)
		return 2
	}
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	threads := fs.Int("threads", 1, "threads for a threaded guest (WithThreads)")
	timeout := fs.Duration("timeout", 5*time.Second, "bound on the guest code run while loading (WithTimeout)")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, inspectUsage)
		return 2
	}
	path := fs.Arg(0)
	// An untrusted path: a regular file of at most maxInspectBytes, read
	// without blocking (not /dev/zero, a FIFO, a 5 GiB file).
	wasm, err := files.ReadRegular(path, maxInspectBytes, false)
	if err != nil {
		fmt.Fprintln(stderr, "wasmvec:", err)
		return 1
	}
	if strings.HasSuffix(path, ".wat") {
		if wasm, err = wasmtime.Wat2Wasm(string(wasm)); err != nil {
			fmt.Fprintf(stderr, "wasmvec: %s: not valid WebAssembly text: %v\n", path, err)
			return 1
		}
	}
	if err := inspect(filepath.Base(path), wasm, *threads, *timeout, stdout); err != nil {
		fmt.Fprintln(stderr, "violation:", escape(err.Error()))
		return 1
	}
	return 0
}

// maxInspectBytes is the largest file inspect reads: the host's default
// compile limit (8 MiB, host.WithCompileLimits) for a binary module, with
// room for its text form (.wat), which runs several times larger.
const maxInspectBytes = 64 << 20

func inspect(name string, wasm []byte, threads int, timeout time.Duration, w io.Writer) error {
	fmt.Fprintf(w, "module %s: %d bytes\n", shown(name), len(wasm))
	engine := host.NewEngine(host.WithDeadlines())
	defer engine.Close()
	// Compile first: it refuses a module over the compile limits before
	// compiling it, so inspect costs what loading would (an untrusted file
	// of 300,000 functions is refused, not compiled for seconds).
	m, err := engine.Compile(name, wasm)
	if errors.Is(err, host.ErrLimit) {
		return err
	}
	printImports(wasm, w)
	if err != nil {
		return err
	}
	defer m.Close()
	opts := []host.Option{host.WithTimeout(timeout)}
	if m.Threaded() {
		fmt.Fprintf(w, "threaded: yes (shared env.memory, wasi.thread-spawn), loaded with %d threads\n", threads)
		opts = append(opts, host.WithThreads(threads))
	} else {
		fmt.Fprintln(w, "threaded: no")
	}
	in, err := m.Instantiate(opts...)
	if err != nil {
		return err
	}
	defer in.Close()
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(w, "buffers:")
	fmt.Fprintln(tw, "  name\ttype\toffset\tcapacity\tbytes")
	for _, b := range in.Layout() {
		fmt.Fprintf(tw, "  %s\t%v\t%d\t%d\t%d\n", shown(b.Name), b.Type, b.Offset, b.Capacity, b.Capacity*elemSize(b.Type))
	}
	tw.Flush()
	fmt.Fprintln(w, "kernels:")
	for _, k := range m.Kernels() {
		fmt.Fprintf(w, "  %s: %s\n", shown(k.Name()), strings.TrimPrefix(k.String(), k.Name()+": "))
	}
	nb, nk := len(in.Layout()), len(m.Kernels())
	if _, err := vector.Lookup(m); err != nil {
		var ge *host.GuestError
		reason := err.Error()
		if errors.As(err, &ge) {
			reason = ge.Err.Error()
			if ge.Export != "" {
				reason = ge.Export + ": " + reason
			}
		}
		fmt.Fprintf(w, "a guest of its own: %s and %s, called with Module.Kernel and Instance.Call (host.BufferRef and host.View for the buffers)\n", count(nb, "buffer"), count(nk, "kernel"))
		fmt.Fprintf(w, "world vector: not this guest's, which is fine (package vector would need it: %s)\n", escape(reason))
	} else {
		fmt.Fprintf(w, "a vector-world guest: %s and %s\n", count(nb, "buffer"), count(nk, "kernel"))
		fmt.Fprintln(w, "world vector: yes (package vector's kernels work on it)")
	}
	return nil
}

// count says n things: "1 buffer", "2 buffers".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}

// printImports lists the module's imports as Wasmtime reads them, before
// the host judges them.
func printImports(wasm []byte, w io.Writer) {
	e := wasmtime.NewEngineWithConfig(threadsConfig())
	defer e.Close()
	m, err := wasmtime.NewModule(e, wasm)
	if err != nil {
		return // Compile reports it
	}
	defer m.Close()
	imps := m.Imports()
	fmt.Fprintf(w, "imports: %d\n", len(imps))
	for _, imp := range imps {
		field := ""
		if n := imp.Name(); n != nil {
			field = *n
		}
		kind := "?"
		switch t := imp.Type(); {
		case t.FuncType() != nil:
			kind = "func"
		case t.MemoryType() != nil:
			kind = "memory"
			if t.MemoryType().IsShared() {
				kind = "shared memory"
			}
		case t.TableType() != nil:
			kind = "table"
		case t.GlobalType() != nil:
			kind = "global"
		}
		fmt.Fprintf(w, "  %s.%s (%s)\n", shown(imp.Module()), shown(field), kind)
	}
}

// shown returns a name from a module as inspect prints it: as it is when
// it is made of letters, digits and -_.:/ only, else quoted with Go's
// escapes, so that no name can forge a line of the report (a newline, an
// escape sequence) or pass for another.
func shown(name string) string {
	for _, r := range name {
		if !(r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:/", r))) {
			return strconv.QuoteToASCII(name)
		}
	}
	if name == "" {
		return `""`
	}
	return name
}

// escape returns s with every rune that is not printable (newlines,
// escape sequences) written as a Go escape, so an error that quotes a
// module's names stays on one line and forges nothing.
func escape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// elemSize is the size in bytes of one element of type t.
func elemSize(t string) int {
	if t == "i32" || t == "f32" {
		return 4
	}
	return 8
}
