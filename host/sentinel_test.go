package host_test

import (
	"context"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/vector"
)

// TestSentinelTable: the table "Which sentinel each fault gives" in
// docs/security.md is the contract. Every row's fault is produced here on
// every path the row names, and each error must wrap every sentinel the
// row lists; rows and cases must match one to one, so the table cannot
// list a fault nobody checks, nor a check go undocumented.
func TestSentinelTable(t *testing.T) {
	doc, err := os.ReadFile("../docs/security.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]error{}
	row := regexp.MustCompile("^\\| `([a-z-]+)` \\|.*\\| ([^|]+) \\|$")
	for _, line := range strings.Split(string(doc), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var want []error
		for _, name := range regexp.MustCompile(`Err[A-Za-z]+`).FindAllString(m[2], -1) {
			s, ok := sentinels[name]
			if !ok {
				s, ok = map[string]error{"ErrLength": vector.ErrLength, "ErrCapacity": vector.ErrCapacity,
					"ErrConcurrent": host.ErrConcurrent, "ErrOption": host.ErrOption, "ErrClosed": host.ErrClosed}[name]
			}
			if !ok {
				t.Fatalf("row %s names %s, no sentinel", m[1], name)
			}
			want = append(want, s)
		}
		rows[m[1]] = want
	}
	cases := sentinelCases(t)
	for id := range rows {
		if cases[id] == nil {
			t.Errorf("the table's row %q has no case here", id)
		}
	}
	for id, run := range cases {
		want, ok := rows[id]
		if !ok {
			t.Errorf("case %q is not in the table", id)
			continue
		}
		before := host.StuckThreadsForTest()
		paths := run(t)
		if len(paths) == 0 {
			t.Errorf("%s: no path produced", id)
		}
		for path, err := range paths {
			for _, s := range want {
				if !errors.Is(err, s) {
					t.Errorf("%s via %s: %v does not wrap %v", id, path, err, s)
				}
			}
			if strings.Contains(rowLine(doc, id), "*Trap") {
				var trap *host.Trap
				if !errors.As(err, &trap) {
					t.Errorf("%s via %s: %v has no *Trap", id, path, err)
				}
			}
		}
		// The threads of a failed instance count as stuck until they end,
		// which those of these cases do within moments.
		for wait := time.Now().Add(5 * time.Second); host.StuckThreadsForTest() != before && time.Now().Before(wait); {
			time.Sleep(time.Millisecond)
		}
		if n := host.StuckThreadsForTest(); n != before {
			t.Errorf("%s: %d stuck threads left in the process", id, n-before)
		}
	}
}

func rowLine(doc []byte, id string) string {
	for _, line := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(line, "| `"+id+"` |") {
			return line
		}
	}
	return ""
}

// corpusWasm assembles the corpus module name.
func corpusWasm(t *testing.T, name string) []byte {
	t.Helper()
	src, err := os.ReadFile("testdata/hostile/" + name + ".wat")
	if err != nil {
		t.Fatal(err)
	}
	return compileWAT(t, string(src))
}

// sentinelCases: for each row of the table, the fault on each path.
func sentinelCases(t *testing.T) map[string]func(*testing.T) map[string]error {
	e := host.NewEngine(host.WithDeadlines())
	t.Cleanup(func() { e.Close() })
	plain := host.NewEngine()
	t.Cleanup(func() { plain.Close() })
	compileFails := func(name string) func(*testing.T) map[string]error {
		return func(t *testing.T) map[string]error {
			var wasm []byte
			if strings.HasSuffix(name, ".wasm") {
				wasm = mustRead(t, "testdata/hostile/"+name)
			} else {
				wasm = corpusWasm(t, name)
			}
			_, cerr := e.Compile(name, wasm)
			_, lerr := e.Load(name, wasm)
			return map[string]error{"Compile": cerr, "Load": lerr}
		}
	}
	instantiateFails := func(name string, opts ...host.Option) func(*testing.T) map[string]error {
		return func(t *testing.T) map[string]error {
			var wasm []byte
			if name == "rust" {
				wasm = mustRead(t, rustGuest)
			} else {
				wasm = corpusWasm(t, name)
			}
			m, err := e.Compile(name, wasm)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			_, ierr := m.Instantiate(opts...)
			_, perr := modPool(m, 2, opts...)
			_, lerr := e.Load(name, wasm, opts...)
			return map[string]error{"Instantiate": ierr, "NewPool": perr, "Load": lerr}
		}
	}
	load := func(t *testing.T, eng *host.Engine, name string, wasm []byte, opts ...host.Option) *host.Instance {
		in, err := eng.Load(name, wasm, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { in.Close() })
		return in
	}
	return map[string]func(*testing.T) map[string]error{
		"malformed": compileFails("malformed-bytes.wasm"),
		"compile-limit": func(t *testing.T) map[string]error {
			small := host.NewEngine(host.WithCompileLimits(1000, 0))
			defer small.Close()
			_, cerr := small.Compile("rust", mustRead(t, rustGuest))
			_, lerr := small.Load("rust", mustRead(t, rustGuest))
			return map[string]error{"Compile": cerr, "Load": lerr}
		},
		"import": func(t *testing.T) map[string]error {
			got := compileFails("import-unknown-module")(t)
			// An unknown function of WASI's own module compiles; it is
			// refused when the host links it.
			for path, err := range instantiateFails("import-unknown-wasi-function")(t) {
				got[path] = err
			}
			return got
		},
		"signature": func(t *testing.T) map[string]error {
			got := compileFails("contract-kernel-externref")(t)
			// A vector-world kernel of the wrong type compiles (a guest
			// need not implement the world); package vector refuses it.
			in := load(t, e, "wrong", corpusWasm(t, "wrong-parameter-type"))
			_, got["vector.Lookup"] = vector.Lookup(in.Module())
			return got
		},
		"no-initialize": compileFails("threads-no-initialize"),
		"layout":        instantiateFails("overlapping-buffers"),
		"memory-limit":  instantiateFails("rust", host.WithMemoryLimit(1<<16)),
		"option":        instantiateFails("trap-in-initialize", host.WithThreads(0)),
		"trap-start":    instantiateFails("trap-in-initialize"),
		"load-deadline": instantiateFails("infinite-loop-in-initialize", host.WithTimeout(20*time.Millisecond)),
		"missing-export": func(t *testing.T) map[string]error {
			in := load(t, e, "missing", corpusWasm(t, "missing-export"))
			_, verr := vector.Lookup(in.Module())
			_, kerr := in.Module().Kernel("no-such-kernel")
			return map[string]error{"vector.Lookup": verr, "Kernel": kerr}
		},
		"trap-kernel": func(t *testing.T) map[string]error {
			wasm := corpusWasm(t, "trap-in-every-kernel")
			in := load(t, e, "trap", wasm)
			k, err := in.Module().Kernel("sum")
			if err != nil {
				t.Fatal(err)
			}
			_, serr := vk(in).Sum(in, []float64{1})
			_, cerr := in.Call(k, host.Encode(int32(1)))
			berr := in.InPlace(func(b host.Buffers) error { _, err := vk(in).SumInPlace(b, 1); return err })
			p := onePool(t, "trap", wasm, host.WithDeadlines())
			perr := p.Do(context.Background(), func(in *host.Instance) error { _, err := vk(in).Sum(in, []float64{1}); return err })
			return map[string]error{"Sum": serr, "Call": cerr, "Buffers.Sum": berr, "Pool.Do": perr}
		},
		"trap-worker": func(t *testing.T) map[string]error {
			got := map[string]error{}
			in := load(t, e, "worker-trap", compileWAT(t, threadedWAT(map[string]string{"sum": sumGoThenSleeps}, trapOnGo, "")), host.WithThreads(2))
			_, got["Sum (WithDeadlines)"] = vk(in).Sum(in, []float64{1})
			// On the default engine, with a caller that looks at the abort
			// flag (one that does not would stay stuck in this process).
			in = load(t, plain, "worker-trap", compileWAT(t, threadedWAT(map[string]string{"sum": sumThatWaits}, trapOnGo, "")), host.WithThreads(2))
			_, got["Sum (default engine)"] = vk(in).Sum(in, []float64{1})
			// A worker that traps while start-workers waits for it: the
			// load fails with its trap.
			_, got["Load"] = e.Load("start-trap", compileWAT(t, threadedWAT(nil, "unreachable", "1")), host.WithThreads(2))
			return got
		},
		"call-deadline": func(t *testing.T) map[string]error {
			wasm := corpusWasm(t, "infinite-loop-in-kernel")
			in := load(t, e, "loop", wasm, host.WithTimeout(20*time.Millisecond))
			k, err := in.Module().Kernel("sum")
			if err != nil {
				t.Fatal(err)
			}
			_, serr := vk(in).Sum(in, []float64{1})
			_, cerr := in.Call(k, host.Encode(int32(1)))
			threaded := load(t, e, "waiting", compileWAT(t, threadedWAT(map[string]string{"sum": sumSleeps("3080")}, "", "")),
				host.WithThreads(1), host.WithTimeout(20*time.Millisecond))
			_, terr := vk(threaded).Sum(threaded, []float64{1})
			return map[string]error{"Sum": serr, "Call": cerr, "Sum (threaded)": terr}
		},
		"context-ended": func(t *testing.T) map[string]error {
			wasm := corpusWasm(t, "infinite-loop-in-kernel")
			in := load(t, e, "loop", wasm)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			unbind := in.Bind(ctx)
			_, berr := vk(in).Sum(in, []float64{1})
			unbind()
			p := onePool(t, "loop", wasm, host.WithDeadlines())
			pctx, pcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer pcancel()
			derr := p.Do(pctx, func(in *host.Instance) error { _, err := vk(in).Sum(in, []float64{1}); return err })
			// Waiting for a pool instance: the same sentinel.
			held, err := p.AcquireForTest(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			wctx, wcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer wcancel()
			_, aerr := p.AcquireForTest(wctx)
			p.ReleaseForTest(held)
			return map[string]error{"Bind": berr, "Pool.Do": derr, "Pool.Acquire": aerr}
		},
		"contract": func(t *testing.T) map[string]error {
			in := load(t, e, "writes", corpusWasm(t, "writes-past-result"))
			merr := vk(in).Mul(in, make([]float64, 2), []float64{1, 2}, []float64{3, 4})
			berr := in.InPlace(func(b host.Buffers) error { return vk(in).MulInPlace(b, 2) })
			return map[string]error{"Mul": merr, "Buffers.Mul": berr}
		},
		"length": func(t *testing.T) map[string]error {
			in := load(t, e, "rust", mustRead(t, rustGuest))
			_, derr := vk(in).Dot(in, []float64{1, 2}, []float64{1})
			merr := vk(in).Mul(in, make([]float64, 1), []float64{1, 2}, []float64{1, 2})
			return map[string]error{"Dot": derr, "Mul": merr}
		},
		"arguments": func(t *testing.T) map[string]error {
			in := load(t, e, "rust", mustRead(t, rustGuest))
			k, err := in.Module().Kernel("sum")
			if err != nil {
				t.Fatal(err)
			}
			_, cerr := in.Call(k)
			berr := in.InPlace(func(b host.Buffers) error { _, err := b.Call(k, 1, 2); return err })
			return map[string]error{"Call": cerr, "Buffers.Call": berr}
		},
		"closed": func(t *testing.T) map[string]error {
			in := load(t, e, "rust", mustRead(t, rustGuest))
			in.Close()
			_, serr := vk(in).Sum(in, []float64{1})
			ierr := in.InPlace(func(host.Buffers) error { return nil })
			m, err := e.Compile("rust", mustRead(t, rustGuest))
			if err != nil {
				t.Fatal(err)
			}
			m.Close()
			_, merr := m.Instantiate()
			// A threaded instance that a failure ended.
			threaded := load(t, e, "worker-trap", compileWAT(t, threadedWAT(map[string]string{"sum": sumGoThenSleeps}, trapOnGo, "")), host.WithThreads(2))
			vk(threaded).Sum(threaded, []float64{1})
			_, terr := vk(threaded).Sum(threaded, []float64{1})
			return map[string]error{"Sum": serr, "InPlace": ierr, "Instantiate": merr, "Sum (threaded, after a failure)": terr}
		},
		"reentrant": func(t *testing.T) map[string]error {
			in := load(t, e, "rust", mustRead(t, rustGuest))
			got := map[string]error{}
			in.InPlace(func(host.Buffers) error {
				_, got["Sum"] = vk(in).Sum(in, []float64{1})
				got["Close"] = in.Close()
				return nil
			})
			return got
		},
	}
}

// TestSplitTrapMessage: Wasmtime's text for a trap splits into the reason
// (the causes) and the frames; Wasmtime's own stack (RUST_BACKTRACE=1 in
// the host's environment) is dropped; a text of another form is the reason
// whole.
func TestSplitTrapMessage(t *testing.T) {
	frames := "    0:   0x344a - <unknown>!<wasm function 82>\n    1:   0x65f4 - <unknown>!step"
	for _, c := range []struct{ msg, reason, backtrace string }{
		{"error while executing at wasm backtrace:\n" + frames + "\n\nCaused by:\n    wasm trap: wasm `unreachable` instruction executed\n",
			"wasm trap: wasm `unreachable` instruction executed", frames},
		{"error while executing at wasm backtrace:\n" + frames + "\n\nCaused by:\n    0: host function failed\n    1: wasm trap: interrupt\n\nStack backtrace:\n   0: wasmtime::x\n   1: main",
			"host function failed: wasm trap: interrupt", frames},
		{"Exited with i32 exit status 2\nwasm backtrace:\n" + frames, "Exited with i32 exit status 2", frames},
		{"wasm trap: integer divide by zero", "wasm trap: integer divide by zero", ""},
	} {
		r, b := host.SplitTrapMessage(c.msg)
		if r != c.reason || b != c.backtrace {
			t.Errorf("split %q:\n reason %q, want %q\n backtrace %q, want %q", c.msg, r, c.reason, b, c.backtrace)
		}
	}
}

// TestBoundTrapMessage: a runtime's trap message past MaxTrapMessage bytes
// keeps its first lines, cut at a line end, and says how many were cut.
func TestBoundTrapMessage(t *testing.T) {
	short := "wasm trap: unreachable\n    0: 0x1 - f"
	if got := host.BoundTrapMessage(short); got != short {
		t.Errorf("a short message changed: %q", got)
	}
	long := strings.Repeat("   12:    0x18b - <unknown>!deep\n", 1000)
	got := host.BoundTrapMessage(long)
	if len(got) > host.MaxTrapMessage+100 || !strings.HasPrefix(long, got[:strings.LastIndex(got, "\n")]) ||
		!strings.Contains(got, "more lines (") {
		t.Errorf("a %d-byte message bounded to %d bytes, ending %q", len(long), len(got), got[max(0, len(got)-80):])
	}
}
