//! The running inventory test services, for the unit tests in `crates/gxa-sources/src`, which
//! include this file with `#[path]`: the code is `gxa_testkit::services`.

pub(crate) use gxa_testkit::services::services;
