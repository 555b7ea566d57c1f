//! `gx-attest clearing submit`: one round trip to the configured clearing house, outside the
//! running service's schedule. `gx-attest clearing check`: the clearing house's checks of what
//! `submit` would send, before sending it (`gxa_clearing::preflight`).
//!
//! Reads the service configuration (`--config`, the same file `serve` reads; its `[clearing]`
//! section names the notary, the compliance service and the registration number), opens the
//! same store, asks the notary for the registration-number credential (reusing a stored one
//! that is still valid), submits the presentation, verifies and stores the compliance
//! credential, and prints its id (one line per profile). Exit 2 with the service's answer when
//! the notary or the compliance service refuses or cannot be reached.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use gxa_service::Config;

/// Arguments of `gx-attest clearing`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Obtain (or renew) the compliance credential now; prints its id.
    Submit(SubmitArgs),
    /// Run the clearing house's checks on what `submit` would send, one line each; exit 0 when
    /// none fails, 1 when one does, 2 on an error.
    Check(CheckArgs),
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// The service configuration (TOML with a [clearing] section).
    #[arg(long, env = "GXA_CONFIG")]
    config: PathBuf,
    /// Only this profile (loire or tagus) [default: the profiles of [clearing]].
    #[arg(long, value_parser = ["loire", "tagus"])]
    profile: Option<String>,
    /// The Loire level to check for (SC, L1, L2, L3) [default: [clearing] level].
    #[arg(long)]
    level: Option<String>,
    /// Read the key set's own DID document and chain instead of fetching them (no registry).
    #[arg(long)]
    offline: bool,
    /// One JSON object per profile instead of lines.
    #[arg(long)]
    json: bool,
    /// Database URL, overriding the file (as `serve --database-url`).
    #[arg(long, env = "GXA_DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Debug, clap::Args)]
struct SubmitArgs {
    /// The service configuration (TOML with a [clearing] section).
    #[arg(long, env = "GXA_CONFIG")]
    config: PathBuf,
    /// Only this profile (loire or tagus) [default: the profiles of [clearing]].
    #[arg(long, value_parser = ["loire", "tagus"])]
    profile: Option<String>,
    /// Database URL, overriding the file (as `serve --database-url`).
    #[arg(long, env = "GXA_DATABASE_URL")]
    database_url: Option<String>,
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Submit(args) => submit(args),
        Command::Check(args) => check(args),
    }
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let mut config = Config::from_file(&args.config)?;
    if let Some(url) = args.database_url {
        config.database_url = Some(url);
    }
    if let (Some(level), Some(section)) = (&args.level, config.clearing.as_mut()) {
        section.level = level.clone();
    }
    gxa_service::init_tracing(config.log_format);
    let local = if args.offline {
        Some(gxa_service::clearing::local_identity(&config)?)
    } else {
        None
    };
    let reports = for_each_profile(config, args.profile.as_deref(), async |client, profile| {
        let local = local.as_ref().map(|(doc, chain)| (doc, chain.as_deref()));
        client.preflight(profile, None, local).await
    })?;
    let mut passed = true;
    let mut text = String::new();
    for report in reports {
        let report = report.context("clearing pre-flight")?;
        passed &= report.passed();
        if args.json {
            text.push_str(&serde_json::to_string(&report)?);
            text.push('\n');
        } else {
            text.push_str(&format!("# {} {}\n", report.profile, report.level));
            for check in &report.checks {
                text.push_str(&format!("{check}\n"));
            }
        }
    }
    super::write_stdout(text.as_bytes())?;
    Ok(if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn submit(args: SubmitArgs) -> anyhow::Result<ExitCode> {
    let mut config = Config::from_file(&args.config)?;
    if let Some(url) = args.database_url {
        config.database_url = Some(url);
    }
    gxa_service::init_tracing(config.log_format);
    let ids = for_each_profile(config, args.profile.as_deref(), async |client, profile| {
        client.submit(profile).await
    })?;
    for result in ids {
        let submitted = result.context("clearing-house round trip")?;
        super::write_stdout(format!("{}\n", submitted.credential_id).as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Opens the store and the `[clearing]` client of `config`, runs `each` for every profile asked
/// (`profile`, else the client's), then closes the store.
fn for_each_profile<T>(
    config: Config,
    profile: Option<&str>,
    each: impl AsyncFn(&gxa_service::clearing::Client, gxa_credential::Profile) -> T,
) -> anyhow::Result<Vec<T>> {
    let invalid =
        |m: String| gxa_service::ServiceError::Config(gxa_service::ConfigError::Invalid(m));
    Ok(gxa_service::block_on(async move {
        let store = gxa_service::open_store(&config).await?;
        let client = gxa_service::clearing::client(&config, store.clone())
            .await?
            .ok_or_else(|| invalid("no [clearing] section in the configuration".to_owned()))?;
        let profiles = match profile {
            Some(p) => vec![
                p.parse::<gxa_credential::Profile>()
                    .map_err(|e| invalid(e.to_string()))?,
            ],
            None => client.config().profiles.clone(),
        };
        let mut out = Vec::new();
        for profile in profiles {
            out.push(each(&client, profile).await);
        }
        store.close().await;
        Ok(out)
    })?)
}
