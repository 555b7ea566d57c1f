#![doc = include_str!("../README.md")]

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
