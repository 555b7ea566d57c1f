#!/usr/bin/env bash
# Schemathesis (PyPI) against `gx-attest serve --demo`'s own /openapi.json: every documented
# operation, positive and negative cases, bounded per operation, with the demo's upload token.
# Fails on any failure of the checks below: a 5xx, a status code or media type the document
# does not list, a body or header that does not match its schema. Left out: POST /reports,
# whose body (`application/x-signed-yaml`, the SCS test runner's signed upload) Schemathesis
# has no serializer for; its bad inputs are tested in crates/gxa-service/tests.
#
#   benches/hostile/schemathesis.sh                   # builds the test-profile binary
#   GXA_BIN=target/release/gx-attest MAX_EXAMPLES=200 benches/hostile/schemathesis.sh
#
# The virtualenv is cached in ${XDG_CACHE_HOME:-~/.cache}/gx-attest-schemathesis-pyX.Y. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${PORT:-18091}
MAX_EXAMPLES=${MAX_EXAMPLES:-100}
SEED=${SEED:-1}
VERSION=4.32.5
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance
WORK=$(mktemp -d)
cleanup() {
    [ -f "$WORK/pid" ] && kill "$(cat "$WORK/pid")" 2>/dev/null
    sleep 0.3
    rm -rf "$WORK"
}
trap cleanup EXIT

# Python 3.12 when there is one: under 3.11.7 Hypothesis' lambda descriptions trip a CPython AST
# bug ("AST constructor recursion depth mismatch") on some operations.
if [ -z "${PYTHON:-}" ]; then
    for candidate in python3.12 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12 python3; do
        if "$candidate" -c '' 2>/dev/null; then PYTHON=$candidate; break; fi
    done
fi
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/gx-attest-schemathesis-py$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [ ! -x "$VENV/bin/st" ] || ! "$VENV/bin/st" --version | grep -q "$VERSION"; then
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis==$VERSION"
fi
if [ -z "${GXA_BIN:-}" ]; then
    cargo build --workspace --bins >&2
fi
BIN=${GXA_BIN:-${CARGO_TARGET_DIR:-target}/debug/gx-attest}

"$BIN" serve --demo --listen "127.0.0.1:$PORT" --data "$WORK/data" --reissue-interval-secs 0 \
    >"$WORK/out" 2>"$WORK/log" &
echo $! >"$WORK/pid"
for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null
for _ in $(seq 1 50); do grep -q 'TOKEN=' "$WORK/out" && break; sleep 0.1; done
TOKEN=$(sed -n 's/.*TOKEN=\([^ ]*\).*/\1/p' "$WORK/out" | head -n1)
[ -n "$TOKEN" ] || { echo "no token in the demo banner" >&2; cat "$WORK/out" >&2; exit 1; }

echo "schemathesis $VERSION: $MAX_EXAMPLES examples per operation, seed $SEED, checks $CHECKS"
status=0
"$VENV/bin/st" run "http://127.0.0.1:$PORT/openapi.json" \
    --checks "$CHECKS" --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 2 \
    --phases examples,coverage,fuzzing --request-timeout 30 \
    --suppress-health-check filter_too_much \
    --exclude-path /reports \
    -H "Authorization: Bearer $TOKEN" --no-color || status=$?
if grep -qE 'ERROR|panicked' "$WORK/log"; then
    echo "the service logged errors:" >&2
    grep -E 'ERROR|panicked' "$WORK/log" | head -20 >&2
    status=1
fi
exit $status
