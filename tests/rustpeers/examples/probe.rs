//! For looking into a disagreement of `tests/canonical.rs`: prints a document (the `N`th of
//! the generated corpus, or the JSON-LD text given) and the canonical N-Quads ssi and sophia
//! (strict) make of it.
//!
//! `cargo run --manifest-path tests/rustpeers/Cargo.toml --example probe -- 36`

fn main() {
    let arg = std::env::args().nth(1).unwrap_or_default();
    let doc = match arg.parse::<usize>() {
        Ok(n) => gxa_conformance::generate::credentials(20_261_206, n + 1)
            .pop()
            .and_then(|(_, doc)| serde_json::to_string(&doc).ok())
            .unwrap_or_default(),
        Err(_) => arg,
    };
    println!("{doc}");
    let show = |r: Result<String, gxa_rustpeers::PeerError>| r.unwrap_or_else(|e| e.to_string());
    println!(
        "ssi:\n{}",
        show(gxa_rustpeers::ssi_peer::canonical_nquads(&doc))
    );
    println!(
        "sophia, strict:\n{}",
        show(gxa_rustpeers::sophia_peer::canonical_nquads(&doc, true))
    );
}
