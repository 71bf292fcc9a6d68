//go:build !wasmvec_march_native

package cnative

// Impl names this build in benchmarks: portable code for the GOARCH baseline.
const Impl = "cgo-c"
