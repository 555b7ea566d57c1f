//! The canonicalisation step of the JSON-LD suites, behind a trait so that the suites do not
//! depend on a particular JSON-LD processor (the default is `gxa-jsonld` with the pinned
//! contexts, RDFC-1.0: <https://www.w3.org/TR/rdf-canon/>).

use serde_json::Value;

/// Turns a JSON-LD document into canonical RDFC-1.0 N-Quads.
pub trait Canonicalizer: Sync {
    /// Canonical N-Quads of `doc`, or why they cannot be computed.
    fn canonicalize(&self, doc: &Value) -> Result<String, String>;
}

impl<F> Canonicalizer for F
where
    F: Fn(&Value) -> Result<String, String> + Sync,
{
    fn canonicalize(&self, doc: &Value) -> Result<String, String> {
        self(doc)
    }
}
