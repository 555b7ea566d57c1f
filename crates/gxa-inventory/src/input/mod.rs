//! Inventory inputs, each parsed into typed records with typed errors (never a panic):
//!
//! - [`provider`]: the provider description (`provider.toml`);
//! - [`openstack`]: flavors and images as `openstack flavor list --long -f json` /
//!   `openstack image list --long -f json` or the SDK/API print them, and the SCS
//!   flavor-manager YAML (`SCS-Spec.MandatoryFlavors.verbose.yaml`);
//! - [`hosts`]: Ironic inspection inventory JSON, or the same record filled from Redfish
//!   ([Ironic `GET /v1/nodes/{node}/inventory`][ironic]);
//! - [`netbox`]: a NetBox DCIM export of regions, sites and devices.
//!
//! Units are kept as the source states them (OpenStack RAM in MiB, disk in GiB; Ironic bytes)
//! and converted only when mapped.
//!
//! [ironic]: https://docs.openstack.org/ironic/latest/admin/inspection/data.html

pub mod hosts;
pub mod netbox;
pub mod openstack;
pub mod provider;

mod json;
mod strict;

pub use strict::{parse_json, parse_json_slice};

use std::path::PathBuf;

/// An input that could not be read or does not have the expected shape.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Reading a file failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Not JSON.
    #[error("{what}: not valid JSON: {source}")]
    Json {
        /// Which input.
        what: String,
        /// The cause.
        source: serde_json::Error,
    },
    /// Not YAML.
    #[error("{what}: not valid YAML: {source}")]
    Yaml {
        /// Which input.
        what: String,
        /// The cause.
        source: serde_norway::Error,
    },
    /// Not TOML or not the provider schema.
    #[error("{what}: {source}")]
    Toml {
        /// Which input.
        what: String,
        /// The cause.
        source: toml::de::Error,
    },
    /// Well-formed, but a field is missing or has the wrong type or value.
    #[error("{what}: {at}: {message}")]
    Invalid {
        /// Which input.
        what: String,
        /// Where in it (a JSON-pointer-like path, e.g. `flavors[3].ram`).
        at: String,
        /// What is wrong.
        message: String,
    },
}

/// Reads a file, naming it in the error.
pub fn read_file(path: &std::path::Path) -> Result<String, InputError> {
    std::fs::read_to_string(path).map_err(|source| InputError::Io {
        path: path.to_owned(),
        source,
    })
}
