//! End-to-end tests of the `gx-attest` binary: one integration-test binary for the CLI.

mod canonicalize;
mod inventory;
mod proof;
mod registry;
mod scs;
mod verify_online;

use std::process::Command;

fn gx_attest() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gx-attest"))
}

#[test]
fn contexts_lists_pinned_urls_with_sha256() {
    let out = gx_attest().arg("contexts").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains(" https://www.w3.org/2018/credentials/v1 "))
        .expect("credentials v1 listed");
    let hash = line.split_whitespace().next().unwrap();
    assert_eq!(hash.len(), 64);
    assert!(text.contains("https://w3id.org/gaia-x/development#"));
}
