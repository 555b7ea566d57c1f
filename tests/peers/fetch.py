"""Fetches what a peer verifier needs from a running gx-attest, as a catalogue would over HTTP:
its DID document, every current Tagus credential (application/vc+ld+json), each status list
those credentials point to (the JSON-LD list a VC 1.1 loader asks for), and the participant
presentation (application/vp+ld+json). With TOKEN (the participant's upload token), first
revokes one credential that has a status entry (POST /credentials/{id}/revoke), which the
peers must then refuse by its status while its signature still holds. Writes DIR/manifest.json
for verify.mjs and verify.py.

Usage: python fetch.py BASE_URL FLAVOUR PARTICIPANT DIR [TOKEN]   (standard library only)
"""

import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path


def get(url, accept):
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers.get("Content-Type", ""), json.loads(response.read())


def revoke(url, token):
    request = urllib.request.Request(
        f"{url}/revoke",
        method="POST",
        data=b"",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def local(url, base):
    """The service's URL for an id under its public base URL (the same here)."""
    if not url.startswith(base + "/"):
        raise SystemExit(f"{url} is not under {base}")
    return url


def main():
    if len(sys.argv) not in (5, 6):
        print(__doc__, file=sys.stderr)
        return 2
    base, flavour, participant, out = sys.argv[1:5]
    token = sys.argv[5] if len(sys.argv) == 6 else None
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _, did_document = get(f"{base}/.well-known/did.json", "application/json")
    (out / "did.json").write_text(json.dumps(did_document, indent=2))

    documents, check = {}, []

    def save(url, body, name):
        documents[url] = name
        (out / name).write_text(json.dumps(body, indent=2))

    query = urllib.parse.urlencode({"profile": "tagus", "status": "current", "limit": 1000})
    _, listing = get(f"{base}/credentials?{query}", "application/json")
    items = listing["items"] if isinstance(listing, dict) else listing
    lists = set()
    for n, item in enumerate(sorted(items, key=lambda i: i["id"])):
        media, credential = get(local(item["id"], base), "application/vc+ld+json")
        if "json" not in media:
            raise SystemExit(f"{item['id']}: {media}")
        name = f"credential-{n:02}.json"
        save(item["id"], credential, name)
        entry = {"file": name, "kind": "credential"}
        status = credential.get("credentialStatus")
        if status:
            lists.add(status["statusListCredential"])
            if token and not any(c.get("expect") == "revoked" for c in check):
                revoke(item["id"], token)
                entry["expect"] = "revoked"
        check.append(entry)
    if not check:
        raise SystemExit("the service lists no current Tagus credential")
    if token and not any(c.get("expect") == "revoked" for c in check):
        raise SystemExit("no Tagus credential with a status entry to revoke")
    for n, url in enumerate(sorted(lists)):
        _, status_list = get(local(url, base), "application/ld+json")
        name = f"status-list-{n:02}.json"
        save(url, status_list, name)
        check.append({"file": name, "kind": "credential"})
    url = f"{base}/participants/{urllib.parse.quote(participant, safe='')}/presentation"
    _, presentation = get(url, "application/vp+ld+json")
    save(url, presentation, "presentation.json")
    check.append({"file": "presentation.json", "kind": "presentation"})

    manifest = {
        "flavour": flavour,
        "did": did_document["id"],
        "documents": documents,
        "check": check,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    with_status = sum(
        1
        for c in check
        if c["kind"] == "credential" and "credentialStatus" in json.loads((out / c["file"]).read_text())
    )
    revoked = sum(1 for c in check if c.get("expect") == "revoked")
    print(
        f"fetched from {base} ({flavour}): {len(check)} documents, {len(lists)} status list(s), "
        f"{with_status} credential(s) with a status entry, {revoked} of them revoked"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
