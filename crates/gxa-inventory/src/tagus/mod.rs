//! Inventory → Gaia-X Tagus 22.10 credentials (VC 1.1 JSON-LD, trustframework context), for the
//! classes Tagus has: `gx:legalRegistrationNumber`, `gx:LegalParticipant` and the offering as a
//! plain `gx:ServiceOffering`. Tagus has no ServerFlavor, VMImage, Datacenter, AvailabilityZone
//! or Region (they arrived with the later ontology), so flavors, images, locations and hosts
//! appear only in the Loire output; the build says so in a note, not a warning.
//!
//! Ids are derived from the base URL under `tagus/` (`{base}tagus/legal-participant.json#cs`);
//! `issuanceDate` is written only when a time is given, for reproducible output.

use serde_json::{Map, Value, json};

use crate::loire::{Build, Document, Inventory};

const TRUSTFRAMEWORK: &str = "https://registry.lab.gaia-x.eu/development/api/trusted-shape-registry/v1/shapes/jsonld/trustframework#";

/// Builds the Tagus credentials of the inventory.
pub fn build(inv: &Inventory) -> Build {
    let base = format!("{}tagus/", inv.provider.base());
    let p = &inv.provider.provider;
    let mut warnings = Vec::new();
    let mut documents = Vec::new();
    let credential = |file: &str, subject: Value| {
        let mut vc = Map::new();
        vc.insert(
            "@context".into(),
            json!([
                "https://www.w3.org/2018/credentials/v1",
                "https://w3id.org/security/suites/jws-2020/v1",
                TRUSTFRAMEWORK
            ]),
        );
        vc.insert("type".into(), json!(["VerifiableCredential"]));
        vc.insert("id".into(), json!(format!("{base}{file}")));
        vc.insert("issuer".into(), json!(p.did));
        if let Some(t) = &inv.valid_from {
            vc.insert("issuanceDate".into(), json!(t));
        }
        vc.insert("credentialSubject".into(), subject);
        Document {
            file_name: format!("tagus-{file}"),
            credential: Value::Object(vc),
        }
    };

    let r = &p.registration_numbers;
    let lrn_id = format!("{base}lrn.json#cs");
    let mut lrn = Map::new();
    lrn.insert("id".into(), json!(lrn_id));
    lrn.insert("type".into(), json!("gx:legalRegistrationNumber"));
    if let Some(v) = &r.vat_id {
        lrn.insert("gx:vatID".into(), json!(v));
        lrn.insert(
            "gx:vatID-countryCode".into(),
            json!(p.legal_address.country_code),
        );
    }
    if let Some(v) = &r.lei_code {
        lrn.insert("gx:leiCode".into(), json!(v));
    }
    if let Some(v) = &r.eori {
        lrn.insert("gx:EORI".into(), json!(v));
    }
    if let Some(v) = &r.euid {
        lrn.insert("gx:EUID".into(), json!(v));
    }
    if lrn.len() == 2 {
        warnings.push("tagus: gx:legalRegistrationNumber needs a VAT id, LEI, EORI or EUID; a local number alone is not one".into());
    }
    documents.push(credential("lrn.json", Value::Object(lrn)));

    let subdivision = |a: &crate::input::provider::Address,
                       which: &str,
                       warnings: &mut Vec<String>| {
        match &a.country_subdivision_code {
            Some(c) => json!({"gx:countrySubdivisionCode": c}),
            None => {
                warnings.push(format!("tagus: provider.{which}.country_subdivision_code (ISO 3166-2, e.g. DE-BE) is required by Tagus"));
                json!({})
            }
        }
    };
    let lp_id = format!("{base}legal-participant.json#cs");
    let lp = json!({
        "id": lp_id,
        "type": "gx:LegalParticipant",
        "gx:legalName": p.legal_name,
        "gx:legalRegistrationNumber": {"id": lrn_id},
        "gx:headquarterAddress": subdivision(&p.headquarters_address, "headquarters_address", &mut warnings),
        "gx:legalAddress": subdivision(&p.legal_address, "legal_address", &mut warnings),
    });
    documents.push(credential("legal-participant.json", lp));

    let o = &inv.provider.offering;
    let mut so = Map::new();
    so.insert(
        "id".into(),
        json!(format!("{base}service-offering.json#cs")),
    );
    so.insert("type".into(), json!("gx:ServiceOffering"));
    so.insert("gx:providedBy".into(), json!({"id": lp_id}));
    so.insert(
        "gx:policy".into(),
        json!(if o.service_policy.is_empty() {
            String::new()
        } else {
            o.service_policy.join("; ")
        }),
    );
    so.insert(
        "gx:termsAndConditions".into(),
        json!({"gx:URL": o.terms_url, "gx:hash": o.terms_sha256}),
    );
    let exports: Vec<Value> = o
        .data_account_export
        .iter()
        .map(|d| json!({"gx:requestType": d.request_type, "gx:accessType": d.access_type, "gx:formatType": d.format_type}))
        .collect();
    if exports.is_empty() {
        warnings.push(
            "tagus: gx:dataAccountExport is required; add [[offering.data_account_export]]".into(),
        );
    }
    so.insert("gx:dataAccountExport".into(), Value::Array(exports));
    documents.push(credential("service-offering.json", Value::Object(so)));
    // The Tagus trust framework has no compliance criteria claims; `compliance_level` is a
    // Loire check.
    Build {
        documents,
        warnings,
        missing_criteria: Vec::new(),
    }
}
