//! Links wasi-libc's reactor start file (shipped with the wasm32-wasip1
//! target), so the module exports `_initialize`, which runs static
//! constructors once before the host calls any kernel: a WASI reactor.
//! Stable Rust builds a cdylib without it.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if env::var("TARGET").as_deref() != Ok("wasm32-wasip1") {
        return;
    }
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = std::process::Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc --print sysroot");
    let sysroot = PathBuf::from(String::from_utf8(out.stdout).expect("utf-8 sysroot").trim());
    let crt = sysroot.join("lib/rustlib/wasm32-wasip1/lib/self-contained/crt1-reactor.o");
    assert!(crt.exists(), "missing {}: run rustup target add wasm32-wasip1", crt.display());
    println!("cargo:rustc-cdylib-link-arg={}", crt.display());
}
