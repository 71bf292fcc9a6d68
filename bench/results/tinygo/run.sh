#!/bin/bash
out=/tmp/tinygo-bench.txt; : > $out
cd /work/main/host
for r in $(seq 8); do
  /tmp/tg.test -test.run '^$' -test.bench '^Benchmark(Sum|Dot|Mul|Scale)$/^impl=(go|cgo-c|wasm-rust-simd|wasm-c-simd|wasm-go|wasm-tinygo)$/^n=100000$/^mode=kernel$' -test.benchtime 200ms -test.count 1 >> $out
done
/tmp/tg.test -test.run '^$' -test.bench '^Benchmark(Compile|Instantiate)$' -test.benchtime 1x -test.count 5 >> $out 2>&1
echo done >> /tmp/tgbench.log
