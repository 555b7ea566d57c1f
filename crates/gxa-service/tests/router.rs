//! In-process router tests (tower `oneshot`): every endpoint and every error path, on SQLite and
//! PostgreSQL, over the real issuer and store.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use base64::Engine as _;
use gxa_testkit::service as kit;
use kit::{IAAS_UUID, OTHER_TOKEN, SUBJECT, TOKEN, TestService, services};
use serde_json::Value;

/// The path of a credential id (`http://service.test/credentials/x` → `/credentials/x`).
fn path_of(id: &str) -> String {
    id.strip_prefix(kit::BASE_URL)
        .unwrap_or_else(|| panic!("{id} is not under the base URL"))
        .to_owned()
}

/// Uploads the example and returns the issued credentials' ids with their formats.
async fn issue(service: &TestService) -> Vec<(String, String)> {
    let reply = service.upload_example().await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}: {}",
        service.name,
        reply.text()
    );
    let outcome = reply.json();
    let issued = outcome["issued"].as_array().unwrap();
    assert!(!issued.is_empty(), "{}", reply.text());
    issued
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_owned(),
                i["format"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn did_document_and_certificate_chain() {
    for service in services().await {
        let reply = service.get("/.well-known/did.json", None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", service.name);
        assert_eq!(reply.header("content-type"), "application/did+ld+json");
        let doc = reply.json();
        assert_eq!(doc["id"], "did:web:service.test");
        let x5u = doc["verificationMethod"][0]["publicKeyJwk"]["x5u"]
            .as_str()
            .unwrap()
            .to_owned();
        let path = x5u
            .strip_prefix("https://service.test")
            .unwrap_or_else(|| panic!("x5u {x5u}"));
        let chain = service.get(path, None).await;
        assert_eq!(chain.status, StatusCode::OK, "{}", service.name);
        assert_eq!(
            chain.header("content-type"),
            "application/pem-certificate-chain"
        );
        assert!(chain.text().starts_with("-----BEGIN CERTIFICATE-----"));
        // No private key material is ever served.
        assert!(!chain.text().contains("PRIVATE KEY"));
        assert!(!reply.text().contains("\"d\""));
        // A POST to the chain path is still a 404 problem.
        let post = service.post(path, None, "text/plain", b"x".to_vec()).await;
        post.assert_problem(StatusCode::NOT_FOUND, "POST to the chain path");
        service.finish().await;
    }
}

#[tokio::test]
async fn report_upload_auth_and_content_type() {
    for service in services().await {
        let name = service.name;
        let body = kit::upload_body();
        // No credentials: 401 with a challenge for both schemes.
        let reply = service
            .post("/reports", None, "application/x-signed-yaml", body.clone())
            .await;
        reply.assert_problem(StatusCode::UNAUTHORIZED, name);
        let challenge = reply.header("www-authenticate");
        assert!(
            challenge.contains("Bearer") && challenge.contains("Basic"),
            "{challenge}"
        );
        // Unknown token.
        let reply = service
            .post(
                "/reports",
                Some("not-a-token-at-all-0000"),
                "application/x-signed-yaml",
                body.clone(),
            )
            .await;
        reply.assert_problem(StatusCode::UNAUTHORIZED, name);
        // Malformed Authorization header.
        let request = Request::builder()
            .method(Method::POST)
            .uri("/reports")
            .header(header::AUTHORIZATION, "Basic ***")
            .header(header::CONTENT_TYPE, "application/x-signed-yaml")
            .body(Body::from(body.clone()))
            .unwrap();
        service
            .send(request)
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, name);
        // Basic with a valid token for another user name: 403.
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{SUBJECT}:{OTHER_TOKEN}"));
        let request = Request::builder()
            .method(Method::POST)
            .uri("/reports")
            .header(header::AUTHORIZATION, format!("Basic {basic}"))
            .header(header::CONTENT_TYPE, "application/x-signed-yaml")
            .body(Body::from(body.clone()))
            .unwrap();
        service
            .send(request)
            .await
            .assert_problem(StatusCode::FORBIDDEN, name);
        // The configured (hashed) token of a subject without SSH keys: 403 from the issuer.
        service
            .post(
                "/reports",
                Some(OTHER_TOKEN),
                "application/x-signed-yaml",
                body.clone(),
            )
            .await
            .assert_problem(StatusCode::FORBIDDEN, name);
        // Wrong content type: 415.
        service
            .post("/reports", Some(TOKEN), "text/plain", body.clone())
            .await
            .assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, name);
        // Malformed bodies: 4xx problems, never 500.
        for bad in [
            b"".to_vec(),
            b"not a signed upload".to_vec(),
            b"-----BEGIN SSH SIGNATURE-----\ngarbage\n-----END SSH SIGNATURE-----\n&---\n".to_vec(),
            vec![0xff, 0xfe, 0x00, 0x26],
        ] {
            let reply = service
                .post("/reports", Some(TOKEN), "application/x-signed-yaml", bad)
                .await;
            assert!(
                reply.status.is_client_error(),
                "{name}: {} {}",
                reply.status,
                reply.text()
            );
            assert_eq!(reply.header("content-type"), "application/problem+json");
        }
        // A tampered report: the signature no longer covers it.
        let mut tampered = body.clone();
        let at = tampered.len() - 10;
        tampered[at] = if tampered[at] == b'x' { b'y' } else { b'x' };
        let reply = service
            .post(
                "/reports",
                Some(TOKEN),
                "application/x-signed-yaml",
                tampered,
            )
            .await;
        assert!(reply.status.is_client_error(), "{name}: {}", reply.text());

        // HTTP Basic exactly as the SCS test runner sends it (user = subject, password = token).
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{SUBJECT}:{TOKEN}"));
        let request = Request::builder()
            .method(Method::POST)
            .uri("/reports")
            .header(header::AUTHORIZATION, format!("Basic {basic}"))
            .header(header::CONTENT_TYPE, "application/x-signed-yaml")
            .body(Body::from(body.clone()))
            .unwrap();
        let reply = service.send(request).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{name}: {}",
            reply.text()
        );
        let outcome = reply.json();
        assert_eq!(outcome["duplicate"], false);
        assert!(
            outcome["upload_sri"]
                .as_str()
                .unwrap()
                .starts_with("sha256-")
        );
        assert!(!outcome["issued"].as_array().unwrap().is_empty());
        // The same bytes again: a duplicate, nothing new issued.
        let again = service.upload_example().await;
        assert_eq!(again.status, StatusCode::OK, "{name}: {}", again.text());
        assert_eq!(again.json()["duplicate"], true);
        assert!(again.json()["issued"].as_array().unwrap().is_empty());
        // Every request has a request id.
        assert!(!again.header("x-request-id").is_empty());
        service.finish().await;
    }
}

#[tokio::test]
async fn oversized_body_is_413() {
    for service in kit::services_with_limit(1000).await {
        let reply = service.upload_example().await;
        reply.assert_problem(StatusCode::PAYLOAD_TOO_LARGE, service.name);
        // Also without Content-Length (a streamed body): still 413, not 400 or 500.
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = kit::upload_body()
            .chunks(100)
            .map(|c| Ok(c.to_vec()))
            .collect();
        let stream = futures::stream::iter(chunks);
        let request = Request::builder()
            .method(Method::POST)
            .uri("/reports")
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(header::CONTENT_TYPE, "application/x-signed-yaml")
            .body(Body::from_stream(stream))
            .unwrap();
        service
            .send(request)
            .await
            .assert_problem(StatusCode::PAYLOAD_TOO_LARGE, service.name);
        let inventory = service
            .post(
                "/inventory",
                Some(TOKEN),
                "application/json",
                vec![b' '; 5000],
            )
            .await;
        inventory.assert_problem(StatusCode::PAYLOAD_TOO_LARGE, service.name);
        service.finish().await;
    }
}

#[tokio::test]
async fn credentials_in_every_media_type() {
    for service in services().await {
        let name = service.name;
        let issued = issue(&service).await;
        let (ld_id, _) = issued
            .iter()
            .find(|(_, format)| format == "ld+json")
            .expect("a Tagus JSON-LD credential");
        let (jwt_id, _) = issued
            .iter()
            .find(|(_, format)| format == "vc+jwt")
            .expect("a Loire vc+jwt credential");
        let ld_path = path_of(ld_id);
        let jwt_path = path_of(jwt_id);

        // JSON-LD: default and explicit.
        for accept in [
            None,
            Some("*/*"),
            Some("application/vc+ld+json"),
            Some("application/ld+json"),
        ] {
            let reply = service.get(&ld_path, accept).await;
            assert_eq!(reply.status, StatusCode::OK, "{name} {accept:?}");
            let expected = accept
                .filter(|a| *a == "application/ld+json")
                .unwrap_or("application/vc+ld+json");
            assert_eq!(reply.header("content-type"), expected);
            assert_eq!(reply.json()["id"], ld_id.as_str());
            assert!(reply.json()["proof"].is_object());
            assert!(reply.header("cache-control").contains("immutable"));
            assert_eq!(reply.header("vary"), "Accept");
            let digest = gxa_store::Sha256Digest::of(&reply.body).to_string();
            assert_eq!(reply.header("etag"), format!("\"{digest}\""));
        }
        // vc+jwt.
        let reply = service.get(&jwt_path, Some("application/vc+jwt")).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}");
        assert_eq!(reply.header("content-type"), "application/vc+jwt");
        assert_eq!(reply.text().split('.').count(), 3);
        // JSON-LD of a JWT credential is its enveloped form; a JSON-LD credential has no JWT
        // form: 406 with the alternatives.
        let enveloped = service.get(&jwt_path, Some("application/ld+json")).await;
        assert_eq!(enveloped.status, StatusCode::OK, "{name}");
        assert_eq!(enveloped.json()["type"], "EnvelopedVerifiableCredential");
        service
            .get(&ld_path, Some("application/vc+jwt"))
            .await
            .assert_problem(StatusCode::NOT_ACCEPTABLE, name);
        service
            .get(&ld_path, Some("image/png"))
            .await
            .assert_problem(StatusCode::NOT_ACCEPTABLE, name);
        // N-Quads: the canonical form, the same the library computes.
        for (path, document) in [
            (&ld_path, service.get(&ld_path, None).await.json()),
            (&jwt_path, {
                let jwt = service.get(&jwt_path, None).await.text();
                let payload = jwt.split('.').nth(1).unwrap();
                serde_json::from_slice(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(payload)
                        .unwrap(),
                )
                .unwrap()
            }),
        ] {
            let reply = service.get(path, Some("application/n-quads")).await;
            assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
            assert_eq!(reply.header("content-type"), "application/n-quads");
            let expected = gxa_jsonld::Processor::pinned()
                .canonicalize(&document)
                .unwrap();
            assert_eq!(reply.text(), expected);
            assert!(reply.text().ends_with(" .\n"));
        }
        // HTML: readable, escaped, locked down.
        let reply = service.get(&ld_path, Some("text/html")).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}");
        assert_eq!(reply.header("content-type"), "text/html; charset=utf-8");
        assert!(
            reply
                .header("content-security-policy")
                .contains("default-src 'none'")
        );
        assert!(reply.text().contains(ld_id.as_str()));
        assert!(reply.text().contains("&quot;"), "JSON quotes are escaped");
        assert!(!reply.text().contains("<script"));

        // Conditional requests.
        let first = service.get(&ld_path, None).await;
        let etag = first.header("etag").to_owned();
        let request = Request::builder()
            .uri(&ld_path)
            .header(header::IF_NONE_MATCH, &etag)
            .body(Body::empty())
            .unwrap();
        let reply = service.send(request).await;
        assert_eq!(reply.status, StatusCode::NOT_MODIFIED, "{name}");
        assert!(reply.body.is_empty());
        assert_eq!(reply.header("etag"), etag);
        let request = Request::builder()
            .uri(&ld_path)
            .header(header::IF_NONE_MATCH, "\"something-else\"")
            .body(Body::empty())
            .unwrap();
        assert_eq!(service.send(request).await.status, StatusCode::OK);

        // Unknown ids.
        service
            .get("/credentials/00000000-0000-0000-0000-000000000000", None)
            .await
            .assert_problem(StatusCode::NOT_FOUND, name);
        service
            .get("/credentials/%3Cscript%3E", Some("text/html"))
            .await
            .assert_problem(StatusCode::NOT_FOUND, name);
        service.finish().await;
    }
}

#[tokio::test]
async fn listing_filters_and_cursors() {
    for service in services().await {
        let name = service.name;
        let issued = issue(&service).await;
        let all = service.get("/credentials?limit=1000", None).await;
        assert_eq!(all.status, StatusCode::OK, "{name}");
        let items = all.json()["items"].as_array().unwrap().clone();
        for (id, _) in &issued {
            assert!(items.iter().any(|i| i["id"] == id.as_str()), "{id} listed");
        }
        // Paging one by one visits every credential once.
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/credentials?limit=1&cursor={c}"),
                None => "/credentials?limit=1".to_owned(),
            };
            let page = service.get(&path, None).await;
            assert_eq!(page.status, StatusCode::OK, "{name}: {}", page.text());
            let body = page.json();
            for item in body["items"].as_array().unwrap() {
                seen.push(item["id"].as_str().unwrap().to_owned());
            }
            match body["next"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen.len(), items.len(), "{name}");
        // Filters.
        let by_subject = service
            .get(&format!("/credentials?subject={SUBJECT}&limit=1000"), None)
            .await
            .json();
        assert!(
            by_subject["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["subject"] == SUBJECT),
            "{name}"
        );
        let none = service
            .get("/credentials?type=NoSuchType", None)
            .await
            .json();
        assert_eq!(none["items"].as_array().unwrap().len(), 0);
        assert!(none["next"].is_null());
        // Bad cursors and limits: 400.
        for bad in [
            "/credentials?cursor=garbage",
            "/credentials?cursor=AQAAAAAAAAAAAA",
            "/credentials?limit=0",
            "/credentials?limit=1001",
            "/credentials?limit=ten",
        ] {
            service
                .get(bad, None)
                .await
                .assert_problem(StatusCode::BAD_REQUEST, bad);
        }
        service.finish().await;
    }
}

#[tokio::test]
async fn revocation_status_lists_and_change_feed() {
    for service in services().await {
        let name = service.name;
        let issued = issue(&service).await;
        let (ld_id, _) = issued.iter().find(|(_, f)| f == "ld+json").unwrap();
        let path = format!("{}/revoke", path_of(ld_id));
        // No token, another subject's token, unknown credential.
        service
            .post(&path, None, "application/json", Vec::new())
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, name);
        service
            .post(&path, Some(OTHER_TOKEN), "application/json", Vec::new())
            .await
            .assert_problem(StatusCode::FORBIDDEN, name);
        service
            .post(
                "/credentials/00000000-0000-0000-0000-000000000000/revoke",
                Some(TOKEN),
                "application/json",
                Vec::new(),
            )
            .await
            .assert_problem(StatusCode::NOT_FOUND, name);
        // Revoke, then again (idempotent).
        let reply = service
            .post(&path, Some(TOKEN), "application/json", Vec::new())
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
        assert_eq!(reply.json()["newly_revoked"], true);
        let revoked_seq = reply.json()["seq"].as_u64().unwrap();
        let again = service
            .post(&path, Some(TOKEN), "application/json", Vec::new())
            .await;
        assert_eq!(again.json()["newly_revoked"], false);
        assert_eq!(again.json()["seq"].as_u64().unwrap(), revoked_seq);

        // The status list the credential points to shows it.
        let credential = service.get(&path_of(ld_id), None).await.json();
        let list_url = credential["credentialStatus"]["statusListCredential"]
            .as_str()
            .unwrap_or_else(|| panic!("credentialStatus: {credential}"));
        let list_path = path_of(list_url);
        let list = service
            .get(&list_path, Some("application/vc+ld+json"))
            .await;
        assert_eq!(list.status, StatusCode::OK, "{name}: {}", list.text());
        let encoded = list.json()["credentialSubject"]["encodedList"]
            .as_str()
            .unwrap()
            .to_owned();
        let index: u64 = credential["credentialStatus"]["statusListIndex"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let bits = gxa_issuer::decode_status_list(&encoded).unwrap();
        assert!(gxa_store::bit_is_set(&bits, index), "{name}: bit {index}");
        let jwt = service.get(&list_path, Some("application/vc+jwt")).await;
        assert_eq!(jwt.status, StatusCode::OK, "{name}");
        assert_eq!(jwt.header("content-type"), "application/vc+jwt");
        // Without Accept: the VC 2.0 list; plain JSON: the Tagus (StatusList2021) one.
        let default = service.get(&list_path, None).await;
        assert_eq!(
            default.header("content-type"),
            "application/vc+jwt",
            "{name}"
        );
        let json = service.get(&list_path, Some("application/json")).await;
        assert_eq!(json.status, StatusCode::OK, "{name}");
        assert_eq!(json.json()["type"][1], "StatusList2021Credential", "{name}");
        service
            .get("/status-lists/no-such-list", None)
            .await
            .assert_problem(StatusCode::NOT_FOUND, name);
        service
            .get(&list_path, Some("text/csv"))
            .await
            .assert_problem(StatusCode::NOT_ACCEPTABLE, name);

        // The change feed: gapless, resumable, with the revocation.
        let feed = service.get("/changes?after=0", None).await;
        assert_eq!(feed.status, StatusCode::OK, "{name}");
        let body = feed.json();
        let seqs: Vec<u64> = body["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["seq"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>(), "{name}");
        assert!(
            body["changes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["kind"] == "revoked" && c["credential_id"] == ld_id.as_str())
        );
        assert_eq!(body["next"], seqs.len().to_string());
        let rest = service
            .get(&format!("/changes?after={}", seqs.len()), None)
            .await
            .json();
        assert_eq!(rest["changes"].as_array().unwrap().len(), 0);
        let two = service.get("/changes?after=1&limit=2", None).await.json();
        assert_eq!(two["changes"][0]["seq"], 2);
        assert_eq!(two["next"], "3");
        for bad in [
            "/changes?after=abc",
            "/changes?after=-1",
            "/changes?after=999999",
            "/changes?limit=0",
        ] {
            service
                .get(bad, None)
                .await
                .assert_problem(StatusCode::BAD_REQUEST, bad);
        }

        // The same log as Credential Event Service events: one CloudEvent per change, in
        // order, with the credential as data, paged as a CES is.
        let events = service.get("/v2/credentials-events?size=50", None).await;
        assert_eq!(events.status, StatusCode::OK, "{name}: {}", events.text());
        let events = events.json();
        let events = events.as_array().unwrap();
        assert_eq!(events.len(), seqs.len(), "{name}");
        for (event, seq) in events.iter().zip(&seqs) {
            assert_eq!(event["specversion"], "1.0");
            assert_eq!(event["type"], "eu.gaia-x.credential");
            assert_eq!(event["id"], format!("change-{seq}"));
            assert!(event["source"].as_str().unwrap().starts_with("did:web:"));
            assert!(
                event["time"]
                    .as_str()
                    .unwrap()
                    .parse::<jiff::Timestamp>()
                    .is_ok()
            );
        }
        let revocation = events
            .iter()
            .find(|e| e["gxattestchange"] == "revoked")
            .unwrap();
        assert_eq!(revocation["subject"], ld_id.as_str());
        assert_eq!(revocation["data"]["state"], "revoked");
        let issuance = events
            .iter()
            .find(|e| e["gxattestchange"] == "issued" && e["subject"] == ld_id.as_str())
            .unwrap();
        assert_eq!(issuance["datacontenttype"], "application/vc+ld+json");
        assert_eq!(
            issuance["data"]["id"],
            ld_id.as_str(),
            "the credential itself"
        );
        if let Some(jwt) = events
            .iter()
            .find(|e| e["datacontenttype"] == "application/vc+jwt")
        {
            assert_eq!(jwt["data"].as_str().unwrap().split('.').count(), 3);
        }
        let second = service
            .get("/v2/credentials-events?page=1&size=2", None)
            .await
            .json();
        assert_eq!(second[0]["id"], "change-3", "{name}: {second}");
        for empty in [
            "/v2/credentials-events?page=999",
            "/v2/credentials-events?type=com.example.other",
        ] {
            let reply = service.get(empty, None).await;
            assert_eq!(reply.status, StatusCode::OK, "{empty}");
            assert_eq!(reply.json(), serde_json::json!([]), "{empty}");
        }
        for bad in [
            "/v2/credentials-events?size=0",
            "/v2/credentials-events?size=51",
            "/v2/credentials-events?page=x",
            "/v2/credentials-events?page=-1",
            "/v2/credentials-events?page=18446744073709551615&size=50",
        ] {
            service
                .get(bad, None)
                .await
                .assert_problem(StatusCode::BAD_REQUEST, bad);
        }
        service.finish().await;
    }
}

#[tokio::test]
async fn inventory_presentation_and_badges() {
    for service in services().await {
        let name = service.name;
        // Before any upload: an unknown (grey) badge.
        let badge = service
            .get(&format!("/badges/{SUBJECT}/{IAAS_UUID}.svg"), None)
            .await;
        assert_eq!(badge.status, StatusCode::OK, "{name}: {}", badge.text());
        assert!(badge.header("content-type").starts_with("image/svg+xml"));
        assert!(badge.text().contains("unknown") && badge.text().contains("#9f9f9f"));
        issue(&service).await;
        let badge = service
            .get(&format!("/badges/{SUBJECT}/{IAAS_UUID}.svg"), None)
            .await;
        assert_eq!(badge.status, StatusCode::OK, "{name}");
        assert!(badge.text().starts_with("<svg"));
        assert!(
            !badge.text().contains("#9f9f9f"),
            "evaluated now: {}",
            badge.text()
        );
        service
            .get(&format!("/badges/{SUBJECT}/{IAAS_UUID}.png"), None)
            .await
            .assert_problem(StatusCode::NOT_FOUND, name);
        service
            .get(&format!("/badges/{SUBJECT}/no-such-scope.svg"), None)
            .await
            .assert_problem(StatusCode::NOT_FOUND, name);

        // Inventory: wrong type, not JSON, wrong shape, then the examples, then again.
        let snapshot =
            gxa_service::demo::example_inventory(&gxa_testkit::paths::examples()).unwrap();
        let json = serde_json::to_vec(&serde_json::json!({
            "openstack": snapshot.openstack,
            "flavor_yaml": snapshot.flavor_yaml,
            "hosts": snapshot.hosts,
            "netbox": snapshot.netbox,
        }))
        .unwrap();
        service
            .post("/inventory", Some(TOKEN), "text/plain", json.clone())
            .await
            .assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, name);
        service
            .post("/inventory", None, "application/json", json.clone())
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, name);
        service
            .post(
                "/inventory",
                Some(TOKEN),
                "application/json",
                b"{not json".to_vec(),
            )
            .await
            .assert_problem(StatusCode::BAD_REQUEST, name);
        service
            .post(
                "/inventory",
                Some(TOKEN),
                "application/json",
                br#"{"openstak": {}}"#.to_vec(),
            )
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, name);
        let reply = service
            .post("/inventory", Some(TOKEN), "application/json", json.clone())
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
        assert!(!reply.json()["issued"].as_array().unwrap().is_empty());
        let again = service
            .post("/inventory", Some(TOKEN), "application/json", json)
            .await;
        assert_eq!(again.status, StatusCode::OK, "{name}");
        assert!(
            again.json()["issued"].as_array().unwrap().is_empty(),
            "unchanged: {}",
            again.text()
        );

        // The participant's presentation in both forms.
        let path = format!("/participants/{SUBJECT}/presentation");
        let vp = service.get(&path, Some("application/vp+jwt")).await;
        assert_eq!(vp.status, StatusCode::OK, "{name}: {}", vp.text());
        assert_eq!(vp.header("content-type"), "application/vp+jwt");
        assert_eq!(vp.text().split('.').count(), 3);
        let ld = service.get(&path, Some("application/vp+ld+json")).await;
        assert_eq!(ld.status, StatusCode::OK, "{name}: {}", ld.text());
        let doc = ld.json();
        assert!(doc["type"].to_string().contains("VerifiablePresentation"));
        assert!(!doc["verifiableCredential"].as_array().unwrap().is_empty());
        service
            .get(&path, Some("text/csv"))
            .await
            .assert_problem(StatusCode::NOT_ACCEPTABLE, name);
        service
            .get("/participants/nobody/presentation", None)
            .await
            .assert_problem(StatusCode::NOT_FOUND, name);
        service.finish().await;
    }
}

#[tokio::test]
async fn operations_openapi_and_framework_errors() {
    for service in services().await {
        let name = service.name;
        let health = service.get("/healthz", None).await;
        assert_eq!(health.status, StatusCode::OK);
        assert_eq!(health.json()["status"], "ok");
        let ready = service.get("/readyz", None).await;
        assert_eq!(ready.status, StatusCode::OK, "{name}");
        assert_eq!(ready.json()["backend"], name);

        // OpenAPI 3.1 documents every route of the role, with problem responses: the
        // compliance routes only in the compliance role and the registry routes only in the
        // registry role, where they are routed.
        let registry_only = |route: &str| {
            route.starts_with("/v2/api/trustAnchor")
                || route.starts_with("/v2/api/trusted-")
                || route == "/v2/api/complianceIssuers"
                || route.starts_with("/v2/configurations/")
        };
        let compliance_only = |route: &str| {
            !registry_only(route)
                && [
                    "/v1/api/",
                    "/v2/api/",
                    "/v1/registration",
                    "/v2/registration",
                ]
                .iter()
                .any(|p| route.starts_with(p))
        };
        let openapi = service.get("/openapi.json", None).await.json();
        assert_eq!(openapi["openapi"], "3.1.0");
        use gxa_service::clearing::Role;
        for role in [
            Role::Provider,
            Role::Compliance,
            Role::Registry,
            Role::ComplianceRegistry,
        ] {
            let router = gxa_service::router(service.state.with_role(role));
            let request = Request::builder()
                .uri("/openapi.json")
                .body(Body::empty())
                .unwrap();
            let response = tower::ServiceExt::oneshot(router, request).await.unwrap();
            let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .unwrap();
            let doc: Value = serde_json::from_slice(&bytes).unwrap();
            for route in gxa_service::ROUTES {
                let expected = (!compliance_only(route) || role.is_compliance())
                    && (!registry_only(route) || role.is_registry());
                assert_eq!(
                    doc["paths"][route].is_object(),
                    expected,
                    "{route} documented or not in the role {role:?}"
                );
            }
            if role == Role::Provider {
                assert_eq!(doc, openapi, "the default role is the provider");
            }
        }
        assert!(registry_only("/v2/configurations/credentials"));
        assert!(compliance_only("/v2/api/credential-offers/{level}"));
        assert!(openapi["components"]["schemas"]["Problem"].is_object());
        assert!(openapi["components"]["securitySchemes"]["basic"].is_object());
        let get = &openapi["paths"]["/credentials/{id}"]["get"];
        for media in [
            "application/vc+ld+json",
            "application/vc+jwt",
            "application/n-quads",
            "text/html",
        ] {
            assert!(
                get["responses"]["200"]["content"][media].is_object(),
                "{media}"
            );
        }
        assert!(get["responses"]["404"]["content"]["application/problem+json"].is_object());

        // Unknown route, wrong method, not implemented: problems.
        service
            .get("/no/such/route", None)
            .await
            .assert_problem(StatusCode::NOT_FOUND, name);
        let request = Request::builder()
            .method(Method::DELETE)
            .uri("/credentials")
            .body(Body::empty())
            .unwrap();
        let reply = service.send(request).await;
        reply.assert_problem(StatusCode::METHOD_NOT_ALLOWED, name);
        assert!(reply.header("allow").contains("GET"), "{:?}", reply.headers);
        // POST /verify answers a report, even for input that is no credential (verify_route.rs).
        let reply = service
            .post("/verify", None, "application/json", b"{}".to_vec())
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
        assert_eq!(reply.json()["verdict"], "invalid", "{name}");
        // A request id given by the client is kept.
        let request = Request::builder()
            .uri("/healthz")
            .header("x-request-id", "abc-123")
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            service.send(request).await.header("x-request-id"),
            "abc-123"
        );

        // Metrics count requests by route template and status.
        service.get("/credentials/does-not-exist", None).await;
        let metrics = service.get("/metrics", None).await;
        assert_eq!(metrics.status, StatusCode::OK);
        assert!(
            metrics
                .header("content-type")
                .starts_with("application/openmetrics-text")
        );
        let text = metrics.text();
        assert!(
            text.contains(
                "gxa_http_requests_total{method=\"GET\",route=\"/credentials/{id}\",status=\"404\"}"
            ),
            "{text}"
        );
        assert!(
            text.contains("gxa_http_request_duration_seconds_bucket"),
            "{text}"
        );
        assert!(text.contains("route=\"unmatched\""), "{text}");

        // With the database closed: not ready (503), still no 500 for reads that need it.
        service.state.store().close().await;
        service
            .get("/readyz", None)
            .await
            .assert_problem(StatusCode::SERVICE_UNAVAILABLE, name);
        let reply = service.get("/changes", None).await;
        reply.assert_problem(StatusCode::SERVICE_UNAVAILABLE, name);
        assert_eq!(reply.header("retry-after"), "5");
        service.finish().await;
    }
}

#[tokio::test]
async fn panics_and_timeouts_are_problems() {
    let service = services().await.into_iter().next().unwrap();
    let extra = axum::Router::new()
        .route(
            "/test/panic",
            axum::routing::get(|| async {
                let empty: Vec<u8> = Vec::new();
                #[allow(clippy::indexing_slicing, reason = "the panic under test")]
                let byte = empty[1];
                byte.to_string()
            }),
        )
        .route(
            "/test/slow",
            axum::routing::get(|| async {
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                "late"
            }),
        );
    let state = service.state.with_options(gxa_service::RouterOptions {
        max_body_bytes: 1024,
        request_timeout: std::time::Duration::from_millis(200),
    });
    let router = gxa_service::router_with(extra, state);
    let send = |path: &'static str| {
        let router = router.clone();
        async move {
            let request = Request::builder().uri(path).body(Body::empty()).unwrap();
            tower::ServiceExt::oneshot(router, request).await.unwrap()
        }
    };
    let response = send("/test/panic").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let response = send("/test/slow").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    service.finish().await;
}

#[test]
fn openapi_has_no_undocumented_paths() {
    use utoipa::OpenApi as _;
    let doc = serde_json::to_value(gxa_service::openapi::ApiDoc::openapi()).unwrap();
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    for path in &paths {
        assert!(
            gxa_service::ROUTES.contains(&path.as_str())
                || *path == "/.well-known/x509CertificateChain.pem",
            "{path} documented but not routed"
        );
    }
    let _: &Value = &doc;
}

/// Every context the issued documents use is served at `/contexts/…` (listed at `/contexts`),
/// for a year, byte for byte; credentials answer plain JSON and the JWT media types of the
/// peers without a 406.
#[tokio::test]
async fn contexts_are_served_and_credentials_answer_json() {
    for service in services().await {
        let name = service.name;
        let list = service.get("/contexts", None).await;
        assert_eq!(list.status, StatusCode::OK, "{name}");
        assert_eq!(list.header("access-control-allow-origin"), "*");
        let listed: Vec<(String, String)> = list
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["url"].as_str().unwrap().to_owned(),
                    e["path"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let scs = listed
            .iter()
            .find(|(url, _)| url == "https://w3id.org/gx-attest/scs/v1")
            .unwrap();
        assert_eq!(scs.1, "/contexts/scs/v1.jsonld");
        let served = service.get(&scs.1, None).await;
        assert_eq!(served.status, StatusCode::OK, "{name}");
        assert_eq!(served.header("content-type"), "application/ld+json");
        assert_eq!(
            served.header("cache-control"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(served.header("access-control-allow-origin"), "*");
        assert_eq!(
            served.body.as_slice(),
            gxa_contexts::get("https://w3id.org/gx-attest/scs/v1")
                .unwrap()
                .text
                .as_bytes()
        );
        service
            .get("/contexts/nope.jsonld", None)
            .await
            .assert_problem(StatusCode::NOT_FOUND, name);

        // The issued credentials: every context they name is served.
        let mut used = Vec::new();
        for (id, format) in issue(&service).await {
            let doc = if format == "vc+jwt" {
                let jwt = service.get(&path_of(&id), Some("application/vc+jwt")).await;
                for media in ["application/jwt", "application/vc+ld+json+jwt"] {
                    let same = service.get(&path_of(&id), Some(media)).await;
                    assert_eq!(same.status, StatusCode::OK, "{name}: {media}");
                    assert_eq!(same.header("content-type"), media);
                    assert_eq!(same.body, jwt.body);
                }
                for media in ["application/json", "application/ld+json"] {
                    let json = service.get(&path_of(&id), Some(media)).await;
                    assert_eq!(json.status, StatusCode::OK, "{name}: {media}");
                    assert_eq!(json.header("content-type"), media);
                    let enveloped = json.json();
                    assert_eq!(enveloped["type"], "EnvelopedVerifiableCredential");
                    assert_eq!(
                        enveloped["id"],
                        format!("data:application/vc+jwt,{}", jwt.text())
                    );
                    used.push(enveloped["@context"].clone());
                }
                let payload = jwt.text().split('.').nth(1).unwrap().to_owned();
                serde_json::from_slice(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(payload)
                        .unwrap(),
                )
                .unwrap()
            } else {
                let json = service.get(&path_of(&id), Some("application/json")).await;
                assert_eq!(json.status, StatusCode::OK, "{name}");
                assert_eq!(json.header("content-type"), "application/json");
                json.json()
            };
            used.push(doc["@context"].clone());
        }
        let urls: Vec<String> = used
            .iter()
            .flat_map(|c| match c {
                Value::Array(list) => list.clone(),
                one => vec![one.clone()],
            })
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect();
        assert!(
            urls.iter()
                .any(|u| u == "https://w3id.org/gx-attest/scs/v1")
        );
        for url in urls {
            assert!(
                listed.iter().any(|(listed, _)| *listed == url),
                "{name}: {url} is not served"
            );
        }
        service.finish().await;
    }
}
