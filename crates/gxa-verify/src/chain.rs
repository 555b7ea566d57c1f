//! `x5u` certificate chains: path validation to a trust anchor, the EV policy, and whether a
//! JWK is the leaf's key.
//!
//! Gaia-X binds a did:web key to an organisation through X.509: the `publicKeyJwk` of a
//! `JsonWebKey2020` method carries `x5u`, the HTTPS URL of a PEM chain (leaf, intermediates,
//! optionally the self-signed root); the chain must validate to a trust anchor of the Gaia-X
//! Registry, and the JWK must be the leaf's public key (the Gaia-X verification method rules;
//! the Registry's `POST /api/trustAnchor/chain`). Production registries
//! also require the leaf to be EV (certificate policy `2.23.140.1.1`,
//! [CA/B Forum EV Guidelines §9.3.2](https://cabforum.org/working-groups/server/extended-validation/guidelines/)).
//!
//! Path building and signature checks are rustls-webpki's
//! ([RFC 5280 §6](https://www.rfc-editor.org/rfc/rfc5280#section-6)): validity periods at the
//! verification time, CA basic constraints and path lengths, name constraints, signatures.
//! webpki needs an extended key usage to check; we ask for TLS server authentication *if the
//! leaf states an EKU at all* (`KeyUsage::server_auth`, i.e. `required_if_present`): Gaia-X
//! `x5u` leaves are usually the TLS certificates of the participant's domain, and a leaf without
//! an EKU extension (as `gx-attest keys generate` makes) is accepted; a leaf restricted to other
//! purposes (e-mail protection, code signing) is not.
//!
//! The trust anchor's own validity period is not checked: per
//! [RFC 5280 §6.1.1](https://www.rfc-editor.org/rfc/rfc5280#section-6.1.1) an anchor is an input
//! to path validation, not a certificate of the path, so a root included in the `x5u` document
//! is matched to the configured anchor and its dates are ignored; removing an anchor is the
//! operator's job ([`TrustAnchors::reload`]).
//!
//! Before webpki runs, the document's order is checked (the registry and every Gaia-X tool read
//! the first certificate as the leaf), and when webpki finds no path the chain is walked by name
//! to say *why*: an untrusted root, or which intermediate is missing.

use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, UnixTime};
use serde_json::Value;
use webpki::{EndEntityCert, KeyUsage};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::RSAPublicKey;
use x509_parser::x509::{SubjectPublicKeyInfo, X509Name};

use crate::anchors::{TrustAnchors, ValidatedPeriod};

/// The CA/Browser Forum EV policy identifier the Gaia-X registries look for.
pub(crate) const EV_POLICY_OID: &str = "2.23.140.1.1";

/// Most certificates accepted in one `x5u` document (bounds parsing and path building).
pub(crate) const MAX_CHAIN_CERTIFICATES: usize = 10;

/// What [`validate_chain`] requires beyond a valid path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainPolicy {
    /// The leaf must carry the EV policy `2.23.140.1.1` (production Gaia-X registries).
    pub require_ev: bool,
}

/// A chain that validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedChain {
    /// The leaf's subject, RFC 4514 style (`CN=…, O=…`).
    pub leaf_subject: String,
    /// The subject of the trust anchor the path ends at.
    pub root_subject: String,
    /// The leaf's `SubjectPublicKeyInfo`, DER (compare with [`jwk_matches_spki`]).
    pub leaf_public_key_spki_der: Vec<u8>,
    /// When the first certificate of the validated path (leaf or intermediate) expires: the
    /// chain is valid until then at most.
    pub not_after: jiff::Timestamp,
    /// Whether the leaf carries the EV policy.
    pub ev: bool,
}

/// Why a chain does not validate (or the anchors did not load). Each is a verdict about the
/// chain ("invalid"), except [`ChainError::Anchors`], which is a configuration error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The document holds no `CERTIFICATE` section.
    #[error("the x5u document holds no certificate")]
    Empty,
    /// Broken PEM or DER.
    #[error("malformed certificate chain: {0}")]
    Malformed(String),
    /// More than 10 certificates (bounds parsing and path building).
    #[error("the x5u document holds {0} certificates, more than {MAX_CHAIN_CERTIFICATES}")]
    TooManyCertificates(usize),
    /// A certificate of the chain expired before the verification time.
    #[error("certificate {subject:?} expired at {not_after}")]
    Expired {
        /// Its subject.
        subject: String,
        /// Its `notAfter`.
        not_after: String,
    },
    /// A certificate of the chain is not valid yet at the verification time.
    #[error("certificate {subject:?} is not valid before {not_before}")]
    NotYetValid {
        /// Its subject.
        subject: String,
        /// Its `notBefore`.
        not_before: String,
    },
    /// The document is not in order leaf, issuer of the leaf, its issuer, ….
    #[error(
        "certificate {position} ({subject:?}) is out of order: x5u lists the leaf first, then each certificate's issuer"
    )]
    WrongOrder {
        /// 1-based position of the first certificate out of place.
        position: usize,
        /// Its subject.
        subject: String,
    },
    /// The chain ends at a self-signed root that is not a trust anchor.
    #[error("the chain ends at {root:?}, which is not a trust anchor")]
    UntrustedRoot {
        /// The root's subject.
        root: String,
    },
    /// The issuer of a certificate is neither in the document nor a trust anchor: an
    /// intermediate is missing (or the document stops below a root that is not an anchor; a
    /// Gaia-X `x5u` should include its self-signed root, which then makes this
    /// [`ChainError::UntrustedRoot`]).
    #[error(
        "no certificate for {issuer:?}, the issuer of {subject:?}: the chain is incomplete (missing intermediate) or ends below an untrusted root"
    )]
    MissingIntermediate {
        /// The certificate whose issuer is missing.
        subject: String,
        /// The missing issuer's name.
        issuer: String,
    },
    /// No path to a trust anchor, for a reason the name walk cannot tell.
    #[error("no path from {leaf:?} to a trust anchor")]
    UnknownIssuer {
        /// The leaf's subject.
        leaf: String,
    },
    /// A certificate's signature does not verify with its issuer's key.
    #[error("a certificate signature in the chain does not verify")]
    BadSignature,
    /// An issuing certificate is not a CA (basic constraints).
    #[error("{subject:?} issues a certificate but is not a CA")]
    NotCa {
        /// The non-CA issuer.
        subject: String,
    },
    /// The first certificate is a CA certificate, not an end-entity.
    #[error("the leaf {subject:?} is a CA certificate, not an end-entity certificate")]
    LeafIsCa {
        /// Its subject.
        subject: String,
    },
    /// A signature or key algorithm webpki does not accept.
    #[error("unsupported signature algorithm in the chain: {0}")]
    UnsupportedAlgorithm(String),
    /// The leaf's extended key usage excludes TLS server authentication.
    #[error("the leaf's extended key usage does not include TLS server authentication")]
    KeyUsage,
    /// EV was required and the leaf has no EV policy.
    #[error("the leaf {subject:?} is not EV: certificate policy {EV_POLICY_OID} is missing")]
    NoEvPolicy {
        /// The leaf's subject.
        subject: String,
    },
    /// The verification time is before 1970 (webpki counts from the Unix epoch).
    #[error("verification time {0} is before 1970")]
    InvalidTime(String),
    /// Any other webpki rejection (name or path-length constraints, unsupported critical
    /// extension, …).
    #[error("certificate chain rejected: {0}")]
    Other(String),
    /// The trust anchors could not be read (configuration, not a verdict).
    #[error("trust anchors from {source_name}: {reason}")]
    Anchors {
        /// File, directory or "PEM text".
        source_name: String,
        /// What failed.
        reason: String,
    },
}

/// Validates an `x5u` document (`pem`: leaf first, then intermediates, optionally the root) at
/// `at` against `anchors`, then checks the EV policy if `policy` requires it.
///
/// A chain that validated is remembered with the anchor set (up to 1 024 chains; a reload
/// forgets them), so verifying many credentials of one issuer validates its chain once
/// (about 130 µs) and then costs a lookup, for any `at` inside the period all certificates
/// of the path share.
pub fn validate_chain(
    pem: &[u8],
    anchors: &TrustAnchors,
    at: jiff::Timestamp,
    policy: &ChainPolicy,
) -> Result<ValidatedChain, ChainError> {
    let set = anchors.snapshot();
    let secs = at.as_second();
    let chain = match set.cached(pem, secs) {
        Some(chain) => chain,
        None => {
            let period = validate_uncached(pem, &set.anchors, at)?;
            let chain = period.chain.clone();
            set.remember(pem, period);
            chain
        }
    };
    if policy.require_ev && !chain.ev {
        return Err(ChainError::NoEvPolicy {
            subject: chain.leaf_subject,
        });
    }
    Ok(chain)
}

/// What a Gaia-X registry checks of an `x5u` document on its own, before its trust anchors:
/// the facts [`inspect_chain`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainFacts {
    /// Certificates in the document.
    pub certificates: usize,
    /// The leaf's subject.
    pub leaf_subject: String,
    /// The leaf's `SubjectPublicKeyInfo`, DER.
    pub leaf_public_key_spki_der: Vec<u8>,
    /// Whether the leaf carries the EV policy `2.23.140.1.1`.
    pub ev: bool,
    /// The subject of the self-signed root the document ends with, when it ends with one and
    /// the path from the leaf validates to it; `None` when the last certificate is not
    /// self-issued (a certbot `fullchain.pem`, which registries refuse).
    pub self_signed_root: Option<String>,
    /// The last certificate's subject.
    pub last_subject: String,
}

/// The facts of an `x5u` document without any trust anchor: order (leaf first), the leaf's EV
/// policy, and whether it ends with a self-signed root the path validates to at `at` (the
/// document's own last certificate as the anchor: signatures, validity periods and CA
/// constraints checked as in [`validate_chain`]). Errors: malformed, out of order, or a path
/// that does not validate to the root the document names.
pub fn inspect_chain(pem: &[u8], at: jiff::Timestamp) -> Result<ChainFacts, ChainError> {
    let ders = read_pem(pem)?;
    let parsed = ders
        .iter()
        .enumerate()
        .map(|(i, der)| parse_cert(i, der))
        .collect::<Result<Vec<_>, _>>()?;
    let (Some(leaf), Some(last), Some(last_der)) = (parsed.first(), parsed.last(), ders.last())
    else {
        return Err(ChainError::Empty);
    };
    check_order(&parsed)?;
    let self_signed_root = if last.self_issued() && parsed.len() > 1 {
        let anchor = webpki::anchor_from_trusted_cert(last_der)
            .map_err(|e| ChainError::Malformed(format!("root certificate: {e:?}")))?
            .to_owned();
        validate_uncached(pem, &[anchor], at)?;
        Some(last.subject.clone())
    } else {
        None
    };
    Ok(ChainFacts {
        certificates: parsed.len(),
        leaf_subject: leaf.subject.clone(),
        leaf_public_key_spki_der: leaf.cert.public_key().raw.to_vec(),
        ev: has_ev_policy(&leaf.cert),
        self_signed_root,
        last_subject: last.subject.clone(),
    })
}

/// The path validation proper, with the period in which the validated path holds.
fn validate_uncached(
    pem: &[u8],
    anchors: &[rustls_pki_types::TrustAnchor<'static>],
    at: jiff::Timestamp,
) -> Result<ValidatedPeriod, ChainError> {
    let ders = read_pem(pem)?;
    let parsed = ders
        .iter()
        .enumerate()
        .map(|(i, der)| parse_cert(i, der))
        .collect::<Result<Vec<_>, _>>()?;
    let (Some(leaf_der), Some(leaf)) = (ders.first(), parsed.first()) else {
        return Err(ChainError::Empty);
    };
    check_order(&parsed)?;

    let time = u64::try_from(at.as_second())
        .map(|secs| UnixTime::since_unix_epoch(Duration::from_secs(secs)))
        .map_err(|_| ChainError::InvalidTime(at.to_string()))?;
    let ee = EndEntityCert::try_from(leaf_der)
        .map_err(|e| ChainError::Malformed(format!("leaf certificate: {e:?}")))?;
    let intermediates = ders.get(1..).unwrap_or_default();
    let path = ee
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            anchors,
            intermediates,
            time,
            KeyUsage::server_auth(),
            None,
            None,
        )
        .map_err(|e| diagnose(&e, &parsed, anchors, at))?;

    let root_subject = describe_name(&path.anchor().subject);
    let mut not_before = leaf.cert.validity().not_before.timestamp();
    let mut not_after = leaf.cert.validity().not_after.timestamp();
    for cert in path.intermediate_certificates() {
        let der = cert.der();
        if let Some(p) = ders
            .iter()
            .position(|d| d.as_ref() == der.as_ref())
            .and_then(|i| parsed.get(i))
        {
            not_before = not_before.max(p.cert.validity().not_before.timestamp());
            not_after = not_after.min(p.cert.validity().not_after.timestamp());
        }
    }
    Ok(ValidatedPeriod {
        chain: ValidatedChain {
            leaf_subject: leaf.subject.clone(),
            root_subject,
            leaf_public_key_spki_der: leaf.cert.public_key().raw.to_vec(),
            not_after: jiff::Timestamp::from_second(not_after).unwrap_or(jiff::Timestamp::MAX),
            ev: has_ev_policy(&leaf.cert),
        },
        not_before,
        not_after,
    })
}

/// Does `jwk` (OKP Ed25519, EC P-256/P-384/P-521/secp256k1, RSA) denote the same public key
/// as `spki_der`? Private members of the JWK are ignored; anything unreadable is `false`.
/// RSA keys match under `rsaEncryption` and `RSASSA-PSS` SPKIs alike; an EC point may be
/// compressed in the certificate.
pub fn jwk_matches_spki(jwk: &Value, spki_der: &[u8]) -> bool {
    let Ok(key) = gxa_proof::PublicKey::from_jwk(jwk) else {
        return false;
    };
    let Ok((rest, spki)) = SubjectPublicKeyInfo::from_der(spki_der) else {
        return false;
    };
    if !rest.is_empty() {
        return false;
    }
    let alg = spki.algorithm.algorithm.to_id_string();
    let data: &[u8] = &spki.subject_public_key.data;
    match (alg.as_str(), &key) {
        ("1.3.101.112", gxa_proof::PublicKey::Ed25519(x)) => data == x.as_slice(),
        ("1.2.840.10045.2.1", gxa_proof::PublicKey::Ec { curve, point }) => {
            let named = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string());
            let want = match curve {
                gxa_proof::Curve::P256 => "1.2.840.10045.3.1.7",
                gxa_proof::Curve::P384 => "1.3.132.0.34",
                gxa_proof::Curve::P521 => "1.3.132.0.35",
                gxa_proof::Curve::Secp256k1 => "1.3.132.0.10",
            };
            if named.as_deref() != Some(want) {
                return false;
            }
            match data.first() {
                Some(4) => data == point.as_slice(),
                // Compressed: x and the parity of y.
                Some(&prefix @ (2 | 3)) => {
                    let len = curve.coordinate_len();
                    let (Some(x), Some(y_last)) = (point.get(1..=len), point.last()) else {
                        return false;
                    };
                    data.get(1..) == Some(x) && (prefix == 3) == (y_last & 1 == 1)
                }
                _ => false,
            }
        }
        ("1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10", gxa_proof::PublicKey::Rsa { n, e }) => {
            match RSAPublicKey::from_der(data) {
                Ok(([], rsa)) => {
                    strip_zeros(rsa.modulus) == n.as_slice()
                        && strip_zeros(rsa.exponent) == e.as_slice()
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// An RFC 4514-style rendering of a DER `Name` *content* (the SEQUENCE without its tag and
/// length, as webpki stores anchor subjects).
pub(crate) fn describe_name(name_content: &[u8]) -> String {
    match X509Name::from_der(&name_der(name_content)) {
        Ok((_, name)) => name.to_string(),
        Err(_) => "(unreadable name)".to_owned(),
    }
}

/// The full DER of a `Name` from its content (re-adds the SEQUENCE tag and length).
fn name_der(content: &[u8]) -> Vec<u8> {
    let mut der = Vec::with_capacity(content.len() + 6);
    der.push(0x30);
    der.extend_from_slice(&der_length(content.len()));
    der.extend_from_slice(content);
    der
}

fn strip_zeros(v: &[u8]) -> &[u8] {
    let zeros = v.iter().take_while(|b| **b == 0).count();
    if zeros == v.len() {
        v.get(v.len().saturating_sub(1)..).unwrap_or_default()
    } else {
        v.get(zeros..).unwrap_or_default()
    }
}

struct Parsed<'a> {
    cert: X509Certificate<'a>,
    subject: String,
    subject_raw: &'a [u8],
    issuer_raw: &'a [u8],
}

impl Parsed<'_> {
    fn self_issued(&self) -> bool {
        self.subject_raw == self.issuer_raw
    }
}

fn read_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, ChainError> {
    let mut ders = Vec::new();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| ChainError::Malformed(format!("PEM: {e}")))?;
        if ders.len() == MAX_CHAIN_CERTIFICATES {
            let total = ders.len()
                + 1
                + CertificateDer::pem_slice_iter(pem)
                    .skip(ders.len() + 1)
                    .count();
            return Err(ChainError::TooManyCertificates(total));
        }
        ders.push(cert);
    }
    if ders.is_empty() {
        return Err(ChainError::Empty);
    }
    Ok(ders)
}

fn parse_cert<'a>(i: usize, der: &'a CertificateDer<'_>) -> Result<Parsed<'a>, ChainError> {
    let (rest, cert) = X509Certificate::from_der(der.as_ref())
        .map_err(|e| ChainError::Malformed(format!("certificate {}: {e}", i + 1)))?;
    if !rest.is_empty() {
        return Err(ChainError::Malformed(format!(
            "certificate {}: trailing data after the certificate",
            i + 1
        )));
    }
    let subject_raw = cert.tbs_certificate.subject.as_raw();
    let issuer_raw = cert.tbs_certificate.issuer.as_raw();
    Ok(Parsed {
        subject: cert.subject().to_string(),
        cert,
        subject_raw,
        issuer_raw,
    })
}

/// The document must list the leaf first and then, as far as it goes, each certificate's
/// issuer. Only an order mistake is reported here: a certificate that is simply missing is
/// left to the path validation (and its diagnosis).
fn check_order(certs: &[Parsed<'_>]) -> Result<(), ChainError> {
    if let Some(first) = certs.first()
        && certs.len() > 1
        && first.cert.is_ca()
    {
        return Err(ChainError::WrongOrder {
            position: 1,
            subject: first.subject.clone(),
        });
    }
    for (i, pair) in certs.windows(2).enumerate() {
        let [child, next] = pair else { continue };
        if next.subject_raw == child.issuer_raw {
            continue;
        }
        let issuer_elsewhere = certs
            .iter()
            .enumerate()
            .any(|(k, c)| k != i + 1 && k != i && c.subject_raw == child.issuer_raw);
        if issuer_elsewhere || child.self_issued() {
            return Err(ChainError::WrongOrder {
                position: i + 2,
                subject: next.subject.clone(),
            });
        }
    }
    Ok(())
}

fn has_ev_policy(cert: &X509Certificate<'_>) -> bool {
    cert.extensions()
        .iter()
        .any(|ext| match ext.parsed_extension() {
            ParsedExtension::CertificatePolicies(policies) => policies
                .iter()
                .any(|p| p.policy_id.to_id_string() == EV_POLICY_OID),
            _ => false,
        })
}

fn format_time(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).map_or_else(|_| secs.to_string(), |t| t.to_string())
}

/// Turns a webpki error into a specific reason, using the parsed certificates.
fn diagnose(
    e: &webpki::Error,
    certs: &[Parsed<'_>],
    anchors: &[rustls_pki_types::TrustAnchor<'static>],
    at: jiff::Timestamp,
) -> ChainError {
    use webpki::Error as W;
    let at = at.as_second();
    let leaf_subject = certs.first().map(|c| c.subject.clone()).unwrap_or_default();
    match e {
        W::CertExpired { .. } => {
            let expired = certs
                .iter()
                .find(|c| c.cert.validity().not_after.timestamp() < at);
            ChainError::Expired {
                subject: expired.map_or_else(String::new, |c| c.subject.clone()),
                not_after: expired.map_or_else(String::new, |c| {
                    format_time(c.cert.validity().not_after.timestamp())
                }),
            }
        }
        W::CertNotValidYet { .. } => {
            let early = certs
                .iter()
                .find(|c| c.cert.validity().not_before.timestamp() > at);
            ChainError::NotYetValid {
                subject: early.map_or_else(String::new, |c| c.subject.clone()),
                not_before: early.map_or_else(String::new, |c| {
                    format_time(c.cert.validity().not_before.timestamp())
                }),
            }
        }
        W::UnknownIssuer => unknown_issuer(certs, anchors)
            .unwrap_or(ChainError::UnknownIssuer { leaf: leaf_subject }),
        W::InvalidSignatureForPublicKey => ChainError::BadSignature,
        W::EndEntityUsedAsCa => ChainError::NotCa {
            subject: certs
                .iter()
                .skip(1)
                .find(|c| !c.cert.is_ca())
                .map_or_else(String::new, |c| c.subject.clone()),
        },
        W::CaUsedAsEndEntity => ChainError::LeafIsCa {
            subject: leaf_subject,
        },
        W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
        | W::SignatureAlgorithmMismatch => ChainError::UnsupportedAlgorithm(format!("{e:?}")),
        W::RequiredEkuNotFoundContext(_) => ChainError::KeyUsage,
        W::BadDer | W::BadDerTime | W::TrailingData(_) | W::MalformedExtensions => {
            ChainError::Malformed(format!("{e:?}"))
        }
        other => ChainError::Other(format!("{other:?}")),
    }
}

/// Walks from the leaf by issuer name through the document's certificates: the first issuer
/// that is neither in the document nor an anchor is missing; a self-signed end that is not an
/// anchor is an untrusted root. `None` when the names do reach an anchor (then the failure is
/// something else, such as a key that does not match the name).
fn unknown_issuer(
    certs: &[Parsed<'_>],
    anchors: &[rustls_pki_types::TrustAnchor<'static>],
) -> Option<ChainError> {
    let anchor_names: Vec<Vec<u8>> = anchors
        .iter()
        .map(|a| name_der(a.subject.as_ref()))
        .collect();
    let mut current = certs.first()?;
    for _ in 0..=certs.len() {
        if anchor_names
            .iter()
            .any(|n| n.as_slice() == current.issuer_raw)
        {
            return None;
        }
        if current.self_issued() {
            return Some(ChainError::UntrustedRoot {
                root: current.subject.clone(),
            });
        }
        match certs
            .iter()
            .find(|c| c.subject_raw == current.issuer_raw && !std::ptr::eq(*c, current))
        {
            Some(next) => current = next,
            None => {
                return Some(ChainError::MissingIntermediate {
                    subject: current.subject.clone(),
                    issuer: current.cert.issuer().to_string(),
                });
            }
        }
    }
    None
}

fn der_length(len: usize) -> Vec<u8> {
    if len < 0x80 {
        // Fits one byte by the branch condition.
        return vec![u8::try_from(len).unwrap_or(0)];
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = bytes.get(skip..).unwrap_or_default();
    let mut out = vec![0x80 | u8::try_from(significant.len()).unwrap_or(0)];
    out.extend_from_slice(significant);
    out
}
