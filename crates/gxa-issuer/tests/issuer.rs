//! `Issuer` against both store backends (PostgreSQL via `GXA_TEST_POSTGRES_URL`, see
//! `common`): every method, its error paths, verification of what it issues, and replicas.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on unexpected documents"
)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{
    BASE_URL, CLOUD, DID, config, document, fresh_upload, issuer, keys, register_cloud, snapshot,
    test_dbs, upload_body, verify,
};
use gxa_credential::Profile;
use gxa_credential::trust_framework::is_clearing_credential;
use gxa_issuer::{ErrorKind, Issuer, IssuerError, REISSUE_LEASE, decode_status_list};
use gxa_store::{ChangeCursor, ChangeKind, bit_is_set};
use serde_json::Value;

/// The upload digests an attestation names as evidence.
fn uploads_of(doc: &Value) -> Vec<String> {
    doc["credentialSubject"]["uploads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["uploadDigest"].as_str().unwrap().to_owned())
        .collect()
}

/// Every `rdf:type` in the RDF of `doc` outside its proof graphs (the types a Tagus
/// clearing house looks up shapes for).
fn types_outside_proofs(doc: &Value) -> BTreeSet<String> {
    use gxa_rdf::Term;
    let dataset = gxa_jsonld::Processor::pinned()
        .to_rdf(doc, &gxa_jsonld::ToRdfOptions::strict())
        .unwrap();
    let iri = |id| match dataset.term(id) {
        Term::Iri(i) => Some(i.to_string()),
        _ => None,
    };
    let proof_graphs: Vec<_> = dataset
        .quads()
        .iter()
        .filter(|q| iri(q.predicate).as_deref() == Some("https://w3id.org/security#proof"))
        .map(|q| q.object)
        .collect();
    dataset
        .quads()
        .iter()
        .filter(|q| {
            iri(q.predicate).as_deref() == Some("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        })
        .filter(|q| q.graph.is_none_or(|g| !proof_graphs.contains(&g)))
        .filter_map(|q| iri(q.object))
        .collect()
}

/// The credential's status entry: (list id, index).
fn status_of(doc: &Value) -> (String, u64) {
    let status = &doc["credentialStatus"];
    let expected = if doc["@context"][0] == "https://www.w3.org/2018/credentials/v1" {
        "StatusList2021Entry"
    } else {
        "BitstringStatusListEntry"
    };
    assert_eq!(status["type"], expected);
    assert_eq!(status["statusPurpose"], "revocation");
    let list = status["statusListCredential"].as_str().unwrap();
    let index: u64 = status["statusListIndex"].as_str().unwrap().parse().unwrap();
    assert_eq!(status["id"], format!("{list}#{index}"));
    let id = list
        .strip_prefix(&format!("{BASE_URL}/status-lists/"))
        .unwrap();
    (id.to_owned(), index)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_issues_verifiable_attestations_in_both_profiles() {
    for db in test_dbs().await {
        let store = &db.store;
        register_cloud(store, CLOUD).await;
        let issuer = issuer(store).await;
        assert_eq!(issuer.did(), DID);
        let outcome = issuer.submit_upload(CLOUD, &upload_body()).await.unwrap();
        assert!(!outcome.duplicate);
        assert!(outcome.upload_sri.starts_with("sha256-"));
        assert!(outcome.signer_fingerprint.starts_with("SHA256:"));
        // One evaluation per report subject (the cloud and its Kubernetes branch) …
        let subjects: BTreeSet<&str> = outcome
            .evaluations
            .iter()
            .map(|e| e["subject"].as_str().unwrap())
            .collect();
        assert_eq!(
            subjects,
            BTreeSet::from(["example-cloud", "example-k8s-1.35"])
        );
        // … and one attestation per evaluation and profile.
        assert_eq!(outcome.issued.len(), 4, "{}", db.name);
        assert!(outcome.unchanged.is_empty());
        let mut indexes = BTreeSet::new();
        for issued in &outcome.issued {
            assert!(issued.id.starts_with(&format!("{BASE_URL}/credentials/")));
            assert_eq!(issued.replaces, None);
            assert!(issued.types.iter().any(|t| t == "ScsComplianceAttestation"));
            let stored = store.get_credential(&issued.id).await.unwrap();
            assert_eq!(stored.subject, CLOUD);
            assert_eq!(stored.issuer, DID);
            assert_eq!(stored.profile, issued.profile);
            assert!(stored.evidence.is_some(), "the upload is the evidence");
            let report = verify(&issuer, &stored.body);
            assert!(report.is_valid(), "{}: {:?}", issued.id, report.reasons());
            let doc = document(&stored.body);
            assert_eq!(doc["id"], issued.id);
            assert_eq!(doc["issuer"], DID);
            let (list, index) = status_of(&doc);
            assert_eq!(stored.status, Some((list, index)));
            assert!(indexes.insert(index), "status indexes are unique");
            match issued.profile.as_str() {
                "tagus" => {
                    assert_eq!(issued.format, "ld+json");
                    assert_eq!(doc["proof"]["type"], "JsonWebSignature2020");
                }
                "loire" => assert_eq!(issued.format, "vc+jwt"),
                other => panic!("profile {other}"),
            }
        }

        // The same bytes again: kept once, nothing re-issued.
        let again = issuer.submit_upload(CLOUD, &upload_body()).await.unwrap();
        assert!(again.duplicate);
        assert!(again.issued.is_empty(), "{:?}", again.issued);
        assert_eq!(again.unchanged.len(), 4);
        assert_eq!(store.latest_sequence().await.unwrap(), 4);
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_errors_are_typed() {
    for db in test_dbs().await {
        let store = &db.store;
        let issuer = issuer(store).await;
        // A subject without keys.
        store.register_subject("nokeys").await.unwrap();
        let err = issuer
            .submit_upload("nokeys", &upload_body())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden, "{err}");
        // Signed by a key that is not the subject's.
        let dir = tempfile::tempdir().unwrap();
        let (_, other_key) = fresh_upload(dir.path(), 30);
        store.register_subject("other").await.unwrap();
        store.add_ssh_key("other", &other_key).await.unwrap();
        let err = issuer
            .submit_upload("other", &upload_body())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden, "{err}");
        assert!(
            err.to_string().contains("not in the allowed signers"),
            "{err}"
        );
        // Tampered: one flipped byte in the report.
        register_cloud(store, CLOUD).await;
        let mut body = upload_body();
        let last = body.len() - 2;
        body[last] ^= 0x01;
        let err = issuer.submit_upload(CLOUD, &body).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unprocessable, "{err}");
        // Not a signed upload at all.
        let err = issuer
            .submit_upload(CLOUD, b"---\nspec: {}\n")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadRequest, "{err}");
        // Reports for a scope that is not configured (only IaaS here; the upload has KaaS too).
        let mut iaas_only = config();
        iaas_only.scopes.truncate(1);
        let narrow = Issuer::new(store.clone(), keys(), iaas_only).await.unwrap();
        let err = narrow
            .submit_upload(CLOUD, &upload_body())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unprocessable, "{err}");
        // Nothing was stored or issued by any of these.
        assert_eq!(store.latest_sequence().await.unwrap(), 0, "{}", db.name);
        assert!(
            store
                .uploads_of_subject(CLOUD, 10)
                .await
                .unwrap()
                .is_empty()
        );
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_upload_reissues_and_supersedes() {
    for db in test_dbs().await {
        let store = &db.store;
        register_cloud(store, CLOUD).await;
        let dir = tempfile::tempdir().unwrap();
        let (body, key) = fresh_upload(dir.path(), 40);
        store.add_ssh_key(CLOUD, &key).await.unwrap();
        let issuer = issuer(store).await;
        let first = issuer.submit_upload(CLOUD, &upload_body()).await.unwrap();
        assert_eq!(first.issued.len(), 4);
        // A newer IaaS report: the IaaS attestations change (new evidence), KaaS does not.
        let second = issuer.submit_upload(CLOUD, &body).await.unwrap();
        assert_eq!(second.issued.len(), 2, "{:?}", second.issued);
        assert_eq!(second.unchanged.len(), 2);
        for issued in &second.issued {
            let old = issued.replaces.as_deref().unwrap();
            assert!(first.issued.iter().any(|f| f.id == old));
            let old = store.get_credential(old).await.unwrap();
            assert_eq!(old.superseded_by.as_deref(), Some(issued.id.as_str()));
            // The newer upload is the evidence of the new attestation (its results supersede
            // the older ones of the same testcases).
            let doc = document(&store.get_credential(&issued.id).await.unwrap().body);
            assert!(uploads_of(&doc).contains(&gxa_scs::sri_sha256(&body)));
            assert_eq!(doc["credentialSubject"]["scsSubject"], "example-cloud");
        }
        let changes = store.changes(ChangeCursor(0), 100).await.unwrap();
        let kinds: Vec<ChangeKind> = changes.iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds.iter().filter(|k| **k == ChangeKind::Issued).count(),
            4
        );
        assert_eq!(
            kinds.iter().filter(|k| **k == ChangeKind::Reissued).count(),
            2
        );
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_sets_the_status_bit_in_the_served_list() {
    for db in test_dbs().await {
        let store = &db.store;
        register_cloud(store, CLOUD).await;
        store.register_subject("other").await.unwrap();
        let issuer = issuer(store).await;
        let outcome = issuer.submit_upload(CLOUD, &upload_body()).await.unwrap();
        let target = &outcome.issued[0].id;
        let doc = document(&store.get_credential(target).await.unwrap().body);
        let (list, index) = status_of(&doc);

        let before_tagus = issuer
            .status_list_credential(&list, Profile::Tagus)
            .await
            .unwrap();
        let before_loire = issuer
            .status_list_credential(&list, Profile::Loire)
            .await
            .unwrap();
        // Cached until the bits change: the same bytes again.
        assert_eq!(
            issuer
                .status_list_credential(&list, Profile::Loire)
                .await
                .unwrap(),
            before_loire
        );

        let err = issuer.revoke("other", target).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Forbidden, "{err}");
        let err = issuer
            .revoke(CLOUD, &format!("{BASE_URL}/credentials/nope"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");

        let revocation = issuer.revoke(CLOUD, target).await.unwrap();
        assert!(revocation.newly_revoked);
        let again = issuer.revoke(CLOUD, target).await.unwrap();
        assert!(!again.newly_revoked);
        assert_eq!(again.seq, revocation.seq);

        for (profile, before, media_type, list_type, subject_type) in [
            (
                Profile::Tagus,
                &before_tagus,
                "application/vc+ld+json",
                "StatusList2021Credential",
                "StatusList2021",
            ),
            (
                Profile::Loire,
                &before_loire,
                "application/vc+jwt",
                "BitstringStatusListCredential",
                "BitstringStatusList",
            ),
        ] {
            let served = issuer.status_list_credential(&list, profile).await.unwrap();
            assert_eq!(served.media_type, media_type);
            assert_ne!(&served.etag, &before.etag, "the list changed");
            let report = verify(&issuer, &served.body);
            assert!(report.is_valid(), "{profile:?}: {:?}", report.reasons());
            let doc = document(&served.body);
            assert_eq!(doc["id"], format!("{BASE_URL}/status-lists/{list}"));
            assert!(
                doc["type"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t == list_type)
            );
            let subject = &doc["credentialSubject"];
            assert_eq!(subject["type"], subject_type);
            assert_eq!(subject["statusPurpose"], "revocation");
            let bits = decode_status_list(subject["encodedList"].as_str().unwrap()).unwrap();
            assert_eq!(bits.len(), 16 * 1024, "16 KiB minimum");
            assert!(bit_is_set(&bits, index));
            assert_eq!(
                bits.iter().map(|b| b.count_ones()).sum::<u32>(),
                1,
                "only the revoked credential's bit"
            );
            let before_bits = decode_status_list(
                document(&before.body)["credentialSubject"]["encodedList"]
                    .as_str()
                    .unwrap(),
            )
            .unwrap();
            assert!(!bit_is_set(&before_bits, index));
        }
        for unknown in ["revocation-99", "nope", "../etc"] {
            let err = issuer
                .status_list_credential(unknown, Profile::Loire)
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NotFound, "{unknown}: {err}");
        }
        // A revoked attestation is followed by a new issuance, not a re-issuance.
        let dir = tempfile::tempdir().unwrap();
        let (body, key) = fresh_upload(dir.path(), 41);
        store.add_ssh_key(CLOUD, &key).await.unwrap();
        let next = issuer.submit_upload(CLOUD, &body).await.unwrap();
        let revoked_profile = &outcome.issued[0].profile;
        let follower = next
            .issued
            .iter()
            .find(|i| &i.profile == revoked_profile && i.types == outcome.issued[0].types)
            .unwrap();
        assert_eq!(
            follower.replaces, None,
            "a revoked credential is not superseded"
        );
        assert_eq!(
            store.get_credential(target).await.unwrap().superseded_by,
            None
        );
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inventory_issues_only_what_changed() {
    for db in test_dbs().await {
        let store = &db.store;
        store.register_subject(CLOUD).await.unwrap();
        let issuer = issuer(store).await;
        let first = issuer.submit_inventory(CLOUD, &snapshot()).await.unwrap();
        assert!(first.issued.len() > 10, "{}", first.issued.len());
        assert!(first.unchanged.is_empty());
        for profile in ["tagus", "loire"] {
            assert!(first.issued.iter().any(|i| i.profile == profile));
        }
        assert!(
            first
                .issued
                .iter()
                .any(|i| i.profile == "tagus" && is_clearing_credential(&i.types))
        );
        for issued in &first.issued {
            let stored = store.get_credential(&issued.id).await.unwrap();
            let report = verify(&issuer, &stored.body);
            assert!(report.is_valid(), "{}: {:?}", issued.id, report.reasons());
            let doc = document(&stored.body);
            assert_eq!(doc["issuer"], DID);
            if issued.profile == "tagus" && is_clearing_credential(&issued.types) {
                // What a Tagus clearing house takes carries no status entry (its type is not
                // a trust framework class).
                assert!(doc.get("credentialStatus").is_none(), "{}", issued.id);
                assert_eq!(stored.status, None);
            } else {
                assert_eq!(stored.status, Some(status_of(&doc)));
            }
            assert!(issued.valid_until.is_some(), "inventory credentials expire");
        }

        // The same snapshot again: nothing.
        let second = issuer.submit_inventory(CLOUD, &snapshot()).await.unwrap();
        assert!(second.issued.is_empty(), "{:?}", second.issued);
        assert_eq!(second.unchanged.len(), first.issued.len());

        // One flavor's RAM changed: only the Loire VM offering (which lists the flavors)
        // changes; Tagus has no flavor classes.
        let mut changed = snapshot();
        changed.openstack.as_mut().unwrap()["flavors"][0]["RAM"] = 8192.into();
        let third = issuer.submit_inventory(CLOUD, &changed).await.unwrap();
        assert_eq!(third.issued.len(), 1, "{:?}", third.issued);
        let reissued = &third.issued[0];
        assert_eq!(reissued.profile, "loire");
        let old = reissued.replaces.as_deref().unwrap();
        assert_eq!(
            store
                .get_credential(old)
                .await
                .unwrap()
                .superseded_by
                .as_deref(),
            Some(reissued.id.as_str())
        );
        let last = store.changes(ChangeCursor(0), 1000).await.unwrap();
        let last = last.last().unwrap();
        assert_eq!(last.kind, ChangeKind::Reissued);
        assert_eq!(last.previous.as_deref(), Some(old));

        // A host is gone: the self-descriptions only it gave rise to are withdrawn (revoked,
        // recorded in the change feed), the others stay; nothing else is withdrawn.
        let mut fewer = changed.clone();
        let gone = fewer.hosts.pop().unwrap();
        assert!(!fewer.hosts.is_empty());
        let fourth = issuer.submit_inventory(CLOUD, &fewer).await.unwrap();
        assert!(!fourth.withdrawn.is_empty(), "{fourth:?} (host {gone})");
        let changes = store.changes(ChangeCursor(0), 1000).await.unwrap();
        for id in &fourth.withdrawn {
            let stored = store.get_credential(id).await.unwrap();
            assert!(stored.revoked_at.is_some(), "{id}");
            assert!(
                changes
                    .iter()
                    .any(|c| c.kind == ChangeKind::Revoked && &c.credential_id == id),
                "{id} has no revoked change"
            );
            assert!(!fourth.unchanged.contains(id));
        }
        let current: Vec<String> = fourth
            .unchanged
            .iter()
            .chain(fourth.issued.iter().map(|i| &i.id))
            .cloned()
            .collect();
        for id in &current {
            assert!(
                store.get_credential(id).await.unwrap().revoked_at.is_none(),
                "{id}"
            );
        }
        // The same smaller snapshot again withdraws nothing more.
        let again = issuer.submit_inventory(CLOUD, &fewer).await.unwrap();
        assert!(again.withdrawn.is_empty(), "{again:?}");
        assert!(again.issued.is_empty(), "{again:?}");
        // The host is back: its documents are issued anew (not as re-issuances of revoked ones).
        let back = issuer.submit_inventory(CLOUD, &changed).await.unwrap();
        assert_eq!(
            back.issued.len(),
            fourth.withdrawn.len() + fourth.issued.len(),
            "{back:?}"
        );
        assert!(back.withdrawn.is_empty());
        for issued in &back.issued {
            if let Some(replaced) = &issued.replaces {
                assert!(!fourth.withdrawn.contains(replaced), "{issued:?}");
            }
        }

        // Bad input names what is wrong.
        let mut bad = snapshot();
        bad.openstack = Some(serde_json::json!({"flavors": "no"}));
        let err = issuer.submit_inventory(CLOUD, &bad).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadRequest, "{err}");
        assert!(err.to_string().contains("openstack"), "{err}");
        let body = r#"{"openstack": null, "unknown": 1}"#;
        let err = gxa_issuer::InventorySnapshot::from_json(body.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unprocessable, "{err}");
        // Without a provider there is nothing to issue.
        let mut no_provider = config();
        no_provider.provider = None;
        let bare = Issuer::new(store.clone(), keys(), no_provider)
            .await
            .unwrap();
        let err = bare.submit_inventory(CLOUD, &snapshot()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presentations_verify_in_both_profiles() {
    for db in test_dbs().await {
        let store = &db.store;
        register_cloud(store, CLOUD).await;
        let issuer = issuer(store).await;
        let err = issuer
            .presentation(CLOUD, Profile::Loire)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        let inventory = issuer.submit_inventory(CLOUD, &snapshot()).await.unwrap();
        let upload = issuer.submit_upload(CLOUD, &upload_body()).await.unwrap();
        for (profile, media_type) in [
            (Profile::Loire, "application/vp+jwt"),
            (Profile::Tagus, "application/vp+ld+json"),
        ] {
            let vp = issuer.presentation(CLOUD, profile).await.unwrap();
            assert_eq!(vp.media_type, media_type);
            let report = verify(&issuer, &vp.body);
            assert!(report.is_valid(), "{profile:?}: {:?}", report.reasons());
            // Tagus: what a Tagus clearing house takes (no SCS attestation, no status entry).
            let expected = inventory
                .issued
                .iter()
                .chain(&upload.issued)
                .filter(|i| i.profile == profile.as_str())
                .filter(|i| profile == Profile::Loire || is_clearing_credential(&i.types))
                .count();
            assert!(expected > 0);
            assert_eq!(report.credentials.len(), expected, "{profile:?}");
            assert!(report.credentials.iter().all(|c| c.is_valid()));
            let doc = document(&vp.body);
            if profile == Profile::Tagus {
                let types = types_outside_proofs(&doc);
                assert!(types.iter().any(|t| t.ends_with("#LegalParticipant")));
                let others: Vec<&String> = types
                    .iter()
                    .filter(|t| {
                        !matches!(
                            t.as_str(),
                            "https://www.w3.org/2018/credentials#VerifiablePresentation"
                                | "https://www.w3.org/2018/credentials#VerifiableCredential"
                        ) && !gxa_credential::trust_framework::is_class(t)
                    })
                    .collect();
                assert!(others.is_empty(), "not trust framework classes: {others:?}");
            }
            assert_eq!(
                doc["id"],
                format!("{BASE_URL}/participants/{CLOUD}/presentation")
            );
            assert_eq!(doc["holder"], DID);
        }
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scs_status_for_badges() {
    for db in test_dbs().await {
        let store = &db.store;
        register_cloud(store, CLOUD).await;
        let issuer = issuer(store).await;
        let iaas = "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f";
        assert_eq!(issuer.scs_status(CLOUD, iaas).await.unwrap(), None);
        issuer.submit_upload(CLOUD, &upload_body()).await.unwrap();
        let status = issuer.scs_status(CLOUD, iaas).await.unwrap().unwrap();
        assert_eq!(status.scope_name, "SCS-compatible IaaS");
        assert!(["pass", "fail", "incomplete"].contains(&status.verdict.as_str()));
        let by_name = issuer
            .scs_status(CLOUD, "SCS-compatible IaaS")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_name.scope_name, status.scope_name);
        // The cloud's uploads hold no KaaS results for the cloud itself.
        assert_eq!(
            issuer
                .scs_status(CLOUD, "SCS-compatible KaaS")
                .await
                .unwrap(),
            None
        );
        let err = issuer.scs_status(CLOUD, "no such scope").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_reissue_respects_the_lease_and_reissues_expiring() {
    for db in test_dbs().await {
        let store = &db.store;
        register_cloud(store, CLOUD).await;
        let issuer = issuer(store).await;
        let inventory = issuer.submit_inventory(CLOUD, &snapshot()).await.unwrap();
        issuer.submit_upload(CLOUD, &upload_body()).await.unwrap();
        let before = store.latest_sequence().await.unwrap();

        // 80 days on, the 90-day inventory credentials are within the 14-day window.
        let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(80 * 24);
        // Another replica holds the lease: nothing happens.
        store
            .try_acquire_lease(REISSUE_LEASE, "someone-else", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        let summary = issuer.reissue_expiring(later).await.unwrap();
        assert!(summary.skipped_lease_held);
        assert!(summary.reissued.is_empty());
        assert_eq!(store.latest_sequence().await.unwrap(), before);
        store
            .release_lease(REISSUE_LEASE, "someone-else")
            .await
            .unwrap();

        // Nothing expires soon now.
        let summary = issuer
            .reissue_expiring(jiff::Timestamp::now())
            .await
            .unwrap();
        assert!(!summary.skipped_lease_held);
        assert!(summary.reissued.is_empty(), "{:?}", summary.reissued);

        let summary = issuer.reissue_expiring(later).await.unwrap();
        assert!(!summary.skipped_lease_held);
        let inventory_ids: BTreeSet<&str> =
            inventory.issued.iter().map(|i| i.id.as_str()).collect();
        let replaced: BTreeSet<&str> = summary
            .reissued
            .iter()
            .filter_map(|i| i.replaces.as_deref())
            .collect();
        assert!(
            inventory_ids.is_subset(&replaced),
            "every inventory credential re-issued"
        );
        for reissued in &summary.reissued {
            let stored = store.get_credential(&reissued.id).await.unwrap();
            let report = common::verify_at(&issuer, &stored.body, Some(later.as_second()));
            assert!(report.is_valid(), "{:?}", report.reasons());
            assert_eq!(stored.issued_at.as_second(), later.as_second());
        }
        // The lease was released.
        assert!(
            store
                .try_acquire_lease(REISSUE_LEASE, "someone-else", Duration::from_secs(1))
                .await
                .unwrap()
                .is_some()
        );
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_issue_once_for_the_same_upload_and_lose_nothing_for_different_ones() {
    for db in test_dbs().await {
        register_cloud(&db.store, CLOUD).await;
        let dir = tempfile::tempdir().unwrap();
        let (second_body, key) = fresh_upload(dir.path(), 42);
        db.store.add_ssh_key(CLOUD, &key).await.unwrap();
        let a = issuer(&db.replica().await).await;
        let b = issuer(&db.replica().await).await;

        // The same upload at once on both replicas: four attestations, not eight.
        let body = upload_body();
        let (ra, rb) = tokio::join!(a.submit_upload(CLOUD, &body), b.submit_upload(CLOUD, &body));
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        assert_eq!(ra.issued.len() + rb.issued.len(), 4, "{}", db.name);
        assert!(ra.duplicate != rb.duplicate, "one stored it, one found it");
        let slots = db.store.slots_of_subject(CLOUD).await.unwrap();
        assert_eq!(slots.len(), 4);

        // Different uploads at once: the final attestations rest on both.
        let (ra, rb) = tokio::join!(
            a.submit_upload(CLOUD, &second_body),
            b.submit_upload(CLOUD, &body)
        );
        ra.unwrap();
        rb.unwrap();
        let slots = db.store.slots_of_subject(CLOUD).await.unwrap();
        assert_eq!(slots.len(), 4);
        let newer = gxa_scs::sri_sha256(&second_body);
        let mut iaas = 0;
        for (slot, current) in &slots {
            let doc = document(&current.body);
            if slot.contains("example-cloud/50393e6f") {
                iaas += 1;
                assert!(
                    uploads_of(&doc).contains(&newer),
                    "{slot}: the IaaS attestation rests on the newer upload, whichever replica issued last"
                );
            }
        }
        assert_eq!(iaas, 2, "one per profile");
        // Every change is a distinct credential, each slot a chain without forks.
        let changes = db.store.changes(ChangeCursor(0), 1000).await.unwrap();
        let ids: BTreeSet<&str> = changes.iter().map(|c| c.credential_id.as_str()).collect();
        assert_eq!(ids.len(), changes.len());
        let previous: Vec<&str> = changes
            .iter()
            .filter_map(|c| c.previous.as_deref())
            .collect();
        let unique: BTreeSet<&str> = previous.iter().copied().collect();
        assert_eq!(unique.len(), previous.len(), "nothing superseded twice");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accessors_and_construction_errors() {
    for db in test_dbs().await {
        let issuer = issuer(&db.store).await;
        assert_eq!(issuer.config().base_url, BASE_URL, "trailing slash dropped");
        assert_eq!(issuer.store().backend_name(), db.name);
        assert_eq!(issuer.did_document()["id"], DID);
        let chain = issuer
            .certificate_chain("/.well-known/x509CertificateChain.pem")
            .unwrap();
        assert!(
            std::str::from_utf8(chain)
                .unwrap()
                .contains("BEGIN CERTIFICATE")
        );
        assert!(issuer.certificate_chain("/.well-known/other.pem").is_none());
        // Two issuers on one store share the status list (creation is idempotent).
        let again = common::issuer(&db.store).await;
        assert_eq!(again.did(), issuer.did());
        let mut bad = config();
        bad.base_url = "ftp://x".to_owned();
        let err = Issuer::new(db.store.clone(), keys(), bad)
            .await
            .unwrap_err();
        assert!(matches!(err, IssuerError::Config(_)), "{err}");
        assert_eq!(err.kind(), ErrorKind::BadRequest);
        let mut bad = config();
        bad.profiles.clear();
        let err = Issuer::new(db.store.clone(), keys(), bad)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadRequest);
        db.finish().await;
    }
}

/// The JsonWebSignature2020 flavour of Tagus proofs is a setting: every Tagus credential,
/// status list and presentation is signed in the configured one (and still verifies).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jws2020_flavour_is_a_setting() {
    for flavour in [gxa_proof::Flavour::GaiaX, gxa_proof::Flavour::Spec] {
        for db in test_dbs().await {
            let store = &db.store;
            register_cloud(store, CLOUD).await;
            let mut config = config();
            config.jws2020_flavour = flavour;
            let issuer = Issuer::new(store.clone(), keys(), config).await.unwrap();
            let upload = issuer.submit_upload(CLOUD, &upload_body()).await.unwrap();
            issuer.submit_inventory(CLOUD, &snapshot()).await.unwrap();
            let mut bodies = Vec::new();
            for issued in upload.issued.iter().filter(|i| i.profile == "tagus") {
                bodies.push(store.get_credential(&issued.id).await.unwrap().body);
            }
            assert!(!bodies.is_empty());
            let (list, _) = status_of(&document(&bodies[0]));
            bodies.push(
                issuer
                    .status_list_credential(&list, Profile::Tagus)
                    .await
                    .unwrap()
                    .body,
            );
            bodies.push(
                issuer
                    .presentation(CLOUD, Profile::Tagus)
                    .await
                    .unwrap()
                    .body,
            );
            for body in &bodies {
                let report = verify(&issuer, body);
                assert!(report.is_valid(), "{flavour:?}: {:?}", report.reasons());
                assert!(!report.proofs.is_empty());
                assert!(
                    report.proofs.iter().all(|p| p.flavour == Some(flavour)),
                    "{flavour:?}: {:?}",
                    report.proofs.iter().map(|p| p.flavour).collect::<Vec<_>>()
                );
            }
            db.finish().await;
        }
    }
}
