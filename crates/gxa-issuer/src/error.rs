//! The error type of every issuer operation and its class (whose fault, may it be retried);
//! gxa-service turns classes into HTTP statuses, in one place.

use gxa_store::StoreError;

/// Why an issuer operation failed: one variant per cause, with the cause as data.
/// [`IssuerError::kind`] tells a caller its class; the `Display` text of client-facing kinds
/// (`BadRequest`, `Unprocessable`, `Forbidden`, `NotFound`, `Conflict`) is safe to show to the
/// client, internal ones are not (they may name database details; log them instead).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IssuerError {
    /// The issuer's configuration cannot be used: a base URL that is not http(s), no profile
    /// to issue in, a validity or re-issue window that overflows the calendar.
    #[error("bad request: {0}")]
    Config(String),
    /// The body is not a signed upload (`<armor>&<yaml>`): nothing could be checked.
    #[error("bad request: {0}")]
    MalformedUpload(#[source] gxa_scs::UploadError),
    /// The upload is signed, but by no registered key of the subject (or for another
    /// namespace).
    #[error("forbidden: {0}: not a registered key of the subject")]
    UnregisteredSigner(#[source] gxa_scs::Invalid),
    /// The subject has no registered SSH key, so no upload of it can verify.
    #[error("forbidden: subject {subject} has no registered SSH key to sign uploads with")]
    NoUploadKey {
        /// The subject.
        subject: String,
    },
    /// A well-formed upload that does not verify (a tampered body).
    #[error("unprocessable: {0}")]
    InvalidUpload(#[source] gxa_scs::Invalid),
    /// The reports of a verified upload cannot be evaluated (unknown scope, another scope's
    /// report, a report that does not parse).
    #[error("unprocessable: {0}")]
    Reports(#[source] gxa_scs::EvaluationError),
    /// A section of an inventory snapshot does not parse.
    #[error("bad request: {0}")]
    Inventory(#[source] gxa_inventory::input::InputError),
    /// An inventory snapshot is not JSON.
    #[error("bad request: inventory snapshot is not JSON: {0}")]
    SnapshotNotJson(#[source] serde_json::Error),
    /// An inventory snapshot is JSON of another shape (not an object, an unknown or mistyped
    /// section, no section, a duplicated key).
    #[error("unprocessable: inventory snapshot: {0}")]
    SnapshotShape(String),
    /// The offering does not show what the provider's compliance level needs (the provider
    /// file's `compliance_level`); nothing was issued.
    #[error(
        "unprocessable: the offering does not show what its compliance level needs: {}",
        missing_text(.0)
    )]
    CriteriaMissing(Vec<gxa_criteria::Missing>),
    /// A credential to be issued is not valid JSON-LD over the pinned contexts.
    #[error("unprocessable: the credential is not valid JSON-LD: {0}")]
    NotJsonLd(#[source] gxa_proof::JsonLdError),
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
    /// Concurrent writers kept changing what this operation read, through every retry.
    #[error("conflict: {what} kept changing under concurrent {by}; retry")]
    Contended {
        /// What changed (`slot …`, `the attestations of …`).
        what: String,
        /// What changed it (`issuance`, `uploads`).
        by: &'static str,
    },
    /// These exact upload bytes are stored already, for another subject.
    #[error("conflict: these exact bytes were uploaded by another subject ({owner})")]
    UploadedByOther {
        /// The subject that uploaded them first.
        owner: String,
    },
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
    /// Inventory cannot be issued: no provider is configured.
    #[error("unavailable: no provider is configured: inventory cannot be issued")]
    NoProvider,
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

fn missing_text(missing: &[gxa_criteria::Missing]) -> String {
    missing
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
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
            Self::Config(_)
            | Self::MalformedUpload(_)
            | Self::Inventory(_)
            | Self::SnapshotNotJson(_) => ErrorKind::BadRequest,
            Self::InvalidUpload(_)
            | Self::Reports(_)
            | Self::SnapshotShape(_)
            | Self::NotJsonLd(_)
            | Self::CriteriaMissing(_)
            | Self::WithdrawalRefused { .. } => ErrorKind::Unprocessable,
            Self::UnregisteredSigner(_)
            | Self::NoUploadKey { .. }
            | Self::ForeignSubject { .. } => ErrorKind::Forbidden,
            Self::NotFound { .. } => ErrorKind::NotFound,
            Self::Contended { .. } | Self::UploadedByOther { .. } => ErrorKind::Conflict,
            Self::NoProvider => ErrorKind::Unavailable,
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
