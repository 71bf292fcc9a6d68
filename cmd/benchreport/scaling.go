package main

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// run is one result line: wall ns/op and, when the benchmark reported them
// (examples/rayon's measure, js/bench/probe.js), the CPU time per op of
// the process(es) that ran it and the machine's steal time meanwhile, as
// a percentage of its CPU time. Absent values are NaN.
type run struct{ ns, cpu, steal float64 }

func readRun(res *benchfmt.Result, sec float64) run {
	r := run{ns: sec * 1e9, cpu: math.NaN(), steal: math.NaN()}
	if v, ok := res.Value("cpu-sec/op"); ok { // cpu-ns/op, as benchfmt tidies it
		r.cpu = v * 1e9
	}
	if v, ok := res.Value("steal-%"); ok {
		r.steal = v
	}
	return r
}

// The issue "Threads that scale like native Rayon": at the largest size of
// each workload, the Go host's speedup of 2 threads over 1 at least 0.9×
// native Rayon's and at least V8's (Node's and Chromium's), its CPU time
// per op at 2 threads at most 1.1× that at 1, and 4 threads (more than the
// machine's 2 cores) no slower than 1.
const (
	goalOverNative = 0.9
	goalOverV8     = 1.0
	goalCPU        = 1.1
	goalOversub    = 1.0
	// disturbed is the steal time (percent of the machine's CPU time) past
	// which a round is marked as disturbed.
	disturbed = 2.0
)

// paired summarizes f over the rounds: f gets the k-th run of each name
// (the k-th round: every round runs every row once) and returns one value
// per round; the result is their median with its 95% interval
// (benchmath, AssumeNothing). Rounds where f is NaN are skipped. ok is
// false with fewer than two rounds.
func (d *data) paired(f func(rs []run) float64, names ...string) (span, int, bool) {
	n := math.MaxInt
	for _, name := range names {
		n = min(n, len(d.runs[name]))
	}
	var v []float64
	for k := 0; k < n; k++ {
		rs := make([]run, len(names))
		for i, name := range names {
			rs[i] = d.runs[name][k]
		}
		if x := f(rs); !math.IsNaN(x) && !math.IsInf(x, 0) {
			v = append(v, x)
		}
	}
	if len(v) < 2 {
		return span{}, len(v), false
	}
	s := summarize(v)
	return span{s.Center, s.Lo, s.Hi}, len(v), true
}

// pairedString is x with its interval, or with "no interval" when the
// rounds were too few for one (benchmath needs 6 for 95%).
func pairedString(x span) string {
	if math.IsInf(x.lo, 0) || math.IsInf(x.hi, 0) || math.IsNaN(x.lo) || math.IsNaN(x.hi) {
		return fmt.Sprintf("%.2f× [no interval]", x.r)
	}
	return x.String()
}

// speedup of the run at names[1] over names[0] (wall time), per round.
func speedup(rs []run) float64 { return rs[0].ns / rs[1].ns }

// cpuRatio is the CPU time per op of names[1] over names[0], per round.
func cpuRatio(rs []run) float64 { return rs[1].cpu / rs[0].cpu }

// speedupOver is the speedup of a's 2 runs over b's: (a1/a2) / (b1/b2),
// names a1, a2, b1, b2, per round.
func speedupOver(rs []run) float64 { return (rs[0].ns / rs[1].ns) / (rs[2].ns / rs[3].ns) }

// width is the half-width of x's interval relative to its median.
func (x span) width() float64 { return max(x.hi-x.r, x.r-x.lo) / x.r }

// scalingMarkdown writes the section of the issue "Threads that scale like
// native Rayon": for the largest size of each workload, every Rayon impl's
// time at each thread count, its speedups and CPU-time ratios over 1
// thread (medians of per-round ratios with their 95% intervals), the
// goals with verdicts, and the steal time each round saw.
func (d *data) scalingMarkdown(w io.Writer, rows []*rayonRow) {
	largest := map[string]string{}
	var workloads []string
	for _, r := range rows {
		largest[r.workload] = r.size // rows are sorted by size
		workloads = appendNew(workloads, r.workload)
	}
	fmt.Fprintf(w, "\n## Scaling at the largest sizes\n\n"+
		"Each ratio is the median of per-round ratios (every round runs every row once, one right after another; "+
		"a ratio pairs the rows of one round) with its 95%% interval (golang.org/x/perf/benchmath, AssumeNothing). "+
		"CPU time per op is user + system time of every thread of the process(es) that ran the guest "+
		"(Go: getrusage; Node: process.cpuUsage; Chromium: all its processes, from /proc, in 10 ms ticks).\n")
	type goal struct{ text, where, value, verdict string }
	var goals, prices []goal
	var widths []float64
	for _, wl := range workloads {
		size := largest[wl]
		var rs []*rayonRow
		for _, r := range rows {
			if r.workload == wl && r.size == size && r.names[2] != "" && r.names[1] != "" {
				rs = append(rs, r)
			}
		}
		if len(rs) == 0 {
			continue
		}
		threads := threadCounts(rs)
		fmt.Fprintf(w, "\n### %s %s\n\n| impl |", wl, size)
		for _, t := range threads {
			fmt.Fprintf(w, " %d thread(s), ms/op |", t)
		}
		for _, t := range threads[1:] {
			fmt.Fprintf(w, " %d over 1 |", t)
		}
		for _, t := range threads[1:] {
			fmt.Fprintf(w, " CPU/op %d over 1 |", t)
		}
		fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---:|", 3*len(threads)-2))
		for _, r := range rs {
			fmt.Fprintf(w, "| %s |", r.impl)
			for _, t := range threads {
				if s, ok := r.ns[t]; ok {
					fmt.Fprintf(w, " %.2f |", s.ns/1e6)
				} else {
					fmt.Fprintf(w, " – |")
				}
			}
			for _, f := range []func([]run) float64{speedup, cpuRatio} {
				for _, t := range threads[1:] {
					if x, _, ok := d.paired(f, r.names[1], r.names[t]); ok && r.names[t] != "" {
						fmt.Fprintf(w, " %s |", pairedString(x))
						widths = append(widths, x.width())
					} else {
						fmt.Fprintf(w, " – |")
					}
				}
			}
			fmt.Fprintf(w, "\n")
		}
		where := wl + " " + size
		find := func(impl string) *rayonRow {
			for _, r := range rs {
				if r.impl == impl {
					return r
				}
			}
			return nil
		}
		g := find("wasm-rayon")
		if g == nil {
			continue
		}
		for _, o := range []struct {
			impl, text string
			limit      float64
		}{
			{"native-rust-rayon", "Go host's 2-over-1 speedup / native Rayon's ≥ 0.9", goalOverNative},
			{"node-wasm-rayon", "Go host's 2-over-1 speedup / Node's (V8) ≥ 1", goalOverV8},
			{"chromium-wasm-rayon", "Go host's 2-over-1 speedup / Chromium's (V8) ≥ 1", goalOverV8},
		} {
			if r := find(o.impl); r != nil {
				if x, n, ok := d.paired(speedupOver, g.names[1], g.names[2], r.names[1], r.names[2]); ok {
					goals = append(goals, goal{o.text, where, fmt.Sprintf("%s (%d rounds)", pairedString(x), n), x.verdict(o.limit, false)})
				}
			}
		}
		if x, n, ok := d.paired(cpuRatio, g.names[1], g.names[2]); ok {
			goals = append(goals, goal{"Go host: CPU time per op, 2 threads / 1 ≤ 1.1", where, fmt.Sprintf("%s (%d rounds)", pairedString(x), n), x.verdict(goalCPU, true)})
		}
		for _, kind := range []struct{ impl, text string }{
			{"wasm-rayon-deadlines", "epoch checks (WithDeadlines)"},
			{"wasm-rayon-stop", "cooperative (the stop word)"},
		} {
			if dl := find(kind.impl); dl != nil {
				for _, t := range []int{1, 2} {
					if x, n, ok := d.paired(speedup, dl.names[t], g.names[t]); ok {
						prices = append(prices, goal{fmt.Sprintf("%d thread(s)", t), where, fmt.Sprintf("%s (%d rounds)", pairedString(x), n), kind.text})
					}
				}
			}
		}
		if g.names[4] != "" {
			if x, n, ok := d.paired(speedup, g.names[1], g.names[4]); ok {
				goals = append(goals, goal{"Go host: 4 threads on 2 cores no worse than 1 (1-thread time / 4-thread ≥ 1)", where, fmt.Sprintf("%s (%d rounds)", pairedString(x), n), x.verdict(goalOversub, false)})
			}
		}
	}
	if len(goals) > 0 {
		fmt.Fprintf(w, "\n### Goals\n\n| goal | workload, size | median [95%% interval] | verdict |\n|---|---|---:|---|\n")
		for _, g := range goals {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", g.text, g.where, g.value, g.verdict)
		}
	}
	if len(prices) > 0 {
		fmt.Fprintf(w, "\n### The price of a deadline\n\nThe same guest compiled by an engine made WithDeadlines (Wasmtime's epoch checks in every loop), "+
			"and on the plain engine under a cooperative deadline (WithTimeout far past the call: the guest's stop checks, no epoch checks), "+
			"each one's time per op over the plain engine's without a deadline, paired by round.\n\n| deadline | threads | workload, size | with / without [95%% interval] |\n|---|---|---|---:|\n")
		for _, p := range prices {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", p.verdict, p.text, p.where, p.value)
		}
	}
	if len(widths) > 0 {
		if m := slices.Max(widths); math.IsInf(m, 0) || math.IsNaN(m) {
			fmt.Fprintf(w, "\nToo few rounds for 95%% intervals (benchmath needs at least 6): the verdicts above cannot be \"met\" or \"missed\".\n")
		} else {
			fmt.Fprintf(w, "\nWidest interval of the ratios above: ±%.1f%% of its median (the issue asks for about ±10%%).\n", 100*m)
		}
	}
	d.stealMarkdown(w)
}

// stealMarkdown writes the steal time seen in each round: the largest and
// median steal-% of the round's rows, marking rounds past disturbed.
func (d *data) stealMarkdown(w io.Writer) {
	var rounds [][]float64
	for _, name := range slices.Sorted(maps.Keys(d.runs)) {
		for k, r := range d.runs[name] {
			if math.IsNaN(r.steal) {
				continue
			}
			for len(rounds) <= k {
				rounds = append(rounds, nil)
			}
			rounds[k] = append(rounds[k], r.steal)
		}
	}
	if len(rounds) == 0 {
		return
	}
	fmt.Fprintf(w, "\n### Steal time\n\nThe share of the machine's CPU time its hypervisor gave to others while each row ran (/proc/stat); "+
		"a round past %.0f%% in any row is marked disturbed.\n\n| round | rows | largest | median | |\n|---:|---:|---:|---:|---|\n", disturbed)
	bad := 0
	for k, v := range rounds {
		m := slices.Max(v)
		mark := ""
		if m > disturbed {
			mark = "disturbed"
			bad++
		}
		fmt.Fprintf(w, "| %d | %d | %.2f%% | %.2f%% | %s |\n", k+1, len(v), m, summarize(v).Center, mark)
	}
	fmt.Fprintf(w, "\n%d of %d rounds disturbed.\n", bad, len(rounds))
}
