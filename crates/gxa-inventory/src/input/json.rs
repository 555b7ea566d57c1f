//! Small typed accessors over `serde_json::Value` that turn a missing or mistyped field into an
//! [`InputError::Invalid`] naming its path.

use serde_json::{Map, Value};

use super::InputError;

/// A JSON object being read, with its path for messages.
pub(crate) struct Obj<'a> {
    pub(crate) what: &'a str,
    pub(crate) at: String,
    pub(crate) map: &'a Map<String, Value>,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(what: &'a str, at: String, value: &'a Value) -> Result<Self, InputError> {
        match value {
            Value::Object(map) => Ok(Self { what, at, map }),
            other => Err(invalid(
                what,
                &at,
                format!("expected an object, found {}", kind(other)),
            )),
        }
    }

    pub(crate) fn err(&self, key: &str, message: impl Into<String>) -> InputError {
        invalid(self.what, &format!("{}.{key}", self.at), message.into())
    }

    /// The first of `keys` that is present and not null.
    pub(crate) fn get(&self, keys: &[&str]) -> Option<(&'a str, &'a Value)> {
        keys.iter().find_map(|k| {
            self.map
                .get_key_value(*k)
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.as_str(), v))
        })
    }

    pub(crate) fn opt_str(&self, keys: &[&str]) -> Result<Option<&'a str>, InputError> {
        match self.get(keys) {
            None => Ok(None),
            Some((_, Value::String(s))) => Ok(Some(s)),
            Some((k, other)) => {
                Err(self.err(k, format!("expected a string, found {}", kind(other))))
            }
        }
    }

    pub(crate) fn str(&self, keys: &[&str]) -> Result<&'a str, InputError> {
        self.opt_str(keys)?
            .ok_or_else(|| self.err(keys.first().copied().unwrap_or("?"), "missing"))
    }

    /// A non-negative integer, also accepted as a numeric string (Glance stores properties as
    /// strings).
    pub(crate) fn opt_u64(&self, keys: &[&str]) -> Result<Option<u64>, InputError> {
        match self.get(keys) {
            None => Ok(None),
            Some((k, v)) => as_u64(v).map(Some).ok_or_else(|| {
                self.err(
                    k,
                    format!("expected a non-negative integer, found {}", short(v)),
                )
            }),
        }
    }

    pub(crate) fn u64(&self, keys: &[&str]) -> Result<u64, InputError> {
        self.opt_u64(keys)?
            .ok_or_else(|| self.err(keys.first().copied().unwrap_or("?"), "missing"))
    }

    pub(crate) fn opt_bool(&self, keys: &[&str]) -> Result<Option<bool>, InputError> {
        match self.get(keys) {
            None => Ok(None),
            Some((k, v)) => as_bool(v)
                .map(Some)
                .ok_or_else(|| self.err(k, format!("expected a boolean, found {}", short(v)))),
        }
    }

    pub(crate) fn opt_obj(&self, keys: &[&str]) -> Result<Option<Obj<'a>>, InputError> {
        match self.get(keys) {
            None => Ok(None),
            Some((k, v)) => Obj::new(self.what, format!("{}.{k}", self.at), v).map(Some),
        }
    }

    pub(crate) fn opt_array(&self, keys: &[&str]) -> Result<&'a [Value], InputError> {
        match self.get(keys) {
            None => Ok(&[]),
            Some((_, Value::Array(a))) => Ok(a),
            Some((k, other)) => {
                Err(self.err(k, format!("expected an array, found {}", kind(other))))
            }
        }
    }
}

pub(crate) fn invalid(what: &str, at: &str, message: String) -> InputError {
    InputError::Invalid {
        what: what.to_owned(),
        at: at.to_owned(),
        message,
    }
}

pub(crate) fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 9.0e15)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(crate) fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Some(true),
            "false" | "no" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

/// A value as the string OpenStack would show (strings as they are, others as JSON).
pub(crate) fn display(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
