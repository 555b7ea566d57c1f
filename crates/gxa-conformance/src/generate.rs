//! Seeded, deterministic generator of verifiable credentials the way other issuers write them:
//! VC 1.1 and VC 2.0 documents over the pinned W3C contexts plus an inline context with the
//! ordinary JSON-LD features — `@vocab`, typed literals (`xsd:date`, `xsd:decimal`,
//! `xsd:integer`), a default `@language` and `@container: @language` maps, `@list` and `@set`
//! containers, `@type: @id` and `@type: @vocab` coercion, `@json` literals, type-scoped and
//! property-scoped contexts, `@nest`, native numbers and booleans, nested and structurally
//! identical blank nodes, `@base` with relative references, and strings with escapes,
//! control characters and non-ASCII text.
//!
//! The same seed gives the same documents on every machine (a xorshift generator, no `rand`),
//! so a disagreement found in CI reproduces locally from its name.

use serde_json::{Map, Value, json};

/// A small deterministic PRNG (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (0 is replaced: xorshift needs a non-zero state).
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next_u64() % (n as u64)).unwrap_or(0)
    }

    /// `true` with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The inline context every generated credential carries (with some terms left out at random
/// by [`credentials`]).
pub fn inline_context(rng: &mut Rng, vocab: bool, base: bool) -> Value {
    let mut context = Map::new();
    if vocab {
        context.insert("@vocab".into(), json!("https://vocab.example/terms#"));
    }
    if base {
        context.insert("@base".into(), json!("https://base.example/docs/"));
    }
    let terms = json!({
        "ex": "https://vocab.example/terms#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "schema": "https://schema.org/",
        "Person": {"@id": "ex:Person", "@context": {"nickname": "ex:nickname", "age": {"@id": "ex:age", "@type": "xsd:integer"}}},
        "Organization": "schema:Organization",
        "ExampleCredential": "ex:ExampleCredential",
        "displayName": {"@id": "ex:displayName", "@container": "@language"},
        "title": {"@id": "ex:title", "@language": "en"},
        "note": {"@id": "ex:note", "@language": null},
        "birthDate": {"@id": "ex:birthDate", "@type": "xsd:date"},
        "score": {"@id": "ex:score", "@type": "xsd:decimal"},
        "count": {"@id": "ex:count", "@type": "xsd:integer"},
        "steps": {"@id": "ex:steps", "@container": "@list"},
        "tags": {"@id": "ex:tags", "@container": "@set"},
        "homepage": {"@id": "ex:homepage", "@type": "@id"},
        "category": {"@id": "ex:category", "@type": "@vocab"},
        "Gold": "ex:Gold",
        "Silver": "ex:Silver",
        "payload": {"@id": "ex:payload", "@type": "@json"},
        "address": {"@id": "schema:address", "@context": {"street": "schema:streetAddress", "city": "schema:addressLocality", "country": {"@id": "schema:addressCountry", "@type": "xsd:string"}}},
        "member": {"@id": "ex:member"},
        "flag": "ex:flag",
        "amount": "ex:amount",
        "details": "@nest",
        "issuedBy": {"@id": "ex:issuedBy", "@nest": "details"},
        "level": {"@id": "ex:level", "@nest": "details"},
        "knows": {"@id": "ex:knows", "@type": "@id", "@container": "@set"},
        "label": "rdfs:label",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#"
    });
    if let Value::Object(terms) = terms {
        for (k, v) in terms {
            // Leave a few terms out, so that some documents use terms their context does not
            // define (an error in strict mode unless `@vocab` catches them).
            if !rng.chance(1) {
                context.insert(k, v);
            }
        }
    }
    Value::Object(context)
}

/// A string with some of: escapes, control characters, non-ASCII letters, emoji.
fn text(rng: &mut Rng) -> String {
    const PARTS: &[&str] = &[
        "plain",
        "with space",
        "quote \" inside",
        "back\\slash",
        "new\nline",
        "tab\there",
        "bell\u{7}",
        "nul-ish \u{1}",
        "é à ü ß",
        "日本語",
        "emoji 😀",
        "right-to-left שלום",
        "",
        "  padded  ",
        "\u{2028}line sep",
        "a<b>&c",
    ];
    let mut s = String::new();
    for _ in 0..=rng.below(3) {
        s.push_str(rng.pick::<&str>(PARTS));
    }
    s
}

fn number(rng: &mut Rng) -> Value {
    match rng.below(9) {
        0 => json!(rng.below(1000)),
        1 => json!(-(i64::try_from(rng.below(1_000_000)).unwrap_or(0))),
        2 => json!(9_007_199_254_740_993_u64),
        3 => json!(1.5),
        4 => json!(0.1),
        5 => json!(1.0e21),
        6 => json!(-2.5e-7),
        7 => json!(3.0),
        _ => json!(123_456.789),
    }
}

fn date(rng: &mut Rng) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        1950 + rng.below(70),
        1 + rng.below(12),
        1 + rng.below(28)
    )
}

/// An address node (property-scoped context), blank or with an id.
fn address(rng: &mut Rng, with_id: bool) -> Value {
    let mut node = json!({
        "street": text(rng),
        "city": rng.pick(&["Berlin", "Paris", "Zürich", "Kraków"]).to_string(),
        "country": rng.pick(&["DE", "FR", "CH", "PL"]).to_string(),
    });
    if with_id {
        node["id"] = json!(format!("https://addresses.example/{}", rng.below(50)));
    }
    node
}

/// The credential subject with a random selection of features.
fn subject(rng: &mut Rng, n: usize, base: bool) -> Value {
    let mut s = Map::new();
    if base && rng.chance(50) {
        s.insert("id".into(), json!(format!("subjects/{n}")));
    } else if rng.chance(80) {
        s.insert("id".into(), json!(format!("did:example:subject-{n}")));
    }
    let person = rng.below(3);
    s.insert(
        "type".into(),
        match person {
            0 => json!("Person"),
            1 => json!(["Person", "Organization"]),
            _ => json!("Organization"),
        },
    );
    // The type-scoped terms of `Person` (with another type only in 5 %: undefined there).
    if (person < 2 || rng.chance(5)) && rng.chance(60) {
        s.insert("nickname".into(), json!(text(rng)));
    }
    if person < 2 && rng.chance(40) {
        s.insert("age".into(), json!(rng.below(100)));
    }
    if rng.chance(60) {
        let mut map = Map::new();
        for lang in ["en", "de", "fr-CH", "ja"] {
            if rng.chance(60) {
                map.insert(lang.into(), json!(text(rng)));
            }
        }
        if rng.chance(10) {
            map.insert("@none".into(), json!("no language"));
        }
        if rng.chance(10) {
            map.insert("es".into(), json!(["uno", "dos"]));
        }
        s.insert("displayName".into(), Value::Object(map));
    }
    if rng.chance(50) {
        s.insert("title".into(), json!(text(rng)));
    }
    if rng.chance(30) {
        s.insert(
            "note".into(),
            json!({"@value": text(rng), "@language": rng.pick(&["de", "en-GB", "pt-BR"]).to_string()}),
        );
    }
    if rng.chance(50) {
        s.insert("birthDate".into(), json!(date(rng)));
    }
    if rng.chance(40) {
        s.insert(
            "score".into(),
            json!(format!("{}.{}", rng.below(100), rng.below(100))),
        );
    }
    if rng.chance(40) {
        s.insert("count".into(), json!(rng.below(10_000).to_string()));
    }
    if rng.chance(50) {
        let items: Vec<Value> = (0..rng.below(5))
            .map(|_| match rng.below(4) {
                0 => json!(text(rng)),
                1 => number(rng),
                2 => json!(rng.chance(50)),
                _ => json!({"label": text(rng)}),
            })
            .collect();
        s.insert("steps".into(), Value::Array(items));
    }
    if rng.chance(40) {
        let items: Vec<Value> = (0..rng.below(4)).map(|_| json!(text(rng))).collect();
        s.insert("tags".into(), Value::Array(items));
    }
    if rng.chance(50) {
        s.insert(
            "homepage".into(),
            json!(if base && rng.chance(30) {
                "../home".to_owned()
            } else {
                format!("https://home.example/{}", rng.below(100))
            }),
        );
    }
    if rng.chance(40) {
        s.insert(
            "category".into(),
            json!(rng.pick(&["Gold", "Silver"]).to_string()),
        );
    }
    if rng.chance(25) {
        s.insert(
            "payload".into(),
            json!({"b": [1, 2.5, true, null], "a": {"z": "x", "y": text(rng)}}),
        );
    }
    if rng.chance(60) {
        // Structurally identical blank nodes: the canonicalization's hard case.
        let with_id = rng.chance(20);
        let one = address(rng, with_id);
        s.insert(
            "address".into(),
            if rng.chance(40) {
                json!([one.clone(), one])
            } else {
                one
            },
        );
    }
    if rng.chance(40) {
        let inner = json!({"type": "Person", "nickname": text(rng)});
        s.insert(
            "member".into(),
            json!({"type": "Organization", "member": [inner.clone(), inner]}),
        );
    }
    if rng.chance(50) {
        s.insert("flag".into(), json!(rng.chance(50)));
    }
    if rng.chance(50) {
        s.insert("amount".into(), number(rng));
    }
    if rng.chance(30) {
        s.insert(
            "details".into(),
            json!({"issuedBy": text(rng), "level": rng.below(5)}),
        );
    }
    if rng.chance(30) {
        s.insert(
            "knows".into(),
            json!([
                format!("did:example:subject-{}", rng.below(n + 1)),
                "https://people.example/x"
            ]),
        );
    }
    if rng.chance(10) {
        // A term no context defines: caught by `@vocab`, or an error in strict mode.
        s.insert("undefinedTerm".into(), json!(text(rng)));
    }
    if rng.chance(10) {
        s.insert(
            "https://absolute.example/p".into(),
            json!({"@value": text(rng), "@type": "https://types.example/T"}),
        );
    }
    Value::Object(s)
}

/// `count` credentials for `seed`: every other one VC 1.1, the rest VC 2.0; each named
/// `generated-{seed}-{n}-vc11` or `…-vc20`.
pub fn credentials(seed: u64, count: usize) -> Vec<(String, Value)> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|n| {
            let vc2 = n % 2 == 1;
            let vocab = !vc2 && rng.chance(50);
            let base = rng.chance(15);
            let inline = inline_context(&mut rng, vocab, base);
            let mut doc = if vc2 {
                json!({
                    "@context": ["https://www.w3.org/ns/credentials/v2", inline],
                    "id": format!("urn:uuid:00000000-0000-4000-8000-{n:012}"),
                    "type": ["VerifiableCredential", "ExampleCredential"],
                    "issuer": {"id": format!("did:example:issuer-{}", rng.below(20)), "name": text(&mut rng)},
                    "validFrom": "2024-01-01T00:00:00Z",
                    "credentialSubject": subject(&mut rng, n, base),
                })
            } else {
                json!({
                    "@context": ["https://www.w3.org/2018/credentials/v1", inline],
                    "id": format!("https://credentials.example/{n}"),
                    "type": ["VerifiableCredential"],
                    "issuer": format!("did:example:issuer-{}", rng.below(20)),
                    "issuanceDate": "2024-01-01T00:00:00Z",
                    "credentialSubject": subject(&mut rng, n, base),
                })
            };
            if rng.chance(20) {
                doc["credentialSubject"] = json!([
                    doc["credentialSubject"].clone(),
                    subject(&mut rng, n + 1, base)
                ]);
            }
            if vc2 && rng.chance(20) {
                doc["validUntil"] = json!("2030-01-01T00:00:00Z");
            }
            if !vc2 && rng.chance(20) {
                doc["expirationDate"] = json!("2030-01-01T00:00:00Z");
            }
            let name = format!("generated-{seed}-{n}-{}", if vc2 { "vc20" } else { "vc11" });
            (name, doc)
        })
        .collect()
}
