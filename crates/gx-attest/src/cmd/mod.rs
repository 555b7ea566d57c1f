//! Subcommands: one module each, each a thin adapter from arguments to a library call.
//!
//! To add a subcommand: a module with an `Args` struct (clap `Args`) and a
//! `run(args) -> anyhow::Result<ExitCode>`, one variant in [`Command`], one arm in [`run`].

mod canonicalize;
mod clearing;
mod contexts;
mod flavor_name;
mod inventory;
mod keys;
mod scs;
mod serve;
mod sign;
mod validate;
mod verify;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// gx-attest: signed W3C Verifiable Credentials and Gaia-X self-descriptions from SCS compliance
/// results and cloud inventory.
#[derive(Debug, Parser)]
#[command(name = "gx-attest", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Canonicalize JSON-LD or N-Quads with RDFC-1.0 (or print the SHA-256 of the canonical form).
    Canonicalize(canonicalize::Args),
    /// List the pinned JSON-LD contexts (URL and SHA-256); nothing is ever fetched.
    Contexts(contexts::Args),
    /// SCS compliance reports: evaluate them strictly, verify signed uploads.
    Scs(scs::Args),
    /// Sign a credential or presentation (jws2020, jws2020-gaiax, eddsa-rdfc-2022,
    /// ecdsa-rdfc-2019, vc-jwt).
    Sign(sign::Args),
    /// Verify a credential, presentation or JWT: exit 0 valid, 1 invalid, 2 could not check.
    Verify(verify::Args),
    /// Development key sets and DID documents.
    Keys(keys::Args),
    /// Cloud inventory (OpenStack, Ironic/Redfish, NetBox) to Gaia-X self-descriptions.
    Inventory(inventory::Args),
    /// Validate credentials against the pinned Gaia-X SHACL shapes: exit 0 conform, 1 not, 2 error.
    Validate(validate::Args),
    /// Run the HTTP service (credentials, did:web, status lists, change feed, uploads).
    Serve(serve::Args),
    /// Gaia-X clearing house: obtain the compliance credential (notary + compliance service).
    Clearing(clearing::Args),
}

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Canonicalize(args) => canonicalize::run(args),
        Command::Contexts(args) => contexts::run(args),
        Command::Scs(args) => scs::run(args),
        Command::Sign(args) => sign::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Keys(args) => keys::run(args),
        Command::Inventory(args) => inventory::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Clearing(args) => clearing::run(args),
    }
}

/// Prints an error and its causes to standard error.
pub(crate) fn report_error(err: &anyhow::Error) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "gx-attest: error: {err:#}");
}

/// Writes to standard output, treating a closed pipe (`| head`) as success.
pub(crate) fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e.into()),
    }
}
