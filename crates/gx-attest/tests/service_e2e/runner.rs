//! The SCS test runner's upload, end to end and as it sends it: reports signed with
//! `ssh-keygen -Y sign -n report`, posted by `curl` with two `--data-binary` parts and HTTP Basic
//! (`subject:token`) to a `gx-attest serve` on https; a delegated subject accepted, a foreign one
//! refused; a PASS then a FAIL, after which `gx-attest verify --online` of the PASS credential,
//! fetched from the service, says revoked and the change feed shows why, in order.

use std::path::Path;
use std::process::Command;

use gxa_testkit::reports::{kaas_report, keygen, naive_in, naive_utc, sign_report};
use gxa_testkit::tls::{root_of_chain, tls_files};

use super::{Server, free_port};

const TOKEN: &str = "runner-test-token-0123456789abcdef";

/// `curl` exactly as `scs-test-runner.py` calls it, against `{base}/reports` (with the test CA
/// for https): the HTTP status and the body.
fn curl_upload(
    ca: Option<&Path>,
    base: &str,
    user: &str,
    token: &str,
    yaml: &Path,
    sig: &Path,
) -> (u16, String) {
    let mut curl = Command::new("curl");
    curl.arg("-sS");
    if let Some(ca) = ca {
        curl.arg("--cacert").arg(ca);
    }
    let out = curl
        .args(["-u", &format!("{user}:{token}")])
        .args(["-H", "Content-Type: application/x-signed-yaml"])
        .arg("--data-binary")
        .arg(format!("@{}", sig.display()))
        .arg("--data-binary")
        .arg(format!("@{}", yaml.display()))
        .args(["-w", "\n%{http_code}"])
        .arg(format!("{base}/reports"))
        .output()
        .expect("curl (installed by .ci/run)");
    assert!(
        out.status.success(),
        "curl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let (body, code) = text.rsplit_once('\n').unwrap();
    (code.trim().parse().unwrap(), body.to_owned())
}

/// `curl` GET of `url` with `accept`.
fn curl_get(ca: &Path, url: &str, accept: &str) -> Vec<u8> {
    let out = Command::new("curl")
        .args(["-sS", "--fail-with-body", "--cacert"])
        .arg(ca)
        .args(["-H", &format!("Accept: {accept}"), url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "GET {url}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn ago(secs: i64) -> String {
    naive_utc(jiff::Timestamp::now() - jiff::SignedDuration::from_secs(secs))
}

#[test]
fn runner_upload_delegation_and_downgrade_revocation() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let http_port = free_port();
    let https_port = free_port();
    let did = format!("did:web:localhost%3A{https_port}");
    gxa_proof::generate_keyset(gxa_proof::Algorithm::EdDsa, &did, &d.join("keys")).unwrap();
    let (ca, cert, key) = tls_files(&d.join("tls"), "gx-attest runner test CA");
    let anchors = d.join("anchors.pem");
    std::fs::write(
        &anchors,
        root_of_chain(&d.join("keys/x509CertificateChain.pem")),
    )
    .unwrap();
    // The runner's key, made as scs-test-runner.py's `keygen` makes it.
    let (runner_key, runner_public) = keygen(d, "keyfile");
    let scs = super::examples().join("scs");
    let config = d.join("gx-attest.toml");
    std::fs::write(
        &config,
        format!(
            r#"
listen = "127.0.0.1:{http_port}"
base_url = "https://localhost:{https_port}"
data_dir = "{data}"
key_set = "{keys}"
scopes = ["{iaas}", "{kaas}"]

[limits]
reissue_interval_secs = 0

[tls]
listen = "127.0.0.1:{https_port}"
cert = "{cert}"
key = "{key}"

[[subjects]]
id = "example-cloud"
ssh_keys = ["{runner_public}"]
delegate_of = ["example-k8s-*"]
"#,
            data = d.join("data").display(),
            keys = d.join("keys").display(),
            iaas = scs.join("scs-compatible-iaas.yaml").display(),
            kaas = scs.join("scs-compatible-kaas.yaml").display(),
            cert = cert.display(),
            key = key.display(),
        ),
    )
    .unwrap();
    let base = format!("https://localhost:{https_port}");
    let upload =
        |yaml: &Path, sig: &Path| curl_upload(Some(&ca), &base, "example-cloud", TOKEN, yaml, sig);
    let _server = Server::start(
        &[
            "--config".to_owned(),
            config.display().to_string(),
            "--dev-token".to_owned(),
            format!("example-cloud={TOKEN}"),
        ],
        http_port,
        &d.join("serve.log"),
    );

    // A delegated subject (a Kubernetes branch of the cloud), all PASS.
    let (yaml, sig) = sign_report(
        d,
        &runner_key,
        &kaas_report("example-k8s-1.35", &ago(120), false),
    );
    let (code, body) = upload(&yaml, &sig);
    assert_eq!(code, 201, "{body}");
    let pass: serde_json::Value = serde_json::from_str(&body).unwrap();
    let pass_ids: Vec<String> = pass["issued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(pass_ids.len(), 2, "tagus and loire: {body}");

    // A foreign subject, signed by the same runner key and sent the same way: refused, named.
    let (yaml, sig) = sign_report(
        d,
        &runner_key,
        &kaas_report("intruder-k8s", &ago(100), false),
    );
    let (code, body) = upload(&yaml, &sig);
    assert_eq!(code, 403, "{body}");
    let problem: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("intruder-k8s"),
        "{problem}"
    );

    // FAIL for the delegated subject: the PASS credentials are revoked with the new issuance.
    let (yaml, sig) = sign_report(
        d,
        &runner_key,
        &kaas_report("example-k8s-1.35", &ago(60), true),
    );
    let (code, body) = upload(&yaml, &sig);
    assert_eq!(code, 201, "{body}");
    let fail: serde_json::Value = serde_json::from_str(&body).unwrap();
    for issued in fail["issued"].as_array().unwrap() {
        assert!(pass_ids.contains(&issued["replaces"].as_str().unwrap().to_owned()));
        assert_eq!(issued["replaced_revoked"], true, "{body}");
    }

    // The old Tagus credential as a verifier holds it: `verify --online` resolves the did:web,
    // the x5u chain and the status list at the service and says revoked.
    let tagus = pass["issued"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["profile"] == "tagus")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let held = d.join("held.json");
    std::fs::write(&held, curl_get(&ca, &tagus, "application/vc+ld+json")).unwrap();
    let out = super::gx_attest()
        .args([
            "verify",
            "--online",
            "--json",
            "--allow-host",
            "localhost",
            "--ca",
        ])
        .arg(&ca)
        .arg("--trust-anchors")
        .arg(&anchors)
        .arg(&held)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{report:#} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "status")
        .unwrap();
    assert_eq!(status["outcome"], "fail", "{report:#}");
    assert!(
        status["reason"].as_str().unwrap().starts_with("revoked"),
        "{status}"
    );
    // Everything else about it still holds: signature, key binding, chain.
    for check in ["proof", "verification_method", "certificate_chain"] {
        let c = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["check"] == check)
            .unwrap();
        assert_eq!(c["outcome"], "pass", "{check}: {report:#}");
    }

    // The change feed: issued ×2, then per profile `reissued` (new, previous = old) directly
    // followed by `revoked` (old).
    let feed: serde_json::Value = serde_json::from_slice(&curl_get(
        &ca,
        &format!("{base}/changes?after=0"),
        "application/json",
    ))
    .unwrap();
    let kinds: Vec<(&str, &str)> = feed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap(),
                c["credential_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds.len(), 6, "{feed:#}");
    assert_eq!(kinds[0], ("issued", pass_ids[0].as_str()));
    assert_eq!(kinds[1], ("issued", pass_ids[1].as_str()));
    for (i, old) in pass_ids.iter().enumerate() {
        let reissued = &feed["changes"][2 + 2 * i];
        assert_eq!(reissued["kind"], "reissued", "{feed:#}");
        assert_eq!(reissued["previous"], old.as_str(), "{feed:#}");
        assert_eq!(kinds[3 + 2 * i], ("revoked", old.as_str()), "{feed:#}");
    }
}

#[test]
fn demo_takes_the_runners_key_and_zone_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let port = free_port();
    let (runner_key, _) = keygen(d, "keyfile");
    let args: Vec<String> = [
        "--demo".to_owned(),
        "--listen".to_owned(),
        format!("127.0.0.1:{port}"),
        "--data".to_owned(),
        d.join("data").display().to_string(),
        "--examples".to_owned(),
        super::examples().display().to_string(),
        "--allowed-signer".to_owned(),
        d.join("keyfile.pub").display().to_string(),
        "--checked-at-zone".to_owned(),
        "Europe/Berlin".to_owned(),
    ]
    .to_vec();
    let server = Server::start(&args, port, &d.join("serve.log"));
    let token = server.demo_token();
    // The runner in Berlin writes its local time; the demo account reads it in that zone.
    let local = naive_in(
        jiff::Timestamp::now() - jiff::SignedDuration::from_secs(10),
        "Europe/Berlin",
    );
    let (yaml, sig) = sign_report(
        d,
        &runner_key,
        &kaas_report("example-k8s-2.0", &local, false),
    );
    let base = format!("http://127.0.0.1:{port}");
    let (code, body) = curl_upload(None, &base, "example-cloud", &token, &yaml, &sig);
    assert_eq!(code, 201, "{body}");
    let answer: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["warnings"], serde_json::json!([]), "{answer:#}");
    let evaluation = answer["evaluations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["subject"] == "example-k8s-2.0")
        .unwrap();
    assert_eq!(evaluation["checked_at_zone"], "Europe/Berlin");
    assert_eq!(
        evaluation["versions"][0]["verdict"], "pass",
        "{evaluation:#}"
    );
    // A key that is not the runner's is still refused.
    let (other_key, _) = keygen(d, "stranger");
    let (yaml, sig) = sign_report(
        d,
        &other_key,
        &kaas_report("example-k8s-2.0", &local, false),
    );
    let (code, body) = curl_upload(None, &base, "example-cloud", &token, &yaml, &sig);
    assert_eq!(code, 403, "{body}");
}
