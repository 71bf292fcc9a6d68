package rayon_test

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wasmvec/wasmvec/examples/rayon"
	"github.com/wasmvec/wasmvec/host"
	"github.com/wasmvec/wasmvec/internal/testguest"
)

// benchImpl sets up one implementation of a workload at a thread count,
// with the data in place where it runs, and returns one run of it.
type benchImpl struct {
	name    string
	threads []int // the thread counts it runs at
	// alma returns a run of the batch over x (s series) with params.
	alma func(b *testing.B, th int, x []float64, s int, params []rayon.Param) (run func() error, done func())
	// gs returns a run of steps steps on the fields u, v (n³ cells).
	gs func(b *testing.B, th, n int, u, v []float64) (run func(steps int) error, done func())
	// mesh returns a run of meshing v (n³ values) at iso in chunks of c
	// cells per side; nil where there is none.
	mesh func(b *testing.B, th, n int, v []float64, iso float64, c int) (run func() error, done func())
}

var benchImpls = []benchImpl{
	{"go", []int{1}, goALMA(1), goGS(1), goMesh},
	{"go-goroutines", []int{1, 2}, nil, nil, nil}, // goALMA(th), goGS(th): set in init
	// 4 threads: more than this VM's 2 cores.
	{"wasm-rayon", []int{1, 2, 4}, wasmALMA(guest), wasmGS(guest), wasmMesh(guest)},
	// The single-thread build (rayon.ModuleSingle): what a host without
	// threads falls back to; against wasm-rayon at threads=1 it shows what
	// the threaded build's atomics and pool cost on one thread.
	{"wasm-rayon-single", []int{1}, wasmALMA(guestSingle), wasmGS(guestSingle), wasmMesh(guestSingle)},
	// The same guest compiled WithDeadlines: epoch checks in its loops.
	{"wasm-rayon-deadlines", []int{1, 2}, wasmALMA(guestDeadlines), wasmGS(guestDeadlines), wasmMesh(guestDeadlines)},
	// The plain guest under a cooperative deadline (WithTimeout on an engine
	// without deadlines: the stop word at the deadline, no epoch checks),
	// a timeout no call reaches: what arming it and the guest's stop checks cost.
	{"wasm-rayon-stop", []int{1, 2}, wasmALMA(guest, coop), wasmGS(guest, coop), wasmMesh(guest, coop)},
}

// coop is the timeout of the wasm-rayon-stop rows: far past any call.
var coop = host.WithTimeout(time.Hour)

// goMesh is the Go reference, on one goroutine.
func goMesh(_ *testing.B, _, n int, v []float64, iso float64, c int) (func() error, func()) {
	return func() error { _, err := rayon.MeshOf(v, n, iso, c); return err }, func() {}
}

// wasmMesh meshes in an instance of the guest compiled by compiled, the
// field copied into its "v" once.
func wasmMesh(compiled func() (*host.Module, error), opts ...host.Option) func(*testing.B, int, int, []float64, float64, int) (func() error, func()) {
	return func(b *testing.B, th, n int, v []float64, iso float64, c int) (func() error, func()) {
		in, k := instanceOf(b, compiled, th, opts...)
		return inPlace(b, in, func(buf host.Buffers) func() error {
			gv, err := host.View(buf, k.V)
			if err != nil {
				b.Fatal(err)
			}
			copy(gv, v)
			return func() error { _, err := k.Mesh(buf, n, iso, c); return err }
		})
	}
}

func init() {
	benchImpls[1].alma = func(b *testing.B, th int, x []float64, s int, params []rayon.Param) (func() error, func()) {
		return goALMA(th)(b, th, x, s, params)
	}
	benchImpls[1].gs = func(b *testing.B, th, n int, u, v []float64) (func(int) error, func()) {
		return goGS(th)(b, th, n, u, v)
	}
}

func goALMA(threads int) func(*testing.B, int, []float64, int, []rayon.Param) (func() error, func()) {
	return func(_ *testing.B, _ int, x []float64, s int, params []rayon.Param) (func() error, func()) {
		out := make([]float64, s*len(params)*len(x)/s)
		return func() error { return rayon.ALMAParallel(out, x, s, params, threads) }, func() {}
	}
}

func goGS(threads int) func(*testing.B, int, int, []float64, []float64) (func(int) error, func()) {
	return func(_ *testing.B, _ int, n int, u, v []float64) (func(int) error, func()) {
		u, v = clone(u), clone(v)
		u2, v2 := make([]float64, len(u)), make([]float64, len(v))
		return func(steps int) error { return rayon.GrayScottParallel(n, steps, gsParams, u, v, u2, v2, threads) }, func() {}
	}
}

// inPlace runs fn with the instance's buffers for as long as fn's run is
// used: the benchmark's runs happen inside one InPlace call (the data stays
// in the guest's linear memory between runs: no copies).
func inPlace(b *testing.B, in *host.Instance, setup func(host.Buffers) func() error) (run func() error, done func()) {
	runs := make(chan struct{})
	results := make(chan error)
	ready := make(chan error)
	finished := make(chan error)
	go func() {
		finished <- in.InPlace(func(buf host.Buffers) error {
			f := setup(buf)
			ready <- nil
			for range runs {
				results <- f()
			}
			return nil
		})
	}()
	select {
	case <-ready:
	case err := <-finished:
		b.Fatal(err)
	}
	return func() error { runs <- struct{}{}; return <-results }, func() {
		close(runs)
		if err := <-finished; err != nil {
			b.Error(err)
		}
		in.Close()
	}
}

// wasmALMA runs the batch in an instance of the guest compiled by compiled.
func wasmALMA(compiled func() (*host.Module, error), opts ...host.Option) func(*testing.B, int, []float64, int, []rayon.Param) (func() error, func()) {
	return func(b *testing.B, th int, x []float64, s int, params []rayon.Param) (func() error, func()) {
		in, k := instanceOf(b, compiled, th, opts...)
		return inPlace(b, in, func(buf host.Buffers) func() error {
			series, err := testguest.View[float64](in.Module(), buf, "series")
			if err != nil {
				b.Fatal(err)
			}
			copy(series, x)
			return func() error { return k.ALMA(buf, s, len(x)/s, params) }
		})
	}
}

// wasmGS runs the steps in an instance of the guest compiled by compiled.
func wasmGS(compiled func() (*host.Module, error), opts ...host.Option) func(*testing.B, int, int, []float64, []float64) (func(int) error, func()) {
	return func(b *testing.B, th, n int, u, v []float64) (func(int) error, func()) {
		in, k := instanceOf(b, compiled, th, opts...)
		var steps int
		run, done := inPlace(b, in, func(buf host.Buffers) func() error {
			gu, err := testguest.View[float64](in.Module(), buf, "u")
			if err != nil {
				b.Fatal(err)
			}
			gv, _ := testguest.View[float64](in.Module(), buf, "v")
			copy(gu, u)
			copy(gv, v)
			return func() error { return k.GrayScott(buf, n, steps, gsParams) }
		})
		return func(s int) error { steps = s; return run() }, done
	}
}

// benchParams: P parameter sets, periods 8, 12, 16, ... (mean 6 + 2P).
func benchParams(p int) []rayon.Param {
	ps := make([]rayon.Param, p)
	for i := range ps {
		ps[i] = rayon.Param{Period: 8 + 4*i, Offset: 0.85, Sigma: 6}
	}
	return ps
}

// BenchmarkALMA: S·P·L output points from 1.3·10⁵ to 1.7·10⁷ (the guest's
// output capacity); ns/point is the time per output point, cpu-ns/op and
// steal-% as measure reports them; each impl at its benchImpl's threads.
func BenchmarkALMA(b *testing.B) {
	for _, im := range benchImpls {
		for _, th := range im.threads {
			for _, sz := range []struct{ s, p, l int }{{4, 4, 8192}, {16, 16, 4096}, {64, 16, 16384}} {
				b.Run(fmt.Sprintf("impl=%s/threads=%d/series=%d/params=%d/len=%d", im.name, th, sz.s, sz.p, sz.l), func(b *testing.B) {
					x := series(newRand(), sz.s, sz.l, false)
					run, done := im.alma(b, th, x, sz.s, benchParams(sz.p))
					defer done()
					if err := run(); err != nil { // warm up: first-touch page faults of fresh outputs are not timed
						b.Fatal(err)
					}
					measure(b, run)
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(sz.s*sz.p*sz.l), "ns/point")
				})
			}
		}
	}
}

// BenchmarkGrayScott: two steps per op on n³ grids (two fields of 8n³
// bytes each, read, and two written): n = 32 fits in L2, 128 is far past
// it; ns/step is the time per step; threads and metrics as in BenchmarkALMA.
func BenchmarkGrayScott(b *testing.B) {
	const steps = 2
	for _, im := range benchImpls {
		for _, th := range im.threads {
			for _, n := range []int{32, 64, 128} {
				b.Run(fmt.Sprintf("impl=%s/threads=%d/n=%d", im.name, th, n), func(b *testing.B) {
					u, v := fields(newRand(), n, false)
					run, done := im.gs(b, th, n, u, v)
					defer done()
					if err := run(steps); err != nil { // warm up, as in BenchmarkALMA
						b.Fatal(err)
					}
					measure(b, func() error { return run(steps) })
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/steps, "ns/step")
				})
			}
		}
	}
}

// gyroid is a gyroid-like field, sin(kx)·cos(ky) + sin(ky)·cos(kz) +
// sin(kz)·cos(kx) with k = 2π/32 (a period of 32 points), whose surface
// at iso 0 crosses every region of the grid: a mesh of ~0.2 vertices per
// cell.
func gyroid(n int) []float64 {
	v := make([]float64, n*n*n)
	k := 2 * math.Pi / 32
	for i := range v {
		x, y, z := float64(i%n)*k, float64(i/n%n)*k, float64(i/(n*n))*k
		v[i] = math.Sin(x)*math.Cos(y) + math.Sin(y)*math.Cos(z) + math.Sin(z)*math.Cos(x)
	}
	return v
}

// BenchmarkMesh: the isosurface at iso 0 of a gyroid-like field (gyroid) of
// n³ points, n = 64 and 128, in chunks of 16 cells per side; ns/op is the
// time of one mesh, triangles/op its size.
func BenchmarkMesh(b *testing.B) {
	const iso, chunk = 0.0, 16
	for _, im := range benchImpls {
		if im.mesh == nil {
			continue
		}
		for _, th := range im.threads {
			for _, n := range []int{64, 128} {
				b.Run(fmt.Sprintf("impl=%s/threads=%d/n=%d", im.name, th, n), func(b *testing.B) {
					v := gyroid(n)
					want, err := rayon.MeshOf(v, n, iso, chunk)
					if err != nil {
						b.Fatal(err)
					}
					run, done := im.mesh(b, th, n, v, iso, chunk)
					defer done()
					if err := run(); err != nil { // warm up, as in BenchmarkALMA
						b.Fatal(err)
					}
					measure(b, run)
					b.ReportMetric(float64(len(want.Indices)/3), "triangles/op")
				})
			}
		}
	}
}

// measure runs run under b.Loop and reports, beside ns/op, what noise on a
// shared machine moves less than wall time: cpu-ns/op, the CPU time
// (user + system, getrusage RUSAGE_SELF: every thread of the process, the
// guest's worker threads, Rayon's native threads and the Go runtime's alike)
// per op; and steal-%, the share of the machine's CPU time its hypervisor
// gave to others while the loop ran (the steal column of /proc/stat's cpu
// line, proc(5)), so that a disturbed run shows as one. Without /proc/stat
// (not Linux) steal-% is not reported.
func measure(b *testing.B, run func() error) {
	var u0, u1 syscall.Rusage
	s0, ok0 := cpuStat()
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u0); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u1); err != nil {
		b.Fatal(err)
	}
	s1, ok1 := cpuStat()
	cpu := time.Duration(u1.Utime.Nano() + u1.Stime.Nano() - u0.Utime.Nano() - u0.Stime.Nano())
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	if ok0 && ok1 && s1.total > s0.total {
		b.ReportMetric(100*float64(s1.steal-s0.steal)/float64(s1.total-s0.total), "steal-%")
	}
}

// jiffies are the machine-wide CPU counters of /proc/stat's first line.
type jiffies struct{ total, steal uint64 }

// cpuStat reads /proc/stat's "cpu" line: user nice system idle iowait irq
// softirq steal guest guest_nice, in clock ticks (proc(5)). total sums the
// first eight (guest time is already counted in user).
func cpuStat() (jiffies, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return jiffies{}, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return jiffies{}, false
	}
	var j jiffies
	for i, v := range f[1:9] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return jiffies{}, false
		}
		j.total += n
		if i == 7 {
			j.steal = n
		}
	}
	return j, true
}
