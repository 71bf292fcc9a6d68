// Command benchreport renders wasmvec's benchmark report from raw
// `go test -bench` output: a markdown table per kernel and mode (median
// ns/op, GB/s of input, and the ratio to a baseline impl), a log–log plot of
// ns per element against n with one line per impl, and a short summary on
// standard output.
//
// Usage:
//
//	benchreport [-baseline cgo-c] [-o bench/out] bench.txt...
//	benchreport -targets [-o bench/out] targets.txt...
//	benchreport -rayon [-o bench/out] rayon.txt...
//
// With -targets it writes only targets.md: the call-path targets of the
// issue "Near-native call path" (targets.go), each a ratio of two medians
// with its verdict, from the rows ./build.sh bench-targets measures. With
// -rayon it writes only rayon.md: the Rayon workloads of examples/rayon
// (rayon.go), their speedups over threads, and the targets of the issue
// "Real workloads on every core".
//
// The benchmark names must be key=value, as host/bench_test.go writes them:
// BenchmarkSum/impl=wasm-rust-simd/n=100000/mode=kernel. Parsing is
// golang.org/x/perf/benchfmt's, medians and 95% confidence intervals are
// golang.org/x/perf/benchmath's (AssumeNothing: non-parametric, as
// benchstat), plots are gonum.org/v1/plot's. File configuration lines
// ("cpu: …", "go: …") are copied into the report's header.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// key identifies one benchmark configuration.
type key struct {
	kernel, impl, mode string
	n                  int
}

// stat is the summary of one configuration's runs.
type stat struct {
	ns, lo, hi float64 // median ns/op and its 95% confidence interval
	gbps       float64 // median input GB/s (0 when the benchmark set no bytes)
	runs       int
}

type data struct {
	config  []string // file configuration lines, in first-seen order
	stats   map[key]stat
	others  []string         // names of benchmarks outside the matrix, first-seen order
	other   map[string]stat  // their summaries
	named   map[string]stat  // every result by plainName, for the targets
	runs    map[string][]run // every result line by plainName, in file order (one per round)
	kernels []string
	impls   []string // in first-seen order: the benchmark's own order
	modes   []string
	ns      []int
}

func main() {
	baseline := flag.String("baseline", "cgo-c", "impl that ratios are relative to")
	outDir := flag.String("o", "bench/out", "directory for report.md and the plots")
	onlyTargets := flag.Bool("targets", false, "write only targets.md, the call-path targets")
	onlyRayon := flag.Bool("rayon", false, "write only rayon.md, the Rayon workloads (examples/rayon)")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: benchreport [-baseline impl] [-targets | -rayon] [-o dir] bench.txt...")
		os.Exit(2)
	}
	d, err := read(flag.Args())
	if err != nil {
		log.Fatal(err)
	}
	if *onlyTargets || *onlyRayon {
		var md strings.Builder
		path := filepath.Join(*outDir, "targets.md")
		if *onlyRayon {
			d.rayonMarkdown(&md)
			path = filepath.Join(*outDir, "rayon.md")
		} else {
			d.targetsMarkdown(&md)
		}
		if err := os.MkdirAll(*outDir, 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(md.String()), 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Print(md.String())
		return
	}
	if len(d.stats) == 0 {
		log.Fatal("benchreport: no benchmark results with impl=, n= and mode= in the input")
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		log.Fatal(err)
	}
	var md strings.Builder
	d.markdown(&md, *baseline)
	if err := os.WriteFile(filepath.Join(*outDir, "report.md"), []byte(md.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	plots := []string{}
	for _, mode := range d.modes {
		path := filepath.Join(*outDir, "ns-per-element-"+mode+".png")
		if err := d.plot(path, mode); err != nil {
			log.Fatal(err)
		}
		plots = append(plots, path)
	}
	d.summary(os.Stdout, *baseline)
	fmt.Printf("\nwrote %s and %s\n", filepath.Join(*outDir, "report.md"), strings.Join(plots, ", "))
}

func read(files []string) (*data, error) {
	d := &data{stats: map[key]stat{}, other: map[string]stat{}, named: map[string]stat{}, runs: map[string][]run{}}
	ns := map[key][]float64{}
	namedNs := map[string][]float64{}
	otherNs := map[string][]float64{}
	gb := map[key][]float64{}
	seenConfig := map[string]bool{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		r := benchfmt.NewReader(f, name)
		for r.Scan() {
			res, ok := r.Result().(*benchfmt.Result)
			if !ok {
				continue // syntax errors and unit lines: go test's other output
			}
			for _, c := range res.Config {
				line := c.Key + ": " + string(c.Value)
				if c.File && !seenConfig[line] {
					seenConfig[line] = true
					d.config = append(d.config, line)
				}
			}
			if v, ok := res.Value("sec/op"); ok {
				base, parts := res.Name.Parts()
				ps := make([]string, len(parts))
				for i, p := range parts {
					ps[i] = string(p)
				}
				name := plainName(string(base), ps)
				namedNs[name] = append(namedNs[name], v*1e9)
				d.runs[name] = append(d.runs[name], readRun(res, v))
			}
			k, ok := parseName(res.Name)
			if !ok {
				// Outside the matrix (call, copy, pool, parallel, batch, ...).
				if v, ok := res.Value("sec/op"); ok {
					name := strings.TrimPrefix(res.Name.String(), "Benchmark")
					if _, seen := otherNs[name]; !seen {
						d.others = append(d.others, name)
					}
					otherNs[name] = append(otherNs[name], v*1e9)
				}
				continue
			}
			if v, ok := res.Value("sec/op"); ok {
				ns[k] = append(ns[k], v*1e9)
			}
			if v, ok := res.Value("B/s"); ok {
				gb[k] = append(gb[k], v/1e9)
			}
			d.kernels = appendNew(d.kernels, k.kernel)
			d.impls = appendNew(d.impls, k.impl)
			d.modes = appendNew(d.modes, k.mode)
			if !slices.Contains(d.ns, k.n) {
				d.ns = append(d.ns, k.n)
			}
		}
		f.Close()
		if err := r.Err(); err != nil {
			return nil, err
		}
	}
	slices.Sort(d.ns)
	for name, v := range namedNs {
		s := summarize(v)
		d.named[name] = stat{ns: s.Center, lo: s.Lo, hi: s.Hi, runs: len(v)}
	}
	for name, v := range otherNs {
		s := summarize(v)
		d.other[name] = stat{ns: s.Center, lo: s.Lo, hi: s.Hi, runs: len(v)}
	}
	for k, v := range ns {
		s := summarize(v)
		st := stat{ns: s.Center, lo: s.Lo, hi: s.Hi, runs: len(v)}
		if g := gb[k]; len(g) > 0 {
			st.gbps = summarize(g).Center
		}
		d.stats[k] = st
	}
	return d, nil
}

func summarize(v []float64) benchmath.Summary {
	return benchmath.AssumeNothing.Summary(benchmath.NewSample(v, &benchmath.DefaultThresholds), 0.95)
}

// parseName reads BenchmarkKernel/impl=X/n=N/mode=M[-procs]. A kernel=K
// part overrides the kernel named by the base name, runtime=R (other than
// wasmtime) makes the impl "X@R", and threads=T makes it "X×T".
func parseName(name benchfmt.Name) (key, bool) {
	base, parts := name.Parts()
	k := key{kernel: strings.ToLower(strings.TrimPrefix(string(base), "Benchmark")), n: -1}
	runtime, threads := "", ""
	for _, p := range parts {
		kv, ok := strings.CutPrefix(string(p), "/")
		if !ok {
			continue // "-2": GOMAXPROCS
		}
		name, val, _ := strings.Cut(kv, "=")
		switch name {
		case "kernel":
			k.kernel = val
		case "runtime":
			runtime = val
		case "threads":
			threads = val
		case "impl":
			k.impl = val
		case "mode":
			k.mode = val
		case "n":
			n, err := strconv.Atoi(val)
			if err != nil {
				return k, false
			}
			k.n = n
		}
	}
	if threads != "" && k.impl != "" {
		k.impl += "×" + threads
	}
	if runtime != "" && runtime != "wasmtime" && k.impl != "" {
		k.impl += "@" + runtime
	}
	return k, k.impl != "" && k.mode != "" && k.n >= 0
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func fmtNs(ns float64) string {
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.3g s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.3g ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.3g µs", ns/1e3)
	default:
		return fmt.Sprintf("%.3g ns", ns)
	}
}

func (d *data) ratio(k key, baseline string) (float64, bool) {
	s, ok := d.stats[k]
	b, okb := d.stats[key{k.kernel, baseline, k.mode, k.n}]
	if !ok || !okb || b.ns == 0 {
		return 0, false
	}
	return s.ns / b.ns, true
}

func (d *data) markdown(w io.Writer, baseline string) {
	fmt.Fprintf(w, "# wasmvec benchmark report\n\n")
	for _, c := range d.config {
		fmt.Fprintf(w, "- %s\n", c)
	}
	fmt.Fprintf(w, "\nEach cell: median time per call, median input bandwidth (GB/s), and the ratio of the median to %s's (lower is faster). "+
		"mode=copy is a whole call (copy in, kernel, copy out); mode=kernel calls only the export on data already in the guest "+
		"(native impls run the same code in both modes). Medians and 95%% confidence intervals by golang.org/x/perf/benchmath; "+
		"below each table, the typical and the widest interval half-width as a share of the median.\n", baseline)
	for _, kernel := range d.kernels {
		for _, mode := range d.modes {
			fmt.Fprintf(w, "\n## %s, mode=%s\n\n| impl |", kernel, mode)
			for _, n := range d.ns {
				fmt.Fprintf(w, " n=%d |", n)
			}
			fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---:|", len(d.ns)))
			var widths []float64
			for _, impl := range d.impls {
				row := fmt.Sprintf("| %s |", impl)
				any := false
				for _, n := range d.ns {
					k := key{kernel, impl, mode, n}
					s, ok := d.stats[k]
					if !ok {
						row += " – |"
						continue
					}
					any = true
					cell := fmtNs(s.ns)
					if s.gbps > 0 {
						cell += fmt.Sprintf("<br>%.3g GB/s", s.gbps)
					}
					if r, ok := d.ratio(k, baseline); ok {
						cell += fmt.Sprintf("<br>%.2f×", r)
					}
					row += " " + cell + " |"
					if s.ns > 0 {
						widths = append(widths, math.Max(s.hi-s.ns, s.ns-s.lo)/s.ns)
					}
				}
				if any {
					fmt.Fprintln(w, row)
				}
			}
			slices.Sort(widths)
			switch {
			case len(widths) == 0:
			case math.IsInf(widths[len(widths)-1], 1):
				fmt.Fprintf(w, "\nNo 95%% confidence intervals: they need at least 6 runs of each benchmark (go test -count 6).\n")
			default:
				fmt.Fprintf(w, "\n95%% confidence half-width: median ±%.0f%%, widest ±%.0f%% of the cell's median.\n",
					100*widths[len(widths)/2], 100*widths[len(widths)-1])
			}
		}
		fmt.Fprintln(w)
		for _, c := range d.crossovers(kernel) {
			fmt.Fprintf(w, "- %s\n", c)
		}
	}
	for _, mode := range d.modes {
		fmt.Fprintf(w, "\n![ns per element, mode=%s](ns-per-element-%s.png)\n", mode, mode)
	}
	if len(d.others) > 0 {
		fmt.Fprintf(w, "\n## Outside the matrix\n\n| benchmark | median | 95%% interval | runs |\n|---|---:|---|---:|\n")
		for _, name := range d.others {
			s := d.other[name]
			interval := "–"
			if !math.IsInf(s.lo, 0) && !math.IsInf(s.hi, 0) {
				interval = fmtNs(s.lo) + " – " + fmtNs(s.hi)
			}
			fmt.Fprintf(w, "| %s | %s | %s | %d |\n", name, fmtNs(s.ns), interval, s.runs)
		}
	}
}

// crossover finds, in the given mode, the smallest n from which the fastest
// single-threaded wasm impl (a threaded guest counts at 1 thread only, as
// native Go runs on one) is at least as fast as the fastest of the native Go
// impls in against, or within noise of it (their 95% intervals overlap), and
// stays so for every larger n at which both were measured; -1 if there is
// none.
func (d *data) crossover(kernel, mode string, against []string) (n int, impl string) {
	best := func(match func(string) bool, n int) (string, stat, bool) {
		name, st, found := "", stat{}, false
		for _, impl := range d.impls {
			if s, ok := d.stats[key{kernel, impl, mode, n}]; ok && match(impl) && (!found || s.ns < st.ns) {
				name, st, found = impl, s, true
			}
		}
		return name, st, found
	}
	// One thread against one: a threaded guest's rows count at 1 thread only.
	isWasm := func(impl string) bool {
		_, threads, threaded := strings.Cut(impl, "×")
		return strings.HasPrefix(impl, "wasm-") && (!threaded || threads == "1")
	}
	isGo := func(impl string) bool { return slices.Contains(against, impl) }
	n = -1
	for i := len(d.ns) - 1; i >= 0; i-- {
		w, ws, okw := best(isWasm, d.ns[i])
		_, gs, okg := best(isGo, d.ns[i])
		if !okw || !okg {
			continue // not measured at this n (kernel mode past the capacity)
		}
		// Slower, and beyond both 95% intervals (with fewer than 6 runs
		// there are none, and the medians decide alone).
		noCI := math.IsInf(ws.lo, 0) || math.IsInf(gs.hi, 0) || math.IsNaN(ws.lo) || math.IsNaN(gs.hi)
		if ws.ns > gs.ns && (noCI || ws.lo > gs.hi) {
			break
		}
		n, impl = d.ns[i], w
	}
	return n, impl
}

// crossovers describes the crossovers of a kernel against native Go, in
// every mode, both against the faster of go and go-naive and against
// go-naive alone (what a Go programmer writes without thinking of it).
func (d *data) crossovers(kernel string) []string {
	var lines []string
	for _, mode := range d.modes {
		for _, against := range [][]string{{"go", "go-naive"}, {"go-naive"}} {
			name := strings.Join(against, " and ")
			n, impl := d.crossover(kernel, mode, against)
			if n < 0 {
				lines = append(lines, fmt.Sprintf("Crossover (%s, mode=%s, against %s): none — native Go is faster at some n at or above every n measured.", kernel, mode, name))
				continue
			}
			lines = append(lines, fmt.Sprintf("Crossover (%s, mode=%s, against %s): n=%d — from there up the fastest single-threaded wasm guest (%s at n=%d) is at least as fast, or within the 95%% intervals; below it native Go wins.", kernel, mode, name, n, impl, n))
		}
	}
	return lines
}

func (d *data) summary(w io.Writer, baseline string) {
	const n = 100000
	fmt.Fprintf(w, "median ns/op at n=%d (ratio to %s)\n", n, baseline)
	for _, kernel := range d.kernels {
		for _, mode := range d.modes {
			fmt.Fprintf(w, "%-6s %-6s", kernel, mode)
			for _, impl := range d.impls {
				k := key{kernel, impl, mode, n}
				if s, ok := d.stats[k]; ok {
					r, _ := d.ratio(k, baseline)
					fmt.Fprintf(w, "  %s %s (%.2f×)", impl, fmtNs(s.ns), r)
				}
			}
			fmt.Fprintln(w)
		}
	}
	for _, kernel := range d.kernels {
		for _, c := range d.crossovers(kernel) {
			fmt.Fprintln(w, c)
		}
	}
}

// plot draws ns per element against n, log–log, one line per impl, one
// panel per kernel.
func (d *data) plot(path, mode string) error {
	cols := 2
	rows := (len(d.kernels) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, kernel := range d.kernels {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s, mode=%s", kernel, mode)
		p.X.Label.Text = "n (elements)"
		p.Y.Label.Text = "ns per element"
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
		p.Legend.Top = true
		var lines []any
		for _, impl := range d.impls {
			var xys plotter.XYs
			for _, n := range d.ns {
				if s, ok := d.stats[key{kernel, impl, mode, n}]; ok && n > 0 {
					xys = append(xys, plotter.XY{X: float64(n), Y: s.ns / float64(n)})
				}
			}
			if len(xys) > 0 {
				lines = append(lines, impl, xys)
			}
		}
		if err := plotutil.AddLinePoints(p, lines...); err != nil {
			return err
		}
		// A single n, or a single value, collapses a log axis to a point
		// (gonum's log ticks then panic): widen it to a factor of 2 each way.
		for _, ax := range []*plot.Axis{&p.X, &p.Y} {
			if ax.Min == ax.Max && ax.Min > 0 {
				ax.Min, ax.Max = ax.Min/2, ax.Max*2
			}
		}
		grid[i/cols][i%cols] = p
	}
	for i := range grid {
		for j := range grid[i] {
			if grid[i][j] == nil {
				grid[i][j] = plot.New()
				grid[i][j].HideAxes()
			}
		}
	}
	img := vgimg.New(vg.Length(cols)*6*vg.Inch, vg.Length(rows)*4.5*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(grid, tiles, dc)
	for i := range grid {
		for j := range grid[i] {
			grid[i][j].Draw(canvases[i][j])
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
