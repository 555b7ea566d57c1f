//! Signed uploads exactly as the SCS test runner sends them, verified against an OpenSSH
//! allowed-signers file.
//!
//! The runner signs the concatenated reports with `ssh-keygen -Y sign -n report` and POSTs
//! `<armored SSH signature>&<report bytes>` (`curl --data-binary @x.sig --data-binary @x`,
//! `Content-Type: application/x-signed-yaml`). As the compliance monitor does, the body is split
//! after the first `-----END SSH SIGNATURE-----\n&`: the signature is everything before the `&`
//! (trailing newline included), the report everything after it.
//!
//! Verification ([PROTOCOL.sshsig]): the signature's namespace must be `report`, its public key
//! must be listed in the allowed-signers file (for that namespace, when the line restricts
//! namespaces), and the signature must verify over the report bytes. Unlike the monitor, we keep
//! the exact body: [`VerifiedUpload::body_sri`] is the SHA-256 of it in Subresource Integrity form,
//! so an attestation can point at the bytes anyone holding the upload can re-check.
//!
//! Allowed-signers format: `ssh-keygen(1)` "ALLOWED SIGNERS". Supported options:
//! `namespaces="..."`. `cert-authority`, `valid-after` and `valid-before` are refused with an
//! error (we would otherwise silently widen what the file allows).
//!
//! Key types: ed25519 (what `add_subject.py` generates), sk-ssh-ed25519 and ECDSA P-256/P-384.
//! RSA is not compiled in (the `rsa` crate carries an open timing advisory) and is reported as
//! an unsupported key type.
//!
//! [PROTOCOL.sshsig]: https://cvsweb.openbsd.org/src/usr.bin/ssh/PROTOCOL.sshsig?annotate=HEAD

use base64::Engine as _;
use sha2::{Digest, Sha256};
use ssh_key::{Algorithm, EcdsaCurve, HashAlg, LineEnding, PublicKey, SshSig};

/// The SSHSIG namespace SCS reports are signed in.
pub const SIGNATURE_NAMESPACE: &str = "report";

const BEGIN: &[u8] = b"-----BEGIN SSH SIGNATURE-----";
const SEPARATOR: &[u8] = b"-----END SSH SIGNATURE-----\n&";

/// `sha256-<base64>`: the SHA-256 of `bytes` in Subresource Integrity form
/// (<https://www.w3.org/TR/SRI/#integrity-metadata>).
pub fn sri_sha256(bytes: &[u8]) -> String {
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
    )
}

/// A signed upload body split into its two parts (nothing verified yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedUpload<'a> {
    /// The armored signature, up to and including the newline before `&`.
    pub signature: &'a [u8],
    /// The report bytes after `&`: what was signed.
    pub report: &'a [u8],
}

impl<'a> SignedUpload<'a> {
    /// Whether `body` starts like a signed upload (an armored SSH signature).
    pub fn looks_signed(body: &[u8]) -> bool {
        body.starts_with(BEGIN)
    }

    /// Splits `body` after the first `-----END SSH SIGNATURE-----\n&`.
    pub fn split(body: &'a [u8]) -> Result<Self, UploadError> {
        if !Self::looks_signed(body) {
            return Err(UploadError::NotSigned);
        }
        let at = body
            .windows(SEPARATOR.len())
            .position(|w| w == SEPARATOR)
            .ok_or(UploadError::MissingSeparator)?;
        let cut = at + SEPARATOR.len() - 1;
        Ok(Self {
            signature: &body[..cut],
            report: &body[cut + 1..],
        })
    }
}

/// One line of an allowed-signers file.
#[derive(Debug, Clone)]
struct AllowedSigner {
    principals: Vec<String>,
    namespaces: Option<Vec<String>>,
    key: PublicKey,
}

/// An OpenSSH allowed-signers file.
#[derive(Debug, Clone, Default)]
pub struct AllowedSigners {
    signers: Vec<AllowedSigner>,
}

/// An allowed-signers file that could not be read. `line` counts from 1.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AllowedSignersError {
    /// Too few fields.
    #[error("allowed signers line {line}: expected `principals [options] keytype key`")]
    Incomplete {
        /// The line.
        line: usize,
    },
    /// An option we do not implement.
    #[error("allowed signers line {line}: option {option:?} is not supported")]
    UnsupportedOption {
        /// The line.
        line: usize,
        /// The option.
        option: String,
    },
    /// A key that does not parse.
    #[error("allowed signers line {line}: bad public key: {message}")]
    BadKey {
        /// The line.
        line: usize,
        /// The parser's message.
        message: String,
    },
    /// An unterminated quote.
    #[error("allowed signers line {line}: unterminated quote")]
    Quote {
        /// The line.
        line: usize,
    },
    /// No signer at all.
    #[error("the allowed signers file lists no key")]
    Empty,
}

/// Splits on whitespace outside double quotes; quotes are kept inside tokens.
fn tokens(line: &str, number: usize) -> Result<Vec<&str>, AllowedSignersError> {
    let mut out = Vec::new();
    let mut start = None;
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => {
                quoted = !quoted;
                start.get_or_insert(i);
            }
            c if c.is_whitespace() && !quoted => {
                if let Some(s) = start.take() {
                    out.push(&line[s..i]);
                }
            }
            _ => {
                start.get_or_insert(i);
            }
        }
    }
    if quoted {
        return Err(AllowedSignersError::Quote { line: number });
    }
    if let Some(s) = start {
        out.push(&line[s..]);
    }
    Ok(out)
}

/// Splits an options field on commas outside double quotes.
fn split_options(options: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in options.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&options[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&options[start..]);
    out
}

fn is_key_type(token: &str) -> bool {
    token.starts_with("ssh-") || token.starts_with("ecdsa-") || token.starts_with("sk-")
}

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

impl AllowedSigners {
    /// Parses an allowed-signers file (`#` comments and blank lines skipped).
    pub fn parse(text: &str) -> Result<Self, AllowedSignersError> {
        let mut signers = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let number = index + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields = tokens(line, number)?;
            let (principals, rest) = fields
                .split_first()
                .ok_or(AllowedSignersError::Incomplete { line: number })?;
            let (options, rest) = match rest.first() {
                Some(first) if !is_key_type(first) => (Some(*first), &rest[1..]),
                _ => (None, rest),
            };
            let [key_type, key_b64, ..] = rest else {
                return Err(AllowedSignersError::Incomplete { line: number });
            };
            let mut namespaces = None;
            for option in options.map(split_options).into_iter().flatten() {
                let (name, value) = option.split_once('=').unwrap_or((option, ""));
                if name.eq_ignore_ascii_case("namespaces") {
                    namespaces = Some(
                        unquote(value)
                            .split(',')
                            .map(|n| n.trim().to_owned())
                            .collect(),
                    );
                } else {
                    return Err(AllowedSignersError::UnsupportedOption {
                        line: number,
                        option: name.to_owned(),
                    });
                }
            }
            let key = PublicKey::from_openssh(&format!("{key_type} {key_b64}")).map_err(|e| {
                AllowedSignersError::BadKey {
                    line: number,
                    message: e.to_string(),
                }
            })?;
            signers.push(AllowedSigner {
                principals: unquote(principals).split(',').map(str::to_owned).collect(),
                namespaces,
                key,
            });
        }
        if signers.is_empty() {
            return Err(AllowedSignersError::Empty);
        }
        Ok(Self { signers })
    }

    /// How many keys are listed.
    pub fn len(&self) -> usize {
        self.signers.len()
    }

    /// Whether no key is listed (never true for a parsed file).
    pub fn is_empty(&self) -> bool {
        self.signers.is_empty()
    }
}

/// An upload whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedUpload {
    /// SHA-256 of the exact body bytes (signature, `&` and report), SRI form.
    pub body_sri: String,
    /// The signer key's fingerprint, `SHA256:<base64>` as `ssh-keygen -l` prints it.
    pub signer_fingerprint: String,
    /// The principals the allowed-signers file lists for the key.
    pub principals: Vec<String>,
    /// The signed report bytes.
    pub report: Vec<u8>,
}

/// Why a well-formed upload is not valid: a verdict, not an error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Invalid {
    /// Signed in another namespace than `report`.
    #[error("signature namespace is {found:?}, not \"report\"")]
    WrongNamespace {
        /// The namespace in the signature.
        found: String,
    },
    /// The signing key is not in the allowed-signers file.
    #[error("signer {fingerprint} is not in the allowed signers file")]
    UnknownSigner {
        /// The key's fingerprint.
        fingerprint: String,
    },
    /// The key is listed, but not for namespace `report`.
    #[error("signer {fingerprint} is not allowed to sign namespace \"report\"")]
    NamespaceNotAllowed {
        /// The key's fingerprint.
        fingerprint: String,
    },
    /// The armored signature is not the canonical encoding of the signature it decodes to:
    /// it was altered (the armor itself is not covered by the signature).
    #[error("the armored signature was altered: it is not the canonical encoding of its content")]
    NonCanonicalSignature,
    /// The signature does not match the report bytes.
    #[error("signature by {fingerprint} does not verify: the report or signature was altered")]
    BadSignature {
        /// The key's fingerprint.
        fingerprint: String,
    },
}

/// An upload that could not be checked at all (malformed input).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UploadError {
    /// The body does not start with `-----BEGIN SSH SIGNATURE-----`.
    #[error("not a signed upload: the body does not start with an armored SSH signature")]
    NotSigned,
    /// No `-----END SSH SIGNATURE-----\n&` in the body.
    #[error("malformed signed upload: no \"-----END SSH SIGNATURE-----\\n&\" separator")]
    MissingSeparator,
    /// The armored signature does not decode.
    #[error("malformed SSH signature: {0}")]
    MalformedSignature(String),
    /// A key type this build cannot verify.
    #[error(
        "unsupported signature key type {0} (supported: ssh-ed25519, sk-ssh-ed25519, ecdsa-sha2-nistp256/384)"
    )]
    UnsupportedKeyType(String),
}

fn supported(algorithm: &Algorithm) -> bool {
    matches!(
        algorithm,
        Algorithm::Ed25519
            | Algorithm::SkEd25519
            | Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP256 | EcdsaCurve::NistP384
            }
    )
}

/// Verifies a signed upload body against `signers`.
///
/// `Ok(Ok(_))`: valid. `Ok(Err(_))`: well-formed but not valid (tampered, wrong namespace,
/// unknown signer). `Err(_)`: malformed, nothing could be checked.
pub fn verify_upload(
    body: &[u8],
    signers: &AllowedSigners,
) -> Result<Result<VerifiedUpload, Invalid>, UploadError> {
    let upload = SignedUpload::split(body)?;
    let sig = SshSig::from_pem(upload.signature)
        .map_err(|e| UploadError::MalformedSignature(e.to_string()))?;
    // The armor is not covered by the signature, and the decoder tolerates some non-canonical
    // blobs (e.g. a wrong length prefix on the public key). Requiring the armor to be exactly
    // what ssh-keygen writes for the decoded signature makes every change to it detectable.
    // (LF only: the separator the runner and the monitor use already requires it.)
    let canonical = sig
        .to_pem(LineEnding::LF)
        .is_ok_and(|pem| pem.as_bytes() == upload.signature);
    if !canonical {
        return Ok(Err(Invalid::NonCanonicalSignature));
    }
    let algorithm = sig.public_key().algorithm();
    if !supported(&algorithm) {
        return Err(UploadError::UnsupportedKeyType(algorithm.to_string()));
    }
    let fingerprint = sig.public_key().fingerprint(HashAlg::Sha256).to_string();
    if sig.namespace() != SIGNATURE_NAMESPACE {
        return Ok(Err(Invalid::WrongNamespace {
            found: sig.namespace().to_owned(),
        }));
    }
    let mut listed = signers
        .signers
        .iter()
        .filter(|s| s.key.key_data() == sig.public_key())
        .peekable();
    if listed.peek().is_none() {
        return Ok(Err(Invalid::UnknownSigner { fingerprint }));
    }
    let Some(signer) = listed.find(|s| {
        s.namespaces
            .as_ref()
            .is_none_or(|ns| ns.iter().any(|n| n == SIGNATURE_NAMESPACE))
    }) else {
        return Ok(Err(Invalid::NamespaceNotAllowed { fingerprint }));
    };
    if signer
        .key
        .verify(SIGNATURE_NAMESPACE, upload.report, &sig)
        .is_err()
    {
        return Ok(Err(Invalid::BadSignature { fingerprint }));
    }
    Ok(Ok(VerifiedUpload {
        body_sri: sri_sha256(body),
        signer_fingerprint: fingerprint,
        principals: signer.principals.clone(),
        report: upload.report.to_vec(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GEN: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/scs-data/generated"
    );

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(format!("{GEN}/{name}")).unwrap()
    }

    fn signers() -> AllowedSigners {
        AllowedSigners::parse(&String::from_utf8(read("allowed_signers")).unwrap()).unwrap()
    }

    #[test]
    fn real_upload_verifies() {
        let body = read("upload-body.txt");
        let ok = verify_upload(&body, &signers()).unwrap().unwrap();
        assert_eq!(ok.report, read("reports-combined.yaml"));
        assert_eq!(ok.principals, ["mail@csp.eu"]);
        assert!(
            ok.signer_fingerprint.starts_with("SHA256:"),
            "{}",
            ok.signer_fingerprint
        );
        assert_eq!(ok.body_sri, sri_sha256(&body));
        let split = SignedUpload::split(&body).unwrap();
        assert_eq!(
            split.signature,
            read("reports-combined.yaml.sig").as_slice()
        );
    }

    #[test]
    fn fingerprint_matches_the_public_key_file() {
        let body = read("upload-body.txt");
        let ok = verify_upload(&body, &signers()).unwrap().unwrap();
        let key = PublicKey::from_openssh(
            String::from_utf8(read("example-signer.pub"))
                .unwrap()
                .trim(),
        )
        .unwrap();
        assert_eq!(
            ok.signer_fingerprint,
            key.fingerprint(HashAlg::Sha256).to_string()
        );
    }

    /// Every single-byte change, anywhere in the body, makes verification fail (as an invalid
    /// signature or as malformed input), for two kinds of flip.
    #[test]
    fn one_flipped_byte_anywhere_fails() {
        let body = read("upload-body.txt");
        let signers = signers();
        for mask in [0x01_u8, 0x80] {
            for i in 0..body.len() {
                let mut tampered = body.clone();
                tampered[i] ^= mask;
                let outcome = verify_upload(&tampered, &signers);
                assert!(
                    !matches!(outcome, Ok(Ok(_))),
                    "flipping byte {i} with {mask:#x} still verified"
                );
            }
        }
    }

    #[test]
    fn tampered_report_is_a_bad_signature() {
        let body = read("upload-body.txt");
        let mut tampered = body.clone();
        let last = tampered.len() - 2;
        tampered[last] ^= 0x01;
        let invalid = verify_upload(&tampered, &signers()).unwrap().unwrap_err();
        assert!(matches!(invalid, Invalid::BadSignature { .. }), "{invalid}");
        assert!(invalid.to_string().contains("altered"));
    }

    #[test]
    fn unknown_signer() {
        let other = AllowedSigners::parse(
            "someone@example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZ5OKfM2Lx6c6pN1aH4Lq4Ix0Uu1rZ2jwGmGQmH6vQx\n",
        )
        .unwrap();
        let invalid = verify_upload(&read("upload-body.txt"), &other)
            .unwrap()
            .unwrap_err();
        assert!(
            matches!(invalid, Invalid::UnknownSigner { .. }),
            "{invalid}"
        );
    }

    #[test]
    fn namespace_restrictions() {
        let key = String::from_utf8(read("allowed_signers")).unwrap();
        let key = key.trim().split_once(' ').unwrap().1;
        let restricted =
            AllowedSigners::parse(&format!("mail@csp.eu namespaces=\"file,git\" {key}\n")).unwrap();
        let invalid = verify_upload(&read("upload-body.txt"), &restricted)
            .unwrap()
            .unwrap_err();
        assert!(
            matches!(invalid, Invalid::NamespaceNotAllowed { .. }),
            "{invalid}"
        );
        let allowed =
            AllowedSigners::parse(&format!("mail@csp.eu namespaces=\"file,report\" {key}\n"))
                .unwrap();
        assert!(
            verify_upload(&read("upload-body.txt"), &allowed)
                .unwrap()
                .is_ok()
        );
    }

    /// The namespace is inside the signed blob, so a signature in another namespace is
    /// built by hand here: the real signature blob with `report` replaced by `rep0rt`.
    #[test]
    fn wrong_namespace() {
        let body = read("upload-body.txt");
        let split = SignedUpload::split(&body).unwrap();
        let sig = SshSig::from_pem(split.signature).unwrap();
        let other = SshSig::new(
            sig.public_key().clone(),
            "rep0rt",
            sig.hash_alg(),
            sig.signature().clone(),
        )
        .unwrap();
        let pem = other.to_pem(LineEnding::LF).unwrap();
        let mut forged = pem.into_bytes();
        if !forged.ends_with(b"\n") {
            forged.push(b'\n');
        }
        forged.push(b'&');
        forged.extend_from_slice(split.report);
        let invalid = verify_upload(&forged, &signers()).unwrap().unwrap_err();
        assert_eq!(
            invalid,
            Invalid::WrongNamespace {
                found: "rep0rt".to_owned()
            }
        );
    }

    #[test]
    fn malformed_bodies() {
        let s = signers();
        assert!(matches!(
            verify_upload(b"---\nspec: {}\n", &s),
            Err(UploadError::NotSigned)
        ));
        assert!(matches!(
            verify_upload(b"-----BEGIN SSH SIGNATURE-----\nAAAA\n", &s),
            Err(UploadError::MissingSeparator)
        ));
        let e = verify_upload(
            b"-----BEGIN SSH SIGNATURE-----\n!!!!\n-----END SSH SIGNATURE-----\n&---\n",
            &s,
        )
        .unwrap_err();
        assert!(matches!(e, UploadError::MalformedSignature(_)), "{e}");
    }

    #[test]
    fn bad_allowed_signers() {
        assert!(matches!(
            AllowedSigners::parse("# nothing\n\n"),
            Err(AllowedSignersError::Empty)
        ));
        assert!(matches!(
            AllowedSigners::parse("a@b ssh-ed25519\n"),
            Err(AllowedSignersError::Incomplete { line: 1 })
        ));
        assert!(matches!(
            AllowedSigners::parse("a@b ssh-ed25519 AAAAnotakey\n"),
            Err(AllowedSignersError::BadKey { line: 1, .. })
        ));
        let e =
            AllowedSigners::parse("a@b valid-before=\"20300101\" ssh-ed25519 AAAA\n").unwrap_err();
        assert!(
            matches!(&e, AllowedSignersError::UnsupportedOption { option, .. } if option == "valid-before"),
            "{e}"
        );
        assert!(matches!(
            AllowedSigners::parse("a@b namespaces=\"x ssh-ed25519 AAAA\n"),
            Err(AllowedSignersError::Quote { line: 1 })
        ));
    }
}
