//! Storage for gx-attest: issued credentials, the change log, raw uploads, bitstring status lists,
//! subjects with their API tokens and SSH keys, and leases, on SQLite or PostgreSQL.
//!
//! One [`Store`] type hides which backend is in use: `sqlite://…` (or a data directory through
//! [`Store::open_data_dir`]) for a single machine, `postgres://…` for several service replicas.
//! Opening a store runs the migrations embedded for its backend; [`StoreOptions`] sets pool sizes.
//!
//! # Invariants
//!
//! * **Credentials are immutable.**
//!   A credential's bytes, hashes and metadata never change once stored; a second insert with the
//!   same id is refused with [`StoreError::AlreadyExists`].
//!   The only later change is `superseded_by`, set once when the credential is re-issued.
//!   Database triggers refuse any other `UPDATE` and every `DELETE`.
//! * **The change log is append-only and gapless.**
//!   Every issuance, re-issuance and revocation appends one [`ChangeEntry`] in the same
//!   transaction as the change itself, with the next sequence number (`1, 2, 3, …`).
//!   Log writers are serialised (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: a transaction-scoped
//!   advisory lock), so entries commit in sequence order: a reader that has seen entry `n` can never
//!   later find an entry `m < n` it missed, and [`Store::changes`] is a safe resumable cursor.
//! * **Status list indexes are allocated once.**
//!   [`Store::allocate_status_index`] hands out each index of a list at most once, also to
//!   concurrent replicas, and a credential's `(list, index)` pair is unique.
//! * **API tokens are stored as SHA-256 hashes only.**
//!
//! Times are stored as UTC microseconds since the Unix epoch in both backends (finer parts of
//! given timestamps are dropped).

mod bits;
mod error;
mod model;
mod partner;
#[cfg(feature = "postgres")]
mod postgres;
mod sqlite;
mod store;

pub use bits::{MIN_STATUS_LIST_BITS, bit_is_set};
pub use error::StoreError;
pub use model::{
    ChangeCursor, ChangeEntry, ChangeKind, CredentialFilter, CredentialFormat, CredentialState,
    Lease, ListCursor, ListedCredential, NewCredential, NewUpload, Page, Previous, Revocation,
    Sha256Digest, SlotIssuance, StatusList, StatusPurpose, StoredCredential, Subject, Upload,
};
pub use partner::{
    PartnerProvenance, PartnerReceipt, PartnerRejection, PartnerState, ReceiptOutcome,
    RejectionKind,
};
pub use store::{SQLITE_FILE_NAME, Store, StoreOptions};
