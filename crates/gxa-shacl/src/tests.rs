#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail by panicking, with the value that was unexpected"
)]

use std::sync::OnceLock;

use serde_json::{Value, json};

use super::*;

macro_rules! shared {
    ($rel:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/gaiax-data/",
            $rel
        ))
    };
}

fn loire() -> &'static Validator {
    static V: OnceLock<Validator> = OnceLock::new();
    V.get_or_init(|| Validator::new(Profile::Loire).unwrap())
}

fn examples() -> Vec<Value> {
    [
        shared!("examples-own/legal-person.unsigned.json"),
        shared!("examples-own/vat-id-lrn.unsigned.json"),
        shared!("examples-own/issuer-tandc.unsigned.json"),
        shared!("examples-own/vm-service-offering.unsigned.json"),
    ]
    .iter()
    .map(|t| serde_json::from_str(t).unwrap())
    .collect()
}

#[test]
fn the_four_loire_examples_conform() {
    let report = loire().validate(&examples()).unwrap();
    assert!(report.conforms, "{:#?}", report.violations);
    assert_eq!(report.violations, vec![]);
}

fn violations_of(docs: &[Value]) -> Vec<Violation> {
    let report = loire().validate(docs).unwrap();
    assert!(!report.conforms);
    report.violations
}

#[test]
fn missing_mandatory_property_is_named() {
    let mut docs = examples();
    docs[0]["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("legalAddress");
    let v = violations_of(&docs);
    assert!(
        v.iter().any(
            |v| v.focus_node == "https://cloud.example.eu/gx/legal-person.json#cs"
                && v.path
                    .as_deref()
                    .is_some_and(|p| p.contains("legalAddress"))
                && v.component.contains("MinCount")
                && v.shape.is_some()
        ),
        "{v:#?}"
    );
}

#[test]
fn wrong_enum_value_is_named() {
    let mut docs = examples();
    docs[3]["credentialSubject"]["codeArtifact"][0]["vmImageDiskFormat"] = json!("qcow2");
    let v = violations_of(&docs);
    assert!(
        v.iter().any(|v| v
            .path
            .as_deref()
            .is_some_and(|p| p.contains("vmImageDiskFormat"))
            && v.component.contains("In")
            && v.value.as_deref().is_some_and(|x| x.contains("qcow2"))),
        "{v:#?}"
    );
}

#[test]
fn wrong_datatype_is_named() {
    let mut docs = examples();
    docs[3]["credentialSubject"]["instantiationReq"][0]["cpu"]["vCPUs"] =
        json!({"@value": "4", "@type": "http://www.w3.org/2001/XMLSchema#string"});
    let v = violations_of(&docs);
    assert!(
        v.iter()
            .any(|v| v.path.as_deref().is_some_and(|p| p.contains("vCPUs"))
                && v.component.contains("Datatype")),
        "{v:#?}"
    );
}

#[test]
fn tagus_fixtures() {
    let tagus = Validator::new(Profile::Tagus).unwrap();
    let strip = |t: &str| {
        let mut v: Value = serde_json::from_str(t).unwrap();
        strip_proofs(&mut v);
        v
    };
    let good = strip(shared!("tagus/gx-compliance-fixtures/participant-vp.json"));
    let report = tagus.validate(&[good]).unwrap();
    assert!(report.conforms, "{:#?}", report.violations);
    let bad = strip(shared!(
        "tagus/gx-compliance-fixtures/participant-vp-faulty.json"
    ));
    let report = tagus.validate(&[bad]).unwrap();
    assert!(!report.conforms);
    assert!(
        report.violations.iter().any(|v| v
            .path
            .as_deref()
            .is_some_and(|p| p.contains("headquarterAddress"))),
        "{:#?}",
        report.violations
    );
}

fn strip_proofs(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.remove("proof");
            m.values_mut().for_each(strip_proofs);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_proofs),
        _ => {}
    }
}

#[test]
fn extra_property_violates_the_closed_shape() {
    let mut docs = examples();
    docs[0]["credentialSubject"]["notAGaiaXTerm"] = json!("x");
    let v = violations_of(&docs);
    assert!(
        v.iter().any(|v| v.component.contains("Closed")
            && v.focus_node == "https://cloud.example.eu/gx/legal-person.json#cs"),
        "{v:#?}"
    );
}

/// gxa-credential's list of trust framework classes is the set of `sh:targetClass`es of the
/// pinned Tagus shapes, no more and no less.
#[test]
fn tagus_trust_framework_classes_are_the_shapes_targets() {
    use gxa_credential::trust_framework;
    let target = oxrdf::NamedNode::new_unchecked("http://www.w3.org/ns/shacl#targetClass");
    let mut targets: Vec<String> = oxttl::TurtleParser::new()
        .for_slice(TAGUS_SHAPES.as_bytes())
        .map(|t| t.unwrap())
        .filter(|t| t.predicate == target)
        .filter_map(|t| match t.object {
            oxrdf::Term::NamedNode(n) => Some(n.into_string()),
            _ => None,
        })
        .collect();
    targets.sort();
    targets.dedup();
    let mut listed: Vec<String> = trust_framework::CLASSES
        .iter()
        .map(|c| format!("{}{c}", trust_framework::NAMESPACE))
        .chain([trust_framework::VCARD_ADDRESS.to_owned()])
        .collect();
    listed.sort();
    assert_eq!(listed, targets);
    assert!(targets.iter().all(|t| trust_framework::is_class(t)));
}

/// The pipeline as it was before `engine`: the data graph written as N-Triples, parsed into the
/// store, and validated by rudof's processor (`ShaclProcessor::validate`).
fn reference(validator: &Validator, docs: &[Value], standalone: bool) -> Result<Report, String> {
    use gxa_rdf::Quad;
    use rudof_rdf::rdf_impl::ReaderMode;
    let (triples, described) = validator.data_graph(docs).map_err(|e| e.to_string())?;
    let mut data = Dataset::with_capacity(triples.len());
    for (s, p, o) in triples {
        let (subject, predicate, object) = (data.intern(s), data.intern(p), data.intern(o));
        data.insert(Quad {
            subject,
            predicate,
            object,
            graph: None,
        });
    }
    let store = OxigraphInMemory::from_str(
        &data.to_nquads(),
        &RDFFormat::NTriples,
        None,
        &ReaderMode::default(),
    )
    .map_err(|e| e.to_string())?;
    let (conforms, results) = validator
        .validate_by_processor(store)
        .map_err(|e| e.to_string())?;
    Ok(report(conforms, &results, &described, standalone))
}

/// Every JSON file of a folder of the shared reference data, proofs removed.
fn shared_folder(rel: &str) -> Vec<(String, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/gaiax-data")
        .join(rel);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json" || x == "jsonld"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            strip_proofs(&mut v);
            (p.display().to_string(), v)
        })
        .collect()
}

/// The repository's own example credentials (`examples/credentials/`).
fn repo_examples() -> Vec<(String, Value)> {
    [
        (
            "examples/credentials/loire-vm-service-offering.json",
            include_str!("../../../examples/credentials/loire-vm-service-offering.json"),
        ),
        (
            "examples/credentials/tagus-legal-participant.json",
            include_str!("../../../examples/credentials/tagus-legal-participant.json"),
        ),
    ]
    .into_iter()
    .map(|(name, text)| (name.to_owned(), serde_json::from_str(text).unwrap()))
    .collect()
}

/// The Loire examples with the faults the tests above make: a missing mandatory property, a
/// value outside an `sh:in` list, a wrong datatype, a property outside a closed shape; and an
/// `sh:in` value inside `sh:or` (a licence).
fn faulty_loire_examples() -> Vec<(String, Vec<Value>)> {
    let mut out = Vec::new();
    let mut docs = examples();
    docs[0]["credentialSubject"]
        .as_object_mut()
        .unwrap()
        .remove("legalAddress");
    out.push(("missing legalAddress".to_owned(), docs));
    let mut docs = examples();
    docs[3]["credentialSubject"]["codeArtifact"][0]["vmImageDiskFormat"] = json!("qcow2");
    out.push(("vmImageDiskFormat qcow2".to_owned(), docs));
    let mut docs = examples();
    docs[3]["credentialSubject"]["instantiationReq"][0]["cpu"]["vCPUs"] =
        json!({"@value": "4", "@type": "http://www.w3.org/2001/XMLSchema#string"});
    out.push(("vCPUs as string".to_owned(), docs));
    let mut docs = examples();
    docs[0]["credentialSubject"]["notAGaiaXTerm"] = json!("x");
    out.push(("extra property".to_owned(), docs));
    let mut docs = examples();
    docs[3]["credentialSubject"]["codeArtifact"][0]["license"] = json!(["NOT-A-LICENCE"]);
    docs[3]["credentialSubject"]["dataAccountExport"][0]["formatType"] = json!("application/nope");
    out.push(("licence and media type outside the lists".to_owned(), docs));
    out
}

/// `engine::validate` gives the verdicts and results of the previous pipeline (rudof's
/// processor over a store parsed from N-Triples) on every example input: each document alone,
/// together and standalone, against the Loire and the Tagus shapes, and the faulty variants.
#[test]
fn fast_path_agrees_with_rudofs_processor() {
    let tagus = Validator::new(Profile::Tagus).unwrap();
    let validators = [("Loire", loire()), ("Tagus", &tagus)];
    let mut cases: Vec<(String, Vec<Value>)> = Vec::new();
    let singles: Vec<(String, Value)> = repo_examples()
        .into_iter()
        .chain(shared_folder("examples-own"))
        .chain(shared_folder("loire/fc-test-fixtures"))
        .chain(shared_folder("tagus/gx-compliance-fixtures"))
        .collect();
    assert!(singles.len() >= 27, "{}", singles.len());
    for (name, doc) in &singles {
        cases.push((name.clone(), vec![doc.clone()]));
    }
    cases.push(("the four Loire examples".to_owned(), examples()));
    cases.extend(faulty_loire_examples());
    let mut compared = 0;
    let mut non_conforming = 0;
    for (profile, validator) in validators {
        for (name, docs) in &cases {
            for standalone in [false, true] {
                let fast = validator
                    .validate_with(docs, standalone)
                    .map_err(|e| e.to_string());
                let before = reference(validator, docs, standalone);
                assert_eq!(fast, before, "{profile}, {name}, standalone {standalone}");
                compared += 1;
                if fast.is_ok_and(|r| !r.conforms) {
                    non_conforming += 1;
                }
            }
        }
    }
    // The comparison covers failing verdicts too, not only conforming ones.
    assert!(non_conforming >= 20, "{non_conforming} of {compared}");
}

/// The Loire shapes and gx-attest's own `scs:` shape take the fast path; the Tagus shapes,
/// which have recursive shape references, are left to rudof's processor.
#[test]
fn which_shapes_graphs_take_the_fast_path() {
    let scs = include_str!("../../../contexts/scs/scs-shape.ttl");
    let scs = Validator::with_shapes(Profile::Loire, scs, None).unwrap();
    let tagus = Validator::new(Profile::Tagus).unwrap();
    assert!(loire().prepared.is_supported());
    assert!(scs.prepared.is_supported());
    assert!(!tagus.prepared.is_supported());
}
