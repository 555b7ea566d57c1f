//! `gx-attest serve`: the HTTP service (`gxa-service`).
//!
//! `serve --config FILE` (or `GXA_CONFIG`) runs it from a TOML file (see `gx-attest.example.toml`),
//! each setting overridable by a flag or a `GXA_*` variable; `serve --demo` runs it on a laptop
//! with SQLite, development keys and the repository's `examples/`. Stops gracefully on SIGTERM
//! or SIGINT (exit 0); exit 2 when it cannot start.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use gxa_service::demo::{DemoOptions, prepare_demo};
use gxa_service::{Config, LogFormat};

/// Arguments of `gx-attest serve`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The configuration file (TOML; see gx-attest.example.toml).
    #[arg(long, env = "GXA_CONFIG", conflicts_with = "demo")]
    config: Option<PathBuf>,
    /// Demo mode: SQLite in --data, development keys generated there, examples imported, an upload
    /// token printed. Loopback addresses only.
    #[arg(long)]
    demo: bool,
    /// Plain-HTTP listen address [default: 127.0.0.1:8080].
    #[arg(long, env = "GXA_LISTEN")]
    listen: Option<SocketAddr>,
    /// Data directory (SQLite database; demo keys) [default: ./data].
    #[arg(long = "data", env = "GXA_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: postgres://… for production and several replicas, or sqlite://PATH
    /// [default: SQLite in the data directory].
    #[arg(long, env = "GXA_DATABASE_URL")]
    database_url: Option<String>,
    /// Public base URL, no trailing slash (e.g. https://provider.example).
    #[arg(long, env = "GXA_BASE_URL")]
    base_url: Option<String>,
    /// Key set directory (holding keys.toml; see `gx-attest keys generate`).
    #[arg(long, env = "GXA_KEY_SET")]
    key_set: Option<PathBuf>,
    /// SCS certificate scope YAML; repeatable (GXA_SCOPES: comma-separated). Replaces the file's list.
    #[arg(long = "scope", env = "GXA_SCOPES", value_delimiter = ',')]
    scopes: Vec<PathBuf>,
    /// The provider description (provider.toml).
    #[arg(long, env = "GXA_PROVIDER")]
    provider: Option<PathBuf>,
    /// Log format: text or json [default: text]. Levels: RUST_LOG (default info).
    #[arg(long, env = "GXA_LOG_FORMAT", value_parser = ["text", "json"])]
    log_format: Option<String>,
    /// A development API token, SUBJECT=TOKEN (at least 16 characters); repeatable
    /// (GXA_DEV_TOKENS: comma-separated). Production tokens go in the file, as SHA-256.
    #[arg(
        long = "dev-token",
        env = "GXA_DEV_TOKENS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    dev_tokens: Vec<String>,
    /// Largest request body in bytes [default: 16777216].
    #[arg(long, env = "GXA_MAX_BODY_BYTES")]
    max_body_bytes: Option<usize>,
    /// Request timeout in seconds [default: 30].
    #[arg(long, env = "GXA_REQUEST_TIMEOUT_SECS")]
    request_timeout_secs: Option<u64>,
    /// Interval of the re-issuance job in seconds, 0 = off [default: 3600].
    #[arg(long, env = "GXA_REISSUE_INTERVAL_SECS")]
    reissue_interval_secs: Option<u64>,
    /// What to run as: provider (default: issue and serve own credentials), compliance (a
    /// private clearing house: adds the Gaia-X compliance and notary routes; see
    /// `[compliance]`), registry (adds the Gaia-X registry API; see `[registry]`) or
    /// compliance,registry (both).
    #[arg(long, env = "GXA_ROLE", value_parser = ["provider", "compliance", "registry", "compliance,registry"])]
    role: Option<String>,
    /// The repository's examples directory (demo mode).
    #[arg(long, env = "GXA_EXAMPLES", default_value = "examples")]
    examples: PathBuf,
    /// Demo mode: an OpenSSH public key file (e.g. the SCS test runner's `keyfile.pub`) or an
    /// allowed_signers file whose keys may also sign the demo account's uploads; repeatable.
    #[arg(long = "allowed-signer", value_name = "KEYFILE", requires = "demo")]
    allowed_signers: Vec<PathBuf>,
    /// Zone of zone-less report `checked_at` values (the SCS checker writes the runner's local
    /// time): UTC or an IANA name such as Europe/Berlin [default: UTC]. In demo mode, the demo
    /// account's zone.
    #[arg(long, env = "GXA_CHECKED_AT_ZONE")]
    checked_at_zone: Option<String>,
    /// JsonWebSignature2020 signing input of Tagus proofs: gaia-x (what Tagus clearing houses
    /// emit and verify) or spec (the W3C-CCG input other JWS2020 verifiers check) [default:
    /// gaia-x]. In demo mode too.
    #[arg(long, env = "GXA_JWS2020_FLAVOUR", value_parser = ["gaia-x", "spec"])]
    jws2020_flavour: Option<String>,
}

impl Args {
    fn log_format(&self) -> LogFormat {
        match self.log_format.as_deref() {
            Some("json") => LogFormat::Json,
            _ => LogFormat::Text,
        }
    }

    /// Applies the flags and variables over `config`.
    fn apply(self, config: &mut Config) -> anyhow::Result<()> {
        if let Some(listen) = self.listen {
            config.listen = listen;
        }
        if let Some(dir) = self.data_dir {
            config.data_dir = dir;
        }
        if let Some(url) = self.database_url {
            config.database_url = Some(url);
        }
        if let Some(url) = self.base_url {
            config.base_url = url;
        }
        if let Some(dir) = self.key_set {
            config.key_set = dir;
        }
        if !self.scopes.is_empty() {
            config.scopes = self.scopes;
        }
        if let Some(provider) = self.provider {
            config.provider = Some(provider);
        }
        if let Some(format) = self.log_format.as_deref() {
            config.log_format = if format == "json" {
                LogFormat::Json
            } else {
                LogFormat::Text
            };
        }
        if let Some(n) = self.max_body_bytes {
            config.limits.max_body_bytes = n;
        }
        if let Some(n) = self.request_timeout_secs {
            config.limits.request_timeout_secs = n;
        }
        if let Some(n) = self.reissue_interval_secs {
            config.limits.reissue_interval_secs = n;
        }
        if let Some(role) = self.role.as_deref() {
            config.role = role.parse()?;
        }
        if let Some(zone) = self.checked_at_zone {
            config.checked_at_zone = zone;
        }
        match self.jws2020_flavour.as_deref() {
            Some("spec") => config.jws2020_flavour = gxa_service::Jws2020Flavour::Spec,
            Some(_) => config.jws2020_flavour = gxa_service::Jws2020Flavour::GaiaX,
            None => {}
        }
        for token in &self.dev_tokens {
            config.dev_tokens.push(gxa_service::parse_dev_token(token)?);
        }
        Ok(())
    }
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.demo {
        return run_demo(args);
    }
    let mut config = match &args.config {
        Some(path) => Config::from_file(path)?,
        None => {
            let base_url = args
                .base_url
                .clone()
                .context("--config, or at least --base-url and --key-set, or --demo")?;
            let key_set = args
                .key_set
                .clone()
                .context("--config, or at least --base-url and --key-set, or --demo")?;
            Config::new(base_url, key_set)
        }
    };
    args.apply(&mut config)?;
    gxa_service::init_tracing(config.log_format);
    gxa_service::block_on(gxa_service::run(config))?;
    Ok(ExitCode::SUCCESS)
}

fn run_demo(args: Args) -> anyhow::Result<ExitCode> {
    gxa_service::init_tracing(args.log_format());
    let options = DemoOptions {
        listen: args
            .listen
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
        data_dir: args
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("data")),
        examples_dir: args.examples.clone(),
        allowed_signers: args.allowed_signers.clone(),
        checked_at_zone: args.checked_at_zone.clone(),
    };
    let mut overrides = Config::new("http://unused", "unused");
    args.apply(&mut overrides)?;
    gxa_service::block_on(async move {
        let listener = gxa_service::bind(options.listen).await?;
        let demo = prepare_demo(&options, &overrides).await?;
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(demo.banner.as_bytes());
        let _ = stdout.flush();
        drop(stdout);
        gxa_service::serve(demo.prepared, listener).await
    })?;
    Ok(ExitCode::SUCCESS)
}
