//! Human-facing renderings: the HTML page of a credential and the SVG compliance badge.
//!
//! Everything interpolated is escaped ([`escape`]): credential fields and badge texts come from
//! reports and inventories, which are outside input. The HTML page carries a restrictive
//! `Content-Security-Policy` (set by the handler) as a second line of defence.

use gxa_store::StoredCredential;

/// Escapes text for HTML and XML element content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // XML 1.0 forbids most control characters even as references.
            c if c.is_control() && !matches!(c, '\n' | '\t' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The readable page of a credential: its metadata and its content, pretty-printed.
/// `content` is the credential JSON (for a JWT, its decoded payload).
pub fn credential_page(credential: &StoredCredential, content: &str, status_note: &str) -> String {
    let rows = [
        ("id", credential.id.clone()),
        ("type", credential.types.join(", ")),
        ("subject", credential.subject.clone()),
        ("issuer", credential.issuer.clone()),
        ("profile", credential.profile.clone()),
        ("format", credential.format.as_str().to_owned()),
        ("issued", credential.issued_at.to_string()),
        ("valid from", credential.valid_from.to_string()),
        (
            "valid until",
            credential
                .valid_until
                .map_or_else(|| "-".to_owned(), |t| t.to_string()),
        ),
        ("status", status_note.to_owned()),
        ("SHA-256 of the body", credential.body_sha256.to_string()),
    ];
    let mut table = String::new();
    for (name, value) in rows {
        table.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n",
            escape(name),
            escape(&value)
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Credential {title}</title>\n\
         <style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}\
         th{{text-align:left;padding-right:1rem;vertical-align:top}}td{{word-break:break-all}}\
         pre{{background:#f4f4f4;padding:1rem;overflow:auto}}</style>\n</head>\n<body>\n\
         <h1>Verifiable credential</h1>\n<table>\n{table}</table>\n\
         <h2>Content</h2>\n<pre>{content}</pre>\n\
         <p>Machine-readable forms: request this URL with <code>Accept: application/vc+ld+json</code>, \
         <code>application/vc+jwt</code> or <code>application/n-quads</code>.</p>\n</body>\n</html>\n",
        title = escape(&credential.id),
        content = escape(content),
    )
}

/// A badge verdict and its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadgeState {
    /// The scope passes (green).
    Pass,
    /// The scope fails (red).
    Fail,
    /// Results are missing, expired or aborted (amber).
    Incomplete,
    /// Never evaluated (grey).
    Unknown,
}

impl BadgeState {
    /// From an evaluation verdict (`pass`, `fail`, `incomplete`).
    pub fn from_verdict(verdict: &str) -> Self {
        match verdict {
            "pass" => Self::Pass,
            "fail" => Self::Fail,
            "incomplete" | "expired" => Self::Incomplete,
            _ => Self::Unknown,
        }
    }

    fn colour(self) -> &'static str {
        match self {
            Self::Pass => "#4c1",
            Self::Fail => "#e05d44",
            Self::Incomplete => "#dfb317",
            Self::Unknown => "#9f9f9f",
        }
    }
}

/// Approximate text width in pixels of Verdana 11px (shields.io's font), per character class.
fn text_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '|' | '!' | '\'' | ' ' => 4,
            'm' | 'w' | 'M' | 'W' => 10,
            c if c.is_ascii_uppercase() => 8,
            _ => 7,
        })
        .sum::<usize>()
        + 10
}

/// A shields.io-style flat badge: `label | message`, the message on the state's colour.
pub fn badge_svg(label: &str, message: &str, state: BadgeState) -> String {
    let left = text_width(label);
    let right = text_width(message);
    let total = left + right;
    let label_e = escape(label);
    let message_e = escape(message);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{total}\" height=\"20\" role=\"img\" \
         aria-label=\"{label_e}: {message_e}\"><title>{label_e}: {message_e}</title>\
         <linearGradient id=\"s\" x2=\"0\" y2=\"100%\"><stop offset=\"0\" stop-color=\"#bbb\" stop-opacity=\".1\"/>\
         <stop offset=\"1\" stop-opacity=\".1\"/></linearGradient>\
         <clipPath id=\"r\"><rect width=\"{total}\" height=\"20\" rx=\"3\" fill=\"#fff\"/></clipPath>\
         <g clip-path=\"url(#r)\"><rect width=\"{left}\" height=\"20\" fill=\"#555\"/>\
         <rect x=\"{left}\" width=\"{right}\" height=\"20\" fill=\"{colour}\"/>\
         <rect width=\"{total}\" height=\"20\" fill=\"url(#s)\"/></g>\
         <g fill=\"#fff\" text-anchor=\"middle\" font-family=\"Verdana,Geneva,DejaVu Sans,sans-serif\" font-size=\"11\">\
         <text x=\"{lx}\" y=\"14\">{label_e}</text><text x=\"{mx}\" y=\"14\">{message_e}</text></g></svg>\n",
        colour = state.colour(),
        lx = left / 2,
        mx = left + right / 2,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>\u{1}"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;\u{FFFD}"
        );
    }

    #[test]
    fn badge_colours_and_escaping() {
        let svg = badge_svg("SCS <IaaS>", "pass v5", BadgeState::Pass);
        assert!(svg.contains("#4c1"));
        assert!(svg.contains("SCS &lt;IaaS&gt;"));
        assert!(!svg.contains("<IaaS>"));
        assert!(badge_svg("a", "b", BadgeState::Fail).contains("#e05d44"));
        assert!(badge_svg("a", "b", BadgeState::Incomplete).contains("#dfb317"));
        assert!(badge_svg("a", "b", BadgeState::Unknown).contains("#9f9f9f"));
        assert_eq!(BadgeState::from_verdict("pass"), BadgeState::Pass);
        assert_eq!(BadgeState::from_verdict("weird"), BadgeState::Unknown);
    }
}
