//! [`Issuer`]: construction, accessors, and the one path every credential takes into the store.

use std::collections::HashMap;
use std::sync::Arc;

use gxa_credential::{Profile, trust_framework};
use gxa_proof::KeySet;
use gxa_store::{NewCredential, Store, StoreError, StoredCredential};
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use gxa_proof::SigningKey;

use crate::proof;
use crate::{Issued, IssuedRef, IssuerConfig, IssuerError, status};

/// How often an issuance into a slot is retried after another replica moved the slot.
pub(crate) const SLOT_ATTEMPTS: usize = 8;

/// The issuer: signs, stores and serves credentials. Cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct Issuer {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Issuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuer")
            .field("did", &self.inner.did)
            .field("base_url", &self.inner.config.base_url)
            .finish_non_exhaustive()
    }
}

/// (list id, profile) → (the list's `updated_at`, its signed credential).
pub(crate) type StatusCache = HashMap<(String, &'static str), (Timestamp, Issued)>;

pub(crate) struct Inner {
    pub(crate) store: Store,
    pub(crate) config: IssuerConfig,
    pub(crate) did: String,
    pub(crate) did_document: Value,
    pub(crate) key: SigningKey,
    /// x5u URL path → PEM chain.
    pub(crate) chains: HashMap<String, Vec<u8>>,
    /// The number of the status list new entries are allocated from.
    pub(crate) current_list: tokio::sync::Mutex<u64>,
    pub(crate) status_cache: std::sync::Mutex<StatusCache>,
    /// Uploads whose signature verified against a set of registered keys.
    pub(crate) upload_memo: std::sync::Mutex<crate::scs::UploadMemo>,
    /// This replica's name for leases.
    pub(crate) holder: String,
}

/// The path of an x5u URL (`https://host/.well-known/x.pem` → `/.well-known/x.pem`).
fn url_path(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let path = &rest[rest.find('/')?..];
    Some(path.split(['?', '#']).next().unwrap_or(path))
}

impl Issuer {
    /// Loads the signer (the key set's first active key) and the DID document, reads the x5u
    /// certificate chains, and makes sure a status list with free entries exists (idempotent,
    /// safe when several replicas start at once).
    ///
    /// When a provider is configured whose DID is not the key set's DID, inventory credentials
    /// are still issued by the key set's DID (a verifier accepts nothing else); a warning is
    /// logged.
    pub async fn new(
        store: Store,
        keys: KeySet,
        mut config: IssuerConfig,
    ) -> Result<Issuer, IssuerError> {
        while config.base_url.ends_with('/') {
            config.base_url.pop();
        }
        if !(config.base_url.starts_with("https://") || config.base_url.starts_with("http://")) {
            return Err(IssuerError::Config(format!(
                "base URL {:?} is not an http(s) URL",
                config.base_url
            )));
        }
        if config.profiles.is_empty() {
            return Err(IssuerError::Config("no profile to issue in".to_owned()));
        }
        let (signer, method) = keys.signer(None)?;
        let did_document = keys.did_document()?;
        let mut chains = HashMap::new();
        for entry in &keys.keys {
            let (Some(x5u), Some(chain)) = (&entry.x5u, &entry.chain) else {
                continue;
            };
            let Some(path) = url_path(x5u) else {
                continue;
            };
            let file = keys.dir().join(chain);
            let pem = std::fs::read(&file).map_err(|source| {
                IssuerError::Keys(gxa_proof::KeySetError::Io {
                    path: file.display().to_string(),
                    source,
                })
            })?;
            chains.insert(path.to_owned(), pem);
        }
        if let Some(provider) = &config.provider
            && provider.provider.did != keys.did
        {
            tracing::warn!(
                provider_did = %provider.provider.did,
                key_set_did = %keys.did,
                "the provider's DID is not the key set's DID: inventory credentials are issued by the key set's DID"
            );
        }
        let current = status::open_current_list(&store).await?;
        Ok(Issuer {
            inner: Arc::new(Inner {
                store,
                config,
                did: keys.did.clone(),
                did_document,
                key: SigningKey::new(Arc::from(signer), method, keys.did.clone()),
                chains,
                current_list: tokio::sync::Mutex::new(current),
                status_cache: std::sync::Mutex::new(HashMap::new()),
                upload_memo: std::sync::Mutex::new(crate::scs::UploadMemo::default()),
                holder: format!("issuer-{}", uuid::Uuid::new_v4()),
            }),
        })
    }

    /// Seals `doc` in `profile` with the issuer's key and its JsonWebSignature2020 flavour
    /// ([`gxa_proof::seal_with`]) on the blocking pool.
    pub(crate) async fn seal(
        &self,
        doc: Value,
        profile: Profile,
        created: Timestamp,
    ) -> Result<gxa_proof::Sealed, IssuerError> {
        let key = self.inner.key.clone();
        let flavour = self.inner.config.jws2020_flavour;
        Ok(
            proof::blocking(move || gxa_proof::seal_with(&key, doc, profile, flavour, created))
                .await??,
        )
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The configuration.
    pub fn config(&self) -> &IssuerConfig {
        &self.inner.config
    }

    /// The issuer's DID (the key set's).
    pub fn did(&self) -> &str {
        &self.inner.did
    }

    /// The did:web document of the key set (active and retired keys, JWKs with x5u).
    pub fn did_document(&self) -> &Value {
        &self.inner.did_document
    }

    /// The PEM chain published at an x5u URL, looked up by that URL's path
    /// (`/.well-known/x509CertificateChain.pem`).
    pub fn certificate_chain(&self, path: &str) -> Option<&[u8]> {
        self.inner.chains.get(path).map(Vec::as_slice)
    }

    /// A fresh credential id: `{base_url}/credentials/{uuid v4}`.
    pub(crate) fn new_credential_id(&self) -> String {
        format!(
            "{}/credentials/{}",
            self.inner.config.base_url,
            uuid::Uuid::new_v4()
        )
    }

    /// Gives a credential its id and, when it [`carries_status`], its status entry (and, for
    /// Tagus, the status list context). `status` comes from [`status::allocate`].
    pub(crate) fn stamp(
        &self,
        doc: &mut Map<String, Value>,
        profile: Profile,
        id: &str,
        status: Option<&(String, u64)>,
    ) {
        if profile == Profile::Tagus && status.is_some() {
            proof::add_tagus_status_context(doc);
        }
        // `id` first, after `@context`, as credentials are usually written.
        let mut out = Map::new();
        if let Some(context) = doc.remove("@context") {
            out.insert("@context".to_owned(), context);
        }
        out.insert("id".to_owned(), json!(id));
        doc.remove("id");
        out.append(doc);
        if let Some((list, index)) = status {
            out.insert(
                "credentialStatus".to_owned(),
                status::status_entry(&self.inner.config.base_url, list, *index, profile),
            );
        }
        *doc = out;
    }

    /// Allocates a status entry for `doc` when it [`carries_status`] (reusing `spare`, one
    /// allocated for an attempt that did not land).
    pub(crate) async fn status_for(
        &self,
        doc: &Map<String, Value>,
        profile: Profile,
        spare: &mut Option<(String, u64)>,
    ) -> Result<Option<(String, u64)>, IssuerError> {
        if !carries_status(doc, profile) {
            return Ok(None);
        }
        match spare.take() {
            Some(status) => Ok(Some(status)),
            None => Ok(Some(
                status::allocate(&self.inner.store, &self.inner.current_list).await?,
            )),
        }
    }
}

/// What one attempt to issue into a slot did.
pub(crate) enum SlotResult {
    /// Issued (or re-issued): the reference.
    Issued(IssuedRef),
    /// Another replica moved the slot: decide again.
    Moved,
}

/// Whether a credential carries a status entry. Every one does but a Tagus credential of the
/// trust framework's classes only (a participant, its registration number, terms and
/// conditions, a service offering): a Tagus clearing house refuses every type it has no shape
/// for, the status entry's included (`gxa_credential::trust_framework`). Such a credential is
/// revoked without a status bit (the store records the revocation and the change feed
/// announces it), leaves the participant's presentation, and ends with its validity.
pub(crate) fn carries_status(doc: &Map<String, Value>, profile: Profile) -> bool {
    profile != Profile::Tagus || !trust_framework::is_clearing_credential(&stored_types(doc))
}

/// The `type` list stored with a credential: its own types, then its subject's.
pub(crate) fn stored_types(doc: &Map<String, Value>) -> Vec<String> {
    let mut types = Vec::new();
    let mut push = |v: Option<&Value>| match v {
        Some(Value::String(t)) if !types.contains(t) => types.push(t.clone()),
        Some(Value::Array(list)) => {
            for t in list.iter().filter_map(Value::as_str) {
                if !types.iter().any(|x| x == t) {
                    types.push(t.to_owned());
                }
            }
        }
        _ => {}
    };
    push(doc.get("type"));
    match doc.get("credentialSubject") {
        Some(Value::Array(subjects)) => {
            for s in subjects {
                push(s.get("type"));
            }
        }
        Some(subject) => push(subject.get("type")),
        None => {}
    }
    if types.is_empty() {
        types.push("VerifiableCredential".to_owned());
    }
    types
}

/// The end of validity a document states.
pub(crate) fn valid_until_of(doc: &Value) -> Option<Timestamp> {
    ["validUntil", "expirationDate"]
        .iter()
        .find_map(|k| doc.get(*k).and_then(Value::as_str))
        .and_then(|t| t.parse().ok())
}

/// A slot name from its parts, each percent-encoded so that no two part lists give one name.
pub(crate) fn slot_name(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| p.replace('%', "%25").replace('/', "%2F"))
        .collect::<Vec<_>>()
        .join("/")
}

/// Everything needed to store one signed credential into a slot.
pub(crate) struct SlotIssue<'a> {
    pub(crate) slot: &'a str,
    pub(crate) owner: &'a str,
    pub(crate) profile: Profile,
    pub(crate) expected: Option<&'a StoredCredential>,
    pub(crate) doc: Value,
    pub(crate) content_hash: String,
    pub(crate) issued_at: Timestamp,
    pub(crate) evidence: Option<gxa_store::Sha256Digest>,
    /// Whether `expected` stays valid or is revoked with the issuance.
    pub(crate) previous: gxa_store::Previous,
}

impl Issuer {
    /// Signs `issue.doc` (already stamped) and stores it as the slot's current credential,
    /// superseding `issue.expected`. [`SlotResult::Moved`] when another replica moved the slot
    /// first.
    pub(crate) async fn issue_into_slot(
        &self,
        issue: SlotIssue<'_>,
        id: String,
        status_entry: Option<(String, u64)>,
    ) -> Result<SlotResult, IssuerError> {
        let types = issue.doc.as_object().map(stored_types).unwrap_or_default();
        let valid_until = valid_until_of(&issue.doc);
        let sealed = self.seal(issue.doc, issue.profile, issue.issued_at).await?;
        let new = NewCredential {
            id: id.clone(),
            types: types.clone(),
            subject: issue.owner.to_owned(),
            issuer: self.inner.did.clone(),
            profile: issue.profile.as_str().to_owned(),
            format: sealed.format,
            body: sealed.body,
            canonical_hash: Some(issue.content_hash),
            issued_at: issue.issued_at,
            valid_from: issue.issued_at,
            valid_until,
            status: status_entry,
            evidence: issue.evidence,
        };
        let expected = issue.expected.map(|c| c.id.as_str());
        match self
            .inner
            .store
            .issue_in_slot_with(issue.slot, expected, &new, issue.previous)
            .await
        {
            Ok(gxa_store::SlotIssuance {
                entry,
                revoked_previous,
            }) => {
                let replaced_revoked = revoked_previous.is_some_and(|r| r.newly_revoked);
                tracing::info!(
                    credential = %id,
                    slot = issue.slot,
                    replaces = entry.previous.as_deref().unwrap_or("-"),
                    replaced_revoked,
                    seq = entry.seq,
                    "issued"
                );
                Ok(SlotResult::Issued(IssuedRef {
                    id,
                    types,
                    profile: issue.profile.as_str().to_owned(),
                    format: sealed.format.as_str(),
                    replaces: entry.previous,
                    replaced_revoked,
                    valid_until: valid_until.map(|t| t.to_string()),
                }))
            }
            Err(StoreError::Conflict(reason)) => {
                tracing::debug!(slot = issue.slot, %reason, "slot moved by another replica; retrying");
                Ok(SlotResult::Moved)
            }
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_paths() {
        assert_eq!(
            url_path("https://localhost:8443/.well-known/x509CertificateChain.pem"),
            Some("/.well-known/x509CertificateChain.pem")
        );
        assert_eq!(url_path("https://h/a.pem?x=1"), Some("/a.pem"));
        assert_eq!(url_path("https://h"), None);
        assert_eq!(url_path("not a url"), None);
    }

    #[test]
    fn slot_names_do_not_collide() {
        assert_ne!(slot_name(&["a/b", "c"]), slot_name(&["a", "b/c"]));
        assert_eq!(slot_name(&["scs", "x%2F"]), "scs/x%252F");
    }

    #[test]
    fn stored_types_include_the_subject_types() {
        let doc = json!({"type": ["VerifiableCredential"], "credentialSubject": {"type": "gx:LegalPerson"}});
        assert_eq!(
            stored_types(doc.as_object().unwrap()),
            ["VerifiableCredential", "gx:LegalPerson"]
        );
    }
}
