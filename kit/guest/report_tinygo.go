//go:build tinygo && wasip1

package guest

import "os"

// report writes msg to stderr: TinyGo prints a panic's message to stdout.
func report(msg string) { os.Stderr.WriteString(msg + "\n") }
