//! gxa-clearing: the Gaia-X Digital Clearing House (GXDCH) round trip, both sides.
//!
//! * [`compliance`]: the compliance service. It takes a presentation that [`gxa_verify`] found
//!   valid, applies the participant rules GXDCH documents (a participant credential, a
//!   registration-number credential from a trusted notary that the participant references,
//!   terms and conditions, holder = participant) and issues the compliance credential signed
//!   with its own key: Tagus `gx:compliance` subjects with `gx:integrity`
//!   ([compliance v1](https://gitlab.com/gaia-x/lab/compliance/gx-compliance), VC 1.1 +
//!   JsonWebSignature2020) or a Loire `gx:LabelCredential` with `gx:compliantCredentials`
//!   (`vc+jwt`). Failures are the services' own answers ([`ServiceAnswer`]).
//! * [`notary`]: the registration-number notary (v1 JSON-LD, v2 `vc+jwt`). It checks the
//!   number's format locally and does **not** query VIES, GLEIF or EOS (no outbound network);
//!   its `evidence` says so.
//! * [`client`]: the participant. It asks the notary for its registration-number credential,
//!   builds and signs its presentation, submits it, verifies the answer with [`gxa_verify`],
//!   stores the compliance credential under an id of its own base URL, and renews it before it
//!   expires (a scheduler under the store lease [`client::CLEARING_LEASE`]).
//!
//! The wire formats are those of the public GXDCH compliance and notary services (v1 and v2);
//! what their documentation leaves open is listed in docs/clearing-house.md.
//!
//! Nothing here speaks HTTP as a server (that is `gxa-service`); the client's HTTP is reqwest
//! over rustls with time-outs, a response size limit, https only and bounded retries.

pub mod client;
pub mod compliance;
mod error;
pub mod integrity;
pub mod notary;
pub mod parse;

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
