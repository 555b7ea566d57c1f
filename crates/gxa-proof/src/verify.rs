//! Verification entry points: JSON-LD documents with embedded proofs, compact JWTs, and
//! presentations holding either.
//!
//! Outcome model: `Ok(report)` whenever the input could be checked (valid or not);
//! `Err(VerifyError)` only when it could not (unresolvable DID, canonicalisation impossible,
//! unreadable input).

use gxa_credential::DocumentKind;
use serde_json::{Map, Value};

use crate::did::{DidError, Resolver};
use crate::jwt;
use crate::report::{Failure, Format, ProofCheck, Suite, VerificationReport};
use crate::suite;
use crate::{Canonicalizer, RdfcHash, VerificationMethod, time};

/// Why verification could not be carried out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The input is neither JSON nor a compact JWS.
    #[error("unreadable input: {0}")]
    Input(String),
    /// A DID or verification method could not be resolved.
    #[error(transparent)]
    Did(#[from] DidError),
    /// A document could not be canonicalised (needed by the JSON-LD suites).
    #[error("canonicalization failed: {0}")]
    Canonicalization(#[source] gxa_jsonld::JsonLdError),
    /// A JSON-LD proof was met without a canonicalizer to check it.
    #[error("canonicalization failed: no JSON-LD canonicalizer configured")]
    NoCanonicalizer,
}

/// What the verifier is given besides the input.
#[derive(Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// DID documents and trusted keys.
    pub resolver: &'a Resolver,
    /// JSON-LD → canonical N-Quads; without one, JSON-LD proofs cannot be checked.
    pub canonicalizer: Option<&'a dyn Canonicalizer>,
    /// Verification time, Unix seconds (default: now).
    pub at: Option<i64>,
    /// Expected `challenge` (JWT: `nonce`) of a presentation proof.
    pub challenge: Option<&'a str>,
    /// Expected `domain` (JWT: `aud`) of a presentation proof.
    pub domain: Option<&'a str>,
    /// The JsonWebSignature2020 flavour to try first, kept up to date by each verification
    /// (without one: the Gaia-X flavour first).
    pub flavour_hint: Option<&'a crate::FlavourHint>,
}

impl std::fmt::Debug for VerifyOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyOptions")
            .field("at", &self.at)
            .field("challenge", &self.challenge)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl<'a> VerifyOptions<'a> {
    /// Options with a resolver and nothing else.
    pub fn new(resolver: &'a Resolver) -> Self {
        Self {
            resolver,
            canonicalizer: None,
            at: None,
            challenge: None,
            domain: None,
            flavour_hint: None,
        }
    }

    pub(crate) fn time(&self) -> i64 {
        self.at.unwrap_or_else(time::now)
    }

    /// Options for credentials nested in a presentation: their own proofs carry no challenge.
    fn nested(&self) -> Self {
        Self {
            challenge: None,
            domain: None,
            ..*self
        }
    }
}

const MAX_DEPTH: usize = 4;

/// Verifies any supported input: JSON-LD text, a compact JWT, or a JSON string holding a JWT.
pub fn verify(input: &str, opts: &VerifyOptions<'_>) -> Result<VerificationReport, VerifyError> {
    let text = input.trim();
    if text.starts_with('{') || text.starts_with('"') {
        let value: Value =
            serde_json::from_str(text).map_err(|e| VerifyError::Input(format!("JSON: {e}")))?;
        return match value {
            Value::String(jwt) => verify_jwt(&jwt, opts),
            Value::Object(_) => verify_document(&value, opts),
            _ => Err(VerifyError::Input(
                "JSON input is neither an object nor a JWT string".into(),
            )),
        };
    }
    let jwt = strip_data_url(text).unwrap_or(text);
    if !jwt.contains('.') {
        return Err(VerifyError::Input("neither JSON nor a compact JWT".into()));
    }
    verify_jwt(jwt, opts)
}

fn strip_data_url(text: &str) -> Option<&str> {
    [
        "data:application/vc+jwt,",
        "data:application/vp+jwt,",
        "data:application/vc+ld+json+jwt,",
    ]
    .iter()
    .find_map(|p| text.strip_prefix(p))
}

/// Verifies a compact JWT (`vc+jwt`, `vp+jwt` and the field variants).
pub fn verify_jwt(jwt: &str, opts: &VerifyOptions<'_>) -> Result<VerificationReport, VerifyError> {
    jwt::verify(jwt, opts, 0)
}

/// Verifies a JSON-LD credential or presentation with embedded proofs.
pub fn verify_document(
    doc: &Value,
    opts: &VerifyOptions<'_>,
) -> Result<VerificationReport, VerifyError> {
    verify_document_at(doc, opts, 0)
}

pub(crate) fn verify_document_at(
    doc: &Value,
    opts: &VerifyOptions<'_>,
    depth: usize,
) -> Result<VerificationReport, VerifyError> {
    let mut report = VerificationReport::new(Format::JsonLd);
    let Some(obj) = doc.as_object() else {
        return Err(VerifyError::Input("document is not a JSON object".into()));
    };
    report.kind = DocumentKind::of(doc).map(|k| k.as_str().to_owned());
    report.id = obj.get("id").and_then(Value::as_str).map(str::to_owned);
    let is_presentation = report.kind.as_deref() == Some("VerifiablePresentation");
    check_validity(doc, opts.time(), &mut report.failures);

    let proofs: Vec<&Value> = match obj.get("proof") {
        None => Vec::new(),
        Some(Value::Array(list)) => list.iter().collect(),
        Some(p) => vec![p],
    };
    if proofs.is_empty() {
        report.failures.push(Failure::MissingProof);
    } else {
        let mut unsecured = obj.clone();
        unsecured.remove("proof");
        let unsecured = Value::Object(unsecured);
        let mut doc_canon: [Option<String>; 2] = [None, None];
        let purpose = if is_presentation {
            "authentication"
        } else {
            "assertionMethod"
        };
        for proof in proofs {
            let check = check_ld_proof(proof, &unsecured, &mut doc_canon, purpose, opts)?;
            report.proofs.push(check);
        }
    }

    if is_presentation {
        verify_embedded(obj, opts, depth, &mut report)?;
    }
    Ok(report)
}

pub(crate) fn verify_embedded(
    obj: &Map<String, Value>,
    opts: &VerifyOptions<'_>,
    depth: usize,
    report: &mut VerificationReport,
) -> Result<(), VerifyError> {
    let entries: Vec<&Value> = match obj.get("verifiableCredential") {
        None => return Ok(()),
        Some(Value::Array(list)) => list.iter().collect(),
        Some(v) => vec![v],
    };
    if depth >= MAX_DEPTH {
        report.failures.push(Failure::BadEnvelope(
            "presentations nested too deeply".into(),
        ));
        return Ok(());
    }
    let nested = opts.nested();
    for entry in entries {
        let is_enveloped = entry.get("type").is_some_and(|t| {
            t == "EnvelopedVerifiableCredential"
                || t.as_array()
                    .is_some_and(|a| a.iter().any(|x| x == "EnvelopedVerifiableCredential"))
        });
        if is_enveloped {
            let id = entry.get("id").and_then(Value::as_str).unwrap_or("");
            match strip_data_url(id) {
                Some(jwt) => report
                    .credentials
                    .push(jwt::verify(jwt, &nested, depth + 1)?),
                None => report.failures.push(Failure::BadEnvelope(format!(
                    "id {id:?} is not a data:application/vc+jwt URL"
                ))),
            }
        } else if let Some(jwt) = entry.as_str() {
            report
                .credentials
                .push(jwt::verify(jwt, &nested, depth + 1)?);
        } else if entry.is_object() {
            report
                .credentials
                .push(verify_document_at(entry, &nested, depth + 1)?);
        } else {
            report.failures.push(Failure::BadEnvelope(
                "entry is neither a credential nor a JWT".into(),
            ));
        }
    }
    Ok(())
}

/// Validity period checks (VCDM 1.1 `issuanceDate`/`expirationDate`, 2.0 `validFrom`/`validUntil`).
pub(crate) fn check_validity(doc: &Value, at: i64, failures: &mut Vec<Failure>) {
    let bound = |name: &'static str| doc.get(name).and_then(Value::as_str).map(|s| (name, s));
    for (name, value) in [bound("validFrom"), bound("issuanceDate")]
        .into_iter()
        .flatten()
    {
        match time::parse_rfc3339(value) {
            Some(t) if t > at => failures.push(Failure::Validity {
                at: time::format_rfc3339(at),
                reason: format!("{name} {value} is in the future"),
            }),
            Some(_) => {}
            None => failures.push(Failure::MalformedDate {
                field: name,
                value: value.to_owned(),
            }),
        }
    }
    for (name, value) in [bound("validUntil"), bound("expirationDate")]
        .into_iter()
        .flatten()
    {
        match time::parse_rfc3339(value) {
            Some(t) if t < at => failures.push(Failure::Validity {
                at: time::format_rfc3339(at),
                reason: format!("{name} {value} has passed"),
            }),
            Some(_) => {}
            None => failures.push(Failure::MalformedDate {
                field: name,
                value: value.to_owned(),
            }),
        }
    }
}

/// One embedded proof.
fn check_ld_proof(
    proof: &Value,
    unsecured: &Value,
    doc_canon: &mut [Option<String>; 2],
    purpose: &str,
    opts: &VerifyOptions<'_>,
) -> Result<ProofCheck, VerifyError> {
    let kind = proof.get("type").and_then(Value::as_str).unwrap_or("");
    let cryptosuite = proof
        .get("cryptosuite")
        .and_then(Value::as_str)
        .unwrap_or("");
    let suite = match (kind, cryptosuite) {
        ("JsonWebSignature2020", _) => Suite::JsonWebSignature2020,
        ("DataIntegrityProof", "eddsa-rdfc-2022") => Suite::EddsaRdfc2022,
        ("DataIntegrityProof", "ecdsa-rdfc-2019") => Suite::EcdsaRdfc2019,
        _ => {
            return Ok(
                ProofCheck::new(Suite::Unknown).fail(Failure::UnsupportedProof(
                    format!("{kind} {cryptosuite}").trim().to_owned(),
                )),
            );
        }
    };
    let mut check = ProofCheck::new(suite);
    let Some(proof_obj) = proof.as_object() else {
        return Ok(check.fail(Failure::MalformedProof("proof is not an object".into())));
    };
    let vm = match common_checks(proof_obj, purpose, opts) {
        Ok(vm) => vm,
        Err(f) => return Ok(check.fail(f)),
    };
    check.verification_method = Some(vm.to_owned());
    let method = match resolve_method(opts.resolver, vm, purpose)? {
        Ok(m) => m,
        Err(f) => return Ok(check.fail(f)),
    };
    let Some(canonicalizer) = opts.canonicalizer else {
        return Err(VerifyError::NoCanonicalizer);
    };
    let hash = suite::di::rdfc_hash(suite, &method.key);
    let slot = &mut doc_canon[usize::from(hash == RdfcHash::Sha384)];
    let canon = match slot {
        Some(c) => c.as_str(),
        None => {
            let c = canonicalizer
                .canonicalize_with(unsecured, hash)
                .map_err(VerifyError::Canonicalization)?;
            slot.insert(c).as_str()
        }
    };
    match suite {
        Suite::JsonWebSignature2020 => {
            let hint = opts.flavour_hint;
            suite::jws2020::verify(
                proof_obj,
                unsecured,
                canon,
                &method,
                canonicalizer,
                hint,
                check,
            )
        }
        _ => suite::di::verify(proof_obj, unsecured, canon, &method, canonicalizer, check),
    }
}

/// Proof purpose, challenge and domain; returns the verification method URL.
fn common_checks<'p>(
    proof: &'p Map<String, Value>,
    purpose: &str,
    opts: &VerifyOptions<'_>,
) -> Result<&'p str, Failure> {
    let vm = proof
        .get("verificationMethod")
        .and_then(|v| v.as_str().or_else(|| v.get("id").and_then(Value::as_str)))
        .ok_or_else(|| Failure::MalformedProof("no verificationMethod".into()))?;
    let found = proof
        .get("proofPurpose")
        .and_then(Value::as_str)
        .unwrap_or("");
    if found != purpose {
        return Err(Failure::WrongPurpose {
            expected: purpose.to_owned(),
            found: found.to_owned(),
        });
    }
    if let Some(expected) = opts.challenge {
        let found = proof.get("challenge").and_then(Value::as_str);
        if found != Some(expected) {
            return Err(Failure::WrongChallenge {
                expected: expected.to_owned(),
                found: found.map(str::to_owned),
            });
        }
    }
    if let Some(expected) = opts.domain {
        let found = proof.get("domain");
        let ok = match found {
            Some(Value::String(s)) => s == expected,
            Some(Value::Array(a)) => a.iter().any(|d| d == expected),
            _ => false,
        };
        if !ok {
            return Err(Failure::WrongDomain {
                expected: expected.to_owned(),
                found: found.map(|v| v.to_string()),
            });
        }
    }
    Ok(vm)
}

/// Dereferences a method and checks the verification relationship.
pub(crate) fn resolve_method(
    resolver: &Resolver,
    url: &str,
    purpose: &str,
) -> Result<Result<VerificationMethod, Failure>, VerifyError> {
    let Some(deref) = resolver.dereference(url, purpose)? else {
        return Ok(Err(Failure::MethodNotFound(url.to_owned())));
    };
    if deref.purpose_allowed == Some(false) {
        return Ok(Err(Failure::PurposeNotAllowed {
            method: url.to_owned(),
            purpose: purpose.to_owned(),
        }));
    }
    Ok(Ok(deref.method))
}
