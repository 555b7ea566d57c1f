//! base64url without padding (RFC 7515 §2) and base58btc multibase (the `z` prefix of
//! <https://www.w3.org/TR/controller-document/#multibase-0>).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// base64url-encodes without padding.
pub(crate) fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// base64url-decodes; padding and the standard alphabet are refused (RFC 7515 §2).
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.as_bytes()).ok()
}

/// `z` + base58btc.
pub(crate) fn multibase_encode(bytes: &[u8]) -> String {
    format!("z{}", bs58::encode(bytes).into_string())
}

/// Decodes a `z`-prefixed base58btc multibase string.
pub(crate) fn multibase_decode(text: &str) -> Option<Vec<u8>> {
    let rest = text.strip_prefix('z')?;
    bs58::decode(rest).into_vec().ok()
}
