//! Credential or presentation, read from `type` ([VC 2.0 §4.5]).
//!
//! [VC 2.0 §4.5]: https://www.w3.org/TR/vc-data-model-2.0/#types

use serde_json::Value;

/// What a document is, by its `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// `VerifiableCredential`.
    Credential,
    /// `VerifiablePresentation`.
    Presentation,
}

impl DocumentKind {
    /// The kind of `doc`: a presentation if its `type` names `VerifiablePresentation`, else a
    /// credential if it names `VerifiableCredential`, else none.
    pub fn of(doc: &Value) -> Option<Self> {
        let has = |t: &str| match doc.get("type") {
            Some(Value::String(s)) => s == t,
            Some(Value::Array(a)) => a.iter().any(|v| v == t),
            _ => false,
        };
        if has("VerifiablePresentation") {
            Some(Self::Presentation)
        } else if has("VerifiableCredential") {
            Some(Self::Credential)
        } else {
            None
        }
    }

    /// The `type` value: `VerifiableCredential` or `VerifiablePresentation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Credential => "VerifiableCredential",
            Self::Presentation => "VerifiablePresentation",
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn kinds() {
        let of = |t| DocumentKind::of(&json!({ "type": t }));
        assert_eq!(
            of(json!("VerifiableCredential")),
            Some(DocumentKind::Credential)
        );
        assert_eq!(
            of(json!(["VerifiableCredential", "VerifiablePresentation"])),
            Some(DocumentKind::Presentation)
        );
        assert_eq!(of(json!(["gx:LegalPerson"])), None);
        assert_eq!(DocumentKind::of(&json!({})), None);
    }
}
