//go:build !race

package host

// raceEnabled: built with -race (race_on.go).
const raceEnabled = false
