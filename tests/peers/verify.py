"""PyLD + jwcrypto (from PyPI): JsonWebSignature2020 in both flavours over documents a running
gx-attest served, fetched by tests/peers/run.sh into DIR (see verify.mjs for DIR/manifest.json).

- spec flavour: detached JWS (RFC 7797, b64 false) over
  sha256(URDNA2015(proof options with the document's @context)) || sha256(URDNA2015(document)),
  per https://w3c-ccg.github.io/lds-jws2020/ ;
- gaia-x flavour: detached JWS over the hex of sha256(URDNA2015(document without its proof)).

The key comes from the issuer's DID document (publicKeyJwk of the proof's verificationMethod,
which must be listed under the proof's purpose: assertionMethod for a credential,
authentication or assertionMethod for a presentation); a credentialStatus of type StatusList2021Entry is
checked against the fetched StatusList2021Credential (its proof verified too, same issuer, bit
clear). A tampered copy of each document (one claim changed) must be refused, and a
credential the manifest marks `"expect": "revoked"` refused for its status bit. Nothing is fetched:
contexts come from the repository's pinned copies (contexts/index.json).

Usage: python verify.py DIR; exit 1 on any unexpected outcome.
"""

import base64
import copy
import gzip
import hashlib
import json
import sys
from pathlib import Path

from jwcrypto import jwk, jws
from pyld import jsonld

REPO = Path(__file__).resolve().parents[2]


def read_json(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Peer:
    def __init__(self, directory):
        self.dir = Path(directory)
        self.manifest = read_json(self.dir / "manifest.json")
        self.did = self.manifest["did"]
        self.did_document = read_json(self.dir / "did.json")
        self.contexts = {
            url: read_json(REPO / "contexts" / file)
            for url, file in read_json(REPO / "contexts" / "index.json").items()
        }
        self.documents = {
            url: read_json(self.dir / file) for url, file in self.manifest["documents"].items()
        }

    def loader(self, url, _options=None):
        if url in self.contexts:
            document = self.contexts[url]
        elif url == self.did or url.startswith(self.did + "#"):
            document = self.did_document
        elif url.split("#")[0] in self.documents:
            document = self.documents[url.split("#")[0]]
        else:
            raise jsonld.JsonLdError(
                "nothing fetched may be loaded", "loading document failed", {"url": url}
            )
        return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(document)}

    def canonize(self, document):
        return jsonld.normalize(
            document,
            {
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                "documentLoader": self.loader,
            },
        )

    def method_key(self, method_id, purpose):
        if not method_id.startswith(self.did + "#"):
            raise ValueError(f"verification method {method_id} is not the issuer's")
        doc = self.did_document
        listed = [m if isinstance(m, str) else m.get("id") for m in doc.get(purpose, [])]
        if method_id not in listed and method_id.replace(self.did, "", 1) not in listed:
            raise ValueError(f"{method_id} is not listed under {purpose} of {self.did}")
        for method in doc.get("verificationMethod", []):
            if method.get("id") in (method_id, method_id.replace(self.did, "", 1)):
                return jwk.JWK(**method["publicKeyJwk"])
        raise ValueError(f"verification method {method_id} not found")

    def verify_proofs(self, document, flavour, purposes=("assertionMethod",)):
        proofs = document.get("proof")
        proofs = proofs if isinstance(proofs, list) else [proofs]
        if not proofs or proofs[0] is None:
            raise ValueError("no proof")
        unsecured = {k: v for k, v in document.items() if k != "proof"}
        doc_canon = self.canonize(unsecured)
        for proof in proofs:
            if proof.get("type") != "JsonWebSignature2020":
                raise ValueError(f"proof type {proof.get('type')}")
            purpose = proof.get("proofPurpose")
            if purpose not in purposes:
                raise ValueError(f"proofPurpose {purpose} (expected one of {purposes})")
            if flavour == "spec":
                options = {k: v for k, v in proof.items() if k != "jws"}
                options["@context"] = document["@context"]
                payload = (
                    hashlib.sha256(self.canonize(options).encode()).digest()
                    + hashlib.sha256(doc_canon.encode()).digest()
                )
            else:
                payload = hashlib.sha256(doc_canon.encode()).hexdigest().encode()
            header_b64, detached, signature = proof["jws"].split(".")
            if detached:
                raise ValueError("the JWS payload is not detached")
            header = json.loads(b64url_decode(header_b64))
            if header.get("b64") is not False or header.get("crit") != ["b64"]:
                raise ValueError(f"JWS header {header}")
            token = jws.JWS()
            token.deserialize(proof["jws"])
            token.allowed_algs = [header["alg"]]
            token.verify(
                self.method_key(proof["verificationMethod"], purpose), detached_payload=payload
            )

    def check_status(self, credential, flavour):
        status = credential.get("credentialStatus")
        if status is None:
            return
        if status.get("type") != "StatusList2021Entry":
            raise ValueError(f"status type {status.get('type')}")
        list_url = status["statusListCredential"]
        if list_url not in self.documents:
            raise ValueError(f"status list {list_url} was not fetched")
        status_list = self.documents[list_url]
        if "StatusList2021Credential" not in status_list.get("type", []):
            raise ValueError("the status list is not a StatusList2021Credential")
        issuer = status_list["issuer"]
        issuer = issuer["id"] if isinstance(issuer, dict) else issuer
        own = credential["issuer"]
        own = own["id"] if isinstance(own, dict) else own
        if issuer != own:
            raise ValueError(f"status list issuer {issuer} is not the credential's {own}")
        self.verify_proofs(status_list, flavour)
        subject = status_list["credentialSubject"]
        if subject.get("statusPurpose") != status.get("statusPurpose"):
            raise ValueError("status purposes differ")
        bits = gzip.decompress(b64url_decode(subject["encodedList"]))
        index = int(status["statusListIndex"])
        if bits[index // 8] & (0x80 >> (index % 8)):
            raise ValueError(f"{status.get('statusPurpose')} bit {index} is set")

    def verify(self, document, kind, flavour):
        # A presentation's holder proves with authentication (or, as Gaia-X clearing houses
        # accept, assertionMethod); a credential's issuer with assertionMethod.
        purposes = (
            ("authentication", "assertionMethod") if kind == "presentation" else ("assertionMethod",)
        )
        self.verify_proofs(document, flavour, purposes)
        inner = document.get("verifiableCredential", []) if kind == "presentation" else []
        for credential in [document, *(inner if isinstance(inner, list) else [inner])]:
            if credential is not document:
                self.verify_proofs(credential, flavour)
            if "StatusList2021Credential" not in credential.get("type", []):
                self.check_status(credential, flavour)


def tampered(document, kind):
    changed = copy.deepcopy(document)
    target = changed
    if kind == "presentation":
        inner = changed["verifiableCredential"]
        target = inner[0] if isinstance(inner, list) else inner
    subject = target["credentialSubject"]
    subject = subject[0] if isinstance(subject, list) else subject
    subject["https://w3id.org/gx-attest/peers#tampered"] = "yes"
    return changed


def main():
    if len(sys.argv) != 2:
        print("usage: python verify.py DIR", file=sys.stderr)
        return 2
    peer = Peer(sys.argv[1])
    flavour = peer.manifest["flavour"]
    passes = failures = 0
    for item in peer.manifest["check"]:
        document = read_json(peer.dir / item["file"])
        label = f"{flavour:6} {'pyld+jwcrypto':13} {item['kind']:12} {item['file']}"
        try:
            peer.verify(document, item["kind"], flavour)
            error = None
        except Exception as err:  # noqa: BLE001 - every failure is reported, none is fatal
            error = err
        if item.get("expect") == "revoked":
            # Refused for its status bit, not for anything else.
            if error is not None and "bit" in str(error) and "is set" in str(error):
                passes += 1
                print(f"revoked        {label}: {error}")
            else:
                failures += 1
                print(f"NOT REVOKED    {label}: {error or 'accepted'}")
        elif error is not None:
            failures += 1
            print(f"INVALID        {label}: {error}")
        else:
            passes += 1
            print(f"valid          {label}")
        try:
            peer.verify(tampered(document, item["kind"]), item["kind"], flavour)
            failures += 1
            print(f"NOT REFUSED    {label} (one claim changed, yet accepted)")
        except Exception:  # noqa: BLE001
            passes += 1
            print(f"refused        {label} (one claim changed)")
    print(f"python peer ({flavour}): {passes} as expected, {failures} not")
    return 0 if failures == 0 and passes > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
