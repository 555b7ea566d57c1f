//! Test services: the real router over a real issuer and store, on SQLite and PostgreSQL.
//!
//! PostgreSQL comes from `GXA_TEST_POSTGRES_URL` (see [`crate::store`]); each test service gets
//! a fresh database `gxa_svc_…`, dropped at the end. Without the variable the tests say so
//! loudly and run on SQLite only, except when `CI` is set: then they fail.

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use gxa_service::{AppState, Config, SubjectConfig};
use tower::ServiceExt as _;

use crate::store::{PgDatabase, postgres_admin_url};

/// The demo subject of the example upload.
pub const SUBJECT: &str = "example-cloud";
/// Its development token.
pub const TOKEN: &str = "test-token-example-cloud-0123456789";
/// Another subject, with no SSH key, for 403 tests.
pub const OTHER: &str = "other-cloud";
/// Its token.
pub const OTHER_TOKEN: &str = "test-token-other-cloud-0123456789";
/// The SCS-compatible IaaS scope.
pub const IAAS_UUID: &str = "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f";
/// The base URL of the test services.
pub const BASE_URL: &str = "http://service.test";

/// The exact body the SCS test runner sends.
pub fn upload_body() -> Vec<u8> {
    std::fs::read(crate::paths::examples().join("scs/upload-body.txt")).unwrap()
}

/// One backend's service for one test.
pub struct TestService {
    /// `sqlite` or `postgres`.
    pub name: &'static str,
    /// The router with all layers.
    pub router: Router,
    /// Its state.
    pub state: AppState,
    _dir: tempfile::TempDir,
    postgres: Option<PgDatabase>,
}

/// A response, collected.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Asserts an RFC 9457 problem with this status.
    pub fn assert_problem(&self, status: StatusCode, context: &str) {
        assert_eq!(self.status, status, "{context}: {}", self.text());
        assert_eq!(
            self.header("content-type"),
            "application/problem+json",
            "{context}"
        );
        let problem = self.json();
        assert_eq!(problem["status"], status.as_u16(), "{context}");
        assert!(problem["title"].is_string(), "{context}");
        assert!(problem["type"].is_string(), "{context}");
    }
}

/// Sends a request through `router` and collects the response.
pub async fn send_to(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        headers,
        body,
    }
}

impl TestService {
    /// Sends a request through the router.
    pub async fn send(&self, request: Request<Body>) -> Reply {
        send_to(&self.router, request).await
    }

    /// `GET path` with optional `Accept`.
    pub async fn get(&self, path: &str, accept: Option<&str>) -> Reply {
        let mut builder = Request::builder().method(Method::GET).uri(path);
        if let Some(accept) = accept {
            builder = builder.header(header::ACCEPT, accept);
        }
        self.send(builder.body(Body::empty()).unwrap()).await
    }

    /// `POST path` with a bearer token (if any), a content type and a body.
    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> Reply {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        self.send(builder.body(Body::from(body)).unwrap()).await
    }

    /// Uploads the example signed report with the demo token.
    pub async fn upload_example(&self) -> Reply {
        self.post(
            "/reports",
            Some(TOKEN),
            "application/x-signed-yaml",
            upload_body(),
        )
        .await
    }

    /// Closes the store and drops the PostgreSQL database.
    pub async fn finish(mut self) {
        self.state.store().close().await;
        if let Some(database) = self.postgres.take() {
            database.finish().await;
        }
    }
}

/// The configuration of a test service in `dir` on `database_url`.
pub fn test_config(dir: &Path, database_url: String, max_body_bytes: usize) -> Config {
    let did = "did:web:service.test";
    let key_dir = dir.join("keys");
    gxa_proof::generate_keyset(gxa_proof::Algorithm::EdDsa, did, &key_dir).unwrap();
    let provider =
        gxa_service::demo::write_provider(&crate::paths::examples(), dir, did, BASE_URL).unwrap();
    let mut config = Config::new(BASE_URL, key_dir);
    config.data_dir = dir.to_owned();
    config.database_url = Some(database_url);
    config.max_connections = 4;
    config.scopes = vec![
        crate::paths::examples().join("scs/scs-compatible-iaas.yaml"),
        crate::paths::examples().join("scs/scs-compatible-kaas.yaml"),
    ];
    config.provider = Some(provider);
    config.limits.max_body_bytes = max_body_bytes;
    config.limits.reissue_interval_secs = 0;
    let signer =
        std::fs::read_to_string(crate::paths::examples().join("scs/example-signer.pub")).unwrap();
    config.subjects = vec![
        SubjectConfig {
            id: SUBJECT.to_owned(),
            tokens: Vec::new(),
            ssh_keys: vec![signer.trim().to_owned()],
            // The example upload also reports on the cloud's Kubernetes subject.
            delegate_of: vec!["example-k8s-*".to_owned()],
            checked_at_zone: None,
        },
        SubjectConfig {
            id: OTHER.to_owned(),
            // The SHA-256 of OTHER_TOKEN, as a configuration file holds it.
            tokens: vec![gxa_service::config::TokenConfig {
                label: "runner".to_owned(),
                sha256: gxa_store::Sha256Digest::of(OTHER_TOKEN.as_bytes()).to_string(),
            }],
            ssh_keys: Vec::new(),
            delegate_of: Vec::new(),
            checked_at_zone: None,
        },
    ];
    config.dev_tokens = vec![(SUBJECT.to_owned(), TOKEN.to_owned())];
    config
}

/// A change to the test configuration before the service is prepared.
pub type Tweak = fn(&mut Config);

async fn build(
    name: &'static str,
    dir: tempfile::TempDir,
    url: String,
    postgres: Option<PgDatabase>,
    max_body_bytes: usize,
    tweak: Tweak,
) -> TestService {
    let mut config = test_config(dir.path(), url, max_body_bytes);
    tweak(&mut config);
    let prepared = gxa_service::prepare(config).await.unwrap();
    let router = gxa_service::router(prepared.state.clone());
    TestService {
        name,
        router,
        state: prepared.state,
        _dir: dir,
        postgres,
    }
}

/// `[sqlite, postgres]` services, freshly migrated and empty; request bodies up to
/// `max_body_bytes`.
pub async fn services_with_limit(max_body_bytes: usize) -> Vec<TestService> {
    services_configured(max_body_bytes, |_| {}).await
}

/// [`services_with_limit`] with `tweak` applied to each configuration.
pub async fn services_configured(max_body_bytes: usize, tweak: Tweak) -> Vec<TestService> {
    let (dir, url) = crate::store::sqlite();
    let mut services = vec![build("sqlite", dir, url, None, max_body_bytes, tweak).await];
    if let Some(admin_url) = postgres_admin_url(
        "PostgreSQL service tests",
        "the service tests ran on SQLite only",
    ) {
        let database = PgDatabase::create(&admin_url, "gxa_svc").await;
        let url = database.url.clone();
        let dir = tempfile::tempdir().unwrap();
        services.push(build("postgres", dir, url, Some(database), max_body_bytes, tweak).await);
    }
    services
}

/// [`services_with_limit`] with a 1 MiB body limit.
pub async fn services() -> Vec<TestService> {
    services_with_limit(1024 * 1024).await
}
