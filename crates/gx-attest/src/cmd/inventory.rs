//! `gx-attest inventory build`: cloud inventory → Gaia-X self-descriptions (`gxa-inventory`).
//!
//! `inventory build --provider provider.toml [--openstack FLAVORS_AND_IMAGES.json]
//! [--flavor-yaml FILE] [--ironic FILE]... [--netbox FILE] --profile loire|tagus --out DIR
//! [--sign --key KEY] [--valid-from RFC3339]`: writes one JSON-LD credential per
//! self-description (`DIR/*.json`, unsigned; Tagus files are prefixed `tagus-`), prints a summary with the warnings; exit 0 when
//! written, 2 on error. Output is deterministic: no time stamp unless `--valid-from`.

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
    /// Signing key.
    #[arg(long, value_name = "KEY")]
    key: Option<PathBuf>,
    /// `validFrom` of every credential (RFC 3339); default: none, for reproducible output.
    #[arg(long, value_name = "RFC3339")]
    valid_from: Option<jiff::Timestamp>,
}

/// Runs `gx-attest inventory`.
pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        InventoryCommand::Build(args) => build_cmd(&args),
    }
}

fn build_cmd(a: &BuildArgs) -> anyhow::Result<ExitCode> {
    let tagus = match a.profile.as_str() {
        "loire" => false,
        "tagus" => true,
        other => bail!("--profile {other:?}: expected loire or tagus"),
    };
    if a.sign {
        bail!(
            "--sign: signing inventory credentials is not yet available; build unsigned and sign with `gx-attest sign`"
        );
    }
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
    let result = if tagus {
        gxa_inventory::tagus::build(&inventory)
    } else {
        build(&inventory)
    };
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create {}", a.out.display()))?;
    let mut summary = String::new();
    for doc in &result.documents {
        let path = a.out.join(&doc.file_name);
        let text = format!("{}\n", serde_json::to_string_pretty(&doc.credential)?);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        writeln!(summary, "wrote {}", path.display())?;
    }
    for w in &result.warnings {
        writeln!(summary, "warning: {w}")?;
    }
    writeln!(
        summary,
        "{} credential(s), {} warning(s), profile {}, unsigned",
        result.documents.len(),
        result.warnings.len(),
        a.profile
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
