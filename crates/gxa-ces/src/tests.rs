#![allow(clippy::unwrap_used, reason = "tests")]

use gxa_store::{ChangeEntry, ChangeKind};
use serde_json::json;

use super::*;

fn entry(seq: u64, kind: ChangeKind, previous: Option<&str>) -> ChangeEntry {
    ChangeEntry {
        seq,
        kind,
        credential_id: "https://p.example/credentials/1".to_owned(),
        issuer: "did:web:p.example".to_owned(),
        previous: previous.map(str::to_owned),
        recorded_at: "2026-06-01T10:00:00Z".parse().unwrap(),
    }
}

#[test]
fn a_change_becomes_a_ces_event_with_a_stable_id() {
    let revoked = of_change(
        "did:web:p.example",
        &entry(7, ChangeKind::Revoked, None),
        None,
    );
    let value = serde_json::to_value(&revoked).unwrap();
    assert_eq!(
        value,
        json!({
            "specversion": "1.0",
            "id": "change-7",
            "source": "did:web:p.example",
            "type": "eu.gaia-x.credential",
            "subject": "https://p.example/credentials/1",
            "time": "2026-06-01T10:00:00Z",
            "datacontenttype": "application/json",
            "data": {"id": "https://p.example/credentials/1", "state": "revoked"},
            "gxattestchange": "revoked",
        })
    );
    // The same change is the same event (a receiver drops a repeat by source + id).
    assert_eq!(
        of_change(
            "did:web:p.example",
            &entry(7, ChangeKind::Revoked, None),
            None
        ),
        revoked
    );
    let reissued = of_change(
        "did:web:p.example",
        &entry(
            8,
            ChangeKind::Reissued,
            Some("https://p.example/credentials/0"),
        ),
        None,
    );
    assert_eq!(reissued.id, "change-8");
    assert_eq!(
        reissued.replaces.as_deref(),
        Some("https://p.example/credentials/0")
    );
    // And it reads back as a CES event.
    assert_eq!(CloudEvent::parse(value).unwrap(), revoked);
}

#[test]
fn events_are_checked_as_a_ces_takes_them() {
    let good = json!({"specversion": "1.0", "id": "1", "source": "/mycontext",
        "type": "eu.gaia-x.credential", "time": "2024-01-01T06:00:00Z",
        "datacontenttype": "application/json", "data": {"id": "x"}});
    assert!(CloudEvent::parse(good.clone()).is_ok());
    let with = |key: &str, value: Value| {
        let mut v = good.clone();
        v[key] = value;
        CloudEvent::parse(v).unwrap_err().to_string()
    };
    assert!(with("specversion", json!("0.3")).starts_with("specversion"));
    assert!(with("type", json!("com.example.other")).starts_with("type"));
    assert!(with("id", json!(" ")).starts_with("id"));
    assert!(with("time", json!("yesterday")).starts_with("time"));
    assert!(with("data", Value::Null).starts_with("data"));
    assert!(with("source", json!(3)).starts_with("not a CloudEvent"));
    assert!(CloudEvent::parse(json!([1])).is_err());
}
