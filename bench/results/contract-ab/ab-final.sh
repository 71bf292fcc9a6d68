#!/bin/bash
# interleaved A/B of BenchmarkCall: before (HEAD at session start) vs after
: > /tmp/ab-before2.txt; : > /tmp/ab-after2.txt
for r in $(seq 20); do
  (cd /tmp/before/host && /tmp/before.test -test.run '^$' -test.bench '^BenchmarkCall$/path=(typed|in-place|cgo-empty)$' -test.benchtime 200ms -test.count 1) >> /tmp/ab-before2.txt
  (cd /work/main/host && /tmp/after2.test -test.run '^$' -test.bench '^BenchmarkCall$/path=(typed|in-place|kernel|cgo-empty)$' -test.benchtime 200ms -test.count 1) >> /tmp/ab-after2.txt
done
echo done
