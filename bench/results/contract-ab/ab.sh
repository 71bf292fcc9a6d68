#!/bin/bash
# interleaved A/B of BenchmarkCall: before (HEAD at session start) vs after
: > /tmp/ab-before.txt; : > /tmp/ab-after.txt
for r in $(seq 12); do
  (cd /tmp/before/host && /tmp/before.test -test.run '^$' -test.bench '^BenchmarkCall$/path=(typed|in-place|cgo-empty)$' -test.benchtime 200ms -test.count 1) >> /tmp/ab-before.txt
  (cd /work/main/host && /tmp/after.test -test.run '^$' -test.bench '^BenchmarkCall$/path=(typed|in-place|kernel|cgo-empty)$' -test.benchtime 200ms -test.count 1) >> /tmp/ab-after.txt
done
echo done
