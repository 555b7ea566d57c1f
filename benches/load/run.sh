#!/usr/bin/env bash
# Load benchmark of `gx-attest serve`: GET /credentials/{id} throughput and latency
# percentiles with wrk, on SQLite and on PostgreSQL, against nginx serving the same bytes as a
# static file (the target: at least half of nginx's throughput). A benchmark, not a test: run
# it by hand on an otherwise idle machine and copy the summary into the closing note.
#
#   benches/load/run.sh                 # both backends (PostgreSQL from GXA_BENCH_POSTGRES_URL)
#   DURATION=30s CONNECTIONS=64 THREADS=2 benches/load/run.sh
#   GXA_BIN=/path/to/gx-attest benches/load/run.sh    # no build
#   FILL=1000000 benches/load/run.sh    # also: the store filled with a million credentials
#
# With FILL=N, each backend's store is filled with N copies of the issued credential (each with
# its own id and one of 1000 subjects; `cargo run -p gxa-store --example fill`, whose import rate
# is printed), then GET /credentials/{id} is measured at random ids over the whole store (the
# in-memory cache then rarely helps: every request reads the store) and GET /credentials at
# random cursors, each at CONNECTIONS and at each of LATENCY_CONNECTIONS (default "4 1")
# connections: the first gives the throughput, the others the latency a catalogue sees when the
# service is not saturated.
#
# Needs: wrk and nginx (Debian: apt-get install wrk nginx-light), ssh-keygen, curl, a release
# build (made here). PostgreSQL: GXA_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test
# (a database gxa_bench_<pid> is created and dropped with psql if available, else the given one
# is used as is).
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-18080}
NGINX_PORT=${NGINX_PORT:-18081}
WORK=$(mktemp -d)
# The services are started inside command substitutions (not jobs of this shell): stopped by
# their pid files, also when the run fails half-way.
cleanup() {
    local pid
    for pid in "$WORK"/*.pid; do
        [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null
    done
    sleep 0.5
    rm -rf "$WORK"
}
trap cleanup EXIT

for tool in wrk nginx curl; do
    command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install wrk nginx-light curl)" >&2; exit 2; }
done

# GXA_BIN=path/to/gx-attest skips the release build (e.g. to measure another build).
if [ -z "${GXA_BIN:-}" ]; then
    cargo build --release -p gx-attest >&2
fi
BIN=${GXA_BIN:-${CARGO_TARGET_DIR:-target}/release/gx-attest}

FILL=${FILL:-0}
LATENCY_CONNECTIONS=${LATENCY_CONNECTIONS:-4 1}
if [ "$FILL" -gt 0 ]; then
    cargo build --release -p gxa-store --example fill >&2
    FILL_BIN=${CARGO_TARGET_DIR:-target}/release/examples/fill
fi

# run_wrk LABEL URL ACCEPT [CONNECTIONS [SCRIPT [script args...]]]
# shellcheck source=benches/load/wrk.sh
. benches/load/wrk.sh

# fill_and_measure LABEL STORE TEMPLATE: N copies of TEMPLATE into STORE (a data directory or a
# PostgreSQL URL) while the service runs, then random gets and random-cursor listings.
fill_and_measure() {
    local label=$1 store=$2 template=$3
    [ "$FILL" -gt 0 ] || return 0
    "$FILL_BIN" "$store" "$template" "http://127.0.0.1:$PORT/credentials/bench-" "$FILL" \
        | sed "s/^/$label: /"
    local c
    # shellcheck disable=SC2086 # a list of connection counts
    for c in $CONNECTIONS $LATENCY_CONNECTIONS; do
        run_wrk "$label $FILL GET random credential" "http://127.0.0.1:$PORT" \
            application/vc+ld+json "$c" benches/load/random-get.lua /credentials/bench- "$FILL"
        run_wrk "$label $FILL GET /credentials?limit=100" "http://127.0.0.1:$PORT" \
            application/json "$c" benches/load/random-list.lua "$FILL" 100
    done
}

# Starts the demo service on a backend, uploads the example report, prints the path of one
# JSON-LD credential.
start_service() {
    local data=$1; shift
    "$BIN" serve --demo --listen "127.0.0.1:$PORT" --data "$data" --reissue-interval-secs 0 \
        --dev-token "example-cloud=bench-token-0123456789abcdef" "$@" \
        >"$data.out" 2>"$data.log" &
    echo $! >"$data.pid"
    for _ in $(seq 1 600); do
        curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
        sleep 0.2
    done
    curl -fsS -H 'Authorization: Bearer bench-token-0123456789abcdef' \
        -H 'Content-Type: application/x-signed-yaml' \
        --data-binary @examples/scs/upload-body.txt "http://127.0.0.1:$PORT/reports" >"$data.upload.json"
    sed -n 's/.*"id":"\(http[^"]*\)","types":[^}]*"format":"ld+json".*/\1/p' "$data.upload.json" \
        | head -n 1 | sed "s#http://127.0.0.1:$PORT##"
}

stop_service() {
    kill "$(cat "$1.pid")" && wait "$(cat "$1.pid")" 2>/dev/null || true
}

echo "gx-attest load benchmark: wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $(nproc) cores"
echo

# SQLite.
path=$(start_service "$WORK/sqlite")
[ -n "$path" ] || { echo "no credential issued; see $WORK/sqlite.log" >&2; exit 1; }
curl -fsS -H 'Accept: application/vc+ld+json' "http://127.0.0.1:$PORT$path" >"$WORK/credential.json"
run_wrk "gx-attest SQLite     GET credential" "http://127.0.0.1:$PORT$path" application/vc+ld+json
run_wrk "gx-attest SQLite     GET /credentials" "http://127.0.0.1:$PORT/credentials?limit=100" application/json
fill_and_measure "gx-attest SQLite" "$WORK/sqlite" "$WORK/credential.json"
stop_service "$WORK/sqlite"

# PostgreSQL.
if [ -n "${GXA_BENCH_POSTGRES_URL:-}" ]; then
    url=$GXA_BENCH_POSTGRES_URL
    if command -v psql >/dev/null; then
        db="gxa_bench_$$"
        psql -q "$url" -c "CREATE DATABASE $db" && url="${url%/*}/$db"
    fi
    path=$(start_service "$WORK/postgres" --database-url "$url")
    run_wrk "gx-attest PostgreSQL GET credential" "http://127.0.0.1:$PORT$path" application/vc+ld+json
    run_wrk "gx-attest PostgreSQL GET /credentials" "http://127.0.0.1:$PORT/credentials?limit=100" application/json
    fill_and_measure "gx-attest PostgreSQL" "$url" "$WORK/credential.json"
    stop_service "$WORK/postgres"
    [ -n "${db:-}" ] && psql -q "$GXA_BENCH_POSTGRES_URL" -c "DROP DATABASE $db WITH (FORCE)"
else
    echo "(PostgreSQL skipped: set GXA_BENCH_POSTGRES_URL)"
fi

# nginx serving the same bytes.
mkdir -p "$WORK/www"
cp "$WORK/credential.json" "$WORK/www/credential.json"
# nginx's workers run as an unprivileged user: they must be able to read the file.
chmod 755 "$WORK" "$WORK/www" && chmod 644 "$WORK/www/credential.json"
cat >"$WORK/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    types { application/vc+ld+json json; }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $WORK/www;
        etag on;
    }
}
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK"
sleep 0.5
run_wrk "nginx static file (same bytes)" "http://127.0.0.1:$NGINX_PORT/credential.json" application/vc+ld+json
