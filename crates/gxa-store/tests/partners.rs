//! The partner exchange (migration 0003): receiving partners' credentials with provenance,
//! rejections, revocations without a local status bit, re-issuance, cursors; every test body
//! runs against SQLite and PostgreSQL (see `gxa_testkit::store`).

use gxa_store::{
    ChangeCursor, ChangeKind, CredentialFilter, NewCredential, PartnerReceipt, ReceiptOutcome,
    RejectionKind, StoreError,
};
use gxa_testkit::store::{credential, test_dbs};

const PARTNER: &str = "did:web:partner.example";
const TYPES: &[&str] = &["VerifiableCredential", "scs:Attestation"];

fn partner_credential(id: &str) -> NewCredential {
    let mut new = credential(id, "cloud-a", TYPES);
    new.issuer = PARTNER.to_owned();
    new.profile = "partner".to_owned();
    new
}

fn receipt(seq: u64, new: NewCredential, previous: Option<&str>) -> PartnerReceipt {
    PartnerReceipt {
        partner_id: "p1".to_owned(),
        partner_seq: seq,
        credential: new,
        previous: previous.map(str::to_owned),
        report: r#"{"verdict":"valid"}"#.to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn received_credentials_are_stored_once_with_provenance_and_listed_by_issuer() {
    for db in test_dbs().await {
        let store = &db.store;
        let state = store.partner_state("p1").await.unwrap();
        assert_eq!((state.cursor, state.stored, state.rejected), (0, 0, 0));
        assert_eq!(state.last_success_at, None);

        let new = partner_credential("https://partner.example/credentials/1");
        let outcome = store
            .receive_partner_credential(&receipt(3, new.clone(), None))
            .await
            .unwrap();
        let ReceiptOutcome::Stored(entry) = outcome else {
            panic!("{}: not stored: {outcome:?}", db.name);
        };
        assert_eq!(entry.kind, ChangeKind::Issued);
        assert_eq!(entry.issuer, PARTNER, "{}", db.name);
        // Exactly as received.
        let got = store.get_credential(&new.id).await.unwrap();
        assert_eq!(
            (got.body, got.issuer.as_str(), got.profile.as_str()),
            (new.body.clone(), PARTNER, "partner")
        );
        let provenance = store.partner_provenance(&new.id).await.unwrap().unwrap();
        assert_eq!(
            (provenance.partner_id.as_str(), provenance.partner_seq),
            ("p1", 3)
        );
        assert!(provenance.report.contains("valid"));
        assert_eq!(store.partner_state("p1").await.unwrap().cursor, 3);

        // Again (a resumed sync): no-op, no second change-log entry.
        let again = store
            .receive_partner_credential(&receipt(3, new.clone(), None))
            .await
            .unwrap();
        assert_eq!(again, ReceiptOutcome::AlreadyStored, "{}", db.name);
        assert_eq!(store.latest_sequence().await.unwrap(), 1);

        // The same id with another body: a conflict rejection, the stored body unchanged.
        let mut other = new.clone();
        other.body = b"{\"tampered\":true}".to_vec();
        let conflict = store
            .receive_partner_credential(&receipt(4, other, None))
            .await
            .unwrap();
        assert_eq!(conflict, ReceiptOutcome::Conflict, "{}", db.name);
        assert_eq!(store.get_credential(&new.id).await.unwrap().body, new.body);
        let rejections = store.partner_rejections("p1", 0, 10).await.unwrap();
        assert_eq!(rejections.len(), 1);
        assert_eq!(rejections[0].kind, RejectionKind::Conflict);
        assert_eq!(rejections[0].partner_seq, 4);

        // Listed by issuer through the existing listing; the change feed names the issuer.
        let page = store
            .list_credentials(
                &CredentialFilter {
                    issuer: Some(PARTNER.to_owned()),
                    ..CredentialFilter::default()
                },
                None,
                10,
            )
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
        let changes = store.changes(ChangeCursor(0), 10).await.unwrap();
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].issuer, PARTNER);

        let state = store.partner_state("p1").await.unwrap();
        assert_eq!(
            (state.cursor, state.stored, state.rejected),
            (4, 1, 1),
            "{}",
            db.name
        );

        // Status entries and evidence are refused; so are empty ids and sequence 0.
        let mut with_status = partner_credential("urn:x:status");
        with_status.status = Some(("list".to_owned(), 0));
        assert!(matches!(
            store
                .receive_partner_credential(&receipt(5, with_status, None))
                .await,
            Err(StoreError::InvalidInput(_))
        ));
        assert!(matches!(
            store
                .receive_partner_credential(&receipt(0, partner_credential("urn:x:0"), None))
                .await,
            Err(StoreError::InvalidInput(_))
        ));
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejections_skips_and_rounds_move_the_cursor_forward_only() {
    for db in test_dbs().await {
        let store = &db.store;
        let reasons = vec!["proof fail: signature does not verify".to_owned()];
        assert!(
            store
                .reject_partner_entry("p1", 2, "urn:x:bad", RejectionKind::Invalid, &reasons)
                .await
                .unwrap()
        );
        // Again: not recorded twice.
        assert!(
            !store
                .reject_partner_entry("p1", 2, "urn:x:bad", RejectionKind::Invalid, &reasons)
                .await
                .unwrap()
        );
        store
            .reject_partner_entry(
                "p1",
                5,
                "urn:x:policy",
                RejectionKind::Policy,
                &["type not allowed".to_owned()],
            )
            .await
            .unwrap();
        assert_eq!(store.partner_state("p1").await.unwrap().cursor, 5);
        // A skip behind the cursor does not move it back.
        store.skip_partner_entry("p1", 3).await.unwrap();
        assert_eq!(store.partner_state("p1").await.unwrap().cursor, 5);
        store.skip_partner_entry("p1", 7).await.unwrap();
        assert_eq!(
            store.partner_state("p1").await.unwrap().cursor,
            7,
            "{}",
            db.name
        );

        // Paged rejections.
        let first = store.partner_rejections("p1", 0, 1).await.unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(
            (first[0].partner_seq, first[0].reasons.clone()),
            (2, reasons.clone())
        );
        let rest = store.partner_rejections("p1", 2, 10).await.unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].kind, RejectionKind::Policy);
        assert!(
            store
                .partner_rejections("p2", 0, 10)
                .await
                .unwrap()
                .is_empty()
        );

        // Rounds: an error is kept until a successful round clears it; the cursor stays.
        store
            .record_partner_round("p1", Some("fetch timed out"))
            .await
            .unwrap();
        let state = store.partner_state("p1").await.unwrap();
        assert_eq!(state.last_error.as_deref(), Some("fetch timed out"));
        assert_eq!(state.last_success_at, None);
        store.record_partner_round("p1", None).await.unwrap();
        let state = store.partner_state("p1").await.unwrap();
        assert_eq!(state.last_error, None);
        assert!(state.last_success_at.is_some());
        assert_eq!((state.cursor, state.rejected), (7, 2), "{}", db.name);
        // A round of a partner never synced creates its row with cursor 0.
        store
            .record_partner_round("p2", Some("down"))
            .await
            .unwrap();
        assert_eq!(store.partner_state("p2").await.unwrap().cursor, 0);
        // Nothing reached the change log.
        assert_eq!(store.latest_sequence().await.unwrap(), 0);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partner_revocations_and_reissuance() {
    for db in test_dbs().await {
        let store = &db.store;
        let one = partner_credential("urn:p:1");
        store
            .receive_partner_credential(&receipt(1, one, None))
            .await
            .unwrap();

        // A re-issuance supersedes the stored previous credential.
        let two = partner_credential("urn:p:2");
        let ReceiptOutcome::Stored(entry) = store
            .receive_partner_credential(&receipt(2, two, Some("urn:p:1")))
            .await
            .unwrap()
        else {
            panic!("not stored");
        };
        assert_eq!(
            (entry.kind, entry.previous.as_deref()),
            (ChangeKind::Reissued, Some("urn:p:1")),
            "{}",
            db.name
        );
        assert_eq!(
            store
                .get_credential("urn:p:1")
                .await
                .unwrap()
                .superseded_by
                .as_deref(),
            Some("urn:p:2")
        );
        // A re-issuance of a credential unknown here (e.g. rejected) is an issuance.
        let three = partner_credential("urn:p:3");
        let ReceiptOutcome::Stored(entry) = store
            .receive_partner_credential(&receipt(3, three, Some("urn:p:unknown")))
            .await
            .unwrap()
        else {
            panic!("not stored");
        };
        assert_eq!((entry.kind, entry.previous), (ChangeKind::Issued, None));

        // Revocation without a status entry: revocation row and change-log entry.
        let revocation = store
            .receive_partner_revocation("p1", 4, "urn:p:2", PARTNER)
            .await
            .unwrap()
            .unwrap();
        assert!(revocation.newly_revoked);
        let revoked = store.get_credential("urn:p:2").await.unwrap();
        assert!(revoked.revoked_at.is_some(), "{}", db.name);
        assert_eq!(revoked.status, None);
        let again = store
            .receive_partner_revocation("p1", 4, "urn:p:2", PARTNER)
            .await
            .unwrap()
            .unwrap();
        assert!(!again.newly_revoked);
        assert_eq!(again.seq, revocation.seq);
        // Another issuer cannot revoke it; an unknown credential is nothing to revoke.
        assert_eq!(
            store
                .receive_partner_revocation("p1", 5, "urn:p:3", "did:web:other.example")
                .await
                .unwrap(),
            None
        );
        assert!(
            store
                .get_credential("urn:p:3")
                .await
                .unwrap()
                .revoked_at
                .is_none()
        );
        assert_eq!(
            store
                .receive_partner_revocation("p1", 6, "urn:p:missing", PARTNER)
                .await
                .unwrap(),
            None
        );
        assert_eq!(store.partner_state("p1").await.unwrap().cursor, 6);

        let kinds: Vec<ChangeKind> = store
            .changes(ChangeCursor(0), 100)
            .await
            .unwrap()
            .iter()
            .map(|c| c.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                ChangeKind::Issued,
                ChangeKind::Reissued,
                ChangeKind::Issued,
                ChangeKind::Revoked
            ],
            "{}",
            db.name
        );
        db.finish().await;
    }
}
