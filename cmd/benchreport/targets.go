package main

import (
	"fmt"
	"io"
	"strings"
)

// target is one of the call-path targets of the issue "Near-native call
// path", as a ratio of two benchmark medians: num/den must be at most limit
// (atMost) or at least limit. Names are as benchstat prints them, without
// "Benchmark" and the -GOMAXPROCS suffix.
type target struct {
	goal     string
	num, den string
	limit    float64
	atMost   bool
}

// targets are the rows ./build.sh bench-targets measures.
var targets = []target{
	{"per call at n = 1 ≤ 2× an empty cgo call: in place (vector's SumInPlace)", "Call/path=in-place", "Call/path=cgo-empty", 2, true},
	{"per call at n = 1 ≤ 2× an empty cgo call: vector's Sum (one CallWith: copy in, call, guards)", "Call/path=typed", "Call/path=cgo-empty", 2, true},
	{"per call at n = 1 ≤ 1.5× an empty cgo call: Instance.Call", "Call/path=kernel", "Call/path=cgo-empty", 1.5, true},
	{"≥ 10× faster than Func.Call (vector's Sum)", "Call/path=func-call", "Call/path=typed", 10, false},
	{"kernel only ≤ 1.10× native C: sum, Rust", "Sum/impl=wasm-rust-simd/n=100000/mode=kernel", "Sum/impl=cgo-c/n=100000/mode=kernel", 1.10, true},
	{"kernel only ≤ 1.10× native C: sum, C", "Sum/impl=wasm-c-simd/n=100000/mode=kernel", "Sum/impl=cgo-c/n=100000/mode=kernel", 1.10, true},
	{"kernel only ≤ 1.10× native C: dot, Rust", "Dot/impl=wasm-rust-simd/n=100000/mode=kernel", "Dot/impl=cgo-c/n=100000/mode=kernel", 1.10, true},
	{"kernel only ≤ 1.10× native C: dot, C", "Dot/impl=wasm-c-simd/n=100000/mode=kernel", "Dot/impl=cgo-c/n=100000/mode=kernel", 1.10, true},
	{"copy + kernel ≤ 1.5× canonical Go: sum, Rust", "Sum/impl=wasm-rust-simd/n=100000/mode=copy", "Sum/impl=go/n=100000/mode=copy", 1.5, true},
	{"copy + kernel ≤ 1.5× canonical Go: sum, C", "Sum/impl=wasm-c-simd/n=100000/mode=copy", "Sum/impl=go/n=100000/mode=copy", 1.5, true},
	{"copy + kernel ≤ 1.5× canonical Go: dot, Rust", "Dot/impl=wasm-rust-simd/n=100000/mode=copy", "Dot/impl=go/n=100000/mode=copy", 1.5, true},
	{"copy + kernel ≤ 1.5× canonical Go: dot, C", "Dot/impl=wasm-c-simd/n=100000/mode=copy", "Dot/impl=go/n=100000/mode=copy", 1.5, true},
	{"host→guest copy ≥ 0.9× the bandwidth of Go's copy (time of Go's over the guest's)", "Copy/dst=go/n=100000", "Copy/dst=guest/n=100000", 0.9, false},
	{"pool: 2 goroutines ≥ 1.8× the throughput of 1, n = 1,000 (one Do per call)", "Pool/impl=wasm-c-simd/n=1000/goroutines=1", "Pool/impl=wasm-c-simd/n=1000/goroutines=2", 1.8, false},
	{"pool: 2 goroutines ≥ 1.8× the throughput of 1, n = 100,000", "Pool/impl=wasm-c-simd/n=100000/goroutines=1", "Pool/impl=wasm-c-simd/n=100000/goroutines=2", 1.8, false},
	{"a wasm guest beats go-naive at n ≤ 64: 1,000 sums of 64 (SumBatch)", "Batch/impl=go-naive/width=64/path=loop", "Batch/impl=wasm-c/width=64/path=batch", 1, false},
}

// targetsMarkdown writes the targets table: each target's ratio of medians
// and whether it is met, with the two medians and their 95% intervals.
func (d *data) targetsMarkdown(w io.Writer) {
	fmt.Fprintf(w, "# wasmvec call-path targets\n\n")
	for _, c := range d.config {
		fmt.Fprintf(w, "- %s\n", c)
	}
	fmt.Fprintf(w, "\nEach ratio is of two medians (time per op; golang.org/x/perf/benchmath, 95%% intervals beside them). "+
		"A ratio whose intervals overlap the limit is within this machine's noise.\n\n")
	fmt.Fprintf(w, "| target | ratio | verdict | numerator: median [95%% interval] (runs) | denominator |\n|---|---:|---|---|---|\n")
	for _, t := range targets {
		n, okn := d.named[t.num]
		m, okm := d.named[t.den]
		if !okn || !okm || m.ns == 0 {
			fmt.Fprintf(w, "| %s | – | not measured | %s | %s |\n", t.goal, t.num, t.den)
			continue
		}
		r := n.ns / m.ns
		met := r >= t.limit
		if t.atMost {
			met = r <= t.limit
		}
		verdict := "met"
		if !met {
			verdict = "missed"
		}
		fmt.Fprintf(w, "| %s | %.2f× | %s | %s: %s | %s: %s |\n", t.goal, r, verdict, t.num, fmtStat(n), t.den, fmtStat(m))
	}
}

func fmtStat(s stat) string {
	return fmt.Sprintf("%s [%s, %s] (%d)", fmtNs(s.ns), fmtNs(s.lo), fmtNs(s.hi), s.runs)
}

// plainName is a result's name without "Benchmark" and the -GOMAXPROCS part.
func plainName(base string, parts []string) string {
	var b strings.Builder
	b.WriteString(strings.TrimPrefix(base, "Benchmark"))
	for _, p := range parts {
		if strings.HasPrefix(p, "/") {
			b.WriteString(p)
		}
	}
	return b.String()
}
