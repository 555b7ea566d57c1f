//! The clearing house's pre-flight checks (`gxa_clearing::preflight::evaluate`), one failure
//! at a time: EV missing, a chain without its self-signed root, a JWK that is not the leaf's
//! key, `x5c` without `x5u`, a missing criterion; and the whole list passing for a good
//! submission. Chains are made with rcgen per test, at a fixed time.

#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

use gxa_clearing::Profile;
use gxa_clearing::notary::NumberKind;
use gxa_clearing::preflight::{Inputs, Outcome, Report, evaluate};
use gxa_criteria::Level;
use gxa_proof::{Algorithm, KeyPair as GxKey, Signer as _};
use gxa_testkit::pki::{ev_extension, intermediate, leaf, leaf_params, root};
use rcgen::KeyPair;
use serde_json::{Value, json};

const DID: &str = "did:web:cloud.example.eu";
const METHOD: &str = "did:web:cloud.example.eu#key-1";
const X5U: &str = "https://cloud.example.eu/.well-known/chain.pem";

/// A leaf for a fresh key (EV or not) under root → intermediate: (leaf, intermediate, root
/// PEM, the key's public JWK).
fn chain(ev: bool) -> (String, String, String, Value) {
    let root = root("Test Root");
    let inter = intermediate("Test Intermediate", &root);
    let gx = GxKey::generate(Algorithm::Es256).unwrap();
    let jwk = Value::Object(gx.public_key().to_jwk());
    let key = KeyPair::from_pem(&gx.to_pkcs8_pem().unwrap()).unwrap();
    let mut params = leaf_params("cloud.example.eu");
    if ev {
        params.custom_extensions.push(ev_extension());
    }
    let leaf = leaf(&params, &key, &inter);
    (leaf, inter.pem, root.pem, jwk)
}

fn did_document(jwk: &Value) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "id": DID,
        "verificationMethod": [{"id": METHOD, "type": "JsonWebKey2020", "controller": DID, "publicKeyJwk": jwk}],
        "assertionMethod": [METHOD],
    })
}

/// The Loire credentials of the example provider, unsigned (what the compliance service reads):
/// the participant, its terms, its registration number, the offering.
fn loire_credentials() -> Vec<Value> {
    build_example()
        .into_iter()
        .filter(|(file, _)| {
            [
                "legal-person.json",
                "issuer.json",
                "lrn-vat.json",
                "vm-offering.json",
            ]
            .contains(&file.as_str())
        })
        .map(|(_, credential)| credential)
        .collect()
}

/// The example provider's Loire build (`examples/`), as `inventory build` makes it.
fn build_example() -> Vec<(String, Value)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let text = std::fs::read_to_string(root.join("examples/provider.toml")).unwrap();
    let provider =
        gxa_inventory::input::provider::ProviderFile::parse(&text, "provider.toml").unwrap();
    let catalog = gxa_inventory::input::openstack::parse_catalog(
        &std::fs::read_to_string(root.join("examples/inventory/openstack.json")).unwrap(),
        "openstack",
    )
    .unwrap();
    let inventory = gxa_inventory::loire::Inventory {
        provider,
        flavors: catalog.flavors,
        images: catalog.images,
        hosts: Vec::new(),
        netbox: Some(
            gxa_inventory::input::netbox::parse_netbox(
                &std::fs::read_to_string(root.join("examples/inventory/netbox.json")).unwrap(),
                "netbox",
            )
            .unwrap(),
        ),
        valid_from: None,
    };
    let build = gxa_inventory::loire::build(&inventory);
    assert!(
        build.missing_criteria.is_empty(),
        "{:?}",
        build.missing_criteria
    );
    build
        .documents
        .into_iter()
        .map(|d| (d.file_name, d.credential))
        .collect()
}

struct Case {
    did_document: Value,
    chain: String,
    credentials: Vec<Value>,
    level: Level,
}

impl Case {
    fn good() -> Self {
        let (leaf, inter, root, jwk) = chain(true);
        let mut jwk = jwk;
        jwk["x5u"] = json!(X5U);
        Self {
            did_document: did_document(&jwk),
            chain: format!("{leaf}{inter}{root}"),
            credentials: loire_credentials(),
            level: Level::StandardCompliance,
        }
    }

    fn run(&self) -> Report {
        evaluate(&Inputs {
            profile: Profile::Loire,
            level: self.level,
            method: METHOD,
            did_document: &self.did_document,
            resolution: Some(Ok(
                "https://cloud.example.eu/.well-known/did.json".to_owned()
            )),
            chain: Ok(self.chain.as_bytes().to_vec()),
            registry: None,
            registration: (NumberKind::VatId, "DE123456789"),
            credentials: &self.credentials,
            at: "2026-06-01T00:00:00Z".parse().unwrap(),
        })
    }
}

fn outcome<'a>(report: &'a Report, name: &str) -> (&'a Outcome, &'a str) {
    let check = report
        .checks
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no check {name}"));
    (&check.outcome, check.reason.as_str())
}

#[test]
fn a_good_submission_passes_every_check() {
    let report = Case::good().run();
    let names: Vec<&str> = report.checks.iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        [
            "did-web",
            "x5u",
            "chain-root",
            "ev",
            "key-leaf",
            "registry",
            "registration-number",
            "types",
            "shapes",
            "criteria"
        ]
    );
    for check in &report.checks {
        assert_ne!(check.outcome, Outcome::Fail, "{check}");
    }
    assert!(report.passed());
    assert_eq!(outcome(&report, "registry").0, &Outcome::Skip);
    assert!(outcome(&report, "chain-root").1.contains("CN=Test Root"));
}

#[test]
fn a_leaf_without_ev_fails() {
    let (leaf, inter, root, mut jwk) = chain(false);
    jwk["x5u"] = json!(X5U);
    let case = Case {
        did_document: did_document(&jwk),
        chain: format!("{leaf}{inter}{root}"),
        ..Case::good()
    };
    let report = case.run();
    let (o, reason) = outcome(&report, "ev");
    assert_eq!(o, &Outcome::Fail);
    assert!(reason.contains("no EV policy 2.23.140.1.1"), "{reason}");
    assert!(!report.passed());
    assert_eq!(outcome(&report, "chain-root").0, &Outcome::Pass);
}

#[test]
fn a_chain_without_its_root_fails() {
    let good = Case::good();
    let (leaf, inter, _, mut jwk) = chain(true);
    jwk["x5u"] = json!(X5U);
    // certbot's fullchain.pem: leaf and intermediate, no root.
    let case = Case {
        did_document: did_document(&jwk),
        chain: format!("{leaf}{inter}"),
        ..good
    };
    let report = case.run();
    let (o, reason) = outcome(&report, "chain-root");
    assert_eq!(o, &Outcome::Fail);
    assert!(
        reason.contains("ends at CN=Test Intermediate, not at a self-signed root"),
        "{reason}"
    );
    assert_eq!(outcome(&report, "ev").0, &Outcome::Pass);
}

#[test]
fn a_key_that_is_not_the_leafs_fails() {
    let mut case = Case::good();
    let mut other = Value::Object(
        GxKey::generate(Algorithm::Es256)
            .unwrap()
            .public_key()
            .to_jwk(),
    );
    other["x5u"] = json!(X5U);
    case.did_document = did_document(&other);
    let report = case.run();
    let (o, reason) = outcome(&report, "key-leaf");
    assert_eq!(o, &Outcome::Fail);
    assert!(
        reason.contains("not the key of the leaf CN=cloud.example.eu"),
        "{reason}"
    );
}

#[test]
fn x5c_without_x5u_fails() {
    let mut case = Case::good();
    let jwk = &mut case.did_document["verificationMethod"][0]["publicKeyJwk"];
    jwk.as_object_mut().unwrap().remove("x5u");
    jwk["x5c"] = json!(["MIIB..."]);
    let report = case.run();
    let (o, reason) = outcome(&report, "x5u");
    assert_eq!(o, &Outcome::Fail);
    assert!(reason.contains("x5c but no x5u"), "{reason}");
}

#[test]
fn a_missing_criterion_fails_naming_it() {
    let mut case = Case::good();
    for doc in &mut case.credentials {
        if let Some(subject) = doc
            .get_mut("credentialSubject")
            .and_then(Value::as_object_mut)
        {
            subject.remove("subContractors");
        }
    }
    let report = case.run();
    let (o, reason) = outcome(&report, "criteria");
    assert_eq!(o, &Outcome::Fail);
    assert!(
        reason.contains("criterion P1.2.6 (Standard Compliance needs a declaration")
            && reason.contains("no gx:SubContractor node"),
        "{reason}"
    );
    // Label 2: certifications no claim can show.
    let mut case = Case::good();
    case.level = Level::Label2;
    let (o, reason) = outcome(&case.run(), "criteria").clone_pair();
    assert_eq!(o, Outcome::Fail);
    assert!(reason.contains("Label 2 needs a certification"), "{reason}");
}

trait ClonePair {
    fn clone_pair(self) -> (Outcome, String);
}

impl ClonePair for (&Outcome, &str) {
    fn clone_pair(self) -> (Outcome, String) {
        (*self.0, self.1.to_owned())
    }
}

#[test]
fn a_bad_registration_number_and_foreign_tagus_types_fail() {
    let case = Case::good();
    let report = evaluate(&Inputs {
        profile: Profile::Tagus,
        level: Level::StandardCompliance,
        method: METHOD,
        did_document: &case.did_document,
        resolution: None,
        chain: Ok(case.chain.as_bytes().to_vec()),
        registry: Some(Ok(false)),
        registration: (NumberKind::VatId, "DE12345678"),
        credentials: &[json!({
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential"],
            "credentialSubject": {"type": "gx:LegalParticipant"},
            "credentialStatus": {"type": "StatusList2021Entry"}
        })],
        at: "2026-06-01T00:00:00Z".parse().unwrap(),
    });
    assert_eq!(outcome(&report, "did-web").0, &Outcome::Skip);
    assert_eq!(outcome(&report, "registry").0, &Outcome::Fail);
    assert_eq!(outcome(&report, "registration-number").0, &Outcome::Fail);
    let (o, reason) = outcome(&report, "types");
    assert_eq!(o, &Outcome::Fail);
    assert!(reason.contains("StatusList2021Entry"), "{reason}");
    assert_eq!(outcome(&report, "criteria").0, &Outcome::Skip);
}
