# shellcheck shell=bash
# scripts/guests.sh, sourced by build.sh (the one entry point): building the guests and the example modules.
# It uses build.sh's say, run, die and ROOT.

build_rust() {
	need_rust wasm32-wasip1
	say "building the Rust guest"
	(cd wasm/rust && run cargo build --release --locked --target wasm32-wasip1)
	run cp wasm/rust/target/wasm32-wasip1/release/wasmvec_rust.wasm guests/rust.wasm
	run cp guests/rust.wasm js/guests/rust.wasm # shipped with the JS package (wasmvec/guests/*)
}

build_rust_threads() {
	need_rust wasm32-wasip1-threads
	say "building the threaded Rust guest"
	(cd wasm/rust-threads && run cargo build --release --locked --target wasm32-wasip1-threads)
	run cp wasm/rust-threads/target/wasm32-wasip1-threads/release/wasmvec_rust_threads.wasm guests/rust-threads.wasm
}


check_c_bindings() {
	# The committed bindings must be what wit-bindgen makes of wit/ now.
	command -v wit-bindgen >/dev/null || { say "wit-bindgen not installed: skipping the check that wasm/c/bindings is current (cargo install wit-bindgen-cli --version $WIT_BINDGEN_VERSION)"; return 0; }
	local v tmp
	v=$(wit-bindgen --version | awk '{print $2}')
	[ "$v" = "$WIT_BINDGEN_VERSION" ] || { say "wit-bindgen $v is not $WIT_BINDGEN_VERSION: skipping the bindings check"; return 0; }
	tmp=$(mktemp -d)
	run wit-bindgen c --world vector --out-dir "$tmp" wit/ >/dev/null
	diff -r "$tmp" wasm/c/bindings >&2 || die "wasm/c/bindings is stale: regenerate with wit-bindgen c --world vector --out-dir wasm/c/bindings wit/"
	rm -rf "$tmp"
}

build_c() {
	check_c_bindings
	say "building the C guest"
	if need_c; then
		(cd wasm/c && clang_wasm ../../guests/c.wasm "${C_FLAGS[@]}" -- "${C_SOURCES[@]}")
	elif need_zig; then
		say "clang-19 could not be had: building with zig cc (ziglang from PyPI)"
		(cd wasm/c && run python3 -m ziglang cc -target wasm32-wasi -mexec-model=reactor "${C_FLAGS[@]}" \
			-Wl,--strip-all -o ../../guests/c.wasm "${C_SOURCES[@]}")
	else
		die "no C compiler for wasm32-wasi: install clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 (Debian) or pip install ziglang"
	fi
}

build_go() {
	command -v go >/dev/null || die "go is not installed: install Go 1.26 or newer"
	say "building the Go guest (standard toolchain, GOOS=wasip1 GOARCH=wasm, c-shared reactor)"
	(cd wasm/go && run env GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -o ../../guests/go.wasm .)
}


# tinygo_build TINYGO OUT MAIN "PKG..." FLAGS...: builds MAIN (a package
# main file importing the repository's packages PKG, such as kernels or
# kit/guest) with TinyGo. A module with a go line of 1.26 cannot be built
# by TinyGo 0.33, so they are staged into a module of their own
# (wasmvec.tinygo), the import paths rewritten.
tinygo_build() {
	local tg=$1 out=$2 main=$3 pkgs=$4 stage pkg
	shift 4
	stage=$(mktemp -d)
	cp "$main" "$stage/main.go"
	for pkg in $pkgs; do
		mkdir -p "$stage/$pkg"
		find "$pkg" -maxdepth 1 -name '*.go' ! -name '*_test.go' -exec cp {} "$stage/$pkg/" \;
		sed -i "s|\"github.com/wasmvec/wasmvec/$pkg\"|\"wasmvec.tinygo/$pkg\"|" "$stage/main.go"
	done
	printf 'module wasmvec.tinygo\n\ngo 1.22\n' >"$stage/go.mod"
	(cd "$stage" && run "$tg" build "$@" -o "$out" .) || { rm -rf "$stage"; return 1; }
	rm -rf "$stage"
}

# The TinyGo guest is the standard Go guest's source (wasm/go/main.go, whose
# exports carry both //go:wasmexport and TinyGo's //export) over packages
# kernels and kit/guest, compiled by TinyGo.
build_tinygo() {
	local tg
	tinygo_once
	tg=$TG
	[ -n "$tg" ] || return 1
	say "building the TinyGo guest with $("$tg" version)"
	tinygo_build "$tg" "$ROOT/guests/tinygo.wasm" wasm/go/main.go "kernels kit/guest" "${TINYGO_FLAGS[@]}"
}

# remap TARGET prints a cargo --config value that writes this checkout's
# path as /wasmvec in what rustc embeds (panic locations in the kit), so
# that the committed example modules do not depend on where the repository
# was cloned; the crates reach the kit through a symbolic link inside their
# own directory (kit -> ../../../kit/rust) for the same reason (see their
# Cargo.toml). A target's rustflags array joins the crate's own
# (.cargo/config.toml) instead of replacing it.
remap() { printf "target.%s.rustflags=['--remap-path-prefix=%s=/wasmvec']" "$1" "$ROOT"; }

# The user-kernel example (examples/mykernels): the same kernels in Rust,
# C, Go and TinyGo, each written with its language's guest kit (kit/).
# TinyGo's build needs a tinygo (find_tinygo); without one the tests run
# the committed mykernels-tinygo.wasm.
MYKERNELS_TINYGO_FLAGS=(-target=wasip1 -opt=2 -scheduler=none -no-debug)
build_examples() {
	need_rust wasm32-wasip1
	say "building the example guests (examples/mykernels)"
	(cd examples/mykernels/rust && run cargo build --release --locked --target wasm32-wasip1 --config "$(remap wasm32-wasip1)")
	run cp examples/mykernels/rust/target/wasm32-wasip1/release/mykernels.wasm examples/mykernels/mykernels-rust.wasm
	need_c || die "no clang-19 for wasm32-wasi: install clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 (Debian)"
	(cd examples/mykernels/c && clang_wasm ../mykernels-c.wasm -O3 -ffp-contract=off -I../../../kit/c -Wall -Wextra -Werror -- mykernels.c)
	run env GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -trimpath -buildvcs=false -o examples/mykernels/mykernels-go.wasm ./examples/mykernels/go
	local tg
	tinygo_once
	tg=$TG
	if [ -n "$tg" ]; then
		tinygo_build "$tg" "$ROOT/examples/mykernels/mykernels-tinygo.wasm" examples/mykernels/go/main.go kit/guest \
			"${MYKERNELS_TINYGO_FLAGS[@]}"
	else
		say "no tinygo (see above): the committed examples/mykernels/mykernels-tinygo.wasm stays"
	fi
	build_rayon
}

# The Rayon example (examples/rayon): the guest for wasm32-wasip1-threads
# (stable Rust, rayon from crates.io; simd128 from rust/.cargo/config.toml),
# the same crate for wasm32-wasip1 (rayon-single.wasm: the single-thread
# build hosts fall back to where threads cannot run), and the same crate for
# the host as a shared library, which package examples/rayon/native links
# (build tag wasmvec_rust_native).
build_rayon() {
	need_rust wasm32-wasip1-threads
	need_rust wasm32-wasip1
	say "building the Rayon example guest, its single-thread build and its native build (examples/rayon)"
	(cd examples/rayon/rust && run cargo build --release --locked --target wasm32-wasip1-threads --config "$(remap wasm32-wasip1-threads)" &&
		run cargo build --release --locked --target wasm32-wasip1 --config "$(remap wasm32-wasip1)" &&
		run cargo build --release --locked)
	run cp examples/rayon/rust/target/wasm32-wasip1-threads/release/wasmvec_rayon.wasm examples/rayon/rayon.wasm
	run cp examples/rayon/rust/target/wasm32-wasip1/release/wasmvec_rayon.wasm examples/rayon/rayon-single.wasm
	# shipped with the JS package (wasmvec/guests/*)
	run cp examples/rayon/rayon.wasm examples/rayon/rayon-single.wasm js/guests/
}

build_all() {
	build_rust
	build_rust_threads
	build_c
	build_go
	build_examples
	build_tinygo || say "TinyGo could not be had (see above): the committed guests/tinygo.wasm stays"
}
