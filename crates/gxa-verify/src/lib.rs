#![doc = include_str!("../README.md")]

mod anchors;
mod chain;
mod parse;
mod report;
mod status;
mod verifier;

pub use anchors::TrustAnchors;
pub use chain::{
    ChainError, ChainFacts, ChainPolicy, ValidatedChain, inspect_chain, jwk_matches_spki,
    validate_chain,
};
pub use report::{
    CheckKind, CheckResult, Outcome, ProofSummary, UnknownCheck, Verdict, VerifyReport,
};
pub use status::encode_bitstring;
pub use verifier::{
    DEFAULT_MAX_FETCHES, DEFAULT_MAX_FETCHES_PER_HOST, DEFAULT_MAX_INPUT_BYTES,
    DEFAULT_MAX_JSON_VALUES, DEFAULT_OFFLOAD_ABOVE_BYTES, Offload, Verifier, VerifierConfig,
    VerifierError,
};
