//! `POST /inventory` cannot erase the inventory by accident: bodies that are not a snapshot
//! (`[]`, `{}`, `[1]`, mistyped or duplicated keys) and snapshots that would empty a section are
//! refused with 422 and change nothing (the store's credentials and change feed compared before
//! and after); `?confirm=withdraw` withdraws, is logged, and a later snapshot issues the
//! withdrawn items anew. On SQLite and PostgreSQL.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use gxa_store::{ChangeCursor, ChangeEntry, ChangeKind, CredentialFilter, ListedCredential};
use gxa_testkit::service as kit;
use kit::{TOKEN, TestService, services};
use serde_json::{Value, json};

/// Every credential and every change-log entry of the service's store.
async fn store_state(service: &TestService) -> (Vec<ListedCredential>, Vec<ChangeEntry>) {
    let store = service.state.store();
    let mut credentials = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .list_credentials(&CredentialFilter::default(), cursor, 1000)
            .await
            .unwrap();
        credentials.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let changes = store.changes(ChangeCursor(0), 1000).await.unwrap();
    (credentials, changes)
}

/// Current (neither revoked nor superseded) host credentials.
async fn current_hosts(service: &TestService) -> usize {
    store_state(service)
        .await
        .0
        .iter()
        .filter(|c| c.revoked_at.is_none() && c.superseded_by.is_none())
        .filter(|c| c.types.iter().any(|t| t == "gx:CPU"))
        .count()
}

/// The example inventory as a JSON object.
fn example_snapshot() -> serde_json::Map<String, Value> {
    let snapshot = gxa_service::demo::example_inventory(&gxa_testkit::paths::examples()).unwrap();
    let Value::Object(map) = json!({
        "openstack": snapshot.openstack,
        "flavor_yaml": snapshot.flavor_yaml,
        "hosts": snapshot.hosts,
        "netbox": snapshot.netbox,
    }) else {
        unreachable!()
    };
    map
}

fn without(keys: &[&str]) -> Vec<u8> {
    let mut map = example_snapshot();
    for key in keys {
        map.remove(*key);
    }
    serde_json::to_vec(&map).unwrap()
}

async fn post(service: &TestService, query: &str, body: Vec<u8>) -> kit::Reply {
    service
        .post(
            &format!("/inventory{query}"),
            Some(TOKEN),
            "application/json",
            body,
        )
        .await
}

/// A `tracing` writer into a shared buffer, to read what the service logged.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_that_would_erase_are_refused_and_confirmed_withdrawal_is_recoverable() {
    let log = Captured::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();
    for service in services().await {
        let name = service.name;
        let full = serde_json::to_vec(&example_snapshot()).unwrap();
        let first = post(&service, "", full.clone()).await;
        assert_eq!(first.status, StatusCode::OK, "{name}: {}", first.text());
        let issued = first.json()["issued"].as_array().unwrap().len();
        assert!(issued > 10, "{name}: {}", first.text());
        let hosts = current_hosts(&service).await;
        assert_eq!(hosts, example_snapshot()["hosts"].as_array().unwrap().len());
        let before = store_state(&service).await;

        let mut duplicated = String::from_utf8(without(&[])).unwrap();
        let at = duplicated.find("\"hosts\":[{").unwrap() + "\"hosts\":[{".len();
        duplicated.insert_str(at, "\"name\":\"a\",\"name\":\"b\",");
        let refused: Vec<(&str, Vec<u8>)> = vec![
            ("[]", b"[]".to_vec()),
            ("{}", b"{}".to_vec()),
            ("[1]", b"[1]".to_vec()),
            ("[-13300154]", b"[-13300154]".to_vec()),
            ("null section", br#"{"hosts": null}"#.to_vec()),
            ("unknown section", br#"{"hosts": [], "hostz": []}"#.to_vec()),
            ("duplicate nested key", duplicated.into_bytes()),
            ("no hosts", without(&["hosts"])),
            ("empty hosts", {
                let mut map = example_snapshot();
                map.insert("hosts".to_owned(), json!([]));
                serde_json::to_vec(&map).unwrap()
            }),
            ("no netbox", without(&["netbox"])),
            (
                "no flavors or images",
                without(&["openstack", "flavor_yaml"]),
            ),
            (
                "only the flavor YAML",
                without(&["openstack", "hosts", "netbox"]),
            ),
        ];
        for (what, body) in refused {
            let reply = post(&service, "", body.clone()).await;
            reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, &format!("{name}: {what}"));
            assert_eq!(
                store_state(&service).await,
                before,
                "{name}: {what} changed the store"
            );
        }
        let detail = post(&service, "", without(&["hosts"])).await.json()["detail"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            detail.contains("no hosts") && detail.contains("?confirm=withdraw"),
            "{name}: {detail}"
        );
        let detail = post(&service, "", without(&["openstack", "flavor_yaml"]))
            .await
            .json()["detail"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            detail.contains("flavors") && detail.contains("images"),
            "{name}: {detail}"
        );
        post(&service, "?confirm=yes", without(&["hosts"]))
            .await
            .assert_problem(StatusCode::BAD_REQUEST, name);
        assert_eq!(store_state(&service).await, before, "{name}");
        assert!(log.text().contains("inventory snapshot refused"), "{name}");

        // Removing one host of four empties no section: withdrawn without confirmation.
        let mut one_less = example_snapshot();
        one_less["hosts"].as_array_mut().unwrap().pop();
        let reply = post(&service, "", serde_json::to_vec(&one_less).unwrap()).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
        let one_host = reply.json()["withdrawn"].as_array().unwrap().len();
        assert!(one_host >= 1, "{name}: {}", reply.text());

        // Confirmed: the hosts are withdrawn (revoked, in the feed), and it is logged.
        let reply = post(&service, "?confirm=withdraw", without(&["hosts"])).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
        let withdrawn: Vec<String> = reply.json()["withdrawn"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap().to_owned())
            .collect();
        assert!(!withdrawn.is_empty(), "{name}: {}", reply.text());
        assert!(
            log.text()
                .contains("inventory withdrawal beyond the guard, confirmed by the caller"),
            "{name}"
        );
        let (credentials, changes) = store_state(&service).await;
        for id in &withdrawn {
            let credential = credentials.iter().find(|c| &c.id == id).unwrap();
            assert!(credential.revoked_at.is_some(), "{name}: {id}");
            assert!(
                changes
                    .iter()
                    .any(|c| c.kind == ChangeKind::Revoked && &c.credential_id == id),
                "{name}: {id} has no revoked change"
            );
            assert!(
                credential.types.iter().any(|t| t == "gx:CPU"),
                "{name}: withdrew a non-host credential {id}: {:?}",
                credential.types
            );
        }

        assert_eq!(current_hosts(&service).await, 0, "{name}");

        // Recoverable: the whole inventory again issues every host anew, current and valid.
        let reply = post(&service, "", full.clone()).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
        let again = reply.json();
        assert!(
            again["issued"].as_array().unwrap().len() >= withdrawn.len() + one_host,
            "{name}: {again}"
        );
        assert!(again["withdrawn"].as_array().unwrap().is_empty());
        assert_eq!(current_hosts(&service).await, hosts, "{name}");
        service.finish().await;
    }
}
