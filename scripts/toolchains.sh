# shellcheck shell=bash
# scripts/toolchains.sh, sourced by build.sh (the one entry point): the toolchains the steps need, each installed
# from the package registries when missing (or the reason it cannot be).
# It uses build.sh's say, run, die and ROOT.

# The JS package (js/): Node 20 or newer with npm, its dependencies pinned by
# js/package-lock.json and installed with npm ci; the browser tests need
# Chromium (Debian's chromium, installed with apt-get when missing and we
# are root; CHROMIUM names another binary).
need_node() {
	command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are not installed: install Node.js 20.16 or newer (https://nodejs.org)"
	# 20.16: process.getBuiltinModule, which the package uses instead of importing node: modules
	[ "$(node -p 'const [a, b] = process.versions.node.split(".").map(Number); a > 20 || (a === 20 && b >= 16)')" = true ] ||
		die "node $(node --version) is too old: the JS package needs Node.js 20.16 or newer"
	if [ ! -d js/node_modules ] || [ js/package-lock.json -nt js/node_modules/.package-lock.json ]; then
		say "the JS package's dependencies (js/package-lock.json): npm ci"
		(cd js && run npm ci --no-audit --no-fund)
	fi
}

# apt_install WHAT PACKAGE... installs Debian's PACKAGEs with apt-get when we
# are root (saying WHAT is missing); the caller checks that it now has it.
# apt-get waits up to 10 minutes for another apt or dpkg to let go of its
# lock (DPkg::Lock::Timeout) rather than failing, so nothing takes another
# route because the package manager was busy.
apt_install() {
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		say "$1 is missing: installing Debian's ${*:2} with apt-get"
		run apt-get -o DPkg::Lock::Timeout=600 update -qq
		run env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${@:2}"
	fi
}

need_chromium() {
	CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
	[ -x "$CHROMIUM" ] || apt_install "Chromium for the browser tests" chromium
	[ -x "$CHROMIUM" ] || die "no Chromium at $CHROMIUM: install Debian's chromium package (apt-get install chromium) or set CHROMIUM"
	export CHROMIUM
}

# The shell linter for ./build.sh test: Debian's shellcheck.
need_shellcheck() {
	command -v shellcheck >/dev/null || apt_install shellcheck shellcheck
	command -v shellcheck >/dev/null || die "shellcheck is not installed: install Debian's shellcheck package (apt-get install shellcheck)"
}

# Firefox ESR for the browser tests (driven by puppeteer-core over WebDriver
# BiDi): Debian's firefox-esr; FIREFOX names another binary.
need_firefox() {
	FIREFOX=${FIREFOX:-/usr/bin/firefox-esr}
	[ -x "$FIREFOX" ] || apt_install "Firefox ESR for the browser tests" firefox-esr
	[ -x "$FIREFOX" ] || die "no Firefox at $FIREFOX: install Debian's firefox-esr package (apt-get install firefox-esr) or set FIREFOX"
	export FIREFOX
}

# An X server for Firefox's WebGL in the browser tests: headless Firefox ESR
# has no WebGL2, a Firefox on Xvfb draws with Mesa's llvmpipe (Debian's xvfb,
# xauth, which xvfb-run needs and xvfb only recommends, and libgl1-mesa-dri).
need_xvfb() {
	local dri=no f
	for f in /usr/lib/*-linux-gnu/dri/swrast_dri.so; do
		[ -e "$f" ] && dri=yes
	done
	if ! command -v xvfb-run >/dev/null || ! command -v xauth >/dev/null || [ "$dri" = no ]; then
		apt_install "Xvfb and Mesa for Firefox's WebGL" xvfb xauth libgl1-mesa-dri
	fi
	command -v xvfb-run >/dev/null || die "no xvfb-run: install Debian's xvfb package (apt-get install xvfb libgl1-mesa-dri)"
}

# valgrind (callgrind) for ./build.sh bench-instructions: Debian's valgrind.
need_valgrind() {
	command -v valgrind >/dev/null || apt_install "valgrind for the instruction counts" valgrind
	command -v valgrind >/dev/null || die "no valgrind: install Debian's valgrind package (apt-get install valgrind)"
}

need_go() {
	command -v go >/dev/null || die "go is not installed: install Go 1.26 or newer (https://go.dev/doc/install)"
	say "fetching Go modules (go mod download)"
	run go mod download
}

need_rust() {
	command -v cargo >/dev/null || die "cargo is not installed: install Rust with rustup (stable toolchain)"
	command -v rustup >/dev/null || die "rustup is not installed: the wasm32-wasip1 target is added through rustup"
	if ! rustup target list --installed | grep -qx "$1"; then
		say "Rust target $1 is missing: installing it with rustup"
		run rustup target add "$1"
	fi
}


# The C toolchain: Debian's clang-19 + lld-19 + wasi-libc + the wasm32
# compiler-rt, installed with apt-get when missing and we are root; else
# PyPI's ziglang (python3 -m ziglang cc), installed with pip.
C_FLAGS=(-O3 -msimd128 -ffp-contract=off -fno-vectorize -fno-slp-vectorize -Wall -Wextra -Werror)
C_SOURCES=(guest.c bindings/vector.c bindings/vector_component_type.o)
WIT_BINDGEN_VERSION=0.61.1

# clang_wasm OUT FLAGS... -- SOURCES...: compiles each .c with FLAGS, then
# links a wasm32-wasi reactor without an -O flag. In two steps on purpose:
# clang runs binaryen's wasm-opt after linking whenever one is on PATH and
# the link has an -O flag (so the module would depend on whether binaryen
# is installed: it is for TinyGo), and clang 19.1.7's --no-wasm-opt drops
# the link step altogether.
clang_wasm() {
	local out=$1 tmp f objs=()
	shift
	local flags=()
	while [ "$1" != -- ]; do flags+=("$1"); shift; done
	shift
	tmp=$(mktemp -d)
	for f in "$@"; do
		case "$f" in
		*.c)
			run clang-19 --target=wasm32-wasi "${flags[@]}" -c "$f" -o "$tmp/$(basename "$f" .c).o"
			objs+=("$tmp/$(basename "$f" .c).o")
			;;
		*) objs+=("$f") ;;
		esac
	done
	run clang-19 --target=wasm32-wasi -mexec-model=reactor -Wl,--strip-all -o "$out" "${objs[@]}"
	rm -rf "$tmp"
}

c_toolchain_ok() {
	command -v clang-19 >/dev/null && command -v wasm-ld-19 >/dev/null &&
		[ -f /usr/lib/wasm32-wasi/libc.a ] &&
		[ -f /usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a ]
}

need_c() {
	c_toolchain_ok && return 0
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		say "C toolchain for wasm32-wasi is missing: installing clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32 with apt-get"
		run apt-get update -qq
		run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang-19 lld-19 wasi-libc libclang-rt-19-dev-wasm32
		c_toolchain_ok && return 0
	fi
	return 1
}

need_zig() {
	python3 -c 'import ziglang' 2>/dev/null && return 0
	say "installing PyPI's ziglang as the second C route (pip install ziglang)"
	run python3 -m pip install -q ziglang
}


# TinyGo: no registry ships it, so ./build.sh tinygo uses a tinygo (0.33 or
# newer) on PATH, or builds one from a TinyGo source tree (TINYGO_SRC, for
# instance a checkout of github.com/tinygo-org/tinygo at v0.33.0) against
# Debian's LLVM 15, with Go 1.23 from the module proxy (TinyGo 0.33 runs only
# with Go 1.19-1.23), under TINYGO_CACHE. Without either it says so; the
# tests then run the committed guests/tinygo.wasm.
TINYGO_CACHE=${TINYGO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wasmvec/tinygo}
TINYGO_GO=go1.23.4
TINYGO_DEBS=(llvm-15-dev libclang-15-dev liblld-15-dev lld-15 clang-15 wasi-libc binaryen libclang-rt-16-dev-wasm32)
TINYGO_FLAGS=(-target=wasip1 -opt=2 -llvm-features=+simd128 -scheduler=none -no-debug -panic=trap)

tinygo_ok() {
	local v
	v=$("$1" version 2>/dev/null | awk '{print $3}') || return 1
	case "$v" in 0.[0-9]|0.[12][0-9]|0.3[0-2]|0.[0-9].*|0.[12][0-9].*|0.3[0-2].*) return 1 ;; esac
	[ -n "$v" ]
}

# tinygo_once sets TG to the tinygo to use (find_tinygo), or to "" when none
# can be had, asking find_tinygo once per run, so that its notice is said once.
tinygo_once() {
	if [ -z "${TG_ASKED:-}" ]; then
		TG_ASKED=1
		TG=$(find_tinygo) || TG=""
	fi
}

# find_tinygo prints the tinygo to use (building it when it must), or
# returns 1 with the reason on stderr.
find_tinygo() {
	if command -v tinygo >/dev/null && tinygo_ok tinygo; then
		command -v tinygo
		return 0
	fi
	if [ -x "$TINYGO_CACHE/tinygo" ] && tinygo_ok "$TINYGO_CACHE/tinygo"; then
		echo "$TINYGO_CACHE/tinygo" # built before, with its TINYGOROOT
		return 0
	fi
	if [ -z "${TINYGO_SRC:-}" ]; then
		say "no tinygo (0.33+) on PATH and no TINYGO_SRC: TinyGo is in no package registry, so it cannot be installed here; set TINYGO_SRC to a TinyGo source tree (github.com/tinygo-org/tinygo, v0.33.0) to build it"
		return 1
	fi
	grep -q '^module github.com/tinygo-org/tinygo' "$TINYGO_SRC/go.mod" 2>/dev/null || { say "TINYGO_SRC=$TINYGO_SRC is not a TinyGo source tree"; return 1; }
	local rt=/usr/lib/llvm-16/lib/clang/16/lib/wasi/libclang_rt.builtins-wasm32.a
	if ! command -v llvm-config-15 >/dev/null || ! command -v wasm-opt >/dev/null || [ ! -f "$rt" ] || [ ! -d /usr/lib/wasm32-wasi ]; then
		if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
			say "TinyGo's build needs Debian's LLVM 15, lld, wasi-libc, binaryen and a wasm32 compiler-rt: installing ${TINYGO_DEBS[*]}"
			# To stderr: find_tinygo's standard output is the path it prints.
			run apt-get update -qq >&2
			run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${TINYGO_DEBS[@]}" >&2
		else
			say "missing Debian packages for building TinyGo (run as root to install): ${TINYGO_DEBS[*]}"
			return 1
		fi
	fi
	if [ ! -x "$TINYGO_CACHE/bin/tinygo" ]; then
		say "building TinyGo from $TINYGO_SRC with Go $TINYGO_GO (module proxy) and LLVM 15 into $TINYGO_CACHE"
		mkdir -p "$TINYGO_CACHE/bin"
		(cd "$TINYGO_SRC" && run env GOTOOLCHAIN="$TINYGO_GO" go build -tags llvm15 -o "$TINYGO_CACHE/bin/tinygo" .) >&2 || return 1
	fi
	# TINYGOROOT: the tree's src/ and targets/, Debian's wasi-libc as the
	# prebuilt sysroot, Debian's wasm32 builtins as compiler-rt.
	local root="$TINYGO_CACHE/root"
	rm -rf "$root"
	mkdir -p "$root/lib/wasi-libc/sysroot/lib" "$root/pkg/wasm32-unknown-wasi-generic/compiler-rt"
	ln -s "$TINYGO_SRC/src" "$root/src"
	ln -s "$TINYGO_SRC/targets" "$root/targets"
	ln -s /usr/include/wasm32-wasi "$root/lib/wasi-libc/sysroot/include"
	ln -s /usr/lib/wasm32-wasi "$root/lib/wasi-libc/sysroot/lib/wasm32-wasi"
	cp "$rt" "$root/pkg/wasm32-unknown-wasi-generic/compiler-rt/lib.a"
	printf '#!/bin/sh\nexec env TINYGOROOT=%s GOTOOLCHAIN=%s %s "$@"\n' "$root" "$TINYGO_GO" "$TINYGO_CACHE/bin/tinygo" >"$TINYGO_CACHE/tinygo"
	chmod +x "$TINYGO_CACHE/tinygo"
	echo "$TINYGO_CACHE/tinygo"
}
