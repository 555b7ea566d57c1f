#![doc = include_str!("../README.md")]

use sha2::{Digest, Sha256};

/// One pinned context document.
#[derive(Debug)]
pub struct PinnedContext {
    /// The URL (or alias) under which documents reference the context.
    pub url: &'static str,
    /// The file under `contexts/` holding it.
    pub file: &'static str,
    /// The document text, byte for byte as published.
    pub text: &'static str,
}

impl PinnedContext {
    /// SHA-256 of the document text, lowercase hex.
    pub fn sha256_hex(&self) -> String {
        hex::encode(Sha256::digest(self.text.as_bytes()))
    }
}

/// `contexts/gaia-x/loire-25.11.jsonld`.
pub const LOIRE_25_11: &str = include_str!("../../../contexts/gaia-x/loire-25.11.jsonld");

/// `contexts/gaia-x/tagus-trustframework.json`.
pub const TAGUS_TRUSTFRAMEWORK: &str =
    include_str!("../../../contexts/gaia-x/tagus-trustframework.json");

/// `contexts/certification/v1.jsonld`: gx-attest's `cert:` vocabulary for a conformity
/// assessment body's certification of compliance criteria (the Gaia-X 25.11 ontology has no
/// certificate class; see `docs/clearing-house.md`).
pub const CERTIFICATION_V1: &str = include_str!("../../../contexts/certification/v1.jsonld");

/// `contexts/scs/v1.jsonld`: gx-attest's own `scs:` vocabulary for SCS compliance
/// attestations (documented in `docs/vocabulary.md`).
pub const SCS_V1: &str = include_str!("../../../contexts/scs/v1.jsonld");

/// `contexts/w3c/citizenship-v4rc1.json`.
pub const CITIZENSHIP_V4RC1: &str = include_str!("../../../contexts/w3c/citizenship-v4rc1.json");

/// `contexts/w3c/credentials-examples-v1.json`.
pub const CREDENTIALS_EXAMPLES_V1: &str =
    include_str!("../../../contexts/w3c/credentials-examples-v1.json");

/// `contexts/w3c/credentials-examples-v2.json`.
pub const CREDENTIALS_EXAMPLES_V2: &str =
    include_str!("../../../contexts/w3c/credentials-examples-v2.json");

/// `contexts/w3c/credentials-v1.json`.
pub const CREDENTIALS_V1: &str = include_str!("../../../contexts/w3c/credentials-v1.json");

/// `contexts/w3c/credentials-v2.json`.
pub const CREDENTIALS_V2: &str = include_str!("../../../contexts/w3c/credentials-v2.json");

/// `contexts/w3c/data-integrity-v1.json`.
pub const DATA_INTEGRITY_V1: &str = include_str!("../../../contexts/w3c/data-integrity-v1.json");

/// `contexts/w3c/data-integrity-v2.json`.
pub const DATA_INTEGRITY_V2: &str = include_str!("../../../contexts/w3c/data-integrity-v2.json");

/// `contexts/w3c/did-v1.json`.
pub const DID_V1: &str = include_str!("../../../contexts/w3c/did-v1.json");

/// `contexts/w3c/ed25519-2020-v1.json`.
pub const ED25519_2020_V1: &str = include_str!("../../../contexts/w3c/ed25519-2020-v1.json");

/// `contexts/w3c/jwk-v1.json`.
pub const JWK_V1: &str = include_str!("../../../contexts/w3c/jwk-v1.json");

/// `contexts/w3c/jws-2020-v1.json`.
pub const JWS_2020_V1: &str = include_str!("../../../contexts/w3c/jws-2020-v1.json");

/// `contexts/w3c/multikey-v1.json`.
pub const MULTIKEY_V1: &str = include_str!("../../../contexts/w3c/multikey-v1.json");

/// `contexts/w3c/odrl.json`.
pub const ODRL: &str = include_str!("../../../contexts/w3c/odrl.json");

/// `contexts/w3c/status-list-2021-v1.json`.
pub const STATUS_LIST_2021_V1: &str =
    include_str!("../../../contexts/w3c/status-list-2021-v1.json");

/// Every pinned URL (aliases included), sorted by URL.
pub static PINNED: &[PinnedContext] = &[
    PinnedContext {
        url: "https://registry.lab.gaia-x.eu/development/api/trusted-shape-registry/v1/shapes/jsonld/trustframework",
        file: "gaia-x/tagus-trustframework.json",
        text: TAGUS_TRUSTFRAMEWORK,
    },
    PinnedContext {
        url: "https://registry.lab.gaia-x.eu/development/api/trusted-shape-registry/v1/shapes/jsonld/trustframework#",
        file: "gaia-x/tagus-trustframework.json",
        text: TAGUS_TRUSTFRAMEWORK,
    },
    PinnedContext {
        url: "https://w3id.org/citizenship/v4rc1",
        file: "w3c/citizenship-v4rc1.json",
        text: CITIZENSHIP_V4RC1,
    },
    PinnedContext {
        url: "https://w3id.org/gaia-x/development",
        file: "gaia-x/loire-25.11.jsonld",
        text: LOIRE_25_11,
    },
    PinnedContext {
        url: "https://w3id.org/gaia-x/development#",
        file: "gaia-x/loire-25.11.jsonld",
        text: LOIRE_25_11,
    },
    PinnedContext {
        url: "https://w3id.org/gx-attest/certification/v1",
        file: "certification/v1.jsonld",
        text: CERTIFICATION_V1,
    },
    PinnedContext {
        url: "https://w3id.org/gx-attest/scs/v1",
        file: "scs/v1.jsonld",
        text: SCS_V1,
    },
    PinnedContext {
        url: "https://w3id.org/security/data-integrity/v1",
        file: "w3c/data-integrity-v1.json",
        text: DATA_INTEGRITY_V1,
    },
    PinnedContext {
        url: "https://w3id.org/security/data-integrity/v2",
        file: "w3c/data-integrity-v2.json",
        text: DATA_INTEGRITY_V2,
    },
    PinnedContext {
        url: "https://w3id.org/security/jwk/v1",
        file: "w3c/jwk-v1.json",
        text: JWK_V1,
    },
    PinnedContext {
        url: "https://w3id.org/security/multikey/v1",
        file: "w3c/multikey-v1.json",
        text: MULTIKEY_V1,
    },
    PinnedContext {
        url: "https://w3id.org/security/suites/ed25519-2020/v1",
        file: "w3c/ed25519-2020-v1.json",
        text: ED25519_2020_V1,
    },
    PinnedContext {
        url: "https://w3id.org/security/suites/jws-2020/v1",
        file: "w3c/jws-2020-v1.json",
        text: JWS_2020_V1,
    },
    PinnedContext {
        url: "https://w3id.org/vc/status-list/2021/v1",
        file: "w3c/status-list-2021-v1.json",
        text: STATUS_LIST_2021_V1,
    },
    PinnedContext {
        url: "https://www.w3.org/2018/credentials/examples/v1",
        file: "w3c/credentials-examples-v1.json",
        text: CREDENTIALS_EXAMPLES_V1,
    },
    PinnedContext {
        url: "https://www.w3.org/2018/credentials/v1",
        file: "w3c/credentials-v1.json",
        text: CREDENTIALS_V1,
    },
    PinnedContext {
        url: "https://www.w3.org/ns/credentials/examples/v2",
        file: "w3c/credentials-examples-v2.json",
        text: CREDENTIALS_EXAMPLES_V2,
    },
    PinnedContext {
        url: "https://www.w3.org/ns/credentials/v2",
        file: "w3c/credentials-v2.json",
        text: CREDENTIALS_V2,
    },
    PinnedContext {
        url: "https://www.w3.org/ns/did/v1",
        file: "w3c/did-v1.json",
        text: DID_V1,
    },
    PinnedContext {
        url: "https://www.w3.org/ns/odrl.jsonld",
        file: "w3c/odrl.json",
        text: ODRL,
    },
];

/// The pinned context for `url`, if any. The match is exact: aliases are listed explicitly.
pub fn get(url: &str) -> Option<&'static PinnedContext> {
    PINNED
        .binary_search_by(|c| c.url.cmp(url))
        .ok()
        .and_then(|i| PINNED.get(i))
}

/// Well-known URLs, for code that writes documents.
pub mod urls {
    /// W3C Verifiable Credentials Data Model v1.1 context.
    pub const CREDENTIALS_V1: &str = "https://www.w3.org/2018/credentials/v1";
    /// W3C Verifiable Credentials Data Model v2.0 context.
    pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
    /// JsonWebSignature2020 suite context.
    pub const JWS_2020_V1: &str = "https://w3id.org/security/suites/jws-2020/v1";
    /// Data Integrity v2 context.
    pub const DATA_INTEGRITY_V2: &str = "https://w3id.org/security/data-integrity/v2";
    /// Multikey context.
    pub const MULTIKEY_V1: &str = "https://w3id.org/security/multikey/v1";
    /// DID Core v1 context.
    pub const DID_V1: &str = "https://www.w3.org/ns/did/v1";
    /// StatusList2021 context.
    pub const STATUS_LIST_2021_V1: &str = "https://w3id.org/vc/status-list/2021/v1";
    /// Gaia-X Tagus (22.10) trust framework context.
    pub const GAIAX_TAGUS: &str = "https://registry.lab.gaia-x.eu/development/api/trusted-shape-registry/v1/shapes/jsonld/trustframework#";
    /// Gaia-X Loire context (pinned to release 25.11).
    pub const GAIAX_LOIRE: &str = "https://w3id.org/gaia-x/development#";
    /// gx-attest's `scs:` vocabulary for SCS compliance attestations.
    pub const SCS_V1: &str = "https://w3id.org/gx-attest/scs/v1";
    /// gx-attest's `cert:` vocabulary for certifications of compliance criteria.
    pub const CERTIFICATION_V1: &str = "https://w3id.org/gx-attest/certification/v1";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_equals_index_json() {
        let index: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(include_str!("../../../contexts/index.json")).unwrap();
        assert_eq!(index.len(), PINNED.len());
        for (url, file) in &index {
            let pinned = get(url).unwrap_or_else(|| panic!("{url} missing from PINNED"));
            assert_eq!(pinned.file, file.as_str().unwrap(), "{url}");
        }
        assert!(
            PINNED.windows(2).all(|w| w[0].url < w[1].url),
            "PINNED must be sorted"
        );
    }

    #[test]
    fn every_context_is_json_with_a_context_entry() {
        for c in PINNED {
            let v: serde_json::Value = serde_json::from_str(c.text)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}", c.file));
            assert!(v.get("@context").is_some(), "{} has no @context", c.file);
        }
    }

    #[test]
    fn unknown_url_is_none() {
        assert!(get("https://example.com/not-pinned").is_none());
        assert!(get(urls::CREDENTIALS_V1).is_some());
        assert!(get(urls::GAIAX_TAGUS).is_some());
        assert!(get(urls::GAIAX_LOIRE).is_some());
        assert_eq!(get(urls::CREDENTIALS_V1).unwrap().sha256_hex().len(), 64);
    }
}
