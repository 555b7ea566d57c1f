//! gxa-issuer: SCS uploads and inventory snapshots → signed, stored credentials; revocation,
//! Bitstring Status Lists, participant presentations and scheduled re-issuance.
//!
//! **Changes to the agreed contract** (additions only): [`UploadOutcome::unchanged`] (ids of
//! current attestations whose content did not change, so nothing was issued for them);
//! [`REISSUE_LEASE`], [`with_proof_context`], [`encode_status_list`], [`decode_status_list`]
//! and [`STATUS_LIST_BITS`] are exported. [`IssuedRef::profile`] is `tagus` or `loire`, and
//! [`IssuedRef::format`] the store's format name (`ld+json`, `vc+jwt`). The stored
//! credential's `subject` is the *uploading store subject* (the owner that may revoke it), not
//! the credential subject's id.
//!
//! [`Issuer`] is the one entry point the service (`gxa-service`) uses; it is cheap to clone
//! (an `Arc` inside) and safe to share between request handlers and between replicas on one
//! PostgreSQL database.
//!
//! # What is issued
//!
//! * **SCS attestations** ([`Issuer::submit_upload`]): the signed upload is verified against the
//!   subject's registered SSH keys, kept as evidence, and *all* stored uploads of the subject are
//!   evaluated against the configured scopes (results accumulate over uploads). One
//!   attestation per (report subject, scope, profile), built by [`gxa_scs::attestation_document`].
//! * **Inventory self-descriptions** ([`Issuer::submit_inventory`]): the Gaia-X Loire or Tagus
//!   documents of [`gxa_inventory`]; only those whose content changed are re-issued.
//! * **Status list credentials** ([`Issuer::status_list_credential`]): W3C
//!   [Bitstring Status List v1.0](https://www.w3.org/TR/vc-bitstring-status-list/).
//! * **Presentations** ([`Issuer::presentation`]).
//!
//! Every credential gets a fresh id `{base_url}/credentials/{uuid}` (stored credentials are
//! immutable, so a re-issued credential is a new credential), and a `credentialStatus` entry
//! (`BitstringStatusListEntry`, purpose `revocation`) pointing into a status list of this
//! issuer. Tagus credentials are VC 1.1 JSON-LD signed with JsonWebSignature2020 in the Gaia-X
//! flavour (`jws2020-gaiax`, what GXDCH v1 verifies first); Loire credentials are VC 2.0
//! secured as `vc+jwt` (VC-JOSE-COSE).
//!
//! # Logical slots
//!
//! A *slot* names "the current credential of this kind": `scs/{owner}/{report subject}/{scope
//! uuid}/{profile}` or `inventory/{owner}/{document}/{profile}`. The store keeps, per slot, a
//! pointer to the current credential and moves it atomically with the issuance
//! ([`gxa_store::Store::issue_in_slot`]): an issuance names the credential it expects to
//! replace, and the store refuses it with a conflict when another replica moved the slot in
//! between. The issuer then re-reads the slot, re-evaluates (so the other replica's upload is
//! included) and tries again; hence no lost and no duplicated issuance.
//!
//! # Profiles and contexts
//!
//! The status entry and the status list credential use the terms of the VC 2.0 context
//! (`https://www.w3.org/ns/credentials/v2`, which defines `BitstringStatusListEntry` and
//! `BitstringStatusListCredential`). The VC 1.1 profile (Tagus) has no pinned status list
//! context (`https://w3id.org/vc/status-list/2021/v1` is not in `gxa-contexts`, and nothing is
//! ever fetched), so Tagus documents define the status terms with an inline context object
//! mapping them to the same IRIs (`https://www.w3.org/ns/credentials/status#…`) the v2 context
//! uses; a verifier that expands the document gets the same RDF as for Loire.
//!
//! CPU-heavy work (RDFC-1.0 canonicalization, signing, GZIP) runs on
//! [`tokio::task::spawn_blocking`], never on the async workers.

mod config;
mod error;
mod inventory;
mod issuer;
mod presentation;
mod proof;
mod reissue;
mod scs;
mod snapshot;
mod status;
mod withdraw;

use serde::Serialize;

pub use config::{Account, IssuerConfig};
pub use error::{ErrorKind, IssuerError};
/// Re-exported from `gxa-proof`, where it lives.
pub use gxa_proof::with_proof_context;
pub use issuer::Issuer;
pub use reissue::REISSUE_LEASE;
pub use status::{STATUS_LIST_BITS, decode_status_list, encode_status_list};

/// JSON body of `POST /inventory`: the same inputs as `gx-attest inventory build`. Read it
/// with [`InventorySnapshot::from_json`], which holds it to its schema.
#[derive(Debug, Clone, Default)]
pub struct InventorySnapshot {
    /// Flavors and images, as `examples/inventory/openstack.json`.
    pub openstack: Option<serde_json::Value>,
    /// SCS flavor-manager YAML text.
    pub flavor_yaml: Option<String>,
    /// Ironic inspection or Redfish records, as `examples/inventory/hosts/*`.
    pub hosts: Vec<serde_json::Value>,
    /// NetBox DCIM export, as `examples/inventory/netbox.json`.
    pub netbox: Option<serde_json::Value>,
}

/// How [`Issuer::submit_inventory_with`] treats withdrawals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InventoryOptions {
    /// Withdraw what the snapshot no longer describes even when the withdrawal guard would
    /// refuse it (the snapshot empties a section, or withdraws more than
    /// [`IssuerConfig::max_withdraw_percent`]). The withdrawal is logged as confirmed.
    pub confirm_withdraw: bool,
}

/// A signed document ready to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The bytes (JSON for `+ld+json`, the compact JWS for `+jwt`).
    pub body: Vec<u8>,
    /// `application/vc+ld+json`, `application/vc+jwt`, `application/vp+jwt` or
    /// `application/vp+ld+json`.
    pub media_type: &'static str,
    /// A strong entity tag (quoted), derived from the body's SHA-256.
    pub etag: String,
}

/// A credential issued by an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedRef {
    /// The credential id (`{base_url}/credentials/{uuid}`).
    pub id: String,
    /// Its `type` values.
    pub types: Vec<String>,
    /// `tagus` or `loire`.
    pub profile: String,
    /// `ld+json` or `vc+jwt` (the store's format names).
    pub format: &'static str,
    /// The credential it supersedes, if any.
    pub replaces: Option<String>,
    /// The superseded credential was revoked with this issuance, because what it stated no
    /// longer holds (an SCS verdict changed); otherwise it stays valid until its own end.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub replaced_revoked: bool,
    /// Its `validUntil` / `expirationDate` (RFC 3339), if any.
    pub valid_until: Option<String>,
}

/// What [`Issuer::submit_upload`] did.
#[derive(Debug, Clone, Serialize)]
pub struct UploadOutcome {
    /// SHA-256 of the exact upload bytes, in SRI form (`sha256-…`).
    pub upload_sri: String,
    /// The same bytes were uploaded before (the stored evidence is unchanged).
    pub duplicate: bool,
    /// SHA-256 fingerprint of the SSH key that signed the upload.
    pub signer_fingerprint: String,
    /// The evaluations, in the `gx-attest scs evaluate --json` shape.
    pub evaluations: Vec<serde_json::Value>,
    /// Credentials issued or re-issued now.
    pub issued: Vec<IssuedRef>,
    /// Ids of current credentials whose content did not change (nothing issued for them).
    pub unchanged: Vec<String>,
    /// What the caller should know but did not stop the upload: results whose `checked_at`
    /// lies ahead of the service clock (not counted until then), each naming the report, the
    /// reading and the testcases.
    pub warnings: Vec<String>,
    /// How many results the warnings name (for metrics; not serialised).
    #[serde(skip)]
    pub future_results: u64,
}

/// What [`Issuer::submit_inventory`] did.
#[derive(Debug, Clone, Serialize)]
pub struct InventoryOutcome {
    /// Credentials issued or re-issued now.
    pub issued: Vec<IssuedRef>,
    /// Ids of current credentials whose content did not change.
    pub unchanged: Vec<String>,
    /// Ids of credentials revoked because the snapshot no longer describes their subject
    /// (a flavor, image or node that is gone).
    pub withdrawn: Vec<String>,
    /// Warnings of the inventory mapping (flavor cross-check, skipped items).
    pub warnings: Vec<String>,
}

/// The current SCS compliance of a subject for a scope (for badges).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScsStatus {
    /// The scope's name.
    pub scope_name: String,
    /// The best passing version, if any.
    pub best_passed: Option<String>,
    /// The verdict of the headline version (`pass`, `fail`, `incomplete`).
    pub verdict: String,
    /// When the verdict ends (the first result it rests on expires), if it passes.
    pub valid_until: Option<String>,
    /// The reference time of the evaluation (RFC 3339).
    pub evaluated_at: String,
}

/// What [`Issuer::reissue_expiring`] did.
#[derive(Debug, Clone, Serialize)]
pub struct ReissueSummary {
    /// The credentials issued in place of expiring ones.
    pub reissued: Vec<IssuedRef>,
    /// Another replica holds the `reissue` lease; nothing was done.
    pub skipped_lease_held: bool,
}
