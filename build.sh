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
#   ./build.sh check    a quick check of a newcomer's setup, with Go alone: the
#                       README's first example in a fresh module and the Go
#                       guest template (wasmvec new, build, go test)
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
#   ./build.sh bench-instructions
#                       the call path at n = 1 in instructions per call
#                       (callgrind), which noise does not move; BASE=<commit>
#                       counts that commit's same rows beside:
#                       bench/out/instructions.md
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

# What each step does lives in scripts/, one file per kind of work.
# (Named one by one so that shellcheck -x reads them as part of this script.)
# shellcheck source=scripts/toolchains.sh
. "$ROOT/scripts/toolchains.sh"
# shellcheck source=scripts/guests.sh
. "$ROOT/scripts/guests.sh"
# shellcheck source=scripts/test.sh
. "$ROOT/scripts/test.sh"
# shellcheck source=scripts/bench.sh
. "$ROOT/scripts/bench.sh"

case "${1:-}" in
rust) build_rust ;;
rust-threads) build_rust_threads ;;
c) build_c ;;
go) build_go ;;
examples) build_examples ;;
tinygo) build_tinygo || die "no TinyGo guest built: put tinygo 0.33+ on PATH or set TINYGO_SRC to a TinyGo source tree" ;;
all) build_all ;;
check) run_check ;;
test) run_tests ;;
bench) run_bench ;;
bench-targets) run_bench_targets ;;
bench-instructions) run_bench_instructions ;;
bench-rayon) need_go && build_rayon && bench_rayon ;;
bench-scaling) need_go && build_rayon && bench_rayon largest ;;
bench-js)
	need_go && build_rayon && bench_rayon
	say "one vector kernel call from JS (Rust guest, sum-simd; copy, in place, a plain JS loop): bench/out/js-vector.txt"
	for _ in $(seq "${BENCH_ROUNDS:-6}"); do run node --no-warnings js/bench/vector.js >>bench/out/js-vector.raw; done
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
