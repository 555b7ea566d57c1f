//! [`Store`]: the one storage API, over a private choice of backend.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use jiff::Timestamp;

#[cfg(feature = "postgres")]
use crate::postgres::PostgresBackend;
use crate::sqlite::SqliteBackend;
use crate::{
    CesDelivery, CesEvent, CesReceipt, ChangeCursor, ChangeEntry, CredentialFilter,
    DeliveryOutcome, Lease, ListCursor, ListedCredential, NewCesEvent, NewCredential, NewUpload,
    Page, PartnerProvenance, PartnerReceipt, PartnerRejection, PartnerState, Previous,
    ReceiptOutcome, RejectionKind, Revocation, Sha256Digest, SlotIssuance, StatusList,
    StatusPurpose, StoreError, StoredCredential, Subject, Upload,
};

/// The file name of the SQLite database in a data directory.
pub const SQLITE_FILE_NAME: &str = "gx-attest.sqlite3";

/// Connection settings of [`Store::open_with`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreOptions {
    /// Most connections this `Store` opens: PostgreSQL pool size, or SQLite readers (SQLite has
    /// one writer connection besides).
    pub max_connections: u32,
}

impl StoreOptions {
    /// 10 connections.
    pub const DEFAULT: Self = Self {
        max_connections: 10,
    };
}

/// The storage of gx-attest: credentials, change log, uploads, status lists, subjects, leases.
///
/// Cheap to clone (pools are shared). Every method is one transaction.
#[derive(Clone, Debug)]
pub struct Store {
    backend: Backend,
    /// Counts the writes made through this handle and its clones (see [`Store::generation`]).
    generation: Arc<AtomicU64>,
}

#[derive(Clone, Debug)]
enum Backend {
    Sqlite(SqliteBackend),
    #[cfg(feature = "postgres")]
    Postgres(PostgresBackend),
}

#[cfg(feature = "postgres")]
async fn postgres_backend(url: &str, max_connections: u32) -> Result<Backend, StoreError> {
    Ok(Backend::Postgres(
        PostgresBackend::open(url, max_connections).await?,
    ))
}

/// Without the `postgres` feature a PostgreSQL URL is refused with a message that says why.
#[cfg(not(feature = "postgres"))]
async fn postgres_backend(_url: &str, _max_connections: u32) -> Result<Backend, StoreError> {
    Err(StoreError::InvalidInput(
        "this build has no PostgreSQL support (gxa-store's feature postgres)".to_owned(),
    ))
}

/// Calls the same method on whichever backend is in use.
macro_rules! dispatch {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match &$self.backend {
            Backend::Sqlite(b) => b.$method($($arg),*).await,
            #[cfg(feature = "postgres")]
            Backend::Postgres(b) => b.$method($($arg),*).await,
        }
    };
}

/// [`dispatch!`] for a method that changes what readers see: a success moves
/// [`Store::generation`].
macro_rules! dispatch_write {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {{
        let result = dispatch!($self.$method($($arg),*));
        if result.is_ok() {
            $self.generation.fetch_add(1, Ordering::Release);
        }
        result
    }};
}

impl Store {
    /// Opens the database at `url` and runs its migrations.
    ///
    /// `sqlite://PATH` (or `sqlite:PATH`) opens or creates a SQLite file (WAL mode, foreign keys,
    /// a busy timeout); `postgres://…` or `postgresql://…` connects to PostgreSQL. Anything else is
    /// [`StoreError::InvalidInput`].
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, &StoreOptions::DEFAULT).await
    }

    /// [`Store::open`] with explicit pool sizes.
    pub async fn open_with(url: &str, options: &StoreOptions) -> Result<Self, StoreError> {
        if options.max_connections == 0 {
            return Err(StoreError::InvalidInput(
                "max_connections must be at least 1".to_owned(),
            ));
        }
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite(SqliteBackend::open(url, options.max_connections).await?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            postgres_backend(url, options.max_connections).await?
        } else {
            return Err(StoreError::InvalidInput(
                "the database URL must start with sqlite:, postgres:// or postgresql://".to_owned(),
            ));
        };
        Ok(Self {
            backend,
            generation: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Opens or creates the SQLite database [`SQLITE_FILE_NAME`] in the data directory `dir`,
    /// creating the directory if needed.
    pub async fn open_data_dir(dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|err| {
            StoreError::InvalidInput(format!("data directory {}: {err}", dir.display()))
        })?;
        let path = dir.join(SQLITE_FILE_NAME);
        let path = path.to_str().ok_or_else(|| {
            StoreError::InvalidInput(format!("data directory {} is not UTF-8", dir.display()))
        })?;
        Self::open(&format!("sqlite://{path}")).await
    }

    /// A number that moves whenever a write through this handle (or a clone of it) changes what
    /// readers see: credentials, revocations, uploads, keys, subjects, partner receipts. Caches
    /// of derived public documents (badges, presentations) compare it to know they are stale.
    /// Writes by other processes on the same database do not move it: such caches also bound
    /// their age.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Closes the connections; later calls fail.
    pub async fn close(&self) {
        dispatch!(self.close())
    }

    /// Stores a newly issued credential and appends an [`ChangeKind::Issued`](crate::ChangeKind)
    /// entry, in one transaction.
    ///
    /// [`StoreError::AlreadyExists`] when the id is taken (the stored credential is unchanged),
    /// [`StoreError::NotFound`] for an unknown status list or evidence upload,
    /// [`StoreError::InvalidInput`] for a status index that was not allocated or empty fields,
    /// [`StoreError::Conflict`] when the status entry belongs to another credential.
    pub async fn insert_credential(&self, new: &NewCredential) -> Result<ChangeEntry, StoreError> {
        dispatch_write!(self.insert_credential(new))
    }

    /// Stores many newly issued credentials in one transaction (an import): all or none.
    /// Each gets its own [`ChangeKind::Issued`](crate::ChangeKind) entry, in slice order; errors
    /// as [`Store::insert_credential`].
    pub async fn import_credentials(
        &self,
        batch: &[NewCredential],
    ) -> Result<Vec<ChangeEntry>, StoreError> {
        dispatch_write!(self.import_credentials(batch))
    }

    /// Stores `new` as the replacement of `old_id`: sets the old one's `superseded_by` and appends
    /// a [`ChangeKind::Reissued`](crate::ChangeKind) entry, in one transaction.
    ///
    /// [`StoreError::NotFound`] when `old_id` does not exist, [`StoreError::Conflict`] when it was
    /// superseded or revoked already; otherwise as [`Store::insert_credential`].
    pub async fn reissue_credential(
        &self,
        old_id: &str,
        new: &NewCredential,
    ) -> Result<ChangeEntry, StoreError> {
        dispatch_write!(self.reissue_credential(old_id, new))
    }

    /// Revokes a credential: sets its bit in its revocation status list and appends a
    /// [`ChangeKind::Revoked`](crate::ChangeKind) entry, in one transaction.
    ///
    /// Idempotent: revoking again changes nothing and returns the first revocation with
    /// `newly_revoked: false`. [`StoreError::NotFound`] for an unknown id,
    /// [`StoreError::Conflict`] when the credential has no revocation status entry.
    pub async fn revoke_credential(&self, id: &str) -> Result<Revocation, StoreError> {
        dispatch_write!(self.revoke_credential(id))
    }

    /// The credential with this id, or [`StoreError::NotFound`].
    pub async fn get_credential(&self, id: &str) -> Result<StoredCredential, StoreError> {
        dispatch!(self.get_credential(id))
    }

    /// A page of credentials matching `filter`, in storage order, after `cursor` (from
    /// [`Page::next`]; parse the string form with `str::parse`, which gives
    /// [`StoreError::InvalidCursor`] for anything else). `limit` is clamped to 1..=1000.
    pub async fn list_credentials(
        &self,
        filter: &CredentialFilter,
        cursor: Option<ListCursor>,
        limit: u32,
    ) -> Result<Page<ListedCredential>, StoreError> {
        dispatch!(self.list_credentials(filter, cursor, limit))
    }

    /// Up to `limit` (clamped to 1..=1000) change log entries with a sequence number greater than
    /// `after`, in order. Entries are never missed: one that commits later has a larger number.
    /// [`StoreError::InvalidCursor`] when `after` is beyond [`Store::latest_sequence`].
    pub async fn changes(
        &self,
        after: ChangeCursor,
        limit: u32,
    ) -> Result<Vec<ChangeEntry>, StoreError> {
        dispatch!(self.changes(after, limit))
    }

    /// The sequence number of the last change log entry (0 when empty).
    pub async fn latest_sequence(&self) -> Result<u64, StoreError> {
        dispatch!(self.latest_sequence())
    }

    /// Credentials that are neither superseded nor revoked and whose `valid_until` is before
    /// `before`, soonest first: the work list of scheduled re-issuance.
    pub async fn expiring_before(
        &self,
        before: Timestamp,
        limit: u32,
    ) -> Result<Vec<StoredCredential>, StoreError> {
        dispatch!(self.expiring_before(before, limit))
    }

    /// Keeps a raw upload as evidence, deduplicated by its SHA-256: returns the stored upload
    /// (the first one with these bytes) and whether it was new.
    pub async fn put_upload(&self, new: &NewUpload) -> Result<(Upload, bool), StoreError> {
        dispatch_write!(self.put_upload(new))
    }

    /// The upload with this SHA-256, or [`StoreError::NotFound`].
    pub async fn get_upload(&self, sha256: Sha256Digest) -> Result<Upload, StoreError> {
        dispatch!(self.get_upload(sha256))
    }

    /// Creates an empty status list of `size_bits` bits (a multiple of 8, at least
    /// [`MIN_STATUS_LIST_BITS`](crate::MIN_STATUS_LIST_BITS)).
    pub async fn create_status_list(
        &self,
        id: &str,
        purpose: StatusPurpose,
        size_bits: u64,
    ) -> Result<StatusList, StoreError> {
        dispatch!(self.create_status_list(id, purpose, size_bits))
    }

    /// The status list with this id, or [`StoreError::NotFound`].
    pub async fn get_status_list(&self, id: &str) -> Result<StatusList, StoreError> {
        dispatch!(self.get_status_list(id))
    }

    /// Allocates the next free index of a status list; never the same index twice, also under
    /// concurrency. [`StoreError::StatusListFull`] when all are taken.
    ///
    /// Indexes are handed out in order; an index whose credential is never stored stays unused.
    pub async fn allocate_status_index(&self, list: &str) -> Result<u64, StoreError> {
        dispatch!(self.allocate_status_index(list))
    }

    /// Registers a subject; returns `false` when it was registered already.
    pub async fn register_subject(&self, id: &str) -> Result<bool, StoreError> {
        dispatch_write!(self.register_subject(id))
    }

    /// Every registered subject, ordered by id.
    pub async fn list_subjects(&self) -> Result<Vec<Subject>, StoreError> {
        dispatch!(self.list_subjects())
    }

    /// The subject with this id, or [`StoreError::NotFound`].
    pub async fn get_subject(&self, id: &str) -> Result<Subject, StoreError> {
        dispatch!(self.get_subject(id))
    }

    /// Creates a random API token for `subject` under `label` and returns it; only its SHA-256
    /// is stored, so this is the only time it can be seen.
    pub async fn create_token(&self, subject: &str, label: &str) -> Result<String, StoreError> {
        use base64::Engine as _;

        let mut secret = [0u8; 32];
        aws_lc_rs::rand::fill(&mut secret)
            .map_err(|_| StoreError::InvalidInput("no randomness available".to_owned()))?;
        let token = format!(
            "gxa_{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret)
        );
        self.register_token(subject, label, &token).await?;
        Ok(token)
    }

    /// Stores the SHA-256 of a given token (e.g. one from the configuration) for `subject` under
    /// `label`. Tokens need at least 16 characters.
    /// [`StoreError::AlreadyExists`] for a label or token in use, [`StoreError::NotFound`] for an
    /// unknown subject.
    pub async fn register_token(
        &self,
        subject: &str,
        label: &str,
        token: &str,
    ) -> Result<(), StoreError> {
        if token.len() < 16 {
            return Err(StoreError::InvalidInput(
                "an API token has at least 16 characters".to_owned(),
            ));
        }
        dispatch_write!(self.register_token(subject, label, token))
    }

    /// The subject a presented token belongs to, or `None` for an unknown token.
    pub async fn authenticate_token(&self, token: &str) -> Result<Option<String>, StoreError> {
        dispatch!(self.authenticate_token(token))
    }

    /// Deletes the token `label` of `subject`; returns whether it existed.
    pub async fn delete_token(&self, subject: &str, label: &str) -> Result<bool, StoreError> {
        dispatch_write!(self.delete_token(subject, label))
    }

    /// Registers an OpenSSH public key (`ssh-ed25519 AAAA… comment`) that may sign `subject`'s
    /// report uploads; returns `false` when it was registered already. The store does not parse
    /// the key: the caller checks it first.
    pub async fn add_ssh_key(&self, subject: &str, key: &str) -> Result<bool, StoreError> {
        let key = key.trim();
        if key.is_empty() || key.contains('\n') {
            return Err(StoreError::InvalidInput(
                "an SSH public key is one non-empty line".to_owned(),
            ));
        }
        dispatch_write!(self.add_ssh_key(subject, key))
    }

    /// The SSH public keys of `subject`, oldest first.
    pub async fn ssh_keys(&self, subject: &str) -> Result<Vec<String>, StoreError> {
        dispatch!(self.ssh_keys(subject))
    }

    /// Removes an SSH public key of `subject`; returns whether it existed.
    pub async fn remove_ssh_key(&self, subject: &str, key: &str) -> Result<bool, StoreError> {
        let key = key.trim();
        dispatch_write!(self.remove_ssh_key(subject, key))
    }

    /// Takes the lease `name` for `holder` for `ttl` if it is free or expired (or extends it if
    /// `holder` has it); `None` when another holder has a live lease. At most one holder has a
    /// live lease at any time, across all replicas.
    ///
    /// SQLite uses the local clock; PostgreSQL the database's clock.
    pub async fn try_acquire_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<Lease>, StoreError> {
        dispatch!(self.try_acquire_lease(name, holder, ttl))
    }

    /// Extends a live lease held by `holder` to `ttl` from now; `None` when `holder` does not
    /// hold it or it expired (then try to acquire it again).
    pub async fn renew_lease(
        &self,
        name: &str,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<Lease>, StoreError> {
        dispatch!(self.renew_lease(name, holder, ttl))
    }

    /// Gives up a lease held by `holder`; returns whether it was held.
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<bool, StoreError> {
        dispatch!(self.release_lease(name, holder))
    }

    /// Issues `new` as the current credential of the logical `slot` (e.g. the SCS attestation
    /// of one subject, scope and profile), in one transaction with its change-log entry.
    ///
    /// `expected` is the credential the caller believes is current (`None`: the slot is empty).
    /// When it is not (another replica issued into the slot in between), nothing is stored and
    /// the result is [`StoreError::Conflict`]: re-read the slot with [`Store::current_in_slot`]
    /// and decide again. Otherwise the slot moves to `new`, and the expected credential is
    /// superseded by it ([`ChangeKind::Reissued`](crate::ChangeKind)), unless it was revoked:
    /// a revoked credential is never superseded, its successor is logged as
    /// [`ChangeKind::Issued`](crate::ChangeKind). Other errors as [`Store::insert_credential`].
    ///
    /// Slots are the issuer's: a slot credential re-issued through
    /// [`Store::reissue_credential`] leaves the slot pointing at a superseded credential, and
    /// every later `issue_in_slot` for it is a conflict.
    pub async fn issue_in_slot(
        &self,
        slot: &str,
        expected: Option<&str>,
        new: &NewCredential,
    ) -> Result<ChangeEntry, StoreError> {
        let issuance = self
            .issue_in_slot_with(slot, expected, new, Previous::KeepValid)
            .await?;
        Ok(issuance.entry)
    }

    /// [`Store::issue_in_slot`], and with [`Previous::Revoke`] the superseded credential is
    /// also revoked in the same transaction (its status bit set, a `revoked` change appended
    /// after the `reissued` one), so that no reader sees the new credential while the old one
    /// still verifies as current.
    pub async fn issue_in_slot_with(
        &self,
        slot: &str,
        expected: Option<&str>,
        new: &NewCredential,
        previous: Previous,
    ) -> Result<SlotIssuance, StoreError> {
        dispatch_write!(self.issue_in_slot(slot, expected, new, previous))
    }

    /// The current credential of `slot`, if anything was issued into it (it may be revoked).
    pub async fn current_in_slot(
        &self,
        slot: &str,
    ) -> Result<Option<StoredCredential>, StoreError> {
        dispatch!(self.current_in_slot(slot))
    }

    /// The slot whose current credential is `credential_id`, if any (`None` also for a
    /// credential that was superseded).
    pub async fn slot_of(&self, credential_id: &str) -> Result<Option<String>, StoreError> {
        dispatch!(self.slot_of(credential_id))
    }

    /// Every slot of `subject` with its current credential, ordered by slot name.
    pub async fn slots_of_subject(
        &self,
        subject: &str,
    ) -> Result<Vec<(String, StoredCredential)>, StoreError> {
        dispatch!(self.slots_of_subject(subject))
    }

    /// The newest `limit` (clamped to 1..=1000) uploads of `subject`, oldest first.
    pub async fn uploads_of_subject(
        &self,
        subject: &str,
        limit: u32,
    ) -> Result<Vec<Upload>, StoreError> {
        dispatch!(self.uploads_of_subject(subject, limit))
    }

    // ---- the partner exchange (migration 0003; see `PartnerReceipt`) ----

    /// Stores a partner's valid credential exactly as received, with its provenance, and moves
    /// the partner's cursor to `receipt.partner_seq`, in one transaction.
    ///
    /// Idempotent: the same id with the same body is [`ReceiptOutcome::AlreadyStored`]; the
    /// same id with another body is recorded as a [`RejectionKind::Conflict`] rejection and
    /// returned as [`ReceiptOutcome::Conflict`]. With `previous` set (a re-issuance at the
    /// partner), the previous credential is superseded when it is stored here, current and of
    /// the same issuer; otherwise the credential is logged as issued.
    /// [`StoreError::InvalidInput`] for a status entry or evidence (partners' credentials have
    /// neither here), an empty partner id or a zero sequence number.
    pub async fn receive_partner_credential(
        &self,
        receipt: &PartnerReceipt,
    ) -> Result<ReceiptOutcome, StoreError> {
        dispatch_write!(self.receive_partner_credential(receipt))
    }

    /// Records that a partner's entry was refused (with the failing checks' reasons) and moves
    /// the partner's cursor past it, in one transaction; `false` when it was recorded already.
    pub async fn reject_partner_entry(
        &self,
        partner_id: &str,
        partner_seq: u64,
        credential_id: &str,
        kind: RejectionKind,
        reasons: &[String],
    ) -> Result<bool, StoreError> {
        dispatch!(self.reject_partner_entry(partner_id, partner_seq, credential_id, kind, reasons))
    }

    /// Records a revocation announced by a partner's feed, without a local status bit (the
    /// partner's status list says so): a `revocations` row and a
    /// [`ChangeKind::Revoked`](crate::ChangeKind) entry, and the cursor moved, in one
    /// transaction. Only a credential stored here whose issuer is `issuer` is revoked; `None`
    /// when there is none (e.g. it was rejected). Idempotent like
    /// [`Store::revoke_credential`].
    pub async fn receive_partner_revocation(
        &self,
        partner_id: &str,
        partner_seq: u64,
        credential_id: &str,
        issuer: &str,
    ) -> Result<Option<Revocation>, StoreError> {
        dispatch_write!(self.receive_partner_revocation(
            partner_id,
            partner_seq,
            credential_id,
            issuer
        ))
    }

    /// Moves a partner's cursor past an entry that needs nothing stored (e.g. a credential the
    /// partner re-serves from a third party).
    pub async fn skip_partner_entry(
        &self,
        partner_id: &str,
        partner_seq: u64,
    ) -> Result<(), StoreError> {
        dispatch!(self.skip_partner_entry(partner_id, partner_seq))
    }

    /// Records the end of a sync round: `None` = it reached the end of the partner's feed
    /// (sets `last_success_at`, clears `last_error`), `Some(why)` = it stopped early.
    pub async fn record_partner_round(
        &self,
        partner_id: &str,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        dispatch!(self.record_partner_round(partner_id, error))
    }

    /// Stores an event received by this service's CES endpoint; a repeated delivery (same
    /// `source` and `event_id`) is stored once and reported as not new.
    pub async fn receive_ces_event(&self, event: &NewCesEvent) -> Result<CesReceipt, StoreError> {
        dispatch_write!(self.receive_ces_event(event))
    }

    /// Up to `limit` (clamped to 1..=1000) received CES events after the first `offset`, in the
    /// order they arrived.
    pub async fn ces_events(&self, offset: u64, limit: u32) -> Result<Vec<CesEvent>, StoreError> {
        dispatch!(self.ces_events(offset, limit))
    }

    /// How far the change log has been delivered to CES `target` (all zero before the first
    /// delivery).
    pub async fn ces_delivery(&self, target: &str) -> Result<CesDelivery, StoreError> {
        dispatch!(self.ces_delivery(target))
    }

    /// Records `target`'s answer to the event of change `seq`: the cursor moves to `seq` (never
    /// back) and the sent or refused count grows.
    pub async fn ces_delivered(
        &self,
        target: &str,
        seq: u64,
        outcome: &DeliveryOutcome,
    ) -> Result<(), StoreError> {
        dispatch!(self.ces_delivered(target, seq, outcome))
    }

    /// Records a failed attempt at `target` (it is retried; the cursor stays).
    pub async fn ces_delivery_failed(&self, target: &str, error: &str) -> Result<(), StoreError> {
        dispatch!(self.ces_delivery_failed(target, error))
    }

    /// A partner's cursor, last round and counts (cursor 0 and no rounds for a partner never
    /// synced).
    pub async fn partner_state(&self, partner_id: &str) -> Result<PartnerState, StoreError> {
        dispatch!(self.partner_state(partner_id))
    }

    /// Up to `limit` (clamped to 1..=1000) rejections of a partner with a sequence number
    /// greater than `after`, in order.
    pub async fn partner_rejections(
        &self,
        partner_id: &str,
        after: u64,
        limit: u32,
    ) -> Result<Vec<PartnerRejection>, StoreError> {
        dispatch!(self.partner_rejections(partner_id, after, limit))
    }

    /// Where a credential received from a partner came from (`None` for one issued here).
    pub async fn partner_provenance(
        &self,
        credential_id: &str,
    ) -> Result<Option<PartnerProvenance>, StoreError> {
        dispatch!(self.partner_provenance(credential_id))
    }
}
