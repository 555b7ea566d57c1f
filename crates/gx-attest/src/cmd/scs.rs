//! `gx-attest scs`: SCS compliance reports: evaluate them strictly, verify signed uploads.
//!
//! A thin adapter over `gxa-scs`. The command line is a contract other tools rely on:
//!
//! * `scs evaluate --scope SCOPE.yaml [--at RFC3339] [--json] REPORT...`: exit 0 when it
//!   evaluated (whatever the verdict), 2 on error. A REPORT is a report YAML stream or a signed
//!   upload body (then `--allowed-signers` is required and the signature must verify). With
//!   `--json`, one JSON object per subject and scope, one per line.
//! * `scs verify-upload --allowed-signers FILE BODY`: exit 0 when the signature is valid for a
//!   listed signer, 1 when it is not, 2 on malformed input.
//! * `scs attest --scope SCOPE.yaml --key KEY --issuer DID --profile tagus|loire
//!   [--at RFC3339] REPORT...`: evaluates exactly as `evaluate` does (same inputs, see
//!   [`ReportArgs`]) and prints one signed attestation per subject and scope, one per line,
//!   each with the credential id `--id` prefix + a UUID derived from subject, scope, profile and
//!   issuance time ([`gxa_scs::attestation_id`]; default prefix `urn:uuid:`):
//!   Tagus as VC 1.1 JSON-LD with a JsonWebSignature2020 proof (`--suite`, default the Gaia-X
//!   flavour `jws2020-gaiax`), Loire as the compact vc+jwt of the VC 2.0 document. The
//!   issuance time and the proof's `created` are `--at` (default: now, whole seconds). An
//!   attestation is issued for every verdict, a failing one included: it records the evidence.
//!   Exit 0 when everything was signed, 2 on error.
//!
//! New subcommands of the group (e.g. `scs flavor-name`) are one more [`ScsCommand`] variant
//! and one more arm in [`run`].

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use gxa_credential::Profile;
use gxa_proof::{KeySet, PinnedJsonLd, SignOptions, SignSuite, Signed, Signer, with_proof_context};
use gxa_scs::{
    AllowedSigners, AttestationOptions, CheckedAtZone, Evaluation, Evaluator, Limits, Scope,
    SignedUpload, Verdict, attestation_document, attestation_id, verify_upload,
};
use jiff::Timestamp;

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
    /// Evaluate like `evaluate` and print a signed compliance attestation per subject.
    Attest(AttestArgs),
    /// Verify a signed upload body (`<SSH signature>&<yaml>`) against an allowed-signers file.
    VerifyUpload(VerifyUploadArgs),
    /// SCS flavor names (scs-0100 v3): decode or generate them.
    FlavorName(super::flavor_name::Args),
}

/// What every evaluating subcommand (`evaluate`, `attest`) reads: scopes, reports or signed
/// uploads, and the reference time. Defined once so both accept exactly the same inputs.
#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// Certificate scope YAML (current or legacy format); repeat for several scopes.
    #[arg(long, value_name = "SCOPE.yaml", required = true)]
    scope: Vec<PathBuf>,
    /// Reference time (RFC 3339, e.g. 2026-11-25T12:00:00Z); default: now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<Timestamp>,
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

/// Arguments of `gx-attest scs evaluate`.
#[derive(Debug, clap::Args)]
struct EvaluateArgs {
    #[command(flatten)]
    inputs: ReportArgs,
    /// Print one JSON object per subject and scope (one per line) instead of a table.
    #[arg(long)]
    json: bool,
}

/// Arguments of `gx-attest scs attest`.
#[derive(Debug, clap::Args)]
struct AttestArgs {
    #[command(flatten)]
    inputs: ReportArgs,
    /// Signing key: a JWK or PEM file, a PKCS#11 URI (`pkcs11:…`), or a key set directory
    /// (`keys.toml`, as written by `gx-attest keys generate`).
    #[arg(long, value_name = "KEY")]
    key: String,
    /// The issuer's DID; default: the key set's DID, or the key's did:jwk for a key file.
    #[arg(long, value_name = "DID")]
    issuer: Option<String>,
    /// Gaia-X profile: `tagus` (VC 1.1 JSON-LD with a JsonWebSignature2020 proof) or `loire`
    /// (VC 2.0 secured as a vc+jwt).
    #[arg(long, value_parser = ["tagus", "loire"])]
    profile: String,
    /// Tagus only: the JsonWebSignature2020 flavour. `jws2020-gaiax` (the default) is what
    /// Gaia-X compliance v1 emits and the Tagus clearing houses (GXDCH v1) verify first, the
    /// spec flavour being only a fallback there; `jws2020` is the W3C-CCG suite.
    #[arg(long, value_parser = ["jws2020", "jws2020-gaiax"])]
    suite: Option<String>,
    /// Verification method URL; its DID must be the issuer. Default: the key set's active
    /// method (`<did>#<key id>`), or `did:jwk:…#0` for a key file.
    #[arg(long, value_name = "URL")]
    verification_method: Option<String>,
    /// Prefix of each attestation's credential `id`: a URN prefix (default `urn:uuid:`) or a
    /// URL prefix such as `https://provider.example/credentials/`. The id is the prefix followed
    /// by a UUID derived from subject, scope, profile and issuance time (`--at`), so it is
    /// unique per attestation and the same when the same attestation is issued again.
    #[arg(long, value_name = "URL-or-URN-prefix", default_value = "urn:uuid:")]
    id: String,
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
        ScsCommand::Evaluate(args) => evaluate(&args),
        ScsCommand::Attest(args) => attest(&args),
        ScsCommand::VerifyUpload(args) => verify(args),
        ScsCommand::FlavorName(args) => super::flavor_name::run(args),
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

/// Reads the scopes and reports of `args` and evaluates them at the reference time; the
/// evaluation shared by `scs evaluate` and `scs attest`.
fn evaluate_reports(args: &ReportArgs, at: Timestamp) -> anyhow::Result<Vec<Evaluation>> {
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
    Ok(evaluator.evaluate(at))
}

fn evaluate(args: &EvaluateArgs) -> anyhow::Result<ExitCode> {
    let at = args.inputs.at.unwrap_or_else(Timestamp::now);
    let evaluations = evaluate_reports(&args.inputs, at)?;
    let mut out = String::new();
    for evaluation in &evaluations {
        if args.json {
            writeln!(out, "{}", serde_json::to_string(&evaluation.to_json())?)?;
        } else {
            table(&mut out, evaluation)?;
        }
    }
    super::write_stdout(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The signing key, the verification method its proofs name, and the issuer.
struct AttestKey {
    signer: Box<dyn Signer>,
    verification_method: String,
    issuer: String,
}

/// Opens `--key` and settles issuer and verification method, refusing combinations whose
/// credential could not verify (the method's DID must be the issuer: `gx-attest verify`
/// reports an issuer mismatch for a vc+jwt otherwise, and a Gaia-X verifier would for both).
///
/// * A key set directory signs with its active key as `<did>#<key id>`, the set's DID being
///   the issuer; its `did.json` (or `gx-attest keys did-document`) is the did:web document.
/// * A key file or PKCS#11 URI has no DID of its own: it signs as its did:jwk (`#0`, as
///   `gx-attest sign` does), or as `--verification-method` under a did:web issuer.
fn attest_key(args: &AttestArgs) -> anyhow::Result<AttestKey> {
    let path = Path::new(&args.key);
    let (signer, key_method) = if path.is_dir() {
        let set = KeySet::load(path).with_context(|| format!("key set {}", path.display()))?;
        let (signer, method) = set
            .signer(None)
            .with_context(|| format!("key set {}", path.display()))?;
        (signer, method)
    } else {
        let signer = gxa_proof::open_signer(&args.key, Path::new("."))
            .with_context(|| format!("cannot use key {}", args.key))?;
        let method = gxa_proof::default_verification_method(signer.as_ref());
        (signer, method)
    };
    let verification_method = match (&args.verification_method, &args.issuer) {
        (Some(method), _) => method.clone(),
        (None, Some(issuer)) if gxa_proof::did_of(&key_method) != issuer => bail!(
            "--issuer {issuer} is not the DID of the key's verification method {key_method}; \
             give --verification-method {issuer}#<key id> (or a key set directory for that DID)"
        ),
        (None, _) => key_method,
    };
    let method_did = gxa_proof::did_of(&verification_method).to_owned();
    let issuer = args.issuer.clone().unwrap_or_else(|| method_did.clone());
    if method_did != issuer || !verification_method.contains('#') {
        bail!(
            "the verification method {verification_method} must be a DID URL of the issuer \
             {issuer} (<issuer>#<key id>)"
        );
    }
    Ok(AttestKey {
        signer,
        verification_method,
        issuer,
    })
}

/// The proof suite of a profile: Tagus embeds a JsonWebSignature2020 proof, Loire is a
/// vc+jwt (what the Gaia-X Loire clearing houses exchange).
fn attest_suite(profile: Profile, suite: Option<&str>) -> anyhow::Result<SignSuite> {
    match (profile, suite) {
        (_, None) => Ok(gxa_proof::profile_suite(profile, gxa_proof::Flavour::GaiaX)),
        (Profile::Tagus, Some(name)) => Ok(name.parse()?),
        (Profile::Loire, Some(name)) => bail!(
            "--suite {name} applies to --profile tagus; loire attestations are secured as vc+jwt"
        ),
    }
}

fn attest(args: &AttestArgs) -> anyhow::Result<ExitCode> {
    let profile: Profile = args.profile.parse()?;
    let suite = attest_suite(profile, args.suite.as_deref())?;
    let key = attest_key(args)?;
    // Whole seconds: the proof's `created` and the credential's issuance time agree.
    let at = match args.inputs.at {
        Some(at) => at,
        None => Timestamp::from_second(Timestamp::now().as_second())?,
    };
    let evaluations = evaluate_reports(&args.inputs, at)?;
    if !args.id.contains(':') || args.id.chars().any(char::is_whitespace) {
        bail!(
            "--id {:?} is neither a URN nor a URL prefix (e.g. urn:uuid: or https://provider.example/credentials/)",
            args.id
        );
    }
    let sign_options = SignOptions {
        verification_method: Some(key.verification_method.clone()),
        created: Some(at.to_string()),
        challenge: None,
        domain: None,
        strict_jsonld: true,
    };
    let mut out = String::new();
    for evaluation in &evaluations {
        let mut options = AttestationOptions::new(profile, &key.issuer, at);
        let scope = evaluation
            .scope
            .uuid
            .as_deref()
            .unwrap_or(&evaluation.scope.name);
        options.credential_id = Some(attestation_id(
            &args.id,
            &evaluation.subject,
            scope,
            profile,
            at,
        ));
        let document = with_proof_context(attestation_document(evaluation, &options), suite);
        if document.is_null() {
            bail!(
                "scope {} has no versions: nothing to attest for {}",
                evaluation.scope.name,
                evaluation.subject
            );
        }
        let signed = gxa_proof::sign(
            &document,
            suite,
            key.signer.as_ref(),
            &sign_options,
            Some(&PinnedJsonLd),
        )
        .with_context(|| {
            format!(
                "cannot sign the attestation of {} ({})",
                evaluation.subject, evaluation.scope.name
            )
        })?;
        match signed {
            Signed::Document(doc) => writeln!(out, "{}", serde_json::to_string(&doc)?)?,
            Signed::Jwt(jwt) => writeln!(out, "{jwt}")?,
        }
    }
    super::write_stdout(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
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
