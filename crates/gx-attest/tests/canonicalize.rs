//! `gx-attest canonicalize` against its CLI contract (docs/commands.md).

use std::io::Write as _;
use std::process::{Command, Stdio};

use super::gx_attest;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn path(rel: &str) -> String {
    format!("{ROOT}/{rel}")
}

fn rdf_canon(rel: &str) -> String {
    format!("{ROOT}/../shared/conformance/rdf-canon/tests/rdfc10/{rel}")
}

#[test]
fn nquads_file_gives_the_w3c_canonical_form_exactly() {
    for test in ["test002", "test020", "test044", "test058"] {
        let out = gx_attest()
            .args(["canonicalize", &rdf_canon(&format!("{test}-in.nq"))])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{test}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let expected = std::fs::read_to_string(rdf_canon(&format!("{test}-rdfc10.nq"))).unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), expected, "{test}");
    }
}

#[test]
fn hash_prints_one_sha256sum_line_per_file_in_one_process() {
    let files = [
        path("examples/credentials/tagus-legal-participant.json"),
        path("examples/credentials/loire-vm-service-offering.json"),
        rdf_canon("test020-in.nq"),
    ];
    let out =
        gxa_testkit::process::run_ok(gx_attest().arg("canonicalize").arg("--hash").args(&files));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    for (line, file) in lines.iter().zip(&files) {
        let (hash, name) = line.split_once("  ").unwrap();
        assert_eq!(name, file);
        assert_eq!(hash.len(), 64);
        assert!(
            hash.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
    }
    // The hash is the SHA-256 of exactly what the command prints without --hash.
    let expected = std::fs::read_to_string(rdf_canon("test020-rdfc10.nq")).unwrap();
    assert_eq!(
        lines[2].split_once("  ").unwrap().0,
        gxa_rdf::sha256_hex(expected.as_bytes())
    );
}

#[test]
fn standard_input_and_format_option() {
    let input =
        std::fs::read_to_string(path("examples/credentials/tagus-legal-participant.json")).unwrap();
    let mut child = gx_attest()
        .args(["canonicalize", "--input-format", "jsonld", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let from_stdin = child.wait_with_output().unwrap();
    assert!(from_stdin.status.success());
    let from_file = gx_attest()
        .args([
            "canonicalize",
            &path("examples/credentials/tagus-legal-participant.json"),
        ])
        .output()
        .unwrap();
    assert_eq!(from_stdin.stdout, from_file.stdout);
    let text = String::from_utf8(from_file.stdout).unwrap();
    assert!(text.contains("trustframework#LegalParticipant"), "{text}");
    assert!(text.contains("_:c14n0"));
}

#[test]
fn errors_exit_2_and_name_the_file_and_cause_while_other_files_still_run() {
    let good = rdf_canon("test001-in.nq");
    let cases = [
        ("tests/data/canonicalize/poison-clique8.nq", "work limit"),
        (
            "tests/data/canonicalize/undefined-term.json",
            "notInAnyContext",
        ),
        (
            "tests/data/canonicalize/unknown-context.json",
            "https://schema.org/",
        ),
        ("tests/data/does-not-exist.nq", "cannot read the file"),
    ];
    for (file, cause) in cases {
        let started = std::time::Instant::now();
        let out = gx_attest()
            .args(["canonicalize", &path(file), &good])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{file}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains(file) && stderr.contains(cause),
            "{file}: {stderr}"
        );
        // The good file after the bad one was still canonicalized.
        let expected = std::fs::read_to_string(rdf_canon("test001-rdfc10.nq")).unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
        if file.ends_with("poison-clique8.nq") {
            assert!(started.elapsed() < std::time::Duration::from_secs(2));
        }
    }
    // A configurable limit: with a larger budget the same poison graph is still refused.
    let out = gx_attest()
        .args([
            "canonicalize",
            "--max-work",
            "50000",
            &path("tests/data/canonicalize/poison-clique8.nq"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("50000"));
    // Lenient mode drops the undefined term, as plain JSON-LD would.
    let out = gx_attest()
        .args([
            "canonicalize",
            "--lenient",
            &path("tests/data/canonicalize/undefined-term.json"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        !String::from_utf8(out.stdout)
            .unwrap()
            .contains("notInAnyContext")
    );
}

/// Nothing is fetched: the command runs in a network namespace with no network at all
/// (`unshare -rn`) and gives the same output; an unpinned context fails as "unknown", never as
/// a network error.
#[test]
fn works_without_any_network() {
    let probe = Command::new("unshare").args(["-rn", "true"]).status();
    assert!(
        matches!(probe, Ok(s) if s.success()),
        "this test needs `unshare -rn` (util-linux, user namespaces) to cut the network off"
    );
    let bin = env!("CARGO_BIN_EXE_gx-attest");
    let example = path("examples/credentials/loire-vm-service-offering.json");
    let offline = Command::new("unshare")
        .args(["-rn", bin, "canonicalize", "--hash", &example])
        .output()
        .unwrap();
    assert!(
        offline.status.success(),
        "{}",
        String::from_utf8_lossy(&offline.stderr)
    );
    let online = gx_attest()
        .args(["canonicalize", "--hash", &example])
        .output()
        .unwrap();
    assert_eq!(offline.stdout, online.stdout);
    let unknown = path("tests/data/canonicalize/unknown-context.json");
    let out = Command::new("unshare")
        .args(["-rn", bin, "canonicalize", &unknown])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("unknown JSON-LD context https://schema.org/")
    );
}
