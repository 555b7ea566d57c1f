//! Sealing: a credential or presentation signed the way its Gaia-X profile prescribes
//! (the table in `gxa_credential`'s profile module): Tagus with JsonWebSignature2020,
//! embedded, by default in the Gaia-X flavour (what the GXDCH v1 services emit and accept) or
//! in the W3C-CCG flavour that other JsonWebSignature2020 verifiers check ([`Flavour`]); Loire
//! as a VC-JOSE `vc+jwt` / `vp+jwt`. Strict JSON-LD: an undefined term is an error, never
//! silently unsigned.

use std::sync::Arc;

use gxa_credential::{DocumentKind, Format, Profile};
use serde_json::Value;

use crate::{
    Flavour, KeySet, KeySetError, PinnedJsonLd, SignError, SignOptions, SignSuite, Signed, Signer,
};

/// A signing identity: a signer, the DID URL its proofs name, and the DID.
#[derive(Clone)]
pub struct SigningKey {
    signer: Arc<dyn Signer>,
    method: String,
    did: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key material: only which method signs.
        f.debug_struct("SigningKey")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// The active key of a key set.
    pub fn from_key_set(keys: &KeySet) -> Result<Self, KeySetError> {
        let (signer, method) = keys.signer(None)?;
        Ok(Self::new(Arc::from(signer), method, keys.did.clone()))
    }

    /// A signer that signs as `method` of `did`.
    pub fn new(signer: Arc<dyn Signer>, method: String, did: String) -> Self {
        Self {
            signer,
            method,
            did,
        }
    }

    /// The DID.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// The DID URL of the verification method.
    pub fn method(&self) -> &str {
        &self.method
    }
}

/// The proof suite of a profile; `flavour` is the JsonWebSignature2020 signing input of a
/// Tagus proof.
pub fn profile_suite(profile: Profile, flavour: Flavour) -> SignSuite {
    match (profile, flavour) {
        (Profile::Tagus, Flavour::GaiaX) => SignSuite::Jws2020GaiaX,
        (Profile::Tagus, Flavour::Spec) => SignSuite::Jws2020,
        (Profile::Loire, _) => SignSuite::VcJwt,
    }
}

/// A sealed document: its bytes (JSON for JSON-LD, the compact JWS for a JWT), its format and
/// its media type.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// The bytes to store and serve.
    pub body: Vec<u8>,
    /// JSON-LD or JWT.
    pub format: Format,
    /// `application/vc+ld+json`, `application/vp+jwt`, ….
    pub media_type: &'static str,
}

/// Signs `doc` (a credential or a presentation) in `profile` with `key`, `created` as the
/// proof's creation time (and the JWT's `iat`); a Tagus proof in the Gaia-X flavour. CPU-bound:
/// call it from a blocking thread.
pub fn seal(
    key: &SigningKey,
    doc: Value,
    profile: Profile,
    created: jiff::Timestamp,
) -> Result<Sealed, SignError> {
    seal_with(key, doc, profile, Flavour::GaiaX, created)
}

/// [`seal`] with the JsonWebSignature2020 flavour of a Tagus proof.
pub fn seal_with(
    key: &SigningKey,
    doc: Value,
    profile: Profile,
    flavour: Flavour,
    created: jiff::Timestamp,
) -> Result<Sealed, SignError> {
    let kind = DocumentKind::of(&doc).unwrap_or(DocumentKind::Credential);
    let suite = profile_suite(profile, flavour);
    let doc = crate::with_proof_context(doc, suite);
    let options = SignOptions {
        verification_method: Some(key.method.clone()),
        created: Some(created.to_string()),
        challenge: None,
        domain: None,
        strict_jsonld: true,
    };
    let signed = crate::sign(
        &doc,
        suite,
        key.signer.as_ref(),
        &options,
        Some(&PinnedJsonLd),
    )?;
    let (body, format) = match signed {
        Signed::Document(doc) => (doc.to_string().into_bytes(), Format::JsonLd),
        Signed::Jwt(jwt) => (jwt.into_bytes(), Format::Jwt),
    };
    Ok(Sealed {
        body,
        format,
        media_type: format.media_type(kind),
    })
}
