//! `POST /verify` in process, on SQLite and PostgreSQL: credentials the service issued verify,
//! tampered ones are reported invalid with the failing check (still 200), and malformed
//! requests are RFC 9457 problems.
//!
//! The test services live at `did:web:service.test`, a name that does not resolve, so these
//! tests give the verifier the service's DID document up front (offline, status not fetched);
//! `online_verify.rs` runs the same over real HTTPS with did:web, x5u and the status list.
//!
//! Decision documented here and in the route: a body that is not a credential at all (malformed
//! JSON, garbage) is **200 with verdict `invalid` and a failed `syntax` check**, not 400. The
//! question a caller asks is "is this credential good?"; "no, it does not even parse" is an
//! answer, the same one `gx-attest verify` gives for that file. 400 is for requests the service
//! cannot act on: an empty or non-UTF-8 body, a bad `?at=`, an unknown query parameter.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed fixture must stop the test"
)]

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use gxa_testkit::report::check;
use gxa_testkit::service as kit;
use kit::{Reply, TestService, services};
use serde_json::Value;

/// A router over the test service's state whose verifier knows the service's DID document.
async fn offline_router(service: &TestService) -> Router {
    let did = service.get("/.well-known/did.json", None).await.json();
    let mut config = gxa_verify::VerifierConfig::offline();
    config.did_documents = vec![did];
    config.shapes = true;
    let verifier = gxa_verify::Verifier::new(config).unwrap();
    gxa_service::router(service.state.with_verifier(verifier))
}

async fn send(router: &Router, request: Request<Body>) -> Reply {
    kit::send_to(router, request).await
}

async fn post_verify(router: &Router, query: &str, content_type: &str, body: Vec<u8>) -> Reply {
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("/verify{query}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    send(router, request).await
}

/// Uploads the example report; returns `(path, format)` of each issued credential.
async fn issue(service: &TestService) -> Vec<(String, String)> {
    let reply = service.upload_example().await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    reply.json()["issued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let id = i["id"].as_str().unwrap();
            (
                id.strip_prefix(kit::BASE_URL).unwrap().to_owned(),
                i["format"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The stored bytes of an issued credential and the media type to post them with.
async fn fetch(service: &TestService, path: &str, format: &str) -> (Vec<u8>, &'static str) {
    let media_type = if format == "vc+jwt" {
        "application/vc+jwt"
    } else {
        "application/vc+ld+json"
    };
    let reply = service.get(path, Some(media_type)).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.text());
    (reply.body, media_type)
}

#[tokio::test]
async fn issued_credentials_verify_and_tampered_ones_are_invalid() {
    for service in services().await {
        let name = service.name;
        let router = offline_router(&service).await;
        let issued = issue(&service).await;
        assert!(issued.iter().any(|(_, f)| f == "vc+jwt"), "{issued:?}");
        assert!(issued.iter().any(|(_, f)| f == "ld+json"), "{issued:?}");
        for (path, format) in &issued {
            let (body, media_type) = fetch(&service, path, format).await;
            let reply = post_verify(&router, "", media_type, body.clone()).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{name} {path}: {}",
                reply.text()
            );
            assert_eq!(reply.header("content-type"), "application/json");
            assert_eq!(reply.header("cache-control"), "no-store");
            let report = reply.json();
            assert_eq!(report["verdict"], "valid", "{name} {format}: {report:#}");
            assert_eq!(report["valid"], true);
            assert_eq!(check(&report, "proof")["outcome"], "pass", "{report:#}");
            assert_eq!(check(&report, "shapes")["outcome"], "pass", "{report:#}");
            assert_eq!(check(&report, "validity")["outcome"], "pass");
            assert!(
                report["id"].as_str().unwrap().ends_with(path.as_str()),
                "{report:#}"
            );
            // Offline: the status list is not fetched, and the report says so.
            let status = check(&report, "status");
            assert_eq!(status["outcome"], "skipped", "{report:#}");
            assert!(status["reason"].as_str().unwrap().contains("offline"));

            // Tampered: one claim changed after signing. Still 200, now invalid, and the
            // failing check is the proof.
            let tampered = if format == "vc+jwt" {
                tamper_jwt(&body)
            } else {
                let text = String::from_utf8(body.clone()).unwrap();
                let mut doc: Value = serde_json::from_str(&text).unwrap();
                doc["issuanceDate"] = Value::from("2020-01-01T00:00:00Z");
                serde_json::to_vec(&doc).unwrap()
            };
            let reply = post_verify(&router, "", media_type, tampered).await;
            assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
            let report = reply.json();
            assert_eq!(report["verdict"], "invalid", "{name} {format}: {report:#}");
            assert_eq!(report["valid"], false);
            let proof = check(&report, "proof");
            assert_eq!(proof["outcome"], "fail", "{report:#}");
            assert!(!proof["reason"].as_str().unwrap().is_empty());

            // Before it was issued (`?at=`): invalid through the validity check. (The SCS
            // attestation may carry no end of validity, so the past is the portable test.)
            let reply = post_verify(&router, "?at=2000-01-01T00:00:00Z", media_type, body).await;
            assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
            let report = reply.json();
            assert_eq!(report["verdict"], "invalid", "{report:#}");
            assert_eq!(check(&report, "validity")["outcome"], "fail", "{report:#}");
        }
        // Each verification is counted by verdict and first failing check, and timed.
        let request = Request::builder()
            .uri("/metrics")
            .body(Body::empty())
            .unwrap();
        let metrics = send(&router, request).await.text();
        let n = issued.len();
        for line in [
            format!(r#"gxa_verifications_total{{verdict="valid",check=""}} {n}"#),
            format!(r#"gxa_verifications_total{{verdict="invalid",check="proof"}} {n}"#),
            format!(r#"gxa_verifications_total{{verdict="invalid",check="validity"}} {n}"#),
            format!("gxa_verification_duration_seconds_count {}", 3 * n),
        ] {
            assert!(metrics.contains(&line), "{name}: no {line:?} in\n{metrics}");
        }
        service.finish().await;
    }
}

/// A batch — a JSON array, or `application/jsonl` — answers one report per document in order,
/// each with its `index`: valid JSON-LD and a valid JWT (as a JSON string), a tampered
/// credential (invalid: proof), one by an unknown did:web (could not check offline) and one
/// with a duplicate key (invalid: syntax, as alone). Too many documents: 413; an empty batch or
/// a line that is not JSON: 400.
#[tokio::test]
async fn batches_answer_one_report_per_document() {
    for service in services().await {
        let name = service.name;
        let router = offline_router(&service).await;
        let issued = issue(&service).await;
        let ld = issued.iter().find(|(_, f)| f == "ld+json").unwrap();
        let jwt = issued.iter().find(|(_, f)| f == "vc+jwt").unwrap();
        let (ld, _) = fetch(&service, &ld.0, &ld.1).await;
        let (jwt, _) = fetch(&service, &jwt.0, &jwt.1).await;
        let ld = String::from_utf8(ld).unwrap();
        let jwt = String::from_utf8(jwt).unwrap();
        let did = service.get("/.well-known/did.json", None).await.json()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut doc: Value = serde_json::from_str(&ld).unwrap();
        doc["issuanceDate"] = Value::from("2020-01-01T00:00:00Z");
        let tampered = serde_json::to_string(&doc).unwrap();
        let unknown = ld.replace(&did, "did:web:unknown.example");
        assert_ne!(unknown, ld);
        // The same key twice: JSON parsers that keep the last one would hide it.
        let duplicate = ld.replacen('{', "{\"id\": \"urn:x:first\", ", 1);
        let documents = [
            ld.trim().to_owned(),
            serde_json::to_string(jwt.trim()).unwrap(),
            tampered,
            unknown,
            duplicate,
        ];
        let expected = [
            ("valid", None),
            ("valid", None),
            ("invalid", Some("proof")),
            ("could_not_check", None),
            ("invalid", Some("syntax")),
        ];
        let array = format!("[{}]", documents.join(","));
        // JSON text has raw newlines only between tokens: one document per line.
        let lines: String = documents
            .iter()
            .map(|d| d.replace('\n', " ") + "\n")
            .collect();
        for (media_type, body) in [("application/json", array), ("application/jsonl", lines)] {
            let reply = post_verify(&router, "", media_type, body.into_bytes()).await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{name} {media_type}: {}",
                reply.text()
            );
            let reports = reply.json();
            let reports = reports.as_array().unwrap();
            assert_eq!(reports.len(), expected.len(), "{name} {media_type}");
            for (i, (report, (verdict, failing))) in reports.iter().zip(expected).enumerate() {
                assert_eq!(report["index"], i, "{name} {media_type}");
                assert_eq!(
                    report["verdict"], verdict,
                    "{name} {media_type} {i}: {report:#}"
                );
                if let Some(failing) = failing {
                    assert_eq!(check(report, failing)["outcome"], "fail", "{report:#}");
                }
            }
        }

        // Bounds and malformed batches.
        let small = gxa_service::router(
            service
                .state
                .with_verifier(
                    gxa_verify::Verifier::new(gxa_verify::VerifierConfig::offline()).unwrap(),
                )
                .with_verify_pool(
                    gxa_service::VerifyPool::new(2, 2, std::time::Duration::from_secs(1))
                        .with_max_batch(2),
                ),
        );
        let three = format!("[{0},{0},{0}]", serde_json::to_string(jwt.trim()).unwrap());
        post_verify(&small, "", "application/json", three.into_bytes())
            .await
            .assert_problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "three documents, two allowed",
            );
        post_verify(&router, "", "application/json", b"[]".to_vec())
            .await
            .assert_problem(StatusCode::BAD_REQUEST, "empty batch");
        post_verify(&router, "", "application/jsonl", b"\n\n".to_vec())
            .await
            .assert_problem(StatusCode::BAD_REQUEST, "empty lines");
        post_verify(
            &router,
            "",
            "application/jsonl",
            b"{\"a\": 1}\nnot json\n".to_vec(),
        )
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "a line that is not JSON");
        service.finish().await;
    }
}

/// The JWT with one payload claim changed and the signature kept.
fn tamper_jwt(jwt: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let text = std::str::from_utf8(jwt).unwrap().trim();
    let parts: Vec<&str> = text.split('.').collect();
    assert_eq!(parts.len(), 3, "{text}");
    let mut payload: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    let iat = payload["iat"].as_i64().unwrap_or(0);
    payload["iat"] = Value::from(iat - 3600);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap());
    format!("{}.{payload}.{}", parts[0], parts[2]).into_bytes()
}

#[tokio::test]
async fn malformed_bodies_are_invalid_reports_and_bad_requests_are_problems() {
    let services = services().await;
    let service = &services[0];
    let router = offline_router(service).await;

    // Malformed JSON: 200, invalid, the syntax check fails and the rest are skipped.
    for (content_type, body) in [
        ("application/vc+ld+json", &b"{\"@context\": [\"x\""[..]),
        ("application/json", b"{\"a\": 1, \"a\": 2}"),
        ("application/vc+jwt", b"not.a.jwt"),
    ] {
        let reply = post_verify(&router, "", content_type, body.to_vec()).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let report = reply.json();
        assert_eq!(report["verdict"], "invalid", "{report:#}");
        assert_eq!(check(&report, "syntax")["outcome"], "fail", "{report:#}");
        assert_eq!(check(&report, "proof")["outcome"], "skipped", "{report:#}");
    }

    // Wrong content type (or none): 415.
    let reply = post_verify(&router, "", "application/xml", b"<x/>".to_vec()).await;
    reply.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "xml");
    assert!(
        reply.json()["detail"]
            .as_str()
            .unwrap()
            .contains("application/vc+jwt")
    );
    let request = Request::builder()
        .method(Method::POST)
        .uri("/verify")
        .body(Body::from("{}"))
        .unwrap();
    send(&router, request)
        .await
        .assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "no content type");
    // Parameters of an accepted type are fine.
    let reply = post_verify(
        &router,
        "",
        "application/ld+json; charset=utf-8",
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());

    // Bad `at`: 400, and the body is not even looked at.
    for query in ["?at=yesterday", "?at=2026-11-25", "?at="] {
        let reply = post_verify(&router, query, "application/json", b"{}".to_vec()).await;
        reply.assert_problem(StatusCode::BAD_REQUEST, query);
    }
    // An unknown query parameter (a typo of `at`) is a 400, not silently "now".
    let reply = post_verify(
        &router,
        "?time=2026-01-01T00:00:00Z",
        "application/json",
        b"{}".to_vec(),
    )
    .await;
    reply.assert_problem(StatusCode::BAD_REQUEST, "unknown parameter");

    // Empty, blank or non-UTF-8 body: 400.
    for body in [&b""[..], b"  \n", b"\xff\xfe{}"] {
        let reply = post_verify(&router, "", "application/json", body.to_vec()).await;
        reply.assert_problem(StatusCode::BAD_REQUEST, "empty or binary body");
    }

    // GET is the verify page (a form); other methods are not allowed.
    let form = service.get("/verify", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.text()
            .contains("<form method=\"post\" action=\"verify\"")
    );
    let delete = Request::builder()
        .method(Method::DELETE)
        .uri("/verify")
        .body(Body::empty())
        .unwrap();
    service
        .send(delete)
        .await
        .assert_problem(StatusCode::METHOD_NOT_ALLOWED, "DELETE /verify");

    for service in services {
        service.finish().await;
    }
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    // The service's own limit (64 KiB here) applies before the verifier's.
    let services = kit::services_with_limit(64 * 1024).await;
    let service = &services[0];
    let router = offline_router(service).await;
    let mut big = b"{\"x\": \"".to_vec();
    big.resize(100 * 1024, b'a');
    big.extend_from_slice(b"\"}");
    let reply = post_verify(&router, "", "application/json", big).await;
    reply.assert_problem(StatusCode::PAYLOAD_TOO_LARGE, "over the body limit");
    for service in services {
        service.finish().await;
    }
}

#[tokio::test]
async fn the_service_verifier_is_production_policy_by_default() {
    // The verifier `prepare` builds from an empty `[verify]` section refuses to resolve a
    // did:web on an unresolvable or private host: the credential is not reported valid.
    let services = services().await;
    let service = &services[0];
    let issued = issue(service).await;
    let (path, format) = &issued[0];
    let (body, media_type) = fetch(service, path, format).await;
    let reply = service.post("/verify", None, media_type, body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let report = reply.json();
    assert_ne!(report["verdict"], "valid", "{report:#}");
    assert_ne!(
        check(&report, "verification_method")["outcome"],
        "pass",
        "{report:#}"
    );
    // Without trust anchors the chain check is skipped, with the reason.
    let chain = check(&report, "certificate_chain");
    assert_ne!(chain["outcome"], "pass", "{report:#}");
    for service in services {
        service.finish().await;
    }
}

#[tokio::test]
async fn openapi_describes_verify() {
    let services = services().await;
    let service = &services[0];
    let doc = service.get("/openapi.json", None).await.json();
    let post = &doc["paths"]["/verify"]["post"];
    let content = &post["requestBody"]["content"];
    for media_type in [
        "application/vc+ld+json",
        "application/vp+ld+json",
        "application/vc+jwt",
        "application/vp+jwt",
        "application/jwt",
        "text/plain",
    ] {
        assert!(content.get(media_type).is_some(), "{media_type}: {post:#}");
    }
    let params: Vec<&str> = post["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["at", "challenge", "domain"]);
    for status in ["200", "400", "413", "415"] {
        assert!(
            post["responses"].get(status).is_some(),
            "{status}: {post:#}"
        );
    }
    assert!(post["responses"].get("501").is_some());
    for service in services {
        service.finish().await;
    }
}

/// `POST /v2/credentials-events` in the compliance role (a federation's own CES): an event
/// carrying a credential that verifies is stored once per source and id and listed by `GET`;
/// a tampered credential, data that is no credential, and what is no CloudEvent are refused
/// as problems, nothing stored; the provider role takes no events.
#[tokio::test]
async fn a_ces_takes_verified_credential_events_once() {
    for service in services().await {
        let name = service.name;
        let issued = issue(&service).await;
        let did = service.get("/.well-known/did.json", None).await.json();
        let mut config = gxa_verify::VerifierConfig::offline();
        config.did_documents = vec![did];
        let verifier = gxa_verify::Verifier::new(config).unwrap();
        let ces = gxa_service::router(
            service
                .state
                .with_verifier(verifier)
                .with_role(gxa_service::clearing::Role::Compliance),
        );
        let post = |body: Value| {
            Request::builder()
                .method(Method::POST)
                .uri("/v2/credentials-events")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap()
        };
        let (jwt_path, _) = issued.iter().find(|(_, f)| f == "vc+jwt").unwrap();
        let (jwt, _) = fetch(&service, jwt_path, "vc+jwt").await;
        let (ld_path, _) = issued.iter().find(|(_, f)| f == "ld+json").unwrap();
        let (ld, _) = fetch(&service, ld_path, "ld+json").await;
        let event = |id: &str, data: Value| {
            serde_json::json!({"specversion": "1.0", "id": id, "source": "did:web:service.test",
                "type": "eu.gaia-x.credential", "time": "2026-06-01T10:00:00Z",
                "datacontenttype": "application/json", "data": data})
        };
        let jwt_event = event("1", Value::String(String::from_utf8(jwt).unwrap()));
        let ld_doc: Value = serde_json::from_slice(&ld).unwrap();
        let reply = send(&ces, post(jwt_event.clone())).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{name}: {}",
            reply.text()
        );
        let reply = send(&ces, post(event("2", ld_doc.clone()))).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{name}: {}",
            reply.text()
        );
        // A repeated delivery: 200, stored once.
        let reply = send(&ces, post(jwt_event)).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
        // Refused, each a problem, nothing stored.
        let mut tampered = ld_doc.clone();
        tampered["credentialSubject"]["tampered"] = Value::Bool(true);
        for (body, status, says) in [
            (
                event("3", tampered),
                StatusCode::UNPROCESSABLE_ENTITY,
                "does not verify",
            ),
            (
                event("4", serde_json::json!({"id": "x", "state": "revoked"})),
                StatusCode::UNPROCESSABLE_ENTITY,
                "data is no credential",
            ),
            (
                {
                    let mut e = event("5", ld_doc.clone());
                    e["type"] = Value::from("com.example.other");
                    e
                },
                StatusCode::BAD_REQUEST,
                "type",
            ),
            (
                serde_json::json!([1, 2]),
                StatusCode::BAD_REQUEST,
                "not a CloudEvent",
            ),
        ] {
            let reply = send(&ces, post(body)).await;
            reply.assert_problem(status, name);
            assert!(reply.text().contains(says), "{name}: {}", reply.text());
        }
        let not_json = Request::builder()
            .method(Method::POST)
            .uri("/v2/credentials-events")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{"))
            .unwrap();
        send(&ces, not_json)
            .await
            .assert_problem(StatusCode::BAD_REQUEST, name);
        // The CES lists what it took, in order.
        let request = Request::builder()
            .uri("/v2/credentials-events?page=0&size=10")
            .body(Body::empty())
            .unwrap();
        let listed = send(&ces, request).await.json();
        let ids: Vec<&str> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["1", "2"], "{name}: {listed}");
        // The provider role takes no events.
        let provider = gxa_service::router(service.state.clone());
        let reply = send(&provider, post(event("6", ld_doc))).await;
        reply.assert_problem(StatusCode::METHOD_NOT_ALLOWED, name);
        assert_eq!(reply.header("allow"), "GET");
        service.finish().await;
    }
}

/// Publishing the change log to a CES over HTTP (`gxa_ces::publish`), here to this service's own
/// CES endpoint (the compliance role on the same database, served on a loopback port): every
/// change is delivered in order once the target answers; an event sent before a crash (before
/// the cursor moved) is sent again and dropped by the receiver; a target that is down stops
/// the round and keeps the cursor; revocation notices the CES refuses are skipped, counted.
#[tokio::test]
async fn the_change_log_is_published_to_a_ces_without_loss_or_duplicates() {
    for service in services().await {
        let name = service.name;
        issue(&service).await;
        let did = service.get("/.well-known/did.json", None).await.json();
        let source = did["id"].as_str().unwrap().to_owned();
        let mut config = gxa_verify::VerifierConfig::offline();
        config.did_documents = vec![did];
        let ces = gxa_service::router(
            service
                .state
                .with_verifier(gxa_verify::Verifier::new(config).unwrap())
                .with_role(gxa_service::clearing::Role::Compliance),
        );
        let store = service.state.store();
        // Revoke one credential: its change is a revocation notice, which this CES refuses.
        let revocable = store
            .changes(gxa_store::ChangeCursor(0), 100)
            .await
            .unwrap();
        let first = revocable[0].credential_id.clone();
        store.revoke_credential(&first).await.unwrap();
        let latest = store.latest_sequence().await.unwrap();

        let publisher = |port: u16| {
            gxa_ces::publish::Publisher::new(gxa_ces::publish::PublisherConfig {
                targets: vec![format!("http://127.0.0.1:{port}/v2/credentials-events")],
                source: source.clone(),
                batch: 100,
                timeout: std::time::Duration::from_secs(10),
                extra_roots: Vec::new(),
                allow_http: true,
            })
            .unwrap()
        };
        // Down: nothing listens. The round stops at the first event, the cursor stays.
        let down = gxa_testkit::http::free_port();
        let p = publisher(down);
        let target = p.targets()[0].clone();
        let round = p.deliver(store, &target).await.unwrap();
        assert_eq!(
            (round.sent, round.pending),
            (0, latest),
            "{name}: {round:?}"
        );
        assert!(round.failed.is_some());
        let state = store.ces_delivery(&target).await.unwrap();
        assert_eq!((state.delivered, state.failures), (0, 1));

        // Up: the CES on a loopback port.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move { axum::serve(listener, ces).await });
        let p = publisher(port);
        let target = p.targets()[0].clone();
        // As if a crash came after the first event was sent and before the cursor moved.
        let entry = &revocable[0];
        let credential = store.get_credential(&entry.credential_id).await.unwrap();
        let early = gxa_ces::of_change(&source, entry, Some(&credential));
        let reply = reqwest::Client::new()
            .post(&target)
            .json(&early)
            .send()
            .await
            .unwrap();
        assert_eq!(
            reply.status(),
            201,
            "{name}: {}",
            reply.text().await.unwrap()
        );
        let round = p.deliver(store, &target).await.unwrap();
        assert_eq!(round.failed, None, "{name}: {round:?}");
        assert_eq!(round.pending, 0);
        assert_eq!(
            u64::from(round.sent + round.refused),
            latest,
            "{name}: {round:?}"
        );
        assert_eq!(round.refused, 1, "the revocation notice");
        let state = store.ces_delivery(&target).await.unwrap();
        assert_eq!(state.delivered, latest);
        assert!(state.last_error.unwrap().contains("HTTP 422"));
        // The CES holds each issuance once, in log order.
        let held = store.ces_events(0, 1000).await.unwrap();
        let ids: Vec<String> = held.iter().map(|e| e.event_id.clone()).collect();
        let expected: Vec<String> = (1..=latest)
            .filter(|seq| *seq != latest)
            .map(|seq| format!("change-{seq}"))
            .collect();
        assert_eq!(ids, expected, "{name}");
        // Nothing new: a round sends nothing.
        let again = p.deliver(store, &target).await.unwrap();
        assert_eq!((again.sent, again.refused, again.pending), (0, 0, 0));
        server.abort();
        service.finish().await;
    }
}
