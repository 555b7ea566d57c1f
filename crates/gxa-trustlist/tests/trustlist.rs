//! Trusted lists signed by `xmlsec1` (libxmlsec1) with the structure of an EU national list,
//! read by `TrustedList::load`: parsed after the signature verifies with the pinned operator
//! certificate, refused with the reason when tampered with, signed by someone else, unsigned,
//! or carrying what a list must not.
#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

use gxa_testkit::trustlist::{self, ListParams, ListService, Operator};
use gxa_trustlist::{Selection, TrustListError, TrustedList, service_types};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

fn xmlsec1_or_skip() -> bool {
    if trustlist::xmlsec1_available() {
        return true;
    }
    assert!(
        !gxa_testkit::in_ci(),
        "xmlsec1 is not installed (apt-get install xmlsec1); CI installs it"
    );
    gxa_testkit::skipped("SKIPPED: xmlsec1 is not installed (apt-get install xmlsec1)");
    false
}

fn der(pem: &str) -> CertificateDer<'static> {
    CertificateDer::from_pem_slice(pem.as_bytes()).unwrap()
}

fn service(name: &str, kind: &str, status: &str, since: &str) -> (ListService, String) {
    let ca = gxa_testkit::pki::root(name);
    (
        ListService {
            provider: format!("{name} provider"),
            name: name.to_owned(),
            service_type: kind.to_owned(),
            cert_pem: ca.pem.clone(),
            status: (status.to_owned(), since.to_owned()),
            history: Vec::new(),
        },
        ca.pem,
    )
}

struct Fixture {
    operator: Operator,
    signed: String,
    qc: String,
    withdrawn: String,
    _dir: tempfile::TempDir,
}

/// A list with a granted CA/QC service, a CA/QC service withdrawn in June 2026 after being
/// granted since 2025, a granted time-stamping service (not a CA) and one pointer.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let operator = trustlist::operator("Test scheme operator");
    let (qc_service, qc) = service(
        "Qualified CA",
        service_types::CA_QC,
        "granted",
        "2026-01-01T00:00:00Z",
    );
    let (mut withdrawn_service, withdrawn) = service(
        "Withdrawn CA",
        service_types::CA_QC,
        "withdrawn",
        "2026-06-01T00:00:00Z",
    );
    withdrawn_service.history = vec![("granted".to_owned(), "2025-01-01T00:00:00Z".to_owned())];
    let (tsa, _) = service(
        "Time stamps",
        "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST",
        "granted",
        "2026-01-01T00:00:00Z",
    );
    let other = trustlist::operator("Other territory");
    let params = ListParams {
        sequence: 42,
        issued: "2026-11-01T00:00:00Z".to_owned(),
        next_update: Some("2027-05-01T00:00:00Z".to_owned()),
        services: vec![qc_service, withdrawn_service, tsa],
        pointers: vec![(
            "https://lists.example/fr.xml".to_owned(),
            "FR".to_owned(),
            other.cert_pem,
        )],
    };
    let signed = trustlist::signed(&params, &operator, dir.path());
    Fixture {
        operator,
        signed,
        qc,
        withdrawn,
        _dir: dir,
    }
}

fn at(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

#[test]
fn a_signed_list_is_parsed_with_its_history() {
    if !xmlsec1_or_skip() {
        return;
    }
    let f = fixture();
    let list = TrustedList::load(
        f.signed.as_bytes(),
        &[der(&f.operator.cert_pem)],
        gxa_trustlist::DEFAULT_MAX_BYTES,
    )
    .unwrap();
    assert_eq!(list.scheme.version, 6);
    assert_eq!(list.scheme.sequence, 42);
    assert_eq!(list.scheme.territory, "DE");
    assert_eq!(
        list.scheme.operator, "Test scheme operator",
        "the English name"
    );
    assert_eq!(list.scheme.issued, at("2026-11-01T00:00:00Z"));
    assert_eq!(list.scheme.next_update, Some(at("2027-05-01T00:00:00Z")));
    assert_eq!(list.service_count(), 3);
    assert_eq!(list.pointers.len(), 1);
    assert_eq!(list.pointers[0].territory.as_deref(), Some("FR"));
    assert_eq!(
        list.pointers[0].mime_type.as_deref(),
        Some("application/vnd.etsi.tsl+xml")
    );
    assert_eq!(list.pointers[0].certificates.len(), 1);

    let withdrawn = &list.providers[1].services[0];
    assert_eq!(
        withdrawn.history.len(),
        2,
        "current status and one history instance"
    );
    assert!(
        withdrawn.history[0].since > withdrawn.history[1].since,
        "newest first"
    );

    // Currency: not before it was issued, not after NextUpdate.
    assert!(list.is_current(at("2026-12-06T00:00:00Z")));
    assert!(!list.is_current(at("2026-10-01T00:00:00Z")));
    assert!(!list.is_current(at("2027-05-01T00:00:01Z")));

    // Anchors: the CA/QC services whose status at the time grants trust; never the TSA.
    let names = |t: &str| -> Vec<String> {
        list.anchors(at(t), &Selection::default())
            .into_iter()
            .map(|(_, label)| label)
            .collect()
    };
    assert_eq!(
        names("2026-03-01T00:00:00Z"),
        [
            "Qualified CA provider / Qualified CA",
            "Withdrawn CA provider / Withdrawn CA"
        ]
    );
    assert_eq!(
        names("2026-12-06T00:00:00Z"),
        ["Qualified CA provider / Qualified CA"]
    );
    assert_eq!(
        names("2025-06-01T00:00:00Z"),
        ["Withdrawn CA provider / Withdrawn CA"],
        "before the granted CA's first status only the other was granted"
    );
    let anchors = list.anchors(at("2026-12-06T00:00:00Z"), &Selection::default());
    assert_eq!(anchors[0].0, der(&f.qc));
    assert!(anchors.iter().all(|(cert, _)| *cert != der(&f.withdrawn)));
    let only_pkc = Selection {
        service_types: vec![service_types::CA_PKC.to_owned()],
    };
    assert!(
        list.anchors(at("2026-12-06T00:00:00Z"), &only_pkc)
            .is_empty()
    );
}

#[test]
fn a_tampered_or_foreign_list_is_refused_with_the_reason() {
    if !xmlsec1_or_skip() {
        return;
    }
    let f = fixture();
    let signers = [der(&f.operator.cert_pem)];
    let load =
        |text: &str| TrustedList::load(text.as_bytes(), &signers, gxa_trustlist::DEFAULT_MAX_BYTES);

    // A withdrawn service made granted again.
    let tampered = f
        .signed
        .replacen("Svcstatus/withdrawn", "Svcstatus/granted", 1);
    assert_ne!(tampered, f.signed);
    let err = load(&tampered).unwrap_err();
    let TrustListError::Signature(reason) = &err else {
        panic!("{err:?}")
    };
    assert!(reason.contains("digest"), "{reason}");

    // The signing time (the SignedProperties reference).
    let tampered = f
        .signed
        .replace("<xades:SigningTime>2026", "<xades:SigningTime>2025");
    assert!(matches!(load(&tampered), Err(TrustListError::Signature(_))));

    // Signed by another operator: its certificate is in the KeyInfo, but only the pinned
    // certificate counts.
    let other = trustlist::operator("Someone else");
    let dir = tempfile::tempdir().unwrap();
    let unsigned = f.signed.split("<ds:Signature").next().unwrap().to_owned();
    let forged = trustlist::sign(
        &trustlist::template(
            &ListParams {
                sequence: 43,
                issued: "2026-11-02T00:00:00Z".to_owned(),
                next_update: Some("2027-05-01T00:00:00Z".to_owned()),
                services: Vec::new(),
                pointers: Vec::new(),
            },
            &other,
        ),
        &other,
        dir.path(),
    );
    let err = load(&forged).unwrap_err();
    assert!(matches!(err, TrustListError::Signature(_)), "{err:?}");
    assert!(
        TrustedList::load(
            forged.as_bytes(),
            &[der(&other.cert_pem)],
            gxa_trustlist::DEFAULT_MAX_BYTES
        )
        .is_ok(),
        "the same list with its own signer pinned"
    );

    // Unsigned.
    let err = load(&format!("{unsigned}</tsl:TrustServiceStatusList>")).unwrap_err();
    assert_eq!(
        err,
        TrustListError::Signature("the list is not signed".to_owned())
    );

    // Two signatures.
    let signature = &f.signed[f.signed.find("<ds:Signature").unwrap()
        ..f.signed.find("</ds:Signature>").unwrap() + "</ds:Signature>".len()];
    let doubled = f.signed.replace(
        "</tsl:TrustServiceStatusList>",
        &format!("{signature}</tsl:TrustServiceStatusList>"),
    );
    let err = load(&doubled).unwrap_err();
    assert!(err.to_string().contains("2 signatures"), "{err}");

    // No signer configured.
    assert!(matches!(
        TrustedList::load(f.signed.as_bytes(), &[], gxa_trustlist::DEFAULT_MAX_BYTES),
        Err(TrustListError::Signers(_))
    ));
}

#[test]
fn what_a_list_must_not_carry_is_refused_before_any_signature_check() {
    let signers = [der(&gxa_testkit::pki::root("any").pem)];
    let load = |bytes: &[u8], max: usize| TrustedList::load(bytes, &signers, max);
    assert_eq!(
        load(b"<a/>", 3),
        Err(TrustListError::TooLarge { size: 4, limit: 3 })
    );
    assert_eq!(load(b"<a>\xff</a>", 100), Err(TrustListError::NotUtf8));
    let bomb = r#"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxx"><!ENTITY y "&x;&x;&x;&x;">]><a>&y;</a>"#;
    assert_eq!(load(bomb.as_bytes(), 1000), Err(TrustListError::Doctype));
    assert!(matches!(load(b"<a>", 100), Err(TrustListError::Xml(_))));
    let err = load(b"<a/>", 100).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the list's signature: the list is not signed"
    );
}

#[test]
fn a_list_without_its_required_fields_is_refused_by_the_parser() {
    // The parser alone (the signature is verified first in `load`).
    let minimal = |info: &str| {
        format!(
            r#"<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"><SchemeInformation>{info}</SchemeInformation></TrustServiceStatusList>"#
        )
    };
    let complete = "<TSLVersionIdentifier>5</TSLVersionIdentifier><TSLSequenceNumber>1</TSLSequenceNumber><TSLType>t</TSLType><SchemeOperatorName><Name>o</Name></SchemeOperatorName><SchemeTerritory>EU</SchemeTerritory><ListIssueDateTime>2026-01-01T00:00:00Z</ListIssueDateTime><NextUpdate/>";
    let list = gxa_trustlist::parse::parse(&minimal(complete)).unwrap();
    assert_eq!(list.scheme.next_update, None, "a closed list");
    assert!(
        !list.is_current(at("2026-06-01T00:00:00Z")),
        "a closed list is never current"
    );

    let err = gxa_trustlist::parse::parse(&minimal(
        &complete.replace("<TSLSequenceNumber>1", "<TSLSequenceNumber>-1"),
    ))
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "TSLSequenceNumber: \"-1\" is not a non-negative integer"
    );
    let err = gxa_trustlist::parse::parse(&minimal(
        &complete.replace("2026-01-01T00:00:00Z", "yesterday"),
    ))
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("ListIssueDateTime: \"yesterday\""),
        "{err}"
    );
    let err =
        gxa_trustlist::parse::parse(&minimal(&complete.replace("<NextUpdate/>", ""))).unwrap_err();
    assert_eq!(err.to_string(), "NextUpdate: missing");
    let err = gxa_trustlist::parse::parse("<TrustServiceStatusList/>").unwrap_err();
    assert!(
        err.to_string()
            .contains("the root element is {}TrustServiceStatusList"),
        "{err}"
    );
}
