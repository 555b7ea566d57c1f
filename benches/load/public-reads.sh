#!/usr/bin/env bash
# Public reads that derive their answer from the store, in one run with a plain credential GET
# for the ratio: the SVG badge (the compliance board: every stored upload verified and
# evaluated), the signed participant presentation (vp+jwt and vp+ld+json), a status list, and a
# credential's canonical N-Quads. wrk against `gx-attest serve --demo` (release build) after the
# example upload. A benchmark, not a test: copy the summary into the closing note.
#
#   benches/load/public-reads.sh
#   DURATION=30s CONNECTIONS=64 GXA_BIN=/path/to/gx-attest benches/load/public-reads.sh
#
# Needs: wrk (Debian: apt-get install wrk), curl. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-18082}
WORK=$(mktemp -d)
cleanup() {
    [ -f "$WORK/pid" ] && kill "$(cat "$WORK/pid")" 2>/dev/null
    sleep 0.3
    rm -rf "$WORK"
}
trap cleanup EXIT
for tool in wrk curl; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install wrk curl)" >&2; exit 2; }
done
if [ -z "${GXA_BIN:-}" ]; then
    cargo build --release --bin gx-attest >&2
fi
BIN=${GXA_BIN:-${CARGO_TARGET_DIR:-target}/release/gx-attest}
TOKEN=bench-token-0123456789abcdef
GXA="http://127.0.0.1:$PORT"

"$BIN" serve --demo --listen "127.0.0.1:$PORT" --data "$WORK/data" --reissue-interval-secs 0 \
    --dev-token "example-cloud=$TOKEN" >"$WORK/out" 2>"$WORK/log" &
echo $! >"$WORK/pid"
for _ in $(seq 1 600); do
    curl -fsS "$GXA/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/x-signed-yaml' \
    --data-binary @examples/scs/upload-body.txt "$GXA/reports" >/dev/null
# One current credential of each format, from the listing.
curl -fsS -H 'Accept: application/json' "$GXA/credentials?status=current&limit=1000" >"$WORK/list.json"
pick() {
    python3 - "$WORK/list.json" "$1" "$GXA" <<'PY'
import json, sys
items = json.load(open(sys.argv[1]))["items"]
ids = [i["id"] for i in items if i["format"] == sys.argv[2]]
print(ids[0].replace(sys.argv[3], "") if ids else "")
PY
}
LD=$(pick ld+json)
JWT=$(pick vc+jwt)
[ -n "$LD" ] && [ -n "$JWT" ] || { echo "no credentials issued; see $WORK/log" >&2; exit 1; }
STATUS=$(curl -fsS -H 'Accept: application/vc+jwt' "$GXA$JWT" | cut -d. -f2 | tr '_-' '/+' \
    | python3 -c 'import base64,json,sys; s=sys.stdin.read().strip(); s+="="*(-len(s)%4); c=json.loads(base64.b64decode(s)); st=c.get("credentialStatus") or c.get("vc",{}).get("credentialStatus"); st=st[0] if isinstance(st,list) else st; print(st["statusListCredential"])' \
    | sed "s#$GXA##")

# shellcheck source=benches/load/wrk.sh
. benches/load/wrk.sh

echo "gx-attest public reads: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $(nproc) cores, $(date -u +%F)"
run_wrk "GET credential (vc+ld+json)" "$GXA$LD" application/vc+ld+json
run_wrk "GET credential (n-quads)" "$GXA$LD" application/n-quads
run_wrk "GET badge (svg)" "$GXA/badges/example-cloud/scs-compatible-iaas.svg" image/svg+xml
run_wrk "GET presentation (vp+jwt)" "$GXA/participants/example-cloud/presentation" application/vp+jwt
run_wrk "GET presentation (vp+ld+json)" "$GXA/participants/example-cloud/presentation" application/vp+ld+json
run_wrk "GET status list (vc+jwt)" "$GXA$STATUS" application/vc+jwt
grep -qE 'ERROR|panicked' "$WORK/log" && { echo "the service logged errors" >&2; exit 1; }
exit 0
