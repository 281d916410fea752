#!/usr/bin/env bash
# Installs moto's standalone server (`moto[server]` from PyPI, at a pinned
# version) into a virtualenv at .tools/moto/venv/ unless it is already there.
# banter-s3's tests start it themselves (shared/s3/tests/support/) on a free
# loopback port as S3 and stop it when they end; they fail, naming this
# script, if it is missing.
#
# Usage: scripts/lib/moto.sh              install if needed, then check
#        scripts/lib/moto.sh --print-bin  print the moto_server path
set -euo pipefail

VERSION="5.2.5"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$ROOT/.tools/moto/venv"
SERVER="$VENV/bin/moto_server"

if [[ "${1:-}" == "--print-bin" ]]; then
    echo "$SERVER"
    exit 0
fi

fail() {
    echo "moto: $*" >&2
    exit 1
}

installed() { "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null || true; }

if [[ "$(installed)" != "$VERSION" || ! -x "$SERVER" ]]; then
    python="$(command -v python3 || true)"
    [[ -n "$python" ]] || fail "python3 is not on PATH (needed once to install moto[server]==$VERSION)"
    echo "moto: installing moto[server]==$VERSION into $VENV"
    [[ -x "$VENV/bin/python" ]] || "$python" -m venv "$VENV" >&2 ||
        fail "could not create a virtualenv with $python (Debian: apt-get install python3-venv)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "moto[server]==$VERSION" >&2
fi
[[ "$(installed)" == "$VERSION" && -x "$SERVER" ]] ||
    fail "moto[server]==$VERSION is not usable in $VENV after installing"
echo "moto: moto[server]==$VERSION ready: $SERVER"
