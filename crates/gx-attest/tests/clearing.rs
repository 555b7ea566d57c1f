//! Issue 8 acceptance, "Clearing-house client and compliance role tested against each other,
//! both profiles": two real `gx-attest serve` processes over HTTPS on loopback (a test CA for
//! TLS; each with its own key set, did:web identity and x5u chain, the chains' roots trusted by
//! the other side):
//!
//! * a **compliance** process (`--role compliance,registry`): did:web, x5u, the compliance
//!   v1/v2 and notary v1/v2 routes, the registry's trust-anchor API and a CES;
//! * a **provider** process with the example inventory issued and a `[clearing]` section
//!   pointing at the compliance process.
//!
//! `gx-attest clearing submit` (reading the provider's configuration) obtains the notary's
//! registration-number credential and the compliance credential in Loire and Tagus; both are
//! fetched back from the provider's stable URLs, verified online by `gx-attest verify`, and
//! their `gx:digestSRI` / `gx:integrity` values recomputed here from the credentials as served
//! (SHA-256 of the RFC 8785 form). Then the client's typed errors for the compliance service's
//! documented answers: a tampered presentation, one without a registration number, one with a
//! number from an untrusted notary (the self-issued one), a path that is no level, a bad
//! registration number at the notary. Labels: level 1 issued on the example's claims, level 2
//! refused naming each certification criterion, levels 2 and 3 issued with a trusted
//! assessment body's `CriteriaCertification` presented from `[clearing] certifications`. The
//! pre-flight as `GET /clearing/check`, and the notary's country-company-number kind. All along
//! the provider publishes its change log to the compliance process's CES (`[ces]`, `POST
//! /v2/credentials-events` verifying each credential over https), both processes SIGKILLed
//! and restarted on the way: at the end every entry is delivered and the CES holds each event
//! once, in log order. Finally renewal with a short validity (30 s credentials,
//! a 20 s window): the provider's scheduler re-submits before expiry, and the new credential
//! supersedes the old one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine as _;
use gxa_clearing::{ClearingError, Profile, ServiceAnswer};
use gxa_testkit::http::free_port;
use gxa_testkit::paths::{examples, toml_path};
use gxa_testkit::process::Process;
use gxa_testkit::tls::{root_of_chain, tls_files};
use serde_json::Value;
use sha2::{Digest as _, Sha256};

const PARTICIPANT: &str = "example-cloud";

fn gx_attest() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gx-attest"))
}

/// A running `gx-attest serve`; killed when dropped.
struct Server {
    process: Process,
}

impl Server {
    fn start(config: &Path, https_port: u16, log: &Path, role: &str) -> Self {
        let mut process = Process::spawn(
            gx_attest()
                .args(["serve", "--role", role, "--config"])
                .arg(config)
                .env("RUST_LOG", "info"),
            log,
        );
        process.wait_until(role, Duration::from_secs(60), || {
            std::net::TcpStream::connect(("127.0.0.1", https_port)).is_ok()
        });
        Self { process }
    }

    fn log_text(&self) -> String {
        self.process.log_text()
    }
}

/// Everything both processes need.
struct Setup {
    dir: tempfile::TempDir,
    compliance_port: u16,
    provider_port: u16,
    compliance_did: String,
    provider_did: String,
    tls_ca: PathBuf,
    anchors: PathBuf,
    provider_config: PathBuf,
}

impl Setup {
    fn provider_toml(&self, renewal: &str) -> String {
        let d = self.dir.path();
        let provider = d.join("provider");
        format!(
            r#"
listen = "127.0.0.1:0"
base_url = "https://localhost:{pp}"
data_dir = "{data}"
key_set = "{keys}"
profiles = ["tagus", "loire"]
provider = "{provider_toml}"

[limits]
reissue_interval_secs = 0

[tls]
listen = "127.0.0.1:{pp}"
cert = "{cert}"
key = "{key}"

[verify]
trust_anchors = "{anchors}"
allow_hosts = ["localhost"]
extra_ca = "{ca}"

[clearing]
participant = "{PARTICIPANT}"
compliance_url = "https://localhost:{cp}"
compliance_did = "{cdid}"
notary_url = "https://localhost:{cp}/"
registration_type = "vat-id"
registration_number = "DE123456789"
profiles = ["loire", "tagus"]
registry_url = "https://localhost:{cp}"
extra_ca = "{ca}"
attempts = 2
backoff_ms = 100
{renewal}

[ces]
publish = ["https://localhost:{cp}/v2/credentials-events"]
interval_secs = 1
extra_ca = "{ca}"
"#,
            pp = self.provider_port,
            cp = self.compliance_port,
            cdid = self.compliance_did,
            data = toml_path(&provider.join("data")),
            keys = toml_path(&provider.join("keys")),
            provider_toml = toml_path(&provider.join("demo-provider.toml")),
            cert = toml_path(&d.join("tls/cert.pem")),
            key = toml_path(&d.join("tls/key.pem")),
            anchors = toml_path(&self.anchors),
            ca = toml_path(&self.tls_ca),
        )
    }
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_owned();
    let compliance_port = free_port();
    let provider_port = free_port();
    let compliance_did = format!("did:web:localhost%3A{compliance_port}");
    let provider_did = format!("did:web:localhost%3A{provider_port}");
    let (tls_ca, cert, key) = tls_files(&d.join("tls"), "gx-attest clearing test TLS CA");
    for (name, did) in [("compliance", &compliance_did), ("provider", &provider_did)] {
        std::fs::create_dir_all(d.join(name).join("data")).unwrap();
        gxa_proof::generate_keyset(gxa_proof::Algorithm::EdDsa, did, &d.join(name).join("keys"))
            .unwrap();
    }
    // Each side trusts both key sets' roots (its own, to verify what it issued itself).
    let anchors = d.join("anchors.pem");
    std::fs::write(
        &anchors,
        root_of_chain(&d.join("compliance/keys/x509CertificateChain.pem"))
            + &root_of_chain(&d.join("provider/keys/x509CertificateChain.pem")),
    )
    .unwrap();
    let compliance_config = d.join("compliance.toml");
    std::fs::write(
        &compliance_config,
        format!(
            r#"
listen = "127.0.0.1:0"
base_url = "https://localhost:{cp}"
data_dir = "{data}"
key_set = "{keys}"
role = "compliance,registry"

[limits]
reissue_interval_secs = 0

[tls]
listen = "127.0.0.1:{cp}"
cert = "{cert}"
key = "{key}"

# It is also the federation's registry of trust anchors (the registry role).
[registry]
trust_anchors = "{anchors}"

# Its CES endpoint and registry fetch and verify with these.
[verify]
trust_anchors = "{anchors}"
allow_hosts = ["localhost"]
extra_ca = "{ca}"

[compliance]
trust_anchors = "{anchors}"
allow_hosts = ["localhost"]
extra_ca = "{ca}"
trusted_assessors = ["{cdid}"]
"#,
            cp = compliance_port,
            cdid = compliance_did,
            data = toml_path(&d.join("compliance/data")),
            keys = toml_path(&d.join("compliance/keys")),
            cert = toml_path(&cert),
            key = toml_path(&key),
            anchors = toml_path(&anchors),
            ca = toml_path(&tls_ca),
        ),
    )
    .unwrap();
    gxa_service::demo::write_provider(
        &examples(),
        &d.join("provider"),
        &provider_did,
        &format!("https://localhost:{provider_port}"),
    )
    .unwrap();
    let setup = Setup {
        dir,
        compliance_port,
        provider_port,
        compliance_did,
        provider_did,
        tls_ca,
        anchors,
        provider_config: d.join("provider.toml"),
    };
    std::fs::write(
        &setup.provider_config,
        setup.provider_toml("renewal_interval_secs = 0"),
    )
    .unwrap();
    // The provider's inventory credentials (both profiles), issued before it starts serving.
    let config = gxa_service::Config::from_file(&setup.provider_config).unwrap();
    let prepared = gxa_service::prepare(config).await.unwrap();
    prepared
        .state
        .store()
        .register_subject(PARTICIPANT)
        .await
        .unwrap();
    let snapshot = gxa_service::demo::example_inventory(&examples()).unwrap();
    let outcome = prepared
        .state
        .issuer()
        .submit_inventory(PARTICIPANT, &snapshot)
        .await
        .unwrap();
    assert!(!outcome.issued.is_empty());
    prepared.state.store().close().await;
    setup
}

/// GET over https through the guarded fetcher (the test CA trusted, localhost allowed).
async fn fetch(setup: &Setup, url: &str, accept: &str) -> Vec<u8> {
    try_fetch(setup, url, accept)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

/// [`fetch`], the error as text (an HTTP error status is `HTTP status N`).
async fn try_fetch(setup: &Setup, url: &str, accept: &str) -> Result<Vec<u8>, String> {
    use rustls_pki_types::pem::PemObject as _;
    let roots = rustls_pki_types::CertificateDer::pem_file_iter(&setup.tls_ca)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let fetcher = gxa_fetch::Fetcher::new(gxa_fetch::FetchPolicy {
        allowed_hosts: vec!["localhost".to_owned()],
        extra_roots: roots,
        cache_entries: 0,
        ..gxa_fetch::FetchPolicy::default()
    })
    .unwrap();
    fetcher
        .get(url, accept)
        .await
        .map(|r| r.body.to_vec())
        .map_err(|e| e.to_string())
}

fn jwt_payload(jwt: &str) -> Value {
    let payload = jwt.trim().split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

/// `"sha256-" + hex(sha256(RFC 8785 JCS(value)))`, computed here independently of gxa-clearing.
fn sha256_jcs(value: &Value) -> String {
    let canonical = serde_json_canonicalizer::to_vec(value).unwrap();
    format!("sha256-{}", hex::encode(Sha256::digest(canonical)))
}

/// `gx-attest verify --online` of a file, trusting the setup's anchors and TLS CA.
fn verify_online(setup: &Setup, body: &[u8], name: &str) {
    let file = setup.dir.path().join(name);
    std::fs::write(&file, body).unwrap();
    let out = gx_attest()
        .args(["verify", "--online", "--allow-host", "localhost", "--ca"])
        .arg(&setup.tls_ca)
        .arg("--trust-anchors")
        .arg(&setup.anchors)
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "gx-attest verify {name}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn client(setup: &Setup) -> (gxa_clearing::client::ClearingClient, gxa_store::Store) {
    let config = gxa_service::Config::from_file(&setup.provider_config).unwrap();
    let store = gxa_service::open_store(&config).await.unwrap();
    let client = gxa_service::clearing::client(&config, store.clone())
        .await
        .unwrap()
        .unwrap();
    (client, store)
}

fn slot(what: &str, profile: &str) -> String {
    format!("clearing/{PARTICIPANT}/{what}/{profile}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clearing_house_round_trip_both_profiles() {
    let setup = setup().await;
    let d = setup.dir.path();
    let compliance = Server::start(
        &d.join("compliance.toml"),
        setup.compliance_port,
        &d.join("compliance.log"),
        "compliance,registry",
    );
    let provider = Server::start(
        &setup.provider_config,
        setup.provider_port,
        &d.join("provider.log"),
        "provider",
    );

    // Pre-flight, online against the running provider (its did:web and x5u over https): every
    // check reported; the development key's certificate is no EV certificate, so `ev` fails
    // and the exit code is 1; the rest of what a clearing house checks holds.
    for offline in [false, true] {
        let mut cmd = gx_attest();
        cmd.args(["clearing", "check", "--profile", "loire", "--config"])
            .arg(&setup.provider_config);
        if offline {
            cmd.arg("--offline");
        }
        let out = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_eq!(
            out.status.code(),
            Some(1),
            "clearing check: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = |name: &str| {
            text.lines()
                .find(|l| l.split_whitespace().nth(1) == Some(name))
                .unwrap_or_else(|| panic!("no {name} line in {text}"))
                .to_owned()
        };
        assert!(text.starts_with("# loire SC\n"), "{text}");
        assert!(line("ev").starts_with("fail"), "{text}");
        assert!(line("ev").contains("no EV policy 2.23.140.1.1"), "{text}");
        for pass in [
            "x5u",
            "key-leaf",
            "registration-number",
            "shapes",
            "criteria",
        ] {
            assert!(line(pass).starts_with("pass"), "{pass}: {text}");
        }
        let did_web = line("did-web");
        if offline {
            assert!(did_web.starts_with("skip"), "{text}");
        } else {
            assert!(
                did_web.starts_with("pass") && did_web.contains("https://localhost:"),
                "{text}"
            );
        }
        // The compliance process is also the federation's registry: asked online, not offline.
        let registry = line("registry");
        if offline {
            assert!(registry.starts_with("skip"), "{text}");
        } else {
            assert!(registry.starts_with("pass"), "{text}");
        }
        assert!(line("types").starts_with("skip"), "{text}");
    }

    // The same pre-flight as the provider's endpoint: both configured profiles by default,
    // each check with its outcome; a level and offline on request; bad parameters a 400.
    let base = format!("https://localhost:{}/clearing/check", setup.provider_port);
    let answer: Value =
        serde_json::from_slice(&fetch(&setup, &base, "application/json").await).unwrap();
    assert_eq!(answer["passed"], false, "{answer}");
    assert_eq!(answer["offline"], false);
    let reports = answer["reports"].as_array().unwrap();
    let profiles: Vec<&str> = reports
        .iter()
        .map(|r| r["profile"].as_str().unwrap())
        .collect();
    assert_eq!(profiles, ["loire", "tagus"], "{answer}");
    let outcome = |report: &Value, name: &str| -> (String, String) {
        let check = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {report}"));
        (
            check["outcome"].as_str().unwrap().to_owned(),
            check["reason"].as_str().unwrap().to_owned(),
        )
    };
    for report in reports {
        let (ev, why) = outcome(report, "ev");
        assert_eq!(ev, "fail", "{why}");
        assert!(why.contains("no EV policy 2.23.140.1.1"), "{why}");
        for pass in [
            "x5u",
            "key-leaf",
            "registration-number",
            "did-web",
            "registry",
        ] {
            assert_eq!(outcome(report, pass).0, "pass", "{pass}: {report}");
        }
        // Tagus needs the notary's gx:legalRegistrationNumber, which only the submission
        // obtains: before it, the shapes name it.
        let (shapes, why) = outcome(report, "shapes");
        if report["profile"] == "loire" {
            assert_eq!(shapes, "pass", "{why}");
        } else {
            assert!(
                shapes == "fail" && why.contains("legalRegistrationNumber"),
                "{why}"
            );
        }
    }
    let label2: Value = serde_json::from_slice(
        &fetch(
            &setup,
            &format!("{base}?profile=loire&level=L2&offline=true"),
            "application/json",
        )
        .await,
    )
    .unwrap();
    let report = &label2["reports"][0];
    assert_eq!(
        (report["profile"].as_str(), report["level"].as_str()),
        (Some("loire"), Some("L2"))
    );
    assert_eq!(label2["offline"], true);
    assert_eq!(outcome(report, "did-web").0, "skip");
    let (criteria, why) = outcome(report, "criteria");
    assert_eq!(criteria, "fail");
    assert!(why.contains("Label 2"), "{why}");
    for bad in [
        "?profile=loire2",
        "?level=L4",
        "?offline=maybe",
        "?unknown=1",
    ] {
        let err = try_fetch(&setup, &format!("{base}{bad}"), "application/json")
            .await
            .unwrap_err();
        assert!(err.contains("HTTP status 400"), "{bad}: {err}");
    }

    // The registry's trust-anchor API: the provider's x5u chain ends at an anchor (by URL and
    // in the body); the TLS test CA's chain does not; a URL the fetch policy refuses is a
    // false with the reason; a body that is no such request is a 400 problem.
    let registry = format!(
        "https://localhost:{}/v2/api/trustAnchor",
        setup.compliance_port
    );
    let x5u = format!(
        "https://localhost:{}/.well-known/x509CertificateChain.pem",
        setup.provider_port
    );
    let post = |path: String, body: Value| {
        let ca = setup.tls_ca.clone();
        async move {
            let out = Command::new("curl")
                .args(["-sS", "-X", "POST", "--cacert"])
                .arg(&ca)
                .args([
                    "-H",
                    "Content-Type: application/json",
                    "--data-binary",
                    &body.to_string(),
                    "-w",
                    "\n%{http_code}",
                ])
                .arg(&path)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let (json, status) = text.rsplit_once('\n').unwrap();
            (
                status.to_owned(),
                serde_json::from_str::<Value>(json).unwrap_or(Value::Null),
            )
        }
    };
    let (status, answer) = post(
        format!("{registry}/chain/file"),
        serde_json::json!({"uri": x5u}),
    )
    .await;
    assert_eq!(
        (status.as_str(), &answer["result"]),
        ("200", &Value::Bool(true)),
        "{answer}"
    );
    let pem = std::fs::read_to_string(d.join("provider/keys/x509CertificateChain.pem")).unwrap();
    let (_, answer) = post(
        format!("{registry}/chain"),
        serde_json::json!({"certs": pem}),
    )
    .await;
    assert_eq!(answer["result"], true, "{answer}");
    let tls = std::fs::read_to_string(d.join("tls/cert.pem")).unwrap();
    let (_, answer) = post(
        format!("{registry}/chain"),
        serde_json::json!({"certs": tls}),
    )
    .await;
    assert_eq!(answer["result"], false, "{answer}");
    assert!(
        answer["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{answer}"
    );
    let (_, answer) = post(
        format!("{registry}/chain/file"),
        serde_json::json!({"uri": "https://127.0.0.1:1/chain.pem"}),
    )
    .await;
    assert_eq!(answer["result"], false, "{answer}");
    for bad in [
        serde_json::json!({"url": x5u}),
        serde_json::json!([1]),
        serde_json::json!({"certs": 3}),
    ] {
        let (status, answer) = post(format!("{registry}/chain/file"), bad.clone()).await;
        let (status2, _) = post(format!("{registry}/chain"), bad).await;
        assert_eq!(
            (status.as_str(), status2.as_str()),
            ("400", "400"),
            "{answer}"
        );
        assert_eq!(answer["status"], 400);
    }

    // One-shot round trip, both profiles.
    let out = gx_attest()
        .args(["clearing", "submit", "--config"])
        .arg(&setup.provider_config)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "clearing submit: {}\ncompliance log: {}\nprovider log: {}",
        String::from_utf8_lossy(&out.stderr),
        compliance.log_text(),
        provider.log_text()
    );
    let ids: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    let base = format!("https://localhost:{}/credentials/", setup.provider_port);
    for id in &ids {
        assert!(id.starts_with(&base), "{id} is not under our base URL");
    }

    // Loire: a gx:LabelCredential served at its id, signed by the compliance service.
    let loire = String::from_utf8(fetch(&setup, &ids[0], "application/vc+jwt").await).unwrap();
    verify_online(&setup, loire.as_bytes(), "label.jwt");
    let label = jwt_payload(&loire);
    assert_eq!(label["id"], ids[0].as_str());
    assert_eq!(label["issuer"], setup.compliance_did.as_str());
    assert_eq!(label["type"][1], "gx:LabelCredential");
    let subject = &label["credentialSubject"];
    assert_eq!(subject["gx:labelLevel"], "SC");
    assert!(subject["gx:engineVersion"].is_string());
    assert_eq!(subject["gx:rulesVersion"], "CD24.11");
    // The example offering shows every criterion of standard compliance that claims can show.
    let validated: Vec<&str> = subject["gx:validatedCriteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(validated.contains(
        &"https://docs.gaia-x.eu/policy-rules-committee/compliance-document/24.11/criteria_cloud_services/#P1.1.1"
    ));
    assert!(
        !validated.iter().any(|c| c.ends_with("#P1.2.1")),
        "declared only, not a claim"
    );
    let from: jiff::Timestamp = label["validFrom"].as_str().unwrap().parse().unwrap();
    let until: jiff::Timestamp = label["validUntil"].as_str().unwrap().parse().unwrap();
    assert!(until > from);
    let entries = subject["gx:compliantCredentials"].as_array().unwrap();
    let mut types = Vec::new();
    for entry in entries {
        let id = entry["id"].as_str().unwrap();
        assert!(id.starts_with(&base), "{id}");
        let jwt = String::from_utf8(fetch(&setup, id, "application/vc+jwt").await).unwrap();
        let payload = jwt_payload(&jwt);
        assert_eq!(
            entry["gx:digestSRI"].as_str().unwrap(),
            sha256_jcs(&payload),
            "digestSRI of {id}"
        );
        if entry["type"] == "gx:VatID" {
            assert_eq!(
                payload["issuer"],
                setup.compliance_did.as_str(),
                "notarised"
            );
            assert_eq!(payload["credentialSubject"]["gx:vatID"], "DE123456789");
            assert_eq!(payload["credentialSubject"]["gx:countryCode"], "DE");
            assert_eq!(
                payload["evidence"]["gx:evidenceURL"],
                gxa_clearing::notary::LOCAL_CHECK_EVIDENCE
            );
        } else {
            assert_eq!(payload["issuer"], setup.provider_did.as_str());
        }
        types.push(entry["type"].as_str().unwrap().to_owned());
    }
    for t in ["gx:LegalPerson", "gx:VatID", "gx:Issuer"] {
        assert!(types.iter().any(|x| x == t), "{t} not in {types:?}");
    }
    assert!(
        !types.iter().any(|x| x == "gx:LeiCode"),
        "the self-issued numbers are not presented: {types:?}"
    );

    // Tagus: gx:compliance subjects with gx:integrity over each credential as sent.
    let tagus = fetch(&setup, &ids[1], "application/vc+ld+json").await;
    verify_online(&setup, &tagus, "compliance.json");
    let tagus: Value = serde_json::from_slice(&tagus).unwrap();
    assert_eq!(tagus["id"], ids[1].as_str());
    assert_eq!(tagus["issuer"], setup.compliance_did.as_str());
    assert_eq!(tagus["proof"]["type"], "JsonWebSignature2020");
    let mut types = Vec::new();
    for entry in tagus["credentialSubject"].as_array().unwrap() {
        assert_eq!(entry["type"], "gx:compliance");
        assert_eq!(entry["gx:integrityNormalization"], "RFC8785:JCS");
        assert_eq!(entry["gx:version"], "22.10");
        let id = entry["id"].as_str().unwrap();
        let vc: Value =
            serde_json::from_slice(&fetch(&setup, id, "application/vc+ld+json").await).unwrap();
        assert!(vc["proof"].is_object(), "hashed with its proof");
        assert_eq!(
            entry["gx:integrity"].as_str().unwrap(),
            sha256_jcs(&vc),
            "{id}"
        );
        types.push(entry["gx:type"].as_str().unwrap().to_owned());
    }
    for t in [
        "gx:LegalParticipant",
        "gx:legalRegistrationNumber",
        "gx:GaiaXTermsAndConditions",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} not in {types:?}");
    }

    // The compliance service's documented refusals, surfaced as typed errors.
    let (client, store) = client(&setup).await;
    for profile in [Profile::Loire, Profile::Tagus] {
        let registration = store
            .current_in_slot(&slot("registration", profile.as_str()))
            .await
            .unwrap()
            .unwrap();
        let refused = |err: ClearingError| -> ServiceAnswer {
            match err {
                ClearingError::Rejected {
                    service, answer, ..
                } => {
                    assert_eq!(service, "compliance");
                    answer
                }
                other => panic!("{profile:?}: expected a refusal, got {other:?}"),
            }
        };
        let expect_shape = |answer: &ServiceAnswer| match (profile, answer) {
            (Profile::Loire, ServiceAnswer::V2 { status: 400, .. })
            | (Profile::Tagus, ServiceAnswer::V1 { status: 409, .. }) => {}
            other => panic!("{profile:?}: not the documented error shape: {other:?}"),
        };

        // No registration number.
        let (vp, _) = client.presentation_with(profile, None).await.unwrap();
        let answer = refused(
            client
                .submit_presentation(profile, &vp, "")
                .await
                .unwrap_err(),
        );
        expect_shape(&answer);
        // Loire: the rule; Tagus: already the shapes (the participant's
        // gx:legalRegistrationNumber points at a node that is not there), as GXDCH v1 checks
        // SHACL before its business rules.
        assert!(
            answer.reasons().iter().any(|r| match profile {
                Profile::Loire => r.contains("no registration number credential"),
                Profile::Tagus =>
                    r.contains("shapes fail") && r.contains("legalRegistrationNumber"),
            }),
            "{answer}"
        );

        // A registration number from an untrusted notary: the participant's own.
        let own = store
            .slots_of_subject(PARTICIPANT)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, c)| c)
            .find(|c| {
                c.profile == profile.as_str()
                    && c.issuer == setup.provider_did
                    && c.types
                        .iter()
                        .any(|t| t == "gx:VatID" || t == "gx:legalRegistrationNumber")
            })
            .unwrap();
        let (vp, _) = client.presentation_with(profile, Some(&own)).await.unwrap();
        let answer = refused(
            client
                .submit_presentation(profile, &vp, "")
                .await
                .unwrap_err(),
        );
        expect_shape(&answer);
        assert!(
            answer
                .reasons()
                .iter()
                .any(|r| r.contains("which is not a trusted notary")),
            "{answer}"
        );

        // A tampered presentation: one credential changed after signing.
        let (vp, _) = client
            .presentation_with(profile, Some(&registration))
            .await
            .unwrap();
        let tampered = match profile {
            Profile::Tagus => vp.replacen("Example Cloud GmbH", "Example Cloud AG", 1),
            Profile::Loire => {
                // Flip one character of the presentation's signature.
                let at = vp.trim().len() - 5;
                let mut bytes = vp.trim().as_bytes().to_vec();
                bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
                String::from_utf8(bytes).unwrap()
            }
        };
        assert_ne!(tampered, vp);
        let answer = refused(
            client
                .submit_presentation(profile, &tampered, "")
                .await
                .unwrap_err(),
        );
        expect_shape(&answer);
        assert!(
            answer.reasons()[0].contains("does not verify")
                || answer.reasons().iter().any(|r| r.contains("proof")),
            "{answer}"
        );
    }

    // Labels. The example offering shows every declaration of Label 1: issued, with the
    // criteria it validated. Label 2 asks for certifications no claim shows: refused, naming
    // each criterion and the level.
    let label_client = |level: &str, certifications: Vec<PathBuf>| {
        let mut config = gxa_service::Config::from_file(&setup.provider_config).unwrap();
        let section = config.clearing.as_mut().unwrap();
        section.level = level.to_owned();
        section.certifications = certifications;
        let store = store.clone();
        async move {
            gxa_service::clearing::client(&config, store)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let table = gxa_criteria::Criteria::pinned().unwrap();
    let l1 = label_client("L1", Vec::new()).await;
    let submitted = l1.submit(Profile::Loire).await.unwrap();
    let label = jwt_payload(
        std::str::from_utf8(&fetch(&setup, &submitted.credential_id, "application/vc+jwt").await)
            .unwrap(),
    );
    assert_eq!(label["credentialSubject"]["gx:labelLevel"], "L1");
    // `gx-attest verify --registry`: the chain judged by the federation's registry instead of
    // local anchors; with --require-ev the development certificate is refused.
    let label_file = d.join("label-l1.jwt");
    std::fs::write(
        &label_file,
        fetch(&setup, &submitted.credential_id, "application/vc+jwt").await,
    )
    .unwrap();
    let registry_url = format!("https://localhost:{}", setup.compliance_port);
    for (ev, code, says) in [
        (false, 0, "accepted by registry"),
        (true, 1, "no EV policy 2.23.140.1.1"),
    ] {
        let mut cmd = gx_attest();
        cmd.args(["verify", "--online", "--allow-host", "localhost", "--ca"])
            .arg(&setup.tls_ca)
            .args(["--registry", &registry_url, "--json"])
            .arg(&label_file);
        if ev {
            cmd.arg("--require-ev");
        }
        let out = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains(says), "{text}");
    }
    let validated = label["credentialSubject"]["gx:validatedCriteria"]
        .as_array()
        .unwrap();
    for id in ["P1.3.1", "P6.1.2", "P6.1.3", "P6.1.4"] {
        let url = &table.get(id).unwrap().url;
        assert!(validated.iter().any(|v| v == url), "{id}: {label}");
    }
    let answer = match label_client("L2", Vec::new())
        .await
        .submit(Profile::Loire)
        .await
        .unwrap_err()
    {
        ClearingError::Rejected {
            service: "compliance",
            answer: answer @ ServiceAnswer::V2 { status: 400, .. },
            ..
        } => answer,
        other => panic!("L2: expected the compliance service's 400, got {other:?}"),
    };
    let certification_criteria: Vec<String> = table
        .all()
        .iter()
        .filter(|c| {
            [gxa_criteria::Level::Label2, gxa_criteria::Level::Label3]
                .iter()
                .any(|l| c.requirement(*l) == gxa_criteria::Requirement::Certification)
        })
        .map(|c| c.id.clone())
        .collect();
    let reasons = answer.reasons();
    let label2 = gxa_criteria::Level::Label2;
    for c in table.required(label2) {
        if c.requirement(label2) == gxa_criteria::Requirement::Certification {
            let prefix = format!("criterion {} (Label 2 needs a certification", c.id);
            assert!(
                reasons.iter().any(|r| r.starts_with(&prefix)),
                "{}: {answer}",
                c.id
            );
        }
    }

    // Labels 2 and 3 with a conformity assessment body's certification of those criteria for
    // the offering: a CriteriaCertification credential the body signs as a VC-JWT (here the
    // clearing house's own key set plays the body, trusted in [compliance] trusted_assessors),
    // presented from [clearing] certifications.
    let now = jiff::Timestamp::now();
    let offering = format!(
        "https://localhost:{}/vm-offering.json#cs",
        setup.provider_port
    );
    let certification = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/gx-attest/certification/v1"],
        "id": format!("https://localhost:{}/certifications/eucs-high-1", setup.compliance_port),
        "type": ["VerifiableCredential", "CriteriaCertification"],
        "issuer": setup.compliance_did,
        "validFrom": (now - jiff::SignedDuration::from_hours(24)).to_string(),
        "validUntil": (now + jiff::SignedDuration::from_hours(24 * 365)).to_string(),
        "credentialSubject": {
            "id": offering,
            "certifiedCriteria": certification_criteria,
            "certificationStandard": "EUCS High",
            "certificateUrl": "https://cab.example/certificates/eucs-high-1.pdf",
            "certificateDigest": "sha256-9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        },
    });
    let unsigned = d.join("certification.json");
    std::fs::write(&unsigned, certification.to_string()).unwrap();
    let out = gxa_testkit::process::run_ok(
        gx_attest()
            .args(["sign", "--suite", "vc-jwt", "--key"])
            .arg(d.join("compliance/keys"))
            .arg(&unsigned),
    );
    let signed = d.join("certification.jwt");
    std::fs::write(&signed, &out.stdout).unwrap();
    for level in ["L2", "L3"] {
        let client = label_client(level, vec![signed.clone()]).await;
        let submitted = client
            .submit(Profile::Loire)
            .await
            .unwrap_or_else(|e| panic!("{level}: {e}"));
        let label = jwt_payload(
            std::str::from_utf8(
                &fetch(&setup, &submitted.credential_id, "application/vc+jwt").await,
            )
            .unwrap(),
        );
        let subject = &label["credentialSubject"];
        assert_eq!(subject["gx:labelLevel"], level, "{label}");
        let validated = subject["gx:validatedCriteria"].as_array().unwrap();
        let level: gxa_criteria::Level = level.parse().unwrap();
        for c in table.required(level) {
            if c.requirement(level) == gxa_criteria::Requirement::Certification {
                assert!(
                    validated.iter().any(|v| *v == c.url),
                    "{} not validated",
                    c.id
                );
            }
        }
        // The certification is one of the compliant credentials, by its digest.
        assert!(
            subject["gx:compliantCredentials"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["id"] == certification["id"]),
            "{label}"
        );
    }
    // Not a CriteriaCertification: refused when the configuration is read.
    let mut config = gxa_service::Config::from_file(&setup.provider_config).unwrap();
    config.clearing.as_mut().unwrap().certifications = vec![unsigned.clone()];
    let Err(err) = gxa_service::clearing::client(&config, store.clone()).await else {
        panic!("a JSON file is no certification JWT");
    };
    assert!(err.to_string().contains("not a compact JWT"), "{err}");

    // Not a compliance level: a problem, not a credential.
    let out = Command::new("curl")
        .args(["-sS", "-X", "POST", "--cacert"])
        .arg(&setup.tls_ca)
        .args([
            "-H",
            "Content-Type: application/vp+jwt",
            "--data-binary",
            "a.b.c",
            "-w",
            "\n%{http_code} %{content_type}",
        ])
        .arg(format!(
            "https://localhost:{}/v2/api/credential-offers/label-level-9?vcid=https://x.example/1",
            setup.compliance_port
        ))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.ends_with("404 application/problem+json")
            && text.contains("is not a compliance level"),
        "{text}"
    );

    // A registration number the notary refuses (format), as the notary's typed answer.
    let mut config = gxa_service::Config::from_file(&setup.provider_config).unwrap();
    if let Some(c) = config.clearing.as_mut() {
        c.registration_number = "DE12345678".to_owned();
        c.renewal_window_days = 400;
    }
    let bad = gxa_service::clearing::client(&config, store.clone())
        .await
        .unwrap()
        .unwrap();
    match bad.registration(Profile::Loire).await.unwrap_err() {
        ClearingError::Rejected {
            service, answer, ..
        } => {
            assert_eq!(service, "notary");
            assert_eq!(answer.status(), 400);
            assert!(
                answer.reasons()[0].contains("does not have the form of a DE VAT number"),
                "{answer}"
            );
        }
        other => panic!("expected the notary's refusal, got {other:?}"),
    }

    // The notary's country-company-number kind (Loire): `CC:QUALIFIER:NUMBER` in the path,
    // a gx:CountryCompanyNumber subject, verified online like every notarised number.
    let encode = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let vc_id = format!("https://localhost:{}/ccn.json", setup.provider_port);
    let subject = format!("https://localhost:{}/lrn-ccn.json#cs", setup.provider_port);
    let url = format!(
        "https://localhost:{}/v2/registration-numbers/country-company-number/{}?vcId={}&subjectId={}",
        setup.compliance_port,
        encode("DE:HRB:123456 B"),
        encode(&vc_id),
        encode(&subject),
    );
    let jwt = fetch(&setup, &url, "application/vc+jwt").await;
    let payload = jwt_payload(std::str::from_utf8(&jwt).unwrap());
    assert_eq!(payload["id"], vc_id.as_str());
    assert_eq!(payload["issuer"], setup.compliance_did.as_str());
    assert_eq!(payload["name"], "Country Company Number");
    let cs = &payload["credentialSubject"];
    assert_eq!(cs["id"], subject.as_str());
    assert_eq!(cs["type"], "gx:CountryCompanyNumber");
    assert_eq!(cs["gx:countryCode"], "DE");
    assert_eq!(cs["gx:companyNumberQualifier"], "HRB");
    assert_eq!(cs["gx:countryCompanyNumber"], "123456 B");
    verify_online(&setup, &jwt, "ccn.jwt");
    // A Tagus client cannot ask for one: refused when the configuration is read.
    let mut config = gxa_service::Config::from_file(&setup.provider_config).unwrap();
    if let Some(c) = config.clearing.as_mut() {
        c.registration_type = "country-company-number".to_owned();
        c.registration_number = "DE:HRB:123456 B".to_owned();
    }
    let Err(err) = gxa_service::clearing::client(&config, store.clone()).await else {
        panic!("a Tagus profile with a country company number must be refused");
    };
    assert!(err.to_string().contains("has no Tagus form"), "{err}");

    // The CLI surfaces a refusal as exit 2 with the service's answer.
    let bad_config = d.join("provider-bad-number.toml");
    std::fs::write(
        &bad_config,
        setup
            .provider_toml("renewal_interval_secs = 0\nrenewal_window_days = 400")
            .replace("\"DE123456789\"", "\"DE12345678\""),
    )
    .unwrap();
    let out = gx_attest()
        .args(["clearing", "submit", "--profile", "loire", "--config"])
        .arg(&bad_config)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains("the notary service at https://localhost:")
            && stderr.contains("HTTP 400")
            && stderr.contains("does not have the form of a DE VAT number"),
        "{stderr}"
    );

    // Nothing is due right after the submission (window 14 days, validity 90 days).
    let summary = client.renew_due(jiff::Timestamp::now()).await.unwrap();
    assert!(summary.renewed.is_empty() && summary.failed.is_empty());

    // Renewal with a short validity: the compliance service restarted to issue 30-second
    // credentials, the provider restarted with a 20-second renewal window and a scheduler
    // looking every second. The 90-day credential is not due; a fresh 30-second one is, 10
    // seconds after its issuance, and the scheduler replaces it before it expires.
    // The Loire compliance credential now current (the last label obtained above).
    let not_due = store
        .current_in_slot(&slot("compliance", "loire"))
        .await
        .unwrap()
        .unwrap()
        .id;
    // A SIGKILL exactly between commit and send: with the CES (the compliance process) down,
    // a change is committed in the provider's store (the Tagus compliance credential revoked,
    // as its revoke route does: the change and its log entry in one transaction), the
    // provider's publisher tries to send it and fails (pending ≥ 1, one more failure), and
    // then the provider is SIGKILLed. After both restart the event is answered (the CES takes
    // credentials, so it refuses a revocation notice for good: `refused` grows) and nothing
    // stays pending (checked below with the rest of the log).
    let metrics_url = format!("https://localhost:{}/metrics", setup.provider_port);
    let target = format!(
        "https://localhost:{}/v2/credentials-events",
        setup.compliance_port
    );
    let ces_gauge = |text: &str, kind: &str| -> u64 {
        let prefix = format!("gxa_ces_delivery{{target=\"{target}\",kind=\"{kind}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .map_or(0, |n| n.parse().unwrap())
    };
    drop(compliance);
    let text = String::from_utf8(fetch(&setup, &metrics_url, "text/plain").await).unwrap();
    let (refused_before, failures_before) =
        (ces_gauge(&text, "refused"), ces_gauge(&text, "failures"));
    let tagus = store
        .current_in_slot(&slot("compliance", "tagus"))
        .await
        .unwrap()
        .unwrap()
        .id;
    let revocation = store.revoke_credential(&tagus).await.unwrap();
    assert!(revocation.newly_revoked);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let text = String::from_utf8(fetch(&setup, &metrics_url, "text/plain").await).unwrap();
        if ces_gauge(&text, "pending") >= 1 && ces_gauge(&text, "failures") > failures_before {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no failed send of the committed change: {text}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(provider);
    let mut text = std::fs::read_to_string(d.join("compliance.toml")).unwrap();
    text.push_str("validity_secs = 30\n");
    std::fs::write(d.join("compliance.toml"), text).unwrap();
    let compliance = Server::start(
        &d.join("compliance.toml"),
        setup.compliance_port,
        &d.join("compliance-short.log"),
        "compliance,registry",
    );
    std::fs::write(
        &setup.provider_config,
        setup.provider_toml("renewal_interval_secs = 1\nrenewal_window_secs = 20"),
    )
    .unwrap();
    let provider = Server::start(
        &setup.provider_config,
        setup.provider_port,
        &d.join("provider-renewal.log"),
        "provider",
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    let current = store
        .current_in_slot(&slot("compliance", "loire"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.id, not_due, "a 90-day credential is not due");
    let out = gx_attest()
        .args(["clearing", "submit", "--profile", "loire", "--config"])
        .arg(&setup.provider_config)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let short_id = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let short = store.get_credential(&short_id).await.unwrap();
    let until = short.valid_until.unwrap();
    assert!(
        until <= short.issued_at + jiff::SignedDuration::from_secs(31),
        "{until}"
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    let renewed = loop {
        let short = store.get_credential(&short_id).await.unwrap();
        if let Some(next) = &short.superseded_by {
            break store.get_credential(next).await.unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "no renewal: {}",
            provider.log_text()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    assert_eq!(renewed.issuer, setup.compliance_did);
    assert!(renewed.types.iter().any(|t| t == "gx:LabelCredential"));
    assert!(
        renewed.issued_at < until,
        "renewed at {} only, after the expiry {until}",
        renewed.issued_at
    );
    assert!(
        renewed.issued_at >= until - jiff::SignedDuration::from_secs(21),
        "not before the window"
    );
    // All along the provider published its change log to the clearing house's CES ([ces]),
    // with SIGKILLs and restarts of both in between: every entry is delivered (pending 0), and
    // the CES holds each event once, the inventory's issuances first, in log order.
    let pending = format!("gxa_ces_delivery{{target=\"{target}\",kind=\"pending\"}} 0");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let text = String::from_utf8(fetch(&setup, &metrics_url, "text/plain").await).unwrap();
        if text.lines().any(|l| l == pending) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "CES delivery not done: {}\n{}",
            text.lines()
                .filter(|l| l.starts_with("gxa_ces"))
                .collect::<Vec<_>>()
                .join("\n"),
            provider.log_text()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let mut held = Vec::new();
    for page in 0.. {
        let url = format!("{target}?page={page}&size=50");
        let events: Value =
            serde_json::from_slice(&fetch(&setup, &url, "application/json").await).unwrap();
        let events = events.as_array().unwrap();
        if events.is_empty() {
            break;
        }
        for e in events {
            assert_eq!(e["source"], setup.provider_did.as_str());
            held.push(e["id"].as_str().unwrap().to_owned());
        }
    }
    let unique: std::collections::BTreeSet<&String> = held.iter().collect();
    assert_eq!(unique.len(), held.len(), "a duplicate event: {held:?}");
    // The change committed before the SIGKILL was sent after the restart: answered and
    // refused (a revocation notice is no credential; the renewal's own notices count there
    // too), never held.
    let text = String::from_utf8(fetch(&setup, &metrics_url, "text/plain").await).unwrap();
    assert!(ces_gauge(&text, "refused") > refused_before, "{text}");
    let revoked_event = format!("change-{}", revocation.seq);
    assert!(!held.contains(&revoked_event), "{held:?}");
    let first: Vec<String> = (1..=10).map(|n| format!("change-{n}")).collect();
    assert_eq!(held[..10], first[..], "{held:?}");

    // A catalogue follows the CES as a partner of kind `ces` (the provider's events only):
    // every credential announced is verified in full (did:web, x5u, proofs) and stored with
    // provenance, each once.
    let c_port = free_port();
    let c_dir = d.join("catalogue");
    gxa_proof::generate_keyset(
        gxa_proof::Algorithm::EdDsa,
        &format!("did:web:localhost%3A{c_port}"),
        &c_dir.join("keys"),
    )
    .unwrap();
    let c_config = d.join("catalogue.toml");
    std::fs::write(
        &c_config,
        format!(
            r#"
listen = "127.0.0.1:{c_port}"
base_url = "https://localhost:{c_port}"
data_dir = "{data}"
key_set = "{keys}"

[limits]
reissue_interval_secs = 0

[verify]
trust_anchors = "{anchors}"
allow_hosts = ["localhost"]
extra_ca = "{ca}"

[partner_sync]
interval_ms = 300
page_size = 7

[[partners]]
id = "ces"
kind = "ces"
base_url = "{target}"
did = "{pdid}"
"#,
            data = toml_path(&c_dir.join("data")),
            keys = toml_path(&c_dir.join("keys")),
            anchors = toml_path(&setup.anchors),
            ca = toml_path(&setup.tls_ca),
            pdid = setup.provider_did,
        ),
    )
    .unwrap();
    let catalogue = Server::start(&c_config, c_port, &d.join("catalogue.log"), "provider");
    let subjects: Vec<String> = {
        let url = format!("{target}?page=0&size=10");
        let events: Value =
            serde_json::from_slice(&fetch(&setup, &url, "application/json").await).unwrap();
        events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["subject"].as_str().unwrap().to_owned())
            .collect()
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    let partner = loop {
        let reply = gxa_testkit::http::request(
            c_port,
            "GET",
            "/partners",
            &[("Accept", "application/json")],
            b"",
        )
        .unwrap();
        let body = reply.json();
        let partner = body["partners"][0].clone();
        // The provider may have published more since (its renewals go on).
        if partner["cursor"].as_u64() >= Some(held.len() as u64) {
            break partner;
        }
        assert!(
            Instant::now() < deadline,
            "the catalogue did not follow the CES: {body}\n{}",
            catalogue.log_text()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert!(partner["last_error"].is_null(), "{partner}");
    for subject in &subjects {
        let path = format!(
            "/credentials?limit=1000&issuer={}",
            gxa_testkit::http::encode(&setup.provider_did)
        );
        let reply = gxa_testkit::http::request(
            c_port,
            "GET",
            &path,
            &[("Accept", "application/json")],
            b"",
        )
        .unwrap();
        let listed = reply.json();
        let ids: Vec<&str> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert!(
            ids.contains(&subject.as_str()),
            "{subject} not held: {ids:?}"
        );
        let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "a credential twice");
    }
    drop(catalogue);
    drop(provider);
    store.close().await;
    drop(compliance);
}
