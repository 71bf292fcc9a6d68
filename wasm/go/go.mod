module github.com/wasmvec/wasmvec/wasm/go

go 1.26.0

require github.com/wasmvec/wasmvec v0.0.0

replace github.com/wasmvec/wasmvec => ../..
