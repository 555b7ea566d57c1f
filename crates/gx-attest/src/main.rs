//! `gx-attest`: the thin binary.
//!
//! **Architecture invariant:** no logic lives here. `main` parses the command line, calls one
//! library function per subcommand (in `cmd/`), and maps the outcome to the documented exit codes:
//! 0 success (or "valid"), 1 a negative verdict (e.g. "invalid"), 2 an error, with the message on
//! standard error.

mod cmd;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of glibc malloc: the service allocates many short-lived small objects per
/// request (rows, JSON values, headers) from several threads; glibc spent a tenth of a listing
/// request in `malloc_consolidate` and arena locks (perf, `benches/load`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            // The error chain, one cause per line, is the message the user gets.
            cmd::report_error(&err);
            ExitCode::from(2)
        }
    }
}
