# shellcheck shell=bash
# scripts/bench.sh, sourced by build.sh (the one entry point): the benchmark steps (bench, bench-rayon,
# bench-scaling, bench-js, bench-targets).
# It uses build.sh's say, run, die and ROOT.

# The report tooling is a module of its own (cmd/benchreport/go.mod), so
# the library's go.mod carries no plotting or statistics package.
run_report() { (cd cmd/benchreport && run go run . "$@"); }
benchstat() { (cd cmd/benchreport && run go run golang.org/x/perf/cmd/benchstat "$@"); }

# bench_header prints the lines every raw benchmark file starts with: the
# machine (CPU model, cores), the date and the versions of what was measured.
# benchreport copies them into the report's header. Extra NAME: VALUE lines
# come as arguments.
bench_header() {
	echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1), $(nproc) CPUs, $(uname -sr)"
	echo "date: $(date -u +%Y-%m-%d)"
	echo "go: $(go version | awk '{print $3}')"
	echo "rustc: $(rustc --version 2>/dev/null | awk '{print $2}')"
	echo "wasmtime-go: $(go list -m -f '{{.Version}}' github.com/bytecodealliance/wasmtime-go/v44)"
	local l
	for l in "$@"; do echo "$l"; done
}

run_bench() {
	need_go
	build_all
	mkdir -p bench/out
	local out=bench/out/bench.txt
	say "running the benchmark matrix (count=${BENCH_COUNT:-6}); raw output in $out"
	bench_header "clang: $(clang-19 --version 2>/dev/null | head -n1 | sed 's/.*version //')" "gcc: $(gcc -dumpfullversion 2>/dev/null)" >"$out"
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
	bench_rayon ""
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
	bench_header "node: $(node --version)" "chromium: $("$CHROMIUM" --version 2>/dev/null | awk '{print $2}')" \
		"rayon: $(awk '/^name = "rayon"$/{getline; print $3}' examples/rayon/rust/Cargo.lock | tr -d '"')" >"$out"
	# bench-scaling: only the largest sizes, each row timed longer, more rounds.
	local rounds=${BENCH_ROUNDS:-6} pat='^Benchmark(ALMA|GrayScott|Mesh)$' time=${RAYON_BENCH_TIME:-300ms} ms=${RAYON_BENCH_MS:-300} js=()
	if [ "${1:-}" = largest ]; then
		rounds=${BENCH_ROUNDS:-20} pat='^Benchmark(ALMA|GrayScott|Mesh)$/^impl=(wasm-rayon|wasm-rayon-deadlines|wasm-rayon-stop|native-rust-rayon)$//^(series=64|n=128)$'
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
	bench_header "clang: $(clang-19 --version 2>/dev/null | head -n1 | sed 's/.*version //')" >"$out"
	say "running the target rows, ${BENCH_ROUNDS:-10} rounds; raw output in $out"
	local r pat
	for r in $(seq "${BENCH_ROUNDS:-10}"); do
		(cd compare && ../bench/out/compare.test -test.run '^$' \
			-test.bench '^Benchmark(Sum|Dot)$/^impl=(go|gonum|cgo-c|wasm-rust-simd|wasm-c-simd|wasm-go|wasm-tinygo)$/^n=100000$/' \
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

# The call path at n = 1 in instructions, which this VM's noise does not
# move (valgrind's callgrind): scripts/callcount makes each row's call
# 2,000 and 22,000 times, and the difference of the two totals over 20,000
# is the instructions of one call, set-up and exit cancelled. It is built
# in a module of its own that requires this checkout; with BASE=<commit>
# it is built against a git worktree of that commit too (a commit whose
# API it does not compile against shows "-"). Table:
# bench/out/instructions.md.
run_bench_instructions() {
	need_go
	need_valgrind
	mkdir -p bench/out
	local trees=("$ROOT") labels=(HEAD) out=bench/out/instructions.md i
	if [ -n "${BASE:-}" ]; then
		local wt=$ROOT/bench/out/base-tree
		[ -d "$wt" ] && run git worktree remove --force "$wt"
		run git worktree add --detach "$wt" "$BASE" >/dev/null
		trees+=("$wt") labels+=("$BASE")
	fi
	for i in "${!trees[@]}"; do
		local mod=$ROOT/bench/out/callcount-$i
		rm -rf "$mod" && mkdir -p "$mod"
		cp scripts/callcount/main.go "$mod/"
		replace_module "$mod" callcount "${trees[$i]}"
		(cd "$mod" && run go mod tidy >/dev/null 2>&1 && run go build -o callcount .) || say "callcount does not build against ${labels[$i]}: its rows show -"
	done
	{
		echo "Instructions per call (valgrind --tool=callgrind; the difference of 22,000 and 2,000 calls"
		echo "over 20,000; Rust guest, scalar kernels; $(go version | awk '{print $3}'), $(date -u +%Y-%m-%d); scripts/callcount)."
		echo
		printf '| row |'; for i in "${labels[@]}"; do printf ' %s |' "$i"; done; echo
		printf '|---|'; for i in "${labels[@]}"; do printf -- '---:|'; done; echo
	} >"$out"
	local row what
	for row in "cgo-empty|an empty cgo call" "call|Instance.Call(sum, 0)" "buffers-call|Buffers.Call(sum, 0) inside one InPlace" \
		"sum|vector Sum, 1 element, with its copy" "sum-in-place|vector SumInPlace, 1 element, inside one InPlace" \
		"mul|vector Mul, 1 element, with its copies" "pool|vector Sum, 1 element, through Pool.Do"; do
		IFS='|' read -r row what <<<"$row"
		printf '| %s |' "$what" >>"$out"
		for i in "${!trees[@]}"; do
			printf ' %s |' "$(ir_per_call "$ROOT/bench/out/callcount-$i/callcount" "$row")" >>"$out"
		done
		echo >>"$out"
	done
	[ -z "${BASE:-}" ] || run git worktree remove --force "$ROOT/bench/out/base-tree"
	say "instructions per call: $out"
	cat "$out"
}

# ir_per_call BIN ROW prints the instructions of one call of ROW by
# callcount binary BIN, or "-" when there is no such binary. A callgrind run
# that aborts (it can, on Go's signals) is run again, up to three times.
ir_per_call() {
	local bin=$1 row=$2 n total totals=()
	[ -x "$bin" ] || { echo -; return; }
	for n in 2000 22000; do
		total=""
		for _ in 1 2 3; do
			GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file="$ROOT/bench/out/ir.out" \
				"$bin" "$row" "$n" >"$ROOT/bench/out/ir.log" 2>&1 || true
			total=$(sed -n 's/^summary: //p' "$ROOT/bench/out/ir.out" 2>/dev/null)
			[ -n "$total" ] && break
		done
		[ -n "$total" ] || die "callgrind failed three times on $bin $row (bench/out/ir.log)"
		totals+=("$total")
	done
	echo $(((totals[1] - totals[0]) / 20000))
}
