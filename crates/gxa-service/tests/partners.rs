//! In-process tests of the partner exchange routes: `GET /partners`,
//! `GET /partners/{id}/rejections` (paging, bad cursors, unknown partner), the change feed's
//! `issuer` field, and a credential served by its whole id. The sync itself runs between real
//! instances in `crates/gx-attest/tests/federation.rs`. SQLite and PostgreSQL (see the test kit).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use gxa_partners::{PartnerConfig, SyncOptions, Syncer, TrustPolicy};
use gxa_store::RejectionKind;
use gxa_testkit::http::encode;
use gxa_testkit::service as kit;
use kit::services;
use serde_json::Value;
use tower::ServiceExt as _;

async fn get(router: &Router, path: &str) -> (StatusCode, String, Value) {
    let response = router
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (
        status,
        content_type,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_routes_show_state_and_page_rejections() {
    for service in services().await {
        let name = service.name;
        // Without partners: an empty list, and every partner id is unknown.
        let (status, _, body) = get(&service.router, "/partners").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["partners"], Value::Array(Vec::new()), "{name}");
        let (status, content_type, _) = get(&service.router, "/partners/b/rejections").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(content_type, "application/problem+json");

        // With one partner (not started: the store is written directly).
        let store = service.state.store().clone();
        let syncer = Syncer::new(
            store.clone(),
            gxa_verify::Verifier::new(gxa_verify::VerifierConfig::offline()).unwrap(),
            gxa_fetch::Fetcher::new(gxa_fetch::FetchPolicy::default()).unwrap(),
            vec![PartnerConfig {
                id: "b".to_owned(),
                base_url: "https://b.example".to_owned(),
                did: "did:web:b.example".to_owned(),
                policy: TrustPolicy {
                    types: vec!["scs:Attestation".to_owned()],
                    subjects: Vec::new(),
                },
                kind: gxa_partners::PartnerKind::default(),
            }],
            SyncOptions::default(),
        )
        .unwrap();
        let router = gxa_service::router(service.state.with_partners(syncer));
        for seq in 1..=3u64 {
            store
                .reject_partner_entry(
                    "b",
                    seq,
                    &format!("urn:x:{seq}"),
                    RejectionKind::Invalid,
                    &[format!("proof fail: signature {seq} does not verify")],
                )
                .await
                .unwrap();
        }
        store
            .record_partner_round("b", Some("could not check: timed out"))
            .await
            .unwrap();

        let (status, _, body) = get(&router, "/partners").await;
        assert_eq!(status, StatusCode::OK);
        let partner = &body["partners"][0];
        assert_eq!(partner["id"], "b", "{name}: {body}");
        assert_eq!(partner["did"], "did:web:b.example");
        assert_eq!(partner["base_url"], "https://b.example");
        assert_eq!(
            (&partner["cursor"], &partner["rejected"], &partner["stored"]),
            (&Value::from(3), &Value::from(3), &Value::from(0))
        );
        assert_eq!(partner["last_error"], "could not check: timed out");
        assert!(partner["last_success_at"].is_null());
        assert_eq!(partner["types"][0], "scs:Attestation");

        let (status, _, page) = get(&router, "/partners/b/rejections?limit=2").await;
        assert_eq!(status, StatusCode::OK);
        let rows = page["rejections"].as_array().unwrap();
        assert_eq!(rows.len(), 2, "{name}: {page}");
        assert_eq!(rows[0]["seq"], 1);
        assert_eq!(rows[0]["credential_id"], "urn:x:1");
        assert_eq!(rows[0]["kind"], "invalid");
        assert_eq!(
            rows[0]["reasons"][0],
            "proof fail: signature 1 does not verify"
        );
        assert_eq!(page["next"], "2");
        let (_, _, page) = get(&router, "/partners/b/rejections?cursor=2&limit=2").await;
        assert_eq!(page["rejections"].as_array().unwrap().len(), 1);
        assert_eq!(page["rejections"][0]["seq"], 3);
        assert!(page["next"].is_null());
        for bad in [
            "/partners/b/rejections?limit=0",
            "/partners/b/rejections?cursor=abc",
            "/partners/b/rejections?cursor=-1",
        ] {
            let (status, content_type, _) = get(&router, bad).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
            assert_eq!(content_type, "application/problem+json");
        }
        let (status, content_type, _) = get(&router, "/partners/c/rejections").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(content_type, "application/problem+json");

        // The change feed names each credential's issuer; a credential is served by its whole
        // (percent-encoded) id as well as by its last segment.
        let reply = service.upload_example().await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        let (_, _, feed) = get(&router, "/changes?after=0").await;
        let first = &feed["changes"][0];
        assert_eq!(first["issuer"], service.state.issuer().did(), "{feed}");
        let id = first["credential_id"].as_str().unwrap();
        let (status, _, _) = get(&router, &format!("/credentials/{}", encode(id))).await;
        assert_eq!(status, StatusCode::OK, "{name}: {id}");
        let (status, _, _) = get(&router, "/credentials/urn%3Ax%3Amissing").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        service.finish().await;
    }
}
