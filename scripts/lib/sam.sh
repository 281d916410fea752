#!/usr/bin/env bash
# Installs the AWS SAM CLI (`aws-sam-cli` from PyPI, at a pinned version) into
# a virtualenv at .tools/sam/venv/ unless it is already there. Used by
# scripts/test (`sam validate --lint`) and scripts/build-lambdas (`sam build`).
# No Docker and no AWS account are needed for either.
#
# Usage: scripts/lib/sam.sh              install if needed, then check
#        scripts/lib/sam.sh --print-bin  print the sam path
set -euo pipefail

VERSION="1.170.0"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
VENV="$ROOT/.tools/sam/venv"
SAM="$VENV/bin/sam"

if [[ "${1:-}" == "--print-bin" ]]; then
    echo "$SAM"
    exit 0
fi

fail() {
    echo "sam: $*" >&2
    exit 1
}

installed() { "$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("aws-sam-cli"))' 2>/dev/null || true; }

if [[ "$(installed)" != "$VERSION" || ! -x "$SAM" ]]; then
    python="$(command -v python3 || true)"
    [[ -n "$python" ]] || fail "python3 is not on PATH (needed once to install aws-sam-cli==$VERSION)"
    echo "sam: installing aws-sam-cli==$VERSION into $VENV"
    [[ -x "$VENV/bin/python" ]] || "$python" -m venv "$VENV" >&2 ||
        fail "could not create a virtualenv with $python (Debian: apt-get install python3-venv)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "aws-sam-cli==$VERSION" >&2
fi
[[ "$(installed)" == "$VERSION" && -x "$SAM" ]] ||
    fail "aws-sam-cli==$VERSION is not usable in $VENV after installing"
echo "sam: aws-sam-cli==$VERSION ready: $SAM"
