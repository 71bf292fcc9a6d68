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
int32_t wv_mesh(const ThreadPool *p, const double *v, size_t n, double iso, size_t c,
	float *positions, float *normals, size_t npos, uint32_t *indices, size_t nidx, size_t *counts);
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

// Mesh is rayon.MeshOf computed by the Rust crate on the pool, into m's
// slices: Positions and Normals (of one length, a multiple of 3) and
// Indices hold the capacity, and are cut to the mesh's length. Errors:
// those of rayon.MeshOf; rayon.ErrParam for a chunk side past
// rayon.MaxChunk, more than rayon.MaxChunks chunks or a pool of more than
// 64 threads; rayon.ErrShape when the mesh does not fit (m then holds its
// sizes in Chunks and Meshed only).
func (p *Pool) Mesh(m *rayon.Mesh, v []float64, n int, iso float64, c int) error {
	if n < 1 || n > 1<<10 || len(v) < n*n*n {
		return fmt.Errorf("%w: n = %d for a field of %d values", rayon.ErrShape, n, len(v))
	}
	if cpa := rayon.ChunksPerAxis(n, c); c < 1 || c > rayon.MaxChunk || cpa*cpa*cpa > rayon.MaxChunks || p.threads > 64 {
		return fmt.Errorf("%w: chunks of %d cells, a pool of %d threads", rayon.ErrParam, c, p.threads)
	}
	pos, nrm, idx := m.Positions[:cap(m.Positions)], m.Normals[:cap(m.Normals)], m.Indices[:cap(m.Indices)]
	if len(pos) != len(nrm) {
		return fmt.Errorf("%w: positions and normals of %d and %d", rayon.ErrShape, len(pos), len(nrm))
	}
	var counts [4]C.size_t
	var pp, np *C.float
	var ip *C.uint32_t
	if len(pos) > 0 {
		pp, np = (*C.float)(unsafe.Pointer(&pos[0])), (*C.float)(unsafe.Pointer(&nrm[0]))
	}
	if len(idx) > 0 {
		ip = (*C.uint32_t)(unsafe.Pointer(&idx[0]))
	}
	s := C.wv_mesh(p.p, f64p(v), C.size_t(n), C.double(iso), C.size_t(c), pp, np, C.size_t(len(pos)), ip, C.size_t(len(idx)), &counts[0])
	m.Meshed, m.Chunks = int(counts[2]), int(counts[3])
	switch s {
	case 0:
		m.Positions, m.Normals, m.Indices = pos[:3*counts[0]], nrm[:3*counts[0]], idx[:counts[1]]
		return nil
	case -4:
		return fmt.Errorf("%w: a mesh of %d vertices and %d indices exceeds the slices", rayon.ErrShape, counts[0], counts[1])
	default:
		return fmt.Errorf("%w: wv_mesh returned %d", rayon.ErrGuest, s)
	}
}
