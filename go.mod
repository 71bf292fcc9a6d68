module github.com/wasmvec/wasmvec

go 1.26.0

require (
	github.com/bytecodealliance/wasmtime-go/v39 v39.0.1
	github.com/tetratelabs/wazero v1.12.0
	go.uber.org/goleak v1.3.0
	gonum.org/v1/gonum v0.17.0
)

require golang.org/x/sys v0.48.0 // indirect
