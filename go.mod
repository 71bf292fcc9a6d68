module github.com/wasmvec/wasmvec

go 1.26.0

require go.uber.org/goleak v1.3.0

require github.com/bytecodealliance/wasmtime-go/v44 v44.0.0
