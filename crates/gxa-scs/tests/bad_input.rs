//! Every kind of bad input is a typed error naming the problem, never a panic.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on broken fixtures"
)]

use gxa_scs::{
    AllowedSigners, CheckedAtZone, EvaluationError, Evaluator, Invalid, Limits, ReportError, Scope,
    ScopeError, UploadError, YamlError, parse_reports, verify_upload,
};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/scs-data");

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}/{path}")).unwrap()
}

fn signers() -> AllowedSigners {
    AllowedSigners::parse(&String::from_utf8(read("generated/allowed_signers")).unwrap()).unwrap()
}

const BOMB: &str = "a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
";

#[test]
fn malformed_yaml() {
    let e = parse_reports(b"spec: {uuid: [\n", Limits::default()).unwrap_err();
    assert!(matches!(
        e,
        ReportError::Yaml(YamlError::Syntax { document: 1, .. })
    ));
    assert!(e.to_string().contains("malformed"), "{e}");
    let e = Scope::from_yaml(b"name: x\n  bad: indent\n", Limits::default()).unwrap_err();
    assert!(
        matches!(e, ScopeError::Yaml(YamlError::Syntax { .. })),
        "{e}"
    );
}

#[test]
fn alias_bombs() {
    // In a report: the bomb hides under `run.invocations.*.stdout`, a key we never keep.
    let report = format!(
        "{BOMB}spec: {{uuid: 1fffebe6-fd4b-44d3-a36c-fc58b4bb0180}}\nsubject: s\n\
         checked_at: 2026-01-01 00:00:00\nrun: {{invocations: {{x: {{stdout: *h}}}}}}\n"
    );
    let e = parse_reports(report.as_bytes(), Limits::default()).unwrap_err();
    assert!(
        matches!(e, ReportError::Yaml(YamlError::AliasBomb { document: 1 })),
        "{e}"
    );
    assert!(e.to_string().contains("alias bomb"), "{e}");
    // In a scope.
    let scope = format!("{BOMB}name: x\nuuid: 1fffebe6-fd4b-44d3-a36c-fc58b4bb0180\n");
    let e = Scope::from_yaml(scope.as_bytes(), Limits::default()).unwrap_err();
    assert!(
        matches!(e, ScopeError::Yaml(YamlError::AliasBomb { .. })),
        "{e}"
    );
}

#[test]
fn oversized_documents() {
    let limits = Limits {
        max_bytes: 4096,
        ..Limits::default()
    };
    let e = parse_reports(&read("generated/report-iaas.yaml"), limits).unwrap_err();
    assert!(
        matches!(
            e,
            ReportError::Yaml(YamlError::TooLarge {
                size: 6961,
                limit: 4096
            })
        ),
        "{e}"
    );
    let e = Scope::from_yaml(&read("standards/scs-compatible-iaas.yaml"), limits).unwrap_err();
    assert!(
        e.to_string().contains("over the limit of 4096 bytes"),
        "{e}"
    );
    // Through the evaluator, which applies its limits to signed report bytes too.
    let upload = verify_upload(&read("generated/upload-body.txt"), &signers())
        .unwrap()
        .unwrap();
    let mut ev = Evaluator::new(Vec::new(), CheckedAtZone::utc(), limits);
    let e = ev.add_upload(&upload).unwrap_err();
    assert!(
        matches!(
            e,
            EvaluationError::Report(ReportError::Yaml(YamlError::TooLarge { .. }))
        ),
        "{e}"
    );
}

#[test]
fn wrong_types() {
    let e = parse_reports(
        b"spec: {uuid: 1fffebe6-fd4b-44d3-a36c-fc58b4bb0180}\nsubject: [a, b]\nchecked_at: 2026-01-01 00:00:00\n",
        Limits::default(),
    )
    .unwrap_err();
    assert!(
        matches!(e, ReportError::Yaml(YamlError::Schema { .. })),
        "{e}"
    );
    assert!(e.to_string().contains("subject"), "{e}");
    let e = Scope::from_yaml(
        b"name: x\nuuid: 1fffebe6-fd4b-44d3-a36c-fc58b4bb0180\nversions: {v1: yes}\n",
        Limits::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("invalid type"), "{e}");
}

#[test]
fn unknown_scope_uuid() {
    let iaas = Scope::from_yaml(
        &read("standards/scs-compatible-iaas.yaml"),
        Limits::default(),
    )
    .unwrap();
    let mut ev = Evaluator::new(vec![iaas], CheckedAtZone::utc(), Limits::default());
    let e = ev
        .add_report_file(&read("generated/report-kaas.yaml"))
        .unwrap_err();
    assert!(matches!(e, EvaluationError::UnknownScope { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("unknown scope uuid 1fffebe6-fd4b-44d3-a36c-fc58b4bb0180"),
        "{e}"
    );
}

#[test]
fn report_for_another_scope() {
    let scopes = ["scs-compatible-iaas.yaml", "scs-compatible-kaas.yaml"]
        .map(|f| Scope::from_yaml(&read(&format!("standards/{f}")), Limits::default()).unwrap());
    let mut ev = Evaluator::new(scopes.to_vec(), CheckedAtZone::utc(), Limits::default());
    let e = ev
        .add_report_file_for(
            "50393e6f-2ae1-4c5c-a62c-3b75f2abef3f",
            &read("generated/reports-combined.yaml"),
        )
        .unwrap_err();
    assert!(
        matches!(e, EvaluationError::ReportForOtherScope { document: 2, .. }),
        "{e}"
    );
}

#[test]
fn tampered_signed_bodies() {
    let body = read("generated/upload-body.txt");
    let at = body.len() / 2;
    let mut tampered = body.clone();
    tampered[at] ^= 0x20;
    let invalid = verify_upload(&tampered, &signers()).unwrap().unwrap_err();
    assert!(matches!(invalid, Invalid::BadSignature { .. }), "{invalid}");
    // A body cut short, or with the separator removed.
    let e = verify_upload(&body[..200], &signers()).unwrap_err();
    assert!(matches!(e, UploadError::MissingSeparator), "{e}");
}

#[test]
fn unknown_signer_and_wrong_namespace_have_their_own_messages() {
    let other = AllowedSigners::parse(
        "x@example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZ5OKfM2Lx6c6pN1aH4Lq4Ix0Uu1rZ2jwGmGQmH6vQx\n",
    )
    .unwrap();
    let invalid = verify_upload(&read("generated/upload-body.txt"), &other)
        .unwrap()
        .unwrap_err();
    assert!(
        invalid
            .to_string()
            .contains("not in the allowed signers file"),
        "{invalid}"
    );
    // Wrong namespace is built in the unit tests (upload::tests::wrong_namespace); its message:
    let wrong = Invalid::WrongNamespace {
        found: "file".to_owned(),
    };
    assert_eq!(
        wrong.to_string(),
        "signature namespace is \"file\", not \"report\""
    );
}

/// Every prefix of the real files goes through the parsers and the verifier without a panic.
#[test]
fn truncations_never_panic() {
    let report = read("generated/reports-combined.yaml");
    let scope = read("standards/scs-compatible-kaas.yaml");
    let body = read("generated/upload-body.txt");
    let signers = signers();
    for end in (0..report.len()).step_by(7) {
        let _ = parse_reports(&report[..end], Limits::default());
    }
    for end in (0..scope.len()).step_by(5) {
        let _ = Scope::from_yaml(&scope[..end], Limits::default());
    }
    for end in 0..body.len() {
        assert!(!matches!(verify_upload(&body[..end], &signers), Ok(Ok(_))));
    }
}

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

fn vector(name: &str) -> Vec<u8> {
    std::fs::read(format!("{VECTORS}/{name}")).unwrap()
}

fn vector_signers() -> AllowedSigners {
    AllowedSigners::parse(&String::from_utf8(vector("allowed_signers")).unwrap()).unwrap()
}

/// A genuine `ssh-keygen -Y sign -n file` signature by a listed key: valid cryptographically,
/// refused for its namespace.
#[test]
fn wrong_namespace_from_ssh_keygen() {
    let invalid = verify_upload(&vector("upload-ed-file.txt"), &vector_signers())
        .unwrap()
        .unwrap_err();
    assert_eq!(
        invalid,
        Invalid::WrongNamespace {
            found: "file".to_owned()
        }
    );
}

#[test]
fn ecdsa_p256_uploads_verify_and_rsa_is_reported_unsupported() {
    let ok = verify_upload(&vector("upload-p256-report.txt"), &vector_signers())
        .unwrap()
        .unwrap();
    assert_eq!(ok.principals, ["p256-test@example.org"]);
    assert_eq!(ok.report, read("generated/reports-combined.yaml"));
    let e = verify_upload(&vector("upload-rsa-report.txt"), &vector_signers()).unwrap_err();
    assert!(matches!(e, UploadError::UnsupportedKeyType(_)), "{e}");
    assert!(e.to_string().contains("ssh-rsa"), "{e}");
}

/// The fingerprint and digest agree with `ssh-keygen -l` and `sha256sum | base64` on the real
/// upload.
#[test]
fn real_upload_fingerprint_and_digest_match_independent_tools() {
    let ok = verify_upload(&read("generated/upload-body.txt"), &signers())
        .unwrap()
        .unwrap();
    assert_eq!(
        ok.signer_fingerprint,
        "SHA256:xznAtwdwmgQjJWswIYW8MUkq0+x9835LOD8e4+QJaWE"
    );
    assert_eq!(
        ok.body_sri,
        "sha256-6Q+d+XME7ghTp2DIIOWy1DngH1McxxFMEOetvW9n2oU="
    );
}
