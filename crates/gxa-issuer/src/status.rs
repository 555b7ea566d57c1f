//! Bitstring Status Lists: allocation of status entries and the signed status list credential.
//!
//! [W3C Bitstring Status List v1.0](https://www.w3.org/TR/vc-bitstring-status-list/): a
//! credential carries a `BitstringStatusListEntry` (purpose `revocation`; a Tagus credential a
//! `StatusList2021Entry`, the VC 1.1 vocabulary of the same list) naming a list credential and
//! an index; the list credential's `encodedList` is the GZIP-compressed
//! bitstring, base64url-encoded without padding, with the multibase prefix `u`
//! ([§ 2.1](https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential)),
//! at least 16 KiB uncompressed (herd privacy, [§ 6.1]). Index 0 is the left-most bit.
//!
//! Lists are named `revocation-1`, `revocation-2`, …; when one is full the next is created
//! (creation is idempotent, so replicas racing to create it both succeed).
//!
//! [§ 6.1]: https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-encoding

use std::io::{Read as _, Write as _};

use base64::Engine as _;
use gxa_credential::Profile;
use gxa_store::{MIN_STATUS_LIST_BITS, StatusPurpose, Store, StoreError};
use serde_json::{Map, Value, json};

use crate::IssuerError;

/// The size of every status list this issuer creates: the specification's minimum, 131 072
/// bits (16 KiB).
pub const STATUS_LIST_BITS: u64 = MIN_STATUS_LIST_BITS;

/// Largest decompressed list [`decode_status_list`] accepts (the store's maximum, 8 MiB), so a
/// GZIP bomb cannot exhaust memory.
const MAX_DECODED: u64 = 8 * 1024 * 1024;

/// The `encodedList` of a bitstring: `u` + base64url (no padding) of its GZIP compression.
pub fn encode_status_list(bits: &[u8]) -> String {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let compressed: Vec<u8> = encoder
        .write_all(bits)
        .and_then(|()| encoder.finish())
        .unwrap_or_default();
    format!(
        "u{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed)
    )
}

/// The bitstring of an `encodedList`; `None` when it is not base64url + GZIP (with the
/// multibase prefix `u` of a Bitstring Status List or without it, as StatusList2021 writes it)
/// or is larger than 8 MiB decompressed.
pub fn decode_status_list(encoded: &str) -> Option<Vec<u8>> {
    let b64 = encoded.strip_prefix('u').unwrap_or(encoded);
    let compressed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64)
        .ok()?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(compressed.as_slice())
        .take(MAX_DECODED + 1)
        .read_to_end(&mut out)
        .ok()?;
    (out.len() as u64 <= MAX_DECODED).then_some(out)
}

pub(crate) fn list_name(n: u64) -> String {
    format!("revocation-{n}")
}

fn list_number(id: &str) -> Option<u64> {
    id.strip_prefix("revocation-")?.parse().ok()
}

/// Creates `revocation-n` unless it exists.
async fn ensure_list(store: &Store, n: u64) -> Result<(), IssuerError> {
    match store
        .create_status_list(&list_name(n), StatusPurpose::Revocation, STATUS_LIST_BITS)
        .await
    {
        Ok(_) | Err(StoreError::AlreadyExists { .. }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// The first list with a free index, creating `revocation-1` on a fresh store.
pub(crate) async fn open_current_list(store: &Store) -> Result<u64, IssuerError> {
    let mut n = 1;
    loop {
        match store.get_status_list(&list_name(n)).await {
            Ok(list) if list.allocated < list.size_bits => return Ok(n),
            Ok(_) => n += 1,
            Err(StoreError::NotFound { .. }) => {
                ensure_list(store, n).await?;
                return Ok(n);
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Allocates a status index, moving on to the next list when the current one is full.
/// `current` is the issuer's cached current list number.
pub(crate) async fn allocate(
    store: &Store,
    current: &tokio::sync::Mutex<u64>,
) -> Result<(String, u64), IssuerError> {
    let mut n = current.lock().await;
    loop {
        let name = list_name(*n);
        match store.allocate_status_index(&name).await {
            Ok(index) => return Ok((name, index)),
            Err(StoreError::StatusListFull(_)) => {
                *n += 1;
                ensure_list(store, *n).await?;
            }
            Err(StoreError::NotFound { .. }) => ensure_list(store, *n).await?,
            Err(e) => return Err(e.into()),
        }
    }
}

/// The `credentialStatus` of a credential with status entry (`list`, `index`): a
/// `BitstringStatusListEntry` (Loire) or a `StatusList2021Entry` (Tagus, whose verifiers know
/// that vocabulary from its published context), with the same fields.
pub(crate) fn status_entry(base_url: &str, list: &str, index: u64, profile: Profile) -> Value {
    let list_url = format!("{base_url}/status-lists/{list}");
    json!({
        "id": format!("{list_url}#{index}"),
        "type": match profile {
            Profile::Tagus => "StatusList2021Entry",
            Profile::Loire => "BitstringStatusListEntry",
        },
        "statusPurpose": "revocation",
        "statusListIndex": index.to_string(),
        "statusListCredential": list_url,
    })
}

/// Whether `id` names a list this issuer could have created.
pub(crate) fn is_list_id(id: &str) -> bool {
    list_number(id).is_some_and(|n| n > 0)
}

/// The unsigned status list credential of `list_id` with bitstring `bits`: a
/// `BitstringStatusListCredential` (Loire, VC 2.0) or a `StatusList2021Credential` (Tagus,
/// VC 1.1, [StatusList2021](https://www.w3.org/community/reports/credentials/CG-FINAL-vc-status-list-2021-20230102/):
/// the same GZIP bitstring, base64url without the multibase prefix).
pub(crate) fn list_credential(
    base_url: &str,
    issuer: &str,
    list_id: &str,
    purpose: StatusPurpose,
    bits: &[u8],
    profile: Profile,
    issued_at: jiff::Timestamp,
) -> Value {
    let id = format!("{base_url}/status-lists/{list_id}");
    let encoded = encode_status_list(bits);
    let (list_type, subject_type, encoded) = match profile {
        Profile::Tagus => (
            "StatusList2021Credential",
            "StatusList2021",
            encoded.strip_prefix('u').unwrap_or(&encoded),
        ),
        Profile::Loire => (
            "BitstringStatusListCredential",
            "BitstringStatusList",
            encoded.as_str(),
        ),
    };
    let subject = json!({
        "id": format!("{id}#list"),
        "type": subject_type,
        "statusPurpose": purpose.as_str(),
        "encodedList": encoded,
    });
    let mut vc = Map::new();
    match profile {
        Profile::Tagus => {
            vc.insert(
                "@context".to_owned(),
                json!([gxa_contexts::urls::CREDENTIALS_V1]),
            );
            crate::proof::add_tagus_status_context(&mut vc);
        }
        Profile::Loire => {
            vc.insert(
                "@context".to_owned(),
                json!([gxa_contexts::urls::CREDENTIALS_V2]),
            );
        }
    }
    vc.insert("id".to_owned(), json!(id));
    vc.insert(
        "type".to_owned(),
        json!(["VerifiableCredential", list_type]),
    );
    vc.insert("issuer".to_owned(), json!(issuer));
    let date_key = match profile {
        Profile::Tagus => "issuanceDate",
        Profile::Loire => "validFrom",
    };
    vc.insert(date_key.to_owned(), json!(issued_at.to_string()));
    vc.insert("credentialSubject".to_owned(), subject);
    Value::Object(vc)
}

impl crate::Issuer {
    /// Sets the credential's revocation bit; only for credentials of `subject`
    /// ([`IssuerError::ForeignSubject`] otherwise). Idempotent: revoking again returns the first
    /// revocation with `newly_revoked: false`. [`IssuerError::NotFound`] for an unknown id.
    pub async fn revoke(
        &self,
        subject: &str,
        credential_id: &str,
    ) -> Result<gxa_store::Revocation, IssuerError> {
        let store = &self.inner.store;
        let credential = match store.get_credential(credential_id).await {
            Ok(c) => c,
            Err(StoreError::NotFound { .. }) => {
                return Err(IssuerError::not_found("credential", credential_id));
            }
            Err(e) => return Err(e.into()),
        };
        if credential.subject != subject {
            // Not "not found": the id is public (it is in the change feed), only the right to
            // revoke is missing.
            return Err(IssuerError::ForeignSubject {
                account: subject.to_owned(),
                subject: credential.subject,
                action: "revoke credentials",
            });
        }
        let revocation = store.revoke_credential(credential_id).await?;
        if revocation.newly_revoked {
            tracing::info!(credential = %credential_id, seq = revocation.seq, "revoked");
        }
        Ok(revocation)
    }

    /// The signed `BitstringStatusListCredential` of a list (W3C Bitstring Status List v1.0)
    /// in `profile`: Tagus as VC 1.1 JSON-LD with a JsonWebSignature2020 proof, Loire as a
    /// vc+jwt. Cached until the list's bits change (the store's `updated_at`), so a busy list
    /// is signed once per change, not once per request. [`IssuerError::NotFound`] for an
    /// unknown list.
    pub async fn status_list_credential(
        &self,
        list_id: &str,
        profile: Profile,
    ) -> Result<crate::Issued, IssuerError> {
        if !is_list_id(list_id) {
            return Err(IssuerError::not_found("status list", list_id));
        }
        let store = &self.inner.store;
        let list = match store.get_status_list(list_id).await {
            Ok(list) => list,
            Err(StoreError::NotFound { .. }) => {
                return Err(IssuerError::not_found("status list", list_id));
            }
            Err(e) => return Err(e.into()),
        };
        let key = (list_id.to_owned(), profile.as_str());
        if let Ok(cache) = self.inner.status_cache.lock()
            && let Some((updated_at, issued)) = cache.get(&key)
            && *updated_at == list.updated_at
        {
            return Ok(issued.clone());
        }
        let now = gxa_credential::now();
        let doc = list_credential(
            &self.inner.config.base_url,
            &self.inner.did,
            list_id,
            list.purpose,
            &list.bits,
            profile,
            now,
        );
        let sealed = self.seal(doc, profile, now).await?;
        let issued = crate::Issued {
            etag: crate::proof::etag(&sealed.body),
            body: sealed.body,
            media_type: sealed.media_type,
        };
        if let Ok(mut cache) = self.inner.status_cache.lock() {
            cache.insert(key, (list.updated_at, issued.clone()));
        }
        Ok(issued)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips_and_is_compressed() {
        let mut bits = vec![0u8; (STATUS_LIST_BITS / 8) as usize];
        bits[0] = 0x80;
        bits[100] = 0x01;
        let encoded = encode_status_list(&bits);
        assert!(encoded.starts_with('u'));
        assert!(!encoded.contains('=') && !encoded.contains('+') && !encoded.contains('/'));
        assert!(
            encoded.len() < 200,
            "16 KiB of zeros compresses: {}",
            encoded.len()
        );
        assert_eq!(decode_status_list(&encoded), Some(bits));
    }

    #[test]
    fn decoding_refuses_garbage() {
        assert_eq!(decode_status_list("zabc"), None);
        assert_eq!(decode_status_list("u!!!"), None);
        assert_eq!(decode_status_list("uAAAA"), None);
    }

    #[test]
    fn list_ids() {
        assert!(is_list_id("revocation-1"));
        assert!(!is_list_id("revocation-0"));
        assert!(!is_list_id("revocation-x"));
        assert!(!is_list_id("other"));
    }
}
