//! The classes of the Tagus trust framework (Gaia-X 22.10): what a Tagus clearing house
//! accepts as the type of anything in a presentation.
//!
//! A compliance service of the Tagus line looks up a registry shape for every `rdf:type` in a
//! presentation and refuses one it has none for (409, "VerifiableCredential contains a shape
//! that is not defined in registry shapes"). So a credential meant for clearing may carry no
//! other type: not an SCS attestation's, and not a status entry's (`credentialStatus` adds
//! `BitstringStatusListEntry` or `StatusList2021Entry`). The list is the set of
//! `sh:targetClass`es of the pinned shapes
//! (`contexts/gaia-x/shapes/tagus-22.10/trustframework-shapes.DERIVED.ttl`; gxa-shacl's tests
//! compare the two).

/// The trust framework namespace (the `gx:` prefix of the Tagus context).
pub const NAMESPACE: &str = gxa_contexts::urls::GAIAX_TAGUS;

/// The classes the trust framework has shapes for, as local names in [`NAMESPACE`].
pub const CLASSES: [&str; 16] = [
    "DataResource",
    "GaiaXTermsAndConditions",
    "InstantiatedVirtualResource",
    "LegalParticipant",
    "LegitimateInterest",
    "Participant",
    "PhysicalResource",
    "SOTermsAndConditions",
    "ServiceAccessPoint",
    "ServiceOffering",
    "SoftwareResource",
    "VirtualResource",
    "dataAccountExport",
    "headquarterAddress",
    "legalAddress",
    "legalRegistrationNumber",
];

/// The one class outside [`NAMESPACE`] the shapes target (addresses).
pub const VCARD_ADDRESS: &str = "http://www.w3.org/2006/vcard/ns#Address";

/// Whether `t` (`gx:LegalParticipant` as the Tagus context writes it, or the full IRI) is a
/// trust framework class.
pub fn is_class(t: &str) -> bool {
    if t == VCARD_ADDRESS {
        return true;
    }
    let local = t.strip_prefix("gx:").or_else(|| t.strip_prefix(NAMESPACE));
    local.is_some_and(|l| CLASSES.contains(&l))
}

/// Whether a credential with these `type`s (its own and its subjects', as written) is one a
/// Tagus clearing house takes: `VerifiableCredential` and trust framework classes only.
pub fn is_clearing_credential<S: AsRef<str>>(types: &[S]) -> bool {
    types.iter().all(|t| {
        let t = t.as_ref();
        matches!(
            t,
            "VerifiableCredential" | "https://www.w3.org/2018/credentials#VerifiableCredential"
        ) || is_class(t)
    })
}

/// Whether a Tagus credential goes into a presentation for a Tagus clearing house: its types
/// are [`is_clearing_credential`] and it has no status entry (whose type is no trust framework
/// class either).
pub fn fits_clearing_presentation<S: AsRef<str>>(types: &[S], has_status: bool) -> bool {
    !has_status && is_clearing_credential(types)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_in_both_spellings() {
        assert!(is_class("gx:LegalParticipant"));
        assert!(is_class(&format!("{NAMESPACE}ServiceOffering")));
        assert!(is_class(VCARD_ADDRESS));
        assert!(!is_class("gx:StatusList2021Entry"));
        assert!(!is_class("scs:ComplianceAttestation"));
        assert!(!is_class("LegalParticipant"));
        assert!(is_clearing_credential(&[
            "VerifiableCredential",
            "gx:legalRegistrationNumber"
        ]));
        assert!(!is_clearing_credential(&[
            "VerifiableCredential",
            "gx:LegalParticipant",
            "BitstringStatusListEntry"
        ]));
    }
}
