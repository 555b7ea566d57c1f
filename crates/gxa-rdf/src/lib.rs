#![doc = include_str!("../README.md")]

mod dataset;
mod nquads;
mod rdfc10;

pub use dataset::{Dataset, Literal, Quad, RDF_LANG_STRING, Term, TermId, TermRef, XSD_STRING};
pub use nquads::{NQuadsError, parse_nquads, write_quad};
pub use rdfc10::{
    Canonical, CanonicalizationError, CanonicalizeOptions, DEFAULT_MAX_WORK, HashAlgorithm,
    canonicalize, sha256_hex, sha384_hex,
};
