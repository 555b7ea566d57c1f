//! The SCS compliance monitor's read API and the pages, against the example upload.
//!
//! `GET /status` is compared with what the real monitor answered for the same upload
//! (`scs-data/generated/monitor-status-response.json` in the shared reference data beside the
//! checkout, see README, Set up): the same keys and value types, and the verdicts, whose
//! differences (our strict evaluation) are listed here and in docs/monitor.md. Every evaluation is at 2026-11-25T12:00:00Z, the day of the example
//! report, so no test depends on today's date.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;

use gxa_testkit::service as kit;
use kit::{IAAS_UUID, OTHER_TOKEN, SUBJECT, TOKEN, TestService, services};

/// The day of the example report: every result is current.
const AT: &str = "2026-11-25T12:00:00Z";
const KAAS_UUID: &str = "1fffebe6-fd4b-44d3-a36c-fc58b4bb0180";
const REPORT_UUID: &str = "24c0f8f7-6005-4efc-af1b-a39559a8417c";

fn monitor_answer() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/scs-data/generated/monitor-status-response.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Keys whose value may be `null` on one side (a verdict or index that is absent).
const NULLABLE: &[&str] = &["result", "best_passed"];
/// Keys the monitor writes only when the scope file has them.
const OPTIONAL: &[&str] = &["lifetime", "section"];
/// Objects keyed by data (subjects, scopes, testcases, versions, targets, buckets): only the
/// entries both sides have are compared.
const DATA_KEYED: &[&str] = &[
    "$",
    "subject",
    "testcases",
    "results",
    "versions",
    "targets",
    "tc_target",
    "buckets",
];

/// Compares the structure of `ours` with `theirs`: fixed objects must have the same keys
/// (but [`OPTIONAL`]), values the same JSON types (but [`NULLABLE`] nulls), arrays the type of
/// their first elements.
fn compare(theirs: &Value, ours: &Value, path: &str, kind: &str, problems: &mut Vec<String>) {
    let (t, o) = (type_of(theirs), type_of(ours));
    if t != o {
        let key = path.rsplit('.').next().unwrap_or(path);
        if !(NULLABLE.contains(&key) && (t == "null" || o == "null")) {
            problems.push(format!("{path}: monitor {t}, here {o}"));
        }
        return;
    }
    match (theirs, ours) {
        (Value::Object(a), Value::Object(b)) => {
            let data_keyed = DATA_KEYED.contains(&kind);
            if !data_keyed {
                for key in a.keys().filter(|k| !b.contains_key(*k)) {
                    if !OPTIONAL.contains(&key.as_str()) {
                        problems.push(format!("{path}.{key}: missing here"));
                    }
                }
                for key in b.keys().filter(|k| !a.contains_key(*k)) {
                    if !OPTIONAL.contains(&key.as_str()) {
                        problems.push(format!("{path}.{key}: not in the monitor's answer"));
                    }
                }
            }
            for (key, value) in a {
                let Some(other) = b.get(key) else { continue };
                // The kind of a child: what its key names (data-keyed maps' entries are named
                // by their parent).
                let child_kind = match (kind, key.as_str()) {
                    ("$", _) => "subject",
                    ("subject", _) => "scope",
                    ("testcases", _) => "testcase",
                    ("results", _) => "result",
                    ("versions", _) => "version",
                    ("targets", _) => "target",
                    ("tc_target", _) | ("buckets", _) => "value",
                    (_, name) => name,
                };
                compare(value, other, &format!("{path}.{key}"), child_kind, problems);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if let (Some(x), Some(y)) = (a.first(), b.first()) {
                compare(x, y, &format!("{path}[0]"), "element", problems);
            }
        }
        _ => {}
    }
}

/// The verdict fields of both answers that differ, as `subject/scope field: monitor …, here …`.
fn verdict_differences(theirs: &Value, ours: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (subject, scopes) in theirs.as_object().unwrap() {
        for (scope, entry) in scopes.as_object().unwrap() {
            let mine = &ours[subject][scope];
            for field in [
                "result",
                "passed",
                "passed_str",
                "best_passed",
                "validity",
                "relevant",
            ] {
                if entry[field] != mine[field] {
                    out.push(format!(
                        "{subject}/{scope} {field}: monitor {}, here {}",
                        entry[field], mine[field]
                    ));
                }
            }
            for (version, v) in entry["versions"].as_object().unwrap() {
                for field in ["result", "validity", "_idx"] {
                    if v[field] != mine["versions"][version][field] {
                        out.push(format!(
                            "{subject}/{scope} versions.{version}.{field}: monitor {}, here {}",
                            v[field], mine["versions"][version][field]
                        ));
                    }
                }
            }
            for (testcase, r) in entry["results"].as_object().unwrap() {
                let here = &mine["results"][testcase];
                if r["result"] != here["result"] || r["report"] != here["report"] {
                    out.push(format!(
                        "{subject}/{scope} results.{testcase}: monitor {r}, here {here}"
                    ));
                }
            }
        }
    }
    out
}

async fn upload(service: &TestService) {
    let reply = service.upload_example().await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
}

#[tokio::test]
async fn status_has_the_monitors_shape() {
    let theirs = monitor_answer();
    for service in services().await {
        let name = service.name;
        // Before any upload: an empty object.
        let empty = service.get(&format!("/status?at={AT}"), None).await;
        assert_eq!(empty.status, StatusCode::OK, "{name}: {}", empty.text());
        assert_eq!(empty.json(), serde_json::json!({}));
        upload(&service).await;

        let reply = service
            .get(&format!("/status?at={AT}"), Some("application/json"))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
        let ours = reply.json();
        // The same subjects and scopes.
        let keys = |v: &Value| -> Vec<(String, Vec<String>)> {
            v.as_object()
                .unwrap()
                .iter()
                .map(|(s, scopes)| {
                    (
                        s.clone(),
                        scopes.as_object().unwrap().keys().cloned().collect(),
                    )
                })
                .collect()
        };
        assert_eq!(keys(&ours), keys(&theirs), "{name}");
        let mut problems = Vec::new();
        compare(&theirs, &ours, "$", "$", &mut problems);
        assert!(problems.is_empty(), "{name}: {problems:#?}");
        // Every testcase and version of the monitor's answer is here too.
        for (subject, scopes) in theirs.as_object().unwrap() {
            for (scope, entry) in scopes.as_object().unwrap() {
                for map in ["testcases", "results", "versions"] {
                    for key in entry[map].as_object().unwrap().keys() {
                        assert!(
                            ours[subject][scope][map][key].is_object(),
                            "{name}: {subject}/{scope} {map}.{key} missing"
                        );
                    }
                }
            }
        }

        // The verdicts. Our strict evaluation and the monitor's agree on the example (its
        // aborted testcase sits in a version that fails anyway); the differences are the
        // scope's `validity` (the monitor reports the state of the last version in the scope
        // file, v3, deprecated) and the time zone of `checked_at` (not compared here).
        let differences = verdict_differences(&theirs, &ours);
        assert_eq!(
            differences,
            [format!(
                "example-cloud/{IAAS_UUID} validity: monitor \"deprecated\", here \"effective\""
            )],
            "{name}"
        );
        assert_eq!(
            ours["example-k8s-1.35"][KAAS_UUID]["passed"],
            serde_json::json!(["v1"])
        );
        assert_eq!(
            ours["example-cloud"][IAAS_UUID]["passed"],
            serde_json::json!([])
        );

        // Filters, the Accept rule, a bad time.
        let one = service
            .get(&format!("/status?at={AT}&subject=example-k8s-1.35"), None)
            .await
            .json();
        assert_eq!(one.as_object().unwrap().len(), 1, "{name}");
        let none = service
            .get(
                &format!("/status?at={AT}&scopeuuid={IAAS_UUID}&subject=example-k8s-1.35"),
                None,
            )
            .await
            .json();
        assert_eq!(none, serde_json::json!({}), "{name}");
        service
            .get("/status", Some("text/html"))
            .await
            .assert_problem(StatusCode::NOT_ACCEPTABLE, name);
        service
            .get("/status?at=yesterday", None)
            .await
            .assert_problem(StatusCode::BAD_REQUEST, name);

        // Months later the weekly results have expired and nothing passes any more (the
        // monitor drops expired results and then counts the version as passed).
        let later = service
            .get("/status?at=2027-06-01T00:00:00Z", None)
            .await
            .json();
        let kaas = &later["example-k8s-1.35"][KAAS_UUID];
        assert_eq!(kaas["passed"], serde_json::json!([]), "{name}: {kaas}");
        service.finish().await;
    }
}

#[tokio::test]
async fn views_in_three_forms() {
    for service in services().await {
        let name = service.name;
        upload(&service).await;
        for view in ["markdown", "fragment", "page"] {
            for path in [
                format!("/{view}/table"),
                format!("/{view}/table_full"),
                format!("/{view}/detail/example-cloud/scs-compatible-iaas"),
                format!("/{view}/detail_full/example-cloud/{IAAS_UUID}"),
                format!("/{view}/scope/scs-compatible-kaas"),
                format!("/{view}/report/{REPORT_UUID}"),
            ] {
                let reply = service.get(&format!("{path}?at={AT}"), None).await;
                assert_eq!(
                    reply.status,
                    StatusCode::OK,
                    "{name} {path}: {}",
                    reply.text()
                );
                let text = reply.text();
                match view {
                    "markdown" => {
                        assert!(reply.header("content-type").starts_with("text/markdown"));
                        assert!(text.contains("|---|"), "{path}: {text}");
                        assert!(!text.contains("<section"), "{path}");
                        assert_eq!(reply.header("access-control-allow-origin"), "*");
                    }
                    "fragment" => {
                        assert!(reply.header("content-type").starts_with("text/html"));
                        assert!(text.trim_start().starts_with("<section"), "{path}: {text}");
                        assert!(!text.contains("<html"), "{path}");
                        // Embeddable: links are absolute.
                        assert!(!text.contains("href=\"../"), "{path}");
                        assert_eq!(reply.header("access-control-allow-origin"), "*");
                    }
                    _ => {
                        assert!(text.starts_with("<!DOCTYPE html>"), "{path}");
                        assert!(!text.contains("<script"), "{path}");
                        assert!(!text.contains("href=\"/"), "{path}: links must be relative");
                    }
                }
            }
        }
        // The table: the strict verdicts.
        let table = service
            .get(&format!("/markdown/table?at={AT}"), None)
            .await
            .text();
        assert!(table.contains("| example-k8s-1.35 |"), "{table}");
        assert!(table.contains("✅ v1"), "{table}");
        assert!(table.contains("🛑 fail"), "{table}");
        // The detail: the failing testcase first, with its report and upload.
        let detail = service
            .get(
                &format!("/page/detail/example-cloud/scs-compatible-iaas?at={AT}"),
                None,
            )
            .await
            .text();
        assert!(detail.contains("scs-0102-prop-provided_until"), "{detail}");
        assert!(detail.contains("../../../page/report/24c0f8f7"), "{detail}");
        assert!(detail.contains("SHA256:"), "signer fingerprint: {detail}");
        assert!(detail.contains("Certification history"), "{detail}");
        let history_row = detail.split("Certification history").nth(1).unwrap();
        assert!(history_row.contains("🛑 fail"), "{history_row}");
        // Redacted and full reports.
        let redacted = service
            .get(&format!("/markdown/report/{REPORT_UUID}"), None)
            .await
            .text();
        assert!(
            redacted.contains("| scs-0116-permissions | abort |"),
            "{redacted}"
        );
        assert!(!redacted.contains("stderr") && !redacted.contains("CRITICAL"));
        let full_path = format!("/markdown/report_full/{REPORT_UUID}");
        service
            .get(&full_path, None)
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, name);
        let forbidden = Request::builder()
            .method(Method::GET)
            .uri(&full_path)
            .header(header::AUTHORIZATION, format!("Bearer {OTHER_TOKEN}"))
            .body(Body::empty())
            .unwrap();
        service
            .send(forbidden)
            .await
            .assert_problem(StatusCode::FORBIDDEN, name);
        let allowed = Request::builder()
            .method(Method::GET)
            .uri(&full_path)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap();
        let full = service.send(allowed).await;
        assert_eq!(full.status, StatusCode::OK, "{name}: {}", full.text());
        assert!(full.text().contains("CRITICAL: scs-0116-permissions"));
        // Unknown view, scope, subject, report: problems.
        for path in [
            "/html/table".to_owned(),
            "/page/detail/example-cloud/no-such-scope".to_owned(),
            "/page/detail/nobody/scs-compatible-iaas".to_owned(),
            "/page/report/00000000-0000-0000-0000-000000000000".to_owned(),
            format!("/page/scope/{}", "x".repeat(3)),
        ] {
            service
                .get(&path, None)
                .await
                .assert_problem(StatusCode::NOT_FOUND, &format!("{name} {path}"));
        }
        service.finish().await;
    }
}

#[tokio::test]
async fn pages_and_badges() {
    for service in services().await {
        let name = service.name;
        upload(&service).await;
        let html = Some("text/html,application/xhtml+xml,*/*;q=0.8");
        // The overview, in HTML and JSON.
        let overview = service.get(&format!("/?at={AT}"), html).await;
        assert_eq!(
            overview.status,
            StatusCode::OK,
            "{name}: {}",
            overview.text()
        );
        let text = overview.text();
        assert!(text.contains("SCS-compatible IaaS") && text.contains("example-k8s-1.35"));
        assert!(
            text.contains("href=\"page/detail/example-cloud/scs-compatible-iaas\""),
            "{text}"
        );
        assert!(text.contains("did:web:service.test"));
        assert!(
            overview
                .header("content-security-policy")
                .contains("default-src 'none'")
        );
        let json = service
            .get(&format!("/?at={AT}"), Some("application/json"))
            .await
            .json();
        assert_eq!(json["provider"]["did"], "did:web:service.test");
        assert!(json["compliance"].as_array().unwrap().len() == 2, "{json}");

        // The credentials browser: filters and paging.
        let page = service
            .get("/credentials?limit=1&status=current", html)
            .await;
        assert_eq!(page.status, StatusCode::OK, "{name}: {}", page.text());
        let text = page.text();
        assert!(text.contains("rel=\"next\""), "{text}");
        assert!(
            text.contains("<option value=\"current\" selected>"),
            "{text}"
        );
        let revoked = service
            .get("/credentials?status=revoked", html)
            .await
            .text();
        assert!(revoked.contains("No credential matches"), "{revoked}");
        service
            .get("/credentials?status=lost", html)
            .await
            .assert_problem(StatusCode::BAD_REQUEST, name);
        // JSON stays JSON.
        let listing = service.get("/credentials?limit=1", None).await.json();
        let id = listing["items"][0]["id"].as_str().unwrap().to_owned();
        let segment = id.rsplit('/').next().unwrap();

        // A credential's page: its status and the seven checks.
        let page = service.get(&format!("/credentials/{segment}"), html).await;
        assert_eq!(page.status, StatusCode::OK, "{name}: {}", page.text());
        let text = page.text();
        assert!(text.contains("Live verification") && text.contains("current"));
        for check in [
            "syntax",
            "proof",
            "verification_method",
            "validity",
            "status",
        ] {
            assert!(text.contains(check), "{check}: {text}");
        }
        assert!(
            text.contains("href=\"../credentials\""),
            "relative links: {text}"
        );
        let native = service.get(&format!("/credentials/{segment}"), None).await;
        assert_eq!(native.status, StatusCode::OK);
        assert!(!native.header("content-type").starts_with("text/html"));

        // The verify form and its answer.
        let form = service.get("/verify", html).await;
        assert!(
            form.text()
                .contains("<form method=\"post\" action=\"verify\"")
        );
        let reply = service
            .post(
                "/verify",
                None,
                "application/x-www-form-urlencoded",
                b"credential=%7B%22%3Cscript%3E%22%3A1%7D".to_vec(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.text());
        let text = reply.text();
        assert!(
            text.contains("The seven checks") && text.contains("invalid"),
            "{text}"
        );
        assert!(
            !text.contains("<script>") && text.contains("&#60;script&#62;"),
            "escaped: {text}"
        );
        let empty = service
            .post(
                "/verify",
                None,
                "application/x-www-form-urlencoded",
                b"credential=".to_vec(),
            )
            .await;
        assert_eq!(empty.status, StatusCode::BAD_REQUEST);

        // Partners (none configured here).
        let partners = service.get("/partners", html).await.text();
        assert!(
            partners.contains("No partners are configured"),
            "{partners}"
        );
        assert!(service.get("/partners", None).await.json()["partners"].is_array());

        // Badges by alias, labelled with the scope's name.
        let badge = service
            .get("/badges/example-k8s-1.35/scs-compatible-kaas.svg", None)
            .await;
        assert_eq!(badge.status, StatusCode::OK, "{name}");
        assert!(
            badge.text().contains("SCS-compatible KaaS"),
            "{}",
            badge.text()
        );
        let badge = service
            .get(&format!("/badges/{SUBJECT}/{IAAS_UUID}.svg"), None)
            .await
            .text();
        assert!(
            badge.contains("SCS-compatible IaaS") && !badge.contains(IAAS_UUID),
            "{badge}"
        );
        service.finish().await;
    }
}
