//! JSON parsing that refuses duplicate object keys, with a bound on the values read.
//!
//! RFC 8259 §4 only says names "SHOULD be unique"; parsers disagree on which duplicate wins
//! (serde_json keeps the last, others the first). A signed document with a duplicated key can
//! therefore mean one thing to the signer's canonicalizer and another to the relying party,
//! and an inventory input one thing to one tool and another to the next; every reader of a
//! credential, a JWT segment or an inventory input refuses it with this one parser
//! (<https://www.rfc-editor.org/rfc/rfc8259#section-4>). Nesting is limited by serde_json's
//! recursion limit (128).

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// How many more JSON values a parse may produce; one budget may be shared by every parse of
/// one input (a presentation and the JWTs inside it).
#[derive(Debug)]
pub struct Budget {
    limit: usize,
    left: Cell<usize>,
}

impl Budget {
    /// At most `limit` values.
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            left: Cell::new(limit),
        }
    }

    /// No limit.
    pub fn unlimited() -> Self {
        Self::new(usize::MAX)
    }

    fn take<E: de::Error>(&self) -> Result<(), E> {
        match self.left.get().checked_sub(1) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(E::custom(format_args!(
                "more than {} JSON values: over the verifier's limit, not read further",
                self.limit
            ))),
        }
    }
}

/// Parses `text` as one JSON value, refusing an object that has the same key twice at any
/// depth, and failing as soon as more values than `budget` allows were read.
pub fn parse(text: &str, budget: &Budget) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = StrictValue { budget }.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// [`parse`] of bytes; bytes that are not UTF-8 are a syntax error. UTF-8 text is checked
/// once, up front, and read as `str` (serde_json's slice reader checks each string on its
/// own); only other bytes go through the slice reader, for its error with the position.
pub fn parse_slice(bytes: &[u8], budget: &Budget) -> Result<Value, serde_json::Error> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return parse(text, budget);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = StrictValue { budget }.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

struct StrictValue<'a> {
    budget: &'a Budget,
}

impl<'de> DeserializeSeed<'de> for StrictValue<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrictValue<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.budget.take::<E>()?;
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.budget.take::<A::Error>()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(StrictValue {
            budget: self.budget,
        })? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.budget.take::<A::Error>()?;
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.is_empty() && key == ARBITRARY_PRECISION_TOKEN && arbitrary_precision() {
                let text: String = map.next_value()?;
                return text
                    .parse::<serde_json::Number>()
                    .map(Value::Number)
                    .map_err(de::Error::custom);
            }
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate JSON key {:?}",
                    bounded(&key)
                )));
            }
            let value = map.next_value_seed(StrictValue {
                budget: self.budget,
            })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// With serde_json's `arbitrary_precision` feature (which some crates enable, e.g. the
/// Rust peers of the cross-checks, and which Cargo then turns on for every crate of that
/// build), the deserializer hands a number that is not a plain integer to a visitor as a
/// one-entry map under this key, the number's text as its value.
const ARBITRARY_PRECISION_TOKEN: &str = "$serde_json::private::Number";

/// Whether this build's serde_json has `arbitrary_precision` (then a number keeps its text:
/// `1.50` stays `1.50`). Without it, a key spelled like the token is an ordinary key.
fn arbitrary_precision() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| {
        "1.50"
            .parse::<serde_json::Number>()
            .is_ok_and(|n| n.to_string() == "1.50")
    })
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

    fn strict(text: &str) -> Result<Value, String> {
        parse(text, &Budget::unlimited()).map_err(|e| e.to_string())
    }

    /// Numbers come out as numbers whether or not serde_json has `arbitrary_precision` (the
    /// cross-checks of tests/rustpeers build with it); without it, a key spelled like its
    /// private token is an ordinary key.
    #[test]
    fn numbers_with_and_without_arbitrary_precision() {
        let value = strict(r#"{"a":[1,2.5,-0.0,1e21,9007199254740993]}"#).unwrap();
        let numbers = value["a"].as_array().unwrap();
        assert!(numbers.iter().all(Value::is_number), "{value}");
        assert_eq!(numbers[1].as_f64(), Some(2.5));
        assert_eq!(numbers[3].as_f64(), Some(1e21));
        if !arbitrary_precision() {
            let value = strict(r#"{"$serde_json::private::Number":"2.5"}"#).unwrap();
            assert_eq!(value["$serde_json::private::Number"], "2.5");
        }
    }

    #[test]
    fn duplicates_refused_at_any_depth() {
        let err = strict(r#"{"a":1,"a":2}"#).unwrap_err();
        assert!(err.contains("duplicate JSON key \"a\""), "{err}");
        let err = strict(r#"{"a":[{"b":{"c":1,"c":1}}]}"#).unwrap_err();
        assert!(err.contains("duplicate JSON key \"c\""), "{err}");
        assert_eq!(
            strict(r#"{"a":[1,2.5,"x",null,true],"b":{"a":1}}"#).unwrap(),
            serde_json::json!({"a":[1,2.5,"x",null,true],"b":{"a":1}})
        );
        assert!(strict(r#"{"a":1} x"#).is_err());
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(strict(&deep).is_err());
        let long = "k".repeat(100);
        let err = strict(&format!(r#"{{"{long}":1,"{long}":2}}"#)).unwrap_err();
        assert!(err.contains(&format!("\"{}…\"", "k".repeat(64))), "{err}");
        assert!(parse_slice(b"[\"\xff\"]", &Budget::unlimited()).is_err());
    }

    #[test]
    fn the_value_budget_is_shared_and_enforced() {
        let budget = Budget::new(7);
        // {"a":[1,2],"b":{}} is 6 values.
        parse(r#"{"a":[1,2],"b":{}}"#, &budget).unwrap();
        let err = parse("[1,2]", &budget).unwrap_err().to_string();
        assert!(err.contains("more than 7 JSON values"), "{err}");
        let many = format!("[{}]", vec!["{}"; 100_000].join(","));
        let err = parse(&many, &Budget::new(50_000)).unwrap_err().to_string();
        assert!(err.contains("more than 50000"), "{err}");
        assert!(strict(&many).is_ok());
    }
}
