module github.com/wasmvec/wasmvec/compare

go 1.26.0

require (
	github.com/tetratelabs/wazero v1.12.0
	github.com/wasmvec/wasmvec v0.0.0
	gonum.org/v1/gonum v0.17.0
)

require (
	github.com/bytecodealliance/wasmtime-go/v44 v44.0.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)

replace github.com/wasmvec/wasmvec => ../
