//! `gx-attest keys`: development key sets and the did:web document of a key set.
//!
//! `keys generate --alg ALG --did did:web:HOST[:PATH] --out DIR` writes a development key, a
//! self-signed CA and leaf certificate chain for x5u, `did.json` and `keys.toml` (all labelled
//! as development material). `keys did-document DIR` prints the DID document of a key set.

use std::path::PathBuf;
use std::process::ExitCode;

use gxa_proof::{Algorithm, KeySet};

/// Arguments of `gx-attest keys`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Debug, clap::Subcommand)]
enum KeysCommand {
    /// Generate a DEVELOPMENT key set: key, self-signed CA + leaf chain, did.json, keys.toml.
    Generate {
        /// EdDSA | ES256 | ES384 | PS256 | RS256
        #[arg(long, value_parser = ["EdDSA", "ES256", "ES384", "PS256", "RS256"])]
        alg: String,
        /// did:web:HOST[%3APORT][:PATH]
        #[arg(long)]
        did: String,
        /// Output directory (created; an existing keys.toml is never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Print the did:web document of a key set directory.
    DidDocument {
        /// Directory holding keys.toml.
        dir: PathBuf,
    },
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        KeysCommand::Generate { alg, did, out } => {
            let alg: Algorithm = alg.parse()?;
            let generated = gxa_proof::generate_keyset(alg, &did, &out)?;
            let mut text = format!(
                "DEVELOPMENT key set written to {} (never use in production)\n",
                out.display()
            );
            for f in &generated.files {
                text.push_str(&format!("  {f}\n"));
            }
            text.push_str(&format!(
                "verification method: {}\n",
                generated.verification_method
            ));
            super::write_stdout(text.as_bytes())?;
        }
        KeysCommand::DidDocument { dir } => {
            let set = KeySet::load(&dir)?;
            let doc = set.did_document()?;
            super::write_stdout(format!("{}\n", serde_json::to_string_pretty(&doc)?).as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
