//! RDF datasets, N-Quads and [RDFC-1.0] canonicalization.
//!
//! **Architecture invariant:** this crate does no I/O, knows nothing of JSON-LD, and every
//! algorithm that can blow up on hostile input (RDFC-1.0's Hash N-Degree Quads is exponential
//! in the worst case) runs under an explicit, configurable work limit.
//!
//! Written by hand rather than taken from sophia_c14n or oxrdf: we need the issued-identifier
//! map, SHA-256 and SHA-384, a work budget that fails fast on poison graphs, and a compact
//! interned representation that the JSON-LD fast path writes into without conversions
//! (see ARCHITECTURE.md, "Dependency choices").
//!
//! [RDFC-1.0]: https://www.w3.org/TR/rdf-canon/

mod dataset;
mod nquads;
mod rdfc10;

pub use dataset::{Dataset, Literal, Quad, RDF_LANG_STRING, Term, TermId, TermRef, XSD_STRING};
pub use nquads::{NQuadsError, parse_nquads, write_quad};
pub use rdfc10::{
    Canonical, CanonicalizationError, CanonicalizeOptions, DEFAULT_MAX_WORK, HashAlgorithm,
    canonicalize, sha256_hex, sha384_hex,
};
