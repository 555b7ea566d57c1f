//! `gx-attest scs`: SCS compliance reports: evaluate them strictly, verify signed uploads.
//!
//! A thin adapter over `gxa-scs`. The command line is a contract other tools rely on
//! (issue 4 "CLI contract"):
//!
//! * `scs evaluate --scope SCOPE.yaml [--at RFC3339] [--json] REPORT...`: exit 0 when it
//!   evaluated (whatever the verdict), 2 on error. A REPORT is a report YAML stream or a signed
//!   upload body (then `--allowed-signers` is required and the signature must verify). With
//!   `--json`, one JSON object per subject and scope, one per line.
//! * `scs verify-upload --allowed-signers FILE BODY`: exit 0 when the signature is valid for a
//!   listed signer, 1 when it is not, 2 on malformed input.
//!
//! New subcommands of the group (e.g. `scs flavor-name`) are one more [`ScsCommand`] variant
//! and one more arm in [`run`].

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use gxa_scs::{
    AllowedSigners, CheckedAtZone, Evaluation, Evaluator, Limits, Scope, SignedUpload, Verdict,
    verify_upload,
};
use jiff::Timestamp;
use serde_json::{Map, Value, json};

/// Arguments of `gx-attest scs`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: ScsCommand,
}

/// The `scs` subcommands.
#[derive(Debug, clap::Subcommand)]
enum ScsCommand {
    /// Evaluate compliance reports (or signed uploads) against certificate scopes.
    Evaluate(EvaluateArgs),
    /// Verify a signed upload body (`<SSH signature>&<yaml>`) against an allowed-signers file.
    VerifyUpload(VerifyUploadArgs),
}

/// Arguments of `gx-attest scs evaluate`.
#[derive(Debug, clap::Args)]
struct EvaluateArgs {
    /// Certificate scope YAML (current or legacy format); repeat for several scopes.
    #[arg(long, value_name = "SCOPE.yaml", required = true)]
    scope: Vec<PathBuf>,
    /// Reference time (RFC 3339, e.g. 2026-11-25T12:00:00Z); default: now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<Timestamp>,
    /// Print one JSON object per subject and scope (one per line) instead of a table.
    #[arg(long)]
    json: bool,
    /// OpenSSH allowed-signers file; required when a REPORT is a signed upload body.
    #[arg(long, value_name = "FILE")]
    allowed_signers: Option<PathBuf>,
    /// Time zone in which zone-less `checked_at` values are read (UTC or an IANA name).
    #[arg(
        long,
        value_name = "ZONE",
        default_value = "UTC",
        env = "GX_ATTEST_CHECKED_AT_ZONE"
    )]
    checked_at_zone: String,
    /// Largest accepted YAML input (bytes, per file).
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_bytes)]
    max_yaml_bytes: usize,
    /// Report YAML streams or signed upload bodies.
    #[arg(value_name = "REPORT", required = true)]
    reports: Vec<PathBuf>,
}

/// Arguments of `gx-attest scs verify-upload`.
#[derive(Debug, clap::Args)]
struct VerifyUploadArgs {
    /// OpenSSH allowed-signers file (`principals [options] keytype key`).
    #[arg(long, value_name = "FILE")]
    allowed_signers: PathBuf,
    /// The upload body, byte for byte as POSTed.
    #[arg(value_name = "BODY")]
    body: PathBuf,
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        ScsCommand::Evaluate(args) => evaluate(args),
        ScsCommand::VerifyUpload(args) => verify(args),
    }
}

fn read(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn allowed_signers(path: &Path) -> anyhow::Result<AllowedSigners> {
    let text = String::from_utf8(read(path)?)
        .with_context(|| format!("{} is not UTF-8", path.display()))?;
    AllowedSigners::parse(&text).with_context(|| path.display().to_string())
}

fn evaluate(args: EvaluateArgs) -> anyhow::Result<ExitCode> {
    let limits = Limits {
        max_bytes: args.max_yaml_bytes,
        ..Limits::default()
    };
    let zone = CheckedAtZone::named(&args.checked_at_zone)?;
    let mut scopes = Vec::new();
    for path in &args.scope {
        let scope =
            Scope::from_yaml(&read(path)?, limits).with_context(|| path.display().to_string())?;
        scopes.push(scope);
    }
    let signers = args
        .allowed_signers
        .as_deref()
        .map(allowed_signers)
        .transpose()?;
    let mut evaluator = Evaluator::new(scopes, zone, limits);
    for path in &args.reports {
        let bytes = read(path)?;
        let name = path.display();
        if SignedUpload::looks_signed(&bytes) {
            let Some(signers) = &signers else {
                bail!("{name} is a signed upload: --allowed-signers is required to check it");
            };
            let upload = match verify_upload(&bytes, signers).with_context(|| name.to_string())? {
                Ok(upload) => upload,
                Err(invalid) => bail!("{name}: signature not valid: {invalid}"),
            };
            evaluator
                .add_upload(&upload)
                .with_context(|| name.to_string())?;
        } else {
            evaluator
                .add_report_file(&bytes)
                .with_context(|| name.to_string())?;
        }
    }
    let at = args.at.unwrap_or_else(Timestamp::now);
    let evaluations = evaluator.evaluate(at);
    let mut out = String::new();
    for evaluation in &evaluations {
        if args.json {
            writeln!(out, "{}", serde_json::to_string(&to_json(evaluation))?)?;
        } else {
            table(&mut out, evaluation)?;
        }
    }
    super::write_stdout(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn opt_time(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| json!(t.to_string()))
}

/// The `--json` shape of the CLI contract (plus `at`, `checked_at_zone` and `targets`).
fn to_json(e: &Evaluation) -> Value {
    let versions: Vec<Value> = e
        .versions
        .iter()
        .map(|v| {
            let testcases: Map<String, Value> = v
                .testcases
                .iter()
                .map(|t| {
                    (
                        t.id.clone(),
                        json!({
                            "result": t.status.as_str(),
                            "checked_at": opt_time(t.checked_at),
                            "expires_at": opt_time(t.expires_at),
                        }),
                    )
                })
                .collect();
            let targets: Map<String, Value> = v
                .targets
                .iter()
                .map(|(target, verdict)| (target.clone(), json!(verdict.as_str())))
                .collect();
            json!({
                "version": v.version,
                "state": v.state.as_str(),
                "verdict": v.verdict.as_str(),
                "valid_until": opt_time(v.valid_until),
                "targets": targets,
                "testcases": testcases,
            })
        })
        .collect();
    json!({
        "subject": e.subject,
        "scope": {"uuid": e.scope.uuid, "name": e.scope.name},
        "at": e.at.to_string(),
        "checked_at_zone": e.checked_at_zone,
        "versions": versions,
        "best_passed": e.best_passed,
    })
}

fn table(out: &mut String, e: &Evaluation) -> std::fmt::Result {
    writeln!(
        out,
        "{}: {} ({})",
        e.subject,
        e.scope.name,
        e.scope.uuid.as_deref().unwrap_or("no uuid")
    )?;
    writeln!(
        out,
        "  evaluated at {}; zone-less checked_at read as {}",
        e.at, e.checked_at_zone
    )?;
    writeln!(
        out,
        "  {:<10} {:<11} {:<11} VALID UNTIL",
        "VERSION", "STATE", "VERDICT"
    )?;
    for v in &e.versions {
        let until = v
            .valid_until
            .map_or_else(|| "-".to_owned(), |t| t.to_string());
        writeln!(
            out,
            "  {:<10} {:<11} {:<11} {until}",
            v.version,
            v.state.as_str(),
            v.verdict.as_str()
        )?;
    }
    writeln!(
        out,
        "  best passed: {}",
        e.best_passed.as_deref().unwrap_or("none")
    )?;
    for v in e
        .versions
        .iter()
        .filter(|v| v.state.is_in_force() && v.verdict != Verdict::Pass)
    {
        writeln!(out, "  not passing in {} (main):", v.version)?;
        for t in v.testcases.iter().filter(|t| {
            t.targets.iter().any(|target| target == "main")
                && t.status != gxa_scs::TestcaseStatus::Pass
        }) {
            let checked = t
                .checked_at
                .map_or_else(|| "never checked".to_owned(), |c| format!("checked {c}"));
            writeln!(out, "    {:<40} {:<8} {checked}", t.id, t.status.as_str())?;
        }
    }
    writeln!(out)
}

fn verify(args: VerifyUploadArgs) -> anyhow::Result<ExitCode> {
    let signers = allowed_signers(&args.allowed_signers)?;
    let body = read(&args.body)?;
    let name = args.body.display();
    match verify_upload(&body, &signers).with_context(|| name.to_string())? {
        Ok(upload) => {
            let out = format!(
                "valid: {name} signed by {} ({}) in namespace \"report\"; body {}; {} bytes of report\n",
                upload.signer_fingerprint,
                upload.principals.join(","),
                upload.body_sri,
                upload.report.len()
            );
            super::write_stdout(out.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(invalid) => {
            super::write_stdout(format!("invalid: {name}: {invalid}\n").as_bytes())?;
            Ok(ExitCode::from(1))
        }
    }
}
