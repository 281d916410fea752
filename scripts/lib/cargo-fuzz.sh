#!/usr/bin/env bash
# Installs cargo-fuzz (crates.io, pinned) into .tools/cargo-fuzz/ unless it
# is already there, and checks the nightly toolchain libFuzzer builds need.
#
# Usage: scripts/lib/cargo-fuzz.sh               install if needed, then check
#        scripts/lib/cargo-fuzz.sh --print-path  print the folder to put on PATH
set -euo pipefail

VERSION="0.13.1"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PREFIX="$ROOT/.tools/cargo-fuzz"
BIN="$PREFIX/bin/cargo-fuzz"

if [[ "${1:-}" == "--print-path" ]]; then
    echo "$PREFIX/bin"
    exit 0
fi

fail() {
    echo "cargo-fuzz: $*" >&2
    exit 1
}

rustup run nightly rustc --version >/dev/null 2>&1 ||
    fail "the nightly toolchain is missing: rustup toolchain install nightly --profile minimal"
if [[ ! -x "$BIN" ]] || ! "$BIN" --version 2>/dev/null | grep -q " $VERSION"; then
    echo "cargo-fuzz: installing cargo-fuzz $VERSION into $PREFIX"
    cargo install --quiet --locked cargo-fuzz --version "$VERSION" --root "$PREFIX" >&2 ||
        fail "cargo install cargo-fuzz $VERSION failed"
fi
"$BIN" --version | grep -q " $VERSION" || fail "cargo-fuzz $VERSION is not usable at $BIN"
echo "cargo-fuzz: $("$BIN" --version) ready, nightly $(rustup run nightly rustc --version | cut -d' ' -f2)"
