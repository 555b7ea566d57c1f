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

use std::sync::Arc;

use gxa_proof::{PinnedJsonLd, SignOptions, SignSuite, Signed, Signer, with_proof_context};
use jiff::Timestamp;
use serde_json::Value;

pub use error::{ClearingError, ServiceAnswer};
pub use gxa_scs::Profile;

/// A signing identity: the key set's active key, the DID URL its proofs name, and the DID.
#[derive(Clone)]
pub struct SigningKey {
    signer: Arc<dyn Signer>,
    method: String,
    did: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key material.
        f.debug_struct("SigningKey")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// The active key of a key set.
    pub fn from_key_set(keys: &gxa_proof::KeySet) -> Result<Self, ClearingError> {
        let (signer, method) = keys.signer(None)?;
        Ok(Self {
            signer: Arc::from(signer),
            method,
            did: keys.did.clone(),
        })
    }

    /// The DID.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// Signs a credential or presentation on the blocking pool: Tagus = JsonWebSignature2020
    /// in the Gaia-X flavour (what GXDCH v1 emits), Loire = `vc+jwt` / `vp+jwt`. Strict JSON-LD:
    /// an undefined term is an error, never silently unsigned.
    pub async fn seal(
        &self,
        doc: Value,
        profile: Profile,
        created: Timestamp,
    ) -> Result<Signed, ClearingError> {
        let key = self.clone();
        tokio::task::spawn_blocking(move || key.seal_now(doc, profile, created))
            .await
            .map_err(|e| ClearingError::Internal(format!("signing task: {e}")))?
    }

    fn seal_now(
        &self,
        doc: Value,
        profile: Profile,
        created: Timestamp,
    ) -> Result<Signed, ClearingError> {
        let suite = match profile {
            Profile::Tagus => SignSuite::Jws2020GaiaX,
            Profile::Loire => SignSuite::VcJwt,
        };
        let doc = with_proof_context(doc, suite);
        let options = SignOptions {
            verification_method: Some(self.method.clone()),
            created: Some(created.to_string()),
            challenge: None,
            domain: None,
            strict_jsonld: true,
        };
        Ok(gxa_proof::sign(
            &doc,
            suite,
            self.signer.as_ref(),
            &options,
            Some(&PinnedJsonLd),
        )?)
    }
}

/// A signed document's bytes (JSON for a JSON-LD document, the compact JWS for a JWT).
pub fn signed_bytes(signed: &Signed) -> Result<Vec<u8>, ClearingError> {
    match signed {
        Signed::Document(doc) => serde_json::to_vec(doc)
            .map_err(|e| ClearingError::Internal(format!("serialising a signed document: {e}"))),
        Signed::Jwt(jwt) => Ok(jwt.as_bytes().to_vec()),
    }
}

/// Now, whole seconds (dates round-trip RFC 3339 and agree with proof `created`).
pub(crate) fn now() -> Timestamp {
    Timestamp::from_second(Timestamp::now().as_second()).unwrap_or_else(|_| Timestamp::now())
}
