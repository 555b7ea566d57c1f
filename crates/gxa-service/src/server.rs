//! Start-up and the listeners: open the store, load the key set and scopes, build the issuer,
//! register the configured subjects, serve HTTP (and HTTPS), run the re-issuance scheduler, and
//! shut everything down gracefully on SIGTERM or SIGINT.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use gxa_issuer::{Issuer, IssuerConfig};
use gxa_store::{Store, StoreOptions};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::auth::{OpsAccess, TokenTable};
use crate::config::{Config, LogFormat, ssh_public_key};
use crate::conn::ConnectionLimits;
use crate::error::{ConfigError, ServiceError};
use crate::metrics::Metrics;
use crate::pool::VerifyPool;
use crate::state::{AppState, RouterOptions};

/// Installs the global tracing subscriber: `RUST_LOG` filters (default `info`), text or JSON
/// lines on standard error. Calling it twice is harmless (the second call does nothing).
pub fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

fn read_file(path: &Path) -> Result<Vec<u8>, ServiceError> {
    std::fs::read(path).map_err(|err| ServiceError::Input {
        path: path.display().to_string(),
        message: err.to_string(),
    })
}

/// The issuer configuration from the service configuration (reads scopes and provider files).
pub fn issuer_config(config: &Config) -> Result<IssuerConfig, ServiceError> {
    let mut issuer = IssuerConfig::new(config.base_url.clone());
    issuer.profiles = config
        .profiles
        .iter()
        .map(|p| p.parse::<gxa_credential::Profile>())
        .collect::<Result<_, _>>()
        .map_err(|e| ConfigError::Invalid(e.to_string()))?;
    issuer.jws2020_flavour = config.jws2020_flavour.into();
    issuer.zone = gxa_scs::CheckedAtZone::named(&config.checked_at_zone)
        .map_err(|e| ConfigError::Invalid(format!("checked_at_zone: {e}")))?;
    issuer.scopes = config
        .scopes
        .iter()
        .map(|path| {
            gxa_scs::Scope::from_yaml(&read_file(path)?, issuer.limits).map_err(|e| {
                ServiceError::Input {
                    path: path.display().to_string(),
                    message: e.to_string(),
                }
            })
        })
        .collect::<Result<_, _>>()?;
    for subject in &config.subjects {
        let zone = match &subject.checked_at_zone {
            Some(name) => Some(gxa_scs::CheckedAtZone::named(name).map_err(|e| {
                ConfigError::Invalid(format!("subject {}: checked_at_zone: {e}", subject.id))
            })?),
            None => None,
        };
        issuer.accounts.insert(
            subject.id.clone(),
            gxa_issuer::Account {
                delegate_of: subject.delegate_of.clone(),
                zone,
            },
        );
    }
    issuer.future_skew = jiff::SignedDuration::from_secs(
        i64::try_from(config.limits.future_skew_secs).unwrap_or(i64::MAX),
    );
    let days = |n: u32| jiff::SignedDuration::from_hours(i64::from(n) * 24);
    issuer.reissue_window = days(config.limits.reissue_window_days);
    issuer.credential_validity = days(config.limits.credential_validity_days);
    issuer.max_withdraw_percent = config.limits.max_withdraw_percent;
    if let Some(path) = &config.provider {
        let text = String::from_utf8(read_file(path)?).map_err(|e| ServiceError::Input {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        issuer.provider = Some(
            gxa_inventory::input::provider::ProviderFile::parse(&text, &path.display().to_string())
                .map_err(|e| ServiceError::Input {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?,
        );
    }
    Ok(issuer)
}

/// Opens the configured store (SQLite in the data directory unless `database_url` is set).
pub async fn open_store(config: &Config) -> Result<Store, ServiceError> {
    let options = StoreOptions {
        max_connections: config.max_connections,
    };
    let store = match config.database_url() {
        Some(url) => Store::open_with(url, &options).await?,
        None => {
            gxa_proof::create_private_dir(&config.data_dir).map_err(|source| ServiceError::Io {
                what: format!("data directory {}", config.data_dir.display()),
                source,
            })?;
            let path = config.data_dir.join(gxa_store::SQLITE_FILE_NAME);
            private_database_file(&path)?;
            let url = format!("sqlite://{}", path.display());
            Store::open_with(&url, &options).await?
        }
    };
    Ok(store)
}

/// Makes sure the SQLite database at `path` (it holds token hashes and the uploads kept as
/// evidence) is not readable by other users: a new database is created empty with mode 0600
/// (SQLite gives its `-wal` and `-shm` files the same mode), and an existing one that others may
/// access loses those permission bits, with a warning.
fn private_database_file(path: &Path) -> Result<(), ServiceError> {
    let io = |source| ServiceError::Io {
        what: format!("database file {}", path.display()),
        source,
    };
    if !path.exists() {
        return gxa_proof::write_private(path, b"").map_err(io);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mut suffixed = vec![path.to_owned()];
        for suffix in ["-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            suffixed.push(name.into());
        }
        for file in suffixed.iter().filter(|f| f.exists()) {
            let mode = std::fs::metadata(file).map_err(io)?.permissions().mode();
            if mode & 0o007 != 0 {
                std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode & 0o770))
                    .map_err(io)?;
                tracing::warn!(file = %file.display(), "the database was accessible by other users; removed their permissions");
            }
        }
    }
    Ok(())
}

/// Registers the configured subjects and their SSH keys in the store (idempotent, safe with
/// several replicas starting at once) and returns the configured token table.
pub async fn register_subjects(store: &Store, config: &Config) -> Result<TokenTable, ServiceError> {
    let mut tokens = TokenTable::new();
    for subject in &config.subjects {
        store.register_subject(&subject.id).await?;
        for line in &subject.ssh_keys {
            let key = ssh_public_key(line)?;
            store.add_ssh_key(&subject.id, &key).await?;
        }
        for token in &subject.tokens {
            tokens.add_sha256(&subject.id, &token.sha256).map_err(|_| {
                ConfigError::Invalid(format!(
                    "subject {}: token {}: not a SHA-256",
                    subject.id, token.label
                ))
            })?;
        }
    }
    for (subject, token) in &config.dev_tokens {
        store.register_subject(subject).await?;
        tokens.add_plain(subject, token);
    }
    Ok(tokens)
}

/// Everything built at start, before serving.
pub struct Prepared {
    /// The router state.
    pub state: AppState,
    /// The configuration it was built from.
    pub config: Config,
}

/// Opens the store, loads keys and scopes, builds the issuer and registers the subjects.
pub async fn prepare(config: Config) -> Result<Prepared, ServiceError> {
    config.validate()?;
    if let Some(section) = &config.inventory {
        section.check(&config.subjects)?;
    }
    // The keys first: a key set others can read stops the start before anything is created.
    let keys = gxa_proof::KeySet::load(&config.key_set)?;
    keys.check_private_key_modes()?;
    let store = open_store(&config).await?;
    let issuer_config = issuer_config(&config)?;
    let issuer = Issuer::new(store.clone(), keys, issuer_config).await?;
    let tokens = register_subjects(&store, &config).await?;
    let state = AppState::new(
        issuer,
        Arc::new(Metrics::new()),
        RouterOptions::from_limits(&config.limits),
        tokens,
    )
    .with_verifier(config.verify.verifier()?)
    .with_verify_pool(VerifyPool::from_config(&config.verify))
    .with_derived_cache(Duration::from_secs(config.limits.derived_cache_secs))
    .with_ops_access(OpsAccess::from_config(&config.ops)?)
    .with_role(config.role);
    let state = with_partner_sync(state, &store, &config)?;
    let state = match crate::clearing::client(&config, store.clone()).await? {
        Some(client) => {
            let local = crate::clearing::local_identity(&config)?;
            state.with_preflight(crate::clearing::Preflight::new(client, local))
        }
        None => state,
    };
    Ok(Prepared { state, config })
}

/// Adds the partner sync when partners are configured: it verifies with the
/// `[verify]` section's verifier (trust anchors, fetch policy, shapes) and fetches feeds and
/// credentials through a guarded fetcher with the same policy.
fn with_partner_sync(
    state: AppState,
    store: &Store,
    config: &Config,
) -> Result<AppState, ServiceError> {
    let Some(verifier) = state.verifier().filter(|_| !config.partners.is_empty()) else {
        return Ok(state);
    };
    let fetcher = gxa_fetch::Fetcher::new(config.verify.fetch_policy()?)
        .map_err(|e| ServiceError::Verify(format!("partner fetcher: {e}")))?;
    let syncer = gxa_partners::Syncer::new(
        store.clone(),
        verifier.clone(),
        fetcher,
        config.partners.clone(),
        config.partner_sync.clone(),
    )
    .map_err(|e| ConfigError::Invalid(e.to_string()))?;
    // The state without the syncer: no reference cycle through the observer.
    let metrics_state = state.clone();
    syncer.set_observer(Arc::new(move |partner: &str, outcome: &'static str| {
        metrics_state.metrics().count_partner(partner, outcome);
    }));
    Ok(state.with_partners(syncer))
}

/// Binds the plain-HTTP listener.
pub async fn bind(addr: SocketAddr) -> Result<TcpListener, ServiceError> {
    TcpListener::bind(addr)
        .await
        .map_err(|source| ServiceError::Io {
            what: format!("cannot listen on {addr}"),
            source,
        })
}

/// Resolves when SIGTERM or SIGINT arrives (or, if signals cannot be installed, never).
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing open requests");
}

/// Serves the prepared service on `listener` (and the HTTPS listener, if configured) until
/// SIGTERM/SIGINT; runs the re-issuance scheduler meanwhile.
pub async fn serve(prepared: Prepared, listener: TcpListener) -> Result<(), ServiceError> {
    let Prepared { state, config } = prepared;
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let scheduler = (config.limits.reissue_interval_secs > 0).then(|| {
        let issuer = state.issuer().clone();
        crate::schedule::spawn_periodic(
            Duration::from_secs(config.limits.reissue_interval_secs),
            shutdown_rx.clone(),
            move || {
                let issuer = issuer.clone();
                async move {
                    match issuer.reissue_expiring(jiff::Timestamp::now()).await {
                        Ok(summary) if !summary.reissued.is_empty() => {
                            tracing::info!(
                                count = summary.reissued.len(),
                                "re-issued expiring credentials"
                            );
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "scheduled re-issuance failed"),
                    }
                }
            },
        )
    });
    let partner_sync = state.partners().map(|s| s.spawn(shutdown_rx.clone()));
    let inventory_pull = config
        .inventory
        .clone()
        .map(|section| crate::pull::spawn(section, state.clone(), shutdown_rx.clone()));
    let (registry_routes, registry_tasks) =
        crate::routes::registry::spawn(&config, &state, shutdown_rx.clone()).await?;
    let app: Router = crate::routes::router_with(
        crate::routes::clearing::role_routes(&config)?.merge(registry_routes),
        state.clone(),
    );
    let clearing = crate::clearing::spawn_renewal(&config, &state, shutdown_rx.clone()).await?;
    let ces = crate::ces::spawn(&config, &state, shutdown_rx.clone())?;

    let connection_limits = ConnectionLimits::from_limits(&config.limits);
    let tls_task = match &config.tls {
        Some(tls) => {
            let acceptor = crate::tls::acceptor(&tls.cert, &tls.key)?;
            let listener = bind(tls.listen).await?;
            tracing::info!(listen = %tls.listen, "HTTPS listener");
            Some(tokio::spawn(crate::conn::serve(
                listener,
                Some(acceptor),
                app.clone(),
                connection_limits,
                shutdown_rx.clone(),
            )))
        }
        None => None,
    };

    let addr = listener.local_addr().ok();
    tracing::info!(listen = ?addr, backend = state.store().backend_name(), did = state.issuer().did(), "serving");
    let server = crate::conn::serve(listener, None, app, connection_limits, shutdown_rx.clone());
    let signal_task = tokio::spawn(async move {
        shutdown_signal().await;
        let _ = shutdown_tx.send(true);
    });
    server.await;
    signal_task.abort();
    if let Some(task) = tls_task {
        let _ = task.await;
    }
    if let Some(task) = scheduler {
        let _ = task.await;
    }
    if let Some(task) = partner_sync {
        let _ = task.await;
    }
    if let Some(task) = inventory_pull {
        let _ = task.await;
    }
    if let Some(task) = clearing {
        let _ = task.await;
    }
    if let Some(task) = ces {
        let _ = task.await;
    }
    for task in registry_tasks {
        let _ = task.await;
    }
    state.store().close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Prepares and serves: the whole life of `gx-attest serve`.
pub async fn run(config: Config) -> Result<(), ServiceError> {
    let listener = bind(config.listen).await?;
    let prepared = prepare(config).await?;
    serve(prepared, listener).await
}

/// [`run`] on a new multi-threaded tokio runtime (for the synchronous CLI).
pub fn block_on<F, T>(future: F) -> Result<T, ServiceError>
where
    F: Future<Output = Result<T, ServiceError>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|source| ServiceError::Io {
            what: "starting the async runtime".to_owned(),
            source,
        })?;
    runtime.block_on(future)
}
