//! ETSI TS 119 612 trusted lists for tests: the structure of an EU national list (scheme
//! information, providers, services with history, pointers) with an enveloped XAdES signature
//! (exclusive C14N, ECDSA P-256 with SHA-256, a `SignedProperties` reference), signed by
//! `xmlsec1` — libxmlsec1, an XML-DSig implementation independent of the one that verifies.

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use rcgen::{CertificateParams, DnType, KeyPair, date_time_ymd};

/// A list operator's signing key and certificate.
pub struct Operator {
    /// The private key, PKCS#8 PEM.
    pub key_pem: String,
    /// The self-signed certificate, PEM.
    pub cert_pem: String,
}

/// A self-signed ECDSA P-256 list operator named `name`, 2020–2040.
pub fn operator(name: &str) -> Operator {
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.distinguished_name.push(DnType::CountryName, "DE");
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2040, 1, 1);
    let cert = params.self_signed(&key).unwrap();
    Operator {
        key_pem: key.serialize_pem(),
        cert_pem: cert.pem(),
    }
}

/// One service of the list.
pub struct ListService {
    /// Its provider's name.
    pub provider: String,
    /// Its name.
    pub name: String,
    /// `ServiceTypeIdentifier` (a URI).
    pub service_type: String,
    /// Its certificate, PEM.
    pub cert_pem: String,
    /// The current status (the last part of the URI: `granted`, `withdrawn`, …) and since when.
    pub status: (String, String),
    /// Earlier statuses, newest first.
    pub history: Vec<(String, String)>,
}

/// What a list says.
pub struct ListParams {
    /// `TSLSequenceNumber`.
    pub sequence: u64,
    /// `ListIssueDateTime`.
    pub issued: String,
    /// `NextUpdate/dateTime` (`None`: a closed list).
    pub next_update: Option<String>,
    /// The services.
    pub services: Vec<ListService>,
    /// `OtherTSLPointer`s: location, territory, signer certificate PEM.
    pub pointers: Vec<(String, String, String)>,
}

/// The base64 DER of the first certificate in `pem`.
pub fn der_b64(pem: &str) -> String {
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    // Round-trip to catch a broken fixture here rather than in the parser under test.
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .unwrap();
    base64::engine::general_purpose::STANDARD.encode(der)
}

const STATUS: &str = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/";

/// The unsigned list with a signature template for `operator`.
pub fn template(params: &ListParams, operator: &Operator) -> String {
    let mut xml = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<tsl:TrustServiceStatusList xmlns:tsl="http://uri.etsi.org/02231/v2#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:xades="http://uri.etsi.org/01903/v1.3.2#" xmlns:tslx="http://uri.etsi.org/02231/v2/additionaltypes#" Id="tsl-id" TSLTag="http://uri.etsi.org/19612/TSLTag">
  <tsl:SchemeInformation>
    <tsl:TSLVersionIdentifier>6</tsl:TSLVersionIdentifier>
"#,
    );
    xml += &format!(
        "    <tsl:TSLSequenceNumber>{}</tsl:TSLSequenceNumber>\n",
        params.sequence
    );
    xml += r#"    <tsl:TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</tsl:TSLType>
    <tsl:SchemeOperatorName><tsl:Name xml:lang="de">Testbetreiber</tsl:Name><tsl:Name xml:lang="en">Test scheme operator</tsl:Name></tsl:SchemeOperatorName>
    <tsl:SchemeTerritory>DE</tsl:SchemeTerritory>
"#;
    xml += &format!(
        "    <tsl:ListIssueDateTime>{}</tsl:ListIssueDateTime>\n",
        params.issued
    );
    match &params.next_update {
        Some(at) => {
            xml += &format!(
                "    <tsl:NextUpdate><tsl:dateTime>{at}</tsl:dateTime></tsl:NextUpdate>\n"
            );
        }
        None => xml += "    <tsl:NextUpdate/>\n",
    }
    if !params.pointers.is_empty() {
        xml += "    <tsl:PointersToOtherTSL>\n";
        for (location, territory, cert) in &params.pointers {
            xml += &format!(
                "      <tsl:OtherTSLPointer><tsl:ServiceDigitalIdentities><tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>{}</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity></tsl:ServiceDigitalIdentities><tsl:TSLLocation>{location}</tsl:TSLLocation><tsl:AdditionalInformation><tsl:OtherInformation><tsl:SchemeTerritory>{territory}</tsl:SchemeTerritory></tsl:OtherInformation><tsl:OtherInformation><tslx:MimeType>application/vnd.etsi.tsl+xml</tslx:MimeType></tsl:OtherInformation></tsl:AdditionalInformation></tsl:OtherTSLPointer>\n",
                der_b64(cert)
            );
        }
        xml += "    </tsl:PointersToOtherTSL>\n";
    }
    xml += "  </tsl:SchemeInformation>\n  <tsl:TrustServiceProviderList>\n";
    for service in &params.services {
        xml += &format!(
            "    <tsl:TrustServiceProvider>\n      <tsl:TSPInformation><tsl:TSPName><tsl:Name xml:lang=\"en\">{}</tsl:Name></tsl:TSPName></tsl:TSPInformation>\n      <tsl:TSPServices><tsl:TSPService>\n",
            service.provider
        );
        xml += &format!(
            "        <tsl:ServiceInformation><tsl:ServiceTypeIdentifier>{}</tsl:ServiceTypeIdentifier><tsl:ServiceName><tsl:Name xml:lang=\"en\">{}</tsl:Name></tsl:ServiceName><tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>{}</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity><tsl:ServiceStatus>{STATUS}{}</tsl:ServiceStatus><tsl:StatusStartingTime>{}</tsl:StatusStartingTime></tsl:ServiceInformation>\n",
            service.service_type,
            service.name,
            der_b64(&service.cert_pem),
            service.status.0,
            service.status.1
        );
        if !service.history.is_empty() {
            xml += "        <tsl:ServiceHistory>\n";
            for (status, since) in &service.history {
                xml += &format!(
                    "          <tsl:ServiceHistoryInstance><tsl:ServiceTypeIdentifier>{}</tsl:ServiceTypeIdentifier><tsl:ServiceName><tsl:Name xml:lang=\"en\">{}</tsl:Name></tsl:ServiceName><tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509SKI>AA==</tsl:X509SKI></tsl:DigitalId></tsl:ServiceDigitalIdentity><tsl:ServiceStatus>{STATUS}{status}</tsl:ServiceStatus><tsl:StatusStartingTime>{since}</tsl:StatusStartingTime></tsl:ServiceHistoryInstance>\n",
                    service.service_type, service.name
                );
            }
            xml += "        </tsl:ServiceHistory>\n";
        }
        xml += "      </tsl:TSPService></tsl:TSPServices>\n    </tsl:TrustServiceProvider>\n";
    }
    xml += "  </tsl:TrustServiceProviderList>\n";
    xml += &format!(
        r##"  <ds:Signature Id="id-sig">
    <ds:SignedInfo>
      <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
      <ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"/>
      <ds:Reference Id="id-ref-tsl" URI="">
        <ds:Transforms>
          <ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>
          <ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
        </ds:Transforms>
        <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
        <ds:DigestValue/>
      </ds:Reference>
      <ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#id-signed-props">
        <ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>
        <ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>
        <ds:DigestValue/>
      </ds:Reference>
    </ds:SignedInfo>
    <ds:SignatureValue/>
    <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    <ds:Object><xades:QualifyingProperties Target="#id-sig"><xades:SignedProperties Id="id-signed-props"><xades:SignedSignatureProperties><xades:SigningTime>{}</xades:SigningTime></xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></ds:Object>
  </ds:Signature>
</tsl:TrustServiceStatusList>
"##,
        der_b64(&operator.cert_pem),
        params.issued
    );
    xml
}

/// Whether `xmlsec1` runs here (Debian package `xmlsec1`).
pub fn xmlsec1_available() -> bool {
    Command::new("xmlsec1")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `template` signed by `operator` with `xmlsec1 --sign` (files in `dir`).
pub fn sign(template: &str, operator: &Operator, dir: &Path) -> String {
    let key = dir.join("operator-key.pem");
    let cert = dir.join("operator-cert.pem");
    let unsigned = dir.join("list-template.xml");
    let signed = dir.join("list-signed.xml");
    std::fs::write(&key, &operator.key_pem).unwrap();
    std::fs::write(&cert, &operator.cert_pem).unwrap();
    std::fs::write(&unsigned, template).unwrap();
    crate::process::run_ok(
        Command::new("xmlsec1")
            .arg("--sign")
            .arg("--privkey-pem")
            .arg(format!("{},{}", key.display(), cert.display()))
            .args(["--id-attr:Id", "SignedProperties", "--output"])
            .arg(&signed)
            .arg(&unsigned),
    );
    std::fs::read_to_string(&signed).unwrap()
}

/// A signed list (see [`template`] and [`sign`]).
pub fn signed(params: &ListParams, operator: &Operator, dir: &Path) -> String {
    sign(&template(params, operator), operator, dir)
}
