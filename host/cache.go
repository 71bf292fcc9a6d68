package host

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"

	"github.com/bytecodealliance/wasmtime-go/v44"
	"github.com/wasmvec/wasmvec/internal/files"
)

// engineSettings names everything that changes the machine code an Engine
// makes; it is part of every cache key. Wasmtime also checks, when it
// deserializes, that the code was made by the same Wasmtime version with
// compatible settings, and refuses it otherwise.
const engineSettings = "wasmtime-go/v44;cranelift;opt=speed;simd=on;threads=on;" + runtime.GOOS + "/" + runtime.GOARCH

// settings returns engineSettings plus this engine's own options.
func (e *Engine) settings() string {
	if e.deadlines {
		return engineSettings + ";epoch=on"
	}
	return engineSettings
}

// CompileCached is Compile with an on-disk cache of compiled machine code in
// dir (made with mode 0700 if missing), keyed by the SHA-256 of wasm and the
// engine's settings: a second process that loads the same module skips
// Cranelift and deserializes the code instead (Wasmtime's
// Module.Serialize / NewModuleDeserialize). A cache entry Wasmtime refuses
// (another Wasmtime version, a damaged file) is compiled anew and replaced.
//
// dir must be writable only by users you trust as much as this program:
// Wasmtime runs deserialized code without checking it, so whoever can
// write a cache entry can run native code in this process.
//
// The cache is an optimisation: one that cannot be used costs a compile,
// never the module. A dir that cannot be made or written (a full disk, no
// permission) and an entry that is not a regular file (a symbolic link, a
// FIFO, a device) or is larger than maxCacheEntry are passed over; the
// module is compiled and returned, and an entry is written when it can be.
// No entry is followed through a symbolic link or read past its bound.
//
// Errors are those of Compile.
func (e *Engine) CompileCached(name string, wasm []byte, dir string) (*Module, error) {
	if !e.use() {
		return nil, &GuestError{Guest: name, Err: ErrClosed}
	}
	defer e.mu.RUnlock()
	if err := e.checkSize(name, wasm); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(append([]byte(e.settings()+"\x00"), wasm...))
	path := filepath.Join(dir, hex.EncodeToString(sum[:])+".cwasm")
	if code, err := files.ReadRegular(path, maxCacheEntry(len(wasm)), files.NoFollow); err == nil {
		if m, err := wasmtime.NewModuleDeserialize(e.e, code); err == nil {
			return e.newModule(name, m)
		}
		// Refused by Wasmtime: fall through, compile and replace it.
	}
	m, err := e.compile(name, wasm)
	if err != nil {
		return nil, err
	}
	if code, err := m.m.Serialize(); err == nil && os.MkdirAll(dir, 0o700) == nil {
		writeFileAtomic(path, code) // best effort: a failure costs the next process a compile
	}
	return m, nil
}

// maxCacheEntry bounds the cache entry of a module of n bytes: compiled
// code runs to several times the module's size (TestCompileCached logs
// the ratio for the C guest), and 32 times plus 64 MiB leaves room for any.
func maxCacheEntry(n int) int64 { return 64<<20 + 32*int64(n) }

// writeFileAtomic writes data to path through a temporary file and a
// rename, so a reader never sees a partial entry.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}
