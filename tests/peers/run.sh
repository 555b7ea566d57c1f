#!/usr/bin/env bash
# Peer verification of served Tagus credentials: `gx-attest serve --demo` runs once per
# JsonWebSignature2020 flavour (gaia-x, the default, and spec); fetch.py takes what a catalogue
# would (DID document, every current Tagus credential, the StatusList2021 lists they point to,
# the participant presentation), after revoking one credential through the API; then
# independent verifiers check each document, refuse a tampered copy of it, and refuse the
# revoked credential for its status:
#
#   spec flavour:   transmute (@transmute/vc.js + json-web-signature), Digital Bazaar
#                   (@digitalbazaar/vc + jsonld-signatures + vc-status-list), PyLD + jwcrypto
#   gaia-x flavour: the Gaia-X Tagus compliance service's method (jsonld.js + jose), PyLD + jwcrypto
#
# Packages come from the npm registry (tests/peers/package-lock.json) and PyPI
# (tests/peers/requirements.txt, a venv cached in ${GXP_CACHE:-~/.cache/gx-attest-peers}).
# Binary: $GX_ATTEST, else built with `cargo build --bin gx-attest`. Ports: ${GXP_PORT_BASE:-18191}
# and the next one, on 127.0.0.1. Exit status: 0 only when every check came out as expected.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${GXP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gx-attest-peers}"
port_base="${GXP_PORT_BASE:-18191}"
say() { echo "peers: $(date +%H:%M:%S) $*"; }

cd "$repo"
if [ -z "${GX_ATTEST:-}" ]; then
    cargo build -q --bin gx-attest
    target="$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
    GX_ATTEST="$target/debug/gx-attest"
fi

say "npm packages"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
req_hash="$(sha256sum "$here/requirements.txt" | cut -c1-16)"
venv="$cache/venv-$req_hash"
if [ ! -x "$venv/bin/python" ]; then
    say "PyPI packages into $venv"
    rm -rf "$venv.tmp"
    python3 -m venv "$venv.tmp"
    "$venv.tmp/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
    mv "$venv.tmp" "$venv"
fi

work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

status=0
port=$port_base
for flavour in gaia-x spec; do
    addr="127.0.0.1:$port"
    port=$((port + 1))
    say "serve --demo --jws2020-flavour $flavour on $addr"
    "$GX_ATTEST" serve --demo --listen "$addr" --data "$work/data-$flavour" \
        --jws2020-flavour "$flavour" >"$work/serve-$flavour.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 120); do
        curl -fsS "http://$addr/readyz" >/dev/null 2>&1 && break
        sleep 0.5
    done
    curl -fsS "http://$addr/readyz" >/dev/null || { cat "$work/serve-$flavour.log"; exit 1; }
    token="$(sed -n 's/^upload token of subject example-cloud[^:]*: //p' "$work/serve-$flavour.log")"
    [ -n "$token" ] || { echo "serve --demo printed no token"; cat "$work/serve-$flavour.log"; exit 1; }
    docs="$work/docs-$flavour"
    "$venv/bin/python" "$here/fetch.py" "http://$addr" "$flavour" example-cloud "$docs" "$token"
    node "$here/verify.mjs" "$docs" || status=1
    "$venv/bin/python" "$here/verify.py" "$docs" || status=1
done
if [ "$status" = 0 ]; then say "every peer verified every served document"; else say "FAILED"; fi
exit "$status"
