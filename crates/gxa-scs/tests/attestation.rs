//! The attestation document in both profiles: content, and that every key and type is defined
//! by the document's own pinned contexts (what strict JSON-LD expansion requires).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]

use std::collections::BTreeMap;

use gxa_credential::Profile;
use gxa_scs::{
    AllowedSigners, AttestationOptions, CheckedAtZone, Evaluation, Evaluator, Limits,
    SCS_CONTEXT_V1, Scope, attestation_document, verify_upload,
};
use jiff::Timestamp;
use serde_json::{Value, json};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/scs-data");
const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}/{path}")).unwrap()
}

fn evaluations() -> Vec<Evaluation> {
    let scopes = ["scs-compatible-iaas.yaml", "scs-compatible-kaas.yaml"]
        .map(|f| Scope::from_yaml(&read(&format!("standards/{f}")), Limits::default()).unwrap());
    let mut ev = Evaluator::new(scopes.to_vec(), CheckedAtZone::utc(), Limits::default());
    let signers =
        AllowedSigners::parse(&String::from_utf8(read("generated/allowed_signers")).unwrap())
            .unwrap();
    let upload = verify_upload(&read("generated/upload-body.txt"), &signers)
        .unwrap()
        .unwrap();
    ev.add_upload(&upload).unwrap();
    ev.evaluate("2026-11-25T12:00:00Z".parse().unwrap())
}

fn options(profile: Profile) -> AttestationOptions {
    let mut o = AttestationOptions::new(
        profile,
        "did:web:attester.example.org",
        "2026-11-25T12:00:00Z".parse::<Timestamp>().unwrap(),
    );
    o.credential_id = Some("https://attester.example.org/credentials/1".to_owned());
    o
}

/// Term definitions of the pinned contexts: (top level, `VerifiableCredential` type-scoped).
fn terms(contexts: &Value) -> (BTreeMap<String, Value>, BTreeMap<String, Value>) {
    let mut base = BTreeMap::new();
    let mut scoped = BTreeMap::new();
    for url in contexts.as_array().unwrap() {
        let url = url.as_str().unwrap();
        let pinned = gxa_contexts::get(url).unwrap();
        let doc: Value = serde_json::from_str(pinned.text).unwrap();
        let ctx = doc["@context"].as_object().unwrap();
        for (k, v) in ctx {
            base.insert(k.clone(), v.clone());
        }
        if let Some(vc) = ctx
            .get("VerifiableCredential")
            .and_then(|v| v.get("@context"))
        {
            for (k, v) in vc.as_object().unwrap() {
                scoped.insert(k.clone(), v.clone());
            }
        }
    }
    (base, scoped)
}

fn is_absolute_iri(s: &str) -> bool {
    s.contains("://") || s.starts_with("urn:") || s.starts_with("did:")
}

/// Whether `key` expands to an IRI (or keyword) without relying on `@vocab`.
fn defined(key: &str, terms: &BTreeMap<String, Value>) -> bool {
    if key.starts_with('@') || is_absolute_iri(key) {
        return true;
    }
    if let Some(def) = terms.get(key) {
        let id = match def {
            Value::String(s) => Some(s.as_str()),
            Value::Object(o) => o.get("@id").and_then(Value::as_str),
            _ => None,
        };
        return match id {
            Some(id) => id.starts_with('@') || is_absolute_iri(id) || prefixed(id, terms),
            // A term without @id is only defined through @vocab: not accepted here.
            None => false,
        };
    }
    prefixed(key, terms)
}

fn prefixed(key: &str, terms: &BTreeMap<String, Value>) -> bool {
    key.split_once(':')
        .is_some_and(|(prefix, _)| terms.get(prefix).is_some_and(Value::is_string))
}

/// Every undefined key or type in `value`, with its JSON path.
fn undefined(value: &Value, terms: &BTreeMap<String, Value>, path: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) if map.contains_key("@value") => {}
        Value::Object(map) => {
            for (k, v) in map {
                if k == "@context" {
                    continue;
                }
                if !defined(k, terms) {
                    out.push(format!("{path}/{k}"));
                }
                if k == "type" || k == "@type" {
                    let types = v.as_array().cloned().unwrap_or_else(|| vec![v.clone()]);
                    for t in types {
                        let t = t.as_str().unwrap_or_default();
                        if !defined(t, terms) {
                            out.push(format!("{path}/{k}={t}"));
                        }
                    }
                    continue;
                }
                undefined(v, terms, &format!("{path}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                undefined(item, terms, &format!("{path}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// The undefined keys and types of a credential: the root sees the type-scoped
/// `VerifiableCredential` terms, nested nodes do not (type-scoped contexts do not propagate).
fn undefined_in_credential(doc: &Value) -> Vec<String> {
    let (base, scoped) = terms(&doc["@context"]);
    let mut root = base.clone();
    root.extend(scoped);
    let mut out = Vec::new();
    for (k, v) in doc.as_object().unwrap() {
        if k == "@context" {
            continue;
        }
        if !defined(k, &root) {
            out.push(format!("/{k}"));
        }
        if k == "type" {
            for t in v.as_array().unwrap() {
                if !defined(t.as_str().unwrap(), &root) {
                    out.push(format!("/type={t}"));
                }
            }
            continue;
        }
        undefined(v, &base, &format!("/{k}"), &mut out);
    }
    out
}

#[test]
fn every_key_and_type_is_defined_in_both_profiles() {
    for e in evaluations() {
        for profile in [Profile::Tagus, Profile::Loire] {
            let doc = attestation_document(&e, &options(profile));
            assert_eq!(
                undefined_in_credential(&doc),
                Vec::<String>::new(),
                "{profile:?} {}",
                e.subject
            );
        }
    }
}

#[test]
fn the_checker_notices_undefined_terms() {
    let e = &evaluations()[1];
    let mut doc = attestation_document(e, &options(Profile::Loire));
    doc["credentialSubject"]["colour"] = json!("blue");
    doc["credentialSubject"]["moduleResults"][0]["type"] = json!("Mystery");
    doc["credentialSubject"]["nope:x"] = json!(1);
    let mut found = undefined_in_credential(&doc);
    found.sort();
    assert_eq!(
        found,
        [
            "/credentialSubject/colour",
            "/credentialSubject/moduleResults/0/type=Mystery",
            "/credentialSubject/nope:x",
        ]
    );
}

#[test]
fn passing_kaas_attestation_tagus() {
    let e = &evaluations()[1];
    let doc = attestation_document(e, &options(Profile::Tagus));
    assert_eq!(
        doc["@context"],
        json!([
            "https://www.w3.org/2018/credentials/v1",
            "https://registry.lab.gaia-x.eu/development/api/trusted-shape-registry/v1/shapes/jsonld/trustframework#",
            SCS_CONTEXT_V1,
        ])
    );
    assert_eq!(doc["type"], json!(["VerifiableCredential"]));
    assert_eq!(doc["issuer"], "did:web:attester.example.org");
    assert_eq!(doc["issuanceDate"], "2026-11-25T12:00:00Z");
    assert_eq!(doc["expirationDate"], "2026-12-07T00:00:00Z");
    assert!(doc.get("validFrom").is_none());
    let s = &doc["credentialSubject"];
    assert_eq!(s["type"], "ScsComplianceAttestation");
    assert_eq!(s["scsSubject"], "example-k8s-1.35");
    assert_eq!(
        s["certificateScope"],
        json!({
            "type": "ScsScope",
            "scopeUuid": "1fffebe6-fd4b-44d3-a36c-fc58b4bb0180",
            "scopeName": "SCS-compatible KaaS",
            "scopeUrl": "https://raw.githubusercontent.com/SovereignCloudStack/standards/main/Tests/scs-compatible-kaas.yaml",
        })
    );
    assert_eq!(s["scopeVersion"], "v1");
    assert_eq!(s["versionState"], "effective");
    assert_eq!(s["verdict"], "pass");
    assert_eq!(s["checkedAtTimeZone"], "UTC");
    assert_eq!(s["evaluatedAt"], "2026-11-25T12:00:00Z");
    assert_eq!(s["checkedFrom"], "2026-11-25T02:17:37.316112Z");
    assert_eq!(s["checkedUntil"], "2026-11-25T02:17:37.316112Z");
    assert_eq!(s["resultsValidUntil"], "2026-12-07T00:00:00Z");
    let modules = s["moduleResults"].as_array().unwrap();
    assert_eq!(modules.len(), 4);
    // scs-0214-v2 has no automated (main) testcase: listed without a verdict.
    let m0214 = modules
        .iter()
        .find(|m| m["moduleId"] == "scs-0214-v2")
        .unwrap();
    assert!(m0214.get("verdict").is_none());
    assert_eq!(modules[0]["verdict"], "pass");
    let testcases = s["testcaseResults"].as_array().unwrap();
    assert_eq!(testcases.len(), 3);
    let upload_digest = gxa_scs::sri_sha256(&read("generated/upload-body.txt"));
    let policy = testcases
        .iter()
        .find(|t| t["testcaseId"] == "version-policy-check")
        .unwrap();
    assert_eq!(
        policy,
        &json!({
            "type": "ScsTestcaseResult",
            "testcaseId": "version-policy-check",
            "testResult": "pass",
            "inTarget": ["main"],
            "lifetime": "week",
            "checkedAt": "2026-11-25T02:17:37.316112Z",
            "expiresAt": "2026-12-07T00:00:00Z",
            "reportUuid": ["fe0402b6-2b39-4f59-b4f8-1e5133e36773"],
            "uploadDigest": upload_digest,
        })
    );
    let uploads = s["uploads"].as_array().unwrap();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0]["uploadDigest"], upload_digest.as_str());
    assert!(upload_digest.starts_with("sha256-") && upload_digest.len() == 7 + 44);
    assert!(
        uploads[0]["signerKeyFingerprint"]
            .as_str()
            .unwrap()
            .starts_with("SHA256:")
    );
    assert_eq!(
        s["gx:standardConformity"],
        json!({
            "type": "gx:StandardConformity",
            "dcterms:title": "SCS-compatible KaaS v1",
            "gx:standardReference": {
                "@value": "https://raw.githubusercontent.com/SovereignCloudStack/standards/main/Tests/scs-compatible-kaas.yaml",
                "@type": "http://www.w3.org/2001/XMLSchema#anyURI",
            },
            "gx:publisher": "Forum SCS-Standards (OSBA)",
        })
    );
}

#[test]
fn same_subject_in_loire() {
    let e = &evaluations()[1];
    let tagus = attestation_document(e, &options(Profile::Tagus));
    let loire = attestation_document(e, &options(Profile::Loire));
    assert_eq!(
        loire["@context"],
        json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://w3id.org/gaia-x/development#",
            SCS_CONTEXT_V1,
        ])
    );
    assert_eq!(loire["validFrom"], "2026-11-25T12:00:00Z");
    assert_eq!(loire["validUntil"], "2026-12-07T00:00:00Z");
    assert!(loire.get("issuanceDate").is_none() && loire.get("expirationDate").is_none());
    assert_eq!(loire["id"], "https://attester.example.org/credentials/1");
    // The same code builds the same subject for both profiles.
    assert_eq!(loire["credentialSubject"], tagus["credentialSubject"]);
}

#[test]
fn failing_iaas_attestation_states_no_conformity_and_no_expiry() {
    let e = &evaluations()[0];
    let mut o = options(Profile::Loire);
    o.subject_id = Some("https://cloud.example.org/offering".to_owned());
    let doc = attestation_document(e, &o);
    assert!(doc.get("validUntil").is_none());
    let s = &doc["credentialSubject"];
    assert_eq!(s["id"], "https://cloud.example.org/offering");
    // No version passes: the headline is the effective one, with its failing verdict.
    assert_eq!(s["scopeVersion"], "v5.1");
    assert_eq!(s["verdict"], "fail");
    assert!(s.get("gx:standardConformity").is_none());
    assert!(s.get("resultsValidUntil").is_none());
    let results: BTreeMap<&str, &str> = s["testcaseResults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["testcaseId"].as_str().unwrap(),
                t["testResult"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(results["scs-0102-prop-provided_until"], "fail");
    assert_eq!(results["scs-0116-permissions"], "abort");
    let verdict_of = |id: &str| {
        s["moduleResults"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["moduleId"] == id)
            .unwrap()["verdict"]
            .clone()
    };
    assert_eq!(verdict_of("scs-0102-v1"), "fail");
    assert_eq!(verdict_of("scs-0116-v1"), "incomplete");
}

#[test]
fn profile_names() {
    assert_eq!("tagus".parse::<Profile>().unwrap(), Profile::Tagus);
    assert_eq!("Loire".parse::<Profile>().unwrap(), Profile::Loire);
    let err = "danube".parse::<Profile>().unwrap_err();
    assert!(err.to_string().contains("danube"));
}

/// The context, the SHACL shape and the vocabulary document name the same `scs:` IRIs.
#[test]
fn context_shape_and_documentation_agree() {
    let context: Value = serde_json::from_str(gxa_contexts::SCS_V1).unwrap();
    let shape = std::fs::read_to_string(format!("{REPO}/contexts/scs/scs-shape.ttl")).unwrap();
    let docs = std::fs::read_to_string(format!("{REPO}/docs/vocabulary.md")).unwrap();
    let mut iris = Vec::new();
    for (term, def) in context["@context"].as_object().unwrap() {
        let id = match def {
            Value::String(s) => s.as_str(),
            Value::Object(o) => o["@id"].as_str().unwrap(),
            _ => continue,
        };
        if let Some(local) = id.strip_prefix("scs:") {
            iris.push(format!("scs:{local}"));
            assert!(docs.contains(&format!("`{term}`")), "{term} undocumented");
        }
    }
    assert!(iris.len() > 20);
    for iri in &iris {
        assert!(shape.contains(iri.as_str()), "{iri} missing from the shape");
        assert!(
            docs.contains(iri.as_str()),
            "{iri} missing from docs/vocabulary.md"
        );
    }
}

/// The real JSON-LD processor in strict mode (an undefined term is an error) turns both
/// profiles into RDF with the `scs:` and `gx:` statements expected.
#[test]
fn strict_json_ld_to_rdf_in_both_profiles() {
    let processor = gxa_jsonld::Processor::pinned();
    let dump = std::env::var_os("GXA_SCS_DUMP_DIR");
    for e in evaluations() {
        for (profile, gx) in [
            (
                Profile::Tagus,
                "https://registry.lab.gaia-x.eu/development/api/trusted-shape-registry/v1/shapes/jsonld/trustframework#",
            ),
            (Profile::Loire, "https://w3id.org/gaia-x/development#"),
        ] {
            let doc = attestation_document(&e, &options(profile));
            let nquads = processor.canonicalize(&doc).unwrap();
            if let Some(dir) = &dump {
                let name = format!("{}-{profile:?}", e.subject);
                let dir = std::path::Path::new(dir);
                std::fs::write(dir.join(format!("{name}.jsonld")), doc.to_string()).unwrap();
                std::fs::write(dir.join(format!("{name}.nq")), &nquads).unwrap();
            }
            let scs = "https://w3id.org/gx-attest/scs/v1#";
            assert!(nquads.contains(&format!("<{scs}subject> \"{}\"", e.subject)));
            assert!(nquads.contains(&format!(
                "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{scs}ComplianceAttestation>"
            )));
            assert!(nquads.contains(&format!("<{scs}checkedAtTimeZone> \"UTC\"")));
            let passing = e.best_passed.is_some();
            assert_eq!(
                nquads.contains(&format!("<{gx}standardReference> \"https://raw.githubusercontent.com/SovereignCloudStack/standards/main/Tests/scs-compatible-kaas.yaml\"^^<http://www.w3.org/2001/XMLSchema#anyURI>")),
                passing
            );
            assert_eq!(
                nquads.contains("<http://purl.org/dc/terms/title> \"SCS-compatible KaaS v1\""),
                passing
            );
            assert!(nquads.contains(&format!(
                "<{scs}validUntil> \"2026-12-07T00:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime>"
            )) == passing);
        }
    }
    // The same processor rejects an undefined term.
    let mut doc = attestation_document(&evaluations()[1], &options(Profile::Tagus));
    doc["credentialSubject"]["colour"] = json!("blue");
    assert!(processor.canonicalize(&doc).is_err());
}
