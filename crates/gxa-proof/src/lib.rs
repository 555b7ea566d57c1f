#![doc = include_str!("../README.md")]

mod alg;
mod b64;
mod canon;
mod did;
mod jws;
mod jwt;
mod key;
mod keyset;
#[cfg(feature = "pkcs11")]
mod pkcs11;
#[cfg(test)]
mod rejection_tests;
mod report;
mod seal;
mod sign;
mod suite;
mod time;
mod verify;

pub use alg::{Algorithm, AlgorithmRejected};
pub use canon::{Canonicalizer, PinnedJsonLd, RdfcHash};
pub use did::{
    Dereferenced, DidError, Resolver, VerificationMethod, did_jwk, did_key, did_of,
    did_web_from_url, did_web_to_url, method_in,
};
/// The error of a [`Canonicalizer`].
pub use gxa_jsonld::JsonLdError;
pub use jws::verify_detached as verify_detached_jws;
pub use key::{Curve, KeyError, KeyPair, PublicKey, SignatureFailure, Signer};
pub use keyset::{
    DEVELOPMENT_BANNER, DidKey, Generated, KeyEntry, KeySet, KeySetError, KeyStatus,
    create_private_dir, did_document, generate as generate_keyset, open_signer, open_signer_as,
    write_private,
};
#[cfg(feature = "pkcs11")]
pub use pkcs11::{Pkcs11Signer, Pkcs11Uri, generate_on_token};
pub use report::{Failure, Flavour, FlavourHint, Format, ProofCheck, Suite, VerificationReport};
pub use seal::{Sealed, SigningKey, profile_suite, seal, seal_with};
pub use sign::{
    SignError, SignOptions, SignSuite, Signed, default_verification_method, sign,
    with_proof_context,
};
pub use suite::di::hash_hex as di_hash_hex;
pub use time::{format_rfc3339, parse_rfc3339};
pub use verify::{VerifyError, VerifyOptions, verify, verify_document, verify_jwt};

/// SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> aws_lc_rs::digest::Digest {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data)
}
