//! The canonicalisation step of the JSON-LD suites, behind a trait so that the suites do not
//! depend on a particular JSON-LD processor (the default is `gxa-jsonld` with the pinned
//! contexts, RDFC-1.0: <https://www.w3.org/TR/rdf-canon/>).

use gxa_jsonld::JsonLdError;
use serde_json::Value;

/// The hash function RDFC-1.0 uses internally (`ecdsa-rdfc-2019` with P-384 uses SHA-384,
/// <https://www.w3.org/TR/vc-di-ecdsa/#transformation-ecdsa-rdfc-2019>).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RdfcHash {
    /// SHA-256, the default.
    Sha256,
    /// SHA-384.
    Sha384,
}

/// Turns a JSON-LD document into canonical RDFC-1.0 N-Quads.
pub trait Canonicalizer: Sync {
    /// Canonical N-Quads of `doc`, or why they cannot be computed (JSON-LD processing, or
    /// canonicalisation of the resulting dataset: [`JsonLdError::Canonicalization`]).
    fn canonicalize_with(&self, doc: &Value, hash: RdfcHash) -> Result<String, JsonLdError>;

    /// Canonical N-Quads with SHA-256.
    fn canonicalize(&self, doc: &Value) -> Result<String, JsonLdError> {
        self.canonicalize_with(doc, RdfcHash::Sha256)
    }
}

/// The product canonicalizer: `gxa-jsonld` over the pinned contexts only (strict mode: an
/// undefined term is an error, so nothing goes unsigned silently), RDFC-1.0 with gxa-rdf's
/// work limit against poison graphs.
#[derive(Debug, Clone, Copy, Default)]
pub struct PinnedJsonLd;

impl Canonicalizer for PinnedJsonLd {
    fn canonicalize_with(&self, doc: &Value, hash: RdfcHash) -> Result<String, JsonLdError> {
        let processor = gxa_jsonld::Processor::pinned();
        if hash == RdfcHash::Sha256 {
            return processor.canonicalize(doc);
        }
        let dataset = processor.to_rdf(doc, &gxa_jsonld::ToRdfOptions::strict())?;
        let options = gxa_rdf::CanonicalizeOptions {
            hash: gxa_rdf::HashAlgorithm::Sha384,
            ..gxa_rdf::CanonicalizeOptions::default()
        };
        Ok(gxa_rdf::canonicalize(&dataset, &options)?.nquads)
    }
}
