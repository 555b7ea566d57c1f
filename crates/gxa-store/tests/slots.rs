//! Logical slots (migration 0002): `issue_in_slot`, `current_in_slot`, `slot_of`,
//! `slots_of_subject`, and `uploads_of_subject`; every test body runs against SQLite and
//! PostgreSQL (see `gxa_testkit::store`).

use gxa_store::{
    ChangeCursor, ChangeKind, MIN_STATUS_LIST_BITS, NewUpload, Previous, StatusPurpose, StoreError,
};
use gxa_testkit::store::{credential, test_dbs};

const SCS: &[&str] = &["VerifiableCredential", "scs:Attestation"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_in_slot_moves_the_slot_and_supersedes() {
    for db in test_dbs().await {
        let store = &db.store;
        let slot = "scs/a/cloud/uuid/loire";
        assert!(store.current_in_slot(slot).await.unwrap().is_none());

        let first = credential("urn:slot:1", "a", SCS);
        let entry = store.issue_in_slot(slot, None, &first).await.unwrap();
        assert_eq!(
            (entry.kind, entry.previous.as_deref()),
            (ChangeKind::Issued, None)
        );
        let current = store.current_in_slot(slot).await.unwrap().unwrap();
        assert_eq!(current.id, "urn:slot:1", "{}", db.name);
        assert_eq!(
            store.slot_of("urn:slot:1").await.unwrap().as_deref(),
            Some(slot)
        );

        // An empty-slot issuance into a filled slot is a conflict, and stores nothing.
        let stale = credential("urn:slot:stale", "a", SCS);
        assert!(matches!(
            store.issue_in_slot(slot, None, &stale).await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store.get_credential("urn:slot:stale").await,
            Err(StoreError::NotFound { .. })
        ));

        let second = credential("urn:slot:2", "a", SCS);
        let entry = store
            .issue_in_slot(slot, Some("urn:slot:1"), &second)
            .await
            .unwrap();
        assert_eq!(entry.kind, ChangeKind::Reissued);
        assert_eq!(entry.previous.as_deref(), Some("urn:slot:1"));
        let old = store.get_credential("urn:slot:1").await.unwrap();
        assert_eq!(old.superseded_by.as_deref(), Some("urn:slot:2"));
        assert_eq!(store.slot_of("urn:slot:1").await.unwrap(), None);
        assert_eq!(
            store.slot_of("urn:slot:2").await.unwrap().as_deref(),
            Some(slot)
        );

        // Expecting the superseded credential is a conflict (another replica was faster).
        let third = credential("urn:slot:3", "a", SCS);
        assert!(matches!(
            store.issue_in_slot(slot, Some("urn:slot:1"), &third).await,
            Err(StoreError::Conflict(_))
        ));
        // The same id as the expected one is refused.
        assert!(matches!(
            store.issue_in_slot(slot, Some("urn:slot:2"), &second).await,
            Err(StoreError::InvalidInput(_))
        ));
        assert!(matches!(
            store.issue_in_slot("", None, &third).await,
            Err(StoreError::InvalidInput(_))
        ));

        let changes = store.changes(ChangeCursor(0), 100).await.unwrap();
        assert_eq!(
            changes.iter().map(|c| c.kind).collect::<Vec<_>>(),
            [ChangeKind::Issued, ChangeKind::Reissued],
            "{}",
            db.name
        );
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_successor_may_revoke_what_it_supersedes_in_one_step() {
    for db in test_dbs().await {
        let store = &db.store;
        store
            .create_status_list("sl", StatusPurpose::Revocation, MIN_STATUS_LIST_BITS)
            .await
            .unwrap();
        let slot = "scs/a/cloud/uuid/tagus";
        let with_status = |id: &str, index: u64| {
            let mut c = credential(id, "a", SCS);
            c.status = Some(("sl".to_owned(), index));
            c
        };
        let first = with_status(
            "urn:down:1",
            store.allocate_status_index("sl").await.unwrap(),
        );
        let index = first.status.clone().unwrap().1;
        store.issue_in_slot(slot, None, &first).await.unwrap();
        let second = with_status(
            "urn:down:2",
            store.allocate_status_index("sl").await.unwrap(),
        );
        let issuance = store
            .issue_in_slot_with(slot, Some("urn:down:1"), &second, Previous::Revoke)
            .await
            .unwrap();
        assert_eq!(issuance.entry.kind, ChangeKind::Reissued, "{}", db.name);
        let revocation = issuance.revoked_previous.unwrap();
        assert!(revocation.newly_revoked);
        assert_eq!(revocation.seq, issuance.entry.seq + 1, "{}", db.name);
        let old = store.get_credential("urn:down:1").await.unwrap();
        assert_eq!(old.superseded_by.as_deref(), Some("urn:down:2"));
        assert!(old.revoked_at.is_some());
        let bits = store.get_status_list("sl").await.unwrap().bits;
        assert!(gxa_store::bit_is_set(&bits, index), "{}", db.name);
        let changes = store.changes(ChangeCursor(0), 100).await.unwrap();
        assert_eq!(
            changes
                .iter()
                .map(|c| (c.kind, c.credential_id.as_str()))
                .collect::<Vec<_>>(),
            [
                (ChangeKind::Issued, "urn:down:1"),
                (ChangeKind::Reissued, "urn:down:2"),
                (ChangeKind::Revoked, "urn:down:1"),
            ],
            "{}",
            db.name
        );
        // KeepValid (the default of issue_in_slot) leaves the predecessor valid.
        let third = with_status(
            "urn:down:3",
            store.allocate_status_index("sl").await.unwrap(),
        );
        let issuance = store
            .issue_in_slot_with(slot, Some("urn:down:2"), &third, Previous::KeepValid)
            .await
            .unwrap();
        assert_eq!(issuance.revoked_previous, None);
        assert!(
            store
                .get_credential("urn:down:2")
                .await
                .unwrap()
                .revoked_at
                .is_none()
        );
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_current_credential_is_followed_not_superseded() {
    for db in test_dbs().await {
        let store = &db.store;
        store
            .create_status_list("sl", StatusPurpose::Revocation, MIN_STATUS_LIST_BITS)
            .await
            .unwrap();
        let slot = "inventory/a/legal-person.json/loire";
        let mut first = credential("urn:rev:1", "a", SCS);
        first.status = Some((
            "sl".to_owned(),
            store.allocate_status_index("sl").await.unwrap(),
        ));
        store.issue_in_slot(slot, None, &first).await.unwrap();
        store.revoke_credential("urn:rev:1").await.unwrap();
        let current = store.current_in_slot(slot).await.unwrap().unwrap();
        assert!(current.revoked_at.is_some());

        let second = credential("urn:rev:2", "a", SCS);
        let entry = store
            .issue_in_slot(slot, Some("urn:rev:1"), &second)
            .await
            .unwrap();
        assert_eq!(
            (entry.kind, entry.previous),
            (ChangeKind::Issued, None),
            "{}",
            db.name
        );
        let old = store.get_credential("urn:rev:1").await.unwrap();
        assert_eq!(
            old.superseded_by, None,
            "a revoked credential is never superseded"
        );
        assert_eq!(
            store.current_in_slot(slot).await.unwrap().unwrap().id,
            "urn:rev:2"
        );
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_racing_for_one_slot_issue_once_per_generation() {
    const ROUNDS: usize = 20;
    for db in test_dbs().await {
        let replicas = [db.replica().await, db.replica().await];
        let slot = "scs/race/cloud/uuid/tagus";
        let mut tasks = Vec::new();
        for (r, store) in replicas.iter().enumerate() {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let mut wins = 0;
                let mut n = 0;
                while wins < ROUNDS {
                    let current = store.current_in_slot(slot).await.unwrap();
                    let new = credential(&format!("urn:race:{r}:{n}"), "race", SCS);
                    n += 1;
                    match store
                        .issue_in_slot(slot, current.as_ref().map(|c| c.id.as_str()), &new)
                        .await
                    {
                        Ok(_) => wins += 1,
                        Err(StoreError::Conflict(_)) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        // Every issuance but the first superseded exactly the previous current one: a chain.
        let changes = db.store.changes(ChangeCursor(0), 1000).await.unwrap();
        assert_eq!(changes.len(), 2 * ROUNDS, "{}", db.name);
        assert_eq!(changes[0].kind, ChangeKind::Issued);
        for pair in changes.windows(2) {
            assert_eq!(pair[1].kind, ChangeKind::Reissued);
            assert_eq!(
                pair[1].previous.as_deref(),
                Some(pair[0].credential_id.as_str())
            );
        }
        let last = &changes[changes.len() - 1].credential_id;
        assert_eq!(
            &db.store.current_in_slot(slot).await.unwrap().unwrap().id,
            last
        );
        for store in replicas {
            store.close().await;
        }
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slots_and_uploads_of_a_subject() {
    for db in test_dbs().await {
        let store = &db.store;
        store
            .issue_in_slot("s/b", None, &credential("urn:sub:b", "owner", SCS))
            .await
            .unwrap();
        store
            .issue_in_slot("s/a", None, &credential("urn:sub:a", "owner", SCS))
            .await
            .unwrap();
        store
            .issue_in_slot("s/c", None, &credential("urn:sub:c", "other", SCS))
            .await
            .unwrap();
        let slots = store.slots_of_subject("owner").await.unwrap();
        assert_eq!(
            slots
                .iter()
                .map(|(s, c)| (s.as_str(), c.id.as_str()))
                .collect::<Vec<_>>(),
            [("s/a", "urn:sub:a"), ("s/b", "urn:sub:b")],
            "{}",
            db.name
        );
        assert!(store.slots_of_subject("nobody").await.unwrap().is_empty());

        for body in [&b"first"[..], b"second", b"third"] {
            store
                .put_upload(&NewUpload {
                    subject: "owner".into(),
                    media_type: "application/x-signed-yaml".into(),
                    body: body.to_vec(),
                })
                .await
                .unwrap();
            // Distinct receive times.
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        let all = store.uploads_of_subject("owner", 10).await.unwrap();
        assert_eq!(
            all.iter().map(|u| u.body.as_slice()).collect::<Vec<_>>(),
            [&b"first"[..], b"second", b"third"],
            "oldest first"
        );
        let newest = store.uploads_of_subject("owner", 2).await.unwrap();
        assert_eq!(
            newest.iter().map(|u| u.body.as_slice()).collect::<Vec<_>>(),
            [&b"second"[..], b"third"],
            "the newest two, oldest first"
        );
        assert!(
            store
                .uploads_of_subject("other", 10)
                .await
                .unwrap()
                .is_empty()
        );
        db.finish().await;
    }
}
