//! The verification report: "invalid" is a value here, with the reason.
//!
//! Shape follows the verification outcome of VC Data Model 2.0 §7.1
//! (<https://www.w3.org/TR/vc-data-model-2.0/#verification>): per proof, which suite, which
//! key and which check failed.

use std::fmt;

use serde_json::{Value, json};

pub use gxa_credential::Format;

use crate::{Algorithm, AlgorithmRejected, SignatureFailure};

/// The securing mechanism of one proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// `JsonWebSignature2020` (both flavours).
    JsonWebSignature2020,
    /// `DataIntegrityProof` with `eddsa-rdfc-2022`.
    EddsaRdfc2022,
    /// `DataIntegrityProof` with `ecdsa-rdfc-2019`.
    EcdsaRdfc2019,
    /// VC-JOSE `vc+jwt` (or a VC 1.1 JWT with a `vc` claim).
    VcJwt,
    /// VC-JOSE `vp+jwt`.
    VpJwt,
    /// A proof type this crate does not implement.
    Unknown,
}

impl Suite {
    /// Stable name used in reports and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::JsonWebSignature2020 => "JsonWebSignature2020",
            Self::EddsaRdfc2022 => "eddsa-rdfc-2022",
            Self::EcdsaRdfc2019 => "ecdsa-rdfc-2019",
            Self::VcJwt => "vc+jwt",
            Self::VpJwt => "vp+jwt",
            Self::Unknown => "unknown",
        }
    }
}

/// Which JsonWebSignature2020 signing input matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// W3C-CCG: sha256(c14n(proof options)) ‖ sha256(c14n(document)), 64 raw bytes.
    Spec,
    /// Gaia-X: the 64 hex characters of sha256(c14n(document)); proof options unsigned.
    GaiaX,
}

impl Flavour {
    /// Stable name (`jws2020` / `jws2020-gaiax`, as the CLI suites).
    pub fn name(self) -> &'static str {
        match self {
            Self::Spec => "jws2020",
            Self::GaiaX => "jws2020-gaiax",
        }
    }
}

/// Which JsonWebSignature2020 flavour verified last, tried first next time.
///
/// A signature check cannot tell the flavours apart, so a proof of the flavour tried second
/// costs two signature checks; an issuer signs all its credentials one way, so a verifier that
/// keeps the flavour that matched last checks each proof once. Only the order changes: a proof
/// fails only after both flavours were tried, and the outcome (and the reason) is the same in
/// either order (`jws2020_outcome_does_not_depend_on_the_hint`). Shared between threads.
#[derive(Debug, Default)]
pub struct FlavourHint(std::sync::atomic::AtomicBool);

impl FlavourHint {
    /// The flavour tried first.
    pub fn first(&self) -> Flavour {
        if self.spec_first() {
            Flavour::Spec
        } else {
            Flavour::GaiaX
        }
    }

    /// Whether the spec flavour is to be tried first.
    pub(crate) fn spec_first(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Records the flavour that matched. Written only when it changes: every verification
    /// of a batch's workers reads the hint, and a write per verification would move its cache
    /// line between cores each time.
    pub(crate) fn matched(&self, flavour: Flavour) {
        let spec = flavour == Flavour::Spec;
        if self.spec_first() != spec {
            self.0.store(spec, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

/// Why a proof or credential is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// Not a well-formed JWS / JWT.
    #[error("malformed JWS: {0}")]
    MalformedJws(String),
    /// `alg` refused (none, HMAC, unknown).
    #[error("{0}")]
    Algorithm(AlgorithmRejected),
    /// The header names its own key (`jwk`, `x5c`, `jku`, `x5u`); keys come from the DID only.
    #[error("JWS header member {0:?} is not accepted: keys come from the verification method")]
    KeyInHeader(String),
    /// `crit` lists something not understood, or is malformed.
    #[error("unsupported crit entry {0:?}")]
    UnknownCrit(String),
    /// JsonWebSignature2020 requires an unencoded detached payload (`b64: false`, `crit: [b64]`).
    #[error("JsonWebSignature2020 requires b64: false with crit [\"b64\"]")]
    B64NotFalse,
    /// `b64` outside of JsonWebSignature2020.
    #[error("b64 is not allowed in a JWT")]
    B64InJwt,
    /// `typ`/`cty` not one of the accepted media types.
    #[error("media type {0:?} not accepted")]
    MediaType(String),
    /// A VC-JOSE payload has a `vc` or `vp` claim.
    #[error("claim {0:?} is not allowed in a VC-JOSE payload")]
    ForbiddenClaim(String),
    /// No `kid` and no other way to find the key.
    #[error("no kid: cannot tell which key signed")]
    MissingKid,
    /// The signature check failed.
    #[error("{0}")]
    Signature(SignatureFailure),
    /// `publicKeyJwk.alg` pins another algorithm.
    #[error("verification method pins alg {pinned}, proof uses {used}")]
    PinnedAlgorithm {
        /// In the JWK.
        pinned: String,
        /// In the JWS.
        used: Algorithm,
    },
    /// The controller document does not contain this method.
    #[error("verification method {0} not found in its controller document")]
    MethodNotFound(String),
    /// The DID document does not list the method under the proof purpose.
    #[error("{method} is not authorised for {purpose}")]
    PurposeNotAllowed {
        /// Method id.
        method: String,
        /// The relationship.
        purpose: String,
    },
    /// The proof purpose is not the one expected for this document.
    #[error("proof purpose {found:?}, expected {expected:?}")]
    WrongPurpose {
        /// Expected.
        expected: String,
        /// Found (empty if missing).
        found: String,
    },
    /// Wrong or missing challenge / nonce.
    #[error("challenge {found:?} does not match the expected {expected:?}")]
    WrongChallenge {
        /// Expected.
        expected: String,
        /// Found.
        found: Option<String>,
    },
    /// Wrong or missing domain / aud.
    #[error("domain {found:?} does not match the expected {expected:?}")]
    WrongDomain {
        /// Expected.
        expected: String,
        /// Found.
        found: Option<String>,
    },
    /// A proof object is missing required members or is malformed.
    #[error("malformed proof: {0}")]
    MalformedProof(String),
    /// A validity date of the document (`validFrom`, `issuanceDate`, …) is not RFC 3339; it is
    /// reported like a malformed proof (code `malformed-proof`) and belongs to the validity
    /// check.
    #[error("malformed proof: {field} {value:?} is not RFC 3339")]
    MalformedDate {
        /// The member.
        field: &'static str,
        /// Its value.
        value: String,
    },
    /// `proof.@context` is not a prefix of the document's `@context` (Data Integrity §4.5).
    #[error("proof @context does not match the document @context")]
    ContextMismatch,
    /// The document carries no proof.
    #[error("no proof: the document is not secured")]
    MissingProof,
    /// A proof type or cryptosuite this crate does not implement.
    #[error("unsupported proof {0}")]
    UnsupportedProof(String),
    /// Issuer in the header/claims and in the credential disagree, or differ from the key's DID.
    #[error("issuer mismatch: {0}")]
    IssuerMismatch(String),
    /// Outside its validity period at the verification time.
    #[error("not valid at {at}: {reason}")]
    Validity {
        /// The verification time.
        at: String,
        /// Which bound.
        reason: String,
    },
    /// A presentation entry is not a verifiable credential.
    #[error("invalid credential in presentation: {0}")]
    BadEnvelope(String),
}

impl Failure {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MalformedJws(_) => "malformed-jws",
            Self::Algorithm(AlgorithmRejected::None) => "alg-none",
            Self::Algorithm(AlgorithmRejected::Hmac(_)) => "alg-hmac",
            Self::Algorithm(AlgorithmRejected::Unsupported(_)) => "alg-unsupported",
            Self::KeyInHeader(_) => "key-in-header",
            Self::UnknownCrit(_) => "unknown-crit",
            Self::B64NotFalse => "b64-not-false",
            Self::B64InJwt => "b64-in-jwt",
            Self::MediaType(_) => "media-type",
            Self::ForbiddenClaim(_) => "forbidden-claim",
            Self::MissingKid => "missing-kid",
            Self::Signature(SignatureFailure::AlgorithmMismatch { .. }) => "alg-key-mismatch",
            Self::Signature(SignatureFailure::WeakKey(_)) => "weak-key",
            Self::Signature(SignatureFailure::Malformed(_)) => "malformed-signature",
            Self::Signature(SignatureFailure::Mismatch) => "bad-signature",
            Self::PinnedAlgorithm { .. } => "alg-pinned",
            Self::MethodNotFound(_) => "method-not-found",
            Self::PurposeNotAllowed { .. } => "purpose-not-allowed",
            Self::WrongPurpose { .. } => "wrong-purpose",
            Self::WrongChallenge { .. } => "wrong-challenge",
            Self::WrongDomain { .. } => "wrong-domain",
            Self::MalformedProof(_) | Self::MalformedDate { .. } => "malformed-proof",
            Self::ContextMismatch => "context-mismatch",
            Self::MissingProof => "missing-proof",
            Self::UnsupportedProof(_) => "unsupported-proof",
            Self::IssuerMismatch(_) => "issuer-mismatch",
            Self::Validity { .. } => "validity",
            Self::BadEnvelope(_) => "bad-envelope",
        }
    }
}

/// The outcome of one proof.
#[derive(Debug, Clone)]
pub struct ProofCheck {
    /// Suite.
    pub suite: Suite,
    /// For JsonWebSignature2020: which flavour verified (or, when signing, was used).
    pub flavour: Option<Flavour>,
    /// The JWS algorithm, when known.
    pub algorithm: Option<Algorithm>,
    /// The verification method (or `kid`).
    pub verification_method: Option<String>,
    /// `None` when the proof is valid.
    pub failure: Option<Failure>,
}

impl ProofCheck {
    pub(crate) fn new(suite: Suite) -> Self {
        Self {
            suite,
            flavour: None,
            algorithm: None,
            verification_method: None,
            failure: None,
        }
    }

    pub(crate) fn fail(mut self, failure: Failure) -> Self {
        self.failure = Some(failure);
        self
    }

    /// Whether this proof verified.
    pub fn is_valid(&self) -> bool {
        self.failure.is_none()
    }
}

/// The verification result of one credential or presentation, with its embedded credentials.
#[derive(Debug, Clone)]
pub struct VerificationReport {
    /// JSON-LD or JWT.
    pub format: Format,
    /// `VerifiableCredential` / `VerifiablePresentation` (from `type`), if it could be read.
    pub kind: Option<String>,
    /// The document `id`, if any.
    pub id: Option<String>,
    /// One entry per proof (one for a JWT).
    pub proofs: Vec<ProofCheck>,
    /// Document-level failures (no proof, validity period, issuer mismatch…).
    pub failures: Vec<Failure>,
    /// Reports of the credentials inside a presentation.
    pub credentials: Vec<VerificationReport>,
}

impl VerificationReport {
    pub(crate) fn new(format: Format) -> Self {
        Self {
            format,
            kind: None,
            id: None,
            proofs: Vec::new(),
            failures: Vec::new(),
            credentials: Vec::new(),
        }
    }

    /// Valid: at least one proof, every proof valid, no document failure, every embedded
    /// credential valid.
    pub fn is_valid(&self) -> bool {
        !self.proofs.is_empty()
            && self.proofs.iter().all(ProofCheck::is_valid)
            && self.failures.is_empty()
            && self.credentials.iter().all(Self::is_valid)
    }

    /// Every reason for invalidity, one line each, with a path prefix for embedded credentials.
    pub fn reasons(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_reasons("", &mut out);
        out
    }

    fn collect_reasons(&self, prefix: &str, out: &mut Vec<String>) {
        if self.proofs.is_empty() && self.failures.is_empty() {
            out.push(format!("{prefix}{}", Failure::MissingProof));
        }
        for f in &self.failures {
            out.push(format!("{prefix}{f}"));
        }
        for (i, p) in self.proofs.iter().enumerate() {
            if let Some(f) = &p.failure {
                out.push(format!("{prefix}proof {i} ({}): {f}", p.suite.name()));
            }
        }
        for (i, c) in self.credentials.iter().enumerate() {
            c.collect_reasons(&format!("{prefix}credential {i}: "), out);
        }
    }

    /// The report as JSON (for `gx-attest verify --json`).
    pub fn to_json(&self) -> Value {
        let proofs: Vec<Value> = self
            .proofs
            .iter()
            .map(|p| {
                json!({
                    "valid": p.is_valid(),
                    "suite": p.suite.name(),
                    "flavour": p.flavour.map(Flavour::name),
                    "alg": p.algorithm.map(Algorithm::name),
                    "verificationMethod": p.verification_method,
                    "failure": p.failure.as_ref().map(failure_json),
                })
            })
            .collect();
        json!({
            "valid": self.is_valid(),
            "format": self.format.name(),
            "type": self.kind,
            "id": self.id,
            "proofs": proofs,
            "failures": self.failures.iter().map(failure_json).collect::<Vec<_>>(),
            "credentials": self.credentials.iter().map(Self::to_json).collect::<Vec<_>>(),
        })
    }
}

fn failure_json(f: &Failure) -> Value {
    json!({ "code": f.code(), "message": f.to_string() })
}

impl fmt::Display for VerificationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_valid() {
            write!(f, "valid")?;
            for p in &self.proofs {
                write!(
                    f,
                    "\n  {}{} {} by {}",
                    p.suite.name(),
                    p.flavour
                        .map(|fl| format!(" ({})", fl.name()))
                        .unwrap_or_default(),
                    p.algorithm.map(Algorithm::name).unwrap_or("-"),
                    p.verification_method.as_deref().unwrap_or("-")
                )?;
            }
            for c in &self.credentials {
                write!(
                    f,
                    "\n  credential {}: valid",
                    c.id.as_deref().unwrap_or("-")
                )?;
            }
            Ok(())
        } else {
            write!(f, "invalid")?;
            for r in self.reasons() {
                write!(f, "\n  {r}")?;
            }
            Ok(())
        }
    }
}
