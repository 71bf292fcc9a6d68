//go:build amd64 || arm64

package threads

import (
	"math"
	"testing"
)

// TestSpawnRefusalKeepsNoState: once a threaded instance has its workers,
// every further thread-spawn is refused and changes nothing, so no number
// of calls can wrap a counter into a spawn. The boundary is tested
// directly: the count at its largest (want = 63, for at most 64 threads) and a million
// refusals after it.
func TestSpawnRefusalKeepsNoState(t *testing.T) {
	for _, want := range []int32{0, 1, 63} {
		th := &Threads{want: want}
		th.spawned.Store(want)
		for range 1_000_000 {
			if tid := th.spawn(0); tid != -1 {
				t.Fatalf("want %d: spawn past the limit returned %d", want, tid)
			}
		}
		if got := th.spawned.Load(); got != want {
			t.Fatalf("want %d: the count moved to %d on refusals", want, got)
		}
	}
	// The old counter, one past MaxInt32, read as a negative count and
	// spawned; the count now never exceeds want, whatever was stored.
	th := &Threads{want: 3}
	th.spawned.Store(math.MaxInt32)
	if tid := th.spawn(0); tid != -1 {
		t.Fatalf("spawn with a count of MaxInt32 returned %d", tid)
	}
}
