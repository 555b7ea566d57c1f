//! Trust anchors: the root certificates an `x5u` chain must end at.
//!
//! For Gaia-X these are the roots the Gaia-X Registry lists (`GET /api/trustAnchor`, fed from
//! the EU eIDAS trusted lists and the Mozilla CA list); a
//! federation configures its own set as a PEM bundle or a directory of PEM files. The set is
//! shared by every clone and can be re-read while the verifier runs ([`TrustAnchors::reload`]):
//! a new set replaces the old one atomically, and a source that no longer reads (missing file,
//! broken PEM, no certificate) leaves the old set in place.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, TrustAnchor};

use crate::chain::{ChainError, ValidatedChain, describe_name};

/// Largest accepted anchor file (a bundle of every Mozilla root is about 250 kB).
const MAX_ANCHOR_FILE: u64 = 16 * 1024 * 1024;

/// Most validated chains remembered per anchor set.
const MAX_VALIDATED: usize = 1024;

/// One parsed anchor set, with the chains already validated against it.
#[derive(Debug)]
pub(crate) struct AnchorSet {
    pub(crate) anchors: Vec<TrustAnchor<'static>>,
    /// The subject of each anchor, readable (same order as `anchors`).
    pub(crate) names: Vec<String>,
    /// Chains that validated against exactly these anchors, by their PEM bytes. Signatures,
    /// constraints and the path do not depend on time, so a chain stays valid for every time
    /// inside the period all its certificates share; a reload starts a new set and so an
    /// empty cache. Keyed by the whole document (not a digest), so a hit is an exact match.
    validated: Mutex<HashMap<Vec<u8>, ValidatedPeriod>>,
}

/// A validated chain and the period (Unix seconds, inclusive, as webpki compares) in which
/// every certificate of its path is valid.
#[derive(Debug, Clone)]
pub(crate) struct ValidatedPeriod {
    pub(crate) chain: ValidatedChain,
    pub(crate) not_before: i64,
    pub(crate) not_after: i64,
}

impl AnchorSet {
    /// The validated chain for `pem`, if it was validated before and `at` (Unix seconds) is
    /// inside its period.
    pub(crate) fn cached(&self, pem: &[u8], at: i64) -> Option<ValidatedChain> {
        let validated = self
            .validated
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        validated
            .get(pem)
            .filter(|v| v.not_before <= at && at <= v.not_after)
            .map(|v| v.chain.clone())
    }

    pub(crate) fn remember(&self, pem: &[u8], period: ValidatedPeriod) {
        let mut validated = self
            .validated
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if validated.len() >= MAX_VALIDATED {
            // Rare (more distinct chains than a federation has issuers): start over rather
            // than track recency.
            validated.clear();
        }
        validated.insert(pem.to_vec(), period);
    }
}

#[derive(Debug, Clone)]
enum Source {
    Pem(Arc<[u8]>),
    File(PathBuf),
    Dir(PathBuf),
    /// A base source (or none) and certificates from elsewhere, each with a label saying
    /// where it comes from (a trusted list's service).
    Parts {
        base: Option<Box<Source>>,
        extra: Arc<[(CertificateDer<'static>, String)]>,
    },
}

/// The configured trust anchors. `Clone` shares the set: a [`reload`](Self::reload) through
/// any clone is seen by all.
#[derive(Debug, Clone)]
pub struct TrustAnchors {
    source: Source,
    current: Arc<RwLock<Arc<AnchorSet>>>,
}

impl TrustAnchors {
    /// Reads a PEM bundle file, or every `*.pem`/`*.crt`/`*.cer` file of a directory (other
    /// files, such as a README, are skipped). At least one certificate is required.
    pub fn from_path(path: &Path) -> Result<Self, ChainError> {
        let source = if path.is_dir() {
            Source::Dir(path.to_owned())
        } else {
            Source::File(path.to_owned())
        };
        let set = load(&source)?;
        Ok(Self {
            source,
            current: Arc::new(RwLock::new(Arc::new(set))),
        })
    }

    /// Reads anchors from PEM text (one or more `CERTIFICATE` sections).
    pub fn from_pem(pem: &[u8]) -> Result<Self, ChainError> {
        let source = Source::Pem(Arc::from(pem));
        let set = load(&source)?;
        Ok(Self {
            source,
            current: Arc::new(RwLock::new(Arc::new(set))),
        })
    }

    /// Anchors from the PEM bundle or directory `base` (if any) and the DER certificates
    /// `extra`, each labelled with where it comes from (shown after the subject, as in
    /// `CN=Example QC CA (trusted list DE: Example QTSP / Example CA)`). At least one
    /// certificate is required.
    pub fn from_parts(
        base: Option<&Path>,
        extra: Vec<(CertificateDer<'static>, String)>,
    ) -> Result<Self, ChainError> {
        let base = base.map(|path| {
            Box::new(if path.is_dir() {
                Source::Dir(path.to_owned())
            } else {
                Source::File(path.to_owned())
            })
        });
        let source = Source::Parts {
            base,
            extra: extra.into(),
        };
        let set = load(&source)?;
        Ok(Self {
            source,
            current: Arc::new(RwLock::new(Arc::new(set))),
        })
    }

    /// Re-reads the source and replaces the set in one step; returns the new number of
    /// anchors. On error the old set stays in use. (For [`from_pem`](Self::from_pem) this
    /// re-parses the same text.)
    pub fn reload(&self) -> Result<usize, ChainError> {
        let set = load(&self.source)?;
        let n = set.anchors.len();
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(set);
        Ok(n)
    }

    /// The number of anchors in the current set.
    pub fn len(&self) -> usize {
        self.snapshot().anchors.len()
    }

    /// Always `false` once constructed (an empty source is an error); for clippy's sake.
    pub fn is_empty(&self) -> bool {
        self.snapshot().anchors.is_empty()
    }

    /// The readable subjects of the current anchors.
    pub fn subjects(&self) -> Vec<String> {
        self.snapshot().names.clone()
    }

    /// The current set; validation holds it for its whole run, so a concurrent reload cannot
    /// change the anchors halfway.
    pub(crate) fn snapshot(&self) -> Arc<AnchorSet> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn load(source: &Source) -> Result<AnchorSet, ChainError> {
    let mut set = AnchorSet {
        anchors: Vec::new(),
        names: Vec::new(),
        validated: Mutex::new(HashMap::new()),
    };
    add_source(&mut set, source)?;
    if set.anchors.is_empty() {
        return Err(ChainError::Anchors {
            source_name: source_name(source),
            reason: "no certificate".to_owned(),
        });
    }
    Ok(set)
}

fn add_source(set: &mut AnchorSet, source: &Source) -> Result<(), ChainError> {
    match source {
        Source::Parts { base, extra } => {
            if let Some(base) = base {
                add_source(set, base)?;
            }
            for (cert, label) in extra.iter() {
                let anchor = webpki::anchor_from_trusted_cert(cert)
                    .map_err(|e| ChainError::Anchors {
                        source_name: label.clone(),
                        reason: format!("{e:?}"),
                    })?
                    .to_owned();
                set.names
                    .push(format!("{} ({label})", describe_name(&anchor.subject)));
                set.anchors.push(anchor);
            }
        }
        Source::Pem(pem) => add_pem(set, pem, "PEM text")?,
        Source::File(path) => add_pem(set, &read_file(path)?, &path.display().to_string())?,
        Source::Dir(dir) => {
            let entries = std::fs::read_dir(dir).map_err(|e| ChainError::Anchors {
                source_name: dir.display().to_string(),
                reason: e.to_string(),
            })?;
            let mut files = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|e| ChainError::Anchors {
                    source_name: dir.display().to_string(),
                    reason: e.to_string(),
                })?;
                let path = entry.path();
                let wanted = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    matches!(e.to_ascii_lowercase().as_str(), "pem" | "crt" | "cer")
                });
                if wanted && path.is_file() {
                    files.push(path);
                }
            }
            // A stable order, so that errors and `subjects()` do not depend on the directory.
            files.sort();
            for path in files {
                add_pem(set, &read_file(&path)?, &path.display().to_string())?;
            }
        }
    }
    Ok(())
}

fn source_name(source: &Source) -> String {
    match source {
        Source::Pem(_) => "PEM text".to_owned(),
        Source::Parts {
            base: Some(base), ..
        } => source_name(base),
        Source::Parts { base: None, .. } => "trusted lists".to_owned(),
        Source::File(p) | Source::Dir(p) => p.display().to_string(),
    }
}

fn read_file(path: &Path) -> Result<Vec<u8>, ChainError> {
    let err = |reason: String| ChainError::Anchors {
        source_name: path.display().to_string(),
        reason,
    };
    let len = std::fs::metadata(path)
        .map_err(|e| err(e.to_string()))?
        .len();
    if len > MAX_ANCHOR_FILE {
        return Err(err(format!("{len} bytes, more than {MAX_ANCHOR_FILE}")));
    }
    std::fs::read(path).map_err(|e| err(e.to_string()))
}

fn add_pem(set: &mut AnchorSet, pem: &[u8], name: &str) -> Result<(), ChainError> {
    for (i, cert) in CertificateDer::pem_slice_iter(pem).enumerate() {
        let err = |reason: String| ChainError::Anchors {
            source_name: name.to_owned(),
            reason: format!("certificate {}: {reason}", i + 1),
        };
        let cert = cert.map_err(|e| err(e.to_string()))?;
        let anchor = webpki::anchor_from_trusted_cert(&cert)
            .map_err(|e| err(format!("{e:?}")))?
            .to_owned();
        set.names.push(describe_name(&anchor.subject));
        set.anchors.push(anchor);
    }
    Ok(())
}
