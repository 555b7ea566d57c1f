#![doc = include_str!("../README.md")]

mod config;
mod document;
mod syncer;

pub use config::{PartnerConfig, PartnerKind, SyncOptions, TrustPolicy};
pub use syncer::{
    Observer, PARTNER_PROFILE, PartnerStats, RoundOutcome, RoundSummary, Syncer, credential_url,
    lease_name,
};

/// Why the partner sync could not be set up or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PartnerError {
    /// A partner entry or the sync options are invalid.
    #[error("partners: {0}")]
    Config(String),
    /// No partner has this id.
    #[error("unknown partner {0:?}")]
    UnknownPartner(String),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] gxa_store::StoreError),
}
