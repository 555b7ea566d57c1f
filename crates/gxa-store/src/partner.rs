//! The values of the partner exchange (migration 0003): what a partner sync stores for
//! each entry of a partner's change feed, and what it reads back.
//!
//! Every write here takes the partner's feed position (`partner_seq`) and moves the partner's
//! cursor to it **in the same transaction** as the entry's outcome (stored, rejected, revoked or
//! skipped), so that a sync killed at any point resumes at the first entry whose outcome is not
//! stored: no gap, and (writes being idempotent) no duplicate.

use jiff::Timestamp;

use crate::{ChangeEntry, NewCredential};

/// A partner's valid credential to store, with its provenance.
#[derive(Clone, Debug)]
pub struct PartnerReceipt {
    /// The configured partner's id.
    pub partner_id: String,
    /// The sequence number of the partner's change feed entry that named it.
    pub partner_seq: u64,
    /// The credential exactly as received (issuer = the partner's DID, no local status entry).
    pub credential: NewCredential,
    /// For a re-issuance at the partner: the credential it replaces.
    pub previous: Option<String>,
    /// The verifier report (JSON) that found it valid.
    pub report: String,
}

/// What [`Store::receive_partner_credential`](crate::Store::receive_partner_credential) did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiptOutcome {
    /// Stored, with its local change-log entry (`issued`, or `reissued` when the previous
    /// credential is stored here and current).
    Stored(ChangeEntry),
    /// The same id with the same body was stored already (a resumed sync): nothing changed.
    AlreadyStored,
    /// The id is stored with a different body: recorded as a `conflict` rejection instead.
    Conflict,
}

/// Why a partner's entry was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectionKind {
    /// The credential failed verification (proof, key, chain, validity, status, shapes, or its
    /// issuer is not the partner).
    Invalid,
    /// Valid, but outside the partner's trust policy (types, subjects).
    Policy,
    /// Its id is stored already with a different body.
    Conflict,
}

impl RejectionKind {
    /// The stored name: `invalid`, `policy` or `conflict`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "invalid",
            Self::Policy => "policy",
            Self::Conflict => "conflict",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, crate::StoreError> {
        match s {
            "invalid" => Ok(Self::Invalid),
            "policy" => Ok(Self::Policy),
            "conflict" => Ok(Self::Conflict),
            _ => Err(crate::StoreError::Corrupt(format!(
                "unknown rejection kind {s:?}"
            ))),
        }
    }
}

/// A refused entry of a partner's change feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerRejection {
    /// The partner.
    pub partner_id: String,
    /// The partner's change feed sequence number.
    pub partner_seq: u64,
    /// The credential the entry named.
    pub credential_id: String,
    /// Why, in short.
    pub kind: RejectionKind,
    /// The failing checks' reasons, one line each.
    pub reasons: Vec<String>,
    /// When it was refused (first time).
    pub received_at: Timestamp,
}

/// Where a stored credential came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerProvenance {
    /// The credential.
    pub credential_id: String,
    /// The partner it was received from.
    pub partner_id: String,
    /// The partner's change feed entry.
    pub partner_seq: u64,
    /// When it was stored.
    pub received_at: Timestamp,
    /// The verifier report (JSON).
    pub report: String,
}

/// The sync state of one partner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartnerState {
    /// The partner.
    pub partner_id: String,
    /// The partner's last change feed sequence number whose outcome is stored (0: none).
    pub cursor: u64,
    /// When the cursor last moved (or the row was created).
    pub updated_at: Timestamp,
    /// The end of the last sync round that reached the end of the partner's feed.
    pub last_success_at: Option<Timestamp>,
    /// Why the last round stopped early, if it did (cleared by a successful round).
    pub last_error: Option<String>,
    /// Credentials stored from this partner.
    pub stored: u64,
    /// Entries of this partner refused.
    pub rejected: u64,
}
