//! Signing entry point: one function for every suite.

use std::str::FromStr;

use serde_json::{Map, Value};

use crate::report::{Flavour, Suite};
use crate::{Canonicalizer, KeyError, Signer, did_jwk, jwt, suite, time};
use gxa_credential::DocumentKind;

/// Errors while signing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The key could not sign.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The document could not be canonicalised.
    #[error("canonicalization failed: {0}")]
    Canonicalization(#[source] gxa_jsonld::JsonLdError),
    /// A JSON-LD suite was asked for without a canonicalizer.
    #[error("canonicalization failed: no JSON-LD canonicalizer configured")]
    NoCanonicalizer,
    /// The input is not a JSON object, or the options are inconsistent.
    #[error("{0}")]
    Input(String),
    /// The suite cannot be used with this key.
    #[error("{0}")]
    Unsupported(String),
}

/// The suites `gx-attest sign --suite` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignSuite {
    /// JsonWebSignature2020, W3C-CCG flavour.
    Jws2020,
    /// JsonWebSignature2020, Gaia-X flavour.
    Jws2020GaiaX,
    /// Data Integrity eddsa-rdfc-2022.
    EddsaRdfc2022,
    /// Data Integrity ecdsa-rdfc-2019.
    EcdsaRdfc2019,
    /// VC-JOSE compact JWT (`vc+jwt` / `vp+jwt`).
    VcJwt,
}

impl SignSuite {
    /// CLI names.
    pub const NAMES: [&'static str; 5] = [
        "jws2020",
        "jws2020-gaiax",
        "eddsa-rdfc-2022",
        "ecdsa-rdfc-2019",
        "vc-jwt",
    ];
}

impl FromStr for SignSuite {
    type Err = SignError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "jws2020" => Self::Jws2020,
            "jws2020-gaiax" => Self::Jws2020GaiaX,
            "eddsa-rdfc-2022" => Self::EddsaRdfc2022,
            "ecdsa-rdfc-2019" => Self::EcdsaRdfc2019,
            "vc-jwt" => Self::VcJwt,
            other => {
                return Err(SignError::Input(format!(
                    "unknown suite {other:?} (one of {})",
                    Self::NAMES.join(", ")
                )));
            }
        })
    }
}

/// Options of [`sign`].
#[derive(Debug, Clone, Default)]
pub struct SignOptions {
    /// Verification method URL; default: the key's `did:jwk:…#0`.
    pub verification_method: Option<String>,
    /// `created` (RFC 3339); default: now, whole seconds.
    pub created: Option<String>,
    /// Presentation challenge (JWT: `nonce`).
    pub challenge: Option<String>,
    /// Presentation domain (JWT: `aud`).
    pub domain: Option<String>,
    /// For `vc-jwt`: also expand the document as strict JSON-LD first (needs a canonicalizer),
    /// so that undefined terms are refused before signing. The JSON-LD suites always are.
    pub strict_jsonld: bool,
}

/// A signed document.
#[derive(Debug, Clone, PartialEq)]
pub enum Signed {
    /// JSON-LD with the new proof.
    Document(Value),
    /// A compact JWT.
    Jwt(String),
}

/// The default verification method of a signer: its did:jwk with `#0`.
pub fn default_verification_method(signer: &dyn Signer) -> String {
    format!(
        "{}#0",
        did_jwk(signer.public_key(), Some(signer.algorithm().name()))
    )
}

/// Signs a credential or presentation.
pub fn sign(
    doc: &Value,
    suite: SignSuite,
    signer: &dyn Signer,
    opts: &SignOptions,
    canonicalizer: Option<&dyn Canonicalizer>,
) -> Result<Signed, SignError> {
    let Some(obj) = doc.as_object() else {
        return Err(SignError::Input("the document is not a JSON object".into()));
    };
    let vm = opts
        .verification_method
        .clone()
        .unwrap_or_else(|| default_verification_method(signer));
    if suite == SignSuite::VcJwt {
        if opts.strict_jsonld {
            let canonicalizer = canonicalizer.ok_or(SignError::NoCanonicalizer)?;
            canonicalizer
                .canonicalize(doc)
                .map_err(SignError::Canonicalization)?;
        }
        return Ok(Signed::Jwt(jwt::sign(
            doc,
            signer,
            &vm,
            opts.challenge.as_deref(),
            opts.domain.as_deref(),
        )?));
    }
    let canonicalizer = canonicalizer.ok_or(SignError::NoCanonicalizer)?;
    let created = match &opts.created {
        Some(c) => {
            if time::parse_rfc3339(c).is_none() {
                return Err(SignError::Input(format!("created {c:?} is not RFC 3339")));
            }
            c.clone()
        }
        None => time::format_rfc3339(time::now()),
    };
    let purpose = if DocumentKind::of(doc) == Some(DocumentKind::Presentation) {
        "authentication"
    } else {
        "assertionMethod"
    };
    let mut unsecured = obj.clone();
    let existing = unsecured.remove("proof");
    let unsecured = Value::Object(unsecured);

    let mut proof = Map::new();
    match suite {
        SignSuite::Jws2020 | SignSuite::Jws2020GaiaX => {
            proof.insert("type".into(), "JsonWebSignature2020".into());
        }
        SignSuite::EddsaRdfc2022 | SignSuite::EcdsaRdfc2019 => {
            proof.insert("type".into(), "DataIntegrityProof".into());
            let name = if suite == SignSuite::EddsaRdfc2022 {
                "eddsa-rdfc-2022"
            } else {
                "ecdsa-rdfc-2019"
            };
            proof.insert("cryptosuite".into(), name.into());
        }
        SignSuite::VcJwt => {}
    }
    proof.insert("created".into(), created.into());
    proof.insert("verificationMethod".into(), vm.into());
    proof.insert("proofPurpose".into(), purpose.into());
    if let Some(c) = &opts.challenge {
        proof.insert("challenge".into(), c.clone().into());
    }
    if let Some(d) = &opts.domain {
        proof.insert("domain".into(), d.clone().into());
    }
    let proof = match suite {
        SignSuite::Jws2020 => {
            suite::jws2020::sign(proof, &unsecured, Flavour::Spec, signer, canonicalizer)?
        }
        SignSuite::Jws2020GaiaX => {
            suite::jws2020::sign(proof, &unsecured, Flavour::GaiaX, signer, canonicalizer)?
        }
        SignSuite::EddsaRdfc2022 => suite::di::sign(
            proof,
            &unsecured,
            Suite::EddsaRdfc2022,
            signer,
            canonicalizer,
        )?,
        SignSuite::EcdsaRdfc2019 | SignSuite::VcJwt => suite::di::sign(
            proof,
            &unsecured,
            Suite::EcdsaRdfc2019,
            signer,
            canonicalizer,
        )?,
    };
    let mut out = match unsecured {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let proof = Value::Object(proof);
    let proof_value = match existing {
        None => proof,
        Some(Value::Array(mut list)) => {
            list.push(proof);
            Value::Array(list)
        }
        Some(one) => Value::Array(vec![one, proof]),
    };
    out.insert("proof".into(), proof_value);
    Ok(Signed::Document(Value::Object(out)))
}

/// Adds the JsonWebSignature2020 context (right after `credentials/v1`, where Gaia-X Tagus
/// credentials carry it) so that the signed document, proof included, is still JSON-LD whose
/// every term is defined: `credentials/v1` does not define the proof's `JsonWebSignature2020`,
/// `created` or `jws`. The proof signs the document with this context. Other suites (and a
/// document without an `@context` array) are returned unchanged.
pub fn with_proof_context(mut document: Value, suite: SignSuite) -> Value {
    if !matches!(suite, SignSuite::Jws2020 | SignSuite::Jws2020GaiaX) {
        return document;
    }
    if let Some(Value::Array(contexts)) = document.get_mut("@context") {
        let jws = Value::from(suite::jws2020::JWS_2020_V1);
        if !contexts.contains(&jws) {
            contexts.insert(1.min(contexts.len()), jws);
        }
    }
    document
}
