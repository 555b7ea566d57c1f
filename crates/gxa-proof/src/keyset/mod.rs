//! Key sets: a directory with a `keys.toml` naming each key (id, algorithm, source, x5u
//! chain), one active signing key per algorithm and retired keys kept for verification;
//! the did:web document built from it; and `keys generate` (development key + self-signed CA
//! + leaf certificate chain for x5u).
//!
//! did:web: <https://w3c-ccg.github.io/did-method-web/>; JsonWebKey2020:
//! <https://www.w3.org/TR/vc-jws-2020/#json-web-key-2020>; Multikey:
//! <https://www.w3.org/TR/controller-document/#multikey>; x5u: RFC 7517 §4.6.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::{Algorithm, KeyError, KeyPair, PublicKey, Signer, did_web_to_url};

mod private;

pub use private::{create_dir as create_private_dir, write as write_private};

/// Errors reading or writing a key set.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeySetError {
    /// File system.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// `keys.toml` is not valid.
    #[error("keys.toml: {0}")]
    Config(String),
    /// A key could not be read.
    #[error("key {id}: {source}")]
    Key {
        /// Key id.
        id: String,
        /// The cause.
        source: KeyError,
    },
    /// Certificate generation failed.
    #[error("certificate: {0}")]
    Certificate(String),
    /// A private key file is accessible by other users (see
    /// [`KeySet::check_private_key_modes`]).
    #[error(
        "{path}: permissions {mode:04o} are too open: the private key is accessible by other users; \
         refusing to use it (run `chmod 600 {path}`)"
    )]
    Exposed {
        /// The key file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
}

/// Whether a key signs or only verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    /// Used for signing (one per algorithm).
    Active,
    /// Kept in the DID document so that earlier credentials still verify.
    Retired,
}

/// One `[[keys]]` entry of `keys.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    /// The verification method fragment (`did#id`).
    pub id: String,
    /// JOSE algorithm.
    pub alg: String,
    /// A key file relative to the key set directory, or a PKCS#11 URI (`pkcs11:…`).
    pub source: String,
    /// `active` or `retired`.
    pub status: KeyStatus,
    /// HTTPS URL of the PEM certificate chain published for this key (JWK `x5u`).
    #[serde(default)]
    pub x5u: Option<String>,
    /// Local copy of that chain, relative to the key set directory.
    #[serde(default)]
    pub chain: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysToml {
    did: String,
    #[serde(default)]
    keys: Vec<KeyEntry>,
}

/// A loaded key set.
#[derive(Debug, Clone)]
pub struct KeySet {
    dir: PathBuf,
    /// The controller DID (did:web).
    pub did: String,
    /// The keys, in file order.
    pub keys: Vec<KeyEntry>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeySetError + '_ {
    move |source| KeySetError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Opens a key source: a file path or a PKCS#11 URI.
pub fn open_signer(source: &str, base: &Path) -> Result<Box<dyn Signer>, KeyError> {
    open_signer_as(source, base, None)
}

/// [`open_signer`], signing with `alg` when given (an RSA key: PS256 or RS256, as a key set's
/// `keys.toml` names it; otherwise the key's default).
pub fn open_signer_as(
    source: &str,
    base: &Path,
    alg: Option<Algorithm>,
) -> Result<Box<dyn Signer>, KeyError> {
    if source.starts_with("pkcs11:") {
        #[cfg(feature = "pkcs11")]
        {
            let signer = crate::pkcs11::Pkcs11Signer::open(source)?;
            return Ok(Box::new(match alg {
                Some(alg) => signer.with_algorithm(alg)?,
                None => signer,
            }));
        }
        #[cfg(not(feature = "pkcs11"))]
        return Err(KeyError::Pkcs11(
            "this build has no PKCS#11 support (gxa-proof's feature pkcs11)".to_owned(),
        ));
    }
    let path = base.join(source);
    let pair = KeyPair::from_file(&path)?;
    Ok(Box::new(match alg {
        Some(alg) => pair.with_algorithm(alg)?,
        None => pair,
    }))
}

impl KeySet {
    /// Reads `dir/keys.toml` and checks it (one active key per algorithm, known algorithms).
    pub fn load(dir: &Path) -> Result<Self, KeySetError> {
        let path = dir.join("keys.toml");
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let parsed: KeysToml =
            toml::from_str(&text).map_err(|e| KeySetError::Config(e.to_string()))?;
        let mut active: Vec<Algorithm> = Vec::new();
        for k in &parsed.keys {
            let alg: Algorithm = k
                .alg
                .parse()
                .map_err(|e| KeySetError::Config(format!("key {}: {e}", k.id)))?;
            if k.status == KeyStatus::Active {
                if active.contains(&alg) {
                    return Err(KeySetError::Config(format!("two active {alg} keys")));
                }
                active.push(alg);
            }
        }
        if parsed
            .keys
            .iter()
            .enumerate()
            .any(|(i, a)| parsed.keys[..i].iter().any(|b| b.id == a.id))
        {
            return Err(KeySetError::Config("duplicate key id".into()));
        }
        Ok(Self {
            dir: dir.to_owned(),
            did: parsed.did,
            keys: parsed.keys,
        })
    }

    /// Refuses the key set when a private key file it names is accessible by other users (any
    /// permission bit for "others", or writable by the group), as `ssh` refuses such a key:
    /// `chmod 600` (or `640` with a dedicated group) makes it usable. PKCS#11 keys are not
    /// files and are not checked; on platforms without Unix permissions nothing is checked.
    pub fn check_private_key_modes(&self) -> Result<(), KeySetError> {
        for entry in &self.keys {
            if entry.source.starts_with("pkcs11:") {
                continue;
            }
            let path = self.dir.join(&entry.source);
            if let Some(mode) = private::exposed_mode(&path).map_err(io(&path))? {
                return Err(KeySetError::Exposed {
                    path: path.display().to_string(),
                    mode,
                });
            }
        }
        Ok(())
    }

    /// The directory the key set was loaded from; [`KeyEntry::chain`] and key file sources are
    /// relative to it.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The active signer for `alg` (or the first active key).
    pub fn signer(&self, alg: Option<Algorithm>) -> Result<(Box<dyn Signer>, String), KeySetError> {
        let entry = self
            .keys
            .iter()
            .filter(|k| k.status == KeyStatus::Active)
            .find(|k| alg.is_none_or(|a| k.alg == a.name()))
            .ok_or_else(|| KeySetError::Config("no active key for this algorithm".into()))?;
        let signer = self.open(entry)?;
        Ok((signer, format!("{}#{}", self.did, entry.id)))
    }

    fn open(&self, entry: &KeyEntry) -> Result<Box<dyn Signer>, KeySetError> {
        let key_err = |source| KeySetError::Key {
            id: entry.id.clone(),
            source,
        };
        let alg: Algorithm = entry
            .alg
            .parse()
            .map_err(|e| KeySetError::Config(format!("key {}: {e}", entry.id)))?;
        // The algorithm keys.toml (and so the DID document) names, not the key's default:
        // an RSA key set of RS256 must not sign PS256.
        open_signer_as(&entry.source, &self.dir, Some(alg)).map_err(key_err)
    }

    /// The DID document of this key set: a `JsonWebKey2020` method per key (`publicKeyJwk`
    /// with `alg` and `x5u`) and a `Multikey` method (`#id-multikey`) per Ed25519/P-256/P-384
    /// key for Data Integrity; all listed under `assertionMethod` and `authentication`.
    pub fn did_document(&self) -> Result<Value, KeySetError> {
        let mut entries = Vec::new();
        for entry in &self.keys {
            let signer = self.open(entry)?;
            entries.push(DidKey {
                fragment: entry.id.clone(),
                key: signer.public_key().clone(),
                alg: entry.alg.clone(),
                x5u: entry.x5u.clone(),
            });
        }
        Ok(did_document(&self.did, &entries))
    }
}

/// One key of a DID document built by [`did_document`].
#[derive(Debug, Clone)]
pub struct DidKey {
    /// Fragment (method id without `#`).
    pub fragment: String,
    /// Public key.
    pub key: PublicKey,
    /// JOSE algorithm.
    pub alg: String,
    /// Certificate chain URL.
    pub x5u: Option<String>,
}

/// Builds a did:web document.
pub fn did_document(did: &str, keys: &[DidKey]) -> Value {
    let mut methods = Vec::new();
    let mut ids = Vec::new();
    for k in keys {
        let mut jwk: Map<String, Value> = k.key.to_jwk();
        jwk.insert("alg".into(), k.alg.clone().into());
        if let Some(x5u) = &k.x5u {
            jwk.insert("x5u".into(), x5u.clone().into());
        }
        let id = format!("{did}#{}", k.fragment);
        methods.push(
            json!({"id": id, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}),
        );
        ids.push(id);
        if let Some(mb) = k.key.to_multikey() {
            let id = format!("{did}#{}-multikey", k.fragment);
            methods.push(
                json!({"id": id, "type": "Multikey", "controller": did, "publicKeyMultibase": mb}),
            );
            ids.push(id);
        }
    }
    json!({
        "@context": [
            "https://www.w3.org/ns/did/v1",
            "https://w3id.org/security/suites/jws-2020/v1",
            "https://w3id.org/security/multikey/v1"
        ],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    })
}

/// What `keys generate` wrote.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Files written, relative to the output directory.
    pub files: Vec<String>,
    /// The verification method of the new key.
    pub verification_method: String,
}

/// The banner every generated file carries.
pub const DEVELOPMENT_BANNER: &str = "DEVELOPMENT KEY MATERIAL generated by `gx-attest keys generate`: \
self-signed test CA, not a Gaia-X trust anchor. Never use in production.";

/// Generates a development key set in `out`: `<id>.key.pem` (PKCS#8), a self-signed CA and a
/// leaf certificate for the key (`x509CertificateChain.pem`, leaf first), `did.json` and
/// `keys.toml`. Refuses to overwrite an existing `keys.toml`. On Unix the key file is written
/// with mode 0600 and `out`, when created, with mode 0700.
pub fn generate(alg: Algorithm, did: &str, out: &Path) -> Result<Generated, KeySetError> {
    let doc_url = did_web_to_url(did).map_err(|e| KeySetError::Config(e.to_string()))?;
    let base_url = doc_url
        .strip_suffix("did.json")
        .ok_or_else(|| KeySetError::Config("did:web URL".into()))?;
    let host = doc_url
        .trim_start_matches("https://")
        .split(['/', ':'])
        .next()
        .unwrap_or("localhost")
        .to_owned();
    private::create_dir(out).map_err(io(out))?;
    let toml_path = out.join("keys.toml");
    if toml_path.exists() {
        return Err(KeySetError::Config(format!(
            "{} exists; not overwriting",
            toml_path.display()
        )));
    }
    let id = format!("{}-dev", alg.name().to_ascii_lowercase());
    let key = KeyPair::generate(alg).map_err(|source| KeySetError::Key {
        id: id.clone(),
        source,
    })?;
    let pem = key.to_pkcs8_pem().map_err(|source| KeySetError::Key {
        id: id.clone(),
        source,
    })?;
    let key_file = format!("{id}.key.pem");
    let chain_file = "x509CertificateChain.pem";
    let chain = certificate_chain(&pem, &host)?;
    let x5u = format!("{base_url}{chain_file}");

    let write = |name: &str, content: &str| -> Result<(), KeySetError> {
        let path = out.join(name);
        std::fs::write(&path, content).map_err(io(&path))
    };
    let key_path = out.join(&key_file);
    private::write(
        &key_path,
        format!("# {DEVELOPMENT_BANNER}\n{pem}").as_bytes(),
    )
    .map_err(io(&key_path))?;
    write(chain_file, &chain)?;
    let did_doc = did_document(
        did,
        &[DidKey {
            fragment: id.clone(),
            key: key.public_key().clone(),
            alg: alg.name().into(),
            x5u: Some(x5u.clone()),
        }],
    );
    let did_json =
        serde_json::to_string_pretty(&did_doc).map_err(|e| KeySetError::Config(e.to_string()))?;
    write("did.json", &format!("{did_json}\n"))?;
    let toml = format!(
        "# {DEVELOPMENT_BANNER}\n\
         #\n\
         # The DID whose document (did.json, served at {doc_url}) lists these keys.\n\
         did = \"{did}\"\n\
         \n\
         # One [[keys]] entry per key: `id` is the verification method fragment ({did}#<id>),\n\
         # `source` a key file relative to this directory (JWK or PEM: PKCS#8, PKCS#1, SEC1) or a\n\
         # PKCS#11 URI (RFC 7512, e.g. \"pkcs11:token=gx;object=signing?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234\"),\n\
         # `status` \"active\" (signs; one per algorithm) or \"retired\" (kept for verification),\n\
         # `x5u` the URL where `chain` (leaf first, then the CA) is published.\n\
         [[keys]]\n\
         id = \"{id}\"\n\
         alg = \"{}\"\n\
         source = \"{key_file}\"\n\
         status = \"active\"\n\
         x5u = \"{x5u}\"\n\
         chain = \"{chain_file}\"\n",
        alg.name()
    );
    write("keys.toml", &toml)?;
    Ok(Generated {
        files: vec![
            key_file,
            chain_file.into(),
            "did.json".into(),
            "keys.toml".into(),
        ],
        verification_method: format!("{did}#{id}"),
    })
}

/// A development CA (P-256) and a leaf certificate for the key in `key_pem`, as a PEM chain.
fn certificate_chain(key_pem: &str, host: &str) -> Result<String, KeySetError> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair as RcKey,
        KeyUsagePurpose,
    };
    let cert_err = |e: rcgen::Error| KeySetError::Certificate(e.to_string());
    let ca_key = RcKey::generate().map_err(cert_err)?;
    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(cert_err)?;
    ca.distinguished_name.push(
        DnType::CommonName,
        "gx-attest DEVELOPMENT CA (not a trust anchor)",
    );
    ca.distinguished_name
        .push(DnType::OrganizationName, "gx-attest development");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key).map_err(cert_err)?;
    let issuer = Issuer::new(ca, ca_key);

    let leaf_key = RcKey::from_pem(key_pem).map_err(cert_err)?;
    let mut leaf = CertificateParams::new(vec![host.to_owned()]).map_err(cert_err)?;
    leaf.distinguished_name.push(DnType::CommonName, host);
    leaf.distinguished_name
        .push(DnType::OrganizationName, "gx-attest development");
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).map_err(cert_err)?;
    Ok(format!("{}{}", leaf_cert.pem(), ca_cert.pem()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_load_sign_and_document() {
        for alg in [
            Algorithm::EdDsa,
            Algorithm::Es256,
            Algorithm::Ps256,
            Algorithm::Rs256,
        ] {
            let dir = tempfile::tempdir().unwrap();
            let generated = generate(alg, "did:web:localhost%3A8443:dev", dir.path()).unwrap();
            assert_eq!(generated.files.len(), 4);
            let set = KeySet::load(dir.path()).unwrap();
            assert_eq!(set.did, "did:web:localhost%3A8443:dev");
            let (signer, vm) = set.signer(Some(alg)).unwrap();
            assert_eq!(signer.algorithm(), alg);
            assert_eq!(vm, generated.verification_method);
            let doc = set.did_document().unwrap();
            let jwk = &doc["verificationMethod"][0]["publicKeyJwk"];
            assert_eq!(
                jwk["x5u"],
                "https://localhost:8443/dev/x509CertificateChain.pem"
            );
            assert_eq!(jwk["alg"], alg.name());
            let chain =
                std::fs::read_to_string(dir.path().join("x509CertificateChain.pem")).unwrap();
            assert_eq!(chain.matches("BEGIN CERTIFICATE").count(), 2);
            let toml = std::fs::read_to_string(dir.path().join("keys.toml")).unwrap();
            assert!(toml.contains("DEVELOPMENT KEY MATERIAL"));
            // A second run does not overwrite.
            assert!(generate(alg, "did:web:localhost%3A8443:dev", dir.path()).is_err());
            // The key verifies through the DID document.
            let mut resolver = crate::Resolver::new();
            resolver.add_document(doc).unwrap();
            let deref = resolver
                .dereference(&vm, "assertionMethod")
                .unwrap()
                .unwrap();
            assert_eq!(&deref.method.key, signer.public_key());
        }
    }

    #[cfg(unix)]
    #[test]
    fn generated_keys_are_private_and_exposed_keys_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("keys");
        let generated = generate(Algorithm::EdDsa, "did:web:localhost", &out).unwrap();
        assert_eq!(mode(&out), 0o700);
        let key = out.join(&generated.files[0]);
        assert!(generated.files[0].ends_with(".key.pem"));
        assert_eq!(mode(&key), 0o600);
        let set = KeySet::load(&out).unwrap();
        set.check_private_key_modes().unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = set.check_private_key_modes().unwrap_err();
        assert!(
            matches!(err, KeySetError::Exposed { mode: 0o644, .. }),
            "{err}"
        );
        let message = err.to_string();
        assert!(
            message.contains("0644") && message.contains("chmod 600"),
            "{message}"
        );
    }

    #[test]
    fn two_active_keys_of_one_algorithm_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("keys.toml"),
            "did = \"did:web:x\"\n[[keys]]\nid=\"a\"\nalg=\"ES256\"\nsource=\"a.pem\"\nstatus=\"active\"\n\
             [[keys]]\nid=\"b\"\nalg=\"ES256\"\nsource=\"b.pem\"\nstatus=\"active\"\n",
        )
        .unwrap();
        assert!(
            KeySet::load(dir.path())
                .unwrap_err()
                .to_string()
                .contains("two active")
        );
    }
}
