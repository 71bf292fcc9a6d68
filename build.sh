#!/usr/bin/env bash
# wasmvec build script: builds the guests, runs the tests and the benchmarks.
#
#   ./build.sh rust     build wasm/rust/vector.wasm (Rust guest)
#   ./build.sh all      build every guest
#   ./build.sh test     build every guest, then go vet, go test -race
#   ./build.sh bench    build every guest, then run the benchmark matrix
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
	run cp wasm/rust/target/wasm32-wasip1/release/wasmvec_rust.wasm wasm/rust/vector.wasm
}

build_all() {
	build_rust
}

run_tests() {
	need_go
	build_all
	say "go vet"
	run go vet ./...
	say "go test -race (bit-exact table, hostile modules, examples)"
	run go test -race -count=1 ./...
}

run_bench() {
	need_go
	build_all
	mkdir -p bench/out
	local out=bench/out/bench.txt
	say "running the benchmark matrix (count=${BENCH_COUNT:-5}); raw output in $out"
	run go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCH_TIME:-200ms}" \
		-count "${BENCH_COUNT:-5}" ./host/ | tee "$out"
}

case "${1:-}" in
rust) build_rust ;;
all) build_all ;;
test) run_tests ;;
bench) run_bench ;;
*)
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
