//! Scheduled re-issuance ([`Issuer::reissue_expiring`]; the service runs it periodically).
//!
//! One replica at a time: the work runs only while this issuer holds the store lease
//! `reissue` (leases use the database clock, so replicas agree on expiry).
//!
//! * An **inventory** credential expiring within the window is re-signed with the same content,
//!   a new id, a new validity and a new status entry, superseding the old one.
//! * An **SCS attestation** expires with the results it rests on, so signing the same content
//!   again would not extend it: its owner's uploads are evaluated again at `now` and the
//!   attestation is re-issued only when the content changed (e.g. a result expired and the
//!   verdict is now `incomplete`), which is what a relying party must learn.

use std::collections::BTreeSet;
use std::time::Duration;

use gxa_credential::Profile;
use jiff::Timestamp;
use serde_json::Value;

use crate::inventory::{DocumentOutcome, set_validity};
use crate::{Issuer, IssuerError, ReissueSummary, proof};

/// The lease name shared by all replicas.
pub const REISSUE_LEASE: &str = "reissue";

/// How long one run may hold the lease before another replica may take over (a crashed
/// holder blocks re-issuance at most this long).
const LEASE_TTL: Duration = Duration::from_secs(600);

/// Credentials handled per run (the next run continues).
const BATCH: u32 = 1000;

impl Issuer {
    /// Re-issues every current credential expiring before `now + reissue_window`, only while
    /// holding the store lease `reissue` (one replica at a time); with the lease held by
    /// another replica it does nothing and says so (`skipped_lease_held`).
    pub async fn reissue_expiring(&self, now: Timestamp) -> Result<ReissueSummary, IssuerError> {
        let store = &self.inner.store;
        let holder = &self.inner.holder;
        if store
            .try_acquire_lease(REISSUE_LEASE, holder, LEASE_TTL)
            .await?
            .is_none()
        {
            return Ok(ReissueSummary {
                reissued: Vec::new(),
                skipped_lease_held: true,
            });
        }
        let result = self.reissue_locked(now).await;
        if let Err(e) = store.release_lease(REISSUE_LEASE, holder).await {
            tracing::warn!(error = %e, "could not release the reissue lease; it expires by itself");
        }
        result
    }

    async fn reissue_locked(&self, now: Timestamp) -> Result<ReissueSummary, IssuerError> {
        let config = &self.inner.config;
        let store = &self.inner.store;
        let before = now
            .checked_add(config.reissue_window)
            .map_err(|e| IssuerError::Config(format!("reissue window: {e}")))?;
        let now = Timestamp::from_second(now.as_second()).unwrap_or(now);
        let until = now
            .checked_add(config.credential_validity)
            .map_err(|e| IssuerError::Config(format!("credential validity: {e}")))?;
        let expiring = store.expiring_before(before, BATCH).await?;
        let mut reissued = Vec::new();
        let mut scs_owners = BTreeSet::new();
        for credential in expiring {
            if credential.issuer != self.inner.did {
                continue;
            }
            let Some(slot) = store.slot_of(&credential.id).await? else {
                continue;
            };
            if slot.starts_with("scs/") {
                scs_owners.insert(credential.subject.clone());
                continue;
            }
            let profile: Profile = match credential.profile.parse() {
                Ok(p) => p,
                Err(_) => continue,
            };
            let doc = proof::unsigned_document(&credential.body, credential.format)?;
            let Value::Object(mut doc) = doc else {
                continue;
            };
            doc.remove("credentialStatus");
            doc.remove("id");
            set_validity(&mut doc, profile, &self.inner.did, now, until);
            match self
                .issue_document(
                    &credential.subject,
                    &slot,
                    profile,
                    doc,
                    now,
                    Some(&credential.id),
                )
                .await?
            {
                DocumentOutcome::Issued(reference) => reissued.push(reference),
                DocumentOutcome::Unchanged(_) => {}
            }
        }
        for owner in scs_owners {
            let (_, issued, _) = self.issue_scs(&owner, now, false).await?;
            reissued.extend(issued);
        }
        Ok(ReissueSummary {
            reissued,
            skipped_lease_held: false,
        })
    }
}
