package host

import (
	"reflect"
	"runtime"
	"testing"
)

// TestReentryFrames pins the frame names insideInPlace looks for to the
// methods they name: a rename of InPlace or CallWith, or a move into
// another package, changes the name and fails this test instead of
// silently turning a callback's own call into a wait for ever (lock.go
// says why frames).
func TestReentryFrames(t *testing.T) {
	for _, c := range []struct {
		method any
		frame  string
	}{{(*Instance).InPlace, inPlaceFrame}, {(*Instance).CallWith, callWithFrame}} {
		if got := runtime.FuncForPC(reflect.ValueOf(c.method).Pointer()).Name(); got != c.frame {
			t.Errorf("the method's frame is %q; insideInPlace looks for %q", got, c.frame)
		}
	}
}
