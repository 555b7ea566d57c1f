//! `gx-attest clearing submit`: one round trip to the configured clearing house, outside the
//! running service's schedule.
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
    }
}

fn submit(args: SubmitArgs) -> anyhow::Result<ExitCode> {
    let mut config = Config::from_file(&args.config)?;
    if let Some(url) = args.database_url {
        config.database_url = Some(url);
    }
    gxa_service::init_tracing(config.log_format);
    let ids = gxa_service::block_on(async move {
        let store = gxa_service::open_store(&config).await?;
        let client = gxa_service::clearing::client(&config, store.clone())
            .await?
            .ok_or_else(|| {
                gxa_service::ServiceError::Config(gxa_service::ConfigError::Invalid(
                    "no [clearing] section in the configuration".to_owned(),
                ))
            })?;
        let profiles = match &args.profile {
            Some(p) => vec![p.parse::<gxa_credential::Profile>().map_err(|e| {
                gxa_service::ServiceError::Config(gxa_service::ConfigError::Invalid(e.to_string()))
            })?],
            None => client.config().profiles.clone(),
        };
        let mut out = Vec::new();
        for profile in profiles {
            out.push(client.submit(profile).await);
        }
        store.close().await;
        Ok(out)
    })?;
    for result in ids {
        let submitted = result.context("clearing-house round trip")?;
        super::write_stdout(format!("{}\n", submitted.credential_id).as_bytes())?;
    }
    Ok(ExitCode::SUCCESS)
}
