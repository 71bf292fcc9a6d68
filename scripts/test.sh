# shellcheck shell=bash
# scripts/test.sh, sourced by build.sh (the one entry point): ./build.sh test: go vet, the Go tests, the JS package,
# the fresh-module and template checks.
# It uses build.sh's say, run, die and ROOT.

run_js_tests() {
	need_node
	say "the JS package: type declarations checked by tsc and up to date (js/types)"
	(cd js && run npm run --silent check)
	say "the JS package, its tests, demo, examples and scripts: ESLint's recommended rules (js/eslint.config.js)"
	(cd js && run npm run --silent lint)
	say "the same files formatted as Prettier formats them (js/.prettierrc.json; npm run format rewrites them)"
	(cd js && run npm run --silent format:check)
	say "the JS package in Node (node:test): contract and errors, vector guests bit-exact against the Go golden files, hostile corpus parity, Rayon hashes at 1, 2, 4 threads, budget, traps, timeouts, close, pools"
	(cd js && run npm test --silent)
	need_chromium
	need_firefox
	need_xvfb
	say "the JS package in headless Chromium (playwright-core) and Firefox ESR on Xvfb (puppeteer-core, WebDriver BiDi): the demo's hashes at 1 and 2 threads, its viewer (WebGL2 frames read back, state and mesh hashes at 1 and N threads), a cold page, the isolation error and the single-thread fallback; the Vite and webpack examples built and served with and without the headers, and Vite's dev server; screenshots in js/test-results"
	# Firefox on an X server of its own (Xvfb), where it has WebGL2 (headless it has none).
	(cd js && run env WASMVEC_FIREFOX_DISPLAY=1 xvfb-run -a npm run --silent test:browser)
}


# replace_module DIR MODULE TREE writes DIR/go.mod: module MODULE, which
# requires wasmvec through a replace directive to the checkout TREE.
replace_module() {
	cat >"$1/go.mod" <<EOF
module $2

go 1.26.0

require github.com/wasmvec/wasmvec v0.0.0

replace github.com/wasmvec/wasmvec => $3
EOF
}

# The README's first example, run as a user runs it: in a Go module outside
# the repository that requires wasmvec (through a replace directive to this
# checkout), with the guests from package guests. Its output must be the
# block's own "// Output:" line.
check_fresh_module() {
	local tmp want got
	tmp=$(mktemp -d)
	awk '/^## First example/{on=1} on && /^```go$/{code=1; next} code && /^```$/{exit} code' README.md >"$tmp/main.go"
	want=$(sed -n 's|^[[:space:]]*// Output: ||p' "$tmp/main.go")
	[ -n "$want" ] || die "README.md: no Go block with an // Output: line under '## First example'"
	replace_module "$tmp" example.com/firstexample "$ROOT"
	say "the README's first example in a fresh module outside the repository ($tmp)"
	(cd "$tmp" && run go mod tidy && run go build -o first .) || die "the README's first example does not build in a fresh module"
	if (cd "$tmp" && go list -m all) | grep -E 'wazero|gonum' >&2; then
		die "a user's module resolves the comparison peers above: they belong in compare/go.mod"
	fi
	got=$("$tmp/first") || die "the README's first example failed: $got"
	[ "$got" = "$want" ] || die "the README's first example printed '$got'; its // Output: line says '$want'"
	say "fresh module: printed '$got', as the README says"
	rm -rf "$tmp"
}

# The README's JS example, run as a newcomer runs it: an empty folder, npm
# init, the package installed from this checkout as the README says, the
# example saved as main.js; it prints the sum and the Gray-Scott hash that
# its comments say (the hash is the Go reference's).
check_fresh_js() {
	local tmp want got
	tmp=$(mktemp -d)
	awk '/^## In Node and in the browser/{on=1} on && /^```js$/{code=1; next} code && /^```$/{exit} code' README.md >"$tmp/main.js"
	want=$(sed -n 's|^console.log(.*// \([0-9a-f]*\)[,:].*|\1|p' "$tmp/main.js" | tr '\n' ' ')
	[ "$want" = "10 3b65e894236a3fcb " ] || die "README.md: the JS example's comments name '$want', not the sum and the hash"
	say "the README's JS example from an empty folder ($tmp): npm init, npm install --install-links js, node main.js"
	(cd "$tmp" && run npm init -y >/dev/null && run npm pkg set type=module &&
		run npm install --no-audit --no-fund --install-links "$ROOT/js" >/dev/null) || die "the README's JS install steps failed"
	got=$(cd "$tmp" && node main.js 2>&1 | tr '\n' ' ') || die "the README's JS example failed: $got"
	[ "$got" = "$want" ] || die "the README's JS example printed '$got'; its comments say '$want'"
	say "fresh folder: printed '$got', as the README says, and no warning"
	rm -rf "$tmp"
}

# The guest templates, used as a user uses them: wasmvec new writes each
# into a fresh folder outside the repository (its go.mod replaces wasmvec
# with this checkout), wasmvec build builds it, and its own Go test loads
# the module and checks its kernel bit for bit. TinyGo's when a tinygo can
# be had.
check_templates() {
	local tmp lang tg=""
	tmp=$(mktemp -d)
	run go build -o "$tmp/wasmvec" ./cmd/wasmvec
	tinygo_once
	tg=$TG
	for lang in rust rust-rayon c go tinygo; do
		if [ "$lang" = tinygo ] && [ -z "$tg" ]; then
			say "template tinygo: no tinygo (see ./build.sh tinygo), so not built here; TestNewWritesKits checks what it writes"
			continue
		fi
		check_template "$lang" "$tmp" "$tg"
	done
	rm -rf "$tmp"
}

# check_template LANG DIR [TINYGO]: wasmvec new LANG in DIR/my-LANG (with the
# wasmvec binary at DIR/wasmvec), wasmvec build, go test.
check_template() {
	say "template $1: wasmvec new, wasmvec build, go test ($2/my-$1)"
	run "$2/wasmvec" new -replace "$ROOT" "$1" "$2/my-$1" >/dev/null || die "wasmvec new $1 failed"
	(cd "$2/my-$1" && run env TINYGO="${3:-}" "$2/wasmvec" build && run go test -count=1 ./...) ||
		die "the $1 template does not build or its test fails ($2/my-$1)"
}

# ./build.sh check: a newcomer's setup checked in a few minutes, with Go
# alone (no Rust, C, Node or browsers): the README's first example in a
# fresh module, and the Go guest template from wasmvec new to go test.
run_check() {
	need_go
	check_fresh_module
	local tmp
	tmp=$(mktemp -d)
	run go build -o "$tmp/wasmvec" ./cmd/wasmvec
	check_template go "$tmp"
	rm -rf "$tmp"
	say "check passed: Go, the module and a guest template work here (./build.sh test is the full suite)"
}

# The Go linter beyond vet, pinned: go run fetches and builds it once;
# and goimports, pinned the same way.
STATICCHECK=honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOIMPORTS_VERSION=v0.52.0

run_tests() {
	need_go
	build_all
	say "gofmt -l (every Go file of the repository)"
	local unformatted
	unformatted=$(if git rev-parse --git-dir >/dev/null 2>&1; then git ls-files -z '*.go' | xargs -0 gofmt -l; else gofmt -l .; fi)
	[ -z "$unformatted" ] || die "not gofmt'd (run gofmt -w): $unformatted"
	say "goimports -l (imports grouped: standard library first; golang.org/x/tools $GOIMPORTS_VERSION, from the module proxy)"
	unformatted=$(git ls-files -z '*.go' 2>/dev/null | xargs -0 -r go run "golang.org/x/tools/cmd/goimports@$GOIMPORTS_VERSION" -l)
	[ -z "$unformatted" ] || die "imports not as goimports writes them (run go run golang.org/x/tools/cmd/goimports@$GOIMPORTS_VERSION -w): $unformatted"
	say "go vet (the library, the report and comparison modules, and the Go guest for GOOS=wasip1)"
	run go vet ./...
	(cd cmd/benchreport && run go vet ./...)
	(cd compare && run go vet ./...)
	(cd wasm/go && run env GOOS=wasip1 GOARCH=wasm go vet ./...)
	need_shellcheck
	say "shellcheck -x (build.sh and the scripts it sources, .ci/run)"
	run shellcheck -x build.sh .ci/run
	say "staticcheck (honnef.co/go/tools v0.8.2, from the module proxy): the library, the report and comparison modules"
	run go run "$STATICCHECK" ./...
	(cd cmd/benchreport && run go run "$STATICCHECK" ./...)
	(cd compare && run go run "$STATICCHECK" ./...)
	check_fresh_module
	check_templates
	say "go test -race (bit-exact table incl. the threaded guest at 1-4 threads, hostile corpus, deadlines, load test, examples)"
	run go test -race -count=1 ./...
	say "the host and the vector client again without -race: a call's lock taken inside its crossing (race_on.go: not under -race)"
	run go test -count=1 ./host/ ./vector/
	(cd cmd/benchreport && run go test -count=1 ./...)
	say "the comparison module (compare/go.mod: wazero and gonum stay out of the library's go.mod): wazero's bit-exact table"
	(cd compare && run go test -count=1 ./...)
	# Counts, not durations: with a duration, Go 1.26's fuzz coordinator can
	# report its own deadline as a failure ("context deadline exceeded", no
	# input written; golang/go#75804, fixed in Go 1.27), which CI hit once.
	# The counts took 11-13 s each on the README's machine.
	say "short fuzz runs (FUZZTIME, else 250,000 and 200,000 inputs; a long run is documented in host/fuzz_test.go)"
	run go test -run '^$' -fuzz '^FuzzKernels$' -fuzztime "${FUZZTIME:-250000x}" ./host/
	run go test -run '^$' -fuzz '^FuzzModule$' -fuzztime "${FUZZTIME:-200000x}" ./host/
	say "native C baseline built with -march=native: the bit-exact table again"
	run go test -count=1 -tags wasmvec_march_native ./internal/cnative/
	say "the Rayon example against its native build (Rust on OS threads through cgo): bit-exact at 1-4 threads"
	run go test -count=1 -tags wasmvec_rust_native ./examples/rayon/...
	run_js_tests
	check_fresh_js
}
