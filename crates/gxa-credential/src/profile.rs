//! The two Gaia-X credential profiles and the two formats.
//!
//! | profile | data model | contexts | validity | secured as |
//! |---|---|---|---|---|
//! | [`Profile::Tagus`] | [VC 1.1] | `credentials/v1`, the Tagus trust framework | `issuanceDate`, `expirationDate` | JSON-LD, JsonWebSignature2020 embedded |
//! | [`Profile::Loire`] | [VC 2.0] | `credentials/v2`, `https://w3id.org/gaia-x/development#` | `validFrom`, `validUntil` | `vc+jwt` ([VC-JOSE-COSE §3.1]) |
//!
//! [VC 1.1]: https://www.w3.org/TR/vc-data-model-1.1/
//! [VC 2.0]: https://www.w3.org/TR/vc-data-model-2.0/
//! [VC-JOSE-COSE §3.1]: https://www.w3.org/TR/vc-jose-cose/#securing-with-jose

use std::str::FromStr;

use gxa_contexts::urls;

use crate::DocumentKind;

/// The Gaia-X credential profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// Gaia-X Tagus (22.10): VC Data Model 1.1, JSON-LD with an embedded proof.
    Tagus,
    /// Gaia-X Loire: VC Data Model 2.0 (secured as vc+jwt).
    Loire,
}

/// A profile name other than `tagus` or `loire`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile {0:?} (expected tagus or loire)")]
pub struct UnknownProfile(pub String);

impl FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "tagus" => Ok(Self::Tagus),
            "loire" => Ok(Self::Loire),
            _ => Err(UnknownProfile(s.to_owned())),
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Profile {
    /// The lower-case name (`tagus`, `loire`), as [`FromStr`] reads it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tagus => "tagus",
            Self::Loire => "loire",
        }
    }

    /// The first two `@context` entries of every document in this profile: the VC data model's
    /// context and the Gaia-X one.
    pub fn contexts(self) -> [&'static str; 2] {
        match self {
            Self::Tagus => [urls::CREDENTIALS_V1, urls::GAIAX_TAGUS],
            Self::Loire => [urls::CREDENTIALS_V2, urls::GAIAX_LOIRE],
        }
    }

    /// The names of the validity fields: (from, until).
    pub fn validity_fields(self) -> (&'static str, &'static str) {
        match self {
            Self::Tagus => ("issuanceDate", "expirationDate"),
            Self::Loire => ("validFrom", "validUntil"),
        }
    }

    /// How a document of this profile is secured.
    pub fn format(self) -> Format {
        match self {
            Self::Tagus => Format::JsonLd,
            Self::Loire => Format::Jwt,
        }
    }

    /// The media type of a secured document of `kind` in this profile.
    pub fn media_type(self, kind: DocumentKind) -> &'static str {
        self.format().media_type(kind)
    }
}

/// How a credential is serialised and secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// JSON-LD with embedded proofs (`application/vc+ld+json`, `application/ld+json`).
    JsonLd,
    /// A compact JWS whose payload is the document (`application/vc+jwt`, VC 1.1 JWTs).
    Jwt,
}

impl Format {
    /// The stored name: `ld+json` or `vc+jwt`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::JsonLd => "ld+json",
            Self::Jwt => "vc+jwt",
        }
    }

    /// Reads a stored name ([`Format::as_str`]).
    pub fn from_stored(name: &str) -> Option<Self> {
        match name {
            "ld+json" => Some(Self::JsonLd),
            "vc+jwt" => Some(Self::Jwt),
            _ => None,
        }
    }

    /// The name in verification reports: `json-ld` or `jwt`.
    pub fn name(self) -> &'static str {
        match self {
            Self::JsonLd => "json-ld",
            Self::Jwt => "jwt",
        }
    }

    /// The media type of a secured document of `kind` in this format.
    pub fn media_type(self, kind: DocumentKind) -> &'static str {
        match (self, kind) {
            (Self::JsonLd, DocumentKind::Credential) => "application/vc+ld+json",
            (Self::JsonLd, DocumentKind::Presentation) => "application/vp+ld+json",
            (Self::Jwt, DocumentKind::Credential) => "application/vc+jwt",
            (Self::Jwt, DocumentKind::Presentation) => "application/vp+jwt",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in [Profile::Tagus, Profile::Loire] {
            assert_eq!(p.as_str().parse::<Profile>(), Ok(p));
            assert_eq!(p.to_string().to_uppercase().parse::<Profile>(), Ok(p));
        }
        for f in [Format::JsonLd, Format::Jwt] {
            assert_eq!(Format::from_stored(f.as_str()), Some(f));
        }
        assert_eq!(
            "gaia".parse::<Profile>().unwrap_err().to_string(),
            "unknown profile \"gaia\" (expected tagus or loire)"
        );
    }
}
