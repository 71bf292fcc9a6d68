package vector_test

// Guest modules, built by ./build.sh.
const (
	rustGuest    = "../guests/rust.wasm"
	cGuest       = "../guests/c.wasm"
	goGuest      = "../guests/go.wasm"
	tinygoGuest  = "../guests/tinygo.wasm"
	threadsGuest = "../guests/rust-threads.wasm"
)
