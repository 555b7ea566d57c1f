//! `gx-attest validate [--profile loire|tagus] FILE...`: validates the documents *together*
//! against the pinned Gaia-X SHACL shapes of the profile (`gxa-shacl`). Exit 0 when all conform,
//! 1 when any violates (one line per violation on standard output, naming focus node, property,
//! shape and constraint), 2 on error. Without `--profile`, a document with the VC 2.0 context
//! means Loire, otherwise Tagus. A FILE may hold one document or a JSON array of documents.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use gxa_credential::Profile;
use gxa_shacl::Validator;
use serde_json::Value;

use super::write_stdout;

/// Arguments of `gx-attest validate`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Gaia-X profile: loire (25.11) or tagus (22.10); default: from the documents' contexts.
    #[arg(long, value_name = "loire|tagus")]
    profile: Option<String>,
    /// JSON-LD credentials or presentations (validated together, so that links resolve).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// Runs `gx-attest validate`.
pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut docs = Vec::new();
    for path in &args.files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let value: Value =
            serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
        match value {
            Value::Array(items) => docs.extend(items),
            other => docs.push(other),
        }
    }
    let profile = match &args.profile {
        Some(p) => p.parse::<Profile>()?,
        None => detect(&docs)?,
    };
    let validator = Validator::new(profile)?;
    let report = validator.validate(&docs)?;
    let mut out = String::new();
    for v in &report.violations {
        writeln!(out, "{v}")?;
    }
    let n = report
        .violations
        .iter()
        .filter(|v| v.severity == "Violation")
        .count();
    writeln!(
        out,
        "{}: {} document(s), {n} violation(s) ({:?} profile)",
        if report.conforms {
            "conforms"
        } else {
            "does not conform"
        },
        docs.len(),
        profile
    )?;
    write_stdout(out.as_bytes())?;
    Ok(if report.conforms {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn detect(docs: &[Value]) -> anyhow::Result<Profile> {
    let Some(first) = docs.first() else {
        bail!("no documents")
    };
    let ctx = first
        .get("@context")
        .map(Value::to_string)
        .unwrap_or_default();
    Ok(if ctx.contains("https://www.w3.org/ns/credentials/v2") {
        Profile::Loire
    } else {
        Profile::Tagus
    })
}
