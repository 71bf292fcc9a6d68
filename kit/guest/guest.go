// Package guest is the guest side of wasmvec's buffer-and-kernel contract
// (wit/README.md) for guests written in Go, built by the standard
// toolchain (GOOS=wasip1 GOARCH=wasm, -buildmode=c-shared) or by TinyGo
// (-target=wasip1): buffers in the guest's linear memory whose byte
// offsets and capacities the guest exports.
//
// Go has no macros, so the exports themselves are written by hand: a
// buffer "x" of f32 is two functions exported as buffer-x-f32 and
// capacity-x, a kernel one function exported under its own name. Each
// carries the standard toolchain's //go:wasmexport and TinyGo's //export
// (each compiler ignores the other's):
//
//	var x = guest.NewBuffer[float32](65536)
//
//	//go:wasmexport buffer-x-f32
//	//export buffer-x-f32
//	func bufferX() uint32 { return x.Offset() }
//
//	//go:wasmexport capacity-x
//	//export capacity-x
//	func capacityX() uint32 { return x.Capacity() }
//
//	// scale: x[i] = a·x[i] for i < n.
//	//
//	//go:wasmexport scale
//	//export scale
//	func scale(a float32, n uint32) {
//		xs := x.Slice(n) // panics past the capacity: a trap, its message in the host's error
//		for i := range xs {
//			xs[i] *= a
//		}
//	}
//
// `wasmvec inspect guest.wasm` (or `wasmvec build`) shows the buffers and
// kernels the host will find, so a misspelt export name shows at once.
//
// The package builds with Go 1.22 and with TinyGo 0.33, and natively too,
// so a guest's kernels can be tested with go test.
package guest

import (
	"strconv"
	"unsafe"
)

// Elem is an element type a buffer may hold: the contract's f64, f32,
// i32 and i64.
type Elem interface {
	float64 | float32 | int32 | int64
}

// Buffer is a buffer of Capacity() elements of type T in the guest's
// linear memory, zero until written. Its memory is allocated once, by
// NewBuffer, and never moves (neither Go's nor TinyGo's collector moves
// objects, and a package-level variable keeps it alive), so its offset is
// the same for the life of the instance, as the contract requires.
type Buffer[T Elem] struct {
	data []T
}

// NewBuffer returns a buffer of capacity elements of T, all zero, aligned
// to the element's size. Call it in a package-level variable's
// initializer. It panics if capacity is not positive or the buffer would
// not fit in a 32-bit linear memory (2^32 bytes).
func NewBuffer[T Elem](capacity int) *Buffer[T] {
	var z T
	if capacity <= 0 || uint64(capacity)*uint64(unsafe.Sizeof(z)) > 1<<32-1 {
		fail("wasmvec guest: buffer capacity " + strconv.Itoa(capacity) + " is not positive or does not fit in 32-bit linear memory")
	}
	// Allocated as bytes with room to align: TinyGo aligns a []float64 to
	// 4 bytes only, and the contract wants each element at a multiple of
	// its size. The elements hold no pointers, so bytes do as well.
	size := int(unsafe.Sizeof(z))
	raw := make([]byte, capacity*size+size-1)
	start := (size - int(uintptr(unsafe.Pointer(unsafe.SliceData(raw))))%size) % size
	return &Buffer[T]{data: unsafe.Slice((*T)(unsafe.Pointer(&raw[start])), capacity)}
}

// Offset returns the buffer's byte offset in linear memory: what its
// buffer-<name>-<type> export answers. Natively (in go test) it is the
// low 32 bits of the address and means nothing.
func (b *Buffer[T]) Offset() uint32 {
	return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b.data))))
}

// Capacity returns the buffer's capacity in elements: what its
// capacity-<name> export answers.
func (b *Buffer[T]) Capacity() uint32 { return uint32(len(b.data)) }

// Slice returns the buffer's first n elements, sharing its memory. It
// panics, naming both numbers, when n exceeds the capacity: in a guest
// that is a trap, and the host's error carries the message, from stderr
// (host.Trap.Stderr; with TinyGo unless built with -panic=trap). After a
// standard-toolchain guest's panic its runtime is left mid-panic: close
// the instance rather than call it again.
func (b *Buffer[T]) Slice(n uint32) []T {
	if uint64(n) > uint64(len(b.data)) {
		fail("wasmvec guest: " + strconv.FormatUint(uint64(n), 10) + " elements asked of a buffer of capacity " + strconv.Itoa(len(b.data)))
	}
	return b.data[:n:n]
}

// Require panics with "wasmvec guest: requirement failed: " and what
// unless ok: for an argument out of range, so that the call fails with
// the reason in the host's error instead of computing nonsense.
func Require(ok bool, what string) {
	if !ok {
		fail("wasmvec guest: requirement failed: " + what)
	}
}

// fail panics with msg, having written it to stderr first where the
// runtime prints panics elsewhere (TinyGo: to stdout), so that the host's
// Trap.Stderr has it whichever compiler built the guest.
func fail(msg string) {
	report(msg)
	panic(msg)
}
