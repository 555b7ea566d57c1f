//! Issue 7 acceptance: "credentials issued by the service verify fully online against the
//! running service (did:web, x5u, status list)".
//!
//! The real service (`prepare` + `serve`, as `gx-attest serve` runs it) with its HTTPS listener
//! on a loopback port, a TLS certificate for `localhost` from a test CA, and a key set whose DID
//! is `did:web:localhost%3A<port>` and whose JWK `x5u` points at the chain the service serves.
//! The signed SCS report from `examples/scs/` is uploaded; every issued credential (Tagus
//! JSON-LD and Loire vc+jwt) is verified by a `gxa_verify::Verifier` that fetches everything
//! over HTTPS through the guarded fetcher (test CA trusted, `localhost:<port>` exempt from the
//! address guard, the key set's CA as the only trust anchor): all seven checks pass. Then one
//! credential is revoked through `POST /credentials/{id}/revoke`; a verifier that has not cached
//! the status list reports it invalid with the status check failing ("revoked"), while the
//! others stay valid. `POST /verify` of the same service, configured through its `[verify]`
//! section, gives the same verdicts.
//!
//! Runs on SQLite, and on PostgreSQL when `GXA_TEST_POSTGRES_URL` is set (loud SKIPPED line
//! otherwise; a failure under `CI`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed fixture must stop the test"
)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use gxa_service::config::{TlsConfig, VerifyConfig};
use gxa_service::{Config, SubjectConfig};
use gxa_testkit::http::free_port;
use gxa_testkit::paths::examples;
use gxa_testkit::report::{CHECKS, check};
use gxa_testkit::service as kit;
use gxa_testkit::store::{PgDatabase, postgres_admin_url};
use gxa_testkit::tls;
use kit::{Reply, SUBJECT, TOKEN};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use serde_json::Value;
use tower::ServiceExt as _;

/// One running service and what a verifier needs to trust it.
struct Online {
    port: u16,
    router: Router,
    state: gxa_service::AppState,
    tls_ca: PathBuf,
    anchors: PathBuf,
    server: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

async fn start(database_url: Option<String>) -> Online {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let did = format!("did:web:localhost%3A{port}");
    let base_url = format!("https://localhost:{port}");
    let key_dir = dir.path().join("keys");
    gxa_proof::generate_keyset(gxa_proof::Algorithm::EdDsa, &did, &key_dir).unwrap();
    let anchors = dir.path().join("anchors.pem");
    std::fs::write(
        &anchors,
        tls::root_of_chain(&key_dir.join("x509CertificateChain.pem")),
    )
    .unwrap();
    let (tls_ca, cert, key) =
        tls::tls_files(&dir.path().join("tls"), "gx-attest online test TLS CA");
    let provider =
        gxa_service::demo::write_provider(&examples(), dir.path(), &did, &base_url).unwrap();

    let mut config = Config::new(base_url, key_dir);
    config.data_dir = dir.path().to_owned();
    config.database_url = database_url;
    config.max_connections = 4;
    config.scopes = vec![
        examples().join("scs/scs-compatible-iaas.yaml"),
        examples().join("scs/scs-compatible-kaas.yaml"),
    ];
    config.provider = Some(provider);
    config.limits.reissue_interval_secs = 0;
    let signer = std::fs::read_to_string(examples().join("scs/example-signer.pub")).unwrap();
    config.subjects = vec![SubjectConfig {
        id: SUBJECT.to_owned(),
        tokens: Vec::new(),
        ssh_keys: vec![signer.trim().to_owned()],
        delegate_of: vec!["example-k8s-*".to_owned()],
        checked_at_zone: None,
    }];
    config.dev_tokens = vec![(SUBJECT.to_owned(), TOKEN.to_owned())];
    config.tls = Some(TlsConfig {
        listen: ([127, 0, 0, 1], port).into(),
        cert,
        key,
    });
    // What an operator would write to let the service verify its own test deployment.
    config.verify = VerifyConfig {
        trust_anchors: Some(anchors.clone()),
        allow_hosts: vec![format!("localhost:{port}")],
        extra_ca: Some(tls_ca.clone()),
        ..VerifyConfig::default()
    };

    let prepared = gxa_service::prepare(config).await.unwrap();
    let state = prepared.state.clone();
    let router = gxa_service::router(state.clone());
    let http = gxa_service::bind(([127, 0, 0, 1], 0).into()).await.unwrap();
    let server = tokio::spawn(async move {
        gxa_service::serve(prepared, http).await.unwrap();
    });
    // Wait for the HTTPS listener.
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "HTTPS listener on {port} never came up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Online {
        port,
        router,
        state,
        tls_ca,
        anchors,
        server,
        _dir: dir,
    }
}

impl Online {
    async fn send(&self, request: Request<Body>) -> Reply {
        kit::send_to(&self.router, request).await
    }

    async fn request(
        &self,
        method: Method,
        path: &str,
        headers: &[(header::HeaderName, &str)],
        body: Vec<u8>,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            builder = builder.header(name, *value);
        }
        self.send(builder.body(Body::from(body)).unwrap()).await
    }

    /// A verifier as a catalogue would run it against this service: online through the
    /// guarded fetcher (the test CA trusted for TLS, `localhost:<port>` exempt from the address
    /// guard), the key set's CA as the only trust anchor, shapes on. Fresh, so nothing cached.
    fn verifier(&self) -> (gxa_verify::Verifier, gxa_fetch::Fetcher) {
        let extra_roots: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&self.tls_ca)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let fetcher = gxa_fetch::Fetcher::new(gxa_fetch::FetchPolicy {
            allowed_hosts: vec![format!("localhost:{}", self.port)],
            extra_roots,
            ..gxa_fetch::FetchPolicy::default()
        })
        .unwrap();
        let mut config = gxa_verify::VerifierConfig::offline();
        config.fetcher = Some(fetcher.clone());
        config.trust_anchors = Some(gxa_verify::TrustAnchors::from_path(&self.anchors).unwrap());
        config.shapes = true;
        (gxa_verify::Verifier::new(config).unwrap(), fetcher)
    }

    fn stop(self) {
        self.server.abort();
    }
}

/// The outcome of each check, by name.
fn outcomes(report: &Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks: {report:#}"))
        .iter()
        .map(|c| {
            (
                c["check"].as_str().unwrap().to_owned(),
                c["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn run(name: &str, database_url: Option<String>) {
    let online = start(database_url).await;
    let base_url = format!("https://localhost:{}", online.port);

    // The real signed upload, with the demo token.
    let reply = online
        .request(
            Method::POST,
            "/reports",
            &[
                (header::CONTENT_TYPE, "application/x-signed-yaml"),
                (header::AUTHORIZATION, &format!("Bearer {TOKEN}")),
            ],
            kit::upload_body(),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{name}: {}",
        reply.text()
    );
    let issued: Vec<(String, String)> = reply.json()["issued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_owned(),
                i["format"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(issued.iter().any(|(_, f)| f == "ld+json"), "{issued:?}");
    assert!(issued.iter().any(|(_, f)| f == "vc+jwt"), "{issued:?}");

    // Every issued credential, as served, in its own media type.
    let mut credentials = Vec::new();
    for (id, format) in &issued {
        let path = id
            .strip_prefix(&base_url)
            .unwrap_or_else(|| panic!("{id} is not under {base_url}"))
            .to_owned();
        let media_type = if format == "vc+jwt" {
            "application/vc+jwt"
        } else {
            "application/vc+ld+json"
        };
        let reply = online
            .request(
                Method::GET,
                &path,
                &[(header::ACCEPT, media_type)],
                Vec::new(),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{name} {path}: {}",
            reply.text()
        );
        credentials.push((id.clone(), path, media_type, reply.text()));
    }

    // Library verifier: every check of every credential passes, fetched over HTTPS.
    let (verifier, fetcher) = online.verifier();
    let now = jiff::Timestamp::now();
    let mut library = Vec::new();
    for (id, _, media_type, body) in &credentials {
        let report = serde_json::to_value(verifier.verify(body, now).await).unwrap();
        assert_eq!(
            report["verdict"], "valid",
            "{name} {media_type}: {report:#}"
        );
        let all: Vec<(String, String)> = CHECKS
            .iter()
            .map(|c| ((*c).to_owned(), "pass".to_owned()))
            .collect();
        assert_eq!(outcomes(&report), all, "{name} {media_type}: {report:#}");
        assert_eq!(report["id"].as_str(), Some(id.as_str()), "{report:#}");
        // The chain check named the key set's CA, the status check the served list.
        assert!(
            check(&report, "certificate_chain")["reason"]
                .as_str()
                .unwrap()
                .contains("DEVELOPMENT CA"),
            "{report:#}"
        );
        library.push(report);
    }
    // Really online: the DID document, the x5u chain and the status list(s) were fetched over
    // HTTPS, and nothing was refused.
    let stats = fetcher.stats();
    assert!(stats.requests >= 3, "{stats:?}");
    assert_eq!((stats.refused, stats.failed), (0, 0), "{stats:?}");

    // The service's own `POST /verify` (configured by `[verify]`) agrees, check by check.
    for ((_, path, media_type, body), expected) in credentials.iter().zip(&library) {
        let reply = online
            .request(
                Method::POST,
                "/verify",
                &[(header::CONTENT_TYPE, media_type)],
                body.clone().into_bytes(),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{name} {path}: {}",
            reply.text()
        );
        let report = reply.json();
        assert_eq!(
            report["verdict"], "valid",
            "{name} {media_type}: {report:#}"
        );
        assert_eq!(outcomes(&report), outcomes(expected), "{name} {media_type}");
    }

    // Revoke the Tagus credential.
    let (revoked_id, revoked_path, revoked_type, revoked_body) = credentials
        .iter()
        .find(|(_, _, t, _)| *t == "application/vc+ld+json")
        .cloned()
        .unwrap();
    let reply = online
        .request(
            Method::POST,
            &format!("{revoked_path}/revoke"),
            &[(header::AUTHORIZATION, &format!("Bearer {TOKEN}"))],
            Vec::new(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
    assert_eq!(reply.json()["newly_revoked"], true, "{}", reply.text());

    // A verifier that has not cached the status list (the service serves it with
    // `max-age=60`, the bound on how stale a catalogue's view may be) sees the revocation.
    let (fresh, _) = online.verifier();
    // Now, not before the revocation: the re-signed status list is issued at the revocation,
    // and a list from the future is (rightly) not valid.
    let now = jiff::Timestamp::now();
    for (id, _, media_type, body) in &credentials {
        let report = serde_json::to_value(fresh.verify(body, now).await).unwrap();
        if *id == revoked_id {
            assert_eq!(report["verdict"], "invalid", "{name}: {report:#}");
            let status = check(&report, "status");
            assert_eq!(status["outcome"], "fail", "{report:#}");
            assert!(
                status["reason"].as_str().unwrap().contains("revoked"),
                "{report:#}"
            );
            // Everything else still holds: only the status changed.
            for name in CHECKS.iter().filter(|c| **c != "status") {
                assert_eq!(
                    check(&report, name)["outcome"],
                    "pass",
                    "{name}: {report:#}"
                );
            }
        } else {
            assert_eq!(
                report["verdict"], "valid",
                "{name} {media_type}: {report:#}"
            );
        }
    }

    // Verified at a past time (its issuance, at least a second before now): the status list is
    // signed on demand now, after that time, and is still the current word on the status; it
    // is checked as of its fetch, so the credential is revoked, not "list issued in the future".
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let issued_at: jiff::Timestamp =
        serde_json::from_str::<Value>(&revoked_body).unwrap()["issuanceDate"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
    assert!(jiff::Timestamp::now() - jiff::SignedDuration::from_secs(1) > issued_at);
    let (past, _) = online.verifier();
    let report = serde_json::to_value(past.verify(&revoked_body, issued_at).await).unwrap();
    let status = check(&report, "status");
    assert_eq!(status["outcome"], "fail", "{name}: {report:#}");
    assert!(
        status["reason"].as_str().unwrap().starts_with("revoked"),
        "{name}: {report:#}"
    );
    assert_eq!(check(&report, "validity")["outcome"], "pass", "{report:#}");

    // The service's `POST /verify` with a verifier built from the same `[verify]` section but
    // a fresh cache gives the same verdict. (The long-running one may answer from its cached
    // list for up to the list's max-age, like any catalogue.)
    let config = VerifyConfig {
        trust_anchors: Some(online.anchors.clone()),
        allow_hosts: vec![format!("localhost:{}", online.port)],
        extra_ca: Some(online.tls_ca.clone()),
        ..VerifyConfig::default()
    };
    let state = online.state.with_verifier(config.verifier().unwrap());
    let router = gxa_service::router(state);
    let request = Request::builder()
        .method(Method::POST)
        .uri("/verify")
        .header(header::CONTENT_TYPE, revoked_type)
        .body(Body::from(revoked_body))
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    let report: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(report["verdict"], "invalid", "{name}: {report:#}");
    assert_eq!(check(&report, "status")["outcome"], "fail", "{report:#}");

    online.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issued_credentials_verify_online_sqlite() {
    run("sqlite", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issued_credentials_verify_online_postgres() {
    let Some(admin_url) = postgres_admin_url(
        "online verification tests on PostgreSQL",
        "only the SQLite one ran",
    ) else {
        return;
    };
    let database = PgDatabase::create(&admin_url, "gxa_online").await;
    run("postgres", Some(database.url.clone())).await;
    database.finish().await;
}
