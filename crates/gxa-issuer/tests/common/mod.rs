//! Fixtures of the issuer tests: a store per backend (`gxa_testkit::store`), the example
//! key set, the shared SCS data and the example inventory.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    dead_code,
    unreachable_pub,
    reason = "test helpers: a broken fixture must stop the test"
)]

use std::path::{Path, PathBuf};

use gxa_issuer::{InventorySnapshot, Issuer, IssuerConfig};
use gxa_proof::{KeySet, PinnedJsonLd, Resolver, VerificationReport, VerifyOptions};
use gxa_scs::{Limits, Scope};
use gxa_store::Store;
use serde_json::Value;

pub(crate) use gxa_testkit::store::test_dbs;

pub const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
pub const BASE_URL: &str = "https://provider.example";
pub const DID: &str = "did:web:localhost%3A8443";
/// The uploading subject of the shared signed upload.
pub const CLOUD: &str = "example-cloud";

pub fn shared(path: &str) -> Vec<u8> {
    gxa_testkit::shared::bytes(&format!("scs-data/{path}"))
}

pub fn repo(path: &str) -> PathBuf {
    Path::new(REPO).join(path)
}

pub fn scopes() -> Vec<Scope> {
    ["scs-compatible-iaas.yaml", "scs-compatible-kaas.yaml"]
        .iter()
        .map(|f| Scope::from_yaml(&shared(&format!("standards/{f}")), Limits::default()).unwrap())
        .collect()
}

pub fn keys() -> KeySet {
    KeySet::load(&repo("keys.example")).unwrap()
}

pub fn config() -> IssuerConfig {
    let mut config = IssuerConfig::new(format!("{BASE_URL}/"));
    config.scopes = scopes();
    let text = std::fs::read_to_string(repo("examples/provider.toml")).unwrap();
    config.provider =
        Some(gxa_inventory::input::provider::ProviderFile::parse(&text, "provider.toml").unwrap());
    // The shared upload also reports on the cloud's Kubernetes subject.
    config.accounts.insert(
        CLOUD.to_owned(),
        gxa_issuer::Account {
            delegate_of: vec!["example-k8s-*".to_owned()],
            zone: None,
        },
    );
    config
}

pub async fn issuer(store: &Store) -> Issuer {
    Issuer::new(store.clone(), keys(), config()).await.unwrap()
}

/// The shared signed upload, exactly as the SCS test runner sends it.
pub fn upload_body() -> Vec<u8> {
    shared("generated/upload-body.txt")
}

/// Registers `subject` with the key that signed the shared upload.
pub async fn register_cloud(store: &Store, subject: &str) {
    store.register_subject(subject).await.unwrap();
    let key = String::from_utf8(shared("generated/example-signer.pub")).unwrap();
    store.add_ssh_key(subject, key.trim()).await.unwrap();
}

/// A second upload signed with a fresh key (ssh-keygen), whose IaaS report is a minute newer;
/// returns the body and the public key line.
pub fn fresh_upload(dir: &Path, minute: u32) -> (Vec<u8>, String) {
    let key = dir.join(format!("key{minute}"));
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(status.success());
    let report = String::from_utf8(shared("generated/report-iaas.yaml")).unwrap();
    let report = report.replace(
        "checked_at: 2026-11-25 02:17:36.640180",
        &format!("checked_at: 2026-11-25 02:{minute:02}:36.640180"),
    );
    let report_path = dir.join(format!("report{minute}.yaml"));
    std::fs::write(&report_path, &report).unwrap();
    let status = std::process::Command::new("ssh-keygen")
        .args(["-q", "-Y", "sign", "-n", "report", "-f"])
        .arg(&key)
        .arg(&report_path)
        .status()
        .unwrap();
    assert!(status.success());
    let mut signature = report_path.clone().into_os_string();
    signature.push(".sig");
    let mut body = std::fs::read(signature).unwrap();
    body.push(b'&');
    body.extend_from_slice(report.as_bytes());
    let mut public = key.into_os_string();
    public.push(".pub");
    let public = std::fs::read_to_string(public).unwrap();
    (body, public.trim().to_owned())
}

/// The example inventory as a `POST /inventory` snapshot.
pub fn snapshot() -> InventorySnapshot {
    let json = |p: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(repo(p)).unwrap()).unwrap()
    };
    let mut hosts = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(repo("examples/inventory/hosts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for path in names {
        hosts.push(serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap());
    }
    InventorySnapshot {
        openstack: Some(json("examples/inventory/openstack.json")),
        flavor_yaml: Some(
            std::fs::read_to_string(repo("examples/inventory/flavors.yaml")).unwrap(),
        ),
        hosts,
        netbox: Some(json("examples/inventory/netbox.json")),
    }
}

/// Verifies a served credential or presentation against the issuer's DID document.
pub fn verify(issuer: &Issuer, body: &[u8]) -> VerificationReport {
    verify_at(issuer, body, None)
}

/// [`verify`] at a given time (Unix seconds).
pub fn verify_at(issuer: &Issuer, body: &[u8], at: Option<i64>) -> VerificationReport {
    let mut resolver = Resolver::new();
    resolver
        .add_document(issuer.did_document().clone())
        .unwrap();
    let mut options = VerifyOptions::new(&resolver);
    options.canonicalizer = Some(&PinnedJsonLd);
    options.at = at;
    gxa_proof::verify(std::str::from_utf8(body).unwrap(), &options).unwrap()
}

/// The unsigned document of a stored body (JSON-LD, or the vc+jwt / vp+jwt payload).
pub fn document(body: &[u8]) -> Value {
    use base64::Engine as _;
    if body.first() == Some(&b'{') {
        return serde_json::from_slice(body).unwrap();
    }
    let text = std::str::from_utf8(body).unwrap();
    let payload = text.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}
