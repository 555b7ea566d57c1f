//! `gx-attest inventory build`: cloud inventory → Gaia-X self-descriptions (`gxa-inventory`).
//!
//! `inventory build --provider provider.toml [--openstack FLAVORS_AND_IMAGES.json]
//! [--flavor-yaml FILE] [--ironic FILE]... [--netbox FILE] --profile loire|tagus --out DIR
//! [--sign --key KEY] [--valid-from RFC3339]`: writes one JSON-LD credential per
//! self-description (`DIR/*.json`, unsigned; Tagus files are prefixed `tagus-`); with `--sign`,
//! also the signed form (Loire: `*.jwt`, vc+jwt; Tagus: `*.signed.json`, JsonWebSignature2020
//! in the Gaia-X flavour, `created` = `--valid-from` or now), and prints a summary with the warnings; exit 0 when
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
use gxa_proof::{PinnedJsonLd, SignOptions, SignSuite, Signed};

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
    }
}

fn build_cmd(a: &BuildArgs) -> anyhow::Result<ExitCode> {
    let tagus = match a.profile.as_str() {
        "loire" => false,
        "tagus" => true,
        other => bail!("--profile {other:?}: expected loire or tagus"),
    };
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
        let suite = if tagus {
            SignSuite::Jws2020GaiaX
        } else {
            SignSuite::VcJwt
        };
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
