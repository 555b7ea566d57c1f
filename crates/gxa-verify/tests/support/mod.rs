//! Test support shared by the integration tests of this crate (and `gx-attest`'s CLI tests).

pub(crate) mod https;
