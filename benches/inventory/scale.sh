#!/usr/bin/env bash
# Scale benchmark of `gx-attest inventory pull`: loads FLAVORS flavors, IMAGES images, NODES
# Ironic nodes and DEVICES NetBox devices (defaults 1000 / 5000 / 500 / 2000) into the test
# services on top of the example cloud, then times pull + build (Loire) + the canonical hashes
# of every credential (what re-issuance compares), and reports the request count per source.
#
#   benches/inventory/scale.sh [FLAVORS IMAGES NODES DEVICES]
#
# Starts the services with tests/services/up.sh up and stops them at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
flavors=${1:-1000} images=${2:-5000} nodes=${3:-500} devices=${4:-2000}
cache="${GXS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gx-attest-services}"
trap 'tests/services/up.sh down >/dev/null 2>&1 || true' EXIT
# The test build (dependencies at opt-level 3, ours at 1; see Cargo.toml), as CI has it;
# GXA_BIN=path uses that binary instead (no build).
bin=${GXA_BIN:-target/debug/gx-attest}
[ -n "${GXA_BIN:-}" ] || cargo build -q --workspace --bins
tests/services/up.sh up
t0=$SECONDS
GXS_RUN="$cache/run" "$cache/openstack/bin/python" benches/inventory/scale_load.py "$flavors" "$images" "$nodes" "$devices"
echo "loaded in $((SECONDS - t0)) s"
out="$(mktemp -d)"
start=$(date +%s.%N)
"$bin" inventory pull --config "$cache/run/inventory.toml" --out "$out" --build --profile loire \
    --provider examples/provider.toml | grep -v '^wrote '
mid=$(date +%s.%N)
find "$out" -name '*.json' ! -name snapshot.json -print0 | xargs -0 "$bin" canonicalize --hash >"$out/hashes.txt"
end=$(date +%s.%N)
echo "credentials: $(wc -l <"$out/hashes.txt")"
python3 -c "import sys; a,b,c=map(float,sys.argv[1:]); print(f'pull + build: {b-a:.1f} s, hashes: {c-b:.1f} s, total: {c-a:.1f} s')" "$start" "$mid" "$end"
rm -rf "$out"
