//go:build !(tinygo && wasip1)

package guest

// report does nothing: the standard toolchain's runtime prints a panic's
// message to stderr itself.
func report(string) {}
