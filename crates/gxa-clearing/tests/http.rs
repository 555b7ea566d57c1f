//! The client's HTTP behaviour against real (tiny) servers on loopback: 5xx and 429 are
//! retried with backoff (`Retry-After` honoured), a 4xx is not retried and becomes a typed
//! error carrying the service's answer, a server that never answers times out, and after the
//! last attempt the error says how often it tried and what failed last. No mock client: a
//! plain TCP server answers with scripted HTTP responses and counts the requests.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gxa_clearing::client::{ClearingClient, ClientConfig, HttpOptions};
use gxa_clearing::notary::NumberKind;
use gxa_clearing::{ClearingError, Profile, ServiceAnswer, SigningKey};

/// One scripted answer.
#[derive(Clone)]
enum Script {
    /// Status, extra headers, body.
    Reply(u16, &'static str, &'static str),
    /// Accept, read the request, never answer (until the client gives up).
    Hang,
}

/// A server answering the `script` in order (one answer per connection); returns its port and
/// the request counter.
fn tiny_server(script: Vec<Script>) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    std::thread::spawn(move || {
        for (step, stream) in script.into_iter().zip(listener.incoming()) {
            let Ok(stream) = stream else { return };
            seen.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || answer(stream, step));
        }
    });
    (port, count)
}

/// Reads one request (head and `Content-Length` body) and answers it as scripted.
fn answer(mut stream: std::net::TcpStream, step: Script) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap_or(0));
            if raw.len() >= end + 4 + length {
                break;
            }
        }
    }
    match step {
        Script::Reply(status, headers, body) => {
            let response = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
        Script::Hang => std::thread::sleep(Duration::from_secs(3)),
    }
}

struct Fixture {
    client: ClearingClient,
    _dir: tempfile::TempDir,
}

async fn client(port: u16, attempts: u32) -> Fixture {
    client_with(port, attempts, Vec::new()).await
}

/// [`client`] with further clearing houses after the one at `port`.
async fn client_with(
    port: u16,
    attempts: u32,
    fallbacks: Vec<(String, Option<String>)>,
) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let keys_dir = dir.path().join("keys");
    gxa_proof::generate_keyset(
        gxa_proof::Algorithm::EdDsa,
        "did:web:participant.example",
        &keys_dir,
    )
    .unwrap();
    let keys = gxa_proof::KeySet::load(&keys_dir).unwrap();
    let store = gxa_store::Store::open_data_dir(dir.path()).await.unwrap();
    let verifier = gxa_verify::Verifier::new(gxa_verify::VerifierConfig::offline()).unwrap();
    let config = ClientConfig {
        participant: "p".to_owned(),
        base_url: "https://participant.example".to_owned(),
        compliance_url: format!("http://127.0.0.1:{port}/base"),
        compliance_did: None,
        fallbacks,
        notary_url: format!("http://127.0.0.1:{port}"),
        registration: (NumberKind::VatId, "DE123456789".to_owned()),
        profiles: vec![Profile::Loire],
        level: gxa_criteria::Level::StandardCompliance,
        registry_url: None,
        renewal_window: jiff::SignedDuration::from_hours(24),
        certifications: Vec::new(),
        http: HttpOptions {
            timeout: Duration::from_millis(700),
            allow_http: true,
            attempts,
            backoff: Duration::from_millis(50),
            ..HttpOptions::default()
        },
    };
    let client = ClearingClient::new(
        store,
        SigningKey::from_key_set(&keys).unwrap(),
        verifier,
        config,
    )
    .unwrap();
    Fixture { client, _dir: dir }
}

const REFUSAL: &str = r#"{"message":"The iss header referencing the issuer's DID is missing","error":"Bad Request","statusCode":400,"errors":[]}"#;

#[tokio::test]
async fn server_errors_are_retried_then_reported() {
    let (port, count) = tiny_server(vec![
        Script::Reply(
            503,
            "",
            r#"{"statusCode":503,"message":"Scheduled Maintenance"}"#
        );
        3
    ]);
    let f = client(port, 3).await;
    let err = f
        .client
        .submit_presentation(Profile::Loire, "a.b.c", "")
        .await
        .unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 3, "one request per attempt");
    match &err {
        ClearingError::Unavailable {
            service,
            attempts,
            last,
            url,
        } => {
            assert_eq!(*service, "compliance");
            assert_eq!(*attempts, 3);
            assert!(
                last.contains("503") && last.contains("Scheduled Maintenance"),
                "{last}"
            );
            assert!(
                url.contains("/base/v2/api/credential-offers/standard-compliance?vcid="),
                "{url}"
            );
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
    assert!(
        err.to_string().contains("unavailable after 3 attempts"),
        "{err}"
    );
}

#[tokio::test]
async fn a_client_error_stops_the_retries_and_carries_the_answer() {
    let (port, count) = tiny_server(vec![
        Script::Reply(502, "", "<html>bad gateway</html>"),
        Script::Reply(500, "", "{}"),
        Script::Reply(400, "", REFUSAL),
        Script::Reply(400, "", REFUSAL),
    ]);
    let f = client(port, 5).await;
    let err = f
        .client
        .submit_presentation(Profile::Loire, "a.b.c", "")
        .await
        .unwrap_err();
    assert_eq!(
        count.load(Ordering::SeqCst),
        3,
        "two 5xx retried, the 400 is final"
    );
    match err {
        ClearingError::Rejected { answer, .. } => {
            assert_eq!(
                answer,
                ServiceAnswer::V2 {
                    status: 400,
                    message: "The iss header referencing the issuer's DID is missing".to_owned(),
                    errors: Vec::new(),
                }
            );
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn too_many_requests_honours_retry_after() {
    let (port, count) = tiny_server(vec![
        Script::Reply(429, "Retry-After: 1\r\n", "{}"),
        Script::Reply(
            409,
            "",
            r#"{"statusCode":409,"message":{"conforms":false,"results":["no gx:LegalParticipant credential in the presentation"]}}"#,
        ),
    ]);
    let f = client(port, 3).await;
    let started = Instant::now();
    let err = f
        .client
        .submit_presentation(Profile::Tagus, "{}", "")
        .await
        .unwrap_err();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}, not the Retry-After second",
        started.elapsed()
    );
    assert_eq!(count.load(Ordering::SeqCst), 2);
    match err {
        ClearingError::Rejected { answer, url, .. } => {
            assert!(
                url.contains("/base/v1/api/credential-offers?vcid="),
                "{url}"
            );
            assert_eq!(
                answer.reasons(),
                ["no gx:LegalParticipant credential in the presentation"]
            );
            assert_eq!(answer.status(), 409);
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let (port, count) = tiny_server(vec![Script::Hang, Script::Hang]);
    let f = client(port, 2).await;
    let started = Instant::now();
    let err = f
        .client
        .submit_presentation(Profile::Loire, "a.b.c", "")
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(count.load(Ordering::SeqCst), 2);
    match err {
        ClearingError::Unavailable { last, attempts, .. } => {
            assert_eq!(attempts, 2);
            assert!(last.contains("timed out"), "{last}");
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

#[tokio::test]
async fn plain_http_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    gxa_proof::generate_keyset(
        gxa_proof::Algorithm::EdDsa,
        "did:web:participant.example",
        &dir.path().join("keys"),
    )
    .unwrap();
    let keys = gxa_proof::KeySet::load(&dir.path().join("keys")).unwrap();
    let store = gxa_store::Store::open_data_dir(dir.path()).await.unwrap();
    let config = ClientConfig {
        participant: "p".to_owned(),
        base_url: "https://participant.example".to_owned(),
        compliance_url: "http://compliance.example".to_owned(),
        compliance_did: None,
        fallbacks: Vec::new(),
        notary_url: "https://notary.example".to_owned(),
        registration: (NumberKind::VatId, "DE123456789".to_owned()),
        profiles: vec![Profile::Loire],
        level: gxa_criteria::Level::StandardCompliance,
        registry_url: None,
        renewal_window: jiff::SignedDuration::from_hours(24),
        certifications: Vec::new(),
        http: HttpOptions::default(),
    };
    let err = ClearingClient::new(
        store,
        SigningKey::from_key_set(&keys).unwrap(),
        gxa_verify::Verifier::new(gxa_verify::VerifierConfig::offline()).unwrap(),
        config,
    )
    .unwrap_err();
    assert!(err.to_string().contains("https only"), "{err}");
}

/// An unavailable clearing house (5xx after every retry) hands the submission to the next
/// configured one; a refusal from that one is its answer.
#[tokio::test]
async fn an_unavailable_operator_fails_over_to_the_next() {
    let (down, down_count) = tiny_server(vec![Script::Reply(503, "", "{}"); 2]);
    let (next, next_count) = tiny_server(vec![Script::Reply(400, "", REFUSAL)]);
    let f = client_with(
        down,
        2,
        vec![(format!("http://127.0.0.1:{next}/other"), None)],
    )
    .await;
    let err = f
        .client
        .submit_presentation(Profile::Loire, "a.b.c", "")
        .await
        .unwrap_err();
    assert_eq!(
        down_count.load(Ordering::SeqCst),
        2,
        "every retry at the first"
    );
    assert_eq!(
        next_count.load(Ordering::SeqCst),
        1,
        "then the next operator"
    );
    match err {
        ClearingError::Rejected { url, .. } => {
            assert!(
                url.contains(&format!("127.0.0.1:{next}/other/v2/api/")),
                "{url}"
            );
        }
        other => panic!("expected the next operator's refusal, got {other:?}"),
    }
    // A refusal is final: the next operator is not asked.
    let (first, first_count) = tiny_server(vec![Script::Reply(400, "", REFUSAL)]);
    let (spare, spare_count) = tiny_server(vec![Script::Reply(400, "", REFUSAL)]);
    let f = client_with(first, 2, vec![(format!("http://127.0.0.1:{spare}"), None)]).await;
    let err = f
        .client
        .submit_presentation(Profile::Loire, "a.b.c", "")
        .await
        .unwrap_err();
    assert!(matches!(err, ClearingError::Rejected { .. }), "{err:?}");
    assert_eq!(first_count.load(Ordering::SeqCst), 1);
    assert_eq!(spare_count.load(Ordering::SeqCst), 0);
}
