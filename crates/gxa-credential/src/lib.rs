#![doc = include_str!("../README.md")]

pub mod compact;
mod envelope;
pub mod json;
mod kind;
mod profile;
pub mod trust_framework;

pub use envelope::{EnvelopeError, document, unsigned_document};
pub use kind::DocumentKind;
pub use profile::{Format, Profile, UnknownProfile};

/// Now, in whole seconds: issuance dates round-trip through RFC 3339 without a fraction and
/// agree with a proof's `created`.
pub fn now() -> jiff::Timestamp {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second()).unwrap_or(now)
}
