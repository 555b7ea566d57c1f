#!/usr/bin/env python3
"""Optional cross-check (the CI check is `cargo test -p gxa-scs --test attestation_shacl`, with
gxa-shacl): validate dumped SCS attestations against contexts/scs/scs-shape.ttl (and, for Loire, the
Gaia-X 25.11 shapes) with pySHACL, an independent SHACL engine.

    mkdir -p /tmp/scsdump
    GXA_SCS_DUMP_DIR=/tmp/scsdump cargo test -p gxa-scs --test attestation strict_json_ld
    pip install pyshacl
    python3 crates/gxa-scs/tools/shacl-check.py /tmp/scsdump

The test writes each attestation as JSON-LD and as canonical N-Quads (from gxa-jsonld in strict
mode); this script reads the N-Quads. Exit 0 when everything conforms.
"""
import glob
import os
import sys

from pyshacl import validate
from rdflib import Graph

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.join(HERE, "..", "..", "..")
SCS_SHAPE = os.path.join(REPO, "contexts", "scs", "scs-shape.ttl")
GX_SHAPES = os.path.join(REPO, "..", "shared", "gaiax-data", "loire", "ontology-25.11", "gx.shacl.ttl")


def main(directory: str) -> int:
    shapes = Graph().parse(SCS_SHAPE, format="turtle")
    gx = Graph().parse(GX_SHAPES, format="turtle") if os.path.exists(GX_SHAPES) else None
    files = sorted(glob.glob(os.path.join(directory, "*.nq")))
    if not files:
        print(f"no .nq files in {directory}")
        return 1
    ok = True
    for path in files:
        data = Graph().parse(path, format="nquads")
        conforms, _, text = validate(data, shacl_graph=shapes)
        print(f"{os.path.basename(path)}: scs shape {'conforms' if conforms else 'VIOLATED'}")
        ok &= conforms
        if not conforms:
            print(text)
        if gx is not None and "Loire" in path:
            conforms, _, text = validate(data, shacl_graph=gx)
            print(f"{os.path.basename(path)}: gx 25.11 shapes {'conform' if conforms else 'VIOLATED'}")
            ok &= conforms
            if not conforms:
                print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
