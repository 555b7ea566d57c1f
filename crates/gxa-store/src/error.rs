//! The error type of every store operation.
//!
//! The variants are the outcomes an HTTP layer has to tell apart: [`StoreError::NotFound`] (404),
//! [`StoreError::AlreadyExists`] and [`StoreError::Conflict`] (409), [`StoreError::InvalidCursor`]
//! and [`StoreError::InvalidInput`] (400), and the internal ones (500/503).

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The named item does not exist.
    #[error("{what} not found: {id}")]
    NotFound {
        /// The kind of item, e.g. `credential`.
        what: &'static str,
        /// The id that was looked up.
        id: String,
    },
    /// An item with this id exists already; stored items are never overwritten.
    #[error("{what} already exists: {id}")]
    AlreadyExists {
        /// The kind of item, e.g. `credential`.
        what: &'static str,
        /// The id that exists.
        id: String,
    },
    /// The operation contradicts the stored state (e.g. re-issuing a credential twice).
    #[error("conflict: {0}")]
    Conflict(String),
    /// A listing or change-feed cursor that this store did not hand out.
    #[error("invalid cursor")]
    InvalidCursor,
    /// An argument outside its documented range (e.g. a status list smaller than the minimum).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Every index of the status list has been allocated; create a new list.
    #[error("status list {0} has no free index")]
    StatusListFull(String),
    /// A row that does not decode into its type (a bug or a database edited by hand).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Running the embedded migrations failed.
    #[error("database migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database failed (connection, I/O, timeout, constraint not mapped above).
    #[error("database error")]
    Backend(#[from] sqlx::Error),
}

impl StoreError {
    pub(crate) fn not_found(what: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            what,
            id: id.into(),
        }
    }

    pub(crate) fn already_exists(what: &'static str, id: impl Into<String>) -> Self {
        Self::AlreadyExists {
            what,
            id: id.into(),
        }
    }
}

/// Whether `err` is a unique or primary-key violation.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_unique_violation(),
        _ => false,
    }
}

/// Whether `err` is a foreign-key violation.
pub(crate) fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_foreign_key_violation(),
        _ => false,
    }
}
