//! JSON parsing that refuses duplicate object keys, for every inventory input.
//!
//! RFC 8259 §4 only says names "SHOULD be unique", and parsers disagree on which duplicate wins
//! (serde_json keeps the last). An inventory is turned into signed statements, so an input that
//! means one thing to one tool and another to the next is refused, as the verifier refuses a
//! duplicated key in a credential (the same parser).

use gxa_credential::json::{Budget, parse, parse_slice};
use serde_json::Value;

/// Parses `text` as one JSON value, refusing an object that has the same key twice at any
/// depth ([`gxa_credential::json`]).
pub fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
    parse(text, &Budget::unlimited())
}

/// [`parse_json`] of bytes; bytes that are not UTF-8 are a syntax error.
pub fn parse_json_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    parse_slice(bytes, &Budget::unlimited())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_refused_at_any_depth() {
        let err = parse_json(r#"{"a":1,"a":2}"#).unwrap_err().to_string();
        assert!(err.contains("duplicate JSON key \"a\""), "{err}");
        let err = parse_json(r#"{"hosts":[{"inventory":{"cpu":1,"cpu":2}}]}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("duplicate JSON key \"cpu\""), "{err}");
        assert!(
            parse_json_slice(br#"{"x":{"a":1},"y":{"a":1}}"#).is_ok(),
            "the same key in different objects is fine"
        );
        assert_eq!(
            parse_json(r#"{"a":[1,2.5,"x",null,true],"b":{"a":1}}"#).unwrap(),
            serde_json::json!({"a":[1,2.5,"x",null,true],"b":{"a":1}})
        );
        assert!(parse_json(r#"{"a":1} x"#).is_err());
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse_json(&deep).is_err());
        let long = "k".repeat(10_000);
        let err = parse_json(&format!(r#"{{"{long}":1,"{long}":2}}"#))
            .unwrap_err()
            .to_string();
        assert!(
            err.len() < 200,
            "the key is not echoed whole: {}",
            err.len()
        );
    }
}
