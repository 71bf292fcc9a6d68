//go:build wasmvec_march_native

package cnative

// #cgo CFLAGS: -march=native
import "C"

// Impl names this build in benchmarks: code for this machine's CPU.
const Impl = "cgo-c-native"
