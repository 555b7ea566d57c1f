//! The values the store takes and returns.
//!
//! These are domain values, not database rows: the backends decode rows by hand (`rows.rs`).

use std::fmt;
use std::str::FromStr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jiff::Timestamp;

use crate::StoreError;

/// A SHA-256 digest (of a credential body, an upload or an API token).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Digest([u8; 32]);

impl Sha256Digest {
    /// The SHA-256 digest of `data`.
    pub fn of(data: &[u8]) -> Self {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
        let mut out = [0u8; 32];
        out.copy_from_slice(digest.as_ref());
        Self(out)
    }

    /// Wraps raw digest bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub(crate) fn from_slice(bytes: &[u8]) -> Result<Self, StoreError> {
        <[u8; 32]>::try_from(bytes)
            .map(Self)
            .map_err(|_| StoreError::Corrupt(format!("digest of {} bytes", bytes.len())))
    }
}

impl fmt::Display for Sha256Digest {
    /// Lowercase hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One write of 64 bytes instead of 32 formatted ones: listings print a digest per row.
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 64];
        for (pair, b) in out.chunks_exact_mut(2).zip(self.0) {
            pair[0] = HEX[usize::from(b >> 4)];
            pair[1] = HEX[usize::from(b & 0x0f)];
        }
        f.write_str(std::str::from_utf8(&out).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sha256Digest({self})")
    }
}

impl FromStr for Sha256Digest {
    type Err = StoreError;

    /// Parses 64 hex digits.
    fn from_str(s: &str) -> Result<Self, StoreError> {
        let invalid = || StoreError::InvalidInput(format!("not a hex SHA-256 digest: {s:?}"));
        if s.len() != 64 || !s.is_ascii() {
            return Err(invalid());
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            let pair = s.get(2 * i..2 * i + 2).ok_or_else(invalid)?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| invalid())?;
        }
        Ok(Self(out))
    }
}

/// How a credential was serialised and secured (defined with the profiles in gxa-credential).
pub use gxa_credential::Format as CredentialFormat;

/// Reads a stored format name.
pub(crate) fn parse_format(s: &str) -> Result<CredentialFormat, StoreError> {
    CredentialFormat::from_stored(s)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown credential format {s:?}")))
}

/// A credential to store, exactly as issued.
#[derive(Clone, Debug)]
pub struct NewCredential {
    /// The credential's `id` (a URL or URN), unique in the store.
    pub id: String,
    /// The `type` list, e.g. `["VerifiableCredential", "gx:LegalParticipant"]`; not empty.
    pub types: Vec<String>,
    /// The credential subject's id.
    pub subject: String,
    /// The issuer's DID.
    pub issuer: String,
    /// The issuance profile, e.g. `gaia-x-tagus`, `gaia-x-loire`, `scs`.
    pub profile: String,
    /// How `body` is serialised.
    pub format: CredentialFormat,
    /// The exact bytes as issued; served unchanged.
    pub body: Vec<u8>,
    /// The hash of the canonical form (e.g. `sha256:<hex>` of the RDFC-1.0 N-Quads), if known.
    pub canonical_hash: Option<String>,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// Start of validity (`validFrom` / `issuanceDate`).
    pub valid_from: Timestamp,
    /// End of validity (`validUntil` / `expirationDate`), if any.
    pub valid_until: Option<Timestamp>,
    /// The `credentialStatus` entry: a status list id and an index from
    /// [`Store::allocate_status_index`](crate::Store::allocate_status_index).
    pub status: Option<(String, u64)>,
    /// The upload this credential was issued from, kept as evidence.
    pub evidence: Option<Sha256Digest>,
}

/// A stored credential with the state that may follow its issuance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCredential {
    /// The credential's `id`.
    pub id: String,
    /// The `type` list as given.
    pub types: Vec<String>,
    /// The credential subject's id.
    pub subject: String,
    /// The issuer's DID.
    pub issuer: String,
    /// The issuance profile.
    pub profile: String,
    /// How `body` is serialised.
    pub format: CredentialFormat,
    /// The exact bytes as issued.
    pub body: Vec<u8>,
    /// SHA-256 of `body`, computed by the store (a strong `ETag`).
    pub body_sha256: Sha256Digest,
    /// The canonical hash given at issuance.
    pub canonical_hash: Option<String>,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// Start of validity.
    pub valid_from: Timestamp,
    /// End of validity.
    pub valid_until: Option<Timestamp>,
    /// The status list id and index.
    pub status: Option<(String, u64)>,
    /// The upload it was issued from.
    pub evidence: Option<Sha256Digest>,
    /// The credential that replaced this one at re-issuance.
    pub superseded_by: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
}

/// A credential as listed: what [`StoredCredential`] holds but its bytes and evidence.
///
/// A listing page reads no bodies: at a page of 100 that is 100 fewer blobs to read, copy
/// and drop per request, which is what keeps `GET /credentials` fast over a large store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedCredential {
    /// The credential's `id`.
    pub id: String,
    /// The `type` list as given.
    pub types: Vec<String>,
    /// The credential subject's id.
    pub subject: String,
    /// The issuer's DID.
    pub issuer: String,
    /// The issuance profile.
    pub profile: String,
    /// How the body is serialised.
    pub format: CredentialFormat,
    /// SHA-256 of the body, computed by the store (a strong `ETag`).
    pub body_sha256: Sha256Digest,
    /// When it was issued.
    pub issued_at: Timestamp,
    /// Start of validity.
    pub valid_from: Timestamp,
    /// End of validity.
    pub valid_until: Option<Timestamp>,
    /// The status list id and index.
    pub status: Option<(String, u64)>,
    /// The credential that replaced this one at re-issuance.
    pub superseded_by: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<Timestamp>,
}

/// Filters of [`Store::list_credentials`](crate::Store::list_credentials); `None` matches all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialFilter {
    /// One entry of the credential's type list.
    pub credential_type: Option<String>,
    /// The credential subject's id.
    pub subject: Option<String>,
    /// The issuer.
    pub issuer: Option<String>,
    /// The issuance profile (`tagus`, `loire`, ...).
    pub profile: Option<String>,
    /// Only credentials in this state.
    pub state: Option<CredentialState>,
}

/// The state of a credential for [`CredentialFilter::state`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialState {
    /// Neither superseded nor revoked.
    Current,
    /// Replaced by a re-issuance (and not revoked).
    Superseded,
    /// Revoked.
    Revoked,
}

impl CredentialState {
    /// `current`, `superseded` or `revoked`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Current => "current",
            Self::Superseded => "superseded",
            Self::Revoked => "revoked",
        }
    }

    /// From [`CredentialState::as_str`]'s names.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "current" => Some(Self::Current),
            "superseded" => Some(Self::Superseded),
            "revoked" => Some(Self::Revoked),
            _ => None,
        }
    }
}

/// A page of a listing and the cursor of the next page, if there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in a stable order (storage order).
    pub items: Vec<T>,
    /// Pass this to get the next page; `None` on the last page.
    pub next: Option<ListCursor>,
}

/// An opaque position in a credential listing, stable across inserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListCursor(pub(crate) i64);

const LIST_CURSOR_VERSION: u8 = 1;

impl fmt::Display for ListCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut raw = [0u8; 9];
        raw[0] = LIST_CURSOR_VERSION;
        raw[1..].copy_from_slice(&self.0.to_be_bytes());
        f.write_str(&URL_SAFE_NO_PAD.encode(raw))
    }
}

impl FromStr for ListCursor {
    type Err = StoreError;

    /// Parses a cursor from [`Page::next`]; anything else is [`StoreError::InvalidCursor`].
    fn from_str(s: &str) -> Result<Self, StoreError> {
        let raw = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| StoreError::InvalidCursor)?;
        let raw: [u8; 9] = raw.try_into().map_err(|_| StoreError::InvalidCursor)?;
        let [version, rest @ ..] = raw;
        let position = i64::from_be_bytes(rest);
        if version != LIST_CURSOR_VERSION || position < 1 {
            return Err(StoreError::InvalidCursor);
        }
        Ok(Self(position))
    }
}

/// A position in the change feed: the sequence number of the last entry seen (0 = start).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct ChangeCursor(pub u64);

impl fmt::Display for ChangeCursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for ChangeCursor {
    type Err = StoreError;

    /// Parses a decimal sequence number; anything else is [`StoreError::InvalidCursor`].
    fn from_str(s: &str) -> Result<Self, StoreError> {
        if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(StoreError::InvalidCursor);
        }
        s.parse::<u64>()
            .map(Self)
            .map_err(|_| StoreError::InvalidCursor)
    }
}

/// What a change log entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChangeKind {
    /// A credential was issued.
    Issued,
    /// A credential was issued to replace `previous` (see [`ChangeEntry::previous`]).
    Reissued,
    /// A credential was revoked.
    Revoked,
}

impl ChangeKind {
    /// The stored name: `issued`, `reissued` or `revoked`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Reissued => "reissued",
            Self::Revoked => "revoked",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "issued" => Ok(Self::Issued),
            "reissued" => Ok(Self::Reissued),
            "revoked" => Ok(Self::Revoked),
            _ => Err(StoreError::Corrupt(format!("unknown change kind {s:?}"))),
        }
    }
}

/// One entry of the append-only change log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeEntry {
    /// The sequence number: 1, 2, 3, … without gaps, in commit order.
    pub seq: u64,
    /// What happened.
    pub kind: ChangeKind,
    /// The credential issued, re-issued or revoked.
    pub credential_id: String,
    /// The issuer (DID) of that credential, so that a reader of the feed (e.g. a partner's
    /// sync) can tell whose credentials it names without fetching them.
    pub issuer: String,
    /// For [`ChangeKind::Reissued`], the credential that was replaced.
    pub previous: Option<String>,
    /// When the change was recorded.
    pub recorded_at: Timestamp,
}

/// The outcome of [`Store::revoke_credential`](crate::Store::revoke_credential).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revocation {
    /// The change log entry of the revocation (the first one, for a repeated call).
    pub seq: u64,
    /// When the credential was revoked.
    pub revoked_at: Timestamp,
    /// `false` when the credential had been revoked already and nothing changed.
    pub newly_revoked: bool,
}

/// What [`Store::issue_in_slot_with`](crate::Store::issue_in_slot_with) does with the slot's
/// previous credential besides superseding it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Previous {
    /// It stays valid until its own end of validity (a fresher statement of the same claims).
    #[default]
    KeepValid,
    /// It is revoked in the same transaction (its claims no longer hold): its status bit is
    /// set and a `revoked` change follows the `reissued` one.
    Revoke,
}

/// The outcome of an issuance into a slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotIssuance {
    /// The change-log entry of the issuance (`issued` or `reissued`).
    pub entry: ChangeEntry,
    /// The revocation of the previous credential, with [`Previous::Revoke`] when there was an
    /// unrevoked one.
    pub revoked_previous: Option<Revocation>,
}

/// A raw upload to keep as evidence.
#[derive(Clone, Debug)]
pub struct NewUpload {
    /// The subject that uploaded it.
    pub subject: String,
    /// Its media type, e.g. `application/x-signed-yaml`.
    pub media_type: String,
    /// The bytes as received.
    pub body: Vec<u8>,
}

/// A stored upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// SHA-256 of `body`: the upload's id.
    pub sha256: Sha256Digest,
    /// The subject that uploaded it first.
    pub subject: String,
    /// Its media type.
    pub media_type: String,
    /// The bytes as received.
    pub body: Vec<u8>,
    /// When it was first received.
    pub received_at: Timestamp,
}

/// The `statusPurpose` of a status list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusPurpose {
    /// `revocation`: a set bit means revoked, for good.
    Revocation,
    /// `suspension`: a set bit means suspended.
    Suspension,
}

impl StatusPurpose {
    /// The `statusPurpose` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Revocation => "revocation",
            Self::Suspension => "suspension",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, StoreError> {
        match s {
            "revocation" => Ok(Self::Revocation),
            "suspension" => Ok(Self::Suspension),
            _ => Err(StoreError::Corrupt(format!("unknown status purpose {s:?}"))),
        }
    }
}

/// A bitstring status list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusList {
    /// Its id (the status list credential's URL or a local name).
    pub id: String,
    /// What a set bit means.
    pub purpose: StatusPurpose,
    /// Its size in bits, at least [`MIN_STATUS_LIST_BITS`](crate::MIN_STATUS_LIST_BITS).
    pub size_bits: u64,
    /// The bitstring, index 0 at the most significant bit of byte 0 (not compressed).
    pub bits: Vec<u8>,
    /// How many indexes have been allocated (0..allocated).
    pub allocated: u64,
    /// When the bitstring last changed.
    pub updated_at: Timestamp,
}

/// A registered subject (a provider that may upload).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subject {
    /// Its id (e.g. a DID or a participant id).
    pub id: String,
    /// When it was registered.
    pub created_at: Timestamp,
}

/// A lease on a named job, held by one replica until it expires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// The job's name, e.g. `reissue`.
    pub name: String,
    /// The holder's id (one per replica).
    pub holder: String,
    /// When the lease ends unless renewed.
    pub expires_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_cursor_round_trips_and_rejects_garbage() {
        let cursor = ListCursor(42);
        assert_eq!(cursor.to_string().parse::<ListCursor>().unwrap(), cursor);
        for bad in ["", "x", "AAAAAAAAAAAA", "not base64!", "AQAAAAAAAAAAAA"] {
            assert!(
                matches!(bad.parse::<ListCursor>(), Err(StoreError::InvalidCursor)),
                "{bad}"
            );
        }
        assert!(matches!(
            "12a".parse::<ChangeCursor>(),
            Err(StoreError::InvalidCursor)
        ));
        assert!(matches!(
            "-1".parse::<ChangeCursor>(),
            Err(StoreError::InvalidCursor)
        ));
        assert_eq!("17".parse::<ChangeCursor>().unwrap(), ChangeCursor(17));
    }

    #[test]
    fn digest_hex_round_trips() {
        let d = Sha256Digest::of(b"abc");
        assert_eq!(
            d.to_string(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(d.to_string().parse::<Sha256Digest>().unwrap(), d);
        assert!("zz".parse::<Sha256Digest>().is_err());
    }
}
