//! Reading a presentation into the credentials a compliance service judges.
//!
//! Signatures, DIDs, chains and validity are [`gxa_verify`]'s; this only takes the documents
//! apart (after the verifier said they are genuine): a Tagus JSON-LD presentation with embedded
//! credentials, or a Loire `vp+jwt` whose `verifiableCredential` entries are
//! `EnvelopedVerifiableCredential`s (`data:application/vc+jwt,<jwt>`).
//!
//! Properties are read in the compact forms the Gaia-X contexts give them: `gx:name` and,
//! for the Loire context whose `@vocab` is the gx namespace, the bare `name` too.

use serde_json::{Map, Value};

use crate::ClearingError;

/// One credential of a presentation.
#[derive(Debug, Clone)]
pub struct PresentedCredential {
    /// The credential `id` (falls back to the subject's id when the credential has none).
    pub id: Option<String>,
    /// The credential's `type` values.
    pub types: Vec<String>,
    /// The issuer's id (DID).
    pub issuer: Option<String>,
    /// The credential subjects (one object per subject).
    pub subjects: Vec<Map<String, Value>>,
    /// What the integrity hash covers: the JSON-LD credential as sent, proof included (Tagus),
    /// or the decoded VC-JWT payload (Loire).
    pub document: Value,
}

impl PresentedCredential {
    /// The subject types, in order, without duplicates.
    pub fn subject_types(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.subjects {
            for t in string_list(s.get("type")) {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        }
        out
    }

    /// Whether a subject or the credential itself has type `t`.
    pub fn has_type(&self, t: &str) -> bool {
        self.types.iter().any(|x| x == t) || self.subject_types().iter().any(|x| x == t)
    }

    /// The Gaia-X type that names what this credential is: the first subject type, else the
    /// first credential type other than `VerifiableCredential`.
    pub fn gx_type(&self) -> String {
        self.subject_types()
            .into_iter()
            .next()
            .or_else(|| {
                self.types
                    .iter()
                    .find(|t| *t != "VerifiableCredential")
                    .cloned()
            })
            .unwrap_or_else(|| "VerifiableCredential".to_owned())
    }
}

/// A presentation taken apart.
#[derive(Debug, Clone)]
pub struct Presented {
    /// `json-ld` (Tagus) or `jwt` (Loire).
    pub jwt: bool,
    /// The presentation's `holder` (or `issuer`, or the JWT `iss`), if it names one.
    pub holder: Option<String>,
    /// The DID that signed the presentation (its proof's verification method, or the JWT
    /// `kid`/`iss`), if it is signed.
    pub signer: Option<String>,
    /// The credentials, in order.
    pub credentials: Vec<PresentedCredential>,
}

/// A string or a list of strings.
pub(crate) fn string_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

/// A property in the forms the Gaia-X contexts give it: `gx:{name}` or `{name}`.
pub(crate) fn gx_prop<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get(&format!("gx:{name}")).or_else(|| obj.get(name))
}

/// The id of a node reference (`"…"` or `{"id": "…"}` / `{"@id": "…"}`).
pub(crate) fn node_ids(v: Option<&Value>) -> Vec<String> {
    let one = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o
            .get("id")
            .or_else(|| o.get("@id"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    };
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(one).collect(),
        Some(v) => one(v).into_iter().collect(),
        None => Vec::new(),
    }
}

fn id_of(v: Option<&Value>) -> Option<String> {
    node_ids(v).into_iter().next()
}

/// The decoded header and payload of a compact JWS.
pub fn decode_jwt(jwt: &str) -> Result<(Value, Value), ClearingError> {
    use gxa_credential::compact::{Compact, Part};
    let bad = |e: gxa_credential::compact::CompactError| {
        ClearingError::Malformed(format!("not a compact JWS: {e}"))
    };
    let parts = Compact::split(jwt.trim()).map_err(bad)?;
    Ok((
        parts.json(Part::Header).map_err(bad)?,
        parts.json(Part::Payload).map_err(bad)?,
    ))
}

fn credential_from(document: Value) -> Result<PresentedCredential, ClearingError> {
    let Value::Object(obj) = &document else {
        return Err(ClearingError::Malformed(
            "a credential is not a JSON object".to_owned(),
        ));
    };
    let subjects: Vec<Map<String, Value>> = match obj.get("credentialSubject") {
        Some(Value::Object(s)) => vec![s.clone()],
        Some(Value::Array(list)) => list.iter().filter_map(|s| s.as_object().cloned()).collect(),
        _ => Vec::new(),
    };
    let id = obj
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            subjects
                .first()
                .and_then(|s| s.get("id"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    Ok(PresentedCredential {
        id,
        types: string_list(obj.get("type")),
        issuer: id_of(obj.get("issuer")),
        subjects,
        document: document.clone(),
    })
}

/// Takes a presentation apart: JSON-LD (`{"verifiableCredential": [...]}`) or a compact
/// `vp+jwt`.
pub fn parse_presentation(input: &str) -> Result<Presented, ClearingError> {
    let text = input.trim();
    if text.starts_with('{') {
        let vp: Value = serde_json::from_str(text)
            .map_err(|e| ClearingError::Malformed(format!("the presentation is not JSON: {e}")))?;
        let Value::Object(obj) = &vp else {
            return Err(ClearingError::Malformed(
                "the presentation is not a JSON object".to_owned(),
            ));
        };
        let credentials = match obj.get("verifiableCredential") {
            Some(Value::Array(list)) => list.clone(),
            Some(one @ Value::Object(_)) => vec![one.clone()],
            _ => Vec::new(),
        };
        let signer = obj
            .get("proof")
            .and_then(|p| p.get("verificationMethod"))
            .and_then(Value::as_str)
            .map(|m| gxa_proof::did_of(m).to_owned());
        Ok(Presented {
            jwt: false,
            holder: id_of(obj.get("holder")),
            signer,
            credentials: credentials
                .into_iter()
                .map(credential_from)
                .collect::<Result<_, _>>()?,
        })
    } else {
        let (header, payload) = decode_jwt(text)?;
        let signer = header
            .get("kid")
            .or_else(|| header.get("iss"))
            .and_then(Value::as_str)
            .map(|k| gxa_proof::did_of(k).to_owned());
        let holder = id_of(payload.get("holder"))
            .or_else(|| id_of(payload.get("issuer")))
            .or_else(|| header.get("iss").and_then(Value::as_str).map(str::to_owned));
        let entries = match payload.get("verifiableCredential") {
            Some(Value::Array(list)) => list.clone(),
            Some(one @ Value::Object(_)) => vec![one.clone()],
            _ => Vec::new(),
        };
        let mut credentials = Vec::new();
        for entry in entries {
            let jwt = entry
                .get("id")
                .and_then(Value::as_str)
                .and_then(|id| id.strip_prefix("data:application/vc+jwt,"))
                .ok_or_else(|| {
                    ClearingError::Malformed(
                        "a verifiableCredential entry is not an EnvelopedVerifiableCredential \
                         (data:application/vc+jwt,…)"
                            .to_owned(),
                    )
                })?;
            let (_, payload) = decode_jwt(jwt)?;
            credentials.push(credential_from(payload)?);
        }
        Ok(Presented {
            jwt: true,
            holder,
            signer,
            credentials,
        })
    }
}
