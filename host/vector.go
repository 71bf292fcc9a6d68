package host

import "fmt"

// The vector world of wit/vector.wit as data: the buffers and kernels the
// typed methods (Sum, Dot, Mul, Scale and their variants, the batches, the
// block partials, Pool.SumParallel) call. It is one instance of the
// buffer-and-kernel contract: Compile discovers every module's buffers and
// kernels, then checks whether they include these; a module that does not
// is still a valid guest for Instance.Call, and its typed methods return
// the reason (Module.Vector).

// export is the index of a kernel in its module's table. When the module
// implements the vector world, its kernels come first, in the order below.
type export int

const (
	expSum export = iota
	expSumFold
	expSumSIMD
	expSumSIMDFold
	expDot
	expDotFold
	expDotSIMD
	expDotSIMDFold
	expSumBlocks
	expDotBlocks
	expSumBatch
	expDotBatch
	expMul
	expMulSIMD
	expScale
	expScaleSIMD
	numVector
)

var (
	sigLen      = signature{[]ValType{I32}, nil}
	sigLenF64   = signature{[]ValType{I32}, []ValType{F64}}
	sigFold     = signature{[]ValType{F64, I32}, []ValType{F64}}
	sigScale    = signature{[]ValType{F64, I32}, nil}
	sigLenLen   = signature{[]ValType{I32, I32}, nil}
	vectorWorld = [numVector]struct {
		name string
		sig  signature
	}{
		expSum:         {"sum", sigLenF64},
		expSumFold:     {"sum-fold", sigFold},
		expSumSIMD:     {"sum-simd", sigLenF64},
		expSumSIMDFold: {"sum-simd-fold", sigFold},
		expDot:         {"dot", sigLenF64},
		expDotFold:     {"dot-fold", sigFold},
		expDotSIMD:     {"dot-simd", sigLenF64},
		expDotSIMDFold: {"dot-simd-fold", sigFold},
		expSumBlocks:   {"sum-blocks", sigLen},
		expDotBlocks:   {"dot-blocks", sigLen},
		expSumBatch:    {"sum-batch", sigLenLen},
		expDotBatch:    {"dot-batch", sigLenLen},
		expMul:         {"mul", sigLen},
		expMulSIMD:     {"mul-simd", sigLen},
		expScale:       {"scale", sigScale},
		expScaleSIMD:   {"scale-simd", sigScale},
	}
)

// The vector world's buffers, at these indices of the layout when the
// module implements it.
const (
	bufA = iota
	bufB
	bufResult
)

var vectorBuffers = [...]string{bufA: "a", bufB: "b", bufResult: "result"}

// orderVector checks whether the contract includes the vector world and,
// if so, moves its buffers and kernels to the front in world order. It
// returns why not otherwise, naming the first export that is missing or
// has another type.
func (c *contract) orderVector(guest string) error {
	for _, name := range vectorBuffers {
		i, ok := c.bufIndex[name]
		if !ok {
			return guestErr(guest, bufferPrefix+name+"-f64", ErrMissingExport, "the vector world declares buffer %q of f64", name)
		}
		if c.buffers[i].typ != F64 {
			return guestErr(guest, c.buffers[i].offsetExport(), ErrSignature, "the vector world's buffer %q holds f64, not %v", name, c.buffers[i].typ)
		}
	}
	for _, w := range vectorWorld {
		k, ok := c.byName[w.name]
		if !ok && c.nonFunc[w.name] {
			return guestErr(guest, w.name, ErrSignature, "export is not a function, want %v", w.sig)
		}
		if !ok {
			return guestErr(guest, w.name, ErrMissingExport, "the vector world exports it: want %v", w.sig)
		}
		if !k.sig.equal(w.sig) {
			return guestErr(guest, w.name, ErrSignature, "got %v, want %v", k.sig, w.sig)
		}
	}
	// Move the world's buffers and kernels to the front, in world order.
	isVec := map[string]bool{}
	bufs := make([]bufferDecl, 0, len(c.buffers))
	for _, name := range vectorBuffers {
		bufs = append(bufs, c.buffers[c.bufIndex[name]])
		isVec[name] = true
	}
	for _, b := range c.buffers {
		if !isVec[b.name] {
			bufs = append(bufs, b)
		}
	}
	c.buffers = bufs
	for i, b := range bufs {
		c.bufIndex[b.name] = i
	}
	ks := make([]*Kernel, 0, len(c.kernels))
	isKernel := map[string]bool{}
	for _, w := range vectorWorld {
		ks = append(ks, c.byName[w.name])
		isKernel[w.name] = true
	}
	for _, k := range c.kernels {
		if !isKernel[k.name] {
			ks = append(ks, k)
		}
	}
	c.kernels = ks
	return nil
}

// Vector reports whether the module implements the vector world of
// wit/vector.wit: nil if it does, else a *GuestError wrapping
// ErrMissingExport or ErrSignature that names the first export missing or
// of another type. The typed methods (Instance.Sum and the rest, Buffers.Sum
// and the rest, Pool.SumParallel, Pool.DotParallel) return this error for a
// module that does not.
func (m *Module) Vector() error { return m.c.vecErr }

// name returns the name of kernel e of the instance's module.
func (in *Instance) kname(e export) string {
	if int(e) < len(in.mod.c.kernels) {
		return in.mod.c.kernels[e].name
	}
	if e == in.pingSlot() {
		return expPingWorkers
	}
	return fmt.Sprintf("kernel %d", int(e))
}
