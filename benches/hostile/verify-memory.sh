#!/usr/bin/env bash
# Memory under hostile POST /verify load: 32 concurrent requests of a 2.9 MB JSON-LD credential
# holding 100 000 small objects, then 32 of a 1.9 MB one (60 000 objects: under the JSON-LD body
# limit, over the JSON value budget), then 32 of a 0.4 MB one (12 000 objects, 36 000 JSON values: verified, through
# the bounded pool), against `gx-attest serve --demo` on loopback. Meanwhile a client asks
# GET /credentials?limit=1 every 20 ms and its latencies are reported (p50/p99/max). Prints the
# service's peak resident memory (VmHWM) and fails when it reaches 512 MB or a request got no
# answer. A measurement, not a unit test: copy its summary into the closing note.
#
#   benches/hostile/verify-memory.sh                     # builds the test-profile binary
#   GXA_BIN=target/release/gx-attest benches/hostile/verify-memory.sh
#
# Needs: curl, python3. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."

PORT=${PORT:-18090}
PARALLEL=${PARALLEL:-32}
LIMIT_MB=${LIMIT_MB:-512}
WORK=$(mktemp -d)
cleanup() {
    [ -f "$WORK/pid" ] && kill "$(cat "$WORK/pid")" 2>/dev/null
    [ -f "$WORK/prober.pid" ] && kill "$(cat "$WORK/prober.pid")" 2>/dev/null
    sleep 0.3
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${GXA_BIN:-}" ]; then
    cargo build -p gx-attest >&2
fi
BIN=${GXA_BIN:-${CARGO_TARGET_DIR:-target}/debug/gx-attest}

python3 - "$WORK" <<'PY'
import sys
work = sys.argv[1]
def doc(n):
    items = ",".join(['{"schema:name":"x","@id":"_:b"}'] * n)
    return ('{"@context":["https://www.w3.org/ns/credentials/v2",{"schema":"https://schema.org/"}],'
            '"type":["VerifiableCredential"],"issuer":"did:web:example.org",'
            '"credentialSubject":{"schema:knows":[' + items + ']}}')
for name, n in [("big", 100_000), ("budget", 60_000), ("pool", 12_000)]:
    with open(f"{work}/{name}.json", "w") as f:
        f.write(doc(n))
PY

"$BIN" serve --demo --listen "127.0.0.1:$PORT" --data "$WORK/data" --reissue-interval-secs 0 \
    >"$WORK/out" 2>"$WORK/log" &
echo $! >"$WORK/pid"
PID=$(cat "$WORK/pid")
for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null

rss_mb() { awk '/^VmRSS/ {print int($2/1024)}' "/proc/$PID/status"; }
hwm_mb() { awk '/^VmHWM/ {print int($2/1024)}' "/proc/$PID/status"; }
echo "gx-attest $(basename "$BIN") pid $PID, $(nproc) cores; RSS at start $(rss_mb) MB"

# The prober: one GET every 20 ms, each latency in ms on its own line.
(
    while true; do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' \
            "http://127.0.0.1:$PORT/credentials?limit=1" >>"$WORK/probe" || echo "000 0" >>"$WORK/probe"
        sleep 0.02
    done
) &
echo $! >"$WORK/prober.pid"

failed=0
for name in big budget pool; do
    size=$(stat -c %s "$WORK/$name.json")
    start=$(date +%s.%N)
    pids=()
    for i in $(seq 1 "$PARALLEL"); do
        curl -s -o "$WORK/$name.$i.body" -w '%{http_code}\n' --max-time 120 \
            -H 'Content-Type: application/vc+ld+json' --data-binary "@$WORK/$name.json" \
            "http://127.0.0.1:$PORT/verify" >"$WORK/$name.$i.code" 2>/dev/null &
        pids+=($!)
    done
    wait "${pids[@]}" 2>/dev/null || true
    end=$(date +%s.%N)
    codes=$(cat "$WORK"/$name.*.code | sort | uniq -c | awk '{printf "%s×%s ", $1, $2}')
    unanswered=$(cat "$WORK"/$name.*.code | grep -c '^000' || true)
    refused_early=$( (grep -l 'more than [0-9]* JSON values' "$WORK"/$name.*.body 2>/dev/null || true) | wc -l)
    printf '%-7s %8d bytes × %d: %.1f s; answers %s(%d refused by the value budget); RSS now %d MB, peak %d MB\n' \
        "$name" "$size" "$PARALLEL" "$(echo "$end - $start" | bc)" "$codes" "$refused_early" "$(rss_mb)" "$(hwm_mb)"
    [ "$unanswered" -eq 0 ] || { echo "  $unanswered requests got no answer" >&2; failed=1; }
done

kill "$(cat "$WORK/prober.pid")" 2>/dev/null || true
sleep 0.1
python3 - "$WORK/probe" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
ok = sorted(float(t) * 1000 for c, t in rows if c == "200")
bad = [c for c, _ in rows if c != "200"]
def pct(p):
    return ok[min(len(ok) - 1, int(len(ok) * p))] if ok else float("nan")
print(f"GET /credentials?limit=1 meanwhile: {len(ok)} answered 200, {len(bad)} other; "
      f"p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, max {ok[-1] if ok else float('nan'):.1f} ms")
if bad:
    sys.exit(1)
PY
peak=$(hwm_mb)
echo "peak RSS (VmHWM): $peak MB (limit $LIMIT_MB MB)"
[ "$peak" -lt "$LIMIT_MB" ] || failed=1
exit $failed
