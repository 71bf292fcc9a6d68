package host_test

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/corpus"
	"github.com/wasmvec/wasmvec/vector"
)

// The hostile-guest corpus: testdata/hostile holds one module per attack,
// in the text format, each headed by comments that state what the host
// must do with it (package internal/corpus reads them). The .wasm files are
// byte strings that are not modules; they must fail to load with
// ErrModule.

var sentinels = map[string]error{
	"nil": nil, "ErrMissingExport": host.ErrMissingExport,
	"ErrSignature": host.ErrSignature, "ErrModule": host.ErrModule,
	"ErrTrap": host.ErrTrap, "ErrDeadline": host.ErrDeadline, "ErrContract": host.ErrContract,
	"ErrLimit": host.ErrLimit,
}

type attack struct {
	want    error
	export  string
	call    string
	threads int
	timeout time.Duration
	result  string
	stderr  string
}

func readAttack(t *testing.T, src string) attack {
	t.Helper()
	h, err := corpus.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	want, ok := sentinels[h.Want]
	if !ok {
		t.Fatalf("unknown sentinel %q", h.Want)
	}
	return attack{want: want, export: h.Export, call: h.Call, threads: h.Threads, timeout: h.Timeout, result: h.Result, stderr: h.Stderr}
}

// callKernel calls the named vector kernel (or each of them) on small
// inputs, through package vector: a module that does not implement the
// vector world fails at vector.Lookup.
func callKernel(in *host.Instance, name string) (float64, error) {
	vec, err := vector.Lookup(in.Module())
	if err != nil {
		return 0, err
	}
	vs, err := vector.Lookup(in.Module(), vector.WithSIMD())
	if err != nil {
		return 0, err
	}
	x, y, dst := []float64{1, 2, 3, 4}, []float64{5, 6, 7, 8}, make([]float64, 4)
	calls := map[string]func() (float64, error){
		"sum":        func() (float64, error) { return vec.Sum(in, x) },
		"sum-simd":   func() (float64, error) { return vs.Sum(in, x) },
		"dot":        func() (float64, error) { return vec.Dot(in, x, y) },
		"dot-simd":   func() (float64, error) { return vs.Dot(in, x, y) },
		"mul":        func() (float64, error) { return 0, vec.Mul(in, dst, x, y) },
		"mul-simd":   func() (float64, error) { return 0, vs.Mul(in, dst, x, y) },
		"scale":      func() (float64, error) { return 0, vec.Scale(in, dst, x, 2) },
		"scale-simd": func() (float64, error) { return 0, vs.Scale(in, dst, x, 2) },
		"sum-batch":  func() (float64, error) { return 0, vec.SumBatch(in, dst[:2], x, 2) },
		"dot-batch":  func() (float64, error) { return 0, vec.DotBatch(in, dst[:2], x, y, 2) },
	}
	if name != "every kernel" {
		return calls[name]()
	}
	// Every one must trap: return the first error that is not a trap.
	// err is nil here
	for k, f := range calls {
		if _, err = f(); err == nil {
			return 0, errors.New(k + " succeeded")
		}
		if !errors.Is(err, host.ErrTrap) {
			return 0, err
		}
	}
	return 0, err
}

func TestHostileCorpus(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	e := host.NewEngine(host.WithDeadlines())
	defer e.Close()
	files, err := filepath.Glob("testdata/hostile/*")
	if err != nil || len(files) < 30 {
		t.Fatalf("corpus: %d files, %v", len(files), err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			src := mustRead(t, path)
			a := attack{want: host.ErrModule}
			module := src
			if strings.HasSuffix(name, ".wat") {
				a = readAttack(t, string(src))
				module, err = wasmtime.Wat2Wasm(string(src))
				if err != nil {
					t.Fatalf("does not assemble: %v", err)
				}
			}
			var opts []host.Option
			if a.threads > 0 {
				opts = append(opts, host.WithThreads(a.threads))
			}
			if a.timeout > 0 {
				opts = append(opts, host.WithTimeout(a.timeout))
			}
			in, err := e.Load(name, module, opts...)
			var got float64
			if err == nil {
				defer in.Close()
				if a.call == "" {
					t.Fatalf("loaded; want %v", a.want)
				}
				got, err = callKernel(in, a.call)
			} else if a.call != "" {
				t.Fatalf("load: %v; want it to load and %s to fail", err, a.call)
			}
			if a.want == nil {
				if err != nil || strconv.FormatFloat(got, 'g', -1, 64) != a.result {
					t.Fatalf("%s = %v, %v; want %s", a.call, got, err, a.result)
				}
				return
			}
			var ge *host.GuestError
			if !errors.Is(err, a.want) || !errors.As(err, &ge) {
				t.Fatalf("%v; want a *GuestError wrapping %v", err, a.want)
			}
			if ge.Guest != name || (a.export != "" && ge.Export != a.export) {
				t.Errorf("error names guest %q export %q; want %q %q (%v)", ge.Guest, ge.Export, name, a.export, err)
			}
			var trap *host.Trap
			if errors.Is(err, host.ErrTrap) && !errors.As(err, &trap) {
				t.Errorf("%v: ErrTrap without a *Trap (load-time and call traps carry the same type)", err)
			}
			if a.stderr != "" && (!errors.As(err, &trap) || !strings.Contains(trap.Stderr, a.stderr)) {
				t.Errorf("%v; want a *Trap whose Stderr holds %q", err, a.stderr)
			}
			t.Log(strings.SplitN(err.Error(), "\n", 2)[0])
		})
	}
	// The engine still serves a good guest.
	in, err := e.LoadFile(rustGuest)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if got, err := sumOf(in, []float64{1, 2, 3}); err != nil || got != 6 {
		t.Fatalf("good guest after hostile ones: %v, %v", got, err)
	}
}
