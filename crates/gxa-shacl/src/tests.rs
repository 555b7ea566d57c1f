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
