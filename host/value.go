package host

import (
	"math"

	"github.com/wasmvec/wasmvec/internal/raw"
)

// Calling any kernel. Arguments and the result travel as the raw bits of
// their WebAssembly values, as in wazero's api.EncodeF64 and friends, so a
// call allocates nothing and reflects on nothing.

// Encode returns x as a kernel argument: the bits of its WebAssembly value
// (f64 for float64, f32 for float32, i32 for int32 and uint32, i64 for
// int64 and uint64: WIT's u32 and u64, and the kits' u32/uint32_t
// lengths, take a uint32 as it is), as in wazero's api.EncodeF64 and
// friends:
//
//	in.Call(k, host.Encode(float32(2)), host.Encode(uint32(n)))
//
// An untyped constant needs its type: Encode(2) is an int, which is no
// value type.
func Encode[T Value](x T) uint64 {
	switch elemType[T]() {
	case tF32:
		return uint64(math.Float32bits(float32(x)))
	case tF64:
		return math.Float64bits(float64(x))
	case tI32:
		return uint64(uint32(int32(x)))
	}
	return uint64(int64(x))
}

// Decode returns the value of type T a kernel returned as v (its result's
// bits, as Call returns them): Decode[float64](r) for an f64 result,
// Decode[int32](r) for an i32, Decode[uint32](r) for an i32 the guest
// means as unsigned (WIT u32); likewise int64 and uint64 for an i64.
func Decode[T Value](v uint64) T {
	switch elemType[T]() {
	case tF32:
		return T(math.Float32frombits(uint32(v)))
	case tF64:
		return T(math.Float64frombits(v))
	case tI32:
		return T(int32(uint32(v)))
	}
	return T(int64(v))
}

// Elem is the Go type of a buffer's elements: float64 for f64, float32 for
// f32, int32 for i32, int64 for i64.
type Elem interface {
	float64 | float32 | int32 | int64
}

// Value is the Go type of a kernel's argument or result (Encode, Decode):
// an Elem, or uint32 for an i32 and uint64 for an i64 that the guest
// reads as unsigned (WIT's u32 and u64; the bits are the same).
type Value interface {
	Elem | uint32 | uint64
}

// elemType is T's value type, from its size and whether it is a float:
// constants for each instantiation.
func elemType[T Value]() valType {
	var one, two T = 1, 2
	float := one/two != 0
	switch {
	case raw.Sizeof[T]() == 4 && float:
		return tF32
	case raw.Sizeof[T]() == 4:
		return tI32
	case float:
		return tF64
	}
	return tI64
}

// Arg is one kernel argument with its WebAssembly type, for
// Instance.CallArgs, which checks each against the kernel's parameter. Make
// it with I32, U32 (a WIT u32: an i32 parameter), I64, U64 (an i64), F32
// or F64. The zero Arg is no argument: CallArgs refuses it.
type Arg struct {
	bits uint64
	t    valType
}

// I32 is v as an i32 argument; U32 is v as an i32 argument the guest
// reads as unsigned (WIT u32).
func I32(v int32) Arg  { return Arg{Encode(v), tI32} }
func U32(v uint32) Arg { return Arg{Encode(v), tI32} }

// I64 is v as an i64 argument; U64 is v as an i64 argument the guest
// reads as unsigned (WIT u64).
func I64(v int64) Arg  { return Arg{Encode(v), tI64} }
func U64(v uint64) Arg { return Arg{v, tI64} }

// F32 is v as an f32 argument; F64 as an f64 argument.
func F32(v float32) Arg { return Arg{Encode(v), tF32} }
func F64(v float64) Arg { return Arg{Encode(v), tF64} }
