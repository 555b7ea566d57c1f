//! gxa-verify: the verifier federation catalogues and partners use to decide whether to
//! believe a credential.
//!
//! [`Verifier::verify`] runs seven checks over a credential or presentation (JSON-LD with
//! embedded proofs, or a compact `vc+jwt`/`vp+jwt`) and reports each separately, in order
//! ([`CheckKind::ALL`]):
//! 1. syntax and contexts: well-formed JSON without duplicated keys, only pinned contexts, strict
//!    JSON-LD expansion;
//! 2. proofs: every proof, every credential inside a presentation (recursively, with its own
//!    report), with the suite and the JsonWebSignature2020 flavour that matched (`gxa-proof`);
//! 3. verification method: resolved (did:key, did:jwk, did:web through the guarded fetcher),
//!    the proof purpose allowed, its controller the issuer (credentials) or holder
//!    (presentations);
//! 4. certificate chain: the JWK's `x5u` fetched, validated at the verification time to a
//!    configured trust anchor, its leaf key equal to the JWK, EV policy if required
//!    ([`validate_chain`]);
//! 5. validity window at the verification time;
//! 6. status: Bitstring Status List / StatusList2021 entries, the list credential fetched and
//!    verified in turn;
//! 7. shapes: the Gaia-X SHACL shapes of the credential's profile (`gxa-shacl`).
//!
//! The verdict is `valid`, `invalid` (a check failed) or `could_not_check` (a fetch failed or
//! timed out, nothing failed). "Invalid" is a value, never an error: `verify` always returns a
//! [`VerifyReport`].
//!
//! **Security invariants:** every URL in a credential is attacker-chosen, so every fetch goes
//! through `gxa_fetch::Fetcher` (https only, address guard after DNS, size and time limits);
//! a policy refusal makes the check fail, not error. JSON-LD contexts are never fetched
//! (`gxa-contexts` only). Private keys are never read here.
//!
//! Calling it from an axum handler: keep one `Verifier` in the state (it is `Clone`), then
//! `Json(verifier.verify(&body, at).await)`; the report serializes with serde. Presentation
//! `challenge`/`domain` are per request: `verifier.expecting(Some(c), Some(d)).verify(..)`.

mod anchors;
mod chain;
mod parse;
mod report;
mod status;
mod verifier;

pub use anchors::TrustAnchors;
pub use chain::{ChainError, ChainPolicy, ValidatedChain, jwk_matches_spki, validate_chain};
pub use report::{CheckKind, CheckResult, Outcome, ProofSummary, Verdict, VerifyReport};
pub use status::encode_bitstring;
pub use verifier::{
    DEFAULT_MAX_FETCHES, DEFAULT_MAX_FETCHES_PER_HOST, DEFAULT_MAX_INPUT_BYTES,
    DEFAULT_MAX_JSON_VALUES, Verifier, VerifierConfig, VerifierError,
};
