//! Generates the bad corpus `tests/data/bad/`: crafted credentials and presentations,
//! each with the one check that must fail and the reason, plus the DID documents, certificate
//! chains and status lists they need (served by the corpus test's local https server on
//! `https://localhost:38443`).
//!
//! Run from the repository root: `cargo run -p gxa-verify --example bad_corpus`. Everything is
//! rewritten (new test keys, new certificates); times are fixed, and the corpus is verified at
//! 2026-06-01T00:00:00Z. The keys under `keys/` are test keys for this corpus only.

#![expect(
    clippy::unwrap_used,
    reason = "a one-shot generator run by hand; failing loudly is the point"
)]

use std::path::PathBuf;

use base64::Engine as _;
use gxa_proof::{
    Algorithm, KeyPair, PinnedJsonLd, SignOptions, SignSuite, Signed, Signer, did_jwk, did_key,
};
use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DnType, IsCa, Issuer, KeyPair as RcKey,
    KeyUsagePurpose, date_time_ymd,
};
use serde_json::{Value, json};

const BASE: &str = "https://localhost:38443";
const HOST_DID: &str = "did:web:localhost%3A38443";
const CREATED: &str = "2026-01-01T00:00:00Z";

fn did(path: &str) -> String {
    format!("{HOST_DID}:{path}")
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

struct Corpus {
    dir: PathBuf,
    entries: Vec<Value>,
}

/// Options of one corpus entry (the verifier configuration it needs).
#[derive(Default, Clone)]
struct Opts {
    anchors: bool,
    require_ev: bool,
    challenge: Option<&'static str>,
    domain: Option<&'static str>,
    max_input_bytes: Option<usize>,
    /// Path of the embedded credential whose report holds the failing check.
    path: Vec<usize>,
    outcome: Option<&'static str>,
}

impl Corpus {
    fn write(&self, rel: &str, content: &str) {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    fn add(&mut self, id: &str, check: &str, reason: &str, desc: &str, text: &str, o: &Opts) {
        let ext = if text.trim_start().starts_with('{') {
            "json"
        } else {
            "jwt"
        };
        let file = format!("cases/{id}.{ext}");
        self.write(&file, text);
        let mut e = json!({
            "id": id, "file": file, "check": check,
            "outcome": o.outcome.unwrap_or("fail"),
            "reason": reason, "description": desc,
        });
        let m = e.as_object_mut().unwrap();
        if o.anchors {
            m.insert("anchors".into(), true.into());
        }
        if o.require_ev {
            m.insert("require_ev".into(), true.into());
        }
        if let Some(c) = o.challenge {
            m.insert("challenge".into(), c.into());
        }
        if let Some(d) = o.domain {
            m.insert("domain".into(), d.into());
        }
        if let Some(n) = o.max_input_bytes {
            m.insert("max_input_bytes".into(), n.into());
        }
        if !o.path.is_empty() {
            m.insert("path".into(), json!(o.path));
        }
        self.entries.push(e);
    }

    fn valid(&mut self, id: &str, desc: &str, text: &str, o: &Opts) {
        let mut o = o.clone();
        o.outcome = Some("valid");
        self.add(id, "", "", desc, text, &o);
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap() + "\n"
}

fn sign(doc: &Value, suite: SignSuite, key: &KeyPair, vm: &str) -> Value {
    sign_opts(doc, suite, key, vm, None, None)
}

fn sign_opts(
    doc: &Value,
    suite: SignSuite,
    key: &KeyPair,
    vm: &str,
    challenge: Option<&str>,
    domain: Option<&str>,
) -> Value {
    let opts = SignOptions {
        verification_method: Some(vm.to_owned()),
        created: Some(CREATED.to_owned()),
        challenge: challenge.map(str::to_owned),
        domain: domain.map(str::to_owned),
        strict_jsonld: false,
    };
    match gxa_proof::sign(doc, suite, key, &opts, Some(&PinnedJsonLd)).unwrap() {
        Signed::Document(d) => d,
        Signed::Jwt(j) => Value::String(j),
    }
}

fn jwt(doc: &Value, key: &KeyPair, kid: &str) -> String {
    sign(doc, SignSuite::VcJwt, key, kid)
        .as_str()
        .unwrap()
        .to_owned()
}

/// A compact JWS over exactly these header and payload texts.
fn raw_jwt(header: &str, payload: &str, key: &KeyPair) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let sig = key.sign(input.as_bytes()).unwrap();
    format!("{input}.{}", b64(&sig))
}

fn v2(id: &str, issuer: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": format!("{BASE}/credentials/{id}"),
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", "name": "Example Cloud"}
    })
}

fn v1(id: &str, issuer: &str) -> Value {
    json!({
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://w3id.org/security/suites/jws-2020/v1",
            {"@vocab": "https://example.org/vocab#"}
        ],
        "id": format!("{BASE}/credentials/{id}"),
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:subject", "name": "Example Cloud"}
    })
}

fn vp(holder: &str, creds: Vec<Value>) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": creds
    })
}

fn enveloped(jwt: &str) -> Value {
    json!({"@context": "https://www.w3.org/ns/credentials/v2",
           "type": "EnvelopedVerifiableCredential",
           "id": format!("data:application/vc+jwt,{jwt}")})
}

fn set<T: Into<Value>>(mut v: Value, key: &str, value: T) -> Value {
    v.as_object_mut().unwrap().insert(key.into(), value.into());
    v
}

fn jwk_with(key: &KeyPair, alg: &str, x5u: Option<String>) -> Value {
    let mut jwk = key.public_key().to_jwk();
    jwk.insert("alg".into(), alg.into());
    if let Some(u) = x5u {
        jwk.insert("x5u".into(), u.into());
    }
    Value::Object(jwk)
}

/// Certificate authority material.
struct Ca {
    issuer: Issuer<'static, RcKey>,
    pem: String,
}

fn ca(name: &str, parent: Option<&Ca>, from: (i32, u8), to: (i32, u8)) -> Ca {
    let key = RcKey::generate().unwrap();
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.distinguished_name
        .push(DnType::OrganizationName, "gx-attest bad corpus (TEST ONLY)");
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = date_time_ymd(from.0, from.1, 1);
    p.not_after = date_time_ymd(to.0, to.1, 1);
    let cert = match parent {
        None => p.self_signed(&key).unwrap(),
        Some(parent) => p.signed_by(&key, &parent.issuer).unwrap(),
    };
    Ca {
        pem: cert.pem(),
        issuer: Issuer::new(p, key),
    }
}

/// Certificate policies with the CA/Browser Forum EV OID 2.23.140.1.1 (RFC 5280 §4.2.1.4).
fn ev_policy() -> CustomExtension {
    CustomExtension::from_oid_content(
        &[2, 5, 29, 32],
        vec![
            0x30, 0x09, 0x30, 0x07, 0x06, 0x05, 0x67, 0x81, 0x0c, 0x01, 0x01,
        ],
    )
}

fn leaf(key: &KeyPair, by: &Ca, from: (i32, u8), to: (i32, u8), ev: bool) -> String {
    let rc = RcKey::from_pem(&key.to_pkcs8_pem().unwrap()).unwrap();
    let mut p = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    p.distinguished_name
        .push(DnType::CommonName, "bad corpus issuer (TEST ONLY)");
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.not_before = date_time_ymd(from.0, from.1, 1);
    p.not_after = date_time_ymd(to.0, to.1, 1);
    if ev {
        p.custom_extensions.push(ev_policy());
    }
    p.signed_by(&rc, &by.issuer).unwrap().pem()
}

fn tls(corpus: &Corpus) {
    let ca = ca("bad corpus TLS CA (TEST ONLY)", None, (2020, 1), (2040, 1));
    let key = RcKey::generate().unwrap();
    let mut p = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    p.distinguished_name.push(DnType::CommonName, "localhost");
    p.not_before = date_time_ymd(2020, 1, 1);
    p.not_after = date_time_ymd(2040, 1, 1);
    let cert = p.signed_by(&key, &ca.issuer).unwrap();
    corpus.write("keys/tls-ca.pem", &ca.pem);
    corpus.write("keys/tls-localhost.pem", &cert.pem());
    corpus.write("keys/tls-localhost.key.pem", &key.serialize_pem());
}

fn status_list(set_bits: &[usize]) -> String {
    let mut bytes = vec![0u8; 16 * 1024];
    for &i in set_bits {
        bytes[i / 8] |= 0x80 >> (i % 8);
    }
    gxa_verify::encode_bitstring(&bytes)
}

fn main() {
    let root = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("tests/data/bad"));
    for sub in ["cases", "www", "keys"] {
        let _ = std::fs::remove_dir_all(root.join(sub));
    }
    let mut c = Corpus {
        dir: root.clone(),
        entries: Vec::new(),
    };
    tls(&c);

    // Keys.
    let key = KeyPair::generate(Algorithm::EdDsa).unwrap();
    let es = KeyPair::generate(Algorithm::Es256).unwrap();
    let other = KeyPair::generate(Algorithm::EdDsa).unwrap();
    let holder_key = KeyPair::generate(Algorithm::EdDsa).unwrap();
    for (name, k) in [
        ("issuer-ed25519", &key),
        ("issuer-es256", &es),
        ("attacker-ed25519", &other),
        ("holder-ed25519", &holder_key),
    ] {
        c.write(&format!("keys/{name}.key.pem"), &k.to_pkcs8_pem().unwrap());
    }

    // PKI for x5u: root → intermediate → leaf; the root is the trust anchor.
    let root_ca = ca("bad corpus root (TEST ONLY)", None, (2020, 1), (2040, 1));
    let inter = ca(
        "bad corpus intermediate",
        Some(&root_ca),
        (2020, 1),
        (2035, 1),
    );
    let inter_old = ca("expired intermediate", Some(&root_ca), (2020, 1), (2026, 1));
    let rogue = ca("untrusted root (TEST ONLY)", None, (2020, 1), (2040, 1));
    let rogue_inter = ca("rogue intermediate", Some(&rogue), (2020, 1), (2035, 1));
    c.write("keys/trust-anchor.pem", &root_ca.pem);
    let good = |k: &KeyPair, ev: bool| leaf(k, &inter, (2026, 1), (2027, 1), ev);
    let chains: Vec<(&str, String)> =
        vec![
        ("chain.pem", good(&key, true) + &inter.pem + &root_ca.pem),
        ("chain-es256.pem", good(&es, true) + &inter.pem + &root_ca.pem),
        ("chain-noev.pem", good(&key, false) + &inter.pem + &root_ca.pem),
        (
            "chain-expired.pem",
            leaf(&key, &inter, (2025, 1), (2026, 1), true) + &inter.pem + &root_ca.pem,
        ),
        (
            "chain-future.pem",
            leaf(&key, &inter, (2026, 9), (2027, 9), true) + &inter.pem + &root_ca.pem,
        ),
        (
            "chain-untrusted.pem",
            leaf(&key, &rogue_inter, (2026, 1), (2027, 1), true) + &rogue_inter.pem + &rogue.pem,
        ),
        ("chain-nointer.pem", good(&key, true)),
        (
            "chain-mismatch.pem",
            good(&other, true) + &inter.pem + &root_ca.pem,
        ),
        (
            "chain-interexpired.pem",
            leaf(&key, &inter_old, (2026, 1), (2027, 1), true) + &inter_old.pem + &root_ca.pem,
        ),
        (
            "chain-wrongissuer.pem",
            leaf(&key, &rogue_inter, (2026, 1), (2027, 1), true) + &inter.pem + &root_ca.pem,
        ),
        (
            "chain-garbage.pem",
            "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
                .to_owned(),
        ),
    ];
    for (name, pem) in &chains {
        c.write(&format!("www/issuer/{name}"), pem);
    }

    // The issuer's DID document: one method per x5u variant (same Ed25519 key unless noted).
    let issuer = did("issuer");
    let x5u = |f: &str| Some(format!("{BASE}/issuer/{f}"));
    let mut methods = Vec::new();
    let mut assertion = Vec::new();
    let variants: Vec<(&str, Value)> = vec![
        ("key", jwk_with(&key, "EdDSA", x5u("chain.pem"))),
        ("es256", jwk_with(&es, "ES256", x5u("chain-es256.pem"))),
        ("noev", jwk_with(&key, "EdDSA", x5u("chain-noev.pem"))),
        ("expired", jwk_with(&key, "EdDSA", x5u("chain-expired.pem"))),
        ("future", jwk_with(&key, "EdDSA", x5u("chain-future.pem"))),
        (
            "untrusted",
            jwk_with(&key, "EdDSA", x5u("chain-untrusted.pem")),
        ),
        ("nointer", jwk_with(&key, "EdDSA", x5u("chain-nointer.pem"))),
        (
            "mismatch",
            jwk_with(&key, "EdDSA", x5u("chain-mismatch.pem")),
        ),
        (
            "interexpired",
            jwk_with(&key, "EdDSA", x5u("chain-interexpired.pem")),
        ),
        (
            "wrongissuer",
            jwk_with(&key, "EdDSA", x5u("chain-wrongissuer.pem")),
        ),
        ("garbage", jwk_with(&key, "EdDSA", x5u("chain-garbage.pem"))),
        ("missing", jwk_with(&key, "EdDSA", x5u("chain-404.pem"))),
        (
            "huge",
            jwk_with(&key, "EdDSA", Some(format!("{BASE}/huge"))),
        ),
        ("nox5u", jwk_with(&key, "EdDSA", None)),
        (
            "x5u-127",
            jwk_with(&key, "EdDSA", Some("https://127.0.0.1/chain.pem".into())),
        ),
        (
            "x5u-v6",
            jwk_with(&key, "EdDSA", Some("https://[::1]/chain.pem".into())),
        ),
        (
            "x5u-10",
            jwk_with(&key, "EdDSA", Some("https://10.1.2.3/chain.pem".into())),
        ),
        (
            "x5u-meta",
            jwk_with(
                &key,
                "EdDSA",
                Some("https://169.254.169.254/latest/meta-data/".into()),
            ),
        ),
        (
            "x5u-http",
            jwk_with(
                &key,
                "EdDSA",
                Some("http://localhost:38443/issuer/chain.pem".into()),
            ),
        ),
        (
            "x5u-file",
            jwk_with(&key, "EdDSA", Some("file:///etc/passwd".into())),
        ),
    ];
    for (frag, jwk) in variants {
        let id = format!("{issuer}#{frag}");
        methods.push(
            json!({"id": id, "type": "JsonWebKey2020", "controller": issuer, "publicKeyJwk": jwk}),
        );
        assertion.push(Value::String(id));
    }
    let auth_only = format!("{issuer}#auth-only");
    methods.push(
        json!({"id": auth_only, "type": "JsonWebKey2020", "controller": issuer,
        "publicKeyJwk": jwk_with(&key, "EdDSA", None)}),
    );
    let other_ctl = format!("{issuer}#other-controller");
    methods.push(
        json!({"id": other_ctl, "type": "JsonWebKey2020", "controller": did("someone-else"),
        "publicKeyJwk": jwk_with(&key, "EdDSA", None)}),
    );
    assertion.push(Value::String(other_ctl.clone()));
    let swapped = format!("{issuer}#swapped");
    methods.push(
        json!({"id": swapped, "type": "JsonWebKey2020", "controller": issuer,
        "publicKeyJwk": jwk_with(&other, "EdDSA", None)}),
    );
    assertion.push(Value::String(swapped.clone()));
    let issuer_doc = json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
        "id": issuer,
        "verificationMethod": methods,
        "assertionMethod": assertion,
        "authentication": [auth_only],
    });
    c.write("www/issuer/did.json", &pretty(&issuer_doc));
    let vm = |frag: &str| format!("{issuer}#{frag}");

    // Other DID documents.
    let holder = did("holder");
    let holder_vm = format!("{holder}#key");
    c.write(
        "www/holder/did.json",
        &pretty(&json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
            "id": holder,
            "verificationMethod": [{"id": holder_vm, "type": "JsonWebKey2020", "controller": holder,
                "publicKeyJwk": jwk_with(&holder_key, "EdDSA", None)}],
            "authentication": [holder_vm], "assertionMethod": [holder_vm],
        })),
    );
    let nomethod = did("nomethod");
    c.write(
        "www/nomethod/did.json",
        &pretty(
            &json!({"@context": ["https://www.w3.org/ns/did/v1"], "id": nomethod,
            "verificationMethod": [], "assertionMethod": []}),
        ),
    );
    let wrongid = did("wrongid");
    c.write(
        "www/wrongid/did.json",
        &pretty(&set(issuer_doc.clone(), "id", issuer.clone())),
    );
    let notjson = did("notjson");
    c.write("www/notjson/did.json", "<html>not a DID document</html>\n");
    let dupdoc = did("dupdoc");
    c.write(
        "www/dupdoc/did.json",
        &format!("{{\"id\": \"{dupdoc}\", \"id\": \"{dupdoc}\", \"verificationMethod\": []}}\n"),
    );

    // Status lists, signed by the issuer's key.
    let list = |name: &str, purpose: &str, bits: &[usize]| {
        let mut l = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": format!("{BASE}/status/{name}"),
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": issuer,
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": format!("{BASE}/status/{name}#list"),
                "type": "BitstringStatusList", "statusPurpose": purpose,
                "encodedList": status_list(bits)}
        });
        if name == "expired" {
            l = set(l, "validUntil", "2026-03-01T00:00:00Z");
        }
        sign(&l, SignSuite::EddsaRdfc2022, &key, &vm("key"))
    };
    c.write("www/status/1", &pretty(&list("1", "revocation", &[5, 42])));
    c.write(
        "www/status/susp",
        &pretty(&list("susp", "suspension", &[3])),
    );
    c.write(
        "www/status/expired",
        &pretty(&list("expired", "revocation", &[])),
    );
    let mut forged = list("forged", "revocation", &[]);
    forged["credentialSubject"]["encodedList"] = status_list(&[]).into();
    forged["id"] = format!("{BASE}/status/forged-x").into();
    c.write("www/status/forged", &pretty(&forged));
    let mut notgz = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": format!("{BASE}/status/notgzip"),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer, "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": format!("{BASE}/status/notgzip#list"),
            "type": "BitstringStatusList", "statusPurpose": "revocation",
            "encodedList": format!("u{}", b64(b"plainly not gzip"))}
    });
    notgz = sign(&notgz, SignSuite::EddsaRdfc2022, &key, &vm("key"));
    c.write("www/status/notgzip", &pretty(&notgz));
    let wrongtype = sign(
        &json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": format!("{BASE}/status/wrongtype"),
            "type": ["VerifiableCredential"],
            "issuer": issuer, "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:subject", "name": "not a list"}
        }),
        SignSuite::EddsaRdfc2022,
        &key,
        &vm("key"),
    );
    c.write("www/status/wrongtype", &pretty(&wrongtype));
    let sl2021 = sign(
        &json!({
            "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc/status-list/2021/v1",
                "https://w3id.org/security/suites/jws-2020/v1"],
            "id": format!("{BASE}/status/sl2021"),
            "type": ["VerifiableCredential", "StatusList2021Credential"],
            "issuer": issuer, "issuanceDate": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": format!("{BASE}/status/sl2021#list"),
                "type": "StatusList2021", "statusPurpose": "revocation",
                "encodedList": status_list(&[9])[1..].to_owned()}
        }),
        SignSuite::Jws2020,
        &key,
        &vm("key"),
    );
    c.write("www/status/sl2021", &pretty(&sl2021));
    let status = |url: &str, purpose: &str, index: &str| {
        json!({"id": format!("{url}#{index}"), "type": "BitstringStatusListEntry",
            "statusPurpose": purpose, "statusListIndex": index, "statusListCredential": url})
    };

    let d = Opts::default();
    let anchors = Opts {
        anchors: true,
        ..Opts::default()
    };
    let cred = |id: &str| v2(id, &issuer);
    let di = |doc: &Value, frag: &str| sign(doc, SignSuite::EddsaRdfc2022, &key, &vm(frag));

    // ---- Valid baselines (the environment works; every other entry differs in one thing).
    c.valid(
        "valid-di",
        "eddsa-rdfc-2022 by a did:web key",
        &pretty(&di(&cred("ok1"), "key")),
        &d,
    );
    c.valid(
        "valid-jws2020",
        "JsonWebSignature2020 (spec flavour), VC 1.1",
        &pretty(&sign(
            &v1("ok2", &issuer),
            SignSuite::Jws2020,
            &key,
            &vm("key"),
        )),
        &d,
    );
    c.valid(
        "valid-jws2020-gaiax",
        "JsonWebSignature2020 (Gaia-X flavour), ES256",
        &pretty(&sign(
            &v1("ok3", &issuer),
            SignSuite::Jws2020GaiaX,
            &es,
            &vm("es256"),
        )),
        &d,
    );
    c.valid(
        "valid-vc-jwt",
        "vc+jwt",
        &jwt(&cred("ok4"), &key, &vm("key")),
        &d,
    );
    c.valid(
        "valid-chain",
        "x5u chain to the trust anchor",
        &pretty(&di(&cred("ok5"), "key")),
        &anchors,
    );
    c.valid(
        "valid-chain-ev",
        "x5u chain with the EV policy, EV required",
        &jwt(&cred("ok6"), &es, &vm("es256")),
        &Opts {
            anchors: true,
            require_ev: true,
            ..Opts::default()
        },
    );
    c.valid(
        "valid-status",
        "status entry whose bit is not set",
        &pretty(&di(
            &set(
                cred("ok7"),
                "credentialStatus",
                status(&format!("{BASE}/status/1"), "revocation", "6"),
            ),
            "key",
        )),
        &d,
    );
    let ok_vc = jwt(&cred("ok8"), &key, &vm("key"));
    c.valid(
        "valid-vp-jwt",
        "vp+jwt of an enveloped vc+jwt, challenge and domain",
        sign_opts(
            &vp(&holder, vec![enveloped(&ok_vc)]),
            SignSuite::VcJwt,
            &holder_key,
            &holder_vm,
            Some("n-1"),
            Some("https://verifier.example"),
        )
        .as_str()
        .unwrap(),
        &Opts {
            challenge: Some("n-1"),
            domain: Some("https://verifier.example"),
            ..Opts::default()
        },
    );
    c.valid(
        "valid-vp-ld",
        "JSON-LD presentation of an embedded credential, challenge",
        &pretty(&sign_opts(
            &vp(&holder, vec![di(&cred("ok9"), "key")]),
            SignSuite::EddsaRdfc2022,
            &holder_key,
            &holder_vm,
            Some("n-2"),
            None,
        )),
        &Opts {
            challenge: Some("n-2"),
            ..Opts::default()
        },
    );
    let did_key_issuer = did_key(other.public_key()).unwrap();
    let mb = did_key_issuer.trim_start_matches("did:key:").to_owned();
    c.valid(
        "valid-did-key",
        "did:key issuer, offline resolution",
        &pretty(&sign(
            &v2("ok10", &did_key_issuer),
            SignSuite::EddsaRdfc2022,
            &other,
            &format!("{did_key_issuer}#{mb}"),
        )),
        &d,
    );

    // ---- 1. Syntax and contexts.
    let base_signed = pretty(&di(&cred("s1"), "key"));
    let dup = |text: &str, needle: &str, extra: &str| {
        assert!(text.contains(needle), "{needle}");
        text.replacen(needle, &format!("{extra}{needle}"), 1)
    };
    c.add(
        "syntax-dup-issuer",
        "syntax",
        "duplicate JSON key \"issuer\"",
        "issuer given twice: serde_json would keep the signed one, other parsers the first",
        &dup(
            &base_signed,
            "\"issuer\":",
            &format!("\"issuer\": \"{}\",\n  ", did("evil")),
        ),
        &d,
    );
    c.add(
        "syntax-dup-subject-member",
        "syntax",
        "duplicate JSON key \"name\"",
        "duplicated member inside credentialSubject",
        &dup(&base_signed, "\"name\":", "\"name\": \"Evil Cloud\", "),
        &d,
    );
    c.add(
        "syntax-dup-proof-member",
        "syntax",
        "duplicate JSON key \"verificationMethod\"",
        "duplicated verificationMethod inside the proof",
        &dup(
            &base_signed,
            "\"verificationMethod\":",
            &format!("\"verificationMethod\": \"{}\", ", vm("swapped")),
        ),
        &d,
    );
    c.add(
        "syntax-dup-context",
        "syntax",
        "duplicate JSON key \"@context\"",
        "two @context members",
        &dup(
            &base_signed,
            "\"@context\":",
            "\"@context\": [\"https://evil.example/ctx\"], ",
        ),
        &d,
    );
    let payload = serde_json::to_string(&cred("s2")).unwrap();
    let dup_payload = payload.replacen(
        "\"issuer\":",
        &format!("\"issuer\":\"{}\",\"issuer\":", did("evil")),
        1,
    );
    let header = format!(
        "{{\"alg\":\"EdDSA\",\"kid\":\"{}\",\"typ\":\"vc+jwt\",\"cty\":\"vc\",\"iss\":\"{issuer}\"}}",
        vm("key")
    );
    c.add(
        "syntax-dup-jwt-payload",
        "syntax",
        "JWT payload: duplicate JSON key \"issuer\"",
        "validly signed vc+jwt whose payload has issuer twice",
        &raw_jwt(&header, &dup_payload, &key),
        &d,
    );
    let dup_header = header.replacen(
        "\"kid\":",
        &format!("\"kid\":\"{}\",\"kid\":", vm("swapped")),
        1,
    );
    c.add(
        "syntax-dup-jwt-header",
        "syntax",
        "JWT header: duplicate JSON key \"kid\"",
        "vc+jwt whose protected header names kid twice",
        &raw_jwt(&dup_header, &payload, &key),
        &d,
    );
    let nested_dup = raw_jwt(&header, &dup_payload, &key);
    c.add(
        "syntax-dup-enveloped",
        "syntax",
        "JWT payload: duplicate JSON key \"issuer\"",
        "vp+jwt carrying an enveloped vc+jwt with a duplicated key",
        sign_opts(
            &vp(&holder, vec![enveloped(&nested_dup)]),
            SignSuite::VcJwt,
            &holder_key,
            &holder_vm,
            None,
            None,
        )
        .as_str()
        .unwrap(),
        &Opts {
            path: vec![0],
            ..Opts::default()
        },
    );
    let unsigned_ctx = |ctx: Value, id: &str| {
        let mut v = cred(id);
        v["@context"] = ctx;
        v
    };
    // Contexts: signed with a canonicalizer would fail, so these carry a proof copied from a
    // valid credential: the syntax check must refuse them before any proof is looked at.
    let proof_of = |signed: &Value| signed["proof"].clone();
    let p0 = proof_of(&di(&cred("s3"), "key"));
    for (id, ctx, reason, desc) in [
        (
            "ctx-unpinned",
            json!([
                "https://www.w3.org/ns/credentials/v2",
                "https://evil.example/ctx.jsonld"
            ]),
            "unknown JSON-LD context https://evil.example/ctx.jsonld",
            "an unpinned remote context",
        ),
        (
            "ctx-unpinned-only",
            json!("https://evil.example/credentials/v2"),
            "unknown JSON-LD context https://evil.example/credentials/v2",
            "a look-alike of the credentials context",
        ),
        (
            "ctx-http-variant",
            json!(["http://www.w3.org/ns/credentials/v2x"]),
            "unknown JSON-LD context http://www.w3.org/ns/credentials/v2x",
            "a near miss of a pinned URL",
        ),
        (
            "ctx-import",
            json!(["https://www.w3.org/ns/credentials/v2", {"@version": 1.1, "@import": "https://evil.example/import.jsonld"}]),
            "unknown JSON-LD context https://evil.example/import.jsonld",
            "inline context importing a remote one",
        ),
        (
            "ctx-inline-remote",
            json!(["https://www.w3.org/ns/credentials/v2", {"name": {"@id": "https://schema.org/name", "@context": "https://evil.example/scoped.jsonld"}}]),
            "invalid scoped context",
            "property-scoped remote context inside an inline context",
        ),
        (
            "ctx-data-url",
            json!([
                "https://www.w3.org/ns/credentials/v2",
                "data:application/ld+json,{}"
            ]),
            "Invalid IRI reference: data:application/ld+json",
            "a data: URL context",
        ),
        (
            "ctx-localhost",
            json!([
                "https://www.w3.org/ns/credentials/v2",
                "https://127.0.0.1/ctx"
            ]),
            "unknown JSON-LD context https://127.0.0.1/ctx",
            "a context on loopback (never fetched)",
        ),
        (
            "ctx-metadata",
            json!([
                "https://www.w3.org/ns/credentials/v2",
                "http://169.254.169.254/latest/meta-data/"
            ]),
            "unknown JSON-LD context http://169.254.169.254/latest/meta-data/",
            "a context at the cloud metadata address",
        ),
        (
            "ctx-number",
            json!(42),
            "@context 42 is not a context",
            "a number as context",
        ),
    ] {
        let doc = set(unsigned_ctx(ctx, id), "proof", p0.clone());
        c.add(id, "syntax", reason, desc, &pretty(&doc), &d);
    }
    let mut scoped = cred("ctx-nested");
    scoped["credentialSubject"]["@context"] = json!("https://evil.example/nested.jsonld");
    c.add(
        "ctx-nested",
        "syntax",
        "unknown JSON-LD context https://evil.example/nested.jsonld",
        "embedded context inside credentialSubject",
        &pretty(&set(scoped, "proof", p0.clone())),
        &d,
    );
    let mut nocontext = cred("noctx");
    nocontext.as_object_mut().unwrap().remove("@context");
    c.add(
        "ctx-missing",
        "syntax",
        "no @context",
        "no @context at all",
        &pretty(&set(nocontext, "proof", p0.clone())),
        &d,
    );
    let mut undefined = v1("undef", &issuer);
    undefined["@context"] = json!([
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/security/suites/jws-2020/v1"
    ]);
    undefined["credentialSubject"] =
        json!({"id": "did:example:subject", "undefinedTerm": "dropped silently by plain JSON-LD"});
    c.add(
        "strict-undefined-property",
        "syntax",
        "undefined term \"undefinedTerm\"",
        "a property no context defines (would be dropped from the signed graph)",
        &pretty(&set(undefined.clone(), "proof", p0.clone())),
        &d,
    );
    let mut undefined_type = undefined.clone();
    undefined_type
        .as_object_mut()
        .unwrap()
        .remove("credentialSubject");
    undefined_type["credentialSubject"] =
        json!({"id": "did:example:subject", "type": "UndefinedType"});
    c.add(
        "strict-undefined-type",
        "syntax",
        "undefined term \"UndefinedType\"",
        "a type no context defines",
        &pretty(&set(undefined_type, "proof", p0.clone())),
        &d,
    );
    let mut protected = cred("protected");
    protected["@context"] = json!(["https://www.w3.org/ns/credentials/v2", {"VerifiableCredential": "https://evil.example/NotACredential"}]);
    c.add(
        "ctx-redefine-protected",
        "syntax",
        "protected term redefinition",
        "an inline context redefining a protected term",
        &pretty(&set(protected, "proof", p0.clone())),
        &d,
    );
    c.add(
        "json-truncated",
        "syntax",
        "not valid JSON",
        "truncated JSON",
        &base_signed[..base_signed.len() / 2],
        &d,
    );
    c.add(
        "json-array",
        "syntax",
        "neither a JSON-LD document nor a compact JWT",
        "a JSON array",
        "[1, 2, 3]\n",
        &d,
    );
    c.add(
        "json-deep",
        "syntax",
        "recursion limit exceeded",
        "JSON nested 300 levels deep",
        &format!("{{\"@context\": {}1{}}}", "[".repeat(300), "]".repeat(300)),
        &d,
    );
    c.add(
        "input-oversized",
        "syntax",
        "more than the limit of 2048",
        "input larger than the configured limit",
        &pretty(&set(di(&cred("big"), "key"), "padding", "x".repeat(3000))),
        &Opts {
            max_input_bytes: Some(2048),
            ..Opts::default()
        },
    );
    c.add(
        "jwt-two-segments",
        "syntax",
        "neither a JSON-LD document nor a compact JWT",
        "a JWS with two segments",
        "eyJhbGciOiJFZERTQSJ9.e30\n",
        &d,
    );
    c.add(
        "jwt-bad-base64",
        "syntax",
        "JWT header is not base64url",
        "header segment not base64url",
        "e!!.e30.AAAA\n",
        &d,
    );
    c.add(
        "jwt-payload-array",
        "syntax",
        "JWT payload is not a JSON object",
        "payload is a JSON array",
        &raw_jwt(&header, "[1,2]", &key),
        &d,
    );
    let unpinned_jwt_payload = serde_json::to_string(&unsigned_ctx(
        json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://evil.example/ctx"
        ]),
        "jwtctx",
    ))
    .unwrap();
    c.add(
        "jwt-unpinned-context",
        "syntax",
        "unknown JSON-LD context https://evil.example/ctx",
        "validly signed vc+jwt with an unpinned context",
        &raw_jwt(&header, &unpinned_jwt_payload, &key),
        &d,
    );

    // ---- 2. Proofs.
    let signed = di(&cred("p1"), "key");
    let mut forged = signed.clone();
    let pv = forged["proof"]["proofValue"].as_str().unwrap().to_owned();
    let flipped: String = pv
        .chars()
        .enumerate()
        .map(|(i, ch)| {
            if i == 10 {
                if ch == 'A' { 'B' } else { 'A' }
            } else {
                ch
            }
        })
        .collect();
    forged["proof"]["proofValue"] = flipped.into();
    c.add(
        "proof-forged-di",
        "proof",
        "signature",
        "eddsa-rdfc-2022 proofValue altered",
        &pretty(&forged),
        &d,
    );
    let mut tampered = signed.clone();
    tampered["credentialSubject"]["name"] = "Evil Cloud".into();
    c.add(
        "proof-tampered-subject",
        "proof",
        "signature does not verify",
        "subject changed after signing",
        &pretty(&tampered),
        &d,
    );
    let mut tampered = signed.clone();
    tampered["id"] = format!("{BASE}/credentials/other").into();
    c.add(
        "proof-tampered-id",
        "proof",
        "signature does not verify",
        "credential id changed after signing",
        &pretty(&tampered),
        &d,
    );
    let mut created = signed.clone();
    created["proof"]["created"] = "2026-01-02T00:00:00Z".into();
    c.add(
        "proof-modified-created",
        "proof",
        "signature does not verify",
        "proof option created changed",
        &pretty(&created),
        &d,
    );
    let mut swapped_doc = di(&cred("p2"), "key");
    swapped_doc = {
        let mut x = swapped_doc;
        x["proof"]["verificationMethod"] = vm("swapped").into();
        x
    };
    c.add(
        "proof-swapped-key",
        "proof",
        "signature does not verify",
        "verificationMethod switched to another key of the issuer",
        &pretty(&swapped_doc),
        &d,
    );
    c.add(
        "proof-signed-by-attacker",
        "proof",
        "signature does not verify",
        "signed by the attacker key, naming the issuer's method",
        &pretty(&sign(
            &cred("p3"),
            SignSuite::EddsaRdfc2022,
            &other,
            &vm("key"),
        )),
        &d,
    );
    let mut noproof = cred("p4");
    noproof.as_object_mut().unwrap().remove("proof");
    c.add(
        "proof-missing",
        "proof",
        "no proof",
        "an unsecured credential",
        &pretty(&noproof),
        &d,
    );
    let jws_doc = sign(&v1("p5", &issuer), SignSuite::Jws2020, &key, &vm("key"));
    let mut jws_forged = jws_doc.clone();
    let jws = jws_forged["proof"]["jws"].as_str().unwrap().to_owned();
    let (head, sig) = jws.rsplit_once('.').unwrap();
    let mut sig_bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(sig)
        .unwrap();
    sig_bytes[0] ^= 1;
    jws_forged["proof"]["jws"] = format!("{head}.{}", b64(&sig_bytes)).into();
    c.add(
        "proof-forged-jws2020",
        "proof",
        "signature does not verify",
        "JsonWebSignature2020 signature bit flipped",
        &pretty(&jws_forged),
        &d,
    );
    let mut jws_trunc = jws_doc.clone();
    jws_trunc["proof"]["jws"] = format!("{head}.{}", b64(&sig_bytes[..32])).into();
    c.add(
        "proof-truncated-jws",
        "proof",
        "signature",
        "JsonWebSignature2020 signature truncated to 32 bytes",
        &pretty(&jws_trunc),
        &d,
    );
    let mut jws_tampered = jws_doc.clone();
    jws_tampered["issuanceDate"] = "2026-01-01T00:00:01Z".into();
    c.add(
        "proof-tampered-jws2020",
        "proof",
        "signature does not verify",
        "issuanceDate changed after a JsonWebSignature2020 proof",
        &pretty(&jws_tampered),
        &d,
    );
    let gaiax = sign(
        &v1("p6", &issuer),
        SignSuite::Jws2020GaiaX,
        &key,
        &vm("key"),
    );
    let mut gaiax_t = gaiax.clone();
    gaiax_t["credentialSubject"]["name"] = "Evil".into();
    c.add(
        "proof-tampered-gaiax-flavour",
        "proof",
        "signature does not verify",
        "Gaia-X flavour proof over a changed document",
        &pretty(&gaiax_t),
        &d,
    );
    let with_header = |h: &str| {
        let mut x = jws_doc.clone();
        let (_, rest) = jws.split_once('.').unwrap();
        x["proof"]["jws"] = format!("{}.{rest}", b64(h.as_bytes())).into();
        x
    };
    c.add(
        "proof-jws-b64-true",
        "proof",
        "b64: false",
        "JsonWebSignature2020 header with b64 true",
        &pretty(&with_header(
            "{\"alg\":\"EdDSA\",\"b64\":true,\"crit\":[\"b64\"]}",
        )),
        &d,
    );
    c.add(
        "proof-jws-alg-none",
        "proof",
        "alg \"none\" is not accepted",
        "JsonWebSignature2020 with alg none",
        &pretty(&with_header(
            "{\"alg\":\"none\",\"b64\":false,\"crit\":[\"b64\"]}",
        )),
        &d,
    );
    c.add(
        "proof-jws-hmac",
        "proof",
        "HMAC algorithm",
        "JsonWebSignature2020 with HS256",
        &pretty(&with_header(
            "{\"alg\":\"HS256\",\"b64\":false,\"crit\":[\"b64\"]}",
        )),
        &d,
    );
    c.add(
        "proof-jws-jwk-in-header",
        "proof",
        "is not accepted: keys come from the verification method",
        "embedded jwk in the JWS header",
        &pretty(&with_header(&format!(
            "{{\"alg\":\"EdDSA\",\"b64\":false,\"crit\":[\"b64\"],\"jwk\":{}}}",
            Value::Object(other.public_key().to_jwk())
        ))),
        &d,
    );
    c.add(
        "proof-jws-unknown-crit",
        "proof",
        "unsupported crit entry",
        "crit names an unknown header",
        &pretty(&with_header(
            "{\"alg\":\"EdDSA\",\"b64\":false,\"crit\":[\"b64\",\"exp\"],\"exp\":1}",
        )),
        &d,
    );
    c.add(
        "proof-jws-alg-mismatch",
        "proof",
        "ES256",
        "alg ES256 with an Ed25519 key",
        &pretty(&with_header(
            "{\"alg\":\"ES256\",\"b64\":false,\"crit\":[\"b64\"]}",
        )),
        &d,
    );
    let mut unsupported = signed.clone();
    unsupported["proof"]["type"] = "Ed25519Signature2018".into();
    c.add(
        "proof-unsupported-type",
        "proof",
        "unsupported proof",
        "a proof type not implemented",
        &pretty(&unsupported),
        &d,
    );
    let mut two = signed.clone();
    two["proof"] = json!([signed["proof"].clone(), forged["proof"].clone()]);
    c.add(
        "proof-second-forged",
        "proof",
        "proof 1",
        "two proofs, the second forged",
        &pretty(&two),
        &d,
    );
    let mut ctxmis = signed.clone();
    ctxmis["proof"]["@context"] = json!(["https://www.w3.org/2018/credentials/v1"]);
    c.add(
        "proof-context-mismatch",
        "proof",
        "proof @context does not match",
        "Data Integrity proof @context differs from the document's",
        &pretty(&ctxmis),
        &d,
    );
    let mut nojws = jws_doc.clone();
    nojws["proof"].as_object_mut().unwrap().remove("jws");
    c.add(
        "proof-jws-missing",
        "proof",
        "malformed",
        "JsonWebSignature2020 without jws",
        &pretty(&nojws),
        &d,
    );
    let es_doc = sign(&cred("p7"), SignSuite::EcdsaRdfc2019, &es, &vm("es256"));
    let mut es_t = es_doc.clone();
    es_t["validFrom"] = "2026-01-01T00:00:01Z".into();
    c.add(
        "proof-tampered-ecdsa",
        "proof",
        "signature does not verify",
        "ecdsa-rdfc-2019 over a changed document",
        &pretty(&es_t),
        &d,
    );
    // JWTs.
    let good_jwt = jwt(&cred("p8"), &key, &vm("key"));
    let (jh, rest) = good_jwt.split_once('.').unwrap();
    let (jp, js) = rest.split_once('.').unwrap();
    let mut jsig = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(js)
        .unwrap();
    jsig[5] ^= 0x40;
    c.add(
        "jwt-forged",
        "proof",
        "signature does not verify",
        "vc+jwt signature bit flipped",
        &format!("{jh}.{jp}.{}", b64(&jsig)),
        &d,
    );
    let evil_payload = serde_json::to_string(&set(cred("p8"), "name", "changed")).unwrap();
    c.add(
        "jwt-tampered-payload",
        "proof",
        "signature does not verify",
        "vc+jwt payload replaced, signature kept",
        &format!("{jh}.{}.{js}", b64(evil_payload.as_bytes())),
        &d,
    );
    c.add(
        "jwt-alg-none",
        "proof",
        "alg \"none\" is not accepted",
        "unsecured JWT (alg none)",
        &format!(
            "{}.{jp}.{js}",
            b64(format!(
                "{{\"alg\":\"none\",\"kid\":\"{}\",\"typ\":\"vc+jwt\"}}",
                vm("key")
            )
            .as_bytes())
        ),
        &d,
    );
    c.add(
        "jwt-hmac",
        "proof",
        "HMAC algorithm",
        "HS256 keyed with the public key (algorithm confusion)",
        &format!(
            "{}.{jp}.{js}",
            b64(format!(
                "{{\"alg\":\"HS256\",\"kid\":\"{}\",\"typ\":\"vc+jwt\"}}",
                vm("key")
            )
            .as_bytes())
        ),
        &d,
    );
    let hdr = |extra: &str| {
        format!(
            "{{\"alg\":\"EdDSA\",\"kid\":\"{}\",\"typ\":\"vc+jwt\"{extra}}}",
            vm("key")
        )
    };
    c.add(
        "jwt-alg-mismatch",
        "proof",
        "ES256",
        "alg ES256 with an Ed25519 key",
        &raw_jwt(
            &format!(
                "{{\"alg\":\"ES256\",\"kid\":\"{}\",\"typ\":\"vc+jwt\"}}",
                vm("key")
            ),
            &payload,
            &key,
        ),
        &d,
    );
    c.add(
        "jwt-jku",
        "proof",
        "\"jku\"",
        "header points to a key set URL",
        &raw_jwt(
            &hdr(",\"jku\":\"https://evil.example/jwks\""),
            &payload,
            &key,
        ),
        &d,
    );
    c.add(
        "jwt-x5c",
        "proof",
        "\"x5c\"",
        "header carries its own certificate",
        &raw_jwt(&hdr(",\"x5c\":[\"MIIB\"]"), &payload, &key),
        &d,
    );
    c.add(
        "jwt-unknown-crit",
        "proof",
        "unsupported crit entry",
        "crit names an unknown header",
        &raw_jwt(&hdr(",\"crit\":[\"urn:x\"],\"urn:x\":1"), &payload, &key),
        &d,
    );
    c.add(
        "jwt-b64-false",
        "proof",
        "unsupported crit entry \"b64\"",
        "b64 in a JWT",
        &raw_jwt(&hdr(",\"b64\":false,\"crit\":[\"b64\"]"), &payload, &key),
        &d,
    );
    c.add(
        "jwt-media-type",
        "proof",
        "media type",
        "typ application/json",
        &raw_jwt(
            &format!(
                "{{\"alg\":\"EdDSA\",\"kid\":\"{}\",\"typ\":\"application/json\"}}",
                vm("key")
            ),
            &payload,
            &key,
        ),
        &d,
    );
    c.add(
        "jwt-vc-claim",
        "proof",
        "claim \"vc\" is not allowed",
        "vc+jwt with a vc claim",
        &raw_jwt(
            &hdr(""),
            &serde_json::to_string(&set(cred("p9"), "vc", json!({}))).unwrap(),
            &key,
        ),
        &d,
    );
    c.add(
        "jwt-no-kid",
        "proof",
        "no kid",
        "vc+jwt without kid from a did:web issuer",
        &raw_jwt("{\"alg\":\"EdDSA\",\"typ\":\"vc+jwt\"}", &payload, &key),
        &d,
    );
    c.add(
        "jwt-truncated-signature",
        "proof",
        "signature",
        "Ed25519 signature cut to 63 bytes",
        &format!(
            "{jh}.{jp}.{}",
            b64(&base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(js)
                .unwrap()[..63])
        ),
        &d,
    );
    c.add(
        "jwt-signed-by-attacker",
        "proof",
        "signature does not verify",
        "vc+jwt signed by another key, kid of the issuer",
        &jwt(&cred("p10"), &other, &vm("key")),
        &d,
    );
    // Presentations.
    let inner_ok = di(&cred("p11"), "key");
    let mut inner_bad = inner_ok.clone();
    inner_bad["credentialSubject"]["name"] = "Evil".into();
    c.add(
        "vp-tampered-embedded",
        "proof",
        "signature does not verify",
        "holder-signed presentation of a credential altered after issuance",
        &pretty(&sign(
            &vp(&holder, vec![inner_bad]),
            SignSuite::EddsaRdfc2022,
            &holder_key,
            &holder_vm,
        )),
        &Opts {
            path: vec![0],
            ..Opts::default()
        },
    );
    let env_ok = jwt(&cred("p12"), &key, &vm("key"));
    let (eh, erest) = env_ok.split_once('.').unwrap();
    let (_, esig) = erest.split_once('.').unwrap();
    let env_bad = format!(
        "{eh}.{}.{esig}",
        b64(serde_json::to_string(&set(cred("p12"), "name", "x"))
            .unwrap()
            .as_bytes())
    );
    c.add(
        "vp-jwt-tampered-enveloped",
        "proof",
        "signature does not verify",
        "vp+jwt carrying an enveloped vc+jwt with a replaced payload",
        sign_opts(
            &vp(&holder, vec![enveloped(&env_bad)]),
            SignSuite::VcJwt,
            &holder_key,
            &holder_vm,
            None,
            None,
        )
        .as_str()
        .unwrap(),
        &Opts {
            path: vec![0],
            ..Opts::default()
        },
    );
    c.add(
        "vp-jwt-enveloped-attacker",
        "proof",
        "signature does not verify",
        "enveloped vc+jwt signed by an attacker with the issuer's kid",
        sign_opts(
            &vp(
                &holder,
                vec![
                    enveloped(&ok_vc),
                    enveloped(&jwt(&cred("p13"), &other, &vm("key"))),
                ],
            ),
            SignSuite::VcJwt,
            &holder_key,
            &holder_vm,
            None,
            None,
        )
        .as_str()
        .unwrap(),
        &Opts {
            path: vec![1],
            ..Opts::default()
        },
    );
    let env_ok_vp = vp(&holder, vec![enveloped(&ok_vc)]);
    let vp_jwt = sign_opts(
        &env_ok_vp,
        SignSuite::VcJwt,
        &holder_key,
        &holder_vm,
        Some("n-1"),
        Some("https://verifier.example"),
    )
    .as_str()
    .unwrap()
    .to_owned();
    c.add(
        "vp-jwt-wrong-nonce",
        "proof",
        "challenge",
        "vp+jwt nonce differs from the expected challenge",
        &vp_jwt,
        &Opts {
            challenge: Some("n-other"),
            ..Opts::default()
        },
    );
    c.add(
        "vp-jwt-wrong-aud",
        "proof",
        "domain",
        "vp+jwt aud differs from the expected domain",
        &vp_jwt,
        &Opts {
            domain: Some("https://other.example"),
            ..Opts::default()
        },
    );
    let ld_vp = sign_opts(
        &vp(&holder, vec![inner_ok.clone()]),
        SignSuite::EddsaRdfc2022,
        &holder_key,
        &holder_vm,
        Some("c-1"),
        Some("https://verifier.example"),
    );
    c.add(
        "vp-ld-wrong-challenge",
        "proof",
        "challenge",
        "JSON-LD presentation with another challenge",
        &pretty(&ld_vp),
        &Opts {
            challenge: Some("c-2"),
            ..Opts::default()
        },
    );
    c.add(
        "vp-ld-wrong-domain",
        "proof",
        "domain",
        "JSON-LD presentation with another domain",
        &pretty(&ld_vp),
        &Opts {
            domain: Some("https://other.example"),
            ..Opts::default()
        },
    );
    c.add(
        "vp-ld-missing-challenge",
        "proof",
        "challenge",
        "presentation without challenge while one is expected",
        &pretty(&sign(
            &vp(&holder, vec![inner_ok.clone()]),
            SignSuite::EddsaRdfc2022,
            &holder_key,
            &holder_vm,
        )),
        &Opts {
            challenge: Some("c-1"),
            ..Opts::default()
        },
    );
    let mut replay = ld_vp.clone();
    replay["verifiableCredential"] = json!([di(&cred("p14"), "key")]);
    c.add(
        "vp-ld-swapped-credential",
        "proof",
        "signature does not verify",
        "a valid credential swapped into a signed presentation",
        &pretty(&replay),
        &Opts {
            challenge: Some("c-1"),
            ..Opts::default()
        },
    );
    c.add("vp-bad-envelope", "proof", "not a data:application/vc+jwt URL", "an enveloped entry that is not a data URL",
        sign_opts(&vp(&holder, vec![json!({"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiableCredential", "id": "https://evil.example/vc"})]), SignSuite::VcJwt, &holder_key, &holder_vm, None, None).as_str().unwrap(), &d);

    // ---- 3. Verification method.
    c.add(
        "vm-not-in-document",
        "verification_method",
        "not found in its controller document",
        "did:web document without the method",
        &pretty(&sign(
            &v2("m1", &nomethod),
            SignSuite::EddsaRdfc2022,
            &key,
            &format!("{nomethod}#key"),
        )),
        &d,
    );
    c.add(
        "vm-unknown-fragment",
        "verification_method",
        "not found in its controller document",
        "a fragment the issuer's document does not have",
        &pretty(&di(&cred("m2"), "nope")),
        &d,
    );
    c.add(
        "vm-purpose-not-allowed",
        "verification_method",
        "is not authorised for assertionMethod",
        "method listed for authentication only",
        &pretty(&di(&cred("m3"), "auth-only")),
        &d,
    );
    let mut wp = di(&cred("m4"), "key");
    wp["proof"]["proofPurpose"] = "authentication".into();
    c.add(
        "vm-wrong-proof-purpose",
        "verification_method",
        "proof purpose \"authentication\", expected \"assertionMethod\"",
        "a credential proof with purpose authentication",
        &pretty(&wp),
        &d,
    );
    c.add(
        "vm-vp-wrong-purpose",
        "verification_method",
        "proof purpose \"assertionMethod\", expected \"authentication\"",
        "a presentation proof with purpose assertionMethod",
        &pretty(&{
            let mut x = sign(
                &vp(&holder, vec![inner_ok.clone()]),
                SignSuite::EddsaRdfc2022,
                &holder_key,
                &holder_vm,
            );
            x["proof"]["proofPurpose"] = "assertionMethod".into();
            x
        }),
        &d,
    );
    c.add(
        "vm-controller-not-issuer",
        "verification_method",
        "is not the issuer",
        "issuer is the did:web, signed with a valid did:key",
        &pretty(&sign(
            &cred("m5"),
            SignSuite::EddsaRdfc2022,
            &other,
            &format!("{did_key_issuer}#{mb}"),
        )),
        &d,
    );
    c.add(
        "vm-other-controller",
        "verification_method",
        "is not the issuer",
        "method in the issuer's document controlled by another DID",
        &pretty(&di(&cred("m6"), "other-controller")),
        &d,
    );
    c.add(
        "vm-vp-holder-mismatch",
        "verification_method",
        "is not the holder",
        "presentation signed by the issuer's key, naming another holder",
        &pretty(&sign(
            &vp(&holder, vec![inner_ok.clone()]),
            SignSuite::EddsaRdfc2022,
            &other,
            &format!("{did_key_issuer}#{mb}"),
        )),
        &d,
    );
    c.add(
        "vm-jwt-iss-mismatch",
        "verification_method",
        "issuer mismatch",
        "vc+jwt whose iss header names another DID",
        &raw_jwt(
            &format!(
                "{{\"alg\":\"EdDSA\",\"kid\":\"{}\",\"typ\":\"vc+jwt\",\"iss\":\"{}\"}}",
                vm("key"),
                did("evil")
            ),
            &payload,
            &key,
        ),
        &d,
    );
    let did_jwk_other = did_jwk(other.public_key(), Some("EdDSA"));
    c.add(
        "vm-jwt-signer-not-issuer",
        "verification_method",
        "issuer mismatch",
        "vc+jwt signed by a did:jwk for an issuer did:web",
        &jwt(&cred("m7"), &other, &format!("{did_jwk_other}#0")),
        &d,
    );
    c.add(
        "vm-did-id-mismatch",
        "verification_method",
        "does not match",
        "did:web document whose id is another DID",
        &pretty(&sign(
            &v2("m8", &wrongid),
            SignSuite::EddsaRdfc2022,
            &key,
            &format!("{wrongid}#key"),
        )),
        &d,
    );
    c.add(
        "vm-did-not-json",
        "verification_method",
        "expected value at line 1",
        "did:web document that is HTML",
        &pretty(&sign(
            &v2("m9", &notjson),
            SignSuite::EddsaRdfc2022,
            &key,
            &format!("{notjson}#key"),
        )),
        &d,
    );
    c.add(
        "vm-did-duplicate-keys",
        "verification_method",
        "duplicate JSON key \"id\"",
        "did:web document with a duplicated id",
        &pretty(&sign(
            &v2("m10", &dupdoc),
            SignSuite::EddsaRdfc2022,
            &key,
            &format!("{dupdoc}#key"),
        )),
        &d,
    );
    let huge = did("huge");
    c.add(
        "vm-did-oversized",
        "verification_method",
        "refused",
        "did:web document of 3 MiB (limit 2 MiB)",
        &pretty(&sign(
            &v2("m11", &huge),
            SignSuite::EddsaRdfc2022,
            &key,
            &format!("{huge}#key"),
        )),
        &d,
    );
    let redirect = did("redirect");
    c.add(
        "vm-did-redirect-private",
        "verification_method",
        "refused",
        "did:web document that redirects to 10.0.0.1",
        &pretty(&sign(
            &v2("m12", &redirect),
            SignSuite::EddsaRdfc2022,
            &key,
            &format!("{redirect}#key"),
        )),
        &d,
    );
    for (id, ssrf, desc) in [
        (
            "ssrf-did-127",
            "did:web:127.0.0.1",
            "did:web on IPv4 loopback",
        ),
        (
            "ssrf-did-127-port",
            "did:web:127.0.0.1%3A38443:issuer",
            "did:web on loopback at the corpus server's port",
        ),
        ("ssrf-did-10", "did:web:10.0.0.1", "did:web on 10.0.0.0/8"),
        (
            "ssrf-did-10-path",
            "did:web:10.255.255.254:admin",
            "did:web on 10.0.0.0/8 with a path",
        ),
        (
            "ssrf-did-172",
            "did:web:172.16.0.1",
            "did:web on 172.16.0.0/12",
        ),
        (
            "ssrf-did-192",
            "did:web:192.168.1.1",
            "did:web on 192.168.0.0/16",
        ),
        (
            "ssrf-did-metadata",
            "did:web:169.254.169.254",
            "did:web at the cloud metadata address",
        ),
        (
            "ssrf-did-localhost",
            "did:web:localhost",
            "did:web:localhost (resolves to loopback, port not allowed)",
        ),
        (
            "ssrf-did-zero",
            "did:web:0.0.0.0",
            "did:web on the unspecified address",
        ),
        (
            "ssrf-did-cgnat",
            "did:web:100.64.0.1",
            "did:web on shared address space",
        ),
        (
            "ssrf-did-v6-mapped",
            "did:web:%5B%3A%3Affff%3A127.0.0.1%5D",
            "did:web on an IPv4-mapped IPv6 loopback",
        ),
    ] {
        c.add(
            id,
            "verification_method",
            "refused",
            desc,
            &pretty(&sign(
                &v2(id, ssrf),
                SignSuite::EddsaRdfc2022,
                &key,
                &format!("{ssrf}#key"),
            )),
            &d,
        );
    }
    let missing = did("missing");
    c.add(
        "vm-did-404",
        "verification_method",
        "404",
        "did:web document not found (could not check)",
        &pretty(&sign(
            &v2("m13", &missing),
            SignSuite::EddsaRdfc2022,
            &key,
            &format!("{missing}#key"),
        )),
        &Opts {
            outcome: Some("error"),
            ..Opts::default()
        },
    );
    c.add(
        "vm-did-key-malformed",
        "verification_method",
        "did:key:z6MkNOTAKEY",
        "a did:key that is not a key",
        &pretty(&sign(
            &v2("m14", "did:key:z6MkNOTAKEY"),
            SignSuite::EddsaRdfc2022,
            &key,
            "did:key:z6MkNOTAKEY#z6MkNOTAKEY",
        )),
        &d,
    );
    let mut private_jwk = other.public_key().to_jwk();
    private_jwk.insert("d".into(), "AAAA".into());
    let did_jwk_private = format!(
        "did:jwk:{}",
        b64(Value::Object(private_jwk).to_string().as_bytes())
    );
    c.add(
        "vm-did-jwk-private",
        "verification_method",
        "carries a private key",
        "a did:jwk embedding private key material",
        &pretty(&sign(
            &v2("m15", &did_jwk_private),
            SignSuite::EddsaRdfc2022,
            &other,
            &format!("{did_jwk_private}#0"),
        )),
        &d,
    );

    // ---- 4. Certificate chain (trust anchors configured).
    for (id, frag, reason, desc, ev) in [
        (
            "chain-expired-leaf",
            "expired",
            "expired",
            "leaf certificate expired before the verification time",
            false,
        ),
        (
            "chain-not-yet-valid",
            "future",
            "is not valid before 2026-09-01",
            "leaf certificate not yet valid",
            false,
        ),
        (
            "chain-untrusted-root",
            "untrusted",
            "which is not a trust anchor",
            "chain to a root outside the trust anchors",
            false,
        ),
        (
            "chain-missing-intermediate",
            "nointer",
            "an intermediate is missing",
            "intermediate certificate left out",
            false,
        ),
        (
            "chain-jwk-mismatch",
            "mismatch",
            "is not the public key of the leaf",
            "leaf certificate of another key",
            false,
        ),
        (
            "chain-expired-intermediate",
            "interexpired",
            "expired",
            "intermediate certificate expired",
            false,
        ),
        (
            "chain-wrong-issuer",
            "wrongissuer",
            "no certificate for \"CN=rogue intermediate",
            "leaf signed by a CA not in the chain",
            false,
        ),
        (
            "chain-garbage",
            "garbage",
            "certificate",
            "x5u body is not a certificate",
            false,
        ),
        (
            "chain-no-x5u",
            "nox5u",
            "has no x5u",
            "key without x5u while trust anchors are configured",
            false,
        ),
        (
            "chain-not-ev",
            "noev",
            "EV",
            "leaf without the EV policy while EV is required",
            true,
        ),
        (
            "ssrf-x5u-127",
            "x5u-127",
            "refused",
            "x5u on IPv4 loopback",
            false,
        ),
        (
            "ssrf-x5u-v6",
            "x5u-v6",
            "refused",
            "x5u on IPv6 loopback [::1]",
            false,
        ),
        (
            "ssrf-x5u-10",
            "x5u-10",
            "refused",
            "x5u on 10.0.0.0/8",
            false,
        ),
        (
            "ssrf-x5u-metadata",
            "x5u-meta",
            "refused",
            "x5u at the cloud metadata address",
            false,
        ),
        (
            "ssrf-x5u-http",
            "x5u-http",
            "refused",
            "x5u over plain http",
            false,
        ),
        (
            "ssrf-x5u-file",
            "x5u-file",
            "refused",
            "x5u with a file: URL",
            false,
        ),
        (
            "chain-x5u-oversized",
            "huge",
            "refused",
            "x5u body of 3 MiB",
            false,
        ),
    ] {
        c.add(
            id,
            "certificate_chain",
            reason,
            desc,
            &pretty(&di(&cred(id), frag)),
            &Opts {
                anchors: true,
                require_ev: ev,
                ..Opts::default()
            },
        );
    }
    c.add(
        "chain-x5u-404",
        "certificate_chain",
        "404",
        "x5u not found (could not check)",
        &pretty(&di(&cred("c404"), "missing")),
        &Opts {
            anchors: true,
            outcome: Some("error"),
            ..Opts::default()
        },
    );
    c.add(
        "chain-jwt-expired-leaf",
        "certificate_chain",
        "expired",
        "vc+jwt whose key's leaf certificate expired",
        &jwt(&cred("c2"), &key, &vm("expired")),
        &anchors,
    );

    // ---- 5. Validity.
    let mut exp = v1("v1", &issuer);
    exp["expirationDate"] = "2026-05-01T00:00:00Z".into();
    c.add(
        "validity-expired-v1",
        "validity",
        "expirationDate 2026-05-01T00:00:00Z has passed",
        "VC 1.1 expirationDate passed",
        &pretty(&sign(&exp, SignSuite::Jws2020, &key, &vm("key"))),
        &d,
    );
    let mut fut = v1("v2", &issuer);
    fut["issuanceDate"] = "2026-07-01T00:00:00Z".into();
    c.add(
        "validity-issued-in-future",
        "validity",
        "issuanceDate 2026-07-01T00:00:00Z is in the future",
        "VC 1.1 issuanceDate after the verification time",
        &pretty(&sign(&fut, SignSuite::Jws2020, &key, &vm("key"))),
        &d,
    );
    c.add(
        "validity-valid-until-passed",
        "validity",
        "validUntil 2026-02-01T00:00:00Z has passed",
        "VC 2.0 validUntil passed",
        &pretty(&di(
            &set(cred("v3"), "validUntil", "2026-02-01T00:00:00Z"),
            "key",
        )),
        &d,
    );
    c.add(
        "validity-valid-from-future",
        "validity",
        "validFrom 2026-12-01T00:00:00Z is in the future",
        "VC 2.0 validFrom in the future",
        &pretty(&di(
            &set(cred("v4"), "validFrom", "2026-12-01T00:00:00Z"),
            "key",
        )),
        &d,
    );
    c.add(
        "validity-malformed-date",
        "validity",
        "is not RFC 3339",
        "validUntil not a date-time",
        &pretty(&di(
            &set(cred("v5"), "validUntil", "2026-13-45T99:00:00Z"),
            "key",
        )),
        &d,
    );
    c.add(
        "validity-jwt-exp",
        "validity",
        "exp 2026-05-01T00:00:00Z has passed",
        "vc+jwt exp passed",
        &raw_jwt(
            &header,
            &serde_json::to_string(&set(cred("v6"), "exp", 1_777_593_600)).unwrap(),
            &key,
        ),
        &d,
    );
    c.add(
        "validity-jwt-nbf",
        "validity",
        "is in the future",
        "vc+jwt nbf in the future",
        &raw_jwt(
            &header,
            &serde_json::to_string(&set(cred("v7"), "nbf", 1_798_761_600)).unwrap(),
            &key,
        ),
        &d,
    );
    c.add(
        "validity-vp-embedded-expired",
        "validity",
        "validUntil 2026-02-01T00:00:00Z has passed",
        "presentation of an expired credential",
        &pretty(&sign(
            &vp(
                &holder,
                vec![di(
                    &set(cred("v8"), "validUntil", "2026-02-01T00:00:00Z"),
                    "key",
                )],
            ),
            SignSuite::EddsaRdfc2022,
            &holder_key,
            &holder_vm,
        )),
        &Opts {
            path: vec![0],
            ..Opts::default()
        },
    );

    // ---- 6. Status.
    let with_status =
        |id: &str, st: Value| pretty(&di(&set(cred(id), "credentialStatus", st), "key"));
    c.add(
        "status-revoked",
        "status",
        "revoked: entry 5",
        "bit 5 of the revocation list is set",
        &with_status(
            "st1",
            status(&format!("{BASE}/status/1"), "revocation", "5"),
        ),
        &d,
    );
    c.add(
        "status-revoked-high",
        "status",
        "revoked: entry 42",
        "bit 42 of the revocation list is set",
        &with_status(
            "st2",
            status(&format!("{BASE}/status/1"), "revocation", "42"),
        ),
        &d,
    );
    c.add(
        "status-suspended",
        "status",
        "suspended: entry 3",
        "bit 3 of the suspension list is set",
        &with_status(
            "st3",
            status(&format!("{BASE}/status/susp"), "suspension", "3"),
        ),
        &d,
    );
    c.add(
        "status-revoked-jwt",
        "status",
        "revoked: entry 5",
        "vc+jwt with a revoked status",
        &jwt(
            &set(
                cred("st4"),
                "credentialStatus",
                status(&format!("{BASE}/status/1"), "revocation", "5"),
            ),
            &key,
            &vm("key"),
        ),
        &d,
    );
    let mut sl = v1("st5", &issuer);
    sl["@context"] = json!(["https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc/status-list/2021/v1", "https://w3id.org/security/suites/jws-2020/v1", {"@vocab": "https://example.org/vocab#"}]);
    sl["credentialStatus"] = json!({"id": format!("{BASE}/status/sl2021#9"), "type": "StatusList2021Entry",
        "statusPurpose": "revocation", "statusListIndex": "9", "statusListCredential": format!("{BASE}/status/sl2021")});
    c.add(
        "status-revoked-2021",
        "status",
        "revoked: entry 9",
        "StatusList2021 entry revoked",
        &pretty(&sign(&sl, SignSuite::Jws2020, &key, &vm("key"))),
        &d,
    );
    c.add(
        "status-index-out-of-range",
        "status",
        "outside status list",
        "index beyond the list",
        &with_status(
            "st6",
            status(&format!("{BASE}/status/1"), "revocation", "999999999"),
        ),
        &d,
    );
    c.add(
        "status-purpose-mismatch",
        "status",
        "has purpose \"suspension\"",
        "entry says revocation, list is for suspension",
        &with_status(
            "st7",
            status(&format!("{BASE}/status/susp"), "revocation", "1"),
        ),
        &d,
    );
    c.add(
        "status-list-forged",
        "status",
        "is invalid",
        "status list credential altered after signing",
        &with_status(
            "st8",
            status(&format!("{BASE}/status/forged"), "revocation", "1"),
        ),
        &d,
    );
    c.add(
        "status-list-expired",
        "status",
        "has passed",
        "status list credential expired",
        &with_status(
            "st9",
            status(&format!("{BASE}/status/expired"), "revocation", "1"),
        ),
        &d,
    );
    c.add(
        "status-list-not-gzip",
        "status",
        "not GZIP",
        "encodedList is not GZIP",
        &with_status(
            "st10",
            status(&format!("{BASE}/status/notgzip"), "revocation", "1"),
        ),
        &d,
    );
    c.add(
        "status-list-wrong-type",
        "status",
        "not a BitstringStatusList",
        "status list URL points at an ordinary credential",
        &with_status(
            "st11",
            status(&format!("{BASE}/status/wrongtype"), "revocation", "1"),
        ),
        &d,
    );
    c.add("status-unsupported-type", "status", "is not supported", "RevocationList2020Status entry",
        &pretty(&sign(&set(v1("st12", &issuer), "credentialStatus", json!({"id": format!("{BASE}/status/rl2020#1"), "type": "RevocationList2020Status", "revocationListIndex": "1"})), SignSuite::Jws2020, &key, &vm("key"))), &d);
    c.add(
        "status-bad-index",
        "status",
        "statusListIndex",
        "non-numeric index",
        &with_status(
            "st13",
            status(&format!("{BASE}/status/1"), "revocation", "five"),
        ),
        &d,
    );
    c.add(
        "status-list-oversized",
        "status",
        "refused",
        "status list of 3 MiB",
        &with_status("st14", status(&format!("{BASE}/huge"), "revocation", "1")),
        &d,
    );
    c.add(
        "status-list-404",
        "status",
        "404",
        "status list not found (could not check)",
        &with_status(
            "st15",
            status(&format!("{BASE}/status/none"), "revocation", "1"),
        ),
        &Opts {
            outcome: Some("error"),
            ..Opts::default()
        },
    );
    for (id, url, desc) in [
        (
            "ssrf-status-127",
            "https://127.0.0.1/status/1",
            "status list on IPv4 loopback",
        ),
        (
            "ssrf-status-v6",
            "https://[::1]/status/1",
            "status list on IPv6 loopback",
        ),
        (
            "ssrf-status-10",
            "https://10.0.0.8/status/1",
            "status list on 10.0.0.0/8",
        ),
        (
            "ssrf-status-metadata",
            "https://169.254.169.254/latest/meta-data/iam",
            "status list at the cloud metadata address",
        ),
        (
            "ssrf-status-http",
            "http://localhost:38443/status/1",
            "status list over plain http",
        ),
        (
            "ssrf-status-redirect",
            &format!("{BASE}/redirect/status"),
            "status list redirecting to a private address",
        ),
    ] {
        c.add(
            id,
            "status",
            "refused",
            desc,
            &with_status(id, status(url, "revocation", "1")),
            &d,
        );
    }

    let n_bad = c.entries.iter().filter(|e| e["outcome"] != "valid").count();
    let manifest = json!({
        "description": "gx-attest bad corpus (issue 7): each entry names the one check that must fail (or error) and a substring of its reason. Generated by `cargo run -p gxa-verify --example bad_corpus`; verified at 2026-06-01T00:00:00Z against the local https server of crates/gxa-verify/tests/bad_corpus.rs on https://localhost:38443 (www/). Test keys only.",
        "at": "2026-06-01T00:00:00Z",
        "entries": c.entries,
    });
    c.write("manifest.json", &pretty(&manifest));
    println!(
        "{} entries ({n_bad} bad) written to {}",
        c.entries.len(),
        root.display()
    );
}
