//! `gx-attest contexts`: the pinned JSON-LD contexts with their SHA-256.

use std::fmt::Write as _;
use std::process::ExitCode;

/// Arguments of `gx-attest contexts` (none yet).
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

pub(crate) fn run(_args: Args) -> anyhow::Result<ExitCode> {
    let mut out = String::new();
    for context in gxa_contexts::PINNED {
        writeln!(
            out,
            "{}  {}  contexts/{}",
            context.sha256_hex(),
            context.url,
            context.file
        )?;
    }
    super::write_stdout(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
