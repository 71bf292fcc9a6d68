#!/usr/bin/env bash
# wasmvec build script: builds the guests, runs the tests and the benchmarks.
#
#   ./build.sh rust     build guests/rust.wasm (Rust guest, sources in wasm/rust)
#   ./build.sh rust-threads
#                       build guests/rust-threads.wasm (Rust on wasi-threads)
#   ./build.sh c        build guests/c.wasm (C guest)
#   ./build.sh go       build guests/go.wasm (standard Go, wasip1 reactor)
#   ./build.sh examples build the user-kernel example guests (examples/mykernels,
#                       examples/rayon: the Rayon guest, and natively the same
#                       crate as a shared library for the cgo baseline)
#   ./build.sh tinygo   build guests/tinygo.wasm with a tinygo on PATH, or one
#                       built from TINYGO_SRC (a TinyGo source tree), or say why not
#   ./build.sh all      build every guest that can be had
#   ./build.sh test     build every guest, then go vet, go test -race
#   ./build.sh bench    build every guest, run the benchmark matrix, and
#                       render bench/out/report.md and the plots
#   ./build.sh bench-rayon
#                       the Rayon workloads (examples/rayon: ALMA, Gray-Scott;
#                       wasm, native Rust, Go) in BENCH_ROUNDS interleaved
#                       rounds, and bench/out/rayon.md (part of bench too)
#   ./build.sh bench-scaling
#                       the scaling goals: the largest ALMA and Gray-Scott sizes
#                       at 1, 2 and 4 threads, native Rayon, the Go host, Node
#                       and Chromium in each of BENCH_ROUNDS (default 20)
#                       interleaved rounds, with CPU time per op and steal
#                       time; bench/out/rayon.md gives each goal's interval
#   ./build.sh bench-js the Rayon rows from Node and headless Chromium beside the
#                       Go host's (bench-rayon does them too), and one vector
#                       kernel call from JS (bench/out/js-vector.txt)
#   ./build.sh demo     the JS package's demo page on a loopback server with the
#                       isolation headers (Gray-Scott on every core, ALMA)
#   ./build.sh bench-targets
#                       the rows behind the call-path targets, interleaved
#                       (every row once per round, BENCH_ROUNDS rounds), and
#                       bench/out/targets.md: each target's ratio and verdict
#
# Each step installs what it needs from the package registries (rustup
# targets, Go modules) and says so; when something cannot be had it prints
# what is missing and exits non-zero.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$ROOT"

say() { printf '==> %s\n' "$*" >&2; }
run() { printf '+ %s\n' "$*" >&2; "$@"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

# The JS package (js/): Node 20 or newer with npm, its dependencies pinned by
# js/package-lock.json and installed with npm ci; the browser tests need
# Chromium (Debian's chromium, installed with apt-get when missing and we
# are root; CHROMIUM names another binary).
need_node() {
	command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are not installed: install Node.js 20 or newer (https://nodejs.org)"
	local major
	major=$(node -p 'process.versions.node.split(".")[0]')
	[ "$major" -ge 20 ] || die "node $(node --version) is too old: the JS package needs Node.js 20 or newer"
	if [ ! -d js/node_modules ] || [ js/package-lock.json -nt js/node_modules/.package-lock.json ]; then
		say "the JS package's dependencies (js/package-lock.json): npm ci"
		(cd js && run npm ci --no-audit --no-fund)
	fi
}

need_chromium() {
	CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
	[ -x "$CHROMIUM" ] && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		say "Chromium for the browser tests is missing: installing Debian's chromium with apt-get"
		run apt-get update -qq
		run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
	fi
	[ -x "$CHROMIUM" ] || die "no Chromium at $CHROMIUM: install Debian's chromium package (apt-get install chromium) or set CHROMIUM"
	export CHROMIUM
}

run_js_tests() {
	need_node
	say "the JS package: type declarations checked by tsc and up to date (js/types)"
	(cd js && run npm run --silent check)
	say "the JS package in Node (node:test): contract and errors, vector guests bit-exact against the Go golden files, hostile corpus parity, Rayon hashes at 1, 2, 4 threads, budget, traps, timeouts, close, pools"
	(cd js && run npm test --silent)
	need_chromium
	say "the JS package in headless Chromium (playwright-core): the demo's hashes at 1 and 2 threads, a cold page, the isolation error; screenshots in js/test-results"
	(cd js && run npm run --silent test:browser)
}

need_go() {
	command -v go >/dev/null || die "go is not installed: install Go 1.26 or newer (https://go.dev/doc/install)"
	say "fetching Go modules (go mod download)"
	run go mod download
}

need_rust() {
	command -v cargo >/dev/null || die "cargo is not installed: install Rust with rustup (stable toolchain)"
	command -v rustup >/dev/null || die "rustup is not installed: the wasm32-wasip1 target is added through rustup"
	if ! rustup target list --installed | grep -qx "$1"; then
		say "Rust target $1 is missing: installing it with rustup"
		run rustup target add "$1"
	fi
}

build_rust() {
	need_rust wasm32-wasip1
	say "building the Rust guest"
	(cd wasm/rust && run cargo build --release --locked --target wasm32-wasip1)
	run cp wasm/rust/target/wasm32-wasip1/release/wasmvec_rust.wasm guests/rust.wasm
}

build_rust_threads() {
	need_rust wasm32-wasip1-threads
	say "building the threaded Rust guest"
	(cd wasm/rust-threads && run cargo build --release --locked --target wasm32-wasip1-threads)
	run cp wasm/rust-threads/target/wasm32-wasip1-threads/release/wasmvec_rust_threads.wasm guests/rust-threads.wasm
}

# The C toolchain: Debian's clang-19 + lld-19 + wasi-libc + the wasm32
# compiler-rt, installed with apt-get when missing and we are root; else
# PyPI's ziglang (python3 -m ziglang cc), installed with pip.
C_FLAGS=(-O3 -msimd128 -ffp-contract=off -fno-vectorize -fno-slp-vectorize -Wall -Wextra -Werror)
C_SOURCES=(guest.c bindings/vector.c bindings/vector_component_type.o)
WIT_BINDGEN_VERSION=0.61.1

# clang_wasm OUT FLAGS... -- SOURCES...: compiles each .c with FLAGS, then
# links a wasm32-wasi reactor without an -O flag. In two steps on purpose:
# clang runs binaryen's wasm-opt after linking whenever one is on PATH and
# the link has an -O flag (so the module would depend on whether binaryen
# is installed: it is for TinyGo), and clang 19.1.7's --no-wasm-opt drops
# the link step altogether.
clang_wasm() {
	local out=$1 tmp f objs=()
	shift
	local flags=()
	while [ "$1" != -- ]; do flags+=("$1"); shift; done
	shift
	tmp=$(mktemp -d)
	for f in "$@"; do
		case "$f" in
		*.c)
			run clang-19 --target=wasm32-wasi "${flags[@]}" -c "$f" -o "$tmp/$(basename "$f" .c).o"
			objs+=("$tmp/$(basename "$f" .c).o")
			;;
		*) objs+=("$f") ;;
		esac
	done
	run clang-19 --target=wasm32-wasi -mexec-model=reactor -Wl,--strip-all -o "$out" "${objs[@]}"
	rm -rf "$tmp"
}

c_toolchain_ok() {
	command -v clang-19 >/dev/null && command -v wasm-ld-19 >/dev/null &&
		[ -f /usr/lib/wasm32-wasi/libc.a ] &&
		[ -f /usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a ]
}

need_c() {
	c_toolchain_ok && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		say "C toolchain for wasm32-wasi is missing: installing clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 with apt-get"
		run apt-get update -qq
		run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32
		c_toolchain_ok && return 0
	fi
	return 1
}

need_zig() {
	python3 -c 'import ziglang' 2>/dev/null && return 0
	say "installing PyPI's ziglang as the second C route (pip install ziglang)"
	run python3 -m pip install -q ziglang
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

# TinyGo: no registry ships it, so ./build.sh tinygo uses a tinygo (0.33 or
# newer) on PATH, or builds one from a TinyGo source tree (TINYGO_SRC, for
# instance a checkout of github.com/tinygo-org/tinygo at v0.33.0) against
# Debian's LLVM 15, with Go 1.23 from the module proxy (TinyGo 0.33 runs only
# with Go 1.19-1.23), under TINYGO_CACHE. Without either it says so; the
# tests then run the committed guests/tinygo.wasm.
TINYGO_CACHE=${TINYGO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wasmvec/tinygo}
TINYGO_GO=go1.23.4
TINYGO_DEBS=(llvm-15-dev libclang-15-dev liblld-15-dev lld-15 clang-15 wasi-libc binaryen libclang-rt-16-dev-wasm32)
TINYGO_FLAGS=(-target=wasip1 -opt=2 -llvm-features=+simd128 -scheduler=none -no-debug -panic=trap)

tinygo_ok() {
	local v
	v=$("$1" version 2>/dev/null | awk '{print $3}') || return 1
	case "$v" in 0.[0-9]|0.[12][0-9]|0.3[0-2]|0.[0-9].*|0.[12][0-9].*|0.3[0-2].*) return 1 ;; esac
	[ -n "$v" ]
}

# find_tinygo prints the tinygo to use (building it when it must), or
# returns 1 with the reason on stderr.
find_tinygo() {
	if command -v tinygo >/dev/null && tinygo_ok tinygo; then
		command -v tinygo
		return 0
	fi
	if [ -x "$TINYGO_CACHE/tinygo" ] && tinygo_ok "$TINYGO_CACHE/tinygo"; then
		echo "$TINYGO_CACHE/tinygo" # built before, with its TINYGOROOT
		return 0
	fi
	if [ -z "${TINYGO_SRC:-}" ]; then
		say "no tinygo (0.33+) on PATH and no TINYGO_SRC: TinyGo is in no package registry, so it cannot be installed here; set TINYGO_SRC to a TinyGo source tree (github.com/tinygo-org/tinygo, v0.33.0) to build it"
		return 1
	fi
	grep -q '^module github.com/tinygo-org/tinygo' "$TINYGO_SRC/go.mod" 2>/dev/null || { say "TINYGO_SRC=$TINYGO_SRC is not a TinyGo source tree"; return 1; }
	local rt=/usr/lib/llvm-16/lib/clang/16/lib/wasi/libclang_rt.builtins-wasm32.a
	if ! command -v llvm-config-15 >/dev/null || ! command -v wasm-opt >/dev/null || [ ! -f "$rt" ] || [ ! -d /usr/lib/wasm32-wasi ]; then
		if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
			say "TinyGo's build needs Debian's LLVM 15, lld, wasi-libc, binaryen and a wasm32 compiler-rt: installing ${TINYGO_DEBS[*]}"
			# To stderr: find_tinygo's standard output is the path it prints.
			run apt-get update -qq >&2
			run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${TINYGO_DEBS[@]}" >&2
		else
			say "missing Debian packages for building TinyGo (run as root to install): ${TINYGO_DEBS[*]}"
			return 1
		fi
	fi
	if [ ! -x "$TINYGO_CACHE/bin/tinygo" ]; then
		say "building TinyGo from $TINYGO_SRC with Go $TINYGO_GO (module proxy) and LLVM 15 into $TINYGO_CACHE"
		mkdir -p "$TINYGO_CACHE/bin"
		(cd "$TINYGO_SRC" && run env GOTOOLCHAIN="$TINYGO_GO" go build -tags llvm15 -o "$TINYGO_CACHE/bin/tinygo" .) >&2 || return 1
	fi
	# TINYGOROOT: the tree's src/ and targets/, Debian's wasi-libc as the
	# prebuilt sysroot, Debian's wasm32 builtins as compiler-rt.
	local root="$TINYGO_CACHE/root"
	rm -rf "$root"
	mkdir -p "$root/lib/wasi-libc/sysroot/lib" "$root/pkg/wasm32-unknown-wasi-generic/compiler-rt"
	ln -s "$TINYGO_SRC/src" "$root/src"
	ln -s "$TINYGO_SRC/targets" "$root/targets"
	ln -s /usr/include/wasm32-wasi "$root/lib/wasi-libc/sysroot/include"
	ln -s /usr/lib/wasm32-wasi "$root/lib/wasi-libc/sysroot/lib/wasm32-wasi"
	cp "$rt" "$root/pkg/wasm32-unknown-wasi-generic/compiler-rt/lib.a"
	printf '#!/bin/sh\nexec env TINYGOROOT=%s GOTOOLCHAIN=%s %s "$@"\n' "$root" "$TINYGO_GO" "$TINYGO_CACHE/bin/tinygo" >"$TINYGO_CACHE/tinygo"
	chmod +x "$TINYGO_CACHE/tinygo"
	echo "$TINYGO_CACHE/tinygo"
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
	tg=$(find_tinygo) || return 1
	say "building the TinyGo guest with $("$tg" version)"
	tinygo_build "$tg" "$ROOT/guests/tinygo.wasm" wasm/go/main.go "kernels kit/guest" "${TINYGO_FLAGS[@]}"
}

# remap TARGET prints a cargo --config value that writes this checkout's
# path as /wasmvec in what rustc embeds (panic locations in the kit, a path
# dependency outside the crate), so that the committed example modules do
# not depend on where the repository was cloned. A target's rustflags
# array joins the crate's own (.cargo/config.toml) instead of replacing it.
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
	if tg=$(find_tinygo); then
		tinygo_build "$tg" "$ROOT/examples/mykernels/mykernels-tinygo.wasm" examples/mykernels/go/main.go kit/guest \
			"${MYKERNELS_TINYGO_FLAGS[@]}"
	else
		say "no tinygo (see above): the tests run the committed examples/mykernels/mykernels-tinygo.wasm"
	fi
	build_rayon
}

# The Rayon example (examples/rayon): the guest for wasm32-wasip1-threads
# (stable Rust, rayon from crates.io; simd128 from rust/.cargo/config.toml),
# and the same crate for the host as a shared library, which package
# examples/rayon/native links (build tag wasmvec_rust_native).
build_rayon() {
	need_rust wasm32-wasip1-threads
	say "building the Rayon example guest and its native build (examples/rayon)"
	(cd examples/rayon/rust && run cargo build --release --locked --target wasm32-wasip1-threads --config "$(remap wasm32-wasip1-threads)" &&
		run cargo build --release --locked)
	run cp examples/rayon/rust/target/wasm32-wasip1-threads/release/wasmvec_rayon.wasm examples/rayon/rayon.wasm
}

build_all() {
	build_rust
	build_rust_threads
	build_c
	build_go
	build_examples
	build_tinygo || say "TinyGo could not be had (see above): the tests run the committed guests/tinygo.wasm"
}

# The README's first example, run as a user runs it: in a Go module outside
# the repository that requires wasmvec (through a replace directive to this
# checkout), with the guests from package guests. Its output must be the
# block's own "// Output:" line.
check_fresh_module() {
	local tmp want got
	tmp=$(mktemp -d)
	awk '/^## First example/{on=1} on && /^```go$/{code=1; next} code && /^```$/{exit} code' README.md >"$tmp/main.go"
	want=$(sed -n 's|^[[:space:]]*// Output: ||p' "$tmp/main.go")
	[ -n "$want" ] || die "README.md: no Go block with an // Output: line under '## First example'"
	cat >"$tmp/go.mod" <<EOF
module example.com/firstexample

go 1.26.0

require github.com/wasmvec/wasmvec v0.0.0

replace github.com/wasmvec/wasmvec => $ROOT
EOF
	say "the README's first example in a fresh module outside the repository ($tmp)"
	(cd "$tmp" && run go mod tidy && run go build -o first .) || die "the README's first example does not build in a fresh module"
	if (cd "$tmp" && go list -m all) | grep -E 'wazero|gonum' >&2; then
		die "a user's module resolves the comparison peers above: they belong in compare/go.mod"
	fi
	got=$("$tmp/first") || die "the README's first example failed: $got"
	[ "$got" = "$want" ] || die "the README's first example printed '$got'; its // Output: line says '$want'"
	say "fresh module: printed '$got', as the README says"
	rm -rf "$tmp"
}

# The guest templates, used as a user uses them: wasmvec new writes each
# into a fresh folder outside the repository (its go.mod replaces wasmvec
# with this checkout), wasmvec build builds it, and its own Go test loads
# the module and checks its kernel bit for bit. TinyGo's when a tinygo can
# be had.
check_templates() {
	local tmp lang tg=""
	tmp=$(mktemp -d)
	run go build -o "$tmp/wasmvec" ./cmd/wasmvec
	tg=$(find_tinygo 2>/dev/null) || tg=""
	for lang in rust rust-rayon c go tinygo; do
		if [ "$lang" = tinygo ] && [ -z "$tg" ]; then
			say "template tinygo: no tinygo (see ./build.sh tinygo), so not built here; TestNewWritesKits checks what it writes"
			continue
		fi
		say "template $lang: wasmvec new, wasmvec build, go test ($tmp/my-$lang)"
		run "$tmp/wasmvec" new -replace "$ROOT" "$lang" "$tmp/my-$lang" >/dev/null || die "wasmvec new $lang failed"
		(cd "$tmp/my-$lang" && run env TINYGO="$tg" "$tmp/wasmvec" build && run go test -count=1 ./...) ||
			die "the $lang template does not build or its test fails ($tmp/my-$lang)"
	done
	rm -rf "$tmp"
}

run_tests() {
	need_go
	build_all
	say "gofmt -l (every Go file of the repository)"
	local unformatted
	unformatted=$(if git rev-parse --git-dir >/dev/null 2>&1; then git ls-files -z '*.go' | xargs -0 gofmt -l; else gofmt -l .; fi)
	[ -z "$unformatted" ] || die "not gofmt'd (run gofmt -w): $unformatted"
	say "go vet (the library, the report and comparison modules, and the Go guest for GOOS=wasip1)"
	run go vet ./...
	(cd cmd/benchreport && run go vet ./...)
	(cd compare && run go vet ./...)
	(cd wasm/go && run env GOOS=wasip1 GOARCH=wasm go vet ./...)
	check_fresh_module
	check_templates
	say "go test -race (bit-exact table incl. the threaded guest at 1-4 threads, hostile corpus, deadlines, load test, examples)"
	run go test -race -count=1 ./...
	say "the host and the vector client again without -race: a call's lock taken inside its crossing (race_on.go: not under -race)"
	run go test -count=1 ./host/ ./vector/
	(cd cmd/benchreport && run go test -count=1 ./...)
	say "the comparison module (compare/go.mod: wazero and gonum stay out of the library's go.mod): wazero's bit-exact table"
	(cd compare && run go test -count=1 ./...)
	# Counts, not durations: with a duration, Go 1.26's fuzz coordinator can
	# report its own deadline as a failure ("context deadline exceeded", no
	# input written; golang/go#75804, fixed in Go 1.27), which CI hit once.
	# The counts took 11-13 s each on the README's machine.
	say "short fuzz runs (FUZZTIME, else 250,000 and 200,000 inputs; a long run is documented in host/fuzz_test.go)"
	run go test -run '^$' -fuzz '^FuzzKernels$' -fuzztime "${FUZZTIME:-250000x}" ./host/
	run go test -run '^$' -fuzz '^FuzzModule$' -fuzztime "${FUZZTIME:-200000x}" ./host/
	say "native C baseline built with -march=native: the bit-exact table again"
	run go test -count=1 -tags wasmvec_march_native ./internal/cnative/
	say "the Rayon example against its native build (Rust on OS threads through cgo): bit-exact at 1-4 threads"
	run go test -count=1 -tags wasmvec_rust_native ./examples/rayon/...
	run_js_tests
}

# The report tooling is a module of its own (cmd/benchreport/go.mod), so
# the library's go.mod carries no plotting or statistics package.
run_report() { (cd cmd/benchreport && run go run . "$@"); }
benchstat() { (cd cmd/benchreport && run go run golang.org/x/perf/cmd/benchstat "$@"); }

run_bench() {
	need_go
	build_all
	mkdir -p bench/out
	local out=bench/out/bench.txt
	say "running the benchmark matrix (count=${BENCH_COUNT:-6}); raw output in $out"
	{
		echo "go: $(go version | awk '{print $3}')"
		echo "rustc: $(rustc --version | awk '{print $2}')"
		echo "clang: $(clang-19 --version 2>/dev/null | head -n1 | sed 's/.*version //')"
		echo "gcc: $(gcc -dumpfullversion 2>/dev/null)"
		echo "wasmtime-go: $(go list -m -f '{{.Version}}' github.com/bytecodealliance/wasmtime-go/v39)"
		echo "date: $(date -u +%Y-%m-%d)"
	} >"$out"
	say "the matrix against its peers (compare/), then the host's own rows"
	(cd compare && run go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCH_TIME:-200ms}" \
		-count "${BENCH_COUNT:-6}" .) | tee -a "$out"
	run go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCH_TIME:-200ms}" \
		-count "${BENCH_COUNT:-6}" ./host/ ./vector/ | tee -a "$out"
	say "native C with -march=native (cgo-c-native rows)"
	(cd compare && run go test -run '^$' -tags wasmvec_march_native -bench "${BENCH:-.}/impl=cgo-c-native/" \
		-benchtime "${BENCH_TIME:-200ms}" -count "${BENCH_COUNT:-6}" .) | tee -a "$out"
	say "rendering the report"
	run_report -o "$ROOT/bench/out" "$ROOT/$out"
	say "benchstat of the rows outside the matrix (call, copy, pool, parallel, batch, threads, deadlines, compile, instantiate)"
	grep -E '^(goos|goarch|pkg|cpu):|^Benchmark(Call|Client|Copy|Pool|Parallel|Batch|Threads|Deadlines|Compile|Instantiate)/' "$out" >bench/out/extra.txt
	benchstat "$ROOT/bench/out/extra.txt" | tee bench/out/extra-benchstat.txt
	bench_rayon
}

# The Rayon workloads, in rounds (each round runs every row once, so the
# rows of a ratio are measured close together on this drifting VM), with
# the native build of the same crate (tag wasmvec_rust_native).
bench_rayon() {
	mkdir -p bench/out
	local out=bench/out/rayon.txt r
	run go test -c -tags wasmvec_rust_native -o bench/out/rayon.test ./examples/rayon/
	need_node
	need_chromium
	{
		echo "node: $(node --version)"
		echo "chromium: $("$CHROMIUM" --version 2>/dev/null | awk '{print $2}')"
		echo "go: $(go version | awk '{print $3}')"
		echo "rustc: $(rustc --version | awk '{print $2}')"
		echo "rayon: $(awk '/^name = "rayon"$/{getline; print $3}' examples/rayon/rust/Cargo.lock | tr -d '"')"
		echo "wasmtime-go: $(go list -m -f '{{.Version}}' github.com/bytecodealliance/wasmtime-go/v39)"
		echo "date: $(date -u +%Y-%m-%d)"
	} >"$out"
	# bench-scaling: only the largest sizes, each row timed longer, more rounds.
	local rounds=${BENCH_ROUNDS:-6} pat='^Benchmark(ALMA|GrayScott)$' time=${RAYON_BENCH_TIME:-300ms} ms=${RAYON_BENCH_MS:-300} js=()
	if [ "${1:-}" = largest ]; then
		rounds=${BENCH_ROUNDS:-20} pat='^Benchmark(ALMA|GrayScott)$/^impl=(wasm-rayon|wasm-rayon-deadlines|native-rust-rayon)$//^(series=64|n=128)$'
		time=${RAYON_BENCH_TIME:-1s} ms=${RAYON_BENCH_MS:-1000} js=(--largest)
	fi
	say "the Rayon workloads, $rounds rounds of every row; raw output in $out"
	for r in $(seq "$rounds"); do
		(cd examples/rayon && ../../bench/out/rayon.test -test.run '^$' -test.bench "$pat" \
			-test.benchtime "$time" -test.count 1) >>"$out"
		# The same module from Node and from headless Chromium (js/bench/rayon.js).
		run node --no-warnings js/bench/run.js node chromium --ms "$ms" "${js[@]}" >>"$out"
		say "round $r done"
	done
	run_report -rayon -o "$ROOT/bench/out" "$ROOT/$out"
}

# The rows the README's call-path targets compare, measured in rounds: each
# round runs every row once, so rows compared in a ratio are measured minutes
# apart at most, not the length of the whole matrix (this VM drifts).
run_bench_targets() {
	need_go
	build_all
	mkdir -p bench/out
	local out=bench/out/targets.txt
	run go test -c -o bench/out/host.test ./host/
	run go test -c -o bench/out/vector.test ./vector/
	(cd compare && run go test -c -o ../bench/out/compare.test .)
	: >"$out"
	say "running the target rows, ${BENCH_ROUNDS:-10} rounds; raw output in $out"
	local r pat
	for r in $(seq "${BENCH_ROUNDS:-10}"); do
		(cd compare && ../bench/out/compare.test -test.run '^$' \
			-test.bench '^Benchmark(Sum|Dot)$/^impl=(go|cgo-c|wasm-rust-simd|wasm-c-simd)$/^n=100000$/' \
			-test.benchtime "${BENCH_TIME:-200ms}" -test.count 1) >>"$out"
		for pat in '^BenchmarkCall$' '^BenchmarkCopy$//^n=100000$' '^BenchmarkPool$'; do
			(cd host && ../bench/out/host.test -test.run '^$' -test.bench "$pat" \
				-test.benchtime "${BENCH_TIME:-200ms}" -test.count 1) >>"$out"
		done
		(cd vector && ../bench/out/vector.test -test.run '^$' -test.bench '^BenchmarkBatch$//^width=64$/' \
			-test.benchtime "${BENCH_TIME:-200ms}" -test.count 1) >>"$out"
		say "round $r done"
	done
	benchstat "$ROOT/$out" >bench/out/targets-benchstat.txt
	say "the targets, ratios of medians: bench/out/targets.md (benchstat of every row: bench/out/targets-benchstat.txt)"
	run_report -targets -o "$ROOT/bench/out" "$ROOT/$out"
}

case "${1:-}" in
rust) build_rust ;;
rust-threads) build_rust_threads ;;
c) build_c ;;
go) build_go ;;
examples) build_examples ;;
tinygo) build_tinygo || die "no TinyGo guest built: put tinygo 0.33+ on PATH or set TINYGO_SRC to a TinyGo source tree" ;;
all) build_all ;;
test) run_tests ;;
bench) run_bench ;;
bench-targets) run_bench_targets ;;
bench-rayon) need_go && build_rayon && bench_rayon ;;
bench-scaling) need_go && build_rayon && bench_rayon largest ;;
bench-js)
	need_go && build_rayon && bench_rayon
	say "one vector kernel call from JS (Rust guest, sum-simd; copy, in place, a plain JS loop): bench/out/js-vector.txt"
	for r in $(seq "${BENCH_ROUNDS:-6}"); do run node --no-warnings js/bench/vector.js >>bench/out/js-vector.raw; done
	mv bench/out/js-vector.raw bench/out/js-vector-runs.txt
	benchstat "$ROOT/bench/out/js-vector-runs.txt" >bench/out/js-vector.txt
	cat bench/out/js-vector.txt
	;;
demo)
	need_node
	[ -f examples/rayon/rayon.wasm ] || build_rayon
	exec node js/demo/server.js "${@:2}"
	;;
*)
	awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
	exit 2
	;;
esac
