//! JsonWebSignature2020, <https://w3c-ccg.github.io/lds-jws2020/> (W3C-CCG final report), in
//! the two flavours found in Gaia-X data:
//!
//! - spec flavour: detached JWS (`b64: false`) over the 64 raw bytes
//!   `sha256(c14n(proof options)) ‖ sha256(c14n(document))`;
//! - Gaia-X flavour: detached JWS over the 64 ASCII hex characters of
//!   `sha256(c14n(document))`; the proof options are **not** signed.
//!
//! Verification tries the Gaia-X flavour first (it needs no second canonicalisation), then the
//! spec flavour, unless a [`FlavourHint`] says the spec flavour matched last; the report says
//! which matched.

use serde_json::{Map, Value, json};

use super::proof_options;
use crate::jws::{self, HeaderRules};
use crate::report::{Failure, Flavour, FlavourHint, ProofCheck};
use crate::verify::VerifyError;
use crate::{Canonicalizer, KeyError, SignatureFailure, Signer, VerificationMethod, sha256};

const CREDENTIALS_V1: &str = "https://www.w3.org/2018/credentials/v1";
pub(crate) const JWS_2020_V1: &str = "https://w3id.org/security/suites/jws-2020/v1";

/// The protected header both flavours emit (byte-identical to the spec vectors and to what
/// the Gaia-X compliance service writes).
pub(crate) fn header_json(alg: &str) -> String {
    format!(r#"{{"alg":"{alg}","b64":false,"crit":["b64"]}}"#)
}

/// The spec-flavour payload `P ‖ H`.
pub(crate) fn spec_payload(options_canon: &str, doc_canon: &str) -> Vec<u8> {
    let mut data = sha256(options_canon.as_bytes()).as_ref().to_vec();
    data.extend_from_slice(sha256(doc_canon.as_bytes()).as_ref());
    data
}

/// The Gaia-X payload: hex of sha256(c14n(document)).
pub(crate) fn gaiax_payload(doc_canon: &str) -> Vec<u8> {
    hex::encode(sha256(doc_canon.as_bytes())).into_bytes()
}

pub(crate) fn verify(
    proof: &Map<String, Value>,
    unsecured: &Value,
    doc_canon: &str,
    method: &VerificationMethod,
    canonicalizer: &dyn Canonicalizer,
    hint: Option<&FlavourHint>,
    mut check: ProofCheck,
) -> Result<ProofCheck, VerifyError> {
    let Some(jws_text) = proof.get("jws").and_then(Value::as_str) else {
        return Ok(check.fail(Failure::MalformedProof("no jws".into())));
    };
    let parsed = match jws::parse_compact(jws_text) {
        Ok(p) => p,
        Err(f) => return Ok(check.fail(f)),
    };
    if !parsed.payload_b64.is_empty() {
        return Ok(check.fail(Failure::MalformedJws("payload must be detached".into())));
    }
    let alg = match jws::check_header(&parsed.header, HeaderRules::Unencoded) {
        Ok(a) => a,
        Err(f) => return Ok(check.fail(f)),
    };
    check.algorithm = Some(alg);
    if !method.key.fits(alg) {
        return Ok(
            check.fail(Failure::Signature(SignatureFailure::AlgorithmMismatch {
                alg,
                key: method.key.describe(),
            })),
        );
    }
    if let Some(pinned) = &method.jwk_alg
        && pinned != alg.name()
    {
        return Ok(check.fail(Failure::PinnedAlgorithm {
            pinned: pinned.clone(),
            used: alg,
        }));
    }
    // One signature check: `Ok(true)` it matched, `Ok(false)` another input might, `Err` refused
    // whatever the input (key, algorithm or signature length: the same for every input, so the
    // order of the attempts does not change the outcome).
    let matches = |input: &[u8]| match method.key.verify(alg, input, &parsed.signature) {
        Ok(()) => Ok(true),
        Err(SignatureFailure::Mismatch) => Ok(false),
        Err(other) => Err(other),
    };
    let gaiax = || matches(&parsed.detached_signing_input(&gaiax_payload(doc_canon)));
    let spec_first = hint.is_some_and(FlavourHint::spec_first);
    if !spec_first {
        match gaiax() {
            Ok(true) => return Ok(matched(hint, Flavour::GaiaX, check)),
            Ok(false) => {}
            Err(f) => return Ok(check.fail(Failure::Signature(f))),
        }
    }
    // Spec flavour, with the candidate contexts for the proof options.
    let mut candidates: Vec<Value> = Vec::new();
    if let Some(ctx) = proof.get("@context") {
        candidates.push(ctx.clone());
    }
    if let Some(ctx) = unsecured.get("@context") {
        candidates.push(ctx.clone());
    }
    candidates.push(json!([CREDENTIALS_V1, JWS_2020_V1]));
    candidates.dedup();
    let mut last_error = None;
    let mut tried = 0;
    for ctx in &candidates {
        let options = proof_options(proof, "jws", Some(ctx));
        let options_canon = match canonicalizer.canonicalize(&options) {
            Ok(c) => c,
            Err(e) => {
                last_error = Some(e);
                continue;
            }
        };
        tried += 1;
        let input = parsed.detached_signing_input(&spec_payload(&options_canon, doc_canon));
        match matches(&input) {
            Ok(true) => return Ok(matched(hint, Flavour::Spec, check)),
            Ok(false) => {}
            Err(f) => return Ok(check.fail(Failure::Signature(f))),
        }
    }
    if spec_first {
        match gaiax() {
            Ok(true) => return Ok(matched(hint, Flavour::GaiaX, check)),
            Ok(false) => {}
            Err(f) => return Ok(check.fail(Failure::Signature(f))),
        }
    }
    if tried == 0
        && let Some(e) = last_error
    {
        return Err(VerifyError::Canonicalization(e));
    }
    Ok(check.fail(Failure::Signature(SignatureFailure::Mismatch)))
}

/// The check with the flavour that matched, recorded in the hint.
fn matched(hint: Option<&FlavourHint>, flavour: Flavour, mut check: ProofCheck) -> ProofCheck {
    if let Some(hint) = hint {
        hint.matched(flavour);
    }
    check.flavour = Some(flavour);
    check
}

/// Builds and signs a JsonWebSignature2020 proof (without `jws` the proof object is the
/// options); returns the complete proof object.
pub(crate) fn sign(
    mut proof: Map<String, Value>,
    unsecured: &Value,
    flavour: Flavour,
    signer: &dyn Signer,
    canonicalizer: &dyn Canonicalizer,
) -> Result<Map<String, Value>, crate::SignError> {
    let doc_canon = canonicalizer
        .canonicalize(unsecured)
        .map_err(crate::SignError::Canonicalization)?;
    let payload = match flavour {
        Flavour::GaiaX => gaiax_payload(&doc_canon),
        Flavour::Spec => {
            let options = proof_options(&proof, "jws", unsecured.get("@context"));
            let options_canon = canonicalizer
                .canonicalize(&options)
                .map_err(crate::SignError::Canonicalization)?;
            spec_payload(&options_canon, &doc_canon)
        }
    };
    let header = header_json(signer.algorithm().name());
    let jws = jws::sign_detached(signer, &header, &payload)
        .map_err(|e: KeyError| crate::SignError::Key(e))?;
    proof.insert("jws".into(), jws.into());
    Ok(proof)
}
