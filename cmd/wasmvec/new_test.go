package main

import (
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wasmvec/wasmvec/kit"
)

// TestNewWritesKits: every template writes its guest with a copy of the
// kit that is byte for byte the repository's (a template cannot drift from
// the kit the project's own guests use), a go.mod that requires wasmvec
// (replaced by a checkout when asked) and the Go test; Go files are
// gofmt'd. ./build.sh test builds each one and runs its test.
func TestNewWritesKits(t *testing.T) {
	kitOf := map[string]map[string]string{
		"rust":       {"wasmvec-guest/Cargo.toml": "rust/Cargo.toml", "wasmvec-guest/src/lib.rs": "rust/src/lib.rs", "wasmvec-guest/src/threads.rs": "rust/src/threads.rs"},
		"rust-rayon": {"wasmvec-guest/src/threads.rs": "rust/src/threads.rs", "wasmvec-guest/build.rs": "rust/build.rs"},
		"c":          {"guest/wasmvec_guest.h": "c/wasmvec_guest.h"},
		"tinygo":     {"guest/kit/guest/guest.go": "guest/guest.go", "guest/kit/guest/report_tinygo.go": "guest/report_tinygo.go"},
		"go":         {},
	}
	for _, lang := range kit.Languages {
		dir := filepath.Join(t.TempDir(), "my-"+lang)
		wrote, err := kit.New(kit.Project{Lang: lang, Dir: dir, Version: "v0.0.0", Replace: "/src/wasmvec"})
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for dst, src := range kitOf[lang] {
			got, err1 := os.ReadFile(filepath.Join(dir, dst))
			want, err2 := os.ReadFile(filepath.Join("../../kit", src))
			if err1 != nil || err2 != nil || !bytes.Equal(got, want) {
				t.Errorf("%s: %s is not kit/%s (%v, %v)", lang, dst, src, err1, err2)
			}
		}
		mod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
		if !strings.Contains(string(mod), "module example.com/my-"+lang) || !strings.Contains(string(mod), "require github.com/wasmvec/wasmvec v0.0.0") ||
			!strings.Contains(string(mod), "replace github.com/wasmvec/wasmvec => /src/wasmvec") {
			t.Errorf("%s: go.mod:\n%s", lang, mod)
		}
		for _, f := range wrote {
			if strings.HasSuffix(f, ".go") {
				if out, err := exec.Command("gofmt", "-l", filepath.Join(dir, f)).CombinedOutput(); err != nil || len(out) > 0 {
					t.Errorf("%s: %s is not gofmt'd: %s %v", lang, f, out, err)
				}
			}
		}
		if lang == "rust" || lang == "rust-rayon" {
			cargo, _ := os.ReadFile(filepath.Join(dir, "Cargo.toml"))
			cfg, _ := os.ReadFile(filepath.Join(dir, ".cargo/config.toml"))
			target := map[string]string{"rust": `"wasm32-wasip1"`, "rust-rayon": `"wasm32-wasip1-threads"`}[lang]
			if !strings.Contains(string(cargo), `crate-type = ["cdylib"]`) || !strings.Contains(string(cfg), "target = "+target) {
				t.Errorf("%s: Cargo.toml or .cargo/config.toml lacks the cdylib or the target:\n%s\n%s", lang, cargo, cfg)
			}
		}
	}
}

// TestNewRefuses: an unknown language is a usage error (2); a folder that
// is not empty or whose name is no project name is refused (1) and left
// as it was.
func TestNewRefuses(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"new", "cobol", filepath.Join(t.TempDir(), "x")}, &out, &errs); code != 2 || !strings.Contains(errs.String(), "rust, rust-rayon, c, go, tinygo") {
		t.Errorf("unknown language: exit %d, %q", code, errs.String())
	}
	full := filepath.Join(t.TempDir(), "full")
	os.Mkdir(full, 0o755)
	os.WriteFile(filepath.Join(full, "keep.txt"), []byte("mine"), 0o644)
	errs.Reset()
	if code := run([]string{"new", "-replace", "../..", "c", full}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "is not empty") {
		t.Errorf("non-empty folder: exit %d, %q", code, errs.String())
	}
	if ents, _ := os.ReadDir(full); len(ents) != 1 {
		t.Errorf("the folder was written to: %v", ents)
	}
	errs.Reset()
	if code := run([]string{"new", "-replace", "../..", "go", filepath.Join(t.TempDir(), "9lives")}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "not a project name") {
		t.Errorf("bad name: exit %d, %q", code, errs.String())
	}
	errs.Reset()
	if code := run([]string{"new", "-replace", t.TempDir(), "go", filepath.Join(t.TempDir(), "ok")}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "not a wasmvec checkout") {
		t.Errorf("-replace elsewhere: exit %d, %q", code, errs.String())
	}
	// A target that cannot be listed cannot be seen to be empty: refused,
	// never written (a folder of mode 0300 lost its go.mod so; as root,
	// which lists anything, a path that is a file stands in for it).
	hidden := filepath.Join(t.TempDir(), "hidden")
	os.Mkdir(hidden, 0o755)
	os.WriteFile(filepath.Join(hidden, "go.mod"), []byte("module mine\n"), 0o644)
	os.Chmod(hidden, 0o300)
	defer os.Chmod(hidden, 0o755)
	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, []byte("mine"), 0o644)
	for _, target := range []string{hidden, notDir} {
		errs.Reset()
		if code := run([]string{"new", "-replace", "../..", "go", target}, &out, &errs); code != 1 {
			t.Errorf("%s: exit %d, %q; want 1", target, code, errs.String())
		}
	}
	os.Chmod(hidden, 0o755)
	if b, _ := os.ReadFile(filepath.Join(hidden, "go.mod")); string(b) != "module mine\n" {
		t.Errorf("go.mod of a folder that cannot be listed was overwritten: %q", b)
	}
}

// TestBuildSaysWhatIsWrong: a crate without crate-type = ["cdylib"] and
// one built for this machine give errors that say what to change; a
// folder with no project says so. Needs cargo and the wasm32-wasip1
// target (./build.sh test has both).
func TestBuildSaysWhatIsWrong(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"build", t.TempDir()}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "no guest project here") {
		t.Errorf("empty folder: exit %d, %q", code, errs.String())
	}
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Skip("no cargo")
	}
	for _, c := range []struct {
		name, want string
		edit       func(dir string)
	}{
		{"no cdylib", `Cargo.toml needs [lib] crate-type = ["cdylib"]`, func(dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, "Cargo.toml"))
			os.WriteFile(filepath.Join(dir, "Cargo.toml"), bytes.Replace(b, []byte(`crate-type = ["cdylib"]`), nil, 1), 0o644)
		}},
		{"no wasm target", `for this machine, not for WebAssembly: set [build] target = "wasm32-wasip1"`, func(dir string) {
			os.RemoveAll(filepath.Join(dir, ".cargo"))
		}},
		// refused before building: no WASI, so no panic message would reach the host
		{"wasm32-unknown-unknown", `builds for wasm32-unknown-unknown, which has no WASI`, func(dir string) {
			os.WriteFile(filepath.Join(dir, ".cargo", "config.toml"), []byte("[build]\ntarget = \"wasm32-unknown-unknown\"\n"), 0o644)
		}},
	} {
		dir := filepath.Join(t.TempDir(), "bad")
		if _, err := kit.New(kit.Project{Lang: "rust", Dir: dir, Version: "v0.0.0", Replace: "/nowhere"}); err != nil {
			t.Fatal(err)
		}
		c.edit(dir)
		errs.Reset()
		if code := run([]string{"build", dir}, &out, &errs); code != 1 || !strings.Contains(errs.String(), c.want) {
			t.Errorf("%s: exit %d, want 1 and %q in:\n%s", c.name, code, c.want, errs.String())
		}
	}
}

// TestNewFolderNamedAfterAKeyword: a project in a folder named go (or any
// Go keyword) gets a Go test package that parses ("package goguest"); it
// was "package go", and its test did not build.
func TestNewFolderNamedAfterAKeyword(t *testing.T) {
	for _, name := range []string{"go", "func", "type"} {
		dir := filepath.Join(t.TempDir(), name)
		if _, err := kit.New(kit.Project{Lang: "go", Dir: dir, Version: "v0.0.0", Replace: "/src/wasmvec"}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		paths, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
		if len(paths) == 0 {
			t.Fatalf("%s: no Go test written", name)
		}
		for _, p := range paths {
			if _, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.PackageClauseOnly); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
	}
}
