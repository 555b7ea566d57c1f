//! base64url without padding (RFC 7515 §2) and base58btc multibase (the `z` prefix of
//! <https://www.w3.org/TR/controller-document/#multibase-0>).

pub(crate) use gxa_credential::compact::{decode, encode};

/// `z` + base58btc.
pub(crate) fn multibase_encode(bytes: &[u8]) -> String {
    format!("z{}", bs58::encode(bytes).into_string())
}

/// Decodes a `z`-prefixed base58btc multibase string.
pub(crate) fn multibase_decode(text: &str) -> Option<Vec<u8>> {
    let rest = text.strip_prefix('z')?;
    bs58::decode(rest).into_vec().ok()
}
