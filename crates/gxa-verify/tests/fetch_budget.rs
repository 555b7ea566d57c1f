//! Fetch amplification: a presentation of 1 000 credentials, each naming another did:web on
//! two loopback hosts, makes the verifier fetch at most its budget of distinct URLs (in total
//! and per host), counted by the real https server that receives them; the presentation is not
//! reported valid.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

use gxa_fetch::{FetchPolicy, Fetcher};
use gxa_testkit::{https, tls};
use gxa_verify::{Verdict, Verifier, VerifierConfig};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_issuers_cost_at_most_the_fetch_budget() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = tls::tls_files(&dir.path().join("tls"), "fetch budget test CA");
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).unwrap();
    let server = https::start_files(&www, &cert, &key, "127.0.0.1:0");
    let port = server.addr.port();
    let fetcher = Fetcher::new(FetchPolicy {
        allowed_hosts: vec![format!("localhost:{port}"), format!("127.0.0.1:{port}")],
        extra_roots: tls::certs(&ca),
        ..FetchPolicy::default()
    })
    .unwrap();
    let mut config = VerifierConfig::offline();
    config.fetcher = Some(fetcher);
    config.max_fetches = 20;
    config.max_fetches_per_host = 12;
    let verifier = Verifier::new(config).unwrap();

    let credentials: Vec<Value> = (0..1000)
        .map(|i| {
            let host = if i % 2 == 0 { "localhost" } else { "127.0.0.1" };
            json!({
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"],
                "issuer": format!("did:web:{host}%3A{port}:issuer-{i}"),
                "credentialSubject": {"id": format!("urn:uuid:00000000-0000-4000-8000-{i:012}")},
            })
        })
        .collect();
    let presentation = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": credentials,
    });
    let text = serde_json::to_string(&presentation).unwrap();
    assert!(text.len() < 600 * 1024, "{}", text.len());
    let report = verifier.verify(&text, jiff::Timestamp::now()).await;
    assert_ne!(report.verdict, Verdict::Valid);

    let requests = server.requests.lock().unwrap().clone();
    let on = |host: &str| {
        requests
            .iter()
            .filter(|r| r.starts_with(&format!("{host}:{port} ")))
            .count()
    };
    assert!(
        requests.len() <= 20,
        "{} requests reached the server: {requests:?}",
        requests.len()
    );
    assert!(on("localhost") <= 12, "{requests:?}");
    assert!(on("127.0.0.1") <= 12, "{requests:?}");
    assert!(!requests.is_empty(), "the budget allows some fetches");
}
