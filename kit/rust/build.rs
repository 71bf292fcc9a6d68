//! Tells the crate whether it is built for threads: cfg `wasmvec_threads`
//! on `wasm32-wasip1-threads` (or any target given `+atomics`). Stable
//! Rust does not report the wasm `atomics` target feature to `cfg`, so the
//! target's name decides, here where Cargo gives it.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(wasmvec_threads)");
    println!("cargo::rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");
    let target = std::env::var("TARGET").unwrap_or_default();
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    if target == "wasm32-wasip1-threads" || target.starts_with("wasm") && flags.contains("+atomics") {
        println!("cargo::rustc-cfg=wasmvec_threads");
    }
}
