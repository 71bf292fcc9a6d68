//go:build race

package host

// raceEnabled: built with -race. The race detector sees no atomic done in
// C, nor on C memory, so the instance's lock word lives in Go memory and
// every call takes it from Go (Instance.lockWord, Instance.unbounded).
const raceEnabled = true
