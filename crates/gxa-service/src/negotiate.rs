//! Proactive content negotiation on `Accept`
//! (<https://www.rfc-editor.org/rfc/rfc9110#section-12.5.1>).
//!
//! The server lists what it can produce, most preferred first; the client's media ranges with
//! their `q` weights pick one. Ties go to the server's order, so `*/*` (or no `Accept` at all)
//! yields the server's first choice, the representation as issued. A range with `q=0` excludes
//! that type. Media type parameters other than `q` are ignored, which is what the credential media
//! types need (none of them take parameters).

/// One parsed media range of an `Accept` header.
#[derive(Debug, PartialEq)]
struct Range<'a> {
    main: &'a str,
    sub: &'a str,
    q: f32,
}

fn parse_accept(header: &str) -> Vec<Range<'_>> {
    let mut ranges = Vec::new();
    for item in header.split(',') {
        let mut parts = item.split(';');
        let Some(media) = parts.next().map(str::trim) else {
            continue;
        };
        let Some((main, sub)) = media.split_once('/') else {
            continue;
        };
        let mut q = 1.0_f32;
        for param in parts {
            if let Some((name, value)) = param.trim().split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                q = value.trim().parse::<f32>().unwrap_or(0.0).clamp(0.0, 1.0);
            }
        }
        ranges.push(Range {
            main: main.trim(),
            sub: sub.trim(),
            q,
        });
    }
    ranges
}

/// How well a range matches a type: 3 exact, 2 `type/*`, 1 `*/*`, 0 not at all.
fn specificity(range: &Range<'_>, media_type: &str) -> u8 {
    let Some((main, sub)) = media_type.split_once('/') else {
        return 0;
    };
    if range.main.eq_ignore_ascii_case(main) && range.sub.eq_ignore_ascii_case(sub) {
        3
    } else if range.main.eq_ignore_ascii_case(main) && range.sub == "*" {
        2
    } else if range.main == "*" && range.sub == "*" {
        1
    } else {
        0
    }
}

/// The media type of `available` (server preference order) the `Accept` header value prefers, or
/// `None` when it accepts none of them (406). A missing header accepts anything.
pub fn choose(accept: Option<&str>, available: &[&'static str]) -> Option<&'static str> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return available.first().copied();
    };
    let ranges = parse_accept(accept);
    let mut best: Option<(&'static str, f32)> = None;
    for &candidate in available {
        // The most specific matching range decides the candidate's weight.
        let weight = ranges
            .iter()
            .filter_map(|range| {
                let s = specificity(range, candidate);
                (s > 0).then_some((s, range.q))
            })
            .max_by_key(|(s, _)| *s)
            .map(|(_, q)| q);
        if let Some(q) = weight
            && q > 0.0
            && best.is_none_or(|(_, best_q)| q > best_q)
        {
            best = Some((candidate, q));
        }
    }
    best.map(|(media_type, _)| media_type)
}

#[cfg(test)]
mod tests {
    use super::choose;

    const LD: &[&str] = &[
        "application/vc+ld+json",
        "application/ld+json",
        "application/n-quads",
        "text/html",
    ];

    #[test]
    fn picks_by_weight_then_server_order() {
        assert_eq!(choose(None, LD), Some("application/vc+ld+json"));
        assert_eq!(choose(Some("*/*"), LD), Some("application/vc+ld+json"));
        assert_eq!(
            choose(Some("application/n-quads"), LD),
            Some("application/n-quads")
        );
        assert_eq!(
            choose(Some("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"), LD),
            Some("text/html")
        );
        assert_eq!(
            choose(Some("application/ld+json;q=0.5, text/html;q=0.4"), LD),
            Some("application/ld+json")
        );
        assert_eq!(
            choose(Some("application/*;q=0.2, text/html;q=0.1"), LD),
            Some("application/vc+ld+json")
        );
        assert_eq!(choose(Some("application/vc+jwt"), LD), None);
        assert_eq!(choose(Some("*/*;q=0"), LD), None);
        assert_eq!(
            choose(Some("*/*, application/vc+ld+json;q=0"), LD),
            Some("application/ld+json")
        );
        assert_eq!(choose(Some("garbage"), LD), None);
        assert_eq!(choose(Some("TEXT/HTML"), LD), Some("text/html"));
    }
}
