#!/usr/bin/env bash
# Issue signed SCS attestations with `gx-attest scs attest` in both Gaia-X profiles from the
# shared signed upload, and validate the graphs of the *signed* outputs with pySHACL against the
# scs shape (and, for Loire, the Gaia-X 25.11 shapes) via shacl-check.py.
#
#     cargo build -p gx-attest
#     pip install pyshacl
#     crates/gxa-scs/tools/attest-shacl-check.sh [path/to/gx-attest]
#
# Tagus: the signed JSON-LD (proof included) to canonical N-Quads with `gx-attest canonicalize`
# (strict: every term defined). Loire: the vc+jwt's payload, the VC 2.0 document, likewise.
# Exit 0 when every attestation conforms. Development keys only; nothing is fetched.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$here/../../.."
data="$repo/../shared/scs-data"
bin="${1:-${CARGO_TARGET_DIR:-$repo/target}/debug/gx-attest}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

did="did:web:attester.example.org"
"$bin" keys generate --alg PS256 --did "$did" --out "$work/keys" >/dev/null
mkdir -p "$work/nq"
for profile in tagus loire; do
    "$bin" scs attest --scope "$data/standards/scs-compatible-iaas.yaml" \
        --scope "$data/standards/scs-compatible-kaas.yaml" \
        --allowed-signers "$data/generated/allowed_signers" \
        --key "$work/keys" --issuer "$did" --profile "$profile" \
        --at 2026-11-25T12:00:00Z "$data/generated/upload-body.txt" >"$work/$profile.out"
    i=0
    while IFS= read -r line; do
        i=$((i + 1))
        "$bin" verify --did-document "$work/keys/did.json" --at 2026-11-25T12:00:00Z - \
            <<<"$line" >/dev/null
        if [ "$profile" = tagus ]; then
            printf '%s\n' "$line" >"$work/$profile-$i.jsonld"
        else
            python3 -c 'import base64, sys
p = sys.argv[1].split(".")[1]
sys.stdout.write(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())' \
                "$line" >"$work/$profile-$i.jsonld"
        fi
        # shacl-check.py also applies the Gaia-X shapes to files named "Loire".
        name="$(tr '[:lower:]' '[:upper:]' <<<"${profile:0:1}")${profile:1}"
        "$bin" canonicalize --input-format jsonld "$work/$profile-$i.jsonld" \
            >"$work/nq/$name-$i.nq"
    done <"$work/$profile.out"
done
python3 "$here/shacl-check.py" "$work/nq"
