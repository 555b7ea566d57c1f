//! Public, derived reads: kept in memory until something changes (badges, presentations,
//! status lists, N-Quads), no subject enumeration through badges, bounded echoes, empty
//! `limit=`, and the operator's views behind the operations token when configured.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use gxa_testkit::service as kit;
use kit::{IAAS_UUID, SUBJECT, TOKEN, TestService, services, services_configured};

/// The count of signatures made for `operation` (presentation, status_list), from `/metrics`.
async fn signatures(service: &TestService, operation: &str) -> u64 {
    let series = format!("gxa_issuance_duration_seconds_count{{operation=\"{operation}\"}}");
    let text = service.get("/metrics", None).await.text();
    text.lines()
        .find_map(|line| line.strip_prefix(&series)?.trim().parse().ok())
        .unwrap_or(0)
}

fn path_of(id: &str) -> String {
    id.strip_prefix(kit::BASE_URL).unwrap().to_owned()
}

#[tokio::test]
async fn presentations_and_status_lists_are_signed_once_per_change() {
    for service in services().await {
        let name = service.name;
        let reply = service.upload_example().await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{name}: {}",
            reply.text()
        );
        let issued = reply.json()["issued"].as_array().unwrap().clone();
        let jwt = issued.iter().find(|i| i["format"] == "vc+jwt").unwrap();
        let jwt_id = jwt["id"].as_str().unwrap().to_owned();

        let path = format!("/participants/{SUBJECT}/presentation");
        let first = service.get(&path, Some("application/vp+jwt")).await;
        assert_eq!(first.status, StatusCode::OK, "{name}: {}", first.text());
        let signed = signatures(&service, "presentation").await;
        assert_eq!(signed, 1, "{name}");
        for _ in 0..20 {
            let again = service.get(&path, Some("application/vp+jwt")).await;
            assert_eq!(again.body, first.body, "{name}: served from memory");
            assert_eq!(again.header("etag"), first.header("etag"));
        }
        assert_eq!(signatures(&service, "presentation").await, 1, "{name}");
        // The other profile is its own document. Tagus holds only what a Tagus clearing house
        // takes (trust framework classes, no status), none of which an SCS upload gives.
        let ld = service.get(&path, Some("application/vp+ld+json")).await;
        assert_eq!(ld.status, StatusCode::NOT_FOUND, "{name}: {}", ld.text());
        assert_eq!(signatures(&service, "presentation").await, 1, "{name}");

        // The status list of the Loire credential, before and after its revocation.
        let credential = service
            .get(&path_of(&jwt_id), Some("application/vc+jwt"))
            .await;
        let payload = credential.text().split('.').nth(1).unwrap().to_owned();
        use base64::Engine as _;
        let claims: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap();
        let list_url = claims["credentialStatus"]["statusListCredential"]
            .as_str()
            .or_else(|| claims["vc"]["credentialStatus"]["statusListCredential"].as_str())
            .unwrap_or_else(|| panic!("{name}: no status list in {claims}"))
            .to_owned();
        let list_path = path_of(&list_url);
        let list = service.get(&list_path, Some("application/vc+jwt")).await;
        assert_eq!(list.status, StatusCode::OK, "{name}: {}", list.text());
        let list_again = service.get(&list_path, Some("application/vc+jwt")).await;
        assert_eq!(list_again.body, list.body, "{name}");
        assert_eq!(signatures(&service, "status_list").await, 1, "{name}");

        // A revocation through this service replaces both at once.
        let revoked = service
            .post(
                &format!("{}/revoke", path_of(&jwt_id)),
                Some(TOKEN),
                "application/json",
                Vec::new(),
            )
            .await;
        assert_eq!(revoked.status, StatusCode::OK, "{name}: {}", revoked.text());
        let list_after = service.get(&list_path, Some("application/vc+jwt")).await;
        assert_ne!(
            list_after.body, list.body,
            "{name}: the revoked bit is served"
        );
        assert_eq!(signatures(&service, "status_list").await, 2, "{name}");
        let after = service.get(&path, Some("application/vp+jwt")).await;
        assert_eq!(after.status, StatusCode::OK, "{name}: {}", after.text());
        assert_ne!(
            after.body, first.body,
            "{name}: without the revoked credential"
        );
        assert!(!after.text().contains(&credential.text()), "{name}");
        assert_eq!(signatures(&service, "presentation").await, 2, "{name}");
        service.finish().await;
    }
}

#[tokio::test]
async fn without_the_cache_every_read_signs() {
    let services = services_configured(1024 * 1024, |config| {
        config.limits.derived_cache_secs = 0;
    })
    .await;
    for service in services {
        let name = service.name;
        let reply = service.upload_example().await;
        assert_eq!(reply.status, StatusCode::CREATED, "{name}");
        let path = format!("/participants/{SUBJECT}/presentation");
        for _ in 0..3 {
            let vp = service.get(&path, Some("application/vp+jwt")).await;
            assert_eq!(vp.status, StatusCode::OK, "{name}");
        }
        assert_eq!(signatures(&service, "presentation").await, 3, "{name}");
        service.finish().await;
    }
}

#[tokio::test]
async fn badges_follow_uploads_and_do_not_tell_known_subjects() {
    for service in services().await {
        let name = service.name;
        let badge = |subject: &str| format!("/badges/{subject}/{IAAS_UUID}.svg");
        // A configured subject without data and a subject nobody configured look the same.
        let known = service.get(&badge(SUBJECT), None).await;
        let unknown = service.get(&badge("nobody-at-all"), None).await;
        assert_eq!(known.status, StatusCode::OK, "{name}");
        assert_eq!(unknown.status, known.status, "{name}");
        assert_eq!(unknown.body, known.body, "{name}");
        assert!(known.text().contains("unknown"), "{name}");
        // The board was computed and kept; the upload replaces it at once.
        let reply = service.upload_example().await;
        assert_eq!(reply.status, StatusCode::CREATED, "{name}");
        let after = service.get(&badge(SUBJECT), None).await;
        assert_ne!(after.body, known.body, "{name}: evaluated after the upload");
        assert!(
            !after.text().contains("#9f9f9f"),
            "{name}: {}",
            after.text()
        );
        let other = service.get(&badge("nobody-at-all"), None).await;
        assert_eq!(other.body, unknown.body, "{name}");
        service.finish().await;
    }
}

#[tokio::test]
async fn n_quads_are_computed_once_per_credential() {
    for service in services().await {
        let name = service.name;
        let reply = service.upload_example().await;
        assert_eq!(reply.status, StatusCode::CREATED, "{name}");
        for item in reply.json()["issued"].as_array().unwrap() {
            let path = path_of(item["id"].as_str().unwrap());
            let first = service.get(&path, Some("application/n-quads")).await;
            assert_eq!(first.status, StatusCode::OK, "{name}: {}", first.text());
            assert!(first.text().lines().all(|l| l.ends_with(" .")), "{name}");
            let second = service.get(&path, Some("application/n-quads")).await;
            assert_eq!(second.body, first.body, "{name}");
            assert_eq!(second.header("etag"), first.header("etag"), "{name}");
            // The native form keeps its own tag.
            let native = service.get(&path, None).await;
            assert_ne!(native.header("etag"), first.header("etag"), "{name}");
        }
        service.finish().await;
    }
}

#[tokio::test]
async fn long_ids_are_not_echoed_whole_and_empty_limits_are_defaults() {
    for service in services().await {
        let name = service.name;
        let id = "x".repeat(60_000);
        let reply = service.get(&format!("/credentials/{id}"), None).await;
        reply.assert_problem(StatusCode::NOT_FOUND, name);
        let detail = reply.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.len() < 1200, "{name}: {} bytes", detail.len());
        assert!(detail.contains("bytes in all"), "{name}: {detail}");
        for path in [
            "/credentials?limit=",
            "/changes?limit=",
            "/credentials?limit=&cursor=",
        ] {
            let reply = service.get(path, Some("application/json")).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{name} {path}: {}",
                reply.text()
            );
        }
        service
            .get("/credentials?limit=0", Some("application/json"))
            .await
            .assert_problem(StatusCode::BAD_REQUEST, name);
        service.finish().await;
    }
}

#[tokio::test]
async fn operator_views_ask_for_the_operations_token_when_configured() {
    let services = services_configured(1024 * 1024, |config| {
        let token_file = config.data_dir.join("ops-token");
        std::fs::write(&token_file, "ops-token-for-the-test-0123\n").unwrap();
        config.ops.metrics = gxa_service::config::Access::Token;
        config.ops.partners = gxa_service::config::Access::Token;
        config.ops.clearing = gxa_service::config::Access::Token;
        config.ops.token_file = Some(token_file);
    })
    .await;
    for service in services {
        let name = service.name;
        let with = |path: &str, auth: Option<&str>| {
            let mut builder = Request::builder().method(Method::GET).uri(path);
            if let Some(auth) = auth {
                builder = builder.header(header::AUTHORIZATION, auth);
            }
            builder.body(Body::empty()).unwrap()
        };
        for path in [
            "/metrics",
            "/partners",
            "/partners/p/rejections",
            "/clearing/check",
        ] {
            service
                .send(with(path, None))
                .await
                .assert_problem(StatusCode::UNAUTHORIZED, name);
            // An account token is not the operator's.
            service
                .send(with(path, Some(&format!("Bearer {TOKEN}"))))
                .await
                .assert_problem(StatusCode::UNAUTHORIZED, name);
        }
        let metrics = service
            .send(with("/metrics", Some("Bearer ops-token-for-the-test-0123")))
            .await;
        assert_eq!(metrics.status, StatusCode::OK, "{name}");
        assert!(metrics.text().contains("gxa_http_requests_total"), "{name}");
        let partners = service
            .send(with(
                "/partners",
                Some("Bearer ops-token-for-the-test-0123"),
            ))
            .await;
        assert_eq!(
            partners.status,
            StatusCode::OK,
            "{name}: {}",
            partners.text()
        );
        // With the token, the pre-flight answers that no clearing house is configured (the
        // round trip in gx-attest's clearing test runs it against one).
        service
            .send(with(
                "/clearing/check",
                Some("Bearer ops-token-for-the-test-0123"),
            ))
            .await
            .assert_problem(StatusCode::NOT_FOUND, name);
        // Public routes stay public.
        assert_eq!(service.get("/healthz", None).await.status, StatusCode::OK);
        service.finish().await;
    }
    // Without the token file the configuration is refused.
    let dir = tempfile::tempdir().unwrap();
    let mut config = kit::test_config(
        dir.path(),
        format!("sqlite://{}", dir.path().join("s.sqlite3").display()),
        1024,
    );
    config.ops.metrics = gxa_service::config::Access::Token;
    let err = gxa_service::prepare(config).await.err().unwrap();
    assert!(err.to_string().contains("ops.token_file"), "{err}");
}
