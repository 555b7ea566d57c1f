//! Certificate chains for `x5u` tests, made with rcgen per test: roots, intermediates, leaf
//! parameters and the EV policy extension. Validity: CAs 2020–2040, leaves 2025–2027 (tests
//! check at an explicit time inside that range).

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, date_time_ymd,
};

/// A certificate authority (root or intermediate) able to issue.
pub struct Ca {
    /// Its certificate, PEM.
    pub pem: String,
    /// What signs the certificates it issues.
    pub issuer: Issuer<'static, KeyPair>,
}

/// Parameters of a CA certificate named `name`, 2020–2040, unconstrained.
pub fn ca_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2040, 1, 1);
    params
}

/// A self-signed root CA named `name`.
pub fn root(name: &str) -> Ca {
    let key = KeyPair::generate().unwrap();
    let params = ca_params(name);
    let cert = params.self_signed(&key).unwrap();
    Ca {
        pem: cert.pem(),
        issuer: Issuer::new(params, key),
    }
}

/// An intermediate CA named `name`, issued by `parent`.
pub fn intermediate(name: &str, parent: &Ca) -> Ca {
    let key = KeyPair::generate().unwrap();
    let params = ca_params(name);
    let cert = params.signed_by(&key, &parent.issuer).unwrap();
    Ca {
        pem: cert.pem(),
        issuer: Issuer::new(params, key),
    }
}

/// Parameters of a leaf for the DNS name `name` (also its CN), digital signature, 2025–2027.
pub fn leaf_params(name: &str) -> CertificateParams {
    let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
    params.distinguished_name.push(DnType::CommonName, name);
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.not_before = date_time_ymd(2025, 1, 1);
    params.not_after = date_time_ymd(2027, 1, 1);
    params
}

/// A leaf with `params` for `key`, issued by `by`, PEM.
pub fn leaf(params: &CertificateParams, key: &KeyPair, by: &Ca) -> String {
    params.signed_by(key, &by.issuer).unwrap().pem()
}

/// certificatePolicies { policyIdentifier 2.23.140.1.1 } (RFC 5280 §4.2.1.4): the CA/Browser
/// Forum EV policy.
pub fn ev_extension() -> CustomExtension {
    let content = vec![
        0x30, 0x09, 0x30, 0x07, 0x06, 0x05, 0x67, 0x81, 0x0c, 0x01, 0x01,
    ];
    CustomExtension::from_oid_content(&[2, 5, 29, 32], content)
}
