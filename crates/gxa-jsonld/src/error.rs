//! The error type of JSON-LD processing.

/// Why a document could not be turned into RDF.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonLdError {
    /// The text is not JSON.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// Arrays and objects nest deeper than the limit (a stack-exhaustion attempt).
    #[error("JSON nests deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// An object has the same key twice (JSON parsers disagree on which one wins).
    #[error("duplicate JSON key {0:?}")]
    DuplicateKey(String),
    /// A context URL is not pinned; nothing is ever fetched.
    #[error(
        "unknown JSON-LD context {0}: only pinned contexts are used and nothing is fetched (see `gx-attest contexts`)"
    )]
    UnknownContext(String),
    /// Strict mode: a term does not expand to an absolute IRI.
    #[error(
        "undefined term {term:?} ({role}): strict mode requires every {role} to expand to an absolute IRI"
    )]
    UndefinedTerm {
        /// The term as written (or as expanded, when only that is known).
        term: String,
        /// `property`, `type` or `node reference`.
        role: &'static str,
    },
    /// The JSON-LD algorithms reported an error, with the JSON-LD error code.
    #[error("JSON-LD error ({code}): {message}")]
    Processing {
        /// The JSON-LD API error code, e.g. `invalid IRI mapping`.
        code: String,
        /// The details.
        message: String,
    },
    /// Canonicalization of the resulting dataset failed (e.g. the work limit).
    #[error(transparent)]
    Canonicalization(#[from] gxa_rdf::CanonicalizationError),
}

impl JsonLdError {
    /// The [JSON-LD error code](https://www.w3.org/TR/json-ld11-api/#jsonldprocessor) when the
    /// error is one the specification names.
    pub fn code(&self) -> Option<&str> {
        match self {
            JsonLdError::Processing { code, .. } => Some(code),
            JsonLdError::UnknownContext(_) => Some("loading remote context failed"),
            _ => None,
        }
    }
}
