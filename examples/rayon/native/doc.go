// Package native is the baseline of the Rayon benchmarks: the Rust crate
// of examples/rayon/rust, the same code as the guest, compiled for the
// host (x86-64 or arm64 baseline, no -C target-cpu: two f64 lanes on
// x86-64, as WebAssembly's simd128) and called through cgo, with Rayon on
// OS threads in a pool of its own. The ratio guest / native then isolates
// what WebAssembly costs on threaded code.
//
// It builds only with the tag wasmvec_rust_native, after
// `cargo build --release` in examples/rayon/rust (./build.sh does both);
// without the tag the package is empty.
package native
