//! The partner exchange of gx-attest: IPCEI-CIS partners exchange attestations. Each
//! gx-attest instance pulls its partners' credentials, verifies them fully and re-serves the
//! valid ones through its own catalogue API.
//!
//! A [`Syncer`] runs one task per configured partner ([`PartnerConfig`]: id, base URL, DID and
//! a [`TrustPolicy`] of allowed credential types and subjects). Each round, under the store
//! lease `partner-sync:<id>` (one replica per partner at a time), it reads the partner's change
//! feed (`GET {base}/changes?after=CURSOR`, the store's gapless change log) from the stored cursor
//! and, entry by entry:
//!
//! - skips entries whose `issuer` is not the partner's DID: each partner speaks for itself, a
//!   third party's credentials that a partner re-serves are pulled from the third party;
//! - for `issued` / `reissued`: fetches the credential (`GET {base}/credentials/{id}`, native
//!   form) through the guarded fetcher (`gxa-fetch`), verifies it with `gxa-verify` (syntax and
//!   pinned contexts, proof, did:web verification method, `x5u` chain to the configured trust
//!   anchors, validity, status list, shapes), requires its id to be the feed's and its issuer
//!   the partner's DID, applies the trust policy, and stores it exactly as received with its
//!   provenance (`Store::receive_partner_credential`), or records a rejection with the failing
//!   checks' reasons (`Store::reject_partner_entry`);
//! - for `revoked`: records the revocation of the partner's credential (no local status bit:
//!   the partner's status list is the authority; `Store::receive_partner_revocation`).
//!
//! "Could not check" (a fetch failed or timed out, a page that is not a feed, a verifier
//! verdict `could_not_check`) is **not** a rejection: the round stops at that entry, records
//! `last_error`, and the next round (after an exponential, capped backoff) starts again at the
//! stored cursor. Every entry's outcome and the cursor move commit in one transaction, so a
//! sync killed at any point resumes without gaps, and idempotent writes mean no duplicates.
//! Partners run in separate tasks and every fetch has the fetcher's time limits, so a partner
//! that is down, slow or serves garbage delays only itself.
//!
//! References: VC Data Model 2.0 §7.1 (verification,
//! <https://www.w3.org/TR/vc-data-model-2.0/#verification>), did:web
//! (<https://w3c-ccg.github.io/did-method-web/>), Bitstring Status List
//! (<https://www.w3.org/TR/vc-bitstring-status-list/>). Assumptions: docs/partners.md.
//!
//! **Architecture invariants:** nothing a partner serves is trusted before `gxa-verify` says
//! `valid`; every URL fetched is on the partner's configured base URL or named by a verified
//! credential (and then goes through the guarded fetcher); this crate knows nothing of HTTP
//! serving (the routes are `gxa-service`'s).

mod config;
mod document;
mod syncer;

pub use config::{PartnerConfig, SyncOptions, TrustPolicy};
pub use syncer::{
    Observer, PARTNER_PROFILE, PartnerStats, RoundOutcome, RoundSummary, Syncer, credential_url,
    lease_name,
};

/// Why the partner sync could not be set up or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PartnerError {
    /// A partner entry or the sync options are invalid.
    #[error("partners: {0}")]
    Config(String),
    /// No partner has this id.
    #[error("unknown partner {0:?}")]
    UnknownPartner(String),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] gxa_store::StoreError),
}
