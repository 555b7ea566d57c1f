//! `gx-attest canonicalize`: JSON-LD or N-Quads → canonical N-Quads (RDFC-1.0), or their SHA-256.
//!
//! The contract (kept stable for other tools): the input format comes from
//! `--input-format`, else from the extension (`.nq` N-Quads; `.json`/`.jsonld` JSON-LD), else
//! (standard input, unknown extensions) from the first non-blank character (`{` or `[` is
//! JSON-LD). All files are processed in one process, so the pinned contexts are parsed once.
//! Exit 0 on success, 2 when any file failed (each failure named on standard error; the other
//! files are still processed).

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use gxa_jsonld::{Processor, ToRdfOptions};
use gxa_rdf::{CanonicalizeOptions, DEFAULT_MAX_WORK, HashAlgorithm};

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum InputFormat {
    /// JSON-LD 1.1 (strict: undefined terms are errors).
    Jsonld,
    /// N-Quads.
    Nquads,
}

/// Arguments of `gx-attest canonicalize`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The input format; by default from the file extension.
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,
    /// Print `<sha256 of the canonical N-Quads>  <file>` per file instead of the N-Quads.
    #[arg(long)]
    hash: bool,
    /// Use SHA-384 inside RDFC-1.0 (and for `--hash`).
    #[arg(long)]
    sha384: bool,
    /// Work limit of RDFC-1.0 (Hash N-Degree Quads calls plus permutations) before a dataset is
    /// refused as a poison graph; each blank node of the dataset adds one to it.
    #[arg(long, default_value_t = DEFAULT_MAX_WORK)]
    max_work: u64,
    /// Standard JSON-LD: drop undefined terms instead of refusing them (diagnostics only; never
    /// what a signer does).
    #[arg(long)]
    lenient: bool,
    /// Files to canonicalize; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<String>,
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let processor = Processor::pinned();
    let options = CanonicalizeOptions {
        hash: if args.sha384 {
            HashAlgorithm::Sha384
        } else {
            HashAlgorithm::Sha256
        },
        max_work: args.max_work,
    };
    let jsonld_options = if args.lenient {
        ToRdfOptions::lenient()
    } else {
        ToRdfOptions::strict()
    };
    let mut failed = false;
    for file in &args.files {
        match canonicalize_one(processor, file, &args, &jsonld_options, &options) {
            Ok(canonical) => {
                let out = if args.hash {
                    let digest = match options.hash {
                        HashAlgorithm::Sha256 => gxa_rdf::sha256_hex(canonical.as_bytes()),
                        HashAlgorithm::Sha384 => gxa_rdf::sha384_hex(canonical.as_bytes()),
                    };
                    let mut line = String::new();
                    writeln!(line, "{digest}  {file}")?;
                    line
                } else {
                    canonical
                };
                super::write_stdout(out.as_bytes())?;
            }
            Err(err) => {
                failed = true;
                super::report_error(&err);
            }
        }
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn canonicalize_one(
    processor: &Processor,
    file: &str,
    args: &Args,
    jsonld_options: &ToRdfOptions,
    options: &CanonicalizeOptions,
) -> anyhow::Result<String> {
    let text = read_input(file)?;
    let format = args
        .input_format
        .unwrap_or_else(|| guess_format(file, &text));
    let dataset = match format {
        InputFormat::Jsonld => processor
            .to_rdf_str(&text, jsonld_options)
            .with_context(|| format!("{file}: cannot read it as JSON-LD"))?,
        InputFormat::Nquads => gxa_rdf::parse_nquads(&text)
            .with_context(|| format!("{file}: cannot read it as N-Quads"))?,
    };
    let canonical = gxa_rdf::canonicalize(&dataset, options)
        .with_context(|| format!("{file}: cannot canonicalize"))?;
    Ok(canonical.nquads)
}

fn read_input(file: &str) -> anyhow::Result<String> {
    if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("-: cannot read standard input")?;
        return Ok(text);
    }
    std::fs::read_to_string(file).with_context(|| format!("{file}: cannot read the file"))
}

fn guess_format(file: &str, text: &str) -> InputFormat {
    match Path::new(file).extension().and_then(|e| e.to_str()) {
        Some("nq" | "nquads") => InputFormat::Nquads,
        Some("json" | "jsonld") => InputFormat::Jsonld,
        _ if matches!(text.trim_start().chars().next(), Some('{' | '[')) => InputFormat::Jsonld,
        _ => InputFormat::Nquads,
    }
}
