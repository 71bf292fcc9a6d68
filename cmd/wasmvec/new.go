package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/wasmvec/wasmvec/kit"
)

const newUsage = "usage: wasmvec new [-replace WASMVEC_CHECKOUT] rust|rust-rayon|c|go|tinygo DIR"

// runNew is `wasmvec new`: kit.New, then go mod tidy in the new folder.
func runNew(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("new", flag.ContinueOnError)
	fs.SetOutput(stderr)
	replace := fs.String("replace", "", "a wasmvec checkout for the go.mod's replace directive (default: none for a released wasmvec; the checkout this wasmvec was run from otherwise)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 2 {
		fmt.Fprintln(stderr, newUsage)
		return 2
	}
	lang, dir := fs.Arg(0), fs.Arg(1)
	version, rep, err := requirement(*replace)
	if err != nil {
		fmt.Fprintln(stderr, "wasmvec new:", err)
		return 1
	}
	wrote, err := kit.New(kit.Project{Lang: lang, Dir: dir, Version: version, Replace: rep})
	if err != nil {
		fmt.Fprintln(stderr, err)
		if errors.Is(err, kit.ErrProject) && strings.Contains(err.Error(), "unknown language") {
			return 2
		}
		return 1
	}
	fmt.Fprintf(stdout, "wrote a %s guest in %s:\n", lang, dir)
	for _, f := range wrote {
		fmt.Fprintf(stdout, "  %s\n", f)
	}
	if _, err := exec.LookPath("go"); err == nil {
		cmd := exec.Command("go", "mod", "tidy")
		cmd.Dir, cmd.Stdout, cmd.Stderr = dir, stderr, stderr
		fmt.Fprintf(stdout, "running go mod tidy in %s\n", dir)
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(stderr, "wasmvec new: go mod tidy failed (%v): run it in %s once the module proxy can be reached; "+
				"from a checkout of wasmvec, or a module of your own that requires an unpublished wasmvec, give -replace PATH (the wasmvec checkout)\n", err, dir)
			return 1
		}
	}
	fmt.Fprintf(stdout, "next: cd %s && %s build . && go test\n", dir, selfCommand())
	return 0
}

// selfCommand is how the user can run this command again: wasmvec when it
// is on PATH, the go run form when this is go run's temporary build, else
// this executable's path. (A "next" line that names a wasmvec nothing
// installed fails at the first step.)
func selfCommand() string {
	if p, err := exec.LookPath("wasmvec"); err == nil {
		if self, err := os.Executable(); err == nil && sameFile(p, self) {
			return "wasmvec"
		}
	}
	self, err := os.Executable()
	if err != nil || strings.Contains(self, string(filepath.Separator)+"go-build") {
		return "go run github.com/wasmvec/wasmvec/cmd/wasmvec@latest"
	}
	return self
}

// sameFile reports whether paths a and b name one file.
func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// requirement returns the wasmvec version a new project's go.mod requires
// and its replace directive's target, if any: with -replace, v0.0.0 and
// that checkout; for a released wasmvec (go run ...@latest), its version;
// for one built from a checkout, the checkout holding the current folder,
// else an error asking for -replace.
func requirement(replace string) (version, rep string, err error) {
	if replace != "" {
		abs, err := filepath.Abs(replace)
		if err != nil {
			return "", "", err
		}
		if !isWasmvec(abs) {
			return "", "", fmt.Errorf("-replace %s: not a wasmvec checkout (no go.mod declaring module github.com/wasmvec/wasmvec)", replace)
		}
		return "v0.0.0", abs, nil
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Path == "github.com/wasmvec/wasmvec" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version, "", nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if isWasmvec(d) {
			return "v0.0.0", d, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", "", errors.New("this wasmvec was built from a checkout and the current folder is not in one: pass -replace with the checkout's path, or run go run github.com/wasmvec/wasmvec/cmd/wasmvec@latest")
}

// isWasmvec reports whether dir holds wasmvec's go.mod.
func isWasmvec(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	return err == nil && strings.HasPrefix(string(b), "module github.com/wasmvec/wasmvec\n")
}
