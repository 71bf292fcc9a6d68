package rayon

import (
	"errors"
	"fmt"

	"github.com/wasmvec/wasmvec/host"
)

// ErrGuest is a status the guest returned: it refused the arguments (a
// check the host side missed, or a guest built with other capacities).
var ErrGuest = errors.New("rayon: the guest refused the call")

// ErrStopped: the host asked the call to end early (host.Instance.Stop)
// and the guest did: GrayScott leaves the fields after a whole number of
// steps (fewer than asked), Mesh leaves no valid mesh. The instance serves
// later calls.
var ErrStopped = errors.New("rayon: the call was stopped")

// Kernels are the Rayon guest's kernels and buffers, looked up once in a
// module compiled from Module (or from any guest of the same world).
type Kernels struct {
	alma, grayScott, hash  *host.Kernel
	ranges, mesh, meshHash *host.Kernel
	// The buffers of f64 a caller fills or reads through host.View: the
	// input "series" and output "out" of ALMA, the fields "u" and "v" of
	// GrayScott, each chunk's min and max in "ranges" (Ranges).
	Series, Out, U, V, RangesOut host.Ref[float64]
	// The mesh (Mesh): 3 float32 per vertex in "positions" and
	// "normals", 3 vertex indices per triangle in "indices" (uint32 bits).
	Positions, Normals host.Ref[float32]
	Indices            host.Ref[int32]
	counts             host.Ref[int32]
	weights            host.Ref[float64]
	periods            host.Ref[int32]
}

// Lookup finds the kernels (alma, gray-scott, hash, ranges, mesh,
// mesh-hash) and the buffers in m:
// ErrMissingExport or ErrSignature (in a *host.GuestError) when m is not of
// the rayon world.
func Lookup(m *host.Module) (*Kernels, error) {
	var k Kernels
	var err error
	for _, f := range []struct {
		name string
		k    **host.Kernel
	}{{"alma", &k.alma}, {"gray-scott", &k.grayScott}, {"hash", &k.hash},
		{"ranges", &k.ranges}, {"mesh", &k.mesh}, {"mesh-hash", &k.meshHash}} {
		if *f.k, err = m.Kernel(f.name); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		name string
		r    *host.Ref[float64]
	}{{"series", &k.Series}, {"out", &k.Out}, {"u", &k.U}, {"v", &k.V}, {"weights", &k.weights}, {"ranges", &k.RangesOut}} {
		if *f.r, err = host.BufferRef[float64](m, f.name); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		name string
		r    *host.Ref[int32]
	}{{"periods", &k.periods}, {"indices", &k.Indices}, {"counts", &k.counts}} {
		if *f.r, err = host.BufferRef[int32](m, f.name); err != nil {
			return nil, err
		}
	}
	if k.Positions, err = host.BufferRef[float32](m, "positions"); err != nil {
		return nil, err
	}
	if k.Normals, err = host.BufferRef[float32](m, "normals"); err != nil {
		return nil, err
	}
	return &k, nil
}

func status(name string, r uint64) error {
	switch s := host.Decode[int32](r); s {
	case 0:
		return nil
	case errStopped:
		return fmt.Errorf("%w: %s", ErrStopped, name)
	default:
		return fmt.Errorf("%w: %s returned %d", ErrGuest, name, s)
	}
}

// ALMA runs the ALMA batch (see ALMA) in the guest on the data in place:
// nseries series of length length must already be in the guest's buffer
// "series" (host.View(b, k.Series)); ALMA writes each parameter
// set's period into "periods" and its Weights into "weights", calls the
// kernel, and leaves output series s·len(params)+p in "out" at
// (s·len(params)+p)·length, nseries·len(params)·length values in all.
//
// Errors: ErrParam for a period < 1; ErrShape when nseries or length is
// below 1, or a buffer's capacity is too small for the series, the
// periods, the weights or the output; the host's errors of the views and
// of the call (ErrTrap in a *host.GuestError when the guest traps,
// ErrDeadline past a deadline); ErrGuest if the guest refuses; ErrStopped
// when host.Instance.Stop ended the call early (the output series not yet
// begun then hold what they held).
func (k *Kernels) ALMA(b host.Buffers, nseries, length int, params []Param) error {
	series, err := host.View(b, k.Series)
	if err != nil {
		return err
	}
	periods, err := host.View(b, k.periods)
	if err != nil {
		return err
	}
	weights, err := host.View(b, k.weights)
	if err != nil {
		return err
	}
	out, err := host.View(b, k.Out)
	if err != nil {
		return err
	}
	if nseries < 1 || length < 1 || nseries > len(series)/length {
		return fmt.Errorf("%w: %d series of %d values exceed the guest's series capacity of %d", ErrShape, nseries, length, len(series))
	}
	if len(params) > len(periods) || nseries*len(params) > len(out)/length {
		return fmt.Errorf("%w: %d parameter sets × %d series of %d values exceed the guest's capacities (%d periods, %d outputs)", ErrShape, len(params), nseries, length, len(periods), len(out))
	}
	ws, err := weightSets(params)
	if err != nil {
		return err
	}
	ps, w := concat(ws)
	if len(w) > len(weights) {
		return fmt.Errorf("%w: the periods add up to %d, past the guest's weights capacity of %d", ErrShape, len(w), len(weights))
	}
	copy(periods, ps)
	copy(weights, w)
	r, err := b.Call(k.alma, host.Encode(int32(nseries)), host.Encode(int32(length)), host.Encode(int32(len(params))))
	if err != nil {
		return err
	}
	return status("alma", r)
}

// GrayScott advances the fields in the guest's buffers "u" and "v" (n³
// cells each, at the start of each buffer) by steps steps (see GrayScott),
// in place: the guest double-buffers in scratch fields of its own and, for
// an odd step count, copies the result back once at the end.
//
// Errors: ErrShape unless 1 ≤ n and n³ ≤ the capacity of "u" and "v";
// ErrParam for steps < 0 or past 2³¹−1, dt < 0 or NaN; the host's errors
// of the views and of the call; ErrGuest if the guest refuses; ErrStopped
// when host.Instance.Stop ended the call early (the fields then hold the
// state after a whole number of steps).
func (k *Kernels) GrayScott(b host.Buffers, n, steps int, p GS) error {
	if err := k.grid(b, n); err != nil {
		return err
	}
	if steps < 0 || steps > 1<<31-1 || !(p.Dt >= 0) {
		return fmt.Errorf("%w: steps %d, dt %v", ErrParam, steps, p.Dt)
	}
	r, err := b.Call(k.grayScott, host.Encode(int32(n)), host.Encode(int32(steps)),
		host.Encode(float64(p.Du)), host.Encode(float64(p.Dv)), host.Encode(float64(p.F)), host.Encode(float64(p.K)), host.Encode(float64(p.Dt)))
	if err != nil {
		return err
	}
	return status("gray-scott", r)
}

// Hash returns the guest's Hash of the first n³ cells of "u" and "v".
// Errors: those of GrayScott for n, and the host's errors of the call.
func (k *Kernels) Hash(b host.Buffers, n int) (uint64, error) {
	if err := k.grid(b, n); err != nil {
		return 0, err
	}
	r, err := b.Call(k.hash, host.Encode(int32(n)))
	return r, err
}

func (k *Kernels) grid(b host.Buffers, n int) error {
	u, err := host.View(b, k.U)
	if err != nil {
		return err
	}
	v, err := host.View(b, k.V)
	if err != nil {
		return err
	}
	if n < 1 || n > 1<<10 || n*n*n > min(len(u), len(v)) {
		return fmt.Errorf("%w: n = %d: n³ exceeds the guest's field capacity of %d cells", ErrShape, n, min(len(u), len(v)))
	}
	return nil
}

// Ranges runs the guest's ranges kernel (the reference is Ranges) over the
// first n³ values of "v": each chunk of c cells per side gets its minimum
// and maximum in "ranges" (k.RangesOut), 2 values per chunk in chunk order.
// It returns the number of chunks.
//
// Errors: those of GrayScott for n; ErrParam for c < 1; ErrShape when
// "ranges" cannot hold 2 values per chunk; the host's errors of the call;
// ErrGuest if the guest refuses.
func (k *Kernels) Ranges(b host.Buffers, n, c int) (int, error) {
	if err := k.grid(b, n); err != nil {
		return 0, err
	}
	if c < 1 || c > 1<<10 {
		return 0, fmt.Errorf("%w: chunks of %d cells", ErrParam, c)
	}
	r, err := host.View(b, k.RangesOut)
	if err != nil {
		return 0, err
	}
	cpa := ChunksPerAxis(n, c)
	if 2*cpa*cpa*cpa > len(r) {
		return 0, fmt.Errorf("%w: %d chunks of %d cells need %d values, past the capacity of \"ranges\" (%d)", ErrShape, cpa*cpa*cpa, c, 2*cpa*cpa*cpa, len(r))
	}
	res, err := b.Call(k.ranges, host.Encode(uint32(n)), host.Encode(uint32(c)))
	if err != nil {
		return 0, err
	}
	if got := host.Decode[int32](res); int(got) != cpa*cpa*cpa {
		return 0, fmt.Errorf("%w: ranges returned %d, want %d chunks", ErrGuest, got, cpa*cpa*cpa)
	}
	return cpa * cpa * cpa, nil
}

// MeshInfo is what the guest's mesh kernel made: Vertices (3 values each in
// "positions" and "normals"), Indices (3 per triangle in "indices"), the
// chunks that have triangles (Meshed) and all Chunks.
type MeshInfo struct{ Vertices, Indices, Meshed, Chunks int }

// Mesh runs the guest's mesh kernel (the reference is MeshOf): the
// isosurface of the first n³ values of "v" at iso, in chunks of c cells
// per side, meshed in parallel and merged in chunk order into "positions",
// "normals" and "indices".
//
// Errors: those of GrayScott for n; ErrParam for c < 1 or c > MaxChunk,
// or more than MaxChunks chunks; ErrShape, with
// the sizes, when the mesh exceeds a buffer's capacity (the guest then
// writes none of the mesh); the host's errors of the call; ErrGuest if the
// guest refuses; ErrStopped when host.Instance.Stop ended the call early
// (no valid mesh then, and the counts are zero).
func (k *Kernels) Mesh(b host.Buffers, n int, iso float64, c int) (MeshInfo, error) {
	if err := k.grid(b, n); err != nil {
		return MeshInfo{}, err
	}
	if cpa := ChunksPerAxis(n, c); c < 1 || c > MaxChunk || cpa*cpa*cpa > MaxChunks {
		return MeshInfo{}, fmt.Errorf("%w: chunks of %d cells (the guest meshes chunks of 1 to %d cells per side, at most %d chunks)", ErrParam, c, MaxChunk, MaxChunks)
	}
	cs, err := host.View(b, k.counts)
	if err != nil {
		return MeshInfo{}, err
	}
	if len(cs) < 4 {
		return MeshInfo{}, fmt.Errorf("%w: \"counts\" holds %d values, not 4", ErrShape, len(cs))
	}
	r, err := b.Call(k.mesh, host.Encode(uint32(n)), host.Encode(iso), host.Encode(uint32(c)))
	if err != nil {
		return MeshInfo{}, err
	}
	info := MeshInfo{int(cs[0]), int(cs[1]), int(cs[2]), int(cs[3])}
	if s := host.Decode[int32](r); s == errMesh {
		return info, fmt.Errorf("%w: a mesh of %d vertices and %d indices exceeds the guest's buffers", ErrShape, info.Vertices, info.Indices)
	}
	if err := status("mesh", r); err != nil {
		return MeshInfo{}, err
	}
	pos, err := host.View(b, k.Positions)
	if err != nil {
		return MeshInfo{}, err
	}
	idx, err := host.View(b, k.Indices)
	if err != nil {
		return MeshInfo{}, err
	}
	if info.Vertices < 0 || 3*info.Vertices > len(pos) || info.Indices < 0 || info.Indices > len(idx) {
		return MeshInfo{}, fmt.Errorf("%w: mesh counts %+v past the buffers", ErrGuest, info)
	}
	return info, nil
}

// MaxChunk is the largest chunk side, in cells, and MaxChunks the most
// chunks, the guest's mesh kernel takes (mesh.rs: MAX_CHUNK, MAX_CHUNKS).
const (
	MaxChunk  = 32
	MaxChunks = 1 << 17
)

// The kernels' statuses for a mesh past the buffers (ERR_MESH) and a call
// the host stopped (ERR_STOPPED).
const (
	errMesh    = -4
	errStopped = -5
)

// MeshHash returns the guest's mesh-hash of the last mesh (MeshHash's
// definition), 0 after a mesh that did not fit. Errors: the host's
// errors of the call.
func (k *Kernels) MeshHash(b host.Buffers) (uint64, error) {
	return b.Call(k.meshHash)
}

// ReadMesh copies the mesh info describes out of the guest's buffers.
// Errors: those of host.View; ErrShape if info does not fit them.
func (k *Kernels) ReadMesh(b host.Buffers, info MeshInfo) (Mesh, error) {
	pos, err := host.View(b, k.Positions)
	if err != nil {
		return Mesh{}, err
	}
	nrm, err := host.View(b, k.Normals)
	if err != nil {
		return Mesh{}, err
	}
	idx, err := host.View(b, k.Indices)
	if err != nil {
		return Mesh{}, err
	}
	nv, ni := 3*info.Vertices, info.Indices
	if info.Vertices < 0 || ni < 0 || nv > min(len(pos), len(nrm)) || ni > len(idx) {
		return Mesh{}, fmt.Errorf("%w: %+v past the mesh buffers", ErrShape, info)
	}
	m := Mesh{
		Positions: append([]float32(nil), pos[:nv]...),
		Normals:   append([]float32(nil), nrm[:nv]...),
		Indices:   make([]uint32, ni),
		Chunks:    info.Chunks,
		Meshed:    info.Meshed,
	}
	for i, x := range idx[:ni] {
		m.Indices[i] = uint32(x)
	}
	return m, nil
}
