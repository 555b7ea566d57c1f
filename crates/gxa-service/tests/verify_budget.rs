//! `POST /verify` under hostile load: a bounded pool (503 with `Retry-After` beyond it, every
//! request answered), body limits per media type, and a JSON value budget that refuses an input
//! of many small objects before any JSON-LD work.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use gxa_service::VerifyPool;
use gxa_testkit::service as kit;
use kit::{Reply, TestService};

fn router(service: &TestService, pool: VerifyPool) -> Router {
    let mut config = gxa_verify::VerifierConfig::offline();
    config.max_json_values = 50_000;
    let verifier = gxa_verify::Verifier::new(config).unwrap();
    let pool = pool.with_body_limits(2 * 1024 * 1024, 3 * 1024 * 1024);
    gxa_service::router(service.state.with_verifier(verifier).with_verify_pool(pool))
}

async fn post(router: &Router, content_type: &str, body: Vec<u8>) -> Reply {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/verify")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    kit::send_to(router, request).await
}

/// A JSON-LD credential whose subject holds `n` small objects (about 29 bytes each).
fn many_objects(n: usize) -> Vec<u8> {
    let items = vec![r#"{"schema:name":"x","@id":"_:b"}"#; n].join(",");
    format!(
        r#"{{"@context":["https://www.w3.org/ns/credentials/v2",{{"schema":"https://schema.org/"}}],"type":["VerifiableCredential"],"issuer":"did:web:example.org","credentialSubject":{{"schema:knows":[{items}]}}}}"#
    )
    .into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_small_objects_are_refused_before_expansion() {
    let services = kit::services_with_limit(16 * 1024 * 1024).await;
    let service = &services[0];
    let router = router(service, VerifyPool::new(2, 2, Duration::from_secs(5)));
    // 60 000 objects (≈ 2 MB, under the JSON-LD body limit): over the value budget.
    let body = many_objects(60_000);
    assert!(body.len() < 2 * 1024 * 1024, "{}", body.len());
    let start = Instant::now();
    let reply = post(&router, "application/vc+ld+json", body).await;
    let took = start.elapsed();
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let report = reply.json();
    assert_eq!(report["verdict"], "invalid", "{report}");
    let syntax = &report["checks"][0];
    assert_eq!(syntax["check"], "syntax");
    assert!(
        syntax["reason"]
            .as_str()
            .unwrap()
            .contains("more than 50000 JSON values"),
        "{syntax}"
    );
    assert!(took < Duration::from_secs(2), "refused late: {took:?}");

    // 2.9 MB of JSON-LD is over the JSON-LD body limit (2 MiB): 413 before parsing.
    let body = many_objects(100_000);
    assert!(body.len() > 2_900_000, "{}", body.len());
    post(&router, "application/vc+ld+json", body.clone())
        .await
        .assert_problem(StatusCode::PAYLOAD_TOO_LARGE, "JSON-LD over 2 MiB");
    // 2.9 MB as a JWT media type is within the JWT limit (3 MiB): read, then refused by
    // the syntax check (it is not a JWT).
    let body = many_objects(90_000);
    assert!(body.len() > 2 * 1024 * 1024 && body.len() < 3 * 1024 * 1024);
    let reply = post(&router, "application/vc+jwt", body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json()["verdict"], "invalid");
    for service in services {
        service.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_pool_answers_503_with_retry_after_and_every_request_is_answered() {
    let services = kit::services_with_limit(16 * 1024 * 1024).await;
    let service = &services[0];
    // One running, one waiting, no waiting time to speak of.
    let router = router(service, VerifyPool::new(1, 1, Duration::from_millis(1)));
    let body = many_objects(20_000);
    let requests = (0..16).map(|_| post(&router, "application/vc+ld+json", body.clone()));
    let replies = futures::future::join_all(requests).await;
    let mut verified = 0;
    let mut busy = 0;
    for reply in &replies {
        match reply.status {
            StatusCode::OK => verified += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                reply.assert_problem(StatusCode::SERVICE_UNAVAILABLE, "pool full");
                assert!(!reply.header("retry-after").is_empty());
                busy += 1;
            }
            other => panic!("unexpected {other}: {}", reply.text()),
        }
    }
    assert_eq!(verified + busy, 16);
    assert!(verified >= 1, "{verified} verified");
    assert!(busy >= 14, "{busy} refused");
    // Once the pool is free again, a request is verified.
    let reply = post(&router, "application/vc+ld+json", many_objects(10)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    for service in services {
        service.finish().await;
    }
}
