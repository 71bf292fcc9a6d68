package vector_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
	"github.com/wasmvec/wasmvec/vector"
)

// TestGuestsTrapPastCapacity: the WIT says a kernel called with a length
// above the capacity traps instead of touching memory past its buffers.
// The client never makes such a call; this checks each guest keeps the
// rule (through the generic host.Instance.Call), and that the instance
// serves correct calls afterwards. The Go guest's runtime is left
// mid-panic by its first trap (a second panic ends in proc_exit, and the
// host ends the instance): each of its calls runs on an instance of its
// own.
func TestGuestsTrapPastCapacity(t *testing.T) {
	e := host.NewEngine()
	defer e.Close()
	for _, path := range []string{rustGuest, cGuest, goGuest, tinygoGuest} {
		in, err := testguest.LoadFile(e, path)
		if err != nil {
			t.Fatal(err)
		}
		fresh := func() {}
		if path == goGuest {
			fresh = func() {
				in.Close()
				if in, err = testguest.LoadFile(e, path); err != nil {
					t.Fatal(err)
				}
			}
		}
		capacity := 0
		for _, b := range in.Layout() {
			if b.Name == "a" {
				capacity = b.Capacity
			}
		}
		for _, name := range []string{"sum", "dot-simd-fold", "mul", "scale-simd"} {
			fresh()
			k, err := in.Module().Kernel(name)
			if err != nil {
				t.Fatal(err)
			}
			args := []uint64{uint64(capacity + 1)}
			if len(k.Params()) == 2 {
				args = []uint64{0x3ff0_0000_0000_0000, uint64(capacity + 1)} // 1.0, capacity+1
			}
			_, err = in.Call(k, args...)
			var trap *host.Trap
			if !errors.Is(err, host.ErrTrap) || !errors.As(err, &trap) {
				t.Errorf("%s %s(capacity+1): %v, want a trap", path, name, err)
			}
		}
		// The instance stays usable (but the Go guest's).
		fresh()
		vec, err := vector.Lookup(in.Module())
		if err != nil {
			t.Fatal(err)
		}
		if v, err := vec.Sum(in, []float64{1, 2}); err != nil || v != 3 {
			t.Errorf("%s: Sum after traps = %v, %v; want 3", path, v, err)
		}
		in.Close()
	}
}

// TestHostKnowsNoVectorKernel: no source of package host names a kernel or
// buffer of the vector world; it runs them from what the modules declare,
// as it runs any other (the issue "One generic core").
func TestHostKnowsNoVectorKernel(t *testing.T) {
	files, err := filepath.Glob("../host/*.go")
	if err != nil || len(files) < 10 {
		t.Fatalf("host sources: %d, %v", len(files), err)
	}
	word := regexp.MustCompile(`(?i)\b(sum|sums|dot|mul|scale)\b|"(a|b|result)"|-simd|-fold|-blocks|-batch`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			// sha256's Sum256 and its variable are not the vector world's.
			line = strings.ReplaceAll(line, "sum := sha256", "")
			line = strings.ReplaceAll(line, "sum[:]", "")
			if m := word.FindString(line); m != "" {
				t.Errorf("%s:%d names %q: %s", f, i+1, m, strings.TrimSpace(line))
			}
		}
	}
}
