//! Writes the generated credential corpus (`gxa_conformance::generate`) as files, for the
//! peer benchmarks (`benches/peers/run.sh`):
//!
//! ```text
//! cargo run --release -p gxa-conformance --example generate -- OUT_DIR [COUNT] [SEED]
//! ```
//!
//! One `{name}.json` per credential (default 3,000, seed 20261206): the same documents on
//! every machine.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: generate OUT_DIR [COUNT] [SEED]");
        return ExitCode::from(2);
    };
    let count = args.get(1).map_or(Ok(3_000), |c| c.parse::<usize>());
    let seed = args.get(2).map_or(Ok(20_261_206), |s| s.parse::<u64>());
    let (Ok(count), Ok(seed)) = (count, seed) else {
        eprintln!("COUNT and SEED are numbers");
        return ExitCode::from(2);
    };
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("{out}: {e}");
        return ExitCode::from(2);
    }
    for (name, doc) in gxa_conformance::generate::credentials(seed, count) {
        let path = std::path::Path::new(out).join(format!("{name}.json"));
        let text = match serde_json::to_string_pretty(&doc) {
            Ok(text) => text,
            Err(e) => {
                eprintln!("{name}: {e}");
                return ExitCode::from(2);
            }
        };
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("{}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
