//! The list's XML signature (ETSI TS 119 612 §5.7.1: an enveloped XAdES signature, child of
//! the root, whose reference with `URI=""` covers the whole list).
//!
//! Verification is `bergshamra`'s (W3C XML Signature 1.1 with C14N 1.0/1.1 and exclusive
//! C14N, tested by its authors against the xmlsec interoperability suite): with
//! `trusted_keys_only`, so only the pinned signer certificates are tried and a certificate the
//! list carries in its `KeyInfo` is never used as the key. Its structural check that each
//! reference targets the root, an ancestor or a sibling of the signature is off, because the
//! XAdES `SignedProperties` reference targets an element inside the signature; instead this
//! module requires exactly one signature, as a child of the root, and a verified reference
//! with `URI=""`: whatever else is referenced, the whole list is signed, so no element can be
//! moved or wrapped without breaking the signature.

use bergshamra::{DsigContext, KeysManager, VerifyResult};
use roxmltree::{Document, ParsingOptions};
use rustls_pki_types::CertificateDer;

use crate::TrustListError;

/// The XML Signature namespace.
pub const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Verifies `text`'s enveloped signature with one of `signers`.
pub fn verify(text: &str, signers: &[CertificateDer<'_>]) -> Result<(), TrustListError> {
    if signers.is_empty() {
        return Err(TrustListError::Signers(
            "none configured: a trusted list is only read with its operator's certificate"
                .to_owned(),
        ));
    }
    shape(text)?;
    let mut keys = KeysManager::new();
    for (i, cert) in signers.iter().enumerate() {
        let key = bergshamra::keys::loader::load_x509_cert_der(cert.as_ref())
            .map_err(|e| TrustListError::Signers(format!("certificate {}: {e}", i + 1)))?;
        keys.add_key(key);
    }
    let mut context = DsigContext::new(keys);
    context.strict_verification = false;
    match bergshamra::verify(&context, text) {
        Ok(VerifyResult::Valid { references, .. }) => {
            let whole = references
                .iter()
                .any(|r| r.uri.is_empty() && r.digest_verified);
            if whole {
                Ok(())
            } else {
                Err(TrustListError::Signature(
                    "no reference with URI=\"\" (the whole list) was verified".to_owned(),
                ))
            }
        }
        Ok(VerifyResult::Invalid { reason }) => Err(TrustListError::Signature(reason)),
        Err(e) => Err(TrustListError::Signature(e.to_string())),
    }
}

/// Exactly one `ds:Signature`, a child of the root element.
fn shape(text: &str) -> Result<(), TrustListError> {
    let document = Document::parse_with_options(
        text,
        ParsingOptions {
            allow_dtd: false,
            nodes_limit: 4_000_000,
        },
    )
    .map_err(|e| TrustListError::Xml(e.to_string()))?;
    let root = document.root_element();
    let signatures: Vec<_> = document
        .descendants()
        .filter(|n| {
            n.is_element()
                && n.tag_name().name() == "Signature"
                && n.tag_name().namespace() == Some(DSIG_NS)
        })
        .collect();
    match signatures.as_slice() {
        [] => Err(TrustListError::Signature(
            "the list is not signed".to_owned(),
        )),
        [one] if one.parent() == Some(root) => Ok(()),
        [_] => Err(TrustListError::Signature(
            "the signature is not a child of the list's root element".to_owned(),
        )),
        more => Err(TrustListError::Signature(format!(
            "{} signatures; a trusted list has one",
            more.len()
        ))),
    }
}
