//! Store tests; every test body runs against SQLite and PostgreSQL (see `gxa_testkit::store`).

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use gxa_store::{
    ChangeCursor, ChangeKind, CredentialFilter, CredentialState, ListCursor, ListedCredential,
    MIN_STATUS_LIST_BITS, NewUpload, Sha256Digest, StatusPurpose, Store, StoreError, bit_is_set,
};
use gxa_testkit::store::{credential, now, test_dbs};
use sqlx::Connection as _;

const LEGAL: &[&str] = &["VerifiableCredential", "gx:LegalParticipant"];
const SCS: &[&str] = &["VerifiableCredential", "scs:Attestation"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insert_then_get_round_trips_and_credentials_are_immutable() {
    for db in test_dbs().await {
        let store = &db.store;
        let mut new = credential("urn:uuid:1", "did:web:a.example", LEGAL);
        new.format = gxa_store::CredentialFormat::Jwt;
        let entry = store.insert_credential(&new).await.unwrap();
        assert_eq!(
            (entry.seq, entry.kind),
            (1, ChangeKind::Issued),
            "{}",
            db.name
        );

        let got = store.get_credential("urn:uuid:1").await.unwrap();
        assert_eq!(got.body, new.body, "{}", db.name);
        assert_eq!(got.body_sha256, Sha256Digest::of(&new.body));
        assert_eq!(got.types, new.types);
        assert_eq!(got.format, gxa_store::CredentialFormat::Jwt);
        assert_eq!(got.canonical_hash, new.canonical_hash);
        assert_eq!(
            (got.issued_at, got.valid_from, got.valid_until),
            (new.issued_at, new.valid_from, new.valid_until)
        );
        assert_eq!(
            (got.superseded_by, got.revoked_at, got.status),
            (None, None, None)
        );

        // A second insert with the same id is refused and changes nothing.
        let mut again = new.clone();
        again.body = b"{\"other\":true}".to_vec();
        match store.insert_credential(&again).await {
            Err(StoreError::AlreadyExists { what, id }) => {
                assert_eq!((what, id.as_str()), ("credential", "urn:uuid:1"))
            }
            other => panic!("{}: expected AlreadyExists, got {other:?}", db.name),
        }
        assert_eq!(
            store.get_credential("urn:uuid:1").await.unwrap().body,
            new.body
        );
        assert_eq!(store.latest_sequence().await.unwrap(), 1, "{}", db.name);

        assert!(matches!(
            store.get_credential("urn:uuid:missing").await,
            Err(StoreError::NotFound {
                what: "credential",
                ..
            })
        ));
        let mut empty = credential("urn:uuid:2", "s", LEGAL);
        empty.types.clear();
        assert!(matches!(
            store.insert_credential(&empty).await,
            Err(StoreError::InvalidInput(_))
        ));
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_refuses_updates_and_deletes_of_credentials_and_log() {
    for db in test_dbs().await {
        db.store
            .insert_credential(&credential("urn:x:1", "s", LEGAL))
            .await
            .unwrap();
        let statements = [
            "UPDATE credential_bodies SET body = body || body",
            "DELETE FROM credential_bodies",
            "UPDATE credentials SET body_sha256 = body_sha256",
            "UPDATE credentials SET subject = 'other'",
            "DELETE FROM credentials",
            "UPDATE change_log SET kind = 'revoked'",
            "DELETE FROM change_log",
            "DELETE FROM credential_types",
        ];
        for statement in statements {
            let res = match db.name {
                "sqlite" => {
                    let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
                    sqlx::query(statement).execute(&mut conn).await.map(|_| ())
                }
                _ => {
                    let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
                    sqlx::query(statement).execute(&mut conn).await.map(|_| ())
                }
            };
            assert!(res.is_err(), "{}: {statement} was allowed", db.name);
        }
        let got = db.store.get_credential("urn:x:1").await.unwrap();
        assert_eq!(got.subject, "s");
        assert_eq!(db.store.latest_sequence().await.unwrap(), 1);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_log_is_gapless_ordered_and_resumable() {
    for db in test_dbs().await {
        let store = &db.store;
        store
            .create_status_list("sl1", StatusPurpose::Revocation, MIN_STATUS_LIST_BITS)
            .await
            .unwrap();
        for i in 0..5 {
            let mut new = credential(&format!("urn:c:{i}"), "s", LEGAL);
            new.status = Some((
                "sl1".into(),
                store.allocate_status_index("sl1").await.unwrap(),
            ));
            store.insert_credential(&new).await.unwrap();
        }
        let reissued = store
            .reissue_credential("urn:c:0", &credential("urn:c:0b", "s", LEGAL))
            .await
            .unwrap();
        assert_eq!(reissued.previous.as_deref(), Some("urn:c:0"));
        store.revoke_credential("urn:c:3").await.unwrap();
        // The listing shows the status entries, the supersession and the revocation.
        let listed = store
            .list_credentials(&CredentialFilter::default(), None, 100)
            .await
            .unwrap()
            .items;
        assert_eq!(listed.len(), 6);
        assert_listed_as_stored(store, &listed, db.name).await;
        assert_eq!(listed[0].superseded_by.as_deref(), Some("urn:c:0b"));
        assert!(listed[3].revoked_at.is_some() && listed[3].status.is_some());
        assert!(listed.iter().filter(|c| c.revoked_at.is_some()).count() == 1);
        // The state and profile filters (the credentials browser's).
        let ids_in = |state: CredentialState| {
            let filter = CredentialFilter {
                state: Some(state),
                profile: Some("gaia-x-tagus".into()),
                ..Default::default()
            };
            async move {
                let page = store.list_credentials(&filter, None, 100).await.unwrap();
                page.items.into_iter().map(|c| c.id).collect::<Vec<_>>()
            }
        };
        assert_eq!(
            ids_in(CredentialState::Current).await,
            ["urn:c:1", "urn:c:2", "urn:c:4", "urn:c:0b"],
            "{}",
            db.name
        );
        assert_eq!(ids_in(CredentialState::Superseded).await, ["urn:c:0"]);
        assert_eq!(ids_in(CredentialState::Revoked).await, ["urn:c:3"]);
        let other_profile = CredentialFilter {
            profile: Some("gaia-x-loire".into()),
            ..Default::default()
        };
        let page = store.list_credentials(&other_profile, None, 100).await;
        assert!(page.unwrap().items.is_empty());

        let all = store.changes(ChangeCursor(0), 100).await.unwrap();
        let seqs: Vec<u64> = all.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=7).collect::<Vec<_>>(), "{}", db.name);
        let kinds: Vec<ChangeKind> = all.iter().map(|e| e.kind).collect();
        assert_eq!(kinds[..5], [ChangeKind::Issued; 5]);
        assert_eq!(kinds[5..], [ChangeKind::Reissued, ChangeKind::Revoked]);
        assert_eq!(all[5].credential_id, "urn:c:0b");
        assert_eq!(all[6].credential_id, "urn:c:3");
        assert!(all.windows(2).all(|w| w[0].recorded_at <= w[1].recorded_at));

        // Resume from any cursor, in small steps.
        let page = store.changes(ChangeCursor(3), 2).await.unwrap();
        assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 5]);
        assert!(store.changes(ChangeCursor(7), 10).await.unwrap().is_empty());
        assert_eq!(store.latest_sequence().await.unwrap(), 7);

        // A cursor this store never handed out.
        assert!(matches!(
            store.changes(ChangeCursor(8), 10).await,
            Err(StoreError::InvalidCursor)
        ));
        assert!(matches!(
            "abc".parse::<ChangeCursor>(),
            Err(StoreError::InvalidCursor)
        ));
        db.finish().await;
    }
}

/// Two replicas (independent `Store`s on one database) issue 200 credentials each, all at once,
/// while a third reads the change feed: 400 credentials, sequence 1..=400 without gap or
/// duplicate, 400 distinct status indexes, and the reader never skips an entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_replicas_issue_without_gaps_or_duplicates() {
    const PER_REPLICA: usize = 200;
    for db in test_dbs().await {
        db.store
            .create_status_list("sl", StatusPurpose::Revocation, MIN_STATUS_LIST_BITS)
            .await
            .unwrap();
        let replicas = [db.replica().await, db.replica().await];

        let reader = {
            let store = db.replica().await;
            tokio::spawn(async move {
                let mut cursor = 0u64;
                let mut polls = 0u32;
                while cursor < 2 * PER_REPLICA as u64 {
                    let batch = store.changes(ChangeCursor(cursor), 50).await.unwrap();
                    for entry in batch {
                        // Consecutive: nothing committed later can have a smaller number.
                        assert_eq!(entry.seq, cursor + 1, "the feed skipped an entry");
                        cursor = entry.seq;
                    }
                    polls += 1;
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
                store.close().await;
                polls
            })
        };

        let mut tasks = Vec::new();
        for (r, store) in replicas.iter().enumerate() {
            for i in 0..PER_REPLICA {
                let store = store.clone();
                tasks.push(tokio::spawn(async move {
                    let index = store.allocate_status_index("sl").await.unwrap();
                    let mut new = credential(&format!("urn:r{r}:{i}"), &format!("s{i}"), SCS);
                    new.status = Some(("sl".into(), index));
                    store.insert_credential(&new).await.unwrap().seq
                }));
            }
        }
        let mut seqs = Vec::new();
        for task in tasks {
            seqs.push(task.await.unwrap());
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=400).collect::<Vec<u64>>(), "{}", db.name);
        let polls = reader.await.unwrap();
        assert!(
            polls > 1,
            "{}: the reader saw everything in one poll",
            db.name
        );

        let store = &db.store;
        assert_eq!(store.latest_sequence().await.unwrap(), 400);
        let log = store.changes(ChangeCursor(0), 1000).await.unwrap();
        assert_eq!(log.len(), 400);
        assert!(log.iter().zip(1..).all(|(e, n)| e.seq == n));
        let logged: HashSet<&str> = log.iter().map(|e| e.credential_id.as_str()).collect();
        assert_eq!(logged.len(), 400);

        let mut indexes = BTreeSet::new();
        let mut count = 0;
        let mut cursor = None;
        loop {
            let page = store
                .list_credentials(&CredentialFilter::default(), cursor, 128)
                .await
                .unwrap();
            for c in &page.items {
                count += 1;
                assert!(logged.contains(c.id.as_str()));
                assert!(
                    indexes.insert(c.status.as_ref().unwrap().1),
                    "duplicate index"
                );
            }
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!((count, indexes.len()), (400, 400), "{}", db.name);
        assert_eq!(indexes.last(), Some(&399));
        assert_eq!(store.get_status_list("sl").await.unwrap().allocated, 400);

        for replica in replicas {
            replica.close().await;
        }
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lease_is_exclusive_between_replicas() {
    for db in test_dbs().await {
        let a = db.replica().await;
        let b = db.replica().await;
        let long = Duration::from_secs(60);

        let lease = a
            .try_acquire_lease("reissue", "a", long)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(lease.holder, "a");
        assert!(lease.expires_at > now());
        assert_eq!(
            b.try_acquire_lease("reissue", "b", long).await.unwrap(),
            None,
            "{}",
            db.name
        );
        assert!(a.renew_lease("reissue", "a", long).await.unwrap().is_some());
        assert_eq!(b.renew_lease("reissue", "b", long).await.unwrap(), None);
        assert!(!b.release_lease("reissue", "b").await.unwrap());
        assert!(a.release_lease("reissue", "a").await.unwrap());
        assert!(
            b.try_acquire_lease("reissue", "b", long)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(
            a.try_acquire_lease("reissue", "a", long).await.unwrap(),
            None
        );

        // An expired lease can be taken over, and its old holder can no longer renew it.
        let short = Duration::from_millis(300);
        assert!(
            a.try_acquire_lease("short", "a", short)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(
            b.try_acquire_lease("short", "b", short).await.unwrap(),
            None
        );
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert!(
            b.try_acquire_lease("short", "b", long)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(a.renew_lease("short", "a", long).await.unwrap(), None);

        // Many contenders at once: exactly one wins.
        let mut tasks = Vec::new();
        for i in 0..20 {
            let store = if i % 2 == 0 { a.clone() } else { b.clone() };
            tasks.push(tokio::spawn(async move {
                store
                    .try_acquire_lease("race", &format!("holder{i}"), Duration::from_secs(60))
                    .await
                    .unwrap()
                    .is_some()
            }));
        }
        let mut winners = 0;
        for task in tasks {
            winners += usize::from(task.await.unwrap());
        }
        assert_eq!(winners, 1, "{}", db.name);
        a.close().await;
        b.close().await;
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_sets_the_bit_once_and_is_idempotent() {
    for db in test_dbs().await {
        let store = &db.store;
        store
            .create_status_list("rl", StatusPurpose::Revocation, MIN_STATUS_LIST_BITS)
            .await
            .unwrap();
        let mut ids = Vec::new();
        for i in 0..3 {
            let mut new = credential(&format!("urn:r:{i}"), "s", LEGAL);
            new.status = Some((
                "rl".into(),
                store.allocate_status_index("rl").await.unwrap(),
            ));
            store.insert_credential(&new).await.unwrap();
            ids.push(new.id);
        }
        let first = store.revoke_credential("urn:r:1").await.unwrap();
        assert!(first.newly_revoked, "{}", db.name);
        assert_eq!(first.seq, 4);
        let second = store.revoke_credential("urn:r:1").await.unwrap();
        assert!(!second.newly_revoked);
        assert_eq!(
            (second.seq, second.revoked_at),
            (first.seq, first.revoked_at)
        );
        assert_eq!(store.latest_sequence().await.unwrap(), 4, "{}", db.name);

        let list = store.get_status_list("rl").await.unwrap();
        assert_eq!(list.size_bits, MIN_STATUS_LIST_BITS);
        assert_eq!(list.bits.len() as u64 * 8, MIN_STATUS_LIST_BITS);
        assert!(bit_is_set(&list.bits, 1));
        assert!(!bit_is_set(&list.bits, 0) && !bit_is_set(&list.bits, 2));
        assert_eq!(list.bits[0], 0b0100_0000);
        assert_eq!(
            store.get_credential("urn:r:1").await.unwrap().revoked_at,
            Some(first.revoked_at)
        );

        // Revoked credentials are not re-issued, and not offered for re-issuance.
        let far = now() + jiff::SignedDuration::from_hours(365 * 24);
        let expiring: Vec<String> = store
            .expiring_before(far, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(expiring, ["urn:r:0", "urn:r:2"]);
        assert!(matches!(
            store
                .reissue_credential("urn:r:1", &credential("urn:r:1b", "s", LEGAL))
                .await,
            Err(StoreError::Conflict(_))
        ));

        assert!(matches!(
            store.revoke_credential("urn:r:none").await,
            Err(StoreError::NotFound { .. })
        ));
        // A credential without a status entry (a Tagus one for a clearing house) is revoked by
        // the record and the change-log entry alone; no list changes.
        store
            .insert_credential(&credential("urn:nostatus", "s", LEGAL))
            .await
            .unwrap();
        let bits_before = store.get_status_list("rl").await.unwrap().bits;
        let revoked = store.revoke_credential("urn:nostatus").await.unwrap();
        assert!(revoked.newly_revoked, "{}", db.name);
        assert_eq!(revoked.seq, store.latest_sequence().await.unwrap());
        assert_eq!(
            store
                .get_credential("urn:nostatus")
                .await
                .unwrap()
                .revoked_at,
            Some(revoked.revoked_at)
        );
        assert_eq!(store.get_status_list("rl").await.unwrap().bits, bits_before);
        let again = store.revoke_credential("urn:nostatus").await.unwrap();
        assert!(!again.newly_revoked);
        assert_eq!(again.seq, revoked.seq);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_revocations_of_one_credential_log_once() {
    for db in test_dbs().await {
        let store = &db.store;
        store
            .create_status_list("rl", StatusPurpose::Revocation, MIN_STATUS_LIST_BITS)
            .await
            .unwrap();
        let mut new = credential("urn:once", "s", LEGAL);
        new.status = Some((
            "rl".into(),
            store.allocate_status_index("rl").await.unwrap(),
        ));
        store.insert_credential(&new).await.unwrap();
        let other = db.replica().await;
        let mut tasks = Vec::new();
        for i in 0..10 {
            let store = if i % 2 == 0 {
                db.store.clone()
            } else {
                other.clone()
            };
            tasks.push(tokio::spawn(async move {
                store.revoke_credential("urn:once").await.unwrap()
            }));
        }
        let mut newly = 0;
        for task in tasks {
            let revocation = task.await.unwrap();
            assert_eq!(revocation.seq, 2);
            newly += usize::from(revocation.newly_revoked);
        }
        assert_eq!(newly, 1, "{}", db.name);
        assert_eq!(store.latest_sequence().await.unwrap(), 2);
        other.close().await;
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reissue_supersedes_once() {
    for db in test_dbs().await {
        let store = &db.store;
        let mut old = credential("urn:old", "s", LEGAL);
        old.valid_until = Some(now() + jiff::SignedDuration::from_hours(1));
        store.insert_credential(&old).await.unwrap();
        store
            .insert_credential(&credential("urn:other", "s", LEGAL))
            .await
            .unwrap();
        let soon = now() + jiff::SignedDuration::from_hours(2);
        let due: Vec<String> = store
            .expiring_before(soon, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(due, ["urn:old"], "{}", db.name);

        let entry = store
            .reissue_credential("urn:old", &credential("urn:new", "s", LEGAL))
            .await
            .unwrap();
        assert_eq!((entry.seq, entry.kind), (3, ChangeKind::Reissued));
        assert_eq!(entry.previous.as_deref(), Some("urn:old"));
        let old_now = store.get_credential("urn:old").await.unwrap();
        assert_eq!(old_now.superseded_by.as_deref(), Some("urn:new"));
        assert_eq!(old_now.body, old.body);
        assert!(store.expiring_before(soon, 10).await.unwrap().is_empty());

        assert!(matches!(
            store
                .reissue_credential("urn:old", &credential("urn:new2", "s", LEGAL))
                .await,
            Err(StoreError::Conflict(_))
        ));
        // The failed attempt left nothing behind.
        assert!(matches!(
            store.get_credential("urn:new2").await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store
                .reissue_credential("urn:nope", &credential("urn:new3", "s", LEGAL))
                .await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store
                .reissue_credential("urn:other", &credential("urn:new", "s", LEGAL))
                .await,
            Err(StoreError::AlreadyExists { .. })
        ));
        assert_eq!(store.latest_sequence().await.unwrap(), 3, "{}", db.name);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_pages_are_stable_filtered_and_cursors_checked() {
    for db in test_dbs().await {
        let store = &db.store;
        let mut expected = Vec::new();
        for i in 0..25 {
            let subject = if i % 2 == 0 {
                "did:web:even"
            } else {
                "did:web:odd"
            };
            let types = if i % 5 == 0 { SCS } else { LEGAL };
            let mut new = credential(&format!("urn:l:{i:02}"), subject, types);
            if i % 3 == 0 {
                new.issuer = "did:web:other-issuer".into();
            }
            store.insert_credential(&new).await.unwrap();
            expected.push(new.id);
        }

        // Page through everything, inserting more between pages: the original 25 appear once
        // each, in insertion order, and the new ones only after them.
        let all = CredentialFilter::default();
        let mut seen = Vec::new();
        let mut cursor = None;
        let mut pages = 0;
        loop {
            let page = store.list_credentials(&all, cursor, 10).await.unwrap();
            pages += 1;
            assert_listed_as_stored(store, &page.items, db.name).await;
            seen.extend(page.items.into_iter().map(|c| c.id));
            if pages == 1 {
                store
                    .insert_credential(&credential("urn:l:late", "did:web:odd", LEGAL))
                    .await
                    .unwrap();
            }
            match page.next {
                Some(next) => {
                    // The string form round-trips, as an HTTP client would send it back.
                    cursor = Some(next.to_string().parse::<ListCursor>().unwrap());
                }
                None => break,
            }
        }
        expected.push("urn:l:late".into());
        assert_eq!(seen, expected, "{}", db.name);
        assert_eq!(pages, 3);

        let count = |filter: CredentialFilter| async move {
            let page = store.list_credentials(&filter, None, 1000).await.unwrap();
            assert!(page.next.is_none());
            page.items.into_iter().map(|c| c.id).collect::<Vec<_>>()
        };
        let even = count(CredentialFilter {
            subject: Some("did:web:even".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(even.len(), 13);
        let scs = count(CredentialFilter {
            credential_type: Some("scs:Attestation".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(
            scs,
            ["urn:l:00", "urn:l:05", "urn:l:10", "urn:l:15", "urn:l:20"]
        );
        let other_even_scs = count(CredentialFilter {
            credential_type: Some("scs:Attestation".into()),
            subject: Some("did:web:even".into()),
            issuer: Some("did:web:other-issuer".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(other_even_scs, ["urn:l:00"]);
        assert!(
            count(CredentialFilter {
                issuer: Some("did:web:nobody".into()),
                ..Default::default()
            })
            .await
            .is_empty()
        );

        // An exactly full last page has no next cursor.
        let page = store
            .list_credentials(&CredentialFilter::default(), None, 26)
            .await
            .unwrap();
        assert_eq!((page.items.len(), page.next), (26, None));

        for bad in ["", "garbage", "AQ", "AgAAAAAAAAAB", "AQAAAAAAAAAA"] {
            assert!(
                matches!(bad.parse::<ListCursor>(), Err(StoreError::InvalidCursor)),
                "{bad:?}"
            );
        }
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_deduplicated_and_linked_as_evidence() {
    for db in test_dbs().await {
        let store = &db.store;
        let body = b"---\nsigned: report\n".to_vec();
        let upload = NewUpload {
            subject: "did:web:a".into(),
            media_type: "application/x-signed-yaml".into(),
            body: body.clone(),
        };
        let (first, created) = store.put_upload(&upload).await.unwrap();
        assert!(created);
        assert_eq!(first.sha256, Sha256Digest::of(&body));
        let (second, created) = store
            .put_upload(&NewUpload {
                subject: "did:web:b".into(),
                ..upload.clone()
            })
            .await
            .unwrap();
        assert!(!created, "{}", db.name);
        assert_eq!(second, first);
        assert_eq!(store.get_upload(first.sha256).await.unwrap().body, body);
        assert!(matches!(
            store.get_upload(Sha256Digest::of(b"nothing")).await,
            Err(StoreError::NotFound { what: "upload", .. })
        ));

        let mut new = credential("urn:e:1", "did:web:a", SCS);
        new.evidence = Some(first.sha256);
        store.insert_credential(&new).await.unwrap();
        assert_eq!(
            store.get_credential("urn:e:1").await.unwrap().evidence,
            Some(first.sha256)
        );
        let mut orphan = credential("urn:e:2", "did:web:a", SCS);
        orphan.evidence = Some(Sha256Digest::of(b"nothing"));
        assert!(matches!(
            store.insert_credential(&orphan).await,
            Err(StoreError::NotFound { what: "upload", .. })
        ));
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_lists_check_sizes_and_allocations() {
    for db in test_dbs().await {
        let store = &db.store;
        for bad in [0, MIN_STATUS_LIST_BITS - 8, MIN_STATUS_LIST_BITS + 1] {
            assert!(matches!(
                store
                    .create_status_list("bad", StatusPurpose::Revocation, bad)
                    .await,
                Err(StoreError::InvalidInput(_))
            ));
        }
        let list = store
            .create_status_list("s1", StatusPurpose::Suspension, 2 * MIN_STATUS_LIST_BITS)
            .await
            .unwrap();
        assert_eq!(
            (list.purpose, list.allocated),
            (StatusPurpose::Suspension, 0)
        );
        assert!(list.bits.iter().all(|b| *b == 0));
        assert!(matches!(
            store
                .create_status_list("s1", StatusPurpose::Revocation, MIN_STATUS_LIST_BITS)
                .await,
            Err(StoreError::AlreadyExists { .. })
        ));
        assert_eq!(store.allocate_status_index("s1").await.unwrap(), 0);
        assert_eq!(store.allocate_status_index("s1").await.unwrap(), 1);
        assert!(matches!(
            store.allocate_status_index("nope").await,
            Err(StoreError::NotFound { .. })
        ));

        // Only allocated indexes, each for one credential.
        let mut new = credential("urn:s:1", "s", LEGAL);
        new.status = Some(("s1".into(), 5));
        assert!(matches!(
            store.insert_credential(&new).await,
            Err(StoreError::InvalidInput(_))
        ));
        new.status = Some(("s1".into(), 1));
        store.insert_credential(&new).await.unwrap();
        let mut twin = credential("urn:s:2", "s", LEGAL);
        twin.status = Some(("s1".into(), 1));
        assert!(matches!(
            store.insert_credential(&twin).await,
            Err(StoreError::Conflict(_))
        ));
        twin.status = Some(("missing".into(), 0));
        assert!(matches!(
            store.insert_credential(&twin).await,
            Err(StoreError::NotFound {
                what: "status list",
                ..
            })
        ));
        // A suspension list cannot revoke.
        assert!(matches!(
            store.revoke_credential("urn:s:1").await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(store.latest_sequence().await.unwrap(), 1, "{}", db.name);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subjects_tokens_and_ssh_keys() {
    for db in test_dbs().await {
        let store = &db.store;
        assert!(store.register_subject("did:web:p").await.unwrap());
        assert!(!store.register_subject("did:web:p").await.unwrap());
        assert!(store.register_subject("did:web:a").await.unwrap());
        let listed: Vec<String> = store
            .list_subjects()
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(listed, ["did:web:a", "did:web:p"], "{}", db.name);
        assert_eq!(
            store.get_subject("did:web:p").await.unwrap().id,
            "did:web:p"
        );
        assert!(matches!(
            store.get_subject("did:web:q").await,
            Err(StoreError::NotFound { .. })
        ));

        let token = store.create_token("did:web:p", "runner").await.unwrap();
        assert!(token.starts_with("gxa_") && token.len() > 40);
        assert_eq!(
            store.authenticate_token(&token).await.unwrap().as_deref(),
            Some("did:web:p"),
            "{}",
            db.name
        );
        assert_eq!(store.authenticate_token("gxa_wrong").await.unwrap(), None);
        assert_eq!(store.authenticate_token("").await.unwrap(), None);
        assert!(matches!(
            store.create_token("did:web:p", "runner").await,
            Err(StoreError::AlreadyExists { .. })
        ));
        assert!(matches!(
            store.create_token("did:web:q", "runner").await,
            Err(StoreError::NotFound {
                what: "subject",
                ..
            })
        ));
        store
            .register_token("did:web:p", "config", "a-configured-token-0123456789")
            .await
            .unwrap();
        assert!(matches!(
            store.register_token("did:web:p", "short", "short").await,
            Err(StoreError::InvalidInput(_))
        ));
        assert_eq!(
            store
                .authenticate_token("a-configured-token-0123456789")
                .await
                .unwrap()
                .as_deref(),
            Some("did:web:p")
        );
        assert!(store.delete_token("did:web:p", "runner").await.unwrap());
        assert_eq!(store.authenticate_token(&token).await.unwrap(), None);

        // Only hashes are stored.
        let stored: Vec<Vec<u8>> = match db.name {
            "sqlite" => {
                let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
                sqlx::query_scalar("SELECT token_sha256 FROM api_tokens")
                    .fetch_all(&mut conn)
                    .await
                    .unwrap()
            }
            _ => {
                let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
                sqlx::query_scalar("SELECT token_sha256 FROM api_tokens")
                    .fetch_all(&mut conn)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            stored,
            [Sha256Digest::of(b"a-configured-token-0123456789")
                .as_bytes()
                .to_vec()]
        );

        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl runner";
        assert!(store.add_ssh_key("did:web:p", key).await.unwrap());
        assert!(
            !store
                .add_ssh_key("did:web:p", &format!("{key}\n"))
                .await
                .unwrap()
        );
        assert!(
            store
                .add_ssh_key("did:web:p", "ssh-ed25519 AAAAsecond")
                .await
                .unwrap()
        );
        assert_eq!(
            store.ssh_keys("did:web:p").await.unwrap(),
            [key, "ssh-ed25519 AAAAsecond"]
        );
        assert!(matches!(
            store.add_ssh_key("did:web:q", key).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store.add_ssh_key("did:web:p", "a\nb").await,
            Err(StoreError::InvalidInput(_))
        ));
        assert!(store.remove_ssh_key("did:web:p", key).await.unwrap());
        assert!(!store.remove_ssh_key("did:web:p", key).await.unwrap());
        assert_eq!(
            store.ssh_keys("did:web:p").await.unwrap(),
            ["ssh-ed25519 AAAAsecond"]
        );
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_keeps_data_and_migrations_run_once() {
    for db in test_dbs().await {
        db.store
            .insert_credential(&credential("urn:keep", "s", LEGAL))
            .await
            .unwrap();
        let reopened = db.replica().await;
        assert_eq!(reopened.backend_name(), db.name);
        assert_eq!(
            reopened.get_credential("urn:keep").await.unwrap().id,
            "urn:keep"
        );
        assert_eq!(reopened.latest_sequence().await.unwrap(), 1);
        reopened.close().await;
        db.finish().await;
    }
}

#[tokio::test]
async fn open_refuses_unknown_urls_and_creates_data_dirs() {
    assert!(matches!(
        Store::open("mysql://localhost/x").await,
        Err(StoreError::InvalidInput(_))
    ));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data").join("nested");
    let store = Store::open_data_dir(&data).await.unwrap();
    assert_eq!(store.backend_name(), "sqlite");
    assert!(data.join(gxa_store::SQLITE_FILE_NAME).is_file());
    store.close().await;
}

/// Replicas that start together on a fresh SQLite file both migrate it without error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_opening_a_fresh_sqlite_file_at_once_both_succeed() {
    for round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("fresh.sqlite3").display());
        let (a, b, c) = tokio::join!(Store::open(&url), Store::open(&url), Store::open(&url));
        for store in [a, b, c] {
            let store = store.unwrap_or_else(|err| panic!("round {round}: {err:?}"));
            assert_eq!(store.latest_sequence().await.unwrap(), 0);
            store.close().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_status_list_refuses_allocation() {
    for db in test_dbs().await {
        let store = &db.store;
        store
            .create_status_list("full", StatusPurpose::Revocation, MIN_STATUS_LIST_BITS)
            .await
            .unwrap();
        // Skip ahead to the last index instead of allocating 131 071 of them.
        let statement = "UPDATE status_lists SET next_index = size_bits - 1 WHERE id = 'full'";
        match db.name {
            "sqlite" => {
                let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
                sqlx::query(statement).execute(&mut conn).await.unwrap();
            }
            _ => {
                let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
                sqlx::query(statement).execute(&mut conn).await.unwrap();
            }
        }
        assert_eq!(
            store.allocate_status_index("full").await.unwrap(),
            MIN_STATUS_LIST_BITS - 1
        );
        assert!(
            matches!(
                store.allocate_status_index("full").await,
                Err(StoreError::StatusListFull(ref id)) if id == "full"
            ),
            "{}",
            db.name
        );
        assert_eq!(
            store.get_status_list("full").await.unwrap().allocated,
            MIN_STATUS_LIST_BITS
        );
        db.finish().await;
    }
}

/// Two replicas issue, re-issue and revoke at the same time (all three kinds of log writers and
/// the status list allocator at once): no deadlock, no error, and a gapless log whose entries
/// match the outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn mixed_concurrent_writes_keep_the_log_consistent() {
    const N: usize = 60;
    for db in test_dbs().await {
        db.store
            .create_status_list("mix", StatusPurpose::Revocation, MIN_STATUS_LIST_BITS)
            .await
            .unwrap();
        let replicas = [db.replica().await, db.replica().await];
        let mut tasks = Vec::new();
        for i in 0..N {
            let store = replicas[i % 2].clone();
            tasks.push(tokio::spawn(async move {
                let mut new = credential(&format!("urn:m:{i}"), "s", LEGAL);
                new.status = Some((
                    "mix".into(),
                    store.allocate_status_index("mix").await.unwrap(),
                ));
                store.insert_credential(&new).await.unwrap();
                match i % 3 {
                    0 => {
                        store.revoke_credential(&new.id).await.unwrap();
                    }
                    1 => {
                        let mut next = credential(&format!("urn:m:{i}b"), "s", LEGAL);
                        next.status = Some((
                            "mix".into(),
                            store.allocate_status_index("mix").await.unwrap(),
                        ));
                        store.reissue_credential(&new.id, &next).await.unwrap();
                        // Revoke the old one too: allowed for a superseded credential.
                        store.revoke_credential(&new.id).await.unwrap();
                    }
                    _ => {}
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let store = &db.store;
        let log = store.changes(ChangeCursor(0), 1000).await.unwrap();
        // Every credential issued once, a third re-issued, two thirds revoked.
        let expected = N + N / 3 + 2 * N / 3;
        assert_eq!(log.len(), expected, "{}", db.name);
        assert!(
            log.iter().zip(1..).all(|(e, n)| e.seq == n),
            "{}: gap",
            db.name
        );
        let count = |kind| log.iter().filter(|e| e.kind == kind).count();
        assert_eq!(count(ChangeKind::Issued), N);
        assert_eq!(count(ChangeKind::Reissued), N / 3);
        assert_eq!(count(ChangeKind::Revoked), 2 * N / 3);

        let list = store.get_status_list("mix").await.unwrap();
        for i in 0..N {
            let c = store.get_credential(&format!("urn:m:{i}")).await.unwrap();
            let index = c.status.unwrap().1;
            assert_eq!(
                bit_is_set(&list.bits, index),
                i % 3 != 2,
                "{}: {i}",
                db.name
            );
            assert_eq!(c.revoked_at.is_some(), i % 3 != 2);
        }
        for replica in replicas {
            replica.close().await;
        }
        db.finish().await;
    }
}

/// A listed credential is the stored one without its bytes and evidence.
#[allow(
    clippy::unwrap_used,
    reason = "a test helper: a failed read fails the test"
)]
async fn assert_listed_as_stored(store: &Store, listed: &[ListedCredential], backend: &str) {
    for listed in listed {
        let stored = store.get_credential(&listed.id).await.unwrap();
        let expected = ListedCredential {
            id: stored.id,
            types: stored.types,
            subject: stored.subject,
            issuer: stored.issuer,
            profile: stored.profile,
            format: stored.format,
            body_sha256: stored.body_sha256,
            issued_at: stored.issued_at,
            valid_from: stored.valid_from,
            valid_until: stored.valid_until,
            status: stored.status,
            superseded_by: stored.superseded_by,
            revoked_at: stored.revoked_at,
        };
        assert_eq!(listed, &expected, "{backend}");
    }
}

/// Events received by the CES endpoint: stored once per source and id, listed in arrival
/// order, paged by offset.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ces_events_are_stored_once_and_listed_in_order() {
    for db in test_dbs().await {
        let store = &db.store;
        let event = |source: &str, id: &str| gxa_store::NewCesEvent {
            source: source.to_owned(),
            event_id: id.to_owned(),
            subject: Some(format!("{source}/credentials/{id}")),
            body: format!(r#"{{"id":"{id}","source":"{source}"}}"#),
        };
        let a1 = store
            .receive_ces_event(&event("did:web:a", "1"))
            .await
            .unwrap();
        let b1 = store
            .receive_ces_event(&event("did:web:b", "1"))
            .await
            .unwrap();
        let a2 = store
            .receive_ces_event(&event("did:web:a", "2"))
            .await
            .unwrap();
        assert!(a1.new && b1.new && a2.new);
        assert!(a1.seq < b1.seq && b1.seq < a2.seq);
        // A repeated delivery: the same entry, not new, nothing added.
        let again = store
            .receive_ces_event(&event("did:web:a", "1"))
            .await
            .unwrap();
        assert_eq!((again.seq, again.new), (a1.seq, false));
        let all = store.ces_events(0, 10).await.unwrap();
        let keys: Vec<(&str, &str)> = all
            .iter()
            .map(|e| (e.source.as_str(), e.event_id.as_str()))
            .collect();
        assert_eq!(
            keys,
            [("did:web:a", "1"), ("did:web:b", "1"), ("did:web:a", "2")]
        );
        assert_eq!(all[1].body, r#"{"id":"1","source":"did:web:b"}"#);
        let page = store.ces_events(1, 1).await.unwrap();
        assert_eq!(page.len(), 1);
        assert_eq!(page[0].seq, b1.seq);
        assert!(store.ces_events(3, 10).await.unwrap().is_empty());
        assert!(matches!(
            store.receive_ces_event(&event("", "x")).await,
            Err(StoreError::InvalidInput(_))
        ));

        // Delivery cursors: forward only, counts per outcome, failures keep the cursor.
        let t = "https://ces.example/v2/credentials-events";
        assert_eq!(
            store.ces_delivery(t).await.unwrap(),
            gxa_store::CesDelivery::default()
        );
        store.ces_delivery_failed(t, "HTTP 503").await.unwrap();
        store
            .ces_delivered(t, 1, &gxa_store::DeliveryOutcome::Sent)
            .await
            .unwrap();
        store
            .ces_delivered(
                t,
                2,
                &gxa_store::DeliveryOutcome::Refused("HTTP 422".into()),
            )
            .await
            .unwrap();
        store
            .ces_delivered(t, 1, &gxa_store::DeliveryOutcome::Sent)
            .await
            .unwrap();
        let d = store.ces_delivery(t).await.unwrap();
        assert_eq!((d.delivered, d.sent, d.refused, d.failures), (2, 2, 1, 1));
        assert_eq!(d.last_error.as_deref(), Some("HTTP 422"));
        assert_eq!(store.ces_delivery("other").await.unwrap().delivered, 0);
        db.finish().await;
    }
}
