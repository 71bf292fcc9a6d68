#!/bin/bash
# Wasmtime 39 against 44: the same guests (this checkout's) in test binaries
# built at 18a5a53^ (wasmtime-go v39.0.1, in a worktree) and at this
# checkout (v44.0.0), run in interleaved rounds (ROUNDS, default 6); raw
# output in $OUT/v39.txt and $OUT/v44.txt (OUT defaults to /tmp/engine-ab).
# Then: benchstat -ignore goos,goarch,cpu,pkg v39=v39.txt v44=v44.txt
set -e
head=$(git rev-parse --show-toplevel)
old=${OLD:-/tmp/v39}
out=${OUT:-/tmp/engine-ab}
mkdir -p "$out"
[ -d "$old" ] || git -C "$head" worktree add --detach "$old" 18a5a53^ >/dev/null
cp "$head"/guests/*.wasm "$old/guests/"
cp "$head/examples/rayon/rayon.wasm" "$head/examples/rayon/rayon-single.wasm" "$old/examples/rayon/"
tree() { if [ "$1" = old ]; then echo "$old"; else echo "$head"; fi; }
for v in old head; do
	t=$(tree "$v")
	(cd "$t/compare" && go test -c -o "$out/compare-$v.test" .)
	(cd "$t" && go test -c -o "$out/host-$v.test" ./host/ && go test -c -o "$out/rayon-$v.test" ./examples/rayon/)
done
: >"$out/v39.txt"
: >"$out/v44.txt"
for r in $(seq "${ROUNDS:-6}"); do
	for v in old head; do
		t=$(tree "$v")
		f=$out/v44.txt
		[ "$v" = old ] && f=$out/v39.txt
		{
			(cd "$t/compare" && "$out/compare-$v.test" -test.run '^$' -test.bench '^Benchmark(Sum|Dot|Mul|Scale)$/^impl=(wasm-rust-simd|wasm-c-simd|wasm-go|wasm-tinygo)$/^n=(1000|100000)$/^mode=kernel$' -test.benchtime 200ms -test.count 1)
			(cd "$t/host" && "$out/host-$v.test" -test.run '^$' -test.bench '^Benchmark(Compile|Instantiate|Deadlines)$' -test.benchtime 200ms -test.count 1 2>&1)
			(cd "$t/examples/rayon" && "$out/rayon-$v.test" -test.run '^$' -test.bench '^Benchmark(ALMA|GrayScott)$/^impl=(wasm-rayon|wasm-rayon-deadlines)$/^threads=(1|2|4)$/^(series=64|n=128)$' -test.benchtime 500ms -test.count 1)
		} >>"$f"
	done
	echo "round $r done" >&2
done
