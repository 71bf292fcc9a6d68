package host

import "github.com/bytecodealliance/wasmtime-go/v39"

// export indexes the functions of the WIT world wit/vector.wit. The table
// below is the host's copy of that contract; TestExportsMatchWIT checks it
// against the WIT file.
type export int

const (
	expBufferA export = iota
	expBufferB
	expResult
	expCapacity
	expSum
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
	numExports

	// expPing is "ping-workers" of a threaded guest: it has a slot in the
	// typed call path, but is not part of the vector world.
	expPing = numExports
)

// name returns the export's name in the WIT world.
func (e export) name() string {
	if e == expPing {
		return expPingWorkers
	}
	return exports[e].name
}

const (
	i32 = wasmtime.KindI32
	f64 = wasmtime.KindF64
)

// signature is a core-wasm function type: WIT u32 lowers to i32, f64 to f64.
type signature struct {
	name    string
	params  []wasmtime.ValKind
	results []wasmtime.ValKind
}

var exports = [numExports]signature{
	expBufferA:     {"get-buffer-a-offset", nil, []wasmtime.ValKind{i32}},
	expBufferB:     {"get-buffer-b-offset", nil, []wasmtime.ValKind{i32}},
	expResult:      {"get-result-offset", nil, []wasmtime.ValKind{i32}},
	expCapacity:    {"get-capacity", nil, []wasmtime.ValKind{i32}},
	expSum:         {"sum", []wasmtime.ValKind{i32}, []wasmtime.ValKind{f64}},
	expSumFold:     {"sum-fold", []wasmtime.ValKind{f64, i32}, []wasmtime.ValKind{f64}},
	expSumSIMD:     {"sum-simd", []wasmtime.ValKind{i32}, []wasmtime.ValKind{f64}},
	expSumSIMDFold: {"sum-simd-fold", []wasmtime.ValKind{f64, i32}, []wasmtime.ValKind{f64}},
	expDot:         {"dot", []wasmtime.ValKind{i32}, []wasmtime.ValKind{f64}},
	expDotFold:     {"dot-fold", []wasmtime.ValKind{f64, i32}, []wasmtime.ValKind{f64}},
	expDotSIMD:     {"dot-simd", []wasmtime.ValKind{i32}, []wasmtime.ValKind{f64}},
	expDotSIMDFold: {"dot-simd-fold", []wasmtime.ValKind{f64, i32}, []wasmtime.ValKind{f64}},
	expSumBlocks:   {"sum-blocks", []wasmtime.ValKind{i32}, nil},
	expDotBlocks:   {"dot-blocks", []wasmtime.ValKind{i32}, nil},
	expSumBatch:    {"sum-batch", []wasmtime.ValKind{i32, i32}, nil},
	expDotBatch:    {"dot-batch", []wasmtime.ValKind{i32, i32}, nil},
	expMul:         {"mul", []wasmtime.ValKind{i32}, nil},
	expMulSIMD:     {"mul-simd", []wasmtime.ValKind{i32}, nil},
	expScale:       {"scale", []wasmtime.ValKind{f64, i32}, nil},
	expScaleSIMD:   {"scale-simd", []wasmtime.ValKind{f64, i32}, nil},
}

// memoryExport is the linear memory every guest exports.
const memoryExport = "memory"

// wasiModule is the only import module a guest may use.
const wasiModule = "wasi_snapshot_preview1"

func (s signature) matches(ft *wasmtime.FuncType) bool {
	return kindsEqual(s.params, ft.Params()) && kindsEqual(s.results, ft.Results())
}

func kindsEqual(want []wasmtime.ValKind, got []*wasmtime.ValType) bool {
	if len(want) != len(got) {
		return false
	}
	for i, k := range want {
		if got[i].Kind() != k {
			return false
		}
	}
	return true
}

func (s signature) String() string {
	return funcString(s.params, s.results)
}

func funcString(params, results []wasmtime.ValKind) string {
	str := "func("
	for i, k := range params {
		if i > 0 {
			str += ", "
		}
		str += k.String()
	}
	str += ")"
	if len(results) > 0 {
		str += " -> "
		for i, k := range results {
			if i > 0 {
				str += ", "
			}
			str += k.String()
		}
	}
	return str
}

func kinds(vts []*wasmtime.ValType) []wasmtime.ValKind {
	ks := make([]wasmtime.ValKind, len(vts))
	for i, v := range vts {
		ks[i] = v.Kind()
	}
	return ks
}
