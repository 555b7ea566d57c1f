#!/usr/bin/env bash
# Peer benchmarks of issue 20, in one run on this machine (a benchmark, not a test: run it by
# hand on an otherwise idle machine; the summary goes into benches/RESULTS.md and the closing
# note):
#
# 1. JSON-LD → canonical N-Quads → SHA-256 over N generated credentials (the seeded corpus of
#    `gxa-conformance --example generate`): `gx-attest canonicalize --hash` (one process) against
#    jsonld.js 9 + rdf-canonize 5 (Node, installed here from the npm registry, contexts from
#    contexts/); both over the documents both accept, and their hashes must agree;
# 2. `gx-attest verify FILE...` (one batch) over N/3 JsonWebSignature2020 credentials per key
#    type (Ed25519, P-256, RSA with RS256) and N vc+jwt, keys by did:web with the DID documents
#    given, against benches/peers/verify.mjs (one Node process per batch, same files, same DID
#    documents, nothing fetched): Digital Bazaar (@digitalbazaar/vc 7 + jsonld-signatures 11)
#    and transmute (@transmute/vc.js + json-web-signature; Ed25519 and P-256 only: it has no RSA
#    keys) for JsonWebSignature2020, jose 6 `jwtVerify` for vc+jwt; every credential gx-attest
#    finds valid must be valid for the JS stack too, else the script fails. Wall time and CPU
#    time (benches/peers/cputime.py: user + sys, every thread) of each process, ratios of
#    both: on a machine that is not idle only the CPU ratios mean something;
# 3. `POST /verify` on one core (`serve` under `taskset -c 0`, wrk with 8 connections under
#    `taskset -c 1`), warm caches, a did:jwk vc+jwt and a did:jwk JsonWebSignature2020
#    credential (offline: nothing to fetch).
#
#   benches/peers/run.sh                   # N=3000
#   N=600 DURATION=5s benches/peers/run.sh
#   GXA_BIN=target/debug/gx-attest GEN_BIN=target/debug/examples/generate benches/peers/run.sh
#
# Needs: node and npm, wrk, taskset (util-linux), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/../.."

N=${N:-3000}
DURATION=${DURATION:-10s}
PORT=${PORT:-18090}
AT=2026-06-01T00:00:00Z
WORK=$(mktemp -d)
cleanup() {
    [ -f "$WORK/serve.pid" ] && kill "$(cat "$WORK/serve.pid")" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
for tool in node npm wrk taskset curl python3; do
    command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 2; }
done

if [ -z "${GXA_BIN:-}" ]; then
    cargo build --release -p gx-attest >&2
fi
if [ -z "${GEN_BIN:-}" ]; then
    cargo build --release -p gxa-conformance --example generate >&2
fi
BIN=${GXA_BIN:-${CARGO_TARGET_DIR:-target}/release/gx-attest}
GEN=${GEN_BIN:-${CARGO_TARGET_DIR:-target}/release/examples/generate}
(cd benches/peers && npm ci --no-audit --no-fund --silent >&2)


echo "gx-attest peer benchmarks: N=$N, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo

# 1. Canonicalization.
"$GEN" "$WORK/gen" "$N" >&2
"$BIN" canonicalize --hash "$WORK"/gen/*.json >"$WORK/gxa.txt" 2>/dev/null || true
node benches/peers/canonize.mjs "$WORK"/gen/*.json >"$WORK/node.txt" 2>/dev/null
python3 - "$WORK" <<'PY'
import sys
work = sys.argv[1]
def load(path):
    out = {}
    for line in open(path):
        parts = line.split()
        if len(parts) >= 2 and parts[0] != "error":
            out[parts[1]] = parts[0]
    return out
ours, theirs = load(f"{work}/gxa.txt"), load(f"{work}/node.txt")
common = sorted(set(ours) & set(theirs))
bad = [f for f in common if ours[f] != theirs[f]]
with open(f"{work}/common.txt", "w") as f:
    f.write("\n".join(common) + "\n")
print(f"corpus: gx-attest (strict) accepts {len(ours)}, rdf-canonize {len(theirs)}, both {len(common)}; "
      f"hashes differ on {len(bad)}")
if bad:
    print("disagreements:", bad[:5])
    sys.exit(1)
PY
mapfile -t COMMON <"$WORK/common.txt"
python3 benches/peers/cputime.py "$WORK/canon-gxa.time" "$BIN" canonicalize --hash "${COMMON[@]}" >/dev/null
python3 benches/peers/cputime.py "$WORK/canon-node.time" node benches/peers/canonize.mjs "${COMMON[@]}" >/dev/null 2>&1
canon_line() { # LABEL NAME EXTRA
    printf '%-58s wall %7s s   CPU %7s s %6s µs/doc%s\n' "$1" \
        "$(awk '{printf "%.3f", $1}' "$WORK/$2.time")" "$(awk '{printf "%.3f", $2 + $3}' "$WORK/$2.time")" \
        "$(awk -v n="${#COMMON[@]}" '{printf "%.0f", ($2 + $3) / n * 1e6}' "$WORK/$2.time")" "$3"
}
canon_line "canonicalize ${#COMMON[@]} generated credentials: gx-attest" canon-gxa ""
canon_line "  jsonld.js 9 + rdf-canonize 5 (Node $(node --version))" canon-node \
    "   ratio CPU $(awk 'NR == FNR {a = $2 + $3; next} {printf "%.1f", ($2 + $3) / a}' "$WORK/canon-gxa.time" "$WORK/canon-node.time")x, wall $(awk 'NR == FNR {a = $1; next} {printf "%.1f", $1 / a}' "$WORK/canon-gxa.time" "$WORK/canon-node.time")x"
echo

# 2. Batch verification with the CLI.
make_credentials() { # DIR COUNT ISSUER
    python3 - "$@" <<'PY'
import json, os, sys
out, count, issuer = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
for n in range(count):
    doc = {
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/suites/jws-2020/v1",
                     {"ex": "https://vocab.example/terms#", "name": "ex:name", "score": "ex:score"}],
        "id": f"https://credentials.example/{n}",
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": f"did:example:subject-{n}", "name": f"Subject {n}", "score": n},
    }
    with open(f"{out}/{n}.json", "w") as f:
        json.dump(doc, f)
PY
}
per=$((N / 3))
jws=()
jwts=()
docs=()
for alg in EdDSA ES256 RS256; do
    did="did:web:bench-${alg,,}.example"
    "$BIN" keys generate --alg "$alg" --did "$did" --out "$WORK/keys-$alg" >/dev/null
    docs+=(--did-document "$WORK/keys-$alg/did.json")
    make_credentials "$WORK/unsigned-$alg" "$per" "$did"
    mkdir -p "$WORK/jws-$alg" "$WORK/jwt-$alg"
    for n in $(seq 0 $((per - 1))); do
        "$BIN" sign --key "$WORK/keys-$alg" --suite jws2020 --created "$AT" \
            "$WORK/unsigned-$alg/$n.json" >"$WORK/jws-$alg/$n.json"
        "$BIN" sign --key "$WORK/keys-$alg" --suite vc-jwt \
            "$WORK/unsigned-$alg/$n.json" >"$WORK/jwt-$alg/$n.jwt"
        jws+=("$WORK/jws-$alg/$n.json")
        jwts+=("$WORK/jwt-$alg/$n.jwt")
    done
done
# Each process timed by benches/peers/cputime.py: wall, user and sys seconds (every thread, to
# the microsecond) into $WORK/NAME.time. The command's exit status is returned.
timed() { # NAME CMD...
    local name=$1
    shift
    python3 benches/peers/cputime.py "$WORK/$name.time" "$@"
}
wall_of() { awk '{printf "%.3f", $1}' "$WORK/$1.time"; }
cpu_of() { awk '{printf "%.3f", $2 + $3}' "$WORK/$1.time"; }
per_doc() { python3 -c "print(f'{$1 / $2 * 1e6:.0f}')"; } # SECONDS COUNT → µs
ratio_of() { python3 -c "print(f'{$1 / max($2, 0.001):.1f}')"; }
line() { # LABEL NAME COUNT EXTRA
    printf '%-66s wall %7s s   CPU %7s s %6s µs/doc   %s\n' "$1" "$(wall_of "$2")" "$(cpu_of "$2")" \
        "$(per_doc "$(cpu_of "$2")" "$3")" "$4"
}
# gx-attest over a batch, then a JS stack over the same files: NAME LABEL STACK JSLABEL FILE...
compare() {
    local name=$1 label=$2 stack=$3 jslabel=$4
    shift 4
    timed "gxa-$name" "$BIN" verify "${docs[@]}" --at "$AT" "$@" >"$WORK/gxa-$name.txt" || {
        grep -v '^valid ' "$WORK/gxa-$name.txt" | head -n 5 >&2
        echo "$label: gx-attest does not find every credential valid" >&2
        exit 1
    }
    local valid
    valid=$(grep -c '^valid ' "$WORK/gxa-$name.txt" || true)
    line "$label: gx-attest" "gxa-$name" "$#" "$valid of $# valid"
    compare_js "$name" "$stack" "$jslabel" "$@"
}
compare_js() { # NAME STACK JSLABEL FILE...: a JS stack over files gx-attest verified as NAME
    local name=$1 stack=$2 jslabel=$3
    shift 3
    if ! timed "$stack-$name" node benches/peers/verify.mjs --stack "$stack" "${js_docs[@]}" --at "$AT" \
        --expect-valid "$WORK/gxa-$name.txt" "$@" >"$WORK/$stack-$name.txt" 2>"$WORK/$stack-$name.err"; then
        cat "$WORK/$stack-$name.err" >&2
        echo "$jslabel: does not find valid every credential gx-attest finds valid" >&2
        exit 1
    fi
    local valid
    valid=$(grep -c '^valid ' "$WORK/$stack-$name.txt" || true)
    local loop
    loop=$(sed -n 's/.* s wall, \([0-9.]*\) s CPU (verification loop)$/\1/p' "$WORK/$stack-$name.err")
    line "  $jslabel" "$stack-$name" "$#" "$valid of $# valid   ratio CPU $(ratio_of "$(cpu_of "$stack-$name")" "$(cpu_of "gxa-$name")")x, wall $(ratio_of "$(wall_of "$stack-$name")" "$(wall_of "gxa-$name")")x   (CPU without Node's start and imports: $loop s)"
}
js_docs=()
for doc in "${docs[@]}"; do
    [ "$doc" = --did-document ] || js_docs+=(--did-document "$doc")
done
node_version=$(node --version)
db="Digital Bazaar vc 7.3 + jsonld-signatures 11.6 (Node $node_version)"
tm="transmute vc.js + json-web-signature 0.7.0-unstable.82"
jo="jose 6.2.3 jwtVerify (Node $node_version)"

echo "Batch verification (wall, and CPU = user + sys of every thread; µs/doc of CPU time):"
compare jws "verify ${#jws[@]} JsonWebSignature2020 (Ed25519, P-256, RSA RS256)" digitalbazaar "$db" "${jws[@]}"
compare jwt "verify ${#jwts[@]} vc+jwt (EdDSA, ES256, RS256)" jose "$jo" "${jwts[@]}"
echo
echo "Per key type:"
declare -A key_of=([EdDSA]="Ed25519 (EdDSA)" [ES256]="P-256 (ES256)" [RS256]="RSA (RS256)")
for alg in EdDSA ES256 RS256; do
    mapfile -t batch < <(printf '%s\n' "${jws[@]}" | grep "/jws-$alg/")
    compare "jws-$alg" "verify $per JsonWebSignature2020 ${key_of[$alg]}" digitalbazaar "$db" "${batch[@]}"
    if [ "$alg" = RS256 ]; then
        # transmute's JsonWebKey knows OKP and EC keys only: one RSA credential shows it.
        node benches/peers/verify.mjs --stack transmute "${js_docs[@]}" --at "$AT" "${batch[0]}" \
            >"$WORK/transmute-rsa.txt" 2>/dev/null || true
        printf '  %-64s %s\n' "$tm" "RSA: $(grep -c '^valid ' "$WORK/transmute-rsa.txt" || true) of 1 valid ($(sed -n 's/^invalid  [^ ]*  //p' "$WORK/transmute-rsa.txt" | cut -c1-100))"
    else
        compare_js "jws-$alg" transmute "$tm" "${batch[@]}"
    fi
done
for alg in EdDSA ES256 RS256; do
    mapfile -t batch < <(printf '%s\n' "${jwts[@]}" | grep "/jwt-$alg/")
    compare "jwt-$alg" "verify $per vc+jwt ${key_of[$alg]}" jose "$jo" "${batch[@]}"
done
echo

# 3. POST /verify on one core.
"$BIN" keys generate --alg EdDSA --did did:web:bench.example --out "$WORK/jwk-keys" >/dev/null
key="$WORK/jwk-keys/eddsa-dev.key.pem"
make_credentials "$WORK/jwk" 1 "did:example:placeholder"
vm=$("$BIN" sign --key "$key" --suite jws2020 --created "$AT" "$WORK/jwk/0.json" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["proof"]["verificationMethod"])')
python3 - "$WORK/jwk/0.json" "${vm%#*}" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1])); doc["issuer"] = sys.argv[2]
json.dump(doc, open(sys.argv[1], "w"))
PY
"$BIN" sign --key "$key" --suite vc-jwt "$WORK/jwk/0.json" | tr -d '\n' >"$WORK/jwk/vc.jwt"
"$BIN" sign --key "$key" --suite jws2020 --created "$AT" "$WORK/jwk/0.json" >"$WORK/jwk/jws.json"
mkdir -p "$WORK/serve"
taskset -c 0 "$BIN" serve --demo --listen "127.0.0.1:$PORT" --data "$WORK/serve" \
    --reissue-interval-secs 0 >"$WORK/serve.out" 2>"$WORK/serve.log" &
echo $! >"$WORK/serve.pid"
for _ in $(seq 1 600); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.2
done
server_cpu_ticks() { awk '{print $14 + $15}' "/proc/$(cat "$WORK/serve.pid")/stat"; }
for case in "vc.jwt application/vc+jwt vc+jwt" "jws.json application/vc+ld+json JsonWebSignature2020"; do
    read -r file type label <<<"$case"
    verdict=$(curl -fsS -H "Content-Type: $type" --data-binary @"$WORK/jwk/$file" \
        "http://127.0.0.1:$PORT/verify?at=$AT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')
    [ "$verdict" = valid ] || { echo "POST /verify $label: $verdict" >&2; exit 1; }
    cpu0=$(server_cpu_ticks)
    out=$(taskset -c 1 wrk -t1 -c8 -d"$DURATION" --latency -s benches/peers/post.lua \
        "http://127.0.0.1:$PORT/verify?at=$AT" -- "$WORK/jwk/$file" "$type")
    cpu1=$(server_cpu_ticks)
    grep -q 'Non-2xx' <<<"$out" && { echo "$out" >&2; exit 1; }
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    # The server's own CPU time per request (utime + stime of every thread, /proc): a figure
    # other load on the machine does not inflate, unlike req/s; its inverse is what one core
    # sustains.
    per_request=$(python3 -c "print(f'{($cpu1 - $cpu0) / $(getconf CLK_TCK) / $requests * 1e6:.0f}')")
    printf '%-58s %10s req/s   p50 %8s   p99 %8s   server CPU %6s µs/request (%s/s per core)\n' \
        "POST /verify $label, one core, 8 connections" \
        "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" "$(awk '$1 == "50%" {print $2}' <<<"$out")" \
        "$(awk '$1 == "99%" {print $2}' <<<"$out")" "$per_request" \
        "$(python3 -c "print(f'{1e6 / max($per_request, 1):.0f}')")"
done
