//! The hashes a compliance credential binds its input with.
//!
//! * Tagus `gx:integrity` = `"sha256-" + hex(sha256(JCS(vc)))` over the credential *as sent*,
//!   proof included, with `gx:integrityNormalization: "RFC8785:JCS"` (GXDCH v1,
//!   `compliant-credential-subject-mapper.ts`).
//! * Loire `gx:digestSRI` = `"sha256-" + hex(sha256(JCS(payload)))` over the *decoded* VC-JWT
//!   payload (what Posedio's verifier recomputes). Hex, not the base64 of W3C Subresource
//!   Integrity: see docs/clearing-house.md.
//!
//! JCS is [RFC 8785](https://www.rfc-editor.org/rfc/rfc8785) (keys sorted by UTF-16 code units,
//! ECMAScript number formatting, minimal string escaping), from `serde_json_canonicalizer`.

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::ClearingError;

/// The RFC 8785 canonical form of `value`.
pub fn jcs(value: &Value) -> Result<Vec<u8>, ClearingError> {
    serde_json_canonicalizer::to_vec(value)
        .map_err(|e| ClearingError::Internal(format!("JCS canonicalization: {e}")))
}

/// `"sha256-" + hex(sha256(JCS(value)))`: Tagus `gx:integrity` (over the credential with its
/// proof) and Loire `gx:digestSRI` (over the decoded VC-JWT payload).
pub fn sha256_jcs(value: &Value) -> Result<String, ClearingError> {
    Ok(format!(
        "sha256-{}",
        hex::encode(Sha256::digest(jcs(value)?))
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use serde_json::json;

    use super::*;

    fn canon(text: &str) -> String {
        let value: Value = serde_json::from_str(text).unwrap();
        String::from_utf8(jcs(&value).unwrap()).unwrap()
    }

    /// RFC 8785 § 3.2.2 (the example of § 3.2.4 input and output).
    #[test]
    fn rfc8785_section_3_2_example() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50,
                      2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        assert_eq!(
            canon(input),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    /// RFC 8785 § 3.2.3: properties sorted by their UTF-16 code units.
    #[test]
    fn rfc8785_sorting() {
        let input = r#"{
          "\u20ac": "Euro Sign",
          "\r": "Carriage Return",
          "\ufb33": "Hebrew Letter Dalet With Dagesh",
          "1": "One",
          "\ud83d\ude00": "Emoji: Grinning Face",
          "\u0080": "Control",
          "\u00f6": "Latin Small Letter O With Diaeresis"
        }"#;
        assert_eq!(
            canon(input),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
    }

    /// RFC 8785 Appendix B: IEEE 754 doubles and their ECMAScript serialisation.
    #[test]
    fn rfc8785_appendix_b_numbers() {
        let cases: [(u64, &str); 15] = [
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
        ];
        for (bits, expected) in cases {
            let value = json!([f64::from_bits(bits)]);
            assert_eq!(
                String::from_utf8(jcs(&value).unwrap()).unwrap(),
                format!("[{expected}]"),
                "{bits:#018x}"
            );
        }
    }

    #[test]
    fn integrity_is_hex_sha256_of_the_canonical_form() {
        // Key order and whitespace do not matter; the value is hex, 64 digits.
        let a = sha256_jcs(&serde_json::from_str(r#"{"b": 1, "a": [1.0, "x"]}"#).unwrap()).unwrap();
        let b = sha256_jcs(&json!({"a": [1, "x"], "b": 1})).unwrap();
        assert_eq!(a, b);
        // sha256 of the bytes {"a":[1,"x"],"b":1}
        assert_eq!(
            a,
            format!(
                "sha256-{}",
                hex::encode(Sha256::digest(br#"{"a":[1,"x"],"b":1}"#))
            )
        );
        assert_ne!(a, sha256_jcs(&json!({"a": [1, "y"], "b": 1})).unwrap());
    }
}
