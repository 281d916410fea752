#!/usr/bin/env bash
# Installs cargo-lambda (`cargo-lambda` from PyPI, at a pinned version; it
# brings zig, through the `ziglang` package, for cross-linking) into a
# virtualenv at .tools/cargo-lambda/venv/ unless it is already there, and
# adds the Rust targets Lambda runs on (x86_64 and aarch64 Linux).
# `sam build` (BuildMethod: rust-cargolambda) and the Lambda emulator tests
# (tests/lambda) find `cargo-lambda` and `zig` by putting the venv's bin/ on
# PATH: see --print-path.
#
# Usage: scripts/lib/cargo-lambda.sh               install if needed, then check
#        scripts/lib/cargo-lambda.sh --print-bin   print the cargo-lambda path
#        scripts/lib/cargo-lambda.sh --print-path  print the folder to put on PATH
set -euo pipefail

VERSION="1.9.2"
# cargo-lambda's wheel depends on ziglang without a version: pin the one
# tested here, so a new zig cannot change the build under us.
ZIG_VERSION="0.17.0"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$ROOT/.tools/cargo-lambda/venv"
BIN="$VENV/bin/cargo-lambda"
TARGETS=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu)

case "${1:-}" in
--print-bin)
    echo "$BIN"
    exit 0
    ;;
--print-path)
    echo "$VENV/bin"
    exit 0
    ;;
esac

fail() {
    echo "cargo-lambda: $*" >&2
    exit 1
}

installed() { "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("cargo-lambda"), m.version("ziglang"))' 2>/dev/null || true; }

if [[ "$(installed)" != "$VERSION $ZIG_VERSION" || ! -x "$BIN" ]]; then
    python="$(command -v python3 || true)"
    [[ -n "$python" ]] || fail "python3 is not on PATH (needed once to install cargo-lambda==$VERSION)"
    echo "cargo-lambda: installing cargo-lambda==$VERSION ziglang==$ZIG_VERSION into $VENV"
    [[ -x "$VENV/bin/python" ]] || "$python" -m venv "$VENV" >&2 ||
        fail "could not create a virtualenv with $python (Debian: apt-get install python3-venv)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "cargo-lambda==$VERSION" "ziglang==$ZIG_VERSION" >&2
fi
[[ "$(installed)" == "$VERSION $ZIG_VERSION" && -x "$BIN" ]] ||
    fail "cargo-lambda==$VERSION with ziglang==$ZIG_VERSION is not usable in $VENV after installing"

# cargo-lambda cross-links with zig; the ziglang wheel ships it as a module.
if [[ ! -x "$VENV/bin/zig" ]]; then
    "$VENV/bin/python" -c 'import ziglang' 2>/dev/null ||
        fail "the ziglang package cargo-lambda depends on is missing from $VENV"
    printf '#!/bin/sh\nexec "%s" -m ziglang "$@"\n' "$VENV/bin/python" >"$VENV/bin/zig"
    chmod +x "$VENV/bin/zig"
fi

if command -v rustup >/dev/null; then
    installed_targets="$(rustup target list --installed)"
    for target in "${TARGETS[@]}"; do
        if ! grep -qx "$target" <<<"$installed_targets"; then
            echo "cargo-lambda: rustup target add $target"
            rustup target add "$target" >&2
        fi
    done
else
    echo "cargo-lambda: no rustup; make sure the targets ${TARGETS[*]} are installed" >&2
fi
echo "cargo-lambda: cargo-lambda==$VERSION ready: $BIN (zig $("$VENV/bin/zig" version))"
