//! W3C Data Integrity cryptosuites over RDFC-1.0:
//! `eddsa-rdfc-2022` (<https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022>) and
//! `ecdsa-rdfc-2019` (<https://www.w3.org/TR/vc-di-ecdsa/#ecdsa-rdfc-2019>, P-256 with SHA-256,
//! P-384 with SHA-384).
//!
//! hashData = H(c14n(proofConfig)) ‖ H(c14n(document)); the signature over hashData is
//! `proofValue`, multibase base58btc.

use aws_lc_rs::digest;
use serde_json::{Map, Value};

use super::proof_options;
use crate::report::{Failure, ProofCheck, Suite};
use crate::verify::VerifyError;
use crate::{
    Algorithm, Canonicalizer, Curve, PublicKey, RdfcHash, SignatureFailure, Signer,
    VerificationMethod, b64,
};

/// The hash of a suite for a key (`None`: the key does not fit the suite).
fn hash_for(suite: Suite, key: &PublicKey) -> Option<(&'static digest::Algorithm, Algorithm)> {
    match (suite, key) {
        (Suite::EddsaRdfc2022, PublicKey::Ed25519(_)) => Some((&digest::SHA256, Algorithm::EdDsa)),
        (
            Suite::EcdsaRdfc2019,
            PublicKey::Ec {
                curve: Curve::P256, ..
            },
        ) => Some((&digest::SHA256, Algorithm::Es256)),
        (
            Suite::EcdsaRdfc2019,
            PublicKey::Ec {
                curve: Curve::P384, ..
            },
        ) => Some((&digest::SHA384, Algorithm::Es384)),
        _ => None,
    }
}

/// The RDFC-1.0 hash of a suite and key: SHA-384 for ecdsa-rdfc-2019 with P-384.
pub(crate) fn rdfc_hash(suite: Suite, key: &PublicKey) -> RdfcHash {
    match (suite, key) {
        (
            Suite::EcdsaRdfc2019,
            PublicKey::Ec {
                curve: Curve::P384, ..
            },
        ) => RdfcHash::Sha384,
        _ => RdfcHash::Sha256,
    }
}

/// The hex hash a suite applies to one canonical form with a key (test vectors list them).
pub fn hash_hex(suite: Suite, key: &PublicKey, canonical: &str) -> Option<String> {
    let (hash, _) = hash_for(suite, key)?;
    Some(hex::encode(digest::digest(hash, canonical.as_bytes())))
}

/// hashData (spec §3.3.4 "Hashing").
pub(crate) fn hash_data(
    hash: &'static digest::Algorithm,
    config_canon: &str,
    doc_canon: &str,
) -> Vec<u8> {
    let mut out = digest::digest(hash, config_canon.as_bytes())
        .as_ref()
        .to_vec();
    out.extend_from_slice(digest::digest(hash, doc_canon.as_bytes()).as_ref());
    out
}

/// Data Integrity §4.5 step: a proof `@context` must be a prefix of the document's.
fn context_is_prefix(proof_ctx: &Value, doc_ctx: Option<&Value>) -> bool {
    let as_list = |v: &Value| match v {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    };
    let Some(doc_ctx) = doc_ctx else {
        return false;
    };
    let (p, d) = (as_list(proof_ctx), as_list(doc_ctx));
    p.len() <= d.len() && p.iter().zip(&d).all(|(a, b)| a == b)
}

pub(crate) fn verify(
    proof: &Map<String, Value>,
    unsecured: &Value,
    doc_canon: &str,
    method: &VerificationMethod,
    canonicalizer: &dyn Canonicalizer,
    mut check: ProofCheck,
) -> Result<ProofCheck, VerifyError> {
    let Some((hash, alg)) = hash_for(check.suite, &method.key) else {
        let alg = if check.suite == Suite::EddsaRdfc2022 {
            Algorithm::EdDsa
        } else {
            Algorithm::Es256
        };
        return Ok(
            check.fail(Failure::Signature(SignatureFailure::AlgorithmMismatch {
                alg,
                key: method.key.describe(),
            })),
        );
    };
    check.algorithm = Some(alg);
    let Some(signature) = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .and_then(b64::multibase_decode)
    else {
        return Ok(check.fail(Failure::MalformedProof(
            "proofValue missing or not z-base58btc".into(),
        )));
    };
    if let Some(ctx) = proof.get("@context")
        && !context_is_prefix(ctx, unsecured.get("@context"))
    {
        return Ok(check.fail(Failure::ContextMismatch));
    }
    let config = proof_options(proof, "proofValue", unsecured.get("@context"));
    let config_canon = canonicalizer
        .canonicalize_with(&config, rdfc_hash(check.suite, &method.key))
        .map_err(VerifyError::Canonicalization)?;
    let data = hash_data(hash, &config_canon, doc_canon);
    if let Err(f) = method.key.verify(alg, &data, &signature) {
        return Ok(check.fail(Failure::Signature(f)));
    }
    Ok(check)
}

/// Signs: `proof` is the proof configuration without `@context` and `proofValue`.
pub(crate) fn sign(
    mut proof: Map<String, Value>,
    unsecured: &Value,
    suite: Suite,
    signer: &dyn Signer,
    canonicalizer: &dyn Canonicalizer,
) -> Result<Map<String, Value>, crate::SignError> {
    let (hash, _) = hash_for(suite, signer.public_key()).ok_or_else(|| {
        crate::SignError::Unsupported(format!(
            "{} cannot sign with a {} key",
            suite.name(),
            signer.public_key().describe()
        ))
    })?;
    let rdfc = rdfc_hash(suite, signer.public_key());
    let doc_canon = canonicalizer
        .canonicalize_with(unsecured, rdfc)
        .map_err(crate::SignError::Canonicalization)?;
    let config = proof_options(&proof, "proofValue", unsecured.get("@context"));
    let config_canon = canonicalizer
        .canonicalize_with(&config, rdfc)
        .map_err(crate::SignError::Canonicalization)?;
    let signature = signer
        .sign(&hash_data(hash, &config_canon, &doc_canon))
        .map_err(crate::SignError::Key)?;
    proof.insert(
        "proofValue".into(),
        b64::multibase_encode(&signature).into(),
    );
    Ok(proof)
}
