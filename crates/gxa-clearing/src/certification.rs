//! Certifications of compliance criteria by conformity assessment bodies: the evidence labels 2
//! and 3 ask for (Compliance Document, "certification" criteria), which no claim of the Gaia-X
//! 25.11 ontology can carry (it has no certificate class).
//!
//! A certification is a credential of type `CriteriaCertification` in gx-attest's `cert:`
//! vocabulary (`https://w3id.org/gx-attest/certification/v1`, pinned in `contexts/`), issued by
//! the assessment body: its subject is the service offering's credential subject (`id`), with
//! the criteria it certifies (`certifiedCriteria`: `P2.1.1`, …), the standard assessed against
//! (`certificationStandard`) and the certificate (`certificateUrl`, `certificateDigest`). It
//! travels in the presentation like any other credential; the compliance service counts it when
//! its issuer is one of `[compliance] trusted_assessors`, it verified (proof, validity, status,
//! like every presented credential) and its subject is an offering of the same presentation.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::parse::string_list;

/// The class, as a term of the certification context.
pub const CLASS: &str = "CriteriaCertification";
/// The vocabulary's namespace.
pub const NAMESPACE: &str = "https://w3id.org/gx-attest/certification/v1#";

/// Whether `doc` (a credential's JSON) is a certification.
pub fn is_certification(doc: &Value) -> bool {
    string_list(doc.get("type")).iter().any(|t| is_class(t))
}

fn is_class(t: &str) -> bool {
    t == CLASS || t == "cert:CriteriaCertification" || t == format!("{NAMESPACE}{CLASS}")
}

/// A property of the `cert:` vocabulary as a subject may write it (term, prefixed or IRI).
fn prop<'a>(subject: &'a serde_json::Map<String, Value>, term: &str) -> Option<&'a Value> {
    subject
        .get(term)
        .or_else(|| subject.get(&format!("cert:{term}")))
        .or_else(|| subject.get(&format!("{NAMESPACE}{term}")))
}

fn issuer(doc: &Value) -> Option<&str> {
    match doc.get("issuer") {
        Some(Value::String(s)) => Some(s),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

fn subjects(doc: &Value) -> Vec<&serde_json::Map<String, Value>> {
    match doc.get("credentialSubject") {
        Some(Value::Object(o)) => vec![o],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    }
}

/// What the certifications among `documents` show for the offerings among them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Certified {
    /// The criteria certified for an offering of the presentation by a trusted body.
    pub criteria: BTreeSet<String>,
    /// Why a certification does not count (each names the credential).
    pub problems: Vec<String>,
}

/// The criteria certified among `documents` (credentials as JSON: JSON-LD or VC-JWT
/// payloads) by an issuer `trusted` accepts, for the subjects in `offerings` (the credential
/// subject ids of the presentation's service offerings). Criteria must be ids of the pinned
/// table (`known`).
pub fn certified<'a>(
    documents: impl IntoIterator<Item = &'a Value>,
    offerings: &BTreeSet<String>,
    trusted: impl Fn(&str) -> bool,
    known: impl Fn(&str) -> bool,
) -> Certified {
    let mut out = Certified::default();
    for doc in documents.into_iter().filter(|d| is_certification(d)) {
        let id = doc.get("id").and_then(Value::as_str).unwrap_or("(no id)");
        let Some(by) = issuer(doc) else {
            out.problems
                .push(format!("certification {id} names no issuer"));
            continue;
        };
        if !trusted(by) {
            out.problems.push(format!(
                "certification {id} is issued by {by}, which is not a trusted conformity \
                 assessment body"
            ));
            continue;
        }
        for subject in subjects(doc) {
            let about = subject.get("id").and_then(Value::as_str).unwrap_or("");
            if !offerings.contains(about) {
                out.problems.push(format!(
                    "certification {id} certifies {about:?}, which is not a service offering of \
                     this presentation"
                ));
                continue;
            }
            let listed = string_list(prop(subject, "certifiedCriteria"));
            if listed.is_empty() {
                out.problems
                    .push(format!("certification {id} lists no certifiedCriteria"));
            }
            for criterion in listed {
                if known(&criterion) {
                    out.criteria.insert(criterion);
                } else {
                    out.problems.push(format!(
                        "certification {id} lists {criterion:?}, which is no criterion of the \
                         Compliance Document"
                    ));
                }
            }
        }
    }
    out
}

/// The credential subject ids of the service offerings among `documents` (any subclass of
/// `gx:ServiceOffering` in the pinned ontology).
pub fn offering_subjects<'a>(documents: impl IntoIterator<Item = &'a Value>) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for doc in documents {
        for subject in subjects(doc) {
            let node = Value::Object(subject.clone());
            if gxa_criteria::Evidence::of_claims([&node]).has_class("gx:ServiceOffering")
                && let Some(id) = subject.get("id").and_then(Value::as_str)
            {
                ids.insert(id.to_owned());
            }
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use serde_json::json;

    use super::*;

    fn cert(issuer: &str, about: &str, criteria: &[&str]) -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/gx-attest/certification/v1"],
            "id": format!("https://cab.example/{about}"),
            "type": ["VerifiableCredential", "CriteriaCertification"],
            "issuer": issuer,
            "credentialSubject": {"id": about, "certifiedCriteria": criteria,
                "certificationStandard": "ISO/IEC 27001:2022"},
        })
    }

    #[test]
    fn counts_trusted_certifications_of_presented_offerings_only() {
        let offering = json!({"type": ["VerifiableCredential"],
            "credentialSubject": {"id": "https://p/so#cs", "type": "gx:VirtualMachineServiceOffering"}});
        let docs = vec![
            offering,
            cert("did:web:cab", "https://p/so#cs", &["P2.1.1", "P3.1.1"]),
            cert("did:web:other", "https://p/so#cs", &["P4.1.1"]),
            cert("did:web:cab", "https://p/elsewhere#cs", &["P4.1.2"]),
            cert("did:web:cab", "https://p/so#cs", &["P9.9.9"]),
        ];
        let offerings = offering_subjects(&docs);
        assert_eq!(offerings, BTreeSet::from(["https://p/so#cs".to_owned()]));
        let got = certified(&docs, &offerings, |i| i == "did:web:cab", |c| c != "P9.9.9");
        assert_eq!(
            got.criteria,
            BTreeSet::from(["P2.1.1".to_owned(), "P3.1.1".to_owned()])
        );
        assert_eq!(got.problems.len(), 3, "{:?}", got.problems);
        assert!(got.problems[0].contains("did:web:other, which is not a trusted"));
        assert!(got.problems[1].contains("not a service offering of this presentation"));
        assert!(got.problems[2].contains("\"P9.9.9\", which is no criterion"));
    }
}
