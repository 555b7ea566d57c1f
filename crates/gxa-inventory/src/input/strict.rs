//! JSON parsing that refuses duplicate object keys, for every inventory input.
//!
//! RFC 8259 §4 only says names "SHOULD be unique", and parsers disagree on which duplicate wins
//! (serde_json keeps the last). An inventory is turned into signed statements, so an input that
//! means one thing to one tool and another to the next is refused, as the verifier refuses a
//! duplicated key in a credential (`gxa-verify`'s `json.rs`).

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Parses `text` as one JSON value, refusing an object that has the same key twice at any
/// depth. Nesting is limited by serde_json's recursion limit (128).
pub fn parse_json(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = StrictValue.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// [`parse_json`] of bytes; bytes that are not UTF-8 are a syntax error.
pub fn parse_json_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

struct StrictValue;

impl<'de> DeserializeSeed<'de> for StrictValue {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(StrictValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate JSON key {:?}",
                    bounded(&key)
                )));
            }
            let value = map.next_value_seed(StrictValue)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// A key as named in an error: at most 64 characters.
fn bounded(key: &str) -> String {
    match key.char_indices().nth(64) {
        Some((end, _)) => format!("{}…", &key[..end]),
        None => key.to_owned(),
    }
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
