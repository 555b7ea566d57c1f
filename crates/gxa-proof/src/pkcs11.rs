//! PKCS#11 signing keys (RFC 7512 URIs, <https://www.rfc-editor.org/rfc/rfc7512>) through
//! `cryptoki`: the private key never leaves the token; only the message (or, for ECDSA, its
//! hash) goes in and the signature comes out.
//!
//! URI: `pkcs11:token=<label>;object=<label>[;id=%01]?module-path=<lib>&pin-value=<pin>`
//! (`pin-source=file:<path>` also works). Mechanisms: EdDSA `CKM_EDDSA`; ES256/ES384 hash on
//! the host + `CKM_ECDSA` (SoftHSM2 has no `CKM_ECDSA_SHA256`), whose output is already the
//! JWS r‖s form; PS256 `CKM_SHA256_RSA_PKCS_PSS` (MGF1-SHA256, salt 32); RS256
//! `CKM_SHA256_RSA_PKCS`.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;

use crate::{Algorithm, Curve, KeyError, PublicKey, Signer};

/// DER of the named-curve OIDs (CKA_EC_PARAMS).
const P256_OID: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const P384_OID: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
/// id-Ed25519 (RFC 8410) and the PrintableString form SoftHSM also accepts.
const ED25519_OID: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
const ED25519_NAME: &[u8] = b"\x13\x0cedwards25519";

fn err(context: &str) -> impl Fn(cryptoki::error::Error) -> KeyError + '_ {
    move |e| KeyError::Pkcs11(format!("{context}: {e}"))
}

/// A parsed RFC 7512 URI.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pkcs11Uri {
    /// `token` (label).
    pub token: Option<String>,
    /// `object` (label).
    pub object: Option<String>,
    /// `id` (bytes).
    pub id: Option<Vec<u8>>,
    /// `module-path`.
    pub module_path: Option<String>,
    /// `pin-value` (or the content of `pin-source`).
    pub pin: Option<String>,
}

fn percent_decode(s: &str) -> Result<Vec<u8>, KeyError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| KeyError::Malformed(format!("bad %-escape in PKCS#11 URI: {s}")))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

impl Pkcs11Uri {
    /// Parses `pkcs11:path?query`.
    pub fn parse(uri: &str) -> Result<Self, KeyError> {
        let rest = uri
            .strip_prefix("pkcs11:")
            .ok_or_else(|| KeyError::Malformed("not a pkcs11: URI".into()))?;
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let mut out = Self::default();
        let text = |v: &str| -> Result<String, KeyError> {
            String::from_utf8(percent_decode(v)?)
                .map_err(|_| KeyError::Malformed("PKCS#11 URI is not UTF-8".into()))
        };
        for attr in path.split(';').filter(|a| !a.is_empty()) {
            let (k, v) = attr
                .split_once('=')
                .ok_or_else(|| KeyError::Malformed(format!("PKCS#11 URI attribute {attr:?}")))?;
            match k {
                "token" => out.token = Some(text(v)?),
                "object" => out.object = Some(text(v)?),
                "id" => out.id = Some(percent_decode(v)?),
                _ => {}
            }
        }
        for attr in query.split('&').filter(|a| !a.is_empty()) {
            let (k, v) = attr
                .split_once('=')
                .ok_or_else(|| KeyError::Malformed(format!("PKCS#11 URI query {attr:?}")))?;
            match k {
                "module-path" => out.module_path = Some(text(v)?),
                "pin-value" => out.pin = Some(text(v)?),
                "pin-source" => {
                    let path = text(v)?;
                    let path = path.strip_prefix("file:").unwrap_or(&path).to_owned();
                    let pin = std::fs::read_to_string(&path)
                        .map_err(|source| KeyError::Io { path, source })?;
                    out.pin = Some(pin.trim_end().to_owned());
                }
                _ => {}
            }
        }
        if out.object.is_none() && out.id.is_none() {
            return Err(KeyError::Malformed(
                "PKCS#11 URI names no object or id".into(),
            ));
        }
        Ok(out)
    }
}

/// One initialised context per module per process (C_Initialize may run only once).
fn context(module: &str) -> Result<Pkcs11, KeyError> {
    static CONTEXTS: OnceLock<Mutex<HashMap<String, Pkcs11>>> = OnceLock::new();
    let map = CONTEXTS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = map
        .lock()
        .map_err(|_| KeyError::Pkcs11("context lock poisoned".into()))?;
    if let Some(ctx) = map.get(module) {
        return Ok(ctx.clone());
    }
    let ctx = Pkcs11::new(module).map_err(err("loading the module"))?;
    ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .map_err(err("C_Initialize"))?;
    map.insert(module.to_owned(), ctx.clone());
    Ok(ctx)
}

/// Parses `uri`, opens a session on its token with `open` (read-only or read-write) and logs in
/// with the URI's PIN.
fn logged_in(
    uri: &str,
    open: fn(&Pkcs11, Slot) -> cryptoki::error::Result<Session>,
) -> Result<(Pkcs11Uri, Session), KeyError> {
    let parsed = Pkcs11Uri::parse(uri)?;
    let module = parsed
        .module_path
        .clone()
        .ok_or_else(|| KeyError::Malformed("PKCS#11 URI without module-path".into()))?;
    let ctx = context(&module)?;
    let slot = find_slot(&ctx, parsed.token.as_deref())?;
    let session = open(&ctx, slot).map_err(err("opening a session"))?;
    login(&session, parsed.pin.as_deref())?;
    Ok((parsed, session))
}

fn find_slot(ctx: &Pkcs11, token: Option<&str>) -> Result<Slot, KeyError> {
    for slot in ctx.get_slots_with_token().map_err(err("listing slots"))? {
        let info = ctx.get_token_info(slot).map_err(err("token info"))?;
        if token.is_none_or(|t| info.label().trim_end() == t) {
            return Ok(slot);
        }
    }
    Err(KeyError::Pkcs11(format!(
        "no token {}",
        token.unwrap_or("(any)")
    )))
}

fn login(session: &Session, pin: Option<&str>) -> Result<(), KeyError> {
    let Some(pin) = pin else {
        return Ok(());
    };
    match session.login(UserType::User, Some(&AuthPin::new(pin.into()))) {
        Ok(()) => Ok(()),
        Err(cryptoki::error::Error::Pkcs11(cryptoki::error::RvError::UserAlreadyLoggedIn, _)) => {
            Ok(())
        }
        Err(e) => Err(err("login")(e)),
    }
}

fn template(uri: &Pkcs11Uri, class: ObjectClass) -> Vec<Attribute> {
    let mut t = vec![Attribute::Class(class)];
    if let Some(label) = &uri.object {
        t.push(Attribute::Label(label.as_bytes().to_vec()));
    }
    if let Some(id) = &uri.id {
        t.push(Attribute::Id(id.clone()));
    }
    t
}

fn unwrap_octet_string(point: Vec<u8>, raw_len: usize) -> Vec<u8> {
    if point.len() == raw_len {
        return point;
    }
    // DER OCTET STRING around the point (what the standard says CKA_EC_POINT holds).
    if point.first() == Some(&0x04) {
        let (len, header) = match point.get(1) {
            Some(&l) if l < 0x80 => (usize::from(l), 2),
            Some(0x81) => (point.get(2).map(|&l| usize::from(l)).unwrap_or(0), 3),
            _ => (0, 0),
        };
        if header > 0 && point.len() == header + len {
            return point[header..].to_vec();
        }
    }
    point
}

fn attr_bytes(
    session: &Session,
    obj: ObjectHandle,
    kind: AttributeType,
) -> Result<Vec<u8>, KeyError> {
    let attrs = session
        .get_attributes(obj, &[kind])
        .map_err(err("reading attributes"))?;
    for a in attrs {
        match a {
            Attribute::EcParams(v)
            | Attribute::EcPoint(v)
            | Attribute::Modulus(v)
            | Attribute::PublicExponent(v) => {
                return Ok(v);
            }
            _ => {}
        }
    }
    Err(KeyError::Pkcs11(format!("attribute {kind:?} missing")))
}

/// Reads the public key of the object pair named by `uri`.
fn public_key(session: &Session, uri: &Pkcs11Uri) -> Result<PublicKey, KeyError> {
    let objs = session
        .find_objects(&template(uri, ObjectClass::PUBLIC_KEY))
        .map_err(err("finding the public key"))?;
    let obj = *objs
        .first()
        .ok_or_else(|| KeyError::Pkcs11("no public key object with this label/id".into()))?;
    let kind = session
        .get_attributes(obj, &[AttributeType::KeyType])
        .map_err(err("key type"))?
        .into_iter()
        .find_map(|a| match a {
            Attribute::KeyType(k) => Some(k),
            _ => None,
        })
        .ok_or_else(|| KeyError::Pkcs11("no key type".into()))?;
    if kind == KeyType::RSA {
        let n = attr_bytes(session, obj, AttributeType::Modulus)?;
        let e = attr_bytes(session, obj, AttributeType::PublicExponent)?;
        return PublicKey::from_jwk(&serde_json::json!({
            "kty": "RSA", "n": crate::b64::encode(&n), "e": crate::b64::encode(&e)
        }));
    }
    let params = attr_bytes(session, obj, AttributeType::EcParams)?;
    let point = attr_bytes(session, obj, AttributeType::EcPoint)?;
    if kind == KeyType::EC_EDWARDS && (params == ED25519_OID || params == ED25519_NAME) {
        let x: [u8; 32] = unwrap_octet_string(point, 32)
            .try_into()
            .map_err(|_| KeyError::Pkcs11("Ed25519 point is not 32 bytes".into()))?;
        return Ok(PublicKey::Ed25519(x));
    }
    let curve = match params.as_slice() {
        P256_OID => Curve::P256,
        P384_OID => Curve::P384,
        _ => return Err(KeyError::Unsupported("token key curve".into())),
    };
    let point = unwrap_octet_string(point, 1 + 2 * curve.coordinate_len());
    Ok(PublicKey::Ec { curve, point })
}

/// A signer backed by a PKCS#11 token.
pub struct Pkcs11Signer {
    alg: Algorithm,
    public: PublicKey,
    session: Mutex<Session>,
    key: ObjectHandle,
}

impl std::fmt::Debug for Pkcs11Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Signer")
            .field("alg", &self.alg)
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl Pkcs11Signer {
    /// Opens the private key named by an RFC 7512 URI (with `module-path` and a PIN).
    pub fn open(uri: &str) -> Result<Self, KeyError> {
        let (parsed, session) = logged_in(uri, Pkcs11::open_ro_session)?;
        let public = public_key(&session, &parsed)?;
        let key = *session
            .find_objects(&template(&parsed, ObjectClass::PRIVATE_KEY))
            .map_err(err("finding the private key"))?
            .first()
            .ok_or_else(|| KeyError::Pkcs11("no private key object with this label/id".into()))?;
        Ok(Self {
            alg: public.default_algorithm(),
            public,
            session: Mutex::new(session),
            key,
        })
    }

    /// The same key with another algorithm (RSA: PS256 ↔ RS256).
    pub fn with_algorithm(self, alg: Algorithm) -> Result<Self, KeyError> {
        if !self.public.fits(alg) {
            return Err(KeyError::AlgorithmMismatch {
                alg,
                key: self.public.describe(),
            });
        }
        Ok(Self { alg, ..self })
    }
}

impl Signer for Pkcs11Signer {
    fn algorithm(&self) -> Algorithm {
        self.alg
    }

    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        use aws_lc_rs::digest;
        let session = self
            .session
            .lock()
            .map_err(|_| KeyError::Pkcs11("session lock poisoned".into()))?;
        let (mechanism, data) = match self.alg {
            Algorithm::EdDsa => (
                Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure)),
                message.to_vec(),
            ),
            Algorithm::Es256 => (
                Mechanism::Ecdsa,
                digest::digest(&digest::SHA256, message).as_ref().to_vec(),
            ),
            Algorithm::Es384 => (
                Mechanism::Ecdsa,
                digest::digest(&digest::SHA384, message).as_ref().to_vec(),
            ),
            Algorithm::Ps256 => (
                Mechanism::Sha256RsaPkcsPss(PkcsPssParams {
                    hash_alg: MechanismType::SHA256,
                    mgf: PkcsMgfType::MGF1_SHA256,
                    s_len: 32.into(),
                }),
                message.to_vec(),
            ),
            Algorithm::Rs256 => (Mechanism::Sha256RsaPkcs, message.to_vec()),
            other => return Err(KeyError::Unsupported(format!("{other} on a PKCS#11 token"))),
        };
        session
            .sign(&mechanism, self.key, &data)
            .map_err(err("C_Sign"))
    }
}

/// Generates a key pair on the token named by `uri` (label/id from the URI), non-extractable
/// and sensitive, and returns its public key. For development tokens (SoftHSM2) and tests.
pub fn generate_on_token(uri: &str, alg: Algorithm) -> Result<PublicKey, KeyError> {
    let (parsed, session) = logged_in(uri, Pkcs11::open_rw_session)?;
    let mut common = vec![Attribute::Token(true)];
    if let Some(label) = &parsed.object {
        common.push(Attribute::Label(label.as_bytes().to_vec()));
    }
    if let Some(id) = &parsed.id {
        common.push(Attribute::Id(id.clone()));
    }
    let mut public = common.clone();
    public.push(Attribute::Verify(true));
    let mut private = common;
    private.extend([
        Attribute::Sign(true),
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
    ]);
    let mechanism = match alg {
        Algorithm::EdDsa => {
            public.push(Attribute::EcParams(ED25519_NAME.to_vec()));
            Mechanism::EccEdwardsKeyPairGen
        }
        Algorithm::Es256 | Algorithm::Es384 => {
            let oid = if alg == Algorithm::Es256 {
                P256_OID
            } else {
                P384_OID
            };
            public.push(Attribute::EcParams(oid.to_vec()));
            Mechanism::EccKeyPairGen
        }
        Algorithm::Ps256 | Algorithm::Rs256 => {
            public.push(Attribute::ModulusBits(2048.into()));
            public.push(Attribute::PublicExponent(vec![1, 0, 1]));
            Mechanism::RsaPkcsKeyPairGen
        }
        other => return Err(KeyError::Unsupported(format!("{other} on a PKCS#11 token"))),
    };
    session
        .generate_key_pair(&mechanism, &public, &private)
        .map_err(err("C_GenerateKeyPair"))?;
    public_key(&session, &parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_parsing() {
        let uri = Pkcs11Uri::parse(
            "pkcs11:token=gx%20dev;object=signing;id=%01%02?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234",
        )
        .unwrap();
        assert_eq!(uri.token.as_deref(), Some("gx dev"));
        assert_eq!(uri.object.as_deref(), Some("signing"));
        assert_eq!(uri.id, Some(vec![1, 2]));
        assert_eq!(
            uri.module_path.as_deref(),
            Some("/usr/lib/softhsm/libsofthsm2.so")
        );
        assert_eq!(uri.pin.as_deref(), Some("1234"));
        assert!(Pkcs11Uri::parse("pkcs11:token=x").is_err());
        assert!(Pkcs11Uri::parse("file:x").is_err());
        assert!(Pkcs11Uri::parse("pkcs11:object=%zz").is_err());
    }
}
