//! The error type of every issuer operation and its HTTP-facing classification.

use gxa_store::StoreError;

/// Why an issuer operation failed. [`IssuerError::kind`] tells the HTTP layer which status to
/// answer; the `Display` text of client-facing kinds (`BadRequest`, `Unprocessable`,
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

/// How the service maps an [`IssuerError`] to HTTP: `BadRequest` 400, `Unprocessable` 422,
/// `Forbidden` 403, `NotFound` 404, `Conflict` 409, `Unavailable` 503, `Internal` 500.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400.
    BadRequest,
    /// 422.
    Unprocessable,
    /// 403.
    Forbidden,
    /// 404.
    NotFound,
    /// 409.
    Conflict,
    /// 503.
    Unavailable,
    /// 500.
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
            Self::Store(e) => match e {
                StoreError::NotFound { .. } => ErrorKind::NotFound,
                StoreError::AlreadyExists { .. } | StoreError::Conflict(_) => ErrorKind::Conflict,
                StoreError::InvalidCursor | StoreError::InvalidInput(_) => ErrorKind::BadRequest,
                StoreError::Backend(_) => ErrorKind::Unavailable,
                _ => ErrorKind::Internal,
            },
        }
    }

    pub(crate) fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            what,
            id: id.into(),
        }
    }
}
