//! VC-JOSE: credentials and presentations secured as compact JWS, payload = the document
//! itself (<https://www.w3.org/TR/vc-jose-cose/#securing-with-jose>). Emits `typ: vc+jwt` /
//! `vp+jwt`, `cty: vc` / `vp`; accepts the Gaia-X field variants (`vc+ld+json+jwt`,
//! `vc+ld+jwt`, `vp+ld+json+jwt`, `vp+ld+jwt`). A VC 1.1 JWT (`vc` claim, `typ: JWT`) is also
//! verified, and reported as such.

use gxa_credential::DocumentKind;
use serde_json::{Map, Value};

use crate::jws::{self, HeaderRules};
use crate::report::{Failure, Format, ProofCheck, Suite, VerificationReport};
use crate::verify::{VerifyError, VerifyOptions, check_validity, resolve_method, verify_embedded};
use crate::{KeyError, Signer, b64, did_of, time};

const VC_TYPES: [&str; 3] = ["vc+jwt", "vc+ld+json+jwt", "vc+ld+jwt"];
const VP_TYPES: [&str; 3] = ["vp+jwt", "vp+ld+json+jwt", "vp+ld+jwt"];
const VC_CTY: [&str; 3] = ["vc", "vc+ld+json", "vc+ld"];
const VP_CTY: [&str; 3] = ["vp", "vp+ld+json", "vp+ld"];

/// The id of `issuer` (string or object) or `holder`.
fn party_id(v: Option<&Value>) -> Option<&str> {
    match v? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

pub(crate) fn verify(
    text: &str,
    opts: &VerifyOptions<'_>,
    depth: usize,
) -> Result<VerificationReport, VerifyError> {
    let mut report = VerificationReport::new(Format::Jwt);
    let mut check = ProofCheck::new(Suite::VcJwt);
    let parsed = match jws::parse_compact(text.trim()) {
        Ok(p) => p,
        Err(f) => {
            report.proofs.push(check.fail(f));
            return Ok(report);
        }
    };
    let payload: Map<String, Value> = match b64::decode(parsed.payload_b64)
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
    {
        Some(Value::Object(m)) => m,
        _ => {
            report.proofs.push(check.fail(Failure::MalformedJws(
                "payload is not a base64url JSON object".into(),
            )));
            return Ok(report);
        }
    };
    let header = &parsed.header;
    let typ = header.get("typ").and_then(Value::as_str);
    let cty = header.get("cty").and_then(Value::as_str);
    // VC 1.1 JWT: claims `vc`/`vp` and a plain typ.
    let legacy = matches!(typ, None | Some("JWT"))
        && (payload.contains_key("vc") || payload.contains_key("vp"));
    let document: Value = if legacy {
        payload
            .get("vc")
            .or_else(|| payload.get("vp"))
            .cloned()
            .unwrap_or(Value::Null)
    } else {
        Value::Object(payload.clone())
    };
    let kind = DocumentKind::of(&document).map(DocumentKind::as_str);
    report.kind = kind.map(str::to_owned);
    report.id = document
        .get("id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let is_vp = kind == Some("VerifiablePresentation");
    if is_vp {
        check.suite = Suite::VpJwt;
    }

    let media_ok = if legacy {
        true
    } else {
        let (types, ctys) = if is_vp {
            (&VP_TYPES, &VP_CTY)
        } else {
            (&VC_TYPES, &VC_CTY)
        };
        typ.is_none_or(|t| types.contains(&t)) && cty.is_none_or(|c| ctys.contains(&c))
    };
    if !media_ok {
        report.proofs.push(check.fail(Failure::MediaType(format!(
            "typ {} cty {}",
            typ.unwrap_or("-"),
            cty.unwrap_or("-")
        ))));
        return Ok(report);
    }
    if !legacy {
        for claim in ["vc", "vp"] {
            if payload.contains_key(claim) {
                report
                    .proofs
                    .push(check.fail(Failure::ForbiddenClaim(claim.to_owned())));
                return Ok(report);
            }
        }
    }
    let alg = match jws::check_header(header, HeaderRules::Jwt) {
        Ok(a) => a,
        Err(f) => {
            report.proofs.push(check.fail(f));
            return Ok(report);
        }
    };
    check.algorithm = Some(alg);

    let party = if is_vp {
        party_id(document.get("holder"))
    } else {
        party_id(document.get("issuer"))
    };
    let iss_header = header.get("iss").and_then(Value::as_str);
    let iss_claim = payload.get("iss").and_then(Value::as_str);
    let kid = header.get("kid").and_then(Value::as_str);
    let signer_did = iss_header.or(iss_claim).or(party);
    let method_url = match kid {
        Some(k) if k.starts_with('#') => signer_did.map(|d| format!("{d}{k}")),
        Some(k) => Some(k.to_owned()),
        None => signer_did
            .filter(|d| d.starts_with("did:jwk:"))
            .map(|d| format!("{d}#0")),
    };
    let Some(method_url) = method_url else {
        report.proofs.push(check.fail(Failure::MissingKid));
        return Ok(report);
    };
    check.verification_method = Some(method_url.clone());
    let purpose = if is_vp {
        "authentication"
    } else {
        "assertionMethod"
    };
    let method = match resolve_method(opts.resolver, &method_url, purpose)? {
        Ok(m) => m,
        Err(f) => {
            report.proofs.push(check.fail(f));
            return Ok(report);
        }
    };
    if let Err(f) = method
        .key
        .verify(alg, &parsed.signing_input(), &parsed.signature)
    {
        report.proofs.push(check.fail(Failure::Signature(f)));
        return Ok(report);
    }
    if let Some(pinned) = &method.jwk_alg
        && pinned != alg.name()
    {
        report.proofs.push(check.fail(Failure::PinnedAlgorithm {
            pinned: pinned.clone(),
            used: alg,
        }));
        return Ok(report);
    }
    report.proofs.push(check);

    // Issuer consistency.
    for (what, value) in [("iss header", iss_header), ("iss claim", iss_claim)] {
        if let (Some(v), Some(p)) = (value, party)
            && v != p
        {
            report.failures.push(Failure::IssuerMismatch(format!(
                "{what} {v} but document says {p}"
            )));
        }
    }
    // The key must belong to the issuer (holder): compare the controller part of the method
    // URL; bare key ids (thumbprints) carry no controller.
    if let Some(p) = party
        && method_url.contains(':')
        && did_of(&method_url) != p
    {
        report.failures.push(Failure::IssuerMismatch(format!(
            "signed by {method_url}, issued by {p}"
        )));
    }
    // Validity: JWT exp/nbf and the document's own period.
    let at = opts.time();
    if let Some(exp) = payload.get("exp").and_then(Value::as_i64)
        && exp < at
    {
        report.failures.push(Failure::Validity {
            at: time::format_rfc3339(at),
            reason: format!("exp {} has passed", time::format_rfc3339(exp)),
        });
    }
    if let Some(nbf) = payload.get("nbf").and_then(Value::as_i64)
        && nbf > at
    {
        report.failures.push(Failure::Validity {
            at: time::format_rfc3339(at),
            reason: format!("nbf {} is in the future", time::format_rfc3339(nbf)),
        });
    }
    check_validity(&document, at, &mut report.failures);
    if is_vp {
        if let Some(expected) = opts.challenge {
            let found = payload.get("nonce").and_then(Value::as_str);
            if found != Some(expected) {
                report.failures.push(Failure::WrongChallenge {
                    expected: expected.to_owned(),
                    found: found.map(str::to_owned),
                });
            }
        }
        if let Some(expected) = opts.domain {
            let ok = match payload.get("aud") {
                Some(Value::String(s)) => s == expected,
                Some(Value::Array(a)) => a.iter().any(|v| v == expected),
                _ => false,
            };
            if !ok {
                report.failures.push(Failure::WrongDomain {
                    expected: expected.to_owned(),
                    found: payload.get("aud").map(Value::to_string),
                });
            }
        }
        if let Some(obj) = document.as_object() {
            verify_embedded(obj, opts, depth, &mut report)?;
        }
    }
    Ok(report)
}

/// Signs a credential or presentation as a VC-JOSE compact JWS.
pub(crate) fn sign(
    doc: &Value,
    signer: &dyn Signer,
    kid: &str,
    challenge: Option<&str>,
    domain: Option<&str>,
) -> Result<String, KeyError> {
    let is_vp = DocumentKind::of(doc) == Some(DocumentKind::Presentation);
    let party = if is_vp {
        party_id(doc.get("holder"))
    } else {
        party_id(doc.get("issuer"))
    };
    let iss = party.unwrap_or_else(|| did_of(kid));
    let mut header = Map::new();
    header.insert("alg".into(), signer.algorithm().name().into());
    header.insert("kid".into(), kid.into());
    header.insert(
        "typ".into(),
        (if is_vp { "vp+jwt" } else { "vc+jwt" }).into(),
    );
    header.insert("cty".into(), (if is_vp { "vp" } else { "vc" }).into());
    header.insert("iss".into(), iss.into());
    let mut payload = doc.clone();
    if is_vp && let Some(obj) = payload.as_object_mut() {
        if let Some(c) = challenge {
            obj.insert("nonce".into(), c.into());
        }
        if let Some(d) = domain {
            obj.insert("aud".into(), d.into());
        }
    }
    let header = Value::Object(header).to_string();
    jws::sign_compact(signer, &header, payload.to_string().as_bytes())
}
