//! `gx-attest serve --demo`: the service on a laptop from a fresh clone, in one command.
//!
//! SQLite in the data directory, a DEVELOPMENT key set generated there on first start (did:web of
//! the listen address), the scopes, provider and inventory of `examples/`, a demo account
//! (`example-cloud`, a delegate of `example-k8s-*` like the example upload's Kubernetes subject)
//! that may upload reports signed by the example key of `examples/scs/` or by the keys given
//! with `--allowed-signer` (a test runner's own key), and a fresh random upload token on every
//! start (the previous one stops working). Only loopback addresses are accepted: the demo token
//! is printed and the keys are development keys.
//!
//! The example reports carry fixed `checked_at` times and their results expire (a week for the
//! daily and weekly tests), after which every scope would show as incomplete. So that the demo
//! shows a meaningful state on any day, it signs a fresh copy of the example reports, checked
//! now, with a throwaway runner key made at start (its public key is registered, the private key
//! is never written), and uploads it before serving.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use gxa_issuer::InventorySnapshot;

use crate::config::{Config, SubjectConfig};
use crate::error::ServiceError;
use crate::server::{Prepared, prepare};

/// The demo subject (the `subject` of `examples/scs/reports-combined.yaml`'s IaaS report).
pub const DEMO_SUBJECT: &str = "example-cloud";
/// The label of the demo token in the store.
const DEMO_TOKEN_LABEL: &str = "demo";

/// Where the demo runs and what it reads.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Listen address; must be loopback.
    pub listen: SocketAddr,
    /// Data directory (SQLite database, development keys).
    pub data_dir: PathBuf,
    /// The repository's `examples/` directory.
    pub examples_dir: PathBuf,
    /// OpenSSH public key files or allowed_signers files whose keys may also sign the demo
    /// account's uploads (a test runner's own key).
    pub allowed_signers: Vec<PathBuf>,
    /// Zone of the demo account's zone-less `checked_at` values (the runner's `TZ`); default
    /// UTC.
    pub checked_at_zone: Option<String>,
}

/// The report subjects the demo account may submit for besides its own.
pub const DEMO_DELEGATE_OF: &str = "example-k8s-*";

/// The key lines of an OpenSSH public key file or an allowed_signers file (blank lines and
/// `#` comments skipped).
fn signer_lines(path: &Path) -> Result<Vec<String>, ServiceError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| demo_err(format!("--allowed-signer {}: {e}", path.display())))?;
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    if lines.is_empty() {
        return Err(demo_err(format!(
            "--allowed-signer {}: no key in the file",
            path.display()
        )));
    }
    Ok(lines)
}

/// A copy of the example report stream whose every report was checked at `now` (UTC), signed
/// with a throwaway ed25519 key exactly as `ssh-keygen -Y sign -n report` signs: returns the
/// upload body (`<armor>&<yaml>`) and the public key line to register.
pub fn fresh_example_upload(
    reports: &str,
    now: jiff::Timestamp,
) -> Result<(Vec<u8>, String), ServiceError> {
    let civil = jiff::tz::TimeZone::UTC.to_datetime(now);
    let checked_at = format!(
        "{} {:02}:{:02}:{:02}.{:06}",
        civil.date(),
        civil.hour(),
        civil.minute(),
        civil.second(),
        civil.subsec_nanosecond() / 1000
    );
    let date = civil.date().to_string();
    let mut yaml = String::with_capacity(reports.len());
    for line in reports.split_inclusive('\n') {
        if line.starts_with("checked_at: ") {
            yaml.push_str(&format!("checked_at: {checked_at}\n"));
        } else if line.starts_with("reference_date: ") {
            yaml.push_str(&format!("reference_date: {date}\n"));
        } else {
            yaml.push_str(line);
        }
    }
    let mut seed = [0_u8; 32];
    aws_lc_rs::rand::fill(&mut seed).map_err(|_| demo_err("no randomness for the runner key"))?;
    let keypair = ssh_key::private::Ed25519Keypair::from_seed(&seed);
    seed.fill(0);
    let mut private = ssh_key::PrivateKey::from(keypair);
    private.set_comment("gx-attest demo runner (throwaway)");
    let signature = private
        .sign(
            gxa_scs::SIGNATURE_NAMESPACE,
            ssh_key::HashAlg::Sha512,
            yaml.as_bytes(),
        )
        .and_then(|sig| sig.to_pem(ssh_key::LineEnding::LF))
        .map_err(|e| demo_err(format!("signing the fresh example report: {e}")))?;
    let public = private
        .public_key()
        .to_openssh()
        .map_err(|e| demo_err(format!("runner key: {e}")))?;
    let mut body = signature.into_bytes();
    body.push(b'&');
    body.extend_from_slice(yaml.as_bytes());
    Ok((body, public))
}

/// A prepared demo: the service, its token and the text to print.
pub struct Demo {
    /// The prepared service.
    pub prepared: Prepared,
    /// The upload token of [`DEMO_SUBJECT`] (printed once; only its hash is stored).
    pub token: String,
    /// Instructions with ready-to-paste curl commands.
    pub banner: String,
}

fn demo_err(message: impl Into<String>) -> ServiceError {
    ServiceError::Demo(message.into())
}

/// The did:web DID of a socket address (`127.0.0.1:8080` → `did:web:127.0.0.1%3A8080`), per
/// <https://w3c-ccg.github.io/did-method-web/#method-specific-identifier> (the port's colon
/// percent-encoded).
pub fn did_web_of(listen: SocketAddr) -> String {
    let host = listen.to_string();
    format!(
        "did:web:{}",
        host.replace('[', "%5B")
            .replace(']', "%5D")
            .replace(':', "%3A")
    )
}

/// `examples/provider.toml` with another DID and base URL (so that every id points at this
/// service), written as `demo-provider.toml` into `out_dir`; returns its path.
pub fn write_provider(
    examples: &Path,
    out_dir: &Path,
    did: &str,
    base_url: &str,
) -> Result<PathBuf, ServiceError> {
    let source = examples.join("provider.toml");
    let text = std::fs::read_to_string(&source).map_err(|e| {
        demo_err(format!(
            "{}: {e} (run from the repository root or pass --examples)",
            source.display()
        ))
    })?;
    let mut out = String::new();
    let mut section = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            section = trimmed.to_owned();
        }
        let key = trimmed.split('=').next().map(str::trim);
        if section == "[provider]" && key == Some("did") {
            out.push_str(&format!("did = \"{did}\"\n"));
        } else if section == "[provider]" && key == Some("base_url") {
            out.push_str(&format!("base_url = \"{base_url}/\"\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    let path = out_dir.join("demo-provider.toml");
    std::fs::write(&path, out).map_err(|source| ServiceError::Io {
        what: format!("writing {}", path.display()),
        source,
    })?;
    Ok(path)
}

/// The example inventory as one snapshot (`examples/inventory/`).
pub fn example_inventory(examples: &Path) -> Result<InventorySnapshot, ServiceError> {
    let dir = examples.join("inventory");
    let read_json = |path: &Path| -> Result<serde_json::Value, ServiceError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| demo_err(format!("{}: {e}", path.display())))?;
        serde_json::from_str(&text).map_err(|e| demo_err(format!("{}: {e}", path.display())))
    };
    let mut hosts = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir.join("hosts"))
        .map_err(|e| demo_err(format!("{}: {e}", dir.join("hosts").display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    entries.sort();
    for path in &entries {
        hosts.push(read_json(path)?);
    }
    let flavor_yaml = std::fs::read_to_string(dir.join("flavors.yaml"))
        .map_err(|e| demo_err(format!("{}: {e}", dir.join("flavors.yaml").display())))?;
    Ok(InventorySnapshot {
        openstack: Some(read_json(&dir.join("openstack.json"))?),
        flavor_yaml: Some(flavor_yaml),
        hosts,
        netbox: Some(read_json(&dir.join("netbox.json"))?),
    })
}

/// Builds the demo configuration, prepares the service, creates the demo token and imports the
/// example inventory. From `overrides` (flags and environment) the limits, development tokens
/// a database URL and the JWS2020 flavour are taken; everything else is the demo's.
pub async fn prepare_demo(options: &DemoOptions, overrides: &Config) -> Result<Demo, ServiceError> {
    if !options.listen.ip().is_loopback() {
        return Err(demo_err(format!(
            "refusing to listen on {}: demo mode prints its upload token and uses development keys, \
             so it only listens on loopback (127.0.0.1 or ::1); run without --demo and a \
             configuration file for anything else",
            options.listen
        )));
    }
    let examples = &options.examples_dir;
    let scs = examples.join("scs");
    if !scs.join("upload-body.txt").is_file() {
        return Err(demo_err(format!(
            "{} has no upload-body.txt: run from the repository root or pass --examples DIR",
            scs.display()
        )));
    }
    gxa_proof::create_private_dir(&options.data_dir).map_err(|source| ServiceError::Io {
        what: format!("data directory {}", options.data_dir.display()),
        source,
    })?;
    let base_url = format!("http://{}", options.listen);
    let did = did_web_of(options.listen);
    // One key set per listen address: the DID names the address.
    let key_dir = options
        .data_dir
        .join("keys")
        .join(options.listen.to_string().replace([':', '[', ']'], "_"));
    if !key_dir.join("keys.toml").is_file() {
        gxa_proof::generate_keyset(gxa_proof::Algorithm::EdDsa, &did, &key_dir)?;
        tracing::info!(dir = %key_dir.display(), %did, "generated a DEVELOPMENT key set");
    }
    let provider = write_provider(examples, &options.data_dir, &did, &base_url)?;
    let signer = std::fs::read_to_string(scs.join("example-signer.pub"))
        .map_err(|e| demo_err(format!("{}: {e}", scs.join("example-signer.pub").display())))?;
    let reports = std::fs::read_to_string(scs.join("reports-combined.yaml")).map_err(|e| {
        demo_err(format!(
            "{}: {e}",
            scs.join("reports-combined.yaml").display()
        ))
    })?;
    let (fresh_upload, runner_key) = fresh_example_upload(&reports, jiff::Timestamp::now())?;
    let mut ssh_keys = vec![signer.trim().to_owned(), runner_key];
    for path in &options.allowed_signers {
        ssh_keys.extend(signer_lines(path)?);
    }

    let mut config = Config::new(base_url.clone(), key_dir);
    config.listen = options.listen;
    config.data_dir = options.data_dir.clone();
    config.scopes = vec![
        scs.join("scs-compatible-iaas.yaml"),
        scs.join("scs-compatible-kaas.yaml"),
    ];
    config.provider = Some(provider);
    config.limits = overrides.limits.clone();
    config.dev_tokens = overrides.dev_tokens.clone();
    config.database_url = overrides.database_url.clone();
    config.jws2020_flavour = overrides.jws2020_flavour;
    config.subjects = vec![SubjectConfig {
        id: DEMO_SUBJECT.to_owned(),
        tokens: Vec::new(),
        ssh_keys,
        delegate_of: vec![DEMO_DELEGATE_OF.to_owned()],
        checked_at_zone: options.checked_at_zone.clone(),
    }];
    let prepared = prepare(config).await?;
    let store = prepared.state.store();
    store.delete_token(DEMO_SUBJECT, DEMO_TOKEN_LABEL).await?;
    let token = store.create_token(DEMO_SUBJECT, DEMO_TOKEN_LABEL).await?;

    let snapshot = example_inventory(examples)?;
    let inventory_note = match prepared
        .state
        .issuer()
        .submit_inventory(DEMO_SUBJECT, &snapshot)
        .await
    {
        Ok(outcome) => format!(
            "example inventory imported: {} issued, {} unchanged, {} warnings",
            outcome.issued.len(),
            outcome.unchanged.len(),
            outcome.warnings.len()
        ),
        Err(err) => {
            tracing::warn!(error = %err, "the example inventory was not imported");
            format!("WARNING: the example inventory was not imported: {err}")
        }
    };
    let upload_note = match prepared
        .state
        .issuer()
        .submit_upload(DEMO_SUBJECT, &fresh_upload)
        .await
    {
        Ok(outcome) => format!(
            "fresh copy of the example reports (checked now, signed by a throwaway runner key) \
             uploaded: {} attestations issued, {} unchanged",
            outcome.issued.len(),
            outcome.unchanged.len()
        ),
        Err(err) => {
            tracing::warn!(error = %err, "the fresh example reports were not uploaded");
            format!("WARNING: the fresh example reports were not uploaded: {err}")
        }
    };
    let banner = banner(
        &base_url,
        &token,
        examples,
        &format!("{inventory_note}\n{upload_note}"),
    );
    Ok(Demo {
        prepared,
        token,
        banner,
    })
}

fn banner(base_url: &str, token: &str, examples: &Path, inventory_note: &str) -> String {
    let scs = examples.join("scs");
    let scs = scs.display();
    format!(
        "\n\
gx-attest DEMO at {base_url} (development keys; SQLite; never expose this)\n\
{inventory_note}\n\
upload token of subject {DEMO_SUBJECT} (new on every start): {token}\n\
\n\
Try it (in another shell, from the repository root):\n\
\n\
  export GXA={base_url} TOKEN={token}\n\
  # upload the example signed SCS report exactly as the SCS test runner does (HTTP Basic)\n\
  curl --fail-with-body -u {DEMO_SUBJECT}:$TOKEN -H 'Content-Type: application/x-signed-yaml' \\\n\
       --data-binary @{scs}/reports-combined.yaml.sig --data-binary @{scs}/reports-combined.yaml $GXA/reports\n\
  # the same body as one file, with a bearer token\n\
  curl --fail-with-body -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/x-signed-yaml' \\\n\
       --data-binary @{scs}/upload-body.txt $GXA/reports\n\
  # list credentials; fetch the first in each media type\n\
  curl \"$GXA/credentials?limit=5\"\n\
  ID=$(curl -s \"$GXA/credentials?limit=1\" | sed -n 's/.*\"id\":\"\\([^\"]*\\)\".*/\\1/p')\n\
  curl -H 'Accept: application/vc+ld+json' \"$ID\"   # Tagus JSON-LD (or application/vc+jwt for Loire ones)\n\
  curl -H 'Accept: application/n-quads' \"$ID\"      # RDFC-1.0 canonical form\n\
  curl -H 'Accept: text/html' \"$ID\"\n\
  curl $GXA/.well-known/did.json\n\
  curl \"$GXA/changes?after=0\"\n\
  curl $GXA/badges/{DEMO_SUBJECT}/50393e6f-2ae1-4c5c-a62c-3b75f2abef3f.svg\n\
  curl $GXA/openapi.json\n\
\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_of_listen_address() {
        assert_eq!(
            did_web_of("127.0.0.1:8080".parse().unwrap()),
            "did:web:127.0.0.1%3A8080"
        );
        // An IPv6 listen address: a DID our own resolver maps back to the address.
        let v6 = did_web_of("[::1]:8080".parse().unwrap());
        assert_eq!(v6, "did:web:%5B%3A%3A1%5D%3A8080");
        assert_eq!(
            gxa_proof::did_web_to_url(&v6).unwrap(),
            "https://[::1]:8080/.well-known/did.json"
        );
    }

    #[tokio::test]
    async fn refuses_non_loopback() {
        let options = DemoOptions {
            listen: "0.0.0.0:8080".parse().unwrap(),
            data_dir: PathBuf::from("/nonexistent"),
            examples_dir: PathBuf::from("/nonexistent"),
            allowed_signers: Vec::new(),
            checked_at_zone: None,
        };
        let overrides = Config::new("http://x", "k");
        let Err(err) = prepare_demo(&options, &overrides).await else {
            panic!("a non-loopback demo must be refused");
        };
        assert!(matches!(err, ServiceError::Demo(_)), "{err}");
    }
}
