package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/bytecodealliance/wasmtime-go/v44"

	"github.com/wasmvec/wasmvec/host"
)

const buildUsage = "usage: wasmvec build [DIR]"

// runBuild is `wasmvec build`: it builds the guest project in DIR (the
// current folder by default) with its language's toolchain into
// DIR/guest.wasm, checks that the module is a reactor, and prints what
// inspect prints. Which toolchain: Cargo.toml → cargo; guest/go.mod →
// tinygo; guest/*.go → go (GOOS=wasip1, c-shared); guest/*.c → clang. Exit
// status 1 when the build fails, builds no module, or the module breaks
// the contract; 2 for a usage error.
func runBuild(args []string, stdout, stderr io.Writer) int {
	if len(args) > 1 || len(args) == 1 && strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, buildUsage)
		return 2
	}
	dir := "."
	if len(args) == 1 {
		dir = args[0]
	}
	out := filepath.Join(dir, "guest.wasm")
	lang, err := build(dir, out, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "wasmvec build:", err)
		return 1
	}
	wasm, threaded, ok := checkBuilt(out, lang, stdout, stderr)
	if !ok {
		return 1
	}
	if !threaded || lang != "rust" {
		return 0
	}
	// A threaded Rust guest: its single-thread build too, the module hosts
	// fall back to where threads cannot run (a web page without
	// cross-origin isolation): the same crate for wasm32-wasip1, where the
	// kit runs Rayon on the calling thread.
	single := filepath.Join(dir, "guest-single.wasm")
	if err := buildRust(dir, single, singleTarget, stderr); err != nil {
		fmt.Fprintln(stderr, "wasmvec build: the single-thread build:", err)
		return 1
	}
	swasm, sthreaded, ok := checkBuilt(single, lang, stdout, stderr)
	if !ok {
		return 1
	}
	if sthreaded {
		fmt.Fprintf(stderr, "wasmvec build: %s: built for %s, it still imports a shared memory\n", single, singleTarget)
		return 1
	}
	if err := sameContract(out, wasm, single, swasm); err != nil {
		fmt.Fprintln(stderr, "wasmvec build:", escape(err.Error()))
		return 1
	}
	fmt.Fprintf(stdout, "%s and %s have the same buffers and kernels\n", out, single)
	return 0
}

// singleTarget is the Rust target of a threaded guest's single-thread build.
const singleTarget = "wasm32-wasip1"

// checkBuilt reads the module built at out, checks that it is a reactor
// and prints what inspect prints (loaded with 2 threads if threaded). ok
// is false, the reason written to stderr, when any of that fails.
func checkBuilt(out, lang string, stdout, stderr io.Writer) (wasm []byte, threaded, ok bool) {
	wasm, err := os.ReadFile(out)
	if err != nil {
		fmt.Fprintln(stderr, "wasmvec build:", err)
		return nil, false, false
	}
	threaded, err = checkReactor(wasm, lang)
	if err != nil {
		fmt.Fprintf(stderr, "wasmvec build: %s: %v\n", out, err)
		return nil, false, false
	}
	fmt.Fprintf(stdout, "built %s (%s)\n", out, lang)
	threads := 1
	if threaded {
		threads = 2
	}
	if err := inspect(filepath.Base(out), wasm, threads, 5*time.Second, stdout); err != nil {
		fmt.Fprintln(stderr, "violation:", escape(err.Error()))
		return nil, false, false
	}
	return wasm, threaded, true
}

// sameContract reports how the buffers (name, type, capacity) and kernels
// (name, signature) of two builds of one guest differ, or nil when they
// do not: a host that falls back from one to the other must find the same
// calls.
func sameContract(aName string, a []byte, bName string, b []byte) error {
	ca, err := contractOf(aName, a)
	if err != nil {
		return err
	}
	cb, err := contractOf(bName, b)
	if err != nil {
		return err
	}
	var diff []string
	for _, x := range ca {
		if !slices.Contains(cb, x) {
			diff = append(diff, fmt.Sprintf("%s has %s, %s does not", aName, x, bName))
		}
	}
	for _, x := range cb {
		if !slices.Contains(ca, x) {
			diff = append(diff, fmt.Sprintf("%s has %s, %s does not", bName, x, aName))
		}
	}
	if diff != nil {
		return fmt.Errorf("the two builds differ: %s", strings.Join(diff, "; "))
	}
	return nil
}

// contractOf lists a module's buffers ("buffer x f64[65536]") and kernels
// ("kernel scale: func(f64, i32) -> i32"), from an instance (a threaded
// guest's with one thread).
func contractOf(name string, wasm []byte) ([]string, error) {
	e := host.NewEngine()
	defer e.Close()
	in, err := e.Load(name, wasm)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	var c []string
	for _, b := range in.Layout() {
		c = append(c, fmt.Sprintf("buffer %s %s[%d]", b.Name, b.Type, b.Capacity))
	}
	for _, k := range in.Module().Kernels() {
		c = append(c, "kernel "+k.String())
	}
	return c, nil
}

// build builds the project in dir into out and returns its language.
func build(dir, out string, log io.Writer) (string, error) {
	has := func(p string) bool { _, err := os.Stat(filepath.Join(dir, p)); return err == nil }
	cs, _ := filepath.Glob(filepath.Join(dir, "guest", "*.c"))
	gos, _ := filepath.Glob(filepath.Join(dir, "guest", "*.go"))
	switch {
	case has("Cargo.toml"):
		return "rust", buildRust(dir, out, "", log)
	case has("guest/go.mod"):
		return "tinygo", buildTinyGo(dir, out, log)
	case len(gos) > 0:
		return "go", runTool(log, dir, []string{"GOOS=wasip1", "GOARCH=wasm"}, "go", "build", "-buildmode=c-shared", "-trimpath", "-o", "guest.wasm", "./guest")
	case len(cs) > 0:
		return "c", buildC(dir, cs, log)
	}
	return "", fmt.Errorf("%s: no guest project here (Cargo.toml, guest/go.mod, guest/*.go or guest/*.c): start one with wasmvec new", dir)
}

// runTool runs name with args in dir, its output to log, with env added.
func runTool(log io.Writer, dir string, env []string, name string, args ...string) error {
	if _, err := exec.LookPath(name); err != nil {
		return fmt.Errorf("%s is not installed (%w)", name, err)
	}
	fmt.Fprintf(log, "+ %s %s\n", name, strings.Join(args, " "))
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, log, log
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s failed: %w", name, err)
	}
	return nil
}

var cargoTarget = regexp.MustCompile(`(?m)^\s*target\s*=\s*"([^"]+)"`)

// buildRust runs cargo build --release (--target target, unless target is
// "": the one .cargo/config.toml names) and copies the crate's .wasm to
// out. It adds the target with rustup when it is not installed, and says
// what is wrong when cargo builds no .wasm: a crate without crate-type =
// ["cdylib"] builds an rlib only, one with no wasm target builds for this
// machine.
func buildRust(dir, out, target string, log io.Writer) error {
	args := []string{"build", "--release", "--message-format=json-render-diagnostics"}
	if target != "" {
		args = append(args, "--target", target)
	} else {
		cfg, _ := os.ReadFile(filepath.Join(dir, ".cargo", "config.toml"))
		if m := cargoTarget.FindSubmatch(cfg); m != nil {
			target = string(m[1])
		}
	}
	if target == "wasm32-unknown-unknown" {
		// It builds, and loads, but has no WASI: a panic's message has no stderr to reach the
		// host through, so every Rust panic would be a bare trap.
		return errors.New(`.cargo/config.toml builds for wasm32-unknown-unknown, which has no WASI: a panic's message could not reach the host; set [build] target = "wasm32-wasip1" (or "wasm32-wasip1-threads" for Rayon)`)
	}
	if target != "" {
		if _, err := exec.LookPath("rustup"); err == nil {
			installed, err := exec.Command("rustup", "target", "list", "--installed").Output()
			if err == nil && !slices.Contains(strings.Fields(string(installed)), target) {
				fmt.Fprintf(log, "the Rust target %s is missing: adding it with rustup\n", target)
				if err := runTool(log, dir, nil, "rustup", "target", "add", target); err != nil {
					return err
				}
			}
		}
	}
	if _, err := exec.LookPath("cargo"); err != nil {
		return fmt.Errorf("cargo is not installed: install Rust with rustup (https://rustup.rs)")
	}
	fmt.Fprintln(log, "+ cargo", strings.Join(args, " "))
	cmd := exec.Command("cargo", args...)
	cmd.Dir, cmd.Stderr = dir, log
	msgs, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("cargo build failed: %w", err)
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	var wasm, other []string
	sc := bufio.NewScanner(bytes.NewReader(msgs))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var m struct {
			Reason       string   `json:"reason"`
			ManifestPath string   `json:"manifest_path"`
			Filenames    []string `json:"filenames"`
		}
		if json.Unmarshal(sc.Bytes(), &m) != nil || m.Reason != "compiler-artifact" || filepath.Dir(m.ManifestPath) != root {
			continue // a dependency's, or not an artifact
		}
		for _, f := range m.Filenames {
			if strings.HasSuffix(f, ".wasm") {
				wasm = append(wasm, f)
			} else {
				other = append(other, filepath.Base(f))
			}
		}
	}
	switch {
	case len(wasm) == 1:
		return copyFile(out, wasm[0])
	case len(wasm) > 1:
		return fmt.Errorf("cargo built %d .wasm files (%s): a guest project builds one", len(wasm), strings.Join(wasm, ", "))
	case slices.ContainsFunc(other, func(f string) bool { return strings.HasSuffix(f, ".rlib") }) && !slices.ContainsFunc(other, isSharedLib):
		return errors.New(`cargo built no .wasm, only a Rust library (` + strings.Join(other, ", ") + `): Cargo.toml needs [lib] crate-type = ["cdylib"]`)
	case len(other) > 0:
		return fmt.Errorf("cargo built %s for this machine, not for WebAssembly: set [build] target = \"wasm32-wasip1\" (or \"wasm32-wasip1-threads\" for Rayon) in .cargo/config.toml", strings.Join(other, ", "))
	}
	return errors.New("cargo built nothing from this crate: is it a library ([lib] in Cargo.toml, src/lib.rs)?")
}

func isSharedLib(f string) bool {
	return strings.HasSuffix(f, ".so") || strings.HasSuffix(f, ".dylib") || strings.HasSuffix(f, ".dll")
}

// buildTinyGo builds dir/guest (a module of its own) with the tinygo on
// PATH, or the one $TINYGO names.
func buildTinyGo(dir, out string, log io.Writer) error {
	tg := os.Getenv("TINYGO")
	if tg == "" {
		tg = "tinygo"
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if err := runTool(log, filepath.Join(dir, "guest"), nil, tg, "build", "-target=wasip1", "-opt=2", "-scheduler=none", "-no-debug", "-o", abs, "."); err != nil {
		return fmt.Errorf("%w (TinyGo 0.33 or newer: https://tinygo.org/getting-started/install/, or set TINYGO)", err)
	}
	return nil
}

// buildC compiles each .c file for wasm32-wasi, then links a reactor
// without an -O flag (with one, clang runs binaryen's wasm-opt when it is
// installed, and the module would depend on that). clang-19 (Debian's
// clang-19, lld-19, wasi-libc, libclang-rt-19-dev-wasm32) or clang, or
// the one $CC names.
func buildC(dir string, srcs []string, log io.Writer) error {
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "clang"
		if _, err := exec.LookPath("clang-19"); err == nil {
			cc = "clang-19"
		}
	}
	tmp, err := os.MkdirTemp("", "wasmvec-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	objs := []string{}
	for _, src := range srcs {
		obj := filepath.Join(tmp, strings.TrimSuffix(filepath.Base(src), ".c")+".o")
		if err := runTool(log, filepath.Dir(src), nil, cc, "--target=wasm32-wasi", "-O3", "-ffp-contract=off", "-Wall", "-Wextra", "-I.", "-c", filepath.Base(src), "-o", obj); err != nil {
			return fmt.Errorf("%w (Debian: apt-get install clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32)", err)
		}
		objs = append(objs, obj)
	}
	return runTool(log, dir, nil, cc, append([]string{"--target=wasm32-wasi", "-mexec-model=reactor", "-Wl,--strip-debug", "-o", "guest.wasm"}, objs...)...)
}

func copyFile(dst, src string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// checkReactor says what is wrong when the module is a WASI command (it
// exports _start, not _initialize) that is not TinyGo's: the host would
// run its main at load, which for a standard Go command never returns. It
// also reports whether the module is threaded (imports a shared memory).
func checkReactor(wasm []byte, lang string) (threaded bool, err error) {
	e := wasmtime.NewEngineWithConfig(threadsConfig())
	defer e.Close()
	m, err := wasmtime.NewModule(e, wasm)
	if err != nil {
		return false, fmt.Errorf("not a valid module: %w", err)
	}
	defer m.Close()
	for _, imp := range m.Imports() {
		if mt := imp.Type().MemoryType(); mt != nil && mt.IsShared() {
			threaded = true
		}
	}
	var start, init bool
	for _, x := range m.Exports() {
		start = start || x.Name() == "_start"
		init = init || x.Name() == "_initialize"
	}
	if start && !init && lang != "tinygo" {
		hint := map[string]string{
			"go":   "build with -buildmode=c-shared",
			"c":    "link with -mexec-model=reactor",
			"rust": `build a library (crate-type = ["cdylib"]), not a binary`,
		}[lang]
		return threaded, fmt.Errorf("a WASI command (it exports _start), not a reactor: the host calls a reactor's exports; %s", hint)
	}
	return threaded, nil
}

func threadsConfig() *wasmtime.Config {
	cfg := wasmtime.NewConfig()
	cfg.SetWasmSIMD(true)
	cfg.SetWasmThreads(true)
	return cfg
}
