//go:build amd64 || arm64

package raw

/*
#include "wasmvec.h"
*/
import "C"

import (
	"errors"
	"runtime"
	"unsafe"

	"github.com/bytecodealliance/wasmtime-go/v44"
)

// Shared is a shared linear memory (wasmtime_sharedmemory_t), which
// wasmtime-go v44 does not bind (wasmtime-go issue #218): the memory a
// threaded guest imports as env.memory.
type Shared C.wasmtime_sharedmemory_t

func (s *Shared) c() *C.wasmtime_sharedmemory_t { return (*C.wasmtime_sharedmemory_t)(s) }

// EnableSharedMemory lets engines made from c create shared memories
// (Wasmtime's Config::shared_memory, off by default since Wasmtime 40, which
// wasmtime-go v44 does not bind): threaded guests need it. Call it before
// the engine is made from c. The error wraps ErrLayout.
func EnableSharedMemory(c *wasmtime.Config) error {
	cp := *(**C.wasm_config_t)(unsafe.Pointer(c)) // wasmtime-go v44: type Config struct{ _ptr *C.wasm_config_t }
	if cp == nil {
		return errors.Join(ErrLayout, errors.New("the Config no longer holds its C pointer first (or an engine was made from it)"))
	}
	C.wasmtime_config_shared_memory_set(cp, true)
	runtime.KeepAlive(c)
	return nil
}

// NewShared makes a shared memory of lo..hi pages of 64 KiB on engine e.
// Delete it when done (instances that import it keep their own references).
func NewShared(e *wasmtime.Engine, lo, hi uint64) (*Shared, error) {
	ep := *(**C.wasm_engine_t)(unsafe.Pointer(e)) // wasmtime-go v44: type Engine struct{ _ptr *C.wasm_engine_t }
	if ep == nil {
		return nil, errors.Join(ErrLayout, errors.New("the Engine no longer holds its C pointer first"))
	}
	var s *C.wasmtime_sharedmemory_t
	err := cError(C.wv_shared_new(ep, C.uint64_t(lo), C.uint64_t(hi), &s))
	runtime.KeepAlive(e)
	if err != nil {
		return nil, err
	}
	return (*Shared)(s), nil
}

// Define offers s to instances made by linker l as the import module.name.
func (s *Shared) Define(l *wasmtime.Linker, store *wasmtime.Store, module, name string) error {
	lp := *(**C.wasmtime_linker_t)(unsafe.Pointer(l)) // wasmtime-go v44: type Linker struct{ _ptr *C.wasmtime_linker_t; ... }
	if lp == nil {
		return errors.Join(ErrLayout, errors.New("the Linker no longer holds its C pointer first"))
	}
	err := cError(C.wv_define_shared(lp, context(store), module, name, s.c()))
	runtime.KeepAlive(l)
	runtime.KeepAlive(store)
	return err
}

// Data returns the memory's base and its size in bytes now. The base
// never moves: Wasmtime reserves a shared memory at its maximum.
func (s *Shared) Data() (Addr, int) {
	return Addr{unsafe.Pointer(C.wasmtime_sharedmemory_data(s.c()))}, int(C.wasmtime_sharedmemory_data_size(s.c()))
}

// Delete releases this handle on the memory.
func (s *Shared) Delete() { C.wasmtime_sharedmemory_delete(s.c()) }

// cError is err's message as a Go error, freeing err; nil for none.
func cError(err *C.wasmtime_error_t) error {
	if err == nil {
		return nil
	}
	var msg C.wv_byte_vec_t
	C.wasmtime_error_message(err, &msg)
	s := C.GoStringN(msg.data, C.int(msg.size))
	C.wasm_byte_vec_delete(&msg)
	C.wasmtime_error_delete(err)
	return errors.New(s)
}
