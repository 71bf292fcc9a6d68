// Command wasmvec is the guest author's tool.
//
//	wasmvec inspect [-threads N] [-timeout D] MODULE.wasm|MODULE.wat
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
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v39"
	"github.com/wasmvec/wasmvec/host"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "inspect" {
		fmt.Fprintln(stderr, "usage: wasmvec inspect [-threads N] [-timeout D] MODULE.wasm|MODULE.wat")
		return 2
	}
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	threads := fs.Int("threads", 1, "threads for a threaded guest (WithThreads)")
	timeout := fs.Duration("timeout", 5*time.Second, "bound on the guest code run while loading (WithTimeout)")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: wasmvec inspect [-threads N] [-timeout D] MODULE.wasm|MODULE.wat")
		return 2
	}
	path := fs.Arg(0)
	wasm, err := os.ReadFile(path)
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
		fmt.Fprintln(stderr, "violation:", err)
		return 1
	}
	return 0
}

func inspect(name string, wasm []byte, threads int, timeout time.Duration, w io.Writer) error {
	fmt.Fprintf(w, "module %s: %d bytes\n", name, len(wasm))
	printImports(wasm, w)
	engine := host.NewEngine(host.WithDeadlines())
	defer engine.Close()
	m, err := engine.Compile(name, wasm)
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
		fmt.Fprintf(tw, "  %s\t%v\t%d\t%d\t%d\n", b.Name, b.Type, b.Offset, b.Capacity, b.Capacity*b.Type.Size())
	}
	tw.Flush()
	fmt.Fprintln(w, "kernels:")
	for _, k := range m.Kernels() {
		fmt.Fprintf(w, "  %v\n", k)
	}
	if err := m.Vector(); err != nil {
		var ge *host.GuestError
		reason := err.Error()
		if errors.As(err, &ge) {
			reason = fmt.Sprintf("%s: %v", ge.Export, ge.Err)
		}
		fmt.Fprintf(w, "world vector: no (%s)\n", reason)
	} else {
		fmt.Fprintln(w, "world vector: yes (Instance.Sum and the other typed methods work)")
	}
	return nil
}

// printImports lists the module's imports as Wasmtime reads them, before
// the host judges them.
func printImports(wasm []byte, w io.Writer) {
	cfg := wasmtime.NewConfig()
	cfg.SetWasmSIMD(true)
	cfg.SetWasmThreads(true)
	e := wasmtime.NewEngineWithConfig(cfg)
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
		fmt.Fprintf(w, "  %s.%s (%s)\n", imp.Module(), field, kind)
	}
}
