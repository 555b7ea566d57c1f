#![doc = include_str!("../README.md")]

mod bits;
mod ces;
mod error;
mod model;
mod partner;
#[cfg(feature = "postgres")]
mod postgres;
mod sqlite;
mod store;

pub use bits::{MIN_STATUS_LIST_BITS, bit_is_set};
pub use ces::{CesDelivery, CesEvent, CesReceipt, DeliveryOutcome, NewCesEvent};
pub use error::StoreError;
pub use model::{
    ChangeCursor, ChangeEntry, ChangeKind, CredentialFilter, CredentialFormat, CredentialState,
    Lease, ListCursor, ListedCredential, NewCredential, NewUpload, Page, Previous, Revocation,
    Sha256Digest, SlotIssuance, StatusList, StatusPurpose, StoredCredential, Subject, Upload,
};
pub use partner::{
    PartnerProvenance, PartnerReceipt, PartnerRejection, PartnerState, ReceiptOutcome,
    RejectionKind,
};
pub use store::{SQLITE_FILE_NAME, Store, StoreOptions};
