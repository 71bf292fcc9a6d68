package main

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The Rayon workloads (examples/rayon/bench_test.go):
// ALMA/impl=I/threads=T/series=S/params=P/len=L,
// GrayScott/impl=I/threads=T/n=N and Mesh/impl=I/threads=T/n=N, an op
// being one batch, gsStepsPerOp steps or one mesh.
const gsStepsPerOp = 2

// rayonRow is one workload size of one impl: median ns/op by thread count.
type rayonRow struct {
	workload, size, impl string
	units                float64 // output points (ALMA), steps (Gray–Scott) or meshes per op
	ns                   map[int]stat
	names                map[int]string // the benchmark's plainName by thread count
}

// rayonRows collects the Rayon results by workload, size and impl, in the
// order they were run.
func (d *data) rayonRows() []*rayonRow {
	var rows []*rayonRow
	for _, name := range slices.Sorted(maps.Keys(d.named)) {
		workload, rest, _ := strings.Cut(name, "/")
		if workload != "ALMA" && workload != "GrayScott" && workload != "Mesh" {
			continue
		}
		kv := map[string]string{}
		var size []string
		for _, p := range strings.Split(rest, "/") {
			k, v, _ := strings.Cut(p, "=")
			kv[k] = v
			if k != "impl" && k != "threads" {
				size = append(size, p)
			}
		}
		th, err := strconv.Atoi(kv["threads"])
		if err != nil || kv["impl"] == "" {
			continue
		}
		units := float64(gsStepsPerOp)
		if workload == "Mesh" {
			units = 1
		}
		if workload == "ALMA" {
			units = 1
			for _, k := range []string{"series", "params", "len"} {
				v, _ := strconv.Atoi(kv[k])
				units *= float64(v)
			}
		}
		sz := strings.Join(size, "/")
		i := slices.IndexFunc(rows, func(r *rayonRow) bool { return r.workload == workload && r.size == sz && r.impl == kv["impl"] })
		if i < 0 {
			rows = append(rows, &rayonRow{workload: workload, size: sz, impl: kv["impl"], units: units, ns: map[int]stat{}, names: map[int]string{}})
			i = len(rows) - 1
		}
		rows[i].ns[th] = d.named[name]
		rows[i].names[th] = name
	}
	slices.SortStableFunc(rows, func(a, b *rayonRow) int {
		if c := strings.Compare(a.workload, b.workload); c != 0 {
			return c
		}
		if a.units != b.units {
			return cmp.Compare(a.units, b.units)
		}
		return cmp.Compare(sizeN(a.size), sizeN(b.size))
	})
	return rows
}

// sizeN is the n of a Gray–Scott size ("n=64"), 0 otherwise.
func sizeN(size string) float64 {
	n, _ := strconv.Atoi(strings.TrimPrefix(size, "n="))
	return float64(n)
}

// best returns the fastest thread count of a row and its stat.
func (r *rayonRow) best() (int, stat) {
	bt, bs := 0, stat{}
	for t, s := range r.ns {
		if bt == 0 || s.ns < bs.ns {
			bt, bs = t, s
		}
	}
	return bt, bs
}

// rayonMarkdown writes the Rayon section: per workload and size, the time
// per output point or per step of every impl at 1 and 2 threads and the
// speedup, then the targets with their ratios and verdicts.
func (d *data) rayonMarkdown(w io.Writer) {
	rows := d.rayonRows()
	fmt.Fprintf(w, "# Rayon in the Go host: ALMA batch, Gray–Scott 3D and its isosurface\n\n")
	for _, c := range d.config {
		fmt.Fprintf(w, "- %s\n", c)
	}
	if len(rows) == 0 {
		fmt.Fprintf(w, "\nNo ALMA or GrayScott results in the input.\n")
		return
	}
	fmt.Fprintf(w, "\nMedians of the runs (golang.org/x/perf/benchmath); ALMA in ns per output point, Gray–Scott in µs per step (an op is %d steps), Mesh in ms per mesh. "+
		"wasm-rayon is the guest (Rayon on wasi-threads), native-rust-rayon the same crate compiled for the host through cgo, "+
		"go the single-threaded reference, go-goroutines the goroutine version.\n", gsStepsPerOp)
	threads := threadCounts(rows)
	// The speedup column is of 2 threads (the machine's cores), or of the
	// most threads run when there were fewer.
	top := threads[len(threads)-1]
	if slices.Contains(threads, 2) {
		top = 2
	}
	last := ""
	for _, r := range rows {
		if r.workload+r.size != last {
			last = r.workload + r.size
			unit := map[string]string{"ALMA": "ns/point", "GrayScott": "µs/step", "Mesh": "ms/mesh"}[r.workload]
			fmt.Fprintf(w, "\n## %s %s\n\n| impl |", r.workload, r.size)
			for _, t := range threads {
				fmt.Fprintf(w, " %d thread(s), %s |", t, unit)
			}
			fmt.Fprintf(w, " speedup %d over 1 |\n|---|", top)
			for range threads {
				fmt.Fprintf(w, "---:|")
			}
			fmt.Fprintf(w, "---:|\n")
		}
		fmt.Fprintf(w, "| %s |", r.impl)
		for _, t := range threads {
			if s, ok := r.ns[t]; ok {
				fmt.Fprintf(w, " %s |", fmtUnit(r, s.ns))
			} else {
				fmt.Fprintf(w, " – |")
			}
		}
		one, ok1 := r.ns[1]
		at, okt := r.ns[top]
		if ok1 && okt && top > 1 && at.ns > 0 {
			fmt.Fprintf(w, " %.2f× |\n", one.ns/at.ns)
		} else {
			fmt.Fprintf(w, " – |\n")
		}
	}
	d.rayonTargets(w, rows, top)
	d.scalingMarkdown(w, rows)
}

// threadCounts is every thread count the rows ran at, in order.
func threadCounts(rows []*rayonRow) []int {
	var threads []int
	for _, r := range rows {
		for t := range r.ns {
			if !slices.Contains(threads, t) {
				threads = append(threads, t)
			}
		}
	}
	slices.Sort(threads)
	return threads
}

func fmtUnit(r *rayonRow, ns float64) string {
	per := ns / r.units
	switch r.workload {
	case "GrayScott":
		return fmt.Sprintf("%.1f", per/1e3)
	case "Mesh":
		return fmt.Sprintf("%.2f", per/1e6)
	}
	return fmt.Sprintf("%.2f", per)
}

// span is a ratio of medians with the range its 95% intervals allow.
type span struct{ r, lo, hi float64 }

// over is a/b: medians and intervals of two results. A result with too
// few runs for an interval (its bounds NaN or infinite) counts as its
// median.
func over(a, b stat) span {
	a, b = bounded(a), bounded(b)
	return span{a.ns / b.ns, a.lo / b.hi, a.hi / b.lo}
}

func bounded(s stat) stat {
	if math.IsNaN(s.lo) || math.IsNaN(s.hi) || math.IsInf(s.lo, 0) || math.IsInf(s.hi, 0) {
		s.lo, s.hi = s.ns, s.ns
	}
	return s
}

// div is x/y of two spans.
func (x span) div(y span) span { return span{x.r / y.r, x.lo / y.hi, x.hi / y.lo} }

func (x span) String() string { return fmt.Sprintf("%.2f× [%.2f, %.2f]", x.r, x.lo, x.hi) }

// verdict says whether x ≤ limit (atMost) or x ≥ limit: "met" or
// "missed" when the whole range agrees, else "within noise" with what the
// medians say.
func (x span) verdict(limit float64, atMost bool) string {
	ok := func(v float64) bool {
		if atMost {
			return v <= limit
		}
		return v >= limit
	}
	switch {
	case ok(x.lo) && ok(x.hi):
		return "met"
	case !ok(x.lo) && !ok(x.hi):
		return "missed"
	case ok(x.r):
		return "within noise (met at the medians)"
	}
	return "within noise (missed at the medians)"
}

// rayonTargets checks the targets of the issue "Real workloads on every
// core": at 1 thread wasm-rayon / native-rust-rayon ≤ 1.25 at every size;
// at the largest size wasm's speedup of top threads over 1 ≥ 1.8 and
// within 10% of native's; wasm at its best thread count faster than
// go-goroutines at its best. Each ratio comes with the range the 95%
// intervals of its medians allow.
func (d *data) rayonTargets(w io.Writer, rows []*rayonRow, top int) {
	find := func(workload, size, impl string) *rayonRow {
		for _, r := range rows {
			if r.workload == workload && r.size == size && r.impl == impl {
				return r
			}
		}
		return nil
	}
	fmt.Fprintf(w, "\n## Targets\n\nEach ratio is of medians, with the range their 95%% intervals allow; "+
		"a verdict is \"within noise\" when that range straddles the limit.\n\n"+
		"| target | workload, size | ratio [range] | verdict |\n|---|---|---:|---|\n")
	largest := map[string]string{}
	for _, r := range rows {
		largest[r.workload] = r.size // rows are sorted by size
	}
	for _, r := range rows {
		if r.impl != "wasm-rayon" {
			continue
		}
		n := find(r.workload, r.size, "native-rust-rayon")
		if a, ok := r.ns[1]; ok && n != nil {
			if b, ok := n.ns[1]; ok && b.ns > 0 {
				x := over(a, b)
				fmt.Fprintf(w, "| 1 thread: wasm / native Rust ≤ 1.25× | %s %s | %s | %s |\n", r.workload, r.size, x, x.verdict(1.25, true))
			}
		}
		if g := find(r.workload, r.size, "go-goroutines"); g != nil {
			_, a := r.best()
			_, b := g.best()
			if a.ns > 0 {
				x := over(b, a)
				fmt.Fprintf(w, "| wasm at its best thread count faster than Go goroutines at theirs (Go / wasm > 1) | %s %s | %s | %s |\n", r.workload, r.size, x, x.verdict(1, false))
			}
		}
		if r.size != largest[r.workload] || top < 2 {
			continue
		}
		a1, ok1 := r.ns[1]
		at, okt := r.ns[top]
		if !ok1 || !okt || at.ns == 0 {
			continue
		}
		sw := over(a1, at)
		fmt.Fprintf(w, "| wasm: %d threads over 1 ≥ 1.8× at the largest size | %s %s | %s | %s |\n", top, r.workload, r.size, sw, sw.verdict(1.8, false))
		if n != nil {
			if n1, ok := n.ns[1]; ok {
				if nt, ok := n.ns[top]; ok && nt.ns > 0 {
					sn := over(n1, nt)
					x := sw.div(sn)
					fmt.Fprintf(w, "| wasm's %d-over-1 speedup within 10%% of native Rayon's (wasm / native speedup ≥ 0.9) | %s %s | %s (native %.2f×) | %s |\n",
						top, r.workload, r.size, x, sn.r, x.verdict(0.9, false))
				}
			}
		}
	}
}
