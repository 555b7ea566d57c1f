//! Status entries and status list bitstrings: W3C Bitstring Status List v1.0
//! (<https://www.w3.org/TR/vc-bitstring-status-list/>) and its predecessor StatusList2021
//! (<https://www.w3.org/TR/2023/WD-vc-status-list-20230427/>).
//!
//! The list credential's `encodedList` is a GZIP-compressed bitstring, base64url-encoded without
//! padding, with the multibase prefix `u` in Bitstring Status List and without it in
//! StatusList2021 (both forms are accepted). Index 0 is the left-most (most significant) bit of
//! the first byte (§4.1 "Bitstring Encoding",
//! <https://www.w3.org/TR/vc-bitstring-status-list/#bitstring-encoding>).

use std::io::Read as _;

use base64::Engine as _;
use serde_json::Value;

/// Decompressed bitstrings larger than this are refused (16 MiB = 134 million entries; the
/// specification's minimum is 16 KiB). Guards against GZIP bombs.
pub(crate) const MAX_BITSTRING_BYTES: u64 = 16 * 1024 * 1024;

/// One `credentialStatus` entry this verifier understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StatusEntry {
    /// `BitstringStatusListEntry` or `StatusList2021Entry`.
    pub(crate) kind: String,
    /// `revocation`, `suspension`, `message`, …
    pub(crate) purpose: String,
    /// The bit (or first bit, for `statusSize` > 1) index.
    pub(crate) index: u64,
    /// Bits per entry (`statusSize`, default 1).
    pub(crate) size: u32,
    /// URL of the status list credential.
    pub(crate) list_url: String,
}

/// The entries of `credentialStatus` (object or array); unknown types are an error naming the
/// type, since a status we cannot read must not pass silently.
pub(crate) fn entries(doc: &Value) -> Result<Vec<StatusEntry>, String> {
    let list: Vec<&Value> = match doc.get("credentialStatus") {
        None => return Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().collect(),
        Some(v) => vec![v],
    };
    list.into_iter().map(entry).collect()
}

fn entry(v: &Value) -> Result<StatusEntry, String> {
    let kind = match v.get("type") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .find(|t| is_known(t))
            .unwrap_or_default()
            .to_owned(),
        _ => String::new(),
    };
    if !is_known(&kind) {
        return Err(format!(
            "credentialStatus type {:?} is not supported (BitstringStatusListEntry, StatusList2021Entry)",
            v.get("type").map(Value::to_string).unwrap_or_default()
        ));
    }
    let text = |name: &str| -> Result<String, String> {
        match v.get(name) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            _ => Err(format!("{kind} without {name}")),
        }
    };
    let index: u64 = text("statusListIndex")?
        .parse()
        .map_err(|_| format!("{kind}: statusListIndex is not a non-negative integer"))?;
    let size: u32 = match v.get("statusSize") {
        None => 1,
        Some(s) => s
            .as_u64()
            .or_else(|| s.as_str().and_then(|s| s.parse().ok()))
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| (1..=64).contains(n))
            .ok_or_else(|| format!("{kind}: statusSize must be an integer 1..=64"))?,
    };
    Ok(StatusEntry {
        purpose: text("statusPurpose")?,
        list_url: text("statusListCredential")?,
        kind,
        index,
        size,
    })
}

fn is_known(t: &str) -> bool {
    t == "BitstringStatusListEntry" || t == "StatusList2021Entry"
}

/// The decoded bitstring of a status list credential's subject, with its purpose.
#[derive(Debug)]
pub(crate) struct Bitstring {
    pub(crate) purpose: Option<String>,
    bytes: Vec<u8>,
}

impl Bitstring {
    /// Reads `credentialSubject.encodedList` (and `statusPurpose`) of a list credential.
    pub(crate) fn from_list_credential(list: &Value) -> Result<Self, String> {
        let subject = match list.get("credentialSubject") {
            Some(Value::Array(a)) if a.len() == 1 => &a[0],
            Some(s @ Value::Object(_)) => s,
            _ => return Err("status list credential has no single credentialSubject".into()),
        };
        let kind_ok = match subject.get("type") {
            Some(Value::String(s)) => s == "BitstringStatusList" || s == "StatusList2021",
            Some(Value::Array(a)) => a
                .iter()
                .any(|t| t == "BitstringStatusList" || t == "StatusList2021"),
            _ => false,
        };
        if !kind_ok {
            return Err(
                "status list credential subject is not a BitstringStatusList / StatusList2021"
                    .into(),
            );
        }
        let encoded = subject
            .get("encodedList")
            .and_then(Value::as_str)
            .ok_or("status list credential subject has no encodedList")?;
        let purpose = match subject.get("statusPurpose") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).next().map(str::to_owned),
            _ => None,
        };
        Ok(Self {
            purpose,
            bytes: decode(encoded)?,
        })
    }

    /// The value of `size` bits starting at `index`; `None` when out of range.
    pub(crate) fn value(&self, index: u64, size: u32) -> Option<u64> {
        let total_bits = u64::try_from(self.bytes.len()).ok()?.checked_mul(8)?;
        let start = index.checked_mul(u64::from(size))?;
        if start.checked_add(u64::from(size))? > total_bits {
            return None;
        }
        let mut value = 0u64;
        for bit in start..start + u64::from(size) {
            let byte = *self.bytes.get(usize::try_from(bit / 8).ok()?)?;
            let set = (byte >> (7 - (bit % 8))) & 1;
            value = (value << 1) | u64::from(set);
        }
        Some(value)
    }

    /// Number of entries of `size` bits.
    pub(crate) fn len(&self, size: u32) -> u64 {
        (self.bytes.len() as u64 * 8) / u64::from(size.max(1))
    }
}

/// Multibase-base64url (or plain base64url) GZIP bitstring → bytes.
pub(crate) fn decode(encoded: &str) -> Result<Vec<u8>, String> {
    let b64 = encoded.strip_prefix('u').unwrap_or(encoded);
    let gz = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64.trim_end_matches('='))
        .map_err(|e| format!("encodedList is not base64url: {e}"))?;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .take(MAX_BITSTRING_BYTES + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("encodedList is not GZIP: {e}"))?;
    if out.len() as u64 > MAX_BITSTRING_BYTES {
        return Err(format!(
            "encodedList decompresses to more than {MAX_BITSTRING_BYTES} bytes"
        ));
    }
    Ok(out)
}

/// Bytes → GZIP → multibase base64url (`u…`), the Bitstring Status List encoding; used by the
/// corpus generator and tests.
pub fn encode_bitstring(bytes: &[u8]) -> String {
    use std::io::Write as _;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let compressed = gz
        .write_all(bytes)
        .and_then(|()| gz.finish())
        .unwrap_or_default();
    format!(
        "u{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bit_order_and_both_encodings() {
        let mut bytes = vec![0u8; 16 * 1024];
        bytes[0] = 0b1000_0001;
        bytes[1] = 0b0100_0000;
        let enc = encode_bitstring(&bytes);
        assert!(enc.starts_with("uH4sI"));
        let list = json!({"credentialSubject": {"type": "BitstringStatusList",
            "statusPurpose": "revocation", "encodedList": enc}});
        let bits = Bitstring::from_list_credential(&list).unwrap();
        assert_eq!(bits.purpose.as_deref(), Some("revocation"));
        assert_eq!(bits.value(0, 1), Some(1));
        assert_eq!(bits.value(1, 1), Some(0));
        assert_eq!(bits.value(7, 1), Some(1));
        assert_eq!(bits.value(9, 1), Some(1));
        assert_eq!(bits.value(0, 2), Some(0b10));
        assert_eq!(bits.value(16 * 1024 * 8, 1), None);
        assert_eq!(bits.len(1), 16 * 1024 * 8);
        // StatusList2021: no multibase prefix.
        assert_eq!(decode(&enc[1..]).unwrap(), bytes);
        assert!(decode("u!!").is_err());
        assert!(decode("uAAAA").is_err());
    }

    #[test]
    fn gzip_bomb_refused() {
        let big = vec![0u8; (MAX_BITSTRING_BYTES + 1) as usize];
        let enc = encode_bitstring(&big);
        assert!(decode(&enc).unwrap_err().contains("more than"));
    }

    #[test]
    fn entries_parsed_and_unknown_types_refused() {
        let doc = json!({"credentialStatus": [{"type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": "94567",
            "statusListCredential": "https://example.com/status/3"},
            {"type": "StatusList2021Entry", "statusPurpose": "suspension",
             "statusListIndex": 3, "statusListCredential": "https://example.com/s"}]});
        let e = entries(&doc).unwrap();
        assert_eq!(e[0].index, 94567);
        assert_eq!(e[1].purpose, "suspension");
        assert_eq!(e[1].size, 1);
        let bad = json!({"credentialStatus": {"type": "RevocationList2020Status"}});
        assert!(entries(&bad).unwrap_err().contains("not supported"));
        let bad = json!({"credentialStatus": {"type": "BitstringStatusListEntry",
            "statusPurpose": "revocation", "statusListIndex": "-1",
            "statusListCredential": "x"}});
        assert!(entries(&bad).unwrap_err().contains("statusListIndex"));
        assert!(entries(&json!({})).unwrap().is_empty());
    }
}
