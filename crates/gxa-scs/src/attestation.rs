//! stub
pub struct AttestationOptions;
pub enum Profile {
    Tagus,
}
pub struct UnknownProfile;
pub fn attestation_document() {}
