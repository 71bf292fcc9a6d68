package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sample = `goos: linux
cpu: Test CPU
go: go1.26
BenchmarkSum/impl=go/n=10/mode=copy-2         100  10 ns/op  8000 MB/s
BenchmarkSum/impl=go/n=10/mode=copy-2         100  12 ns/op  6667 MB/s
BenchmarkSum/impl=go/n=10/mode=copy-2         100  11 ns/op  7273 MB/s
BenchmarkSum/impl=cgo-c/n=10/mode=copy-2      100  20 ns/op
BenchmarkSum/impl=wasm-c/n=10/mode=copy-2     100  40 ns/op
BenchmarkSum/impl=go/n=1000/mode=copy-2       100  1000 ns/op
BenchmarkSum/impl=cgo-c/n=1000/mode=copy-2    100  500 ns/op
BenchmarkSum/impl=wasm-c/n=1000/mode=copy-2   100  900 ns/op
BenchmarkWazero/kernel=sum/impl=wasm-c/n=10/mode=copy/runtime=wazero-2  100  30 ns/op
BenchmarkSum/impl=wasm-rust-threads/threads=2/n=10/mode=copy-2  100  50 ns/op
BenchmarkCall-2                               100  5 ns/op
PASS
`

func TestReport(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "bench.txt")
	if err := os.WriteFile(in, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := read([]string{in})
	if err != nil {
		t.Fatal(err)
	}
	s := d.stats[key{"sum", "go", "copy", 10}]
	if math.Abs(s.ns-11) > 1e-9 || s.runs != 3 {
		t.Errorf("median of 10, 12, 11 ns = %v over %d runs, want 11 over 3", s.ns, s.runs)
	}
	if s.gbps < 7.2 || s.gbps > 7.3 {
		t.Errorf("median GB/s %v, want 7.273", s.gbps)
	}
	if r, ok := d.ratio(key{"sum", "wasm-c", "copy", 10}, "cgo-c"); !ok || math.Abs(r-2) > 1e-9 {
		t.Errorf("ratio %v, %v; want 2", r, ok)
	}
	if len(d.stats) != 8 {
		t.Errorf("%d configurations, want 8 (BenchmarkCall has no impl/n/mode)", len(d.stats))
	}
	if s, ok := d.stats[key{"sum", "wasm-rust-threads×2", "copy", 10}]; !ok || math.Abs(s.ns-50) > 1e-9 {
		t.Errorf("threads row: %v, %v", s, ok)
	}
	if s, ok := d.stats[key{"sum", "wasm-c@wazero", "copy", 10}]; !ok || math.Abs(s.ns-30) > 1e-9 {
		t.Errorf("wazero row: %v, %v", s, ok)
	}
	if n, impl := d.crossover("sum", "copy", []string{"go"}); n != 1000 || impl != "wasm-c" {
		t.Errorf("crossover against go: n=%d by %s, want n=1000 by wasm-c", n, impl)
	}
	if n, _ := d.crossover("sum", "kernel", []string{"go"}); n != -1 {
		t.Errorf("crossover in a mode with no data: n=%d, want -1", n)
	}
	var md strings.Builder
	d.markdown(&md, "cgo-c")
	for _, want := range []string{"cpu: Test CPU", "| Call-2 | 5 ns |", "| wasm-c | 40 ns<br>2.00× | 900 ns<br>1.80× |", "## sum, mode=copy"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, md.String())
		}
	}
	png := filepath.Join(dir, "p.png")
	if err := d.plot(png, "copy"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(png); err != nil || fi.Size() < 1000 {
		t.Errorf("plot: %v, %v", fi, err)
	}
}

func TestTargets(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "targets.txt")
	const rows = `cpu: Test CPU
BenchmarkCall/path=in-place-2     100  90 ns/op
BenchmarkCall/path=in-place-2     100  110 ns/op
BenchmarkCall/path=typed-2        100  130 ns/op
BenchmarkCall/path=cgo-empty-2    100  50 ns/op
BenchmarkCall/path=func-call-2    100  1300 ns/op
BenchmarkSum/impl=go/n=100000/mode=copy-2  100  40000 ns/op  20000 MB/s
`
	if err := os.WriteFile(in, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := read([]string{in})
	if err != nil {
		t.Fatal(err)
	}
	if s := d.named["Sum/impl=go/n=100000/mode=copy"]; s.runs != 1 || s.ns != 40000 {
		t.Errorf("a matrix row by name: %+v", s)
	}
	var md strings.Builder
	d.targetsMarkdown(&md)
	for _, want := range []string{
		"| per call at n = 1 ≤ 2× an empty cgo call: in place (vector's SumInPlace) | 2.00× | met |", // median of 90 and 110 over 50: at the limit
		"| per call at n = 1 ≤ 2× an empty cgo call: vector's Sum (one CallWith: copy in, call, guards) | 2.60× | missed |",
		"| per call at n = 1 ≤ 1.5× an empty cgo call: Instance.Call | – | not measured |",
		"| ≥ 10× faster than Func.Call (vector's Sum) | 10.00× | met |",
		"| kernel only ≤ 1.10× native C: sum, Rust | – | not measured |",
		"cpu: Test CPU",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("targets table lacks %q:\n%s", want, md.String())
		}
	}
}

// TestCrossoverOneThread: a threaded guest at 2 threads beating Go does not
// make a crossover; at 1 thread it does.
func TestCrossoverOneThread(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "bench.txt")
	const rows = `BenchmarkSum/impl=go/n=1000/mode=kernel-2  100  100 ns/op
BenchmarkSum/impl=wasm-c/n=1000/mode=kernel-2  100  300 ns/op
BenchmarkSum/impl=wasm-rust-threads/threads=2/n=1000/mode=kernel-2  100  60 ns/op
BenchmarkSum/impl=go/n=2000/mode=kernel-2  100  200 ns/op
BenchmarkSum/impl=wasm-c/n=2000/mode=kernel-2  100  300 ns/op
BenchmarkSum/impl=wasm-rust-threads/threads=1/n=2000/mode=kernel-2  100  150 ns/op
`
	if err := os.WriteFile(in, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := read([]string{in})
	if err != nil {
		t.Fatal(err)
	}
	if n, impl := d.crossover("sum", "kernel", []string{"go"}); n != 2000 || impl != "wasm-rust-threads×1" {
		t.Errorf("crossover n=%d by %s, want n=2000 by wasm-rust-threads×1 (the ×2 row at n=1000 must not count)", n, impl)
	}
}

// TestCrossoverWithinNoise: at n=2000 the wasm median is higher than Go's
// but the 95% intervals of 6 runs overlap, so the crossover stays at 1000;
// at n=3000 wasm is slower beyond both intervals, so there is none.
func TestCrossoverWithinNoise(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("BenchmarkSum/impl=go/n=1000/mode=kernel-2 100 100 ns/op\n")
	b.WriteString("BenchmarkSum/impl=wasm-c/n=1000/mode=kernel-2 100 50 ns/op\n")
	for _, v := range []string{"190", "200", "210", "220", "230", "240"} {
		b.WriteString("BenchmarkSum/impl=go/n=2000/mode=kernel-2 100 " + v + " ns/op\n")
	}
	for _, v := range []string{"200", "210", "220", "230", "240", "250"} {
		b.WriteString("BenchmarkSum/impl=wasm-c/n=2000/mode=kernel-2 100 " + v + " ns/op\n")
	}
	in := filepath.Join(dir, "bench.txt")
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := read([]string{in})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := d.crossover("sum", "kernel", []string{"go"}); n != 1000 {
		t.Errorf("overlapping intervals at n=2000: crossover n=%d, want 1000", n)
	}
	for range 6 {
		b.WriteString("BenchmarkSum/impl=go/n=3000/mode=kernel-2 100 300 ns/op\nBenchmarkSum/impl=wasm-c/n=3000/mode=kernel-2 100 900 ns/op\n")
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if d, err = read([]string{in}); err != nil {
		t.Fatal(err)
	}
	if n, _ := d.crossover("sum", "kernel", []string{"go"}); n != -1 {
		t.Errorf("wasm 3× slower at n=3000: crossover n=%d, want none", n)
	}
}

// TestRayon: the Rayon section reads both workloads, gives time per point
// or per step, the speedup over threads, and each target's ratio and
// verdict.
func TestRayon(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "rayon.txt")
	const rows = `cpu: Test CPU
BenchmarkALMA/impl=go/threads=1/series=2/params=2/len=100-2  10  4000 ns/op
BenchmarkALMA/impl=go-goroutines/threads=1/series=2/params=2/len=100-2  10  4000 ns/op
BenchmarkALMA/impl=go-goroutines/threads=2/series=2/params=2/len=100-2  10  2500 ns/op
BenchmarkALMA/impl=wasm-rayon/threads=1/series=2/params=2/len=100-2  10  1200 ns/op
BenchmarkALMA/impl=wasm-rayon/threads=2/series=2/params=2/len=100-2  10  600 ns/op
BenchmarkALMA/impl=native-rust-rayon/threads=1/series=2/params=2/len=100-2  10  1000 ns/op
BenchmarkALMA/impl=native-rust-rayon/threads=2/series=2/params=2/len=100-2  10  500 ns/op
BenchmarkGrayScott/impl=wasm-rayon/threads=1/n=8-2  10  3000000 ns/op
BenchmarkGrayScott/impl=wasm-rayon/threads=2/n=8-2  10  2000000 ns/op
BenchmarkGrayScott/impl=native-rust-rayon/threads=1/n=8-2  10  2000000 ns/op
BenchmarkGrayScott/impl=native-rust-rayon/threads=2/n=8-2  10  1000000 ns/op
BenchmarkGrayScott/impl=go-goroutines/threads=1/n=8-2  10  1500000 ns/op
BenchmarkGrayScott/impl=go-goroutines/threads=2/n=8-2  10  1600000 ns/op
BenchmarkGrayScott/impl=wasm-rayon/threads=1/n=16-2  10  8000000 ns/op
BenchmarkGrayScott/impl=wasm-rayon/threads=2/n=16-2  10  4000000 ns/op
`
	md := rayonReport(t, in, rows)
	for _, want := range []string{
		"## ALMA series=2/params=2/len=100",
		"| wasm-rayon | 3.00 | 1.50 | 2.00× |", // 1200 ns / 400 points
		"## GrayScott n=8",
		"| wasm-rayon | 1500.0 | 1000.0 | 1.50× |", // 3 ms per op of 2 steps
		"| 1 thread: wasm / native Rust ≤ 1.25× | ALMA series=2/params=2/len=100 | 1.20× [1.20, 1.20] | met |",
		"| 1 thread: wasm / native Rust ≤ 1.25× | GrayScott n=8 | 1.50× [1.50, 1.50] | missed |",
		"| wasm at its best thread count faster than Go goroutines at theirs (Go / wasm > 1) | ALMA series=2/params=2/len=100 | 4.17× [4.17, 4.17] | met |",
		"| wasm at its best thread count faster than Go goroutines at theirs (Go / wasm > 1) | GrayScott n=8 | 0.75× [0.75, 0.75] | missed |",
		"| wasm: 2 threads over 1 ≥ 1.8× at the largest size | ALMA series=2/params=2/len=100 | 2.00× [2.00, 2.00] | met |",
		"| wasm's 2-over-1 speedup within 10% of native Rayon's (wasm / native speedup ≥ 0.9) | ALMA series=2/params=2/len=100 | 1.00× [1.00, 1.00] (native 2.00×) | met |",
		"| wasm: 2 threads over 1 ≥ 1.8× at the largest size | GrayScott n=16 | 2.00× [2.00, 2.00] | met |",
		"cpu: Test CPU",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("rayon.md lacks %q:\n%s", want, md.String())
		}
	}
	// Two runs of 1000 and 1400 ns: a median of 1200 with an interval
	// around it; over a native 1000 ns the range straddles 1.25.
	x := over(stat{ns: 1200, lo: 1000, hi: 1400}, stat{ns: 1000, lo: 1000, hi: 1000})
	if v := x.verdict(1.25, true); v != "within noise (met at the medians)" {
		t.Errorf("%v: %s", x, v)
	}
	if v := x.verdict(1.5, true); v != "met" {
		t.Errorf("%v ≤ 1.5: %s", x, v)
	}
	if v := x.verdict(0.9, true); v != "missed" {
		t.Errorf("%v ≤ 0.9: %s", x, v)
	}
	if strings.Contains(md.String(), "2 threads over 1 ≥ 1.8× at the largest size | GrayScott n=8 ") {
		t.Errorf("n=8 is not the largest Gray–Scott size:\n%s", md.String())
	}
}

// TestPlotOneN: a run with a single n per kernel (a filtered ./build.sh
// bench) still plots; its log axes used to collapse and panic in gonum.
func TestPlotOneN(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "bench.txt")
	const rows = "BenchmarkSum/impl=go/n=1000/mode=copy-2  100  500 ns/op\n"
	if err := os.WriteFile(in, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := read([]string{in})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "one.png")
	if err := d.plot(path, "copy"); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Size() == 0 {
		t.Fatalf("no plot: %v", err)
	}
}

// TestScaling: the section of the issue "Threads that scale like native
// Rayon" pairs the rows of each round (a round that is slower for every
// row still gives the same speedup), gives each goal its interval and
// verdict, and marks a round with steal time past the limit as disturbed.
func TestScaling(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "rayon.txt")
	var b strings.Builder
	line := func(impl string, th int, ns, cpu, steal float64) {
		fmt.Fprintf(&b, "BenchmarkALMA/impl=%s/threads=%d/series=2/params=2/len=100-2  10  %.0f ns/op  %.0f cpu-ns/op  %.2f steal-%%\n", impl, th, ns, cpu, steal)
	}
	const rounds = 8
	for k := range rounds {
		slow := float64(1 + k%2) // every other round runs at half speed
		steal := 0.0
		if k == 2 {
			steal = 5
		}
		line("wasm-rayon", 1, 100e6*slow, 100e6*slow, steal)
		line("wasm-rayon", 2, 50e6*slow, 120e6*slow, 0)
		line("wasm-rayon", 4, 100e6*slow, 100e6*slow, 0)
		line("wasm-rayon-deadlines", 1, 150e6*slow, 150e6*slow, 0)
		line("wasm-rayon-deadlines", 2, 75e6*slow, 150e6*slow, 0)
		line("wasm-rayon-stop", 1, 101e6*slow, 101e6*slow, 0)
		line("wasm-rayon-stop", 2, 50.5e6*slow, 121.2e6*slow, 0)
		line("native-rust-rayon", 1, 100e6, 100e6, 0)
		line("native-rust-rayon", 2, 50e6, 100e6, 0)
		line("node-wasm-rayon", 1, 100e6, 100e6, 0)
		line("node-wasm-rayon", 2, 40e6, 100e6, 0)
	}
	md := rayonReport(t, in, b.String())
	for _, want := range []string{
		"| wasm-rayon | 150.00 | 75.00 | 150.00 | 2.00× [2.00, 2.00] | 1.00× [1.00, 1.00] | 1.20× [1.20, 1.20] | 1.00× [1.00, 1.00] |",
		"| Go host's 2-over-1 speedup / native Rayon's ≥ 0.9 | ALMA series=2/params=2/len=100 | 1.00× [1.00, 1.00] (8 rounds) | met |",
		"| Go host's 2-over-1 speedup / Node's (V8) ≥ 1 | ALMA series=2/params=2/len=100 | 0.80× [0.80, 0.80] (8 rounds) | missed |",
		"| Go host: CPU time per op, 2 threads / 1 ≤ 1.1 | ALMA series=2/params=2/len=100 | 1.20× [1.20, 1.20] (8 rounds) | missed |",
		"| Go host: 4 threads on 2 cores no worse than 1 (1-thread time / 4-thread ≥ 1) | ALMA series=2/params=2/len=100 | 1.00× [1.00, 1.00] (8 rounds) | met |",
		"| 3 | 11 | 5.00% | 0.00% | disturbed |",
		"1 of 8 rounds disturbed.",
		"| epoch checks (WithDeadlines) | 1 thread(s) | ALMA series=2/params=2/len=100 | 1.50× [1.50, 1.50] (8 rounds) |",
		"| cooperative (the stop word) | 1 thread(s) | ALMA series=2/params=2/len=100 | 1.01× [1.01, 1.01] (8 rounds) |",
		"Widest interval of the ratios above: ±0.0%",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("rayon.md lacks %q:\n%s", want, md.String())
		}
	}
}

// rayonReport writes rows to the file in, reads it back and renders the
// Rayon section.
func rayonReport(t *testing.T, in, rows string) *strings.Builder {
	t.Helper()
	if err := os.WriteFile(in, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := read([]string{in})
	if err != nil {
		t.Fatal(err)
	}
	var md strings.Builder
	d.rayonMarkdown(&md)
	return &md
}
