//! `gx-attest inventory build`: cloud inventory → Gaia-X self-descriptions (`gxa-inventory`).
//!
//! `inventory build --provider provider.toml [--openstack FLAVORS_AND_IMAGES.json]
//! [--flavor-yaml FILE] [--ironic FILE]... [--netbox FILE] --profile loire|tagus --out DIR
//! [--sign --key KEY] [--valid-from RFC3339]`: writes one JSON-LD credential per
//! self-description (`DIR/*.json`, unsigned; Tagus files are prefixed `tagus-`); with `--sign`,
//! also the signed form (Loire: `*.jwt`, vc+jwt; Tagus: `*.signed.json`, JsonWebSignature2020
//! in the Gaia-X flavour, `created` = `--valid-from` or now), and prints a summary with the warnings; exit 0 when
//! written, 2 on error. Output is deterministic: no time stamp unless `--valid-from`.
//!
//! `inventory pull --config inventory.toml --out DIR [--os-cloud NAME] [--build --provider
//! provider.toml --profile loire|tagus [--valid-from RFC3339]]`: reads OpenStack, NetBox and
//! Redfish as `inventory.toml` says (`gxa-sources`), writes `DIR/snapshot.json` (the body
//! `POST /inventory` takes) and, with `--build`, the self-descriptions as `inventory build`
//! does. Exit 2 when any source fails; the message names the source and endpoint, never a
//! secret, and nothing is written.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use gxa_inventory::input::hosts::parse_host;
use gxa_inventory::input::netbox::parse_netbox;
use gxa_inventory::input::openstack::{parse_catalog, parse_flavor_yaml};
use gxa_inventory::input::provider::ProviderFile;
use gxa_inventory::input::read_file;
use gxa_inventory::loire::{Inventory, build};
use gxa_proof::{PinnedJsonLd, SignOptions, Signed};

use super::write_stdout;

/// Arguments of `gx-attest inventory`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: InventoryCommand,
}

#[derive(Debug, clap::Subcommand)]
enum InventoryCommand {
    /// Build the self-descriptions of a cloud from its inventory.
    Build(BuildArgs),
    /// Pull the inventory from OpenStack, NetBox and Redfish (inventory.toml) into a snapshot.
    Pull(PullArgs),
}

#[derive(Debug, clap::Args)]
struct PullArgs {
    /// Sources to pull (TOML; see `gxa_sources::config`).
    #[arg(long, value_name = "inventory.toml")]
    config: PathBuf,
    /// Output directory (created if missing): `snapshot.json`, and the credentials with --build.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The cloud in clouds.yaml (overrides `[openstack] cloud` and OS_CLOUD).
    #[arg(long, value_name = "NAME")]
    os_cloud: Option<String>,
    /// Also build the self-descriptions (needs --provider and --profile).
    #[arg(long, requires_all = ["provider", "profile"])]
    build: bool,
    /// Provider description (TOML), for --build.
    #[arg(long, value_name = "provider.toml")]
    provider: Option<PathBuf>,
    /// Gaia-X profile, for --build.
    #[arg(long, value_name = "loire|tagus")]
    profile: Option<String>,
    /// `validFrom` of every credential (RFC 3339), for --build.
    #[arg(long, value_name = "RFC3339")]
    valid_from: Option<jiff::Timestamp>,
}

#[derive(Debug, clap::Args)]
struct BuildArgs {
    /// Provider description (TOML; see examples/provider.toml).
    #[arg(long, value_name = "provider.toml")]
    provider: PathBuf,
    /// OpenStack flavors and images (JSON; `openstack ... list --long -f json` or SDK form).
    #[arg(long, value_name = "FILE")]
    openstack: Option<PathBuf>,
    /// SCS flavor-manager YAML.
    #[arg(long, value_name = "FILE")]
    flavor_yaml: Option<PathBuf>,
    /// Ironic inspection inventory (or Redfish record) of one host; repeat per host.
    #[arg(long, value_name = "FILE")]
    ironic: Vec<PathBuf>,
    /// NetBox DCIM export (regions, sites, devices).
    #[arg(long, value_name = "FILE")]
    netbox: Option<PathBuf>,
    /// Gaia-X profile.
    #[arg(long, value_name = "loire|tagus")]
    profile: String,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Sign the credentials (with --key).
    #[arg(long, requires = "key")]
    sign: bool,
    /// Signing key: a key set directory (`gx-attest keys generate`) whose DID is the provider's,
    /// or a key file / PKCS#11 URI with `--verification-method`.
    #[arg(long, value_name = "KEY")]
    key: Option<String>,
    /// Verification method (`<provider did>#<key id>`) for a key file.
    #[arg(long, value_name = "DID_URL", requires = "sign")]
    verification_method: Option<String>,
    /// `validFrom` of every credential (RFC 3339); default: none, for reproducible output.
    #[arg(long, value_name = "RFC3339")]
    valid_from: Option<jiff::Timestamp>,
}

/// Runs `gx-attest inventory`.
pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        InventoryCommand::Build(args) => build_cmd(&args),
        InventoryCommand::Pull(args) => pull_cmd(&args),
    }
}

fn pull_cmd(a: &PullArgs) -> anyhow::Result<ExitCode> {
    if let Some(p) = &a.profile {
        check_profile(p)?;
    }
    let config = gxa_sources::PullConfig::load(&a.config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let started = std::time::Instant::now();
    let pulled = runtime.block_on(gxa_sources::pull(&config, a.os_cloud.as_deref()))?;
    let pull_time = started.elapsed();
    let snapshot = pulled.snapshot();
    // Parse before writing anything: what `inventory build` and `POST /inventory` would refuse
    // is refused here too.
    let provider = match &a.provider {
        Some(p) => Some(ProviderFile::parse(
            &read_file(p)?,
            &p.display().to_string(),
        )?),
        None => None,
    };
    let parts = snapshot_parts(&snapshot)?;
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let path = a.out.join("snapshot.json");
    std::fs::write(
        &path,
        format!("{}\n", serde_json::to_string_pretty(&snapshot)?),
    )
    .with_context(|| format!("cannot write {}", path.display()))?;
    let mut summary = String::new();
    writeln!(summary, "wrote {}", path.display())?;
    for s in &pulled.stats {
        let items: Vec<String> = s.items.iter().map(|(k, n)| format!("{n} {k}")).collect();
        writeln!(
            summary,
            "{}: {} in {} requests, {:.2} s",
            s.source,
            items.join(", "),
            s.requests,
            s.duration.as_secs_f64()
        )?;
    }
    for w in &pulled.warnings {
        writeln!(summary, "warning: {w}")?;
    }
    writeln!(
        summary,
        "pulled in {:.2} s, {} requests",
        pull_time.as_secs_f64(),
        pulled.requests()
    )?;
    write_stdout(summary.as_bytes())?;
    if a.build {
        let (Some(provider), Some(profile)) = (provider, &a.profile) else {
            bail!("--build needs --provider and --profile");
        };
        let (flavors, images, hosts, netbox) = parts;
        let inventory = Inventory {
            provider,
            flavors,
            images,
            hosts,
            netbox,
            valid_from: a.valid_from.map(|t| t.to_string()),
        };
        let build = BuildArgs {
            provider: a.provider.clone().unwrap_or_default(),
            openstack: None,
            flavor_yaml: None,
            ironic: Vec::new(),
            netbox: None,
            profile: profile.clone(),
            out: a.out.clone(),
            sign: false,
            key: None,
            verification_method: None,
            valid_from: a.valid_from,
        };
        return write_credentials(&build, inventory);
    }
    Ok(ExitCode::SUCCESS)
}

type Parts = (
    Vec<gxa_inventory::input::openstack::Flavor>,
    Vec<gxa_inventory::input::openstack::Image>,
    Vec<gxa_inventory::input::hosts::Host>,
    Option<gxa_inventory::input::netbox::NetBox>,
);

/// The snapshot's records through the same parsers as `inventory build`.
fn snapshot_parts(snapshot: &serde_json::Value) -> anyhow::Result<Parts> {
    let (mut flavors, mut images) = (Vec::new(), Vec::new());
    if let Some(o) = snapshot.get("openstack") {
        let c = parse_catalog(&o.to_string(), "snapshot openstack")?;
        flavors = c.flavors;
        images = c.images;
    }
    let mut hosts = Vec::new();
    for (i, h) in snapshot
        .get("hosts")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        hosts.push(parse_host(&h.to_string(), &format!("snapshot hosts[{i}]"))?);
    }
    let netbox = match snapshot.get("netbox") {
        Some(n) => Some(parse_netbox(&n.to_string(), "snapshot netbox")?),
        None => None,
    };
    Ok((flavors, images, hosts, netbox))
}

fn check_profile(profile: &str) -> anyhow::Result<()> {
    match profile {
        "loire" | "tagus" => Ok(()),
        other => bail!("--profile {other:?}: expected loire or tagus"),
    }
}

fn build_cmd(a: &BuildArgs) -> anyhow::Result<ExitCode> {
    check_profile(&a.profile)?;
    let what = |p: &PathBuf| p.display().to_string();
    let provider = ProviderFile::parse(&read_file(&a.provider)?, &what(&a.provider))?;
    let mut flavors = Vec::new();
    let mut images = Vec::new();
    if let Some(p) = &a.openstack {
        let catalog = parse_catalog(&read_file(p)?, &what(p))?;
        flavors.extend(catalog.flavors);
        images.extend(catalog.images);
    }
    if let Some(p) = &a.flavor_yaml {
        flavors.extend(parse_flavor_yaml(&read_file(p)?, &what(p))?);
    }
    let mut hosts = Vec::new();
    for p in &a.ironic {
        hosts.push(parse_host(&read_file(p)?, &what(p))?);
    }
    let netbox = match &a.netbox {
        Some(p) => Some(parse_netbox(&read_file(p)?, &what(p))?),
        None => None,
    };
    let inventory = Inventory {
        provider,
        flavors,
        images,
        hosts,
        netbox,
        valid_from: a.valid_from.map(|t| t.to_string()),
    };
    write_credentials(a, inventory)
}

/// Builds, writes (and with `--sign` signs) the self-descriptions and prints the summary.
fn write_credentials(a: &BuildArgs, inventory: Inventory) -> anyhow::Result<ExitCode> {
    let tagus = match a.profile.as_str() {
        "loire" => false,
        "tagus" => true,
        other => bail!("--profile {other:?}: expected loire or tagus"),
    };
    let signing = if a.sign {
        Some(signing_key(a, &inventory.provider.provider.did)?)
    } else {
        None
    };
    let result = if tagus {
        gxa_inventory::tagus::build(&inventory)
    } else {
        build(&inventory)
    };
    if !result.missing_criteria.is_empty() {
        // A negative verdict, before anything is written: the offering does not show what
        // its compliance level needs.
        let level = inventory
            .provider
            .compliance_level()
            .map_or("the compliance level", gxa_criteria::Level::name);
        eprintln!(
            "gx-attest: the offering does not show what {level} needs (provider.toml \
             offering.compliance_level); {} criteria missing:",
            result.missing_criteria.len()
        );
        for m in &result.missing_criteria {
            eprintln!("  {m}");
        }
        return Ok(ExitCode::from(1));
    }
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let mut summary = String::new();
    let created = match a.valid_from {
        Some(t) => t,
        None => jiff::Timestamp::from_second(jiff::Timestamp::now().as_second())?,
    };
    for doc in &result.documents {
        let path = a.out.join(&doc.file_name);
        let text = format!("{}\n", serde_json::to_string_pretty(&doc.credential)?);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        writeln!(summary, "wrote {}", path.display())?;
        let Some((signer, method)) = &signing else {
            continue;
        };
        let suite = gxa_proof::profile_suite(
            if tagus {
                gxa_credential::Profile::Tagus
            } else {
                gxa_credential::Profile::Loire
            },
            gxa_proof::Flavour::GaiaX,
        );
        let options = SignOptions {
            verification_method: Some(method.clone()),
            created: Some(created.to_string()),
            challenge: None,
            domain: None,
            strict_jsonld: true,
        };
        let signed = gxa_proof::sign(
            &doc.credential,
            suite,
            signer.as_ref(),
            &options,
            Some(&PinnedJsonLd),
        )
        .with_context(|| format!("cannot sign {}", doc.file_name))?;
        let (path, text) = match signed {
            Signed::Document(d) => (
                a.out.join(doc.file_name.replace(".json", ".signed.json")),
                format!("{}\n", serde_json::to_string_pretty(&d)?),
            ),
            Signed::Jwt(jwt) => (
                a.out.join(doc.file_name.replace(".json", ".jwt")),
                format!("{jwt}\n"),
            ),
        };
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        writeln!(summary, "signed {}", path.display())?;
    }
    for w in &result.warnings {
        writeln!(summary, "warning: {w}")?;
    }
    writeln!(
        summary,
        "{} credential(s), {} warning(s), profile {}, {}",
        result.documents.len(),
        result.warnings.len(),
        a.profile,
        if signing.is_some() {
            "signed"
        } else {
            "unsigned"
        }
    )?;
    if tagus {
        writeln!(
            summary,
            "note: Tagus has no classes for flavors, images, locations or hosts; they are in the Loire output only"
        )?;
    }
    write_stdout(summary.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// The signer and verification method for `--sign`; the method's DID must be the provider's,
/// which is the issuer of every credential (a verifier refuses anything else).
fn signing_key(
    a: &BuildArgs,
    provider_did: &str,
) -> anyhow::Result<(Box<dyn gxa_proof::Signer>, String)> {
    let Some(key) = &a.key else {
        bail!("--sign needs --key")
    };
    let path = std::path::Path::new(key);
    let (signer, key_method) = if path.is_dir() {
        let set = gxa_proof::KeySet::load(path).with_context(|| format!("key set {key}"))?;
        set.signer(None).with_context(|| format!("key set {key}"))?
    } else {
        let signer = gxa_proof::open_signer(key, std::path::Path::new("."))
            .with_context(|| format!("cannot use key {key}"))?;
        let method = gxa_proof::default_verification_method(signer.as_ref());
        (signer, method)
    };
    let method = a.verification_method.clone().unwrap_or(key_method);
    if gxa_proof::did_of(&method) != provider_did || !method.contains('#') {
        bail!(
            "the verification method {method} is not a key of the provider's DID {provider_did} \
             (use a key set generated for {provider_did}, or --verification-method {provider_did}#<key id>)"
        );
    }
    Ok((signer, method))
}
