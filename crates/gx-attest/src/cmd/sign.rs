//! `gx-attest sign`: sign a credential or presentation with one suite (a stable CLI contract).
//!
//! `--key` is a private key file (JWK or PEM: PKCS#8, PKCS#1, SEC1), a PKCS#11 URI, or a key
//! set directory (`keys.toml`); without `--verification-method` a key file signs as its
//! `did:jwk:…#0`, a key set as its active `did:web` method. Prints the signed document (or the
//! compact JWT for `vc-jwt`). Exit 0 on success, 2 on error.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use gxa_proof::{KeySet, PinnedJsonLd, SignOptions, SignSuite, Signed, Signer};

/// Arguments of `gx-attest sign`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Private key: a JWK or PEM file, a PKCS#11 URI (`pkcs11:…`), or a key set directory.
    #[arg(long)]
    key: String,
    /// jws2020 | jws2020-gaiax | eddsa-rdfc-2022 | ecdsa-rdfc-2019 | vc-jwt
    #[arg(long, value_parser = SignSuite::NAMES)]
    suite: String,
    /// Verification method URL (default: the key's did:jwk `#0`).
    #[arg(long)]
    verification_method: Option<String>,
    /// Proof `created` (RFC 3339; default: now).
    #[arg(long)]
    created: Option<String>,
    /// Presentation challenge (vp+jwt: `nonce`).
    #[arg(long)]
    challenge: Option<String>,
    /// Presentation domain (vp+jwt: `aud`).
    #[arg(long)]
    domain: Option<String>,
    /// The credential or presentation (JSON); `-` reads standard input.
    file: String,
}

fn open_key(key: &str) -> anyhow::Result<(Box<dyn Signer>, Option<String>)> {
    let path = Path::new(key);
    if path.is_dir() {
        let set = KeySet::load(path)?;
        let (signer, vm) = set.signer(None)?;
        return Ok((signer, Some(vm)));
    }
    let signer = gxa_proof::open_signer(key, Path::new("."))
        .with_context(|| format!("cannot use key {key}"))?;
    Ok((signer, None))
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let suite: SignSuite = args.suite.parse()?;
    let text = super::verify::read_input(&args.file)?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", args.file))?;
    let (signer, keyset_vm) = open_key(&args.key)?;
    let options = SignOptions {
        verification_method: args.verification_method.or(keyset_vm),
        created: args.created,
        challenge: args.challenge,
        domain: args.domain,
        strict_jsonld: true,
    };
    let signed = gxa_proof::sign(&doc, suite, signer.as_ref(), &options, Some(&PinnedJsonLd))?;
    let out = match signed {
        Signed::Document(doc) => serde_json::to_string_pretty(&doc)?,
        Signed::Jwt(jwt) => jwt,
    };
    super::write_stdout(format!("{out}\n").as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
