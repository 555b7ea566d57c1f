//! Accounts act only for their subjects, a changed verdict revokes what it supersedes, and
//! results from the future are reported: on SQLite and PostgreSQL (see the test kit).
//!
//! Reports are signed here with `ssh-keygen -Y sign -n report`, as the SCS test runner signs,
//! and checked "now" (relative to the test's clock), so no fixture expires.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

use axum::http::StatusCode;
use gxa_testkit::reports::{kaas_report, keygen, naive_in, naive_utc, signed_upload};
use gxa_testkit::service as kit;
use kit::{OTHER, OTHER_TOKEN, SUBJECT, TOKEN, TestService, services, services_configured};
use serde_json::Value;

const SIGNED_YAML: &str = "application/x-signed-yaml";

/// What a refused request must leave unchanged: every credential (with its status), the whole
/// change feed, and the stored uploads of both accounts.
async fn state_of(service: &TestService) -> (String, String, Vec<usize>) {
    let credentials = service.get("/credentials?limit=1000", None).await;
    assert_eq!(credentials.status, StatusCode::OK);
    let changes = service.get("/changes?after=0&limit=1000", None).await;
    assert_eq!(changes.status, StatusCode::OK);
    let mut uploads = Vec::new();
    for account in [SUBJECT, OTHER] {
        uploads.push(
            service
                .state
                .store()
                .uploads_of_subject(account, 1000)
                .await
                .unwrap()
                .len(),
        );
    }
    (credentials.text(), changes.text(), uploads)
}

/// The example inventory as the JSON body of `POST /inventory`.
fn example_snapshot() -> Vec<u8> {
    let dir = gxa_testkit::paths::examples().join("inventory");
    let json = |path: std::path::PathBuf| -> Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let mut hosts: Vec<std::path::PathBuf> = std::fs::read_dir(dir.join("hosts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    hosts.sort();
    serde_json::to_vec(&serde_json::json!({
        "openstack": json(dir.join("openstack.json")),
        "flavor_yaml": std::fs::read_to_string(dir.join("flavors.yaml")).unwrap(),
        "hosts": hosts.into_iter().map(json).collect::<Vec<_>>(),
        "netbox": json(dir.join("netbox.json")),
    }))
    .unwrap()
}

fn path_of(id: &str) -> String {
    id.strip_prefix(kit::BASE_URL).unwrap().to_owned()
}

/// The value of an un-labelled or labelled metric line in `/metrics`.
async fn metric(service: &TestService, series: &str) -> u64 {
    let text = service.get("/metrics", None).await.text();
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0)
}

fn now_minus(secs: i64) -> String {
    naive_utc(jiff::Timestamp::now() - jiff::SignedDuration::from_secs(secs))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_subjects_are_refused_and_nothing_is_stored() {
    for service in services().await {
        let name = service.name;
        let dir = tempfile::tempdir().unwrap();
        // Both accounts get a key of their own (the example key's private half was not kept).
        let (cloud_key, cloud_public) = keygen(dir.path(), "cloud");
        let (other_key, other_public) = keygen(dir.path(), "other");
        let store = service.state.store();
        store.add_ssh_key(SUBJECT, &cloud_public).await.unwrap();
        store.add_ssh_key(OTHER, &other_public).await.unwrap();
        // The example upload: the cloud and its delegated Kubernetes subject.
        let first = service.upload_example().await;
        assert_eq!(
            first.status,
            StatusCode::CREATED,
            "{name}: {}",
            first.text()
        );
        let before = state_of(&service).await;

        // 1. Another tenant signs a report about example-cloud with its own key and token.
        let foreign = signed_upload(
            dir.path(),
            &other_key,
            &kaas_report(SUBJECT, &now_minus(60), false),
        );
        let reply = post_report(&service, OTHER_TOKEN, foreign).await;
        reply.assert_problem(StatusCode::FORBIDDEN, name);
        let detail = reply.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.contains("\"example-cloud\""), "{name}: {detail}");
        assert!(detail.contains(OTHER), "{name}: {detail}");
        assert_eq!(state_of(&service).await, before, "{name}: stored something");

        // 2. A subject configured nowhere, even signed by the account's own key.
        let unknown = signed_upload(
            dir.path(),
            &cloud_key,
            &kaas_report("example-k9s-1.35", &now_minus(60), false),
        );
        let reply = post_report(&service, TOKEN, unknown).await;
        reply.assert_problem(StatusCode::FORBIDDEN, name);
        assert!(reply.text().contains("example-k9s-1.35"), "{name}");
        assert_eq!(state_of(&service).await, before, "{name}: stored something");

        // 3. A multi-document stream with own and delegated subjects and one foreign one is
        //    refused whole.
        let mixed = format!(
            "{}{}{}",
            kaas_report(SUBJECT, &now_minus(50), false),
            kaas_report("example-k8s-1.36", &now_minus(50), false),
            kaas_report(OTHER, &now_minus(50), false),
        );
        let reply = post_report(
            &service,
            TOKEN,
            signed_upload(dir.path(), &cloud_key, &mixed),
        )
        .await;
        reply.assert_problem(StatusCode::FORBIDDEN, name);
        assert!(reply.text().contains(OTHER), "{name}");
        assert_eq!(state_of(&service).await, before, "{name}: stored something");

        // 4. Inventory for another subject.
        let snapshot = example_snapshot();
        let reply = service
            .post(
                &format!("/inventory?subject={SUBJECT}"),
                Some(OTHER_TOKEN),
                "application/json",
                snapshot.clone(),
            )
            .await;
        reply.assert_problem(StatusCode::FORBIDDEN, name);
        assert!(reply.text().contains(SUBJECT), "{name}");
        assert_eq!(state_of(&service).await, before, "{name}: stored something");

        // 5. Revoking another account's credential.
        let issued = first.json()["issued"][0]["id"].as_str().unwrap().to_owned();
        let reply = service
            .post(
                &format!("{}/revoke", path_of(&issued)),
                Some(OTHER_TOKEN),
                "application/json",
                Vec::new(),
            )
            .await;
        reply.assert_problem(StatusCode::FORBIDDEN, name);
        assert_eq!(state_of(&service).await, before, "{name}: stored something");
        assert!(
            store
                .get_credential(&issued)
                .await
                .unwrap()
                .revoked_at
                .is_none(),
            "{name}"
        );

        // Every refusal is counted, by operation.
        for (operation, n) in [("upload", 3), ("inventory", 1), ("revoke", 1)] {
            assert_eq!(
                metric(
                    &service,
                    &format!("gxa_foreign_subject_refusals_total{{operation=\"{operation}\"}}")
                )
                .await,
                n,
                "{name}: {operation}"
            );
        }

        // Own and delegated subjects are accepted (a delegate pattern, not a fixed list).
        let delegated = format!(
            "{}{}",
            kaas_report(SUBJECT, &now_minus(40), false),
            kaas_report("example-k8s-1.36", &now_minus(40), false),
        );
        let reply = post_report(
            &service,
            TOKEN,
            signed_upload(dir.path(), &cloud_key, &delegated),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "{name}: {}",
            reply.text()
        );
        let answer = reply.json();
        let subjects: Vec<&str> = answer["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["subject"].as_str().unwrap())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(
            subjects,
            ["example-cloud", "example-k8s-1.35", "example-k8s-1.36"],
            "{name}"
        );
        // The other tenant's inventory for its own subject is its own business.
        let reply = service
            .post(
                "/inventory",
                Some(OTHER_TOKEN),
                "application/json",
                snapshot,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
        service.finish().await;
    }
}

/// What an upload answer issued: (id, profile, replaces, replaced_revoked).
fn issued(reply: &Value) -> Vec<(String, String, Option<String>, bool)> {
    reply["issued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_owned(),
                i["profile"].as_str().unwrap().to_owned(),
                i["replaces"].as_str().map(str::to_owned),
                i["replaced_revoked"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

/// `POST /reports` of a signed upload with `token`.
async fn post_report(service: &TestService, token: &str, body: Vec<u8>) -> kit::Reply {
    service
        .post("/reports", Some(token), SIGNED_YAML, body)
        .await
}

async fn upload(service: &TestService, body: Vec<u8>) -> Value {
    let reply = post_report(service, TOKEN, body).await;
    assert!(
        reply.status == StatusCode::CREATED || reply.status == StatusCode::OK,
        "{}: {}",
        service.name,
        reply.text()
    );
    reply.json()
}

/// The change feed as (seq, kind, credential, previous).
async fn feed(service: &TestService) -> Vec<(u64, String, String, Option<String>)> {
    let page = service
        .get("/changes?after=0&limit=1000", None)
        .await
        .json();
    page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["seq"].as_u64().unwrap(),
                e["kind"].as_str().unwrap().to_owned(),
                e["credential_id"].as_str().unwrap().to_owned(),
                e["previous"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_verdict_revokes_the_superseded_attestation() {
    for service in services().await {
        let name = service.name;
        let dir = tempfile::tempdir().unwrap();
        let (key, public) = keygen(dir.path(), "runner");
        let store = service.state.store();
        store.add_ssh_key(SUBJECT, &public).await.unwrap();
        let k8s = "example-k8s-1.35";

        // PASS.
        let pass = upload(
            &service,
            signed_upload(dir.path(), &key, &kaas_report(k8s, &now_minus(120), false)),
        )
        .await;
        let passed = issued(&pass);
        assert_eq!(passed.len(), 2, "{name}: both profiles: {pass}");
        assert!(passed.iter().all(|(_, _, replaces, _)| replaces.is_none()));
        assert_eq!(pass["evaluations"][0]["versions"][0]["verdict"], "pass");

        // PASS again, with fresher results: superseded, not revoked (same version and verdict).
        let fresher = upload(
            &service,
            signed_upload(dir.path(), &key, &kaas_report(k8s, &now_minus(90), false)),
        )
        .await;
        let fresher = issued(&fresher);
        assert_eq!(fresher.len(), 2, "{name}");
        for (old, new) in passed.iter().zip(&fresher) {
            assert_eq!(new.2.as_deref(), Some(old.0.as_str()), "{name}");
            assert!(!new.3, "{name}: pass → pass must not revoke");
            let old = store.get_credential(&old.0).await.unwrap();
            assert!(old.revoked_at.is_none(), "{name}");
            assert_eq!(old.superseded_by.as_deref(), Some(new.0.as_str()));
        }

        // FAIL: the PASS attestations are revoked in the same step.
        let before = feed(&service).await.len();
        let fail = upload(
            &service,
            signed_upload(dir.path(), &key, &kaas_report(k8s, &now_minus(60), true)),
        )
        .await;
        let failed = issued(&fail);
        assert_eq!(failed.len(), 2, "{name}");
        let entries = feed(&service).await;
        assert_eq!(entries.len(), before + 4, "{name}: {entries:?}");
        for (old, new) in fresher.iter().zip(&failed) {
            assert_eq!(new.2.as_deref(), Some(old.0.as_str()), "{name}");
            assert!(new.3, "{name}: pass → fail must revoke");
            let stored = store.get_credential(&old.0).await.unwrap();
            assert!(stored.revoked_at.is_some(), "{name}: {} not revoked", old.0);
            // The status list says so to anyone: the bit is set.
            let (list, index) = stored.status.clone().unwrap();
            let bits = store.get_status_list(&list).await.unwrap().bits;
            assert!(gxa_store::bit_is_set(&bits, index), "{name}");
            // In the feed: `reissued` (new, previous old) and right after it `revoked` (old).
            let at = entries
                .iter()
                .position(|e| e.1 == "reissued" && e.2 == new.0)
                .unwrap();
            assert_eq!(entries[at].3.as_deref(), Some(old.0.as_str()), "{name}");
            assert_eq!(
                (&entries[at + 1].1[..], &entries[at + 1].2[..]),
                ("revoked", old.0.as_str()),
                "{name}: {entries:?}"
            );
        }

        // FAIL → PASS: the FAIL attestation no longer holds either.
        let back = upload(
            &service,
            signed_upload(dir.path(), &key, &kaas_report(k8s, &now_minus(30), false)),
        )
        .await;
        for (old, new) in failed.iter().zip(&issued(&back)) {
            assert_eq!(new.2.as_deref(), Some(old.0.as_str()), "{name}");
            assert!(new.3, "{name}");
        }
        service.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_from_the_future_are_reported_and_zones_are_per_account() {
    // example-cloud runs its test runner in Europe/Berlin; other-cloud in UTC.
    let tweak: kit::Tweak = |config| {
        config.subjects[0].checked_at_zone = Some("Europe/Berlin".to_owned());
        config.subjects[1].delegate_of = vec!["other-k8s-*".to_owned()];
    };
    for service in services_configured(1024 * 1024, tweak).await {
        let name = service.name;
        let dir = tempfile::tempdir().unwrap();
        let (key, public) = keygen(dir.path(), "runner");
        let store = service.state.store();
        store.add_ssh_key(SUBJECT, &public).await.unwrap();
        store.add_ssh_key(OTHER, &public).await.unwrap();
        let now = jiff::Timestamp::now();
        let berlin = |at: jiff::Timestamp| naive_in(at, "Europe/Berlin");

        // A fresh all-PASS report in the runner's local time (Berlin, 1 or 2 h ahead of UTC)
        // counts for the Berlin account: no warning, PASS.
        let local = kaas_report(
            SUBJECT,
            &berlin(now - jiff::SignedDuration::from_secs(30)),
            false,
        );
        let answer = upload(&service, signed_upload(dir.path(), &key, &local)).await;
        assert_eq!(
            answer["warnings"],
            serde_json::json!([]),
            "{name}: {answer}"
        );
        assert_eq!(answer["evaluations"][0]["versions"][0]["verdict"], "pass");
        assert_eq!(
            answer["evaluations"][0]["checked_at_zone"], "Europe/Berlin",
            "{name}: {answer}"
        );

        // The same local reading uploaded by the UTC account lies in the future: answered with
        // a warning naming the report's testcases and the reading, and counted.
        let other = kaas_report(
            "other-k8s-1",
            &berlin(now - jiff::SignedDuration::from_secs(30)),
            false,
        );
        let reply = post_report(
            &service,
            OTHER_TOKEN,
            signed_upload(dir.path(), &key, &other),
        )
        .await;
        assert!(reply.status.is_success(), "{name}: {}", reply.text());
        let answer = reply.json();
        let warnings = answer["warnings"].as_array().unwrap();
        assert_eq!(warnings.len(), 1, "{name}: {answer}");
        let warning = warnings[0].as_str().unwrap();
        for needle in [
            "cncf-k8s-conformance",
            "version-policy-check",
            "kaas-networking-check",
            "read in zone UTC",
            "ahead of the service clock",
            "checked_at_zone",
        ] {
            assert!(
                warning.contains(needle),
                "{name}: {needle} missing in {warning}"
            );
        }
        // Not counted: the scope is incomplete, not pass.
        assert_eq!(
            answer["evaluations"][0]["versions"][0]["verdict"],
            "incomplete"
        );
        assert!(
            metric(&service, "gxa_future_results_total").await >= 3,
            "{name}"
        );
        // Within the allowed skew (a runner clock a minute fast): counted, no warning.
        let skewed = kaas_report(
            "other-k8s-2",
            &naive_utc(now + jiff::SignedDuration::from_secs(60)),
            false,
        );
        let reply = post_report(
            &service,
            OTHER_TOKEN,
            signed_upload(dir.path(), &key, &skewed),
        )
        .await;
        let answer = reply.json();
        assert_eq!(
            answer["warnings"],
            serde_json::json!([]),
            "{name}: {answer}"
        );
        let k8s2 = answer["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["subject"] == "other-k8s-2")
            .unwrap();
        assert_eq!(k8s2["versions"][0]["verdict"], "pass", "{name}");
        service.finish().await;
    }
}
