package host

import (
	"fmt"
	"strings"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// The buffer-and-kernel contract (wit/README.md, docs/design.md): a guest
// declares its buffers and kernels by the names and types of its exports,
// so the host learns them from the module alone.
//
//	buffer-<name>-<type>: func() -> u32   byte offset of buffer <name>, elements of <type>
//	capacity-<name>:      func() -> u32   its capacity in elements
//	any other function export             a kernel: numeric parameters, at most one numeric result
//
// The names below are reserved: they are neither buffers nor kernels.

const (
	bufferPrefix   = "buffer-"
	capacityPrefix = "capacity-"

	// memoryExport is the linear memory every guest exports.
	memoryExport = "memory"
	// wasiModule is the only import module a guest that is not threaded may use.
	wasiModule = "wasi_snapshot_preview1"

	// maxParams is the most parameters a kernel may take.
	maxParams = 16

	// maxBuffers is the most buffers a module may declare: Compile refuses
	// more with ErrLimit. Instantiate asks each buffer's exports twice and
	// checks overlaps in O(n log n), so the limit bounds what a hostile
	// declaration costs (BenchmarkLayout measures it).
	maxBuffers = 4096
)

// reserved reports whether a function export belongs to the runtime or to
// the contract rather than being a kernel: WASI's and the contract's names,
// TinyGo's allocator, the component model's cabi_*, and names that begin
// with "__", which C, Rust and Go toolchains use for their runtimes
// (__main_void, __wasm_call_ctors, ...).
func reserved(name string) bool {
	switch name {
	case "_initialize", "_start", expThreadStart, expStartWorkers, expStopWorkers, expPingWorkers, expAbortOffset, expStopOffset,
		"malloc", "free", "calloc", "realloc": // the allocator TinyGo exports for hosts that pass strings
		return true
	}
	return strings.HasPrefix(name, "cabi_") || strings.HasPrefix(name, "__") ||
		strings.HasPrefix(name, bufferPrefix) || strings.HasPrefix(name, capacityPrefix)
}

// valType is the type of a kernel parameter or result, or of a buffer's
// elements: one of the four numeric types of core WebAssembly. WIT's u32 and
// s32 lower to i32, u64 and s64 to i64. The API names it by its String
// (Kernel.Params, BufferInfo.Type).
type valType uint8

const (
	tI32 valType = iota + 1
	tI64
	tF32
	tF64
)

// String returns the WebAssembly name of the type: "i32", "i64", "f32" or "f64".
func (t valType) String() string {
	switch t {
	case tI32:
		return "i32"
	case tI64:
		return "i64"
	case tF32:
		return "f32"
	case tF64:
		return "f64"
	}
	return fmt.Sprintf("valType(%d)", uint8(t))
}

// size returns the size of one value in bytes: 4 or 8.
func (t valType) size() int {
	if t == tI32 || t == tF32 {
		return 4
	}
	return 8
}

func valTypeOf(k wasmtime.ValKind) (valType, bool) {
	switch k {
	case wasmtime.KindI32:
		return tI32, true
	case wasmtime.KindI64:
		return tI64, true
	case wasmtime.KindF32:
		return tF32, true
	case wasmtime.KindF64:
		return tF64, true
	}
	return 0, false
}

func parseValType(s string) (valType, bool) {
	for _, t := range []valType{tI32, tI64, tF32, tF64} {
		if t.String() == s {
			return t, true
		}
	}
	return 0, false
}

// signature is a core-wasm function type over the numeric types.
type signature struct {
	params, results []valType
}

func (s signature) String() string {
	var b strings.Builder
	b.WriteString("func(")
	for i, t := range s.params {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t.String())
	}
	b.WriteString(")")
	for i, t := range s.results {
		if i == 0 {
			b.WriteString(" -> ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(t.String())
	}
	return b.String()
}

func (s signature) equal(o signature) bool {
	return typesEqual(s.params, o.params) && typesEqual(s.results, o.results)
}

func typesEqual(a, b []valType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// signatureOf converts a function type; ok is false if a parameter or
// result is not numeric (v128, a reference).
func signatureOf(ft *wasmtime.FuncType) (s signature, desc string, ok bool) {
	ok = true
	conv := func(vts []*wasmtime.ValType) []valType {
		out := make([]valType, len(vts))
		for i, v := range vts {
			t, good := valTypeOf(v.Kind())
			if !good {
				ok = false
			}
			out[i] = t
		}
		return out
	}
	s = signature{conv(ft.Params()), conv(ft.Results())}
	if !ok {
		var b strings.Builder
		b.WriteString("func(")
		for i, v := range ft.Params() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(kindName(v.Kind()))
		}
		b.WriteString(") -> (")
		for i, v := range ft.Results() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(kindName(v.Kind()))
		}
		b.WriteString(")")
		return s, b.String(), false
	}
	return s, s.String(), true
}

// kindName names any value kind; wasmtime-go's ValKind.String panics on
// v128.
func kindName(k wasmtime.ValKind) string {
	if t, ok := valTypeOf(k); ok {
		return t.String()
	}
	switch k {
	case wasmtime.KindExternref:
		return "externref"
	case wasmtime.KindFuncref:
		return "funcref"
	case 4: // v128: Wasmtime answers WASMTIME_V128 (wasmtime/val.h); wasm.h names no such kind
		return "v128"
	}
	return fmt.Sprintf("kind %d", uint8(k))
}

var layoutSig = signature{nil, []valType{tI32}} // buffer-* and capacity-*: func() -> u32

// bufferDecl is a buffer as the module's exports declare it.
type bufferDecl struct {
	name string
	typ  valType
}

func (d bufferDecl) offsetExport() string { return bufferPrefix + d.name + "-" + d.typ.String() }

func (d bufferDecl) capacityExport() string { return capacityPrefix + d.name }

// contract is what Compile learns from a module's exports.
type contract struct {
	buffers  []bufferDecl // in export order
	bufIndex map[string]int
	kernels  []*Kernel // in export order
	byName   map[string]*Kernel
	nonFunc  map[string]bool // exports that are not functions, nor the memory
}

// readContract discovers the buffers and kernels of module m.
func readContract(guest string, m *Module, exps []*wasmtime.ExportType, threaded bool) (*contract, error) {
	c := &contract{bufIndex: map[string]int{}, byName: map[string]*Kernel{}, nonFunc: map[string]bool{}}
	funcs := map[string]*wasmtime.FuncType{}
	var order []string
	memSeen := false
	for _, exp := range exps {
		name := exp.Name()
		ft := exp.Type().FuncType()
		if name == memoryExport {
			mt := exp.Type().MemoryType()
			if mt == nil {
				return nil, guestErr(guest, memoryExport, ErrSignature, "export is not a memory")
			}
			if mt.IsShared() && !threaded {
				return nil, guestErr(guest, memoryExport, ErrSignature, "a shared memory is only accepted as the import %s.%s of a threaded guest", sharedModule, sharedName)
			}
			if mt.Is64() {
				return nil, guestErr(guest, memoryExport, ErrSignature, "a 64-bit memory; guests use 32-bit offsets")
			}
			memSeen = true
			continue
		}
		if ft == nil {
			c.nonFunc[name] = true // globals, tables: not part of the contract
			continue
		}
		funcs[name] = ft
		order = append(order, name)
	}
	if !memSeen {
		return nil, guestErr(guest, memoryExport, ErrMissingExport, "no linear memory exported")
	}
	// The start-up exports the host calls with no arguments (startRuntime).
	for _, name := range []string{"_initialize", "_start"} {
		if ft, ok := funcs[name]; ok {
			if s, desc, _ := signatureOf(ft); !s.equal(signature{}) {
				return nil, guestErr(guest, name, ErrSignature, "got %s, want func() (the host calls it with no arguments)", desc)
			}
		} else if c.nonFunc[name] {
			return nil, guestErr(guest, name, ErrSignature, "export %q is not a function", name)
		}
	}
	// Buffers: buffer-<name>-<type>, each with its capacity-<name>.
	for _, name := range order {
		rest, ok := strings.CutPrefix(name, bufferPrefix)
		if !ok {
			continue
		}
		i := strings.LastIndexByte(rest, '-')
		if i <= 0 {
			return nil, guestErr(guest, name, ErrModule, "a buffer export is named buffer-<name>-<type>, with <type> one of i32, i64, f32, f64")
		}
		bname, tname := rest[:i], rest[i+1:]
		typ, ok := parseValType(tname)
		if !ok {
			return nil, guestErr(guest, name, ErrModule, "buffer %q: unknown element type %q (want i32, i64, f32 or f64)", bname, tname)
		}
		if j, dup := c.bufIndex[bname]; dup {
			return nil, guestErr(guest, name, ErrModule, "buffer %q is declared twice (also by %s)", bname, c.buffers[j].offsetExport())
		}
		d := bufferDecl{bname, typ}
		for _, e := range []string{d.offsetExport(), d.capacityExport()} {
			ft, ok := funcs[e]
			if !ok {
				return nil, guestErr(guest, e, ErrMissingExport, "buffer %q needs %s and %s, each %v", bname, d.offsetExport(), d.capacityExport(), layoutSig)
			}
			if s, desc, _ := signatureOf(ft); !s.equal(layoutSig) {
				return nil, guestErr(guest, e, ErrSignature, "got %s, want %v", desc, layoutSig)
			}
		}
		c.bufIndex[bname] = len(c.buffers)
		c.buffers = append(c.buffers, d)
		if len(c.buffers) > maxBuffers {
			return nil, guestErr(guest, name, ErrLimit, "more than %d buffers; at most %d are supported", maxBuffers, maxBuffers)
		}
	}
	for _, name := range order {
		if rest, ok := strings.CutPrefix(name, capacityPrefix); ok {
			if _, ok := c.bufIndex[rest]; !ok {
				return nil, guestErr(guest, name, ErrMissingExport, "capacity of buffer %q, which no buffer-%s-<type> export declares", rest, rest)
			}
		}
	}
	// Kernels: every other function export.
	for _, name := range order {
		if reserved(name) {
			continue
		}
		s, desc, ok := signatureOf(funcs[name])
		switch {
		case !ok:
			return nil, guestErr(guest, name, ErrSignature, "got %s: a kernel takes and returns only i32, i64, f32 and f64", desc)
		case len(s.results) > 1:
			return nil, guestErr(guest, name, ErrSignature, "got %s: a kernel returns at most one value", desc)
		case len(s.params) > maxParams:
			return nil, guestErr(guest, name, ErrSignature, "got %s: a kernel takes at most %d parameters", desc, maxParams)
		}
		k := &Kernel{m: m, name: name, sig: s}
		c.kernels = append(c.kernels, k)
		c.byName[name] = k
	}
	if len(c.kernels) > maxKernels {
		return nil, guestErr(guest, "", ErrSignature, "%d kernels; at most %d are supported", len(c.kernels), maxKernels)
	}
	if threaded {
		// Its threads start from state _initialize set up (the heap, the
		// thread pointer, static constructors): without it, start-workers
		// runs on memory nobody initialised and can wait for ever.
		ft, ok := funcs[expInitialize]
		if !ok {
			return nil, guestErr(guest, expInitialize, ErrModule, "a threaded guest cannot start without it: export %s of type %v (a WASI reactor)", expInitialize, signature{})
		}
		if s, desc, _ := signatureOf(ft); !s.equal(signature{}) {
			return nil, guestErr(guest, expInitialize, ErrSignature, "got %s, want %v", desc, signature{})
		}
		for _, t := range threadExports {
			ft, ok := funcs[t.name]
			if !ok {
				if t.name == expPingWorkers || t.name == expStopOffset {
					continue // optional: the dispatch round trip (for benchmarks), the cooperative stop
				}
				return nil, guestErr(guest, t.name, ErrMissingExport, "a threaded guest exports it: want %v", t.sig)
			}
			if s, desc, _ := signatureOf(ft); !s.equal(t.sig) {
				return nil, guestErr(guest, t.name, ErrSignature, "got %s, want %v", desc, t.sig)
			}
		}
	}
	for i, k := range c.kernels {
		k.index = export(i)
	}
	return c, nil
}
