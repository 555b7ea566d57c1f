//! Cloud inventory to Gaia-X self-descriptions.
//!
//! - [`flavor_name`]: SCS flavor names ([scs-0100-v3]): parse, generate, cross-check.
//! - [`input`]: the provider description, OpenStack flavors and images (and the SCS
//!   flavor-manager YAML), Ironic/Redfish host records and NetBox DCIM exports, parsed into typed
//!   records with typed errors.
//! - [`loire`]: the mapping to Gaia-X Loire 25.11 credentials.
//! - [`tagus`]: the Tagus 22.10 credentials for the classes Tagus has.
//!
//! [scs-0100-v3]: https://docs.scs.community/standards/scs-0100-v3-flavor-naming

pub mod flavor_name;
pub mod input;
pub mod loire;
pub mod tagus;
