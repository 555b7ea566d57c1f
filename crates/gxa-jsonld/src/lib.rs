//! JSON-LD 1.1 → RDF ([JSON-LD 1.1 API §8 "RDF Serialization/Deserialization"][to-rdf]) for
//! documents whose contexts are pinned, strict by default.
//!
//! **Architecture invariants**
//! - No I/O and no network: a context URL is resolved from [`gxa_contexts`] (or, for the
//!   conformance harness, from documents the caller hands in); an unknown URL is
//!   [`JsonLdError::UnknownContext`] naming it.
//! - Strict mode ([`ToRdfOptions::strict`], the default for anything signed): a property, type or
//!   node reference that does not expand to an absolute IRI is an error naming the term, where
//!   plain JSON-LD drops it silently. A signer that drops a term signs less than the document
//!   shows.
//! - The reference JSON-LD algorithms are the `json-ld` crate's (0.21.4, 449/467 of the W3C toRdf
//!   suite), wrapped behind our own types so that the rest of gx-attest never names it. A fast
//!   path (`fast/`) compiles the pinned contexts once and goes from JSON to quads in one pass; it
//!   either yields exactly the library's dataset or declines, and the library runs.
//! - Nesting deeper than [`MAX_DEPTH`] is refused before any recursive processing.
//!
//! [to-rdf]: https://www.w3.org/TR/json-ld11-api/#rdf-serialization-deserialization-algorithms

mod error;
mod fast;
mod limits;
mod loader;
mod processor;
mod strict;

pub use error::JsonLdError;
pub use fast::Unsupported as FastPathUnsupported;
pub use limits::MAX_DEPTH;
pub use loader::DocumentSource;
pub use processor::{ProcessingMode, Processor, RdfDirection, ToRdfOptions};
