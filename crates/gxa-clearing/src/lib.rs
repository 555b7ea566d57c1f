#![doc = include_str!("../README.md")]

pub mod certification;
pub mod client;
pub mod compliance;
mod error;
pub mod integrity;
pub mod notary;
pub mod parse;
pub mod preflight;

use gxa_proof::Sealed;
use jiff::Timestamp;
use serde_json::Value;

pub use error::{ClearingError, ServiceAnswer};
pub use gxa_credential::Profile;
pub use gxa_proof::SigningKey;

/// Seals `doc` in `profile` ([`gxa_proof::seal`]: Tagus = JsonWebSignature2020 in the Gaia-X
/// flavour, what GXDCH v1 emits; Loire = `vc+jwt` / `vp+jwt`) on the blocking pool.
pub(crate) async fn on_blocking_pool(
    key: &SigningKey,
    doc: Value,
    profile: Profile,
    created: Timestamp,
) -> Result<Sealed, ClearingError> {
    let key = key.clone();
    tokio::task::spawn_blocking(move || gxa_proof::seal(&key, doc, profile, created))
        .await
        .map_err(|e| ClearingError::Internal(format!("signing task: {e}")))?
        .map_err(ClearingError::from)
}
