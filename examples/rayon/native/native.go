//go:build wasmvec_rust_native

package native

/*
// A shared library, not the staticlib: wasmtime-go links Rust's std as part
// of libwasmtime.a, and two static Rust std copies clash at link time.
#cgo LDFLAGS: -L${SRCDIR}/../rust/target/release -Wl,-rpath,${SRCDIR}/../rust/target/release -lwasmvec_rayon
#include <stddef.h>
#include <stdint.h>
typedef struct ThreadPool ThreadPool;
ThreadPool *wv_rayon_pool(uint32_t threads);
void wv_rayon_pool_free(ThreadPool *p);
int32_t wv_alma(const ThreadPool *p, const double *series, size_t nseries, size_t len,
	const int32_t *periods, size_t nparams, const double *weights, size_t nweights, double *out, size_t nout);
void wv_gray_scott(const ThreadPool *p, size_t n, size_t steps, double *u, double *v, double *u2, double *v2,
	double du, double dv, double f, double k, double dt);
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/wasmvec/wasmvec/examples/rayon"
)

// Pool is a native Rayon pool (OS threads).
type Pool struct {
	p       *C.ThreadPool
	threads int
}

// NewPool builds a Rayon pool of threads OS threads (1 ≤ threads ≤ 256),
// or returns rayon.ErrParam, or an error when Rayon cannot spawn them.
func NewPool(threads int) (*Pool, error) {
	if threads < 1 || threads > 256 {
		return nil, fmt.Errorf("%w: %d threads", rayon.ErrParam, threads)
	}
	p := C.wv_rayon_pool(C.uint32_t(threads))
	if p == nil {
		return nil, errors.New("native: Rayon could not build a pool")
	}
	return &Pool{p: p, threads: threads}, nil
}

// Threads returns the pool's thread count.
func (p *Pool) Threads() int { return p.threads }

// Close frees the pool; Rayon ends its threads.
func (p *Pool) Close() {
	if p.p != nil {
		C.wv_rayon_pool_free(p.p)
		p.p = nil
	}
}

func f64p(x []float64) *C.double { return (*C.double)(unsafe.Pointer(unsafe.SliceData(x))) }

// ALMA is rayon.ALMA computed by the Rust crate on the pool, with the same
// weights (rayon.Weights) and the same errors.
func (p *Pool) ALMA(out, series []float64, nseries int, params []rayon.Param) error {
	length, periods, weights, err := rayon.Flatten(out, series, nseries, params)
	if err != nil {
		return err
	}
	if len(out) == 0 {
		return nil
	}
	s := C.wv_alma(p.p, f64p(series), C.size_t(nseries), C.size_t(length),
		(*C.int32_t)(unsafe.Pointer(unsafe.SliceData(periods))), C.size_t(len(periods)),
		f64p(weights), C.size_t(len(weights)), f64p(out), C.size_t(len(out)))
	if s != 0 {
		return fmt.Errorf("%w: wv_alma returned %d", rayon.ErrGuest, s)
	}
	return nil
}

// GrayScott is rayon.GrayScott computed by the Rust crate on the pool; u2
// and v2 are its scratch fields (n³ cells each, like u and v).
func (p *Pool) GrayScott(n, steps int, prm rayon.GS, u, v, u2, v2 []float64) error {
	if err := rayon.CheckGrid(n, steps, prm, u, v); err != nil {
		return err
	}
	if len(u2) != len(u) || len(v2) != len(v) {
		return fmt.Errorf("%w: scratch fields of %d and %d cells, want %d", rayon.ErrShape, len(u2), len(v2), len(u))
	}
	C.wv_gray_scott(p.p, C.size_t(n), C.size_t(steps), f64p(u), f64p(v), f64p(u2), f64p(v2),
		C.double(prm.Du), C.double(prm.Dv), C.double(prm.F), C.double(prm.K), C.double(prm.Dt))
	return nil
}
