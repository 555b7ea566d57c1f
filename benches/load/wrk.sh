# Shared by the load scripts (sourced): run_wrk, with DURATION, CONNECTIONS and THREADS set.
# shellcheck shell=bash

# Prints the wrk summary line: requests/s and latency percentiles. Any answer other than 2xx/3xx
# fails the run (a benchmark of error pages measures nothing).
# run_wrk LABEL URL ACCEPT [CONNECTIONS [SCRIPT [script args...]]]
run_wrk() {
    local label=$1 url=$2 accept=$3 connections=${4:-$CONNECTIONS} script=${5:-}
    shift $(($# < 5 ? $# : 5))
    local out threads=$((connections < THREADS ? connections : THREADS))
    if [ -n "$script" ]; then
        out=$(wrk -t"$threads" -c"$connections" -d"$DURATION" --latency -H "Accept: $accept" \
            -s "$script" "$url" -- "$@")
    else
        out=$(wrk -t"$threads" -c"$connections" -d"$DURATION" --latency -H "Accept: $accept" "$url")
    fi
    if grep -q 'Non-2xx or 3xx' <<<"$out"; then
        echo "$label: error answers" >&2
        echo "$out" >&2
        exit 1
    fi
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    printf '%-44s c=%-3s %10s req/s   p50 %8s   p99 %8s\n' "$label" "$connections" "$rps" "$p50" "$p99"
}
