//! The error type of every issuer operation and its class (whose fault, may it be retried);
//! gxa-service turns classes into HTTP statuses, in one place.

use gxa_store::StoreError;

/// Why an issuer operation failed. [`IssuerError::kind`] tells a caller its class; the `Display`
/// text of client-facing kinds (`BadRequest`, `Unprocessable`,
/// `Forbidden`, `NotFound`, `Conflict`) is safe to show to the client, internal ones are not
/// (they may name database details; log them instead).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssuerError {
    /// The request itself is malformed (e.g. an upload that is not `<armor>&<yaml>`, an
    /// inventory snapshot that does not parse).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Well-formed, but cannot be processed: an upload whose signature does not verify, a
    /// report for an unknown scope, an inventory the mapping refuses.
    #[error("unprocessable: {0}")]
    Unprocessable(String),
    /// The caller may not do this (upload signed by a key not registered for the subject,
    /// revoking another subject's credential).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The account may not act for this subject: a report or inventory for a subject it is
    /// neither nor a delegate of, or revoking another subject's credential.
    #[error("forbidden: account {account} may not {action} for subject {subject:?}")]
    ForeignSubject {
        /// The authenticated account.
        account: String,
        /// The subject it tried to act for.
        subject: String,
        /// What it tried (`submit reports`, `submit inventory`, `revoke credentials`).
        action: &'static str,
    },
    /// The named item does not exist.
    #[error("{what} not found: {id}")]
    NotFound {
        /// The kind of item (`credential`, `status list`, `participant`, `scope`, `subject`).
        what: &'static str,
        /// The id looked up.
        id: String,
    },
    /// The operation contradicts the stored state and retrying did not resolve it.
    #[error("conflict: {0}")]
    Conflict(String),
    /// An inventory snapshot would withdraw more than the guard allows (it empties a section,
    /// or withdraws more than the configured share of the current credentials) and was not
    /// confirmed; nothing was issued or withdrawn.
    #[error(
        "the snapshot would withdraw {withdraw} of {current} current inventory credentials{}; nothing was changed",
        emptied_text(.emptied)
    )]
    WithdrawalRefused {
        /// How many credentials the snapshot would withdraw.
        withdraw: usize,
        /// How many current inventory credentials the subject has.
        current: usize,
        /// The sections it would empty (`hosts`, `locations`, `flavors`, `images`).
        emptied: Vec<&'static str>,
    },
    /// The issuer cannot work at the moment (database unreachable, feature not configured).
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The key set could not be loaded or has no usable signing key.
    #[error("key set: {0}")]
    Keys(#[from] gxa_proof::KeySetError),
    /// Signing failed (a key or canonicalization failure; a bug or a broken HSM).
    #[error("signing failed: {0}")]
    Sign(#[from] gxa_proof::SignError),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A blocking task panicked or was cancelled (a bug).
    #[error("internal: {0}")]
    Internal(String),
}

fn emptied_text(emptied: &[&'static str]) -> String {
    if emptied.is_empty() {
        String::new()
    } else {
        format!(" and leave no {}", emptied.join(", no "))
    }
}

/// The class of an [`IssuerError`]: whose fault it is and whether trying again can help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input is malformed.
    BadRequest,
    /// Well-formed input that cannot be processed (refused by a rule).
    Unprocessable,
    /// The caller may not do this.
    Forbidden,
    /// The named item does not exist.
    NotFound,
    /// Contradicts the stored state.
    Conflict,
    /// Cannot work at the moment; later may.
    Unavailable,
    /// The store failed: its own error ([`gxa_store::StoreError`]) says how.
    Store,
    /// A bug or a broken key.
    Internal,
}

impl IssuerError {
    /// The HTTP-facing class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::BadRequest(_) => ErrorKind::BadRequest,
            Self::Unprocessable(_) | Self::WithdrawalRefused { .. } => ErrorKind::Unprocessable,
            Self::Forbidden(_) | Self::ForeignSubject { .. } => ErrorKind::Forbidden,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::Conflict(_) => ErrorKind::Conflict,
            Self::Unavailable(_) => ErrorKind::Unavailable,
            Self::Keys(_) | Self::Sign(_) | Self::Internal(_) => ErrorKind::Internal,
            Self::Store(_) => ErrorKind::Store,
        }
    }

    pub(crate) fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            what,
            id: id.into(),
        }
    }
}
