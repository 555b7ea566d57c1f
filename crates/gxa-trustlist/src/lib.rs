//! ETSI TS 119 612 trusted lists as a source of trust anchors.
//!
//! Gaia-X ICAM 25.11 names trusted lists beside the registry's own API as a source of trust:
//! an EU member state's list (or any list of the same structure, such as a private
//! federation's) names trust service providers and, per service, its type (a CA issuing
//! qualified certificates, `…/Svctype/CA/QC`), its certificates and its status over time
//! (`granted`, `withdrawn`, …). A certificate chain is trusted when it ends at the certificate
//! of a service whose status is one that grants trust at the time of the check.
//!
//! [`TrustedList::load`] takes the list's bytes and the certificates its operator signs with
//! (pinned in configuration, as the EU list of lists pins the national operators'
//! certificates): it refuses a document type declaration, verifies the enveloped XML
//! signature ([`signature`], with the `bergshamra` XML-DSig library: only the pinned keys,
//! never a key the document carries; the signature must cover the whole document) and only
//! then parses the list ([`parse`]). [`TrustedList::anchors`] selects the certificates in force
//! at a time ([`Selection`]).
//!
//! Spec: ETSI TS 119 612 V2.3.1 (2024-11) §5 (the list's fields), §5.5.4 (`ServiceStatus`),
//! §5.6 (`ServiceHistory`), §5.7 (the signature: enveloped XAdES, the whole list signed).

pub mod model;
pub mod parse;
pub mod signature;

pub use model::{
    Pointer, Provider, Scheme, Selection, Service, StatusChange, TrustedList, service_types,
    statuses,
};

/// Why a trusted list was refused.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum TrustListError {
    /// Over the size limit.
    #[error("the list is {size} bytes, more than the limit of {limit}")]
    TooLarge {
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not UTF-8 text.
    #[error("the list is not UTF-8 text")]
    NotUtf8,
    /// A document type declaration: a trusted list has none, and entity expansion is where
    /// XML parsers are attacked.
    #[error("the list has a document type declaration (a trusted list has none)")]
    Doctype,
    /// Not well-formed XML.
    #[error("the list is not well-formed XML: {0}")]
    Xml(String),
    /// The signature is missing, does not verify with a pinned certificate, or does not cover
    /// the whole list.
    #[error("the list's signature: {0}")]
    Signature(String),
    /// A required element is missing or holds a value that is not what the specification
    /// says.
    #[error("{element}: {reason}")]
    Invalid {
        /// The element (its local name, or a path of local names).
        element: String,
        /// What is wrong.
        reason: String,
    },
    /// No signer certificate was configured, or one is not a certificate.
    #[error("signer certificates: {0}")]
    Signers(String),
}

/// Largest list taken by default (bytes): the largest EU national lists are a few MiB.
pub const DEFAULT_MAX_BYTES: usize = 16 * 1024 * 1024;

impl TrustedList {
    /// Verifies the list's signature with one of `signers` (DER certificates) and parses it.
    /// Nothing of an unverified list is read beyond what finding its signature needs.
    pub fn load(
        bytes: &[u8],
        signers: &[rustls_pki_types::CertificateDer<'_>],
        max_bytes: usize,
    ) -> Result<Self, TrustListError> {
        if bytes.len() > max_bytes {
            return Err(TrustListError::TooLarge {
                size: bytes.len(),
                limit: max_bytes,
            });
        }
        let text = std::str::from_utf8(bytes).map_err(|_| TrustListError::NotUtf8)?;
        if has_doctype(text) {
            return Err(TrustListError::Doctype);
        }
        signature::verify(text, signers)?;
        parse::parse(text)
    }
}

/// Whether `<!DOCTYPE` appears anywhere: before the root it is a declaration, and a trusted
/// list has no reason to carry the text elsewhere (a CDATA section), so both are refused
/// before any XML parser sees the list.
fn has_doctype(text: &str) -> bool {
    text.contains("<!DOCTYPE")
}
