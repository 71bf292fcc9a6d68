// Package kit holds wasmvec's guest kits, one per guest language, and
// writes new guest projects from its templates (`wasmvec new`):
//
//   - rust/: the Rust crate wasmvec-guest (buffer!, kernel!, and with
//     feature "rayon" a Rayon pool on wasi-threads that the host sizes);
//   - c/: the C header wasmvec_guest.h (WASMVEC_BUFFER, WASMVEC_KERNEL,
//     WASMVEC_REQUIRE);
//   - guest/: the Go package for guests built by the standard toolchain or
//     by TinyGo (Buffer[T], Require).
//
// The project's own example guests (examples/mykernels, examples/rayon)
// are built with the same kits, so a kit cannot drift from the contract
// (wit/README.md) without their tests failing.
package kit

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"
)

//go:embed rust/Cargo.toml rust/build.rs rust/src/*.rs c/wasmvec_guest.h guest/*.go templates
var files embed.FS

// Languages lists the templates New writes, in the order usage shows them.
var Languages = []string{"rust", "rust-rayon", "c", "go", "tinygo"}

// ErrProject is wrapped by New's errors about its arguments: an unknown
// language, a name that is not a valid crate or module name, a folder
// that exists and is not empty.
var ErrProject = errors.New("wasmvec new")

// Project says what New writes.
type Project struct {
	// Lang is one of Languages.
	Lang string
	// Dir is the folder to create; it must not exist or be empty.
	Dir string
	// Version is the wasmvec version the project's go.mod requires, such as
	// "v0.3.0" or a pseudo-version; "v0.0.0" with Replace.
	Version string
	// Replace, if not empty, is a wasmvec checkout the go.mod's replace
	// directive points at (an absolute path).
	Replace string
}

// fields are the templates' data.
type fields struct {
	Name      string // the project's name: the folder's, as a crate and a guest name
	Lib       string // the crate's library name (Name with '-' as '_')
	Package   string // the Go test's package name (as Lib; with "guest" after a Go keyword)
	Module    string // the Go module path
	Version   string
	Replace   string
	Target    string // the Rust target
	Threaded  bool   // rust-rayon
	Rust      bool   // rust or rust-rayon
	TinyGo    bool
	KitImport string // the Go guest's import path of the kit
}

var validName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)

// New writes a guest project for p.Lang into p.Dir and returns the paths
// it wrote, relative to p.Dir: the guest's sources (with a copy of the
// language's kit where the language has no package registry wasmvec is
// in: the Rust crate in wasmvec-guest/, the C header, TinyGo's copy of
// kit/guest), a kernel "scale" (x[i] = a·x[i] for i < len over a buffer
// "x" of 65,536 float64), and a Go module whose test loads guest.wasm and
// checks the kernel against its reference loop, bit for bit, and that a
// length past the capacity traps. The folder's base name, lower case,
// names the project: a letter, then letters, digits, '-' or '_'. Errors
// wrap ErrProject, or are the file system's.
func New(p Project) ([]string, error) {
	known := false
	for _, l := range Languages {
		known = known || l == p.Lang
	}
	if !known {
		return nil, fmt.Errorf("%w: unknown language %q: want one of %s", ErrProject, p.Lang, strings.Join(Languages, ", "))
	}
	name := strings.ToLower(filepath.Base(filepath.Clean(p.Dir)))
	if !validName.MatchString(name) {
		return nil, fmt.Errorf("%w: the folder's name %q is not a project name: a letter, then letters, digits, '-' or '_' (at most 64)", ErrProject, name)
	}
	switch ents, err := os.ReadDir(p.Dir); {
	case err == nil && len(ents) > 0:
		return nil, fmt.Errorf("%w: %s exists and is not empty", ErrProject, p.Dir)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		// It may hold files it cannot show (a folder of mode 0300): never
		// write into what cannot be seen to be empty.
		return nil, fmt.Errorf("%w: %s cannot be listed, so it cannot be seen to be empty: %w", ErrProject, p.Dir, err)
	}
	lib := strings.ReplaceAll(name, "-", "_")
	pkg := lib
	if token.IsKeyword(pkg) { // a folder named go, func, type...: "package go" does not parse
		pkg += "guest"
	}
	f := fields{
		Name: name, Lib: lib, Package: pkg, Module: "example.com/" + name,
		Version: p.Version, Replace: p.Replace, Target: "wasm32-wasip1",
		Threaded: p.Lang == "rust-rayon", Rust: strings.HasPrefix(p.Lang, "rust"), TinyGo: p.Lang == "tinygo",
		KitImport: "github.com/wasmvec/wasmvec/kit/guest",
	}
	if f.Threaded {
		f.Target = "wasm32-wasip1-threads"
	}
	if f.TinyGo {
		f.KitImport = "guest/kit/guest"
	}
	out := map[string][]byte{}
	put := func(dst, tmpl string) error {
		b, err := render(tmpl, f)
		out[dst] = b
		return err
	}
	copyDir := func(dst, src string, keep func(string) bool) error {
		ents, err := fs.ReadDir(files, src)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if e.IsDir() || !keep(e.Name()) {
				continue
			}
			b, err := files.ReadFile(path.Join(src, e.Name()))
			if err != nil {
				return err
			}
			out[path.Join(dst, e.Name())] = b
		}
		return nil
	}
	all := func(string) bool { return true }
	errs := []error{
		put("go.mod", "common/go.mod.tmpl"),
		put("guest_test.go", "common/guest_test.go.tmpl"),
	}
	switch p.Lang {
	case "rust", "rust-rayon":
		lib := "rust/lib.rs.tmpl"
		if f.Threaded {
			lib = "rust-rayon/lib.rs.tmpl"
		}
		errs = append(errs,
			put("Cargo.toml", "rust/Cargo.toml.tmpl"),
			put(".cargo/config.toml", "rust/config.toml.tmpl"),
			put("src/lib.rs", lib),
			put(".gitignore", "common/gitignore.tmpl"),
			copyDir("wasmvec-guest", "rust", func(n string) bool { return n == "Cargo.toml" || n == "build.rs" }),
			copyDir("wasmvec-guest/src", "rust/src", all))
	case "c":
		// In guest/: go test refuses .c files in a Go package's folder.
		errs = append(errs, put("guest/guest.c", "c/guest.c.tmpl"), copyDir("guest", "c", all))
	case "go":
		errs = append(errs, put("guest/main.go", "go/main.go.tmpl"))
	case "tinygo":
		errs = append(errs,
			put("guest/main.go", "go/main.go.tmpl"),
			put("guest/go.mod", "tinygo/go.mod.tmpl"),
			copyDir("guest/kit/guest", "guest", func(n string) bool { return !strings.HasSuffix(n, "_test.go") }))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var wrote []string
	for rel := range out {
		wrote = append(wrote, rel)
	}
	sort.Strings(wrote)
	for _, rel := range wrote {
		dst := filepath.Join(p.Dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return nil, err
		}
		if err := createFile(dst, out[rel]); err != nil {
			return nil, err
		}
	}
	return wrote, nil
}

// render runs the embedded template at templates/name over f.
func render(name string, f fields) ([]byte, error) {
	src, err := files.ReadFile("templates/" + name)
	if err != nil {
		return nil, err
	}
	t, err := template.New(name).Option("missingkey=error").Parse(string(src))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// createFile writes data to a new file at path; a file already there (made
// since the folder was seen empty) is an error, never overwritten.
func createFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrProject, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
