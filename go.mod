module github.com/wasmvec/wasmvec

go 1.26.0

require (
	github.com/bytecodealliance/wasmtime-go/v39 v39.0.1
	go.uber.org/goleak v1.3.0
)
