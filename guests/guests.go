// Package guests embeds wasmvec's built guest modules, so that any program
// can load them without files at hand:
//
//	engine := host.NewEngine()
//	defer engine.Close()
//	in, err := engine.Load("rust", guests.Rust)
//
// Every module implements the vector world of wit/vector.wit (buffers a, b,
// result of f64, capacity 100,000 elements; RustThreads 2^24) and gives
// bit-identical results. The sources are in wasm/ of the repository; each
// module is rebuilt by ./build.sh with the command given at its variable,
// and the committed bytes are what the tests ran.
package guests

import _ "embed"

// Rust is the Rust guest (wasm/rust, wit-bindgen, core::arch::wasm32
// simd128), built by ./build.sh rust:
//
//	cargo build --release --locked --target wasm32-wasip1
//
//go:embed rust.wasm
var Rust []byte

// RustThreads is the threaded Rust guest (wasm/rust-threads, world
// vector-threads, wasi-threads shared memory); load it with
// host.WithThreads. Built by ./build.sh rust-threads:
//
//	cargo build --release --locked --target wasm32-wasip1-threads
//
//go:embed rust-threads.wasm
var RustThreads []byte

// C is the C guest (wasm/c, wit-bindgen c glue, kernels from
// internal/cnative/kernels.h), built by ./build.sh c:
//
//	clang-19 --target=wasm32-wasi -O3 -msimd128 -ffp-contract=off -fno-vectorize
//	  -fno-slp-vectorize -Wall -Wextra -Werror -c ...   (each source), then
//	clang-19 --target=wasm32-wasi -mexec-model=reactor -Wl,--strip-all ...   (no -O: no wasm-opt)
//
//go:embed c.wasm
var C []byte

// Go is the standard-Go guest (wasm/go, //go:wasmexport over package
// kernels; no simd128: Go's wasm port emits none), built by ./build.sh go:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath
//
//go:embed go.wasm
var Go []byte

// TinyGo is the Go guest's source (wasm/go/main.go over package kernels)
// compiled by TinyGo 0.33.0 with LLVM 15, a WASI command whose _start
// returns; LLVM vectorises mul and scale with simd128, not the 16-lane sum
// and dot loops. Built by ./build.sh tinygo (a tinygo on PATH, or one built
// from TINYGO_SRC):
//
//	tinygo build -target=wasip1 -opt=2 -llvm-features=+simd128 -scheduler=none -no-debug -panic=trap
//
//go:embed tinygo.wasm
var TinyGo []byte
