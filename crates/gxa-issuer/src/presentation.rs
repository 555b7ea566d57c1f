//! The participant's presentation ([`Issuer::presentation`]).
//!
//! A participant is a store subject; its presentation holds the current, unrevoked,
//! unexpired credentials of its slots in the requested profile: the inventory
//! self-descriptions (LegalPerson, registration numbers, terms and conditions, offerings) and
//! the SCS attestations. Loire: a VC 2.0 presentation of `EnvelopedVerifiableCredential`s
//! (each `data:application/vc+jwt,<jwt>`) secured as `vp+jwt`
//! ([VC-JOSE-COSE § 3.2](https://www.w3.org/TR/vc-jose-cose/#securing-vps-with-jose)); Tagus: a
//! VC 1.1 JSON-LD presentation with the credentials embedded, signed with
//! JsonWebSignature2020 (Gaia-X flavour), as the Tagus clearing houses take them: only the
//! credentials of trust framework classes without a status entry
//! (`gxa_credential::trust_framework`), because a Tagus clearing house refuses a presentation
//! with any other `rdf:type` in it. The SCS attestations stay available one by one.

use gxa_contexts::urls;
use gxa_credential::{Profile, trust_framework};
use gxa_store::CredentialFormat;
use serde_json::json;

use crate::{Issued, Issuer, IssuerError, proof};

impl Issuer {
    /// The participant's presentation in `profile`. [`IssuerError::NotFound`] when the
    /// participant has no current credential in that profile.
    pub async fn presentation(
        &self,
        participant: &str,
        profile: Profile,
    ) -> Result<Issued, IssuerError> {
        let now = gxa_credential::now();
        let slots = self.inner.store.slots_of_subject(participant).await?;
        let mut credentials = Vec::new();
        for (_, credential) in slots {
            if credential.profile != profile.as_str()
                || credential.revoked_at.is_some()
                || credential.valid_until.is_some_and(|until| until <= now)
            {
                continue;
            }
            if profile == Profile::Tagus
                && !trust_framework::fits_clearing_presentation(
                    &credential.types,
                    credential.status.is_some(),
                )
            {
                continue;
            }
            let entry = match credential.format {
                CredentialFormat::Jwt => {
                    let jwt = String::from_utf8(credential.body).map_err(|_| {
                        IssuerError::Internal(format!("stored JWT {} is not UTF-8", credential.id))
                    })?;
                    json!({
                        "@context": urls::CREDENTIALS_V2,
                        "id": format!("data:application/vc+jwt,{jwt}"),
                        "type": "EnvelopedVerifiableCredential",
                    })
                }
                CredentialFormat::JsonLd => {
                    serde_json::from_slice(&credential.body).map_err(|_| {
                        IssuerError::Internal(format!(
                            "stored credential {} is not JSON",
                            credential.id
                        ))
                    })?
                }
            };
            credentials.push(entry);
        }
        if credentials.is_empty() {
            return Err(IssuerError::not_found("participant", participant));
        }
        let id = presentation_url(&self.inner.config.base_url, participant);
        let context = match profile {
            Profile::Tagus => json!([urls::CREDENTIALS_V1]),
            Profile::Loire => json!([urls::CREDENTIALS_V2]),
        };
        let vp = json!({
            "@context": context,
            "id": id,
            "type": ["VerifiablePresentation"],
            "holder": self.inner.did,
            "verifiableCredential": credentials,
        });
        let sealed = self.seal(vp, profile, now).await?;
        Ok(Issued {
            etag: proof::etag(&sealed.body),
            body: sealed.body,
            media_type: sealed.media_type,
        })
    }
}

/// Characters a participant id keeps in a URL path segment: RFC 3986 §3.3 `pchar` (unreserved,
/// sub-delimiters, `:` and `@`), so `did:web:example.com` stays readable while `/`, `?`, `#`,
/// `%` and spaces are percent-encoded and cannot change the URL's path, query or fragment.
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// The URL a participant's presentation is served at (and its `id`).
pub(crate) fn presentation_url(base_url: &str, participant: &str) -> String {
    format!(
        "{base_url}/participants/{}/presentation",
        percent_encoding::utf8_percent_encode(participant, SEGMENT)
    )
}

#[cfg(test)]
mod tests {
    use super::presentation_url;

    #[test]
    fn participant_ids_are_one_path_segment() {
        let base = "https://p.example";
        assert_eq!(
            presentation_url(base, "did:web:cloud.example"),
            "https://p.example/participants/did:web:cloud.example/presentation"
        );
        assert_eq!(
            presentation_url(base, "a/b?c#d e%"),
            "https://p.example/participants/a%2Fb%3Fc%23d%20e%25/presentation"
        );
        assert_eq!(
            presentation_url(base, "müller"),
            "https://p.example/participants/m%C3%BCller/presentation"
        );
    }
}
