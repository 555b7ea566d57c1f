//! `gx-attest verify`: verify JSON-LD with proofs, a compact JWT, or a file holding one
//! (issue 3 contract).
//!
//! Resolves did:key and did:jwk offline and did:web (or any controller document) from the
//! `--did-document` files; nothing is fetched. Exit 0 valid, 1 invalid (the reasons on
//! standard output), 2 could not check (an error on standard error).

use std::process::ExitCode;

use anyhow::Context as _;
use gxa_proof::{PinnedJsonLd, Resolver, VerifyOptions};

/// Arguments of `gx-attest verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A DID document (or DID resolution result) to resolve did:web from; repeatable.
    #[arg(long = "did-document", value_name = "FILE")]
    did_documents: Vec<String>,
    /// Verification time (RFC 3339; default: now).
    #[arg(long)]
    at: Option<String>,
    /// Expected presentation challenge (vp+jwt: `nonce`).
    #[arg(long)]
    challenge: Option<String>,
    /// Expected presentation domain (vp+jwt: `aud`).
    #[arg(long)]
    domain: Option<String>,
    /// Print the verification report as JSON.
    #[arg(long)]
    json: bool,
    /// The credential, presentation or JWT; `-` reads standard input.
    file: String,
}

/// Reads a file, or standard input for `-`.
pub(super) fn read_input(file: &str) -> anyhow::Result<String> {
    use std::io::Read as _;
    if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
        return Ok(text);
    }
    std::fs::read_to_string(file).with_context(|| format!("{file}: cannot read the file"))
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut resolver = Resolver::new();
    for file in &args.did_documents {
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
        let doc: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{file}: not JSON"))?;
        resolver.add_document(doc).with_context(|| file.clone())?;
    }
    let at = match &args.at {
        Some(at) => Some(
            gxa_proof::parse_rfc3339(at)
                .with_context(|| format!("--at {at:?} is not an RFC 3339 date-time"))?,
        ),
        None => None,
    };
    let input = read_input(&args.file)?;
    let options = VerifyOptions {
        resolver: &resolver,
        canonicalizer: Some(&PinnedJsonLd),
        at,
        challenge: args.challenge.as_deref(),
        domain: args.domain.as_deref(),
    };
    let report = gxa_proof::verify(&input, &options)?;
    let out = if args.json {
        serde_json::to_string_pretty(&report.to_json())?
    } else {
        report.to_string()
    };
    super::write_stdout(format!("{out}\n").as_bytes())?;
    Ok(if report.is_valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
