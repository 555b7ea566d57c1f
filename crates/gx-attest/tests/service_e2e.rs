//! End-to-end tests of `gx-attest serve`: the built binary on a free port, spoken to over real
//! TCP with a plain HTTP/1.1 client (the request bytes are exactly what curl sends), the issued
//! credentials verified with `gx-attest verify` against the served DID document, and a crash
//! (SIGKILL) in the middle of a stream of uploads.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

#[path = "service_e2e/runner.rs"]
mod runner;

use std::io::Write as _;
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gxa_testkit::http::{Reply, free_port, ready, request};
use gxa_testkit::paths::{examples, repo};
use gxa_testkit::process::Process;

fn gx_attest() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gx-attest"))
}

fn get(port: u16, path: &str, accept: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = accept.map(|a| ("Accept", a)).into_iter().collect();
    request(port, "GET", path, &headers, b"").unwrap()
}

fn basic(user: &str, password: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}").into_bytes();
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

/// A running `gx-attest serve`; killed (SIGKILL) when dropped.
struct Server {
    process: Process,
    port: u16,
}

impl Server {
    fn start(args: &[String], port: u16, log: &Path) -> Self {
        let mut process = Process::spawn(
            gx_attest()
                .arg("serve")
                .args(args)
                .current_dir(repo())
                .env("RUST_LOG", "info"),
            log,
        );
        process.wait_until("the server", Duration::from_secs(120), || ready(port));
        Self { process, port }
    }

    fn stdout(&self) -> String {
        self.process.stdout()
    }

    /// The demo's upload token from its banner, which reaches the test through a pipe read by
    /// another thread (so it may lag behind `/readyz`).
    fn demo_token(&self) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let banner = self.stdout();
            if let Some(token) = banner
                .lines()
                .find_map(|l| l.split("(new on every start): ").nth(1))
                && banner.contains("/openapi.json")
            {
                return token.trim().to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "no token in the banner:\n{banner}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill(&mut self) {
        self.process.kill();
    }

    /// SIGTERM, then the exit status (graceful shutdown).
    fn terminate(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.process.id().to_string())
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.process.exited() {
                return status;
            }
            assert!(Instant::now() < deadline, "no exit 30 s after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// `gx-attest verify --did-document did.json FILE` → exit code and output.
fn verify(dir: &Path, did_json: &Path, name: &str, content: &[u8]) -> (i32, String) {
    let file = dir.join(name);
    std::fs::write(&file, content).unwrap();
    let out = gx_attest()
        .arg("verify")
        .arg("--did-document")
        .arg(did_json)
        .arg(&file)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The path of a credential id served at `port`.
fn path_of(port: u16, id: &str) -> String {
    id.strip_prefix(&format!("http://127.0.0.1:{port}"))
        .unwrap_or_else(|| panic!("{id} is not served here"))
        .to_owned()
}

/// Asserts the change feed is numbered 1, 2, 3, … without a gap; returns its length and the
/// credential ids it names.
fn assert_gapless(port: u16) -> (u64, std::collections::BTreeSet<String>) {
    let mut after = 0u64;
    let mut ids = std::collections::BTreeSet::new();
    loop {
        let page = get(port, &format!("/changes?after={after}&limit=1000"), None);
        assert_eq!(page.status, 200, "{}", page.text());
        let body = page.json();
        let changes = body["changes"].as_array().unwrap();
        if changes.is_empty() {
            return (after, ids);
        }
        for change in changes {
            after += 1;
            ids.insert(change["credential_id"].as_str().unwrap().to_owned());
            assert_eq!(change["seq"], after, "gap in the change feed: {change}");
        }
    }
}

#[test]
fn demo_upload_fetch_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let args: Vec<String> = [
        "--demo",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--data",
        &dir.path().join("data").display().to_string(),
        "--examples",
        &examples().display().to_string(),
        "--max-body-bytes",
        "100000",
        "--reissue-interval-secs",
        "0",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let mut server = Server::start(&args, port, &dir.path().join("server.log"));
    // The banner names the token and ready-to-paste commands.
    let token = server.demo_token();
    let banner = server.stdout();
    assert!(banner.contains("curl"), "{banner}");
    assert!(banner.contains("example inventory imported"), "{banner}");

    // The real signed upload, exactly as the SCS test runner's curl sends it.
    let body = std::fs::read(examples().join("scs/upload-body.txt")).unwrap();
    let auth = basic("example-cloud", &token);
    let reply = request(
        port,
        "POST",
        "/reports",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/x-signed-yaml"),
        ],
        &body,
    )
    .unwrap();
    // The demo signed and uploaded a fresh copy of the example reports at start (checked now,
    // so it shows a current evaluation on any day); the bundled example is older: it adds
    // evidence and leaves the current attestations as they are.
    assert!(
        banner.contains("fresh copy of the example reports")
            && banner.contains("uploaded: 4 attestations issued"),
        "{banner}"
    );
    assert!(
        reply.status == 200 || reply.status == 201,
        "{}",
        reply.text()
    );
    let listing = get(
        port,
        "/credentials?type=ScsComplianceAttestation&limit=100",
        None,
    );
    assert_eq!(listing.status, 200, "{}", listing.text());
    let issued: Vec<serde_json::Value> = listing.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["superseded_by"].is_null() && c["revoked_at"].is_null())
        .cloned()
        .collect();
    // Two report subjects (the cloud and its delegated Kubernetes subject) × two profiles.
    assert_eq!(issued.len(), 4, "{}", listing.text());

    // The served DID document, saved for the verifier.
    let did = get(port, "/.well-known/did.json", None);
    assert_eq!(did.status, 200);
    assert_eq!(did.json()["id"], format!("did:web:127.0.0.1%3A{port}"));
    let did_json = dir.path().join("did.json");
    std::fs::write(&did_json, &did.body).unwrap();

    for (n, item) in issued.iter().enumerate() {
        let id = item["id"].as_str().unwrap();
        let path = path_of(port, id);
        let native = match item["format"].as_str().unwrap() {
            "vc+jwt" => "application/vc+jwt",
            _ => "application/vc+ld+json",
        };
        let credential = get(port, &path, Some(native));
        assert_eq!(credential.status, 200, "{id}");
        assert_eq!(credential.header("content-type"), native);
        assert!(credential.header("etag").starts_with('"'));
        let (code, out) = verify(
            dir.path(),
            &did_json,
            &format!("c{n}.txt"),
            &credential.body,
        );
        assert_eq!(
            code, 0,
            "{id} does not verify against the served DID document:\n{out}"
        );
        let nquads = get(port, &path, Some("application/n-quads"));
        assert_eq!(nquads.status, 200, "{}", nquads.text());
        assert!(nquads.text().lines().all(|l| l.ends_with(" .")));
        let html = get(port, &path, Some("text/html"));
        assert_eq!(html.status, 200);
        assert!(html.text().contains("<!DOCTYPE html>"));
        let none = get(port, &path, Some("image/png"));
        none.assert_problem(406, "image/png");
    }
    // A tampered credential does not verify (the check above can fail).
    let first = get(
        port,
        &path_of(port, issued[0]["id"].as_str().unwrap()),
        None,
    );
    let mut tampered = first.body.clone();
    let at = tampered.len() / 2;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let (code, _) = verify(dir.path(), &did_json, "tampered.txt", &tampered);
    assert_ne!(code, 0);

    // Listing, feed, badge, status list, presentation.
    let list = get(port, "/credentials?limit=1000", None);
    assert_eq!(list.status, 200);
    assert!(list.json()["items"].as_array().unwrap().len() >= issued.len());
    assert!(assert_gapless(port).0 >= issued.len() as u64);
    let badge = get(
        port,
        "/badges/example-cloud/50393e6f-2ae1-4c5c-a62c-3b75f2abef3f.svg",
        None,
    );
    assert_eq!(badge.status, 200);
    assert!(badge.text().starts_with("<svg"));
    let presentation = get(
        port,
        "/participants/example-cloud/presentation",
        Some("application/vp+jwt"),
    );
    assert_eq!(presentation.status, 200, "{}", presentation.text());
    let (code, out) = verify(dir.path(), &did_json, "vp.jwt", &presentation.body);
    assert_eq!(code, 0, "the presentation does not verify:\n{out}");
    let openapi = get(port, "/openapi.json", None);
    assert_eq!(openapi.json()["openapi"], "3.1.0");

    // Bad input over the wire: the right problem, never a 500.
    let wrong = basic("example-cloud", "wrong-token-0123456789");
    request(
        port,
        "POST",
        "/reports",
        &[
            ("Authorization", &wrong),
            ("Content-Type", "application/x-signed-yaml"),
        ],
        &body,
    )
    .unwrap()
    .assert_problem(401, "wrong token");
    let big = vec![b'a'; 200_000];
    request(
        port,
        "POST",
        "/reports",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/x-signed-yaml"),
        ],
        &big,
    )
    .unwrap()
    .assert_problem(413, "oversized");
    request(
        port,
        "POST",
        "/reports",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/x-signed-yaml"),
        ],
        b"&&&\x00\xff",
    )
    .unwrap()
    .assert_problem(400, "malformed");
    request(
        port,
        "POST",
        "/reports",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        &body,
    )
    .unwrap()
    .assert_problem(415, "content type");
    get(port, "/credentials/no-such-id", None).assert_problem(404, "unknown id");
    get(port, "/credentials?cursor=bogus", None).assert_problem(400, "bad cursor");
    get(port, "/changes?after=x", None).assert_problem(400, "bad feed cursor");
    get(port, "/nothing/here", None).assert_problem(404, "unknown route");
    request(port, "DELETE", "/changes", &[], b"")
        .unwrap()
        .assert_problem(405, "method");
    // A request that is not HTTP at all does not take the server down.
    let mut raw = TcpStream::connect(("127.0.0.1", port)).unwrap();
    raw.write_all(b"\x16\x03\x01garbage\r\n\r\n").unwrap();
    drop(raw);
    assert_eq!(get(port, "/healthz", None).status, 200);

    // SIGTERM: a graceful exit with status 0.
    let status = server.terminate();
    assert!(status.success(), "exit status {status}");
}

/// Distinct reports: the example with its own run uuid and `checked_at` (each newer than the
/// one before, all in the past), so that every upload changes the attestations.
fn report_variant(template: &str, n: usize) -> String {
    let at = jiff::Timestamp::now() - jiff::SignedDuration::from_mins(120 - n as i64);
    let checked_at = at.strftime("%Y-%m-%d %H:%M:%S").to_string();
    template
        .lines()
        .map(|line| {
            if line.starts_with("checked_at:") {
                format!("checked_at: {checked_at}")
            } else if line == "  uuid: 24c0f8f7-6005-4efc-af1b-a39559a8417c" {
                format!("  uuid: 24c0f8f7-6005-4efc-af1b-{n:012x}")
            } else if line == "  uuid: fe0402b6-2b39-4f59-b4f8-1e5133e36773" {
                format!("  uuid: fe0402b6-2b39-4f59-b4f8-{n:012x}")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn crash_during_uploads_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // A subject with its own SSH key (so that the test can sign distinct uploads).
    let (key, public) = gxa_testkit::reports::keygen(dir.path(), "signer");
    let did = format!("did:web:127.0.0.1%3A{port}");
    let keys = dir.path().join("keys");
    gxa_testkit::process::run_ok(
        gx_attest()
            .args(["keys", "generate", "--alg", "EdDSA", "--did", &did, "--out"])
            .arg(&keys),
    );
    let scs = examples().join("scs");
    let config = format!(
        "listen = \"127.0.0.1:{port}\"\n\
         base_url = \"http://127.0.0.1:{port}\"\n\
         data_dir = \"data\"\n\
         key_set = \"keys\"\n\
         scopes = [\"{}\", \"{}\"]\n\
         [limits]\n\
         reissue_interval_secs = 0\n\
         [[subjects]]\n\
         id = \"example-cloud\"\n\
         ssh_keys = [\"{}\"]\n\
         delegate_of = [\"example-k8s-*\"]\n",
        scs.join("scs-compatible-iaas.yaml").display(),
        scs.join("scs-compatible-kaas.yaml").display(),
        public.trim(),
    );
    let config_path = dir.path().join("gx-attest.toml");
    std::fs::write(&config_path, config).unwrap();
    let token = "crash-test-token-0123456789abcdef";
    let args: Vec<String> = vec![
        "--config".to_owned(),
        config_path.display().to_string(),
        "--dev-token".to_owned(),
        format!("example-cloud={token}"),
    ];
    let template = std::fs::read_to_string(scs.join("reports-combined.yaml")).unwrap();
    let bodies: Vec<Vec<u8>> = (0..40)
        .map(|n| {
            gxa_testkit::reports::signed_upload(dir.path(), &key, &report_variant(&template, n))
        })
        .collect();

    let log = dir.path().join("server.log");
    let mut server = Server::start(&args, port, &log);
    let acknowledged: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let successes = Arc::new(Mutex::new(0usize));
    let uploader = {
        let acknowledged = Arc::clone(&acknowledged);
        let successes = Arc::clone(&successes);
        let bodies = bodies.clone();
        std::thread::spawn(move || {
            let auth = format!("Bearer {token}");
            for body in &bodies {
                let reply = request(
                    port,
                    "POST",
                    "/reports",
                    &[
                        ("Authorization", &auth),
                        ("Content-Type", "application/x-signed-yaml"),
                    ],
                    body,
                );
                match reply {
                    Ok(reply) if (200..300).contains(&reply.status) => {
                        let outcome = reply.json();
                        let mut ids = acknowledged.lock().unwrap();
                        for key in ["issued", "unchanged"] {
                            for item in outcome[key].as_array().unwrap() {
                                let id = item["id"].as_str().or(item.as_str()).unwrap();
                                ids.push(id.to_owned());
                            }
                        }
                        *successes.lock().unwrap() += 1;
                    }
                    Ok(reply) => {
                        assert!(
                            reply.status < 500 || reply.status == 503,
                            "{}",
                            reply.text()
                        );
                    }
                    // The server died under us: stop.
                    Err(_) => return,
                }
            }
        })
    };
    // Kill the server in the middle of the stream.
    let deadline = Instant::now() + Duration::from_secs(120);
    while *successes.lock().unwrap() < 3 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill();
    uploader.join().unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    let count = *successes.lock().unwrap();
    assert!(
        count >= 3,
        "fewer than 3 uploads before the kill; log:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    assert!(
        count < bodies.len(),
        "the kill came after the last upload; the test proves nothing"
    );

    // Restart on the same data: everything acknowledged is there and verifies.
    let server = Server::start(&args, port, &log);
    let did_json = dir.path().join("did.json");
    std::fs::write(&did_json, get(port, "/.well-known/did.json", None).body).unwrap();
    assert!(!acknowledged.is_empty());
    for (n, id) in acknowledged.iter().enumerate() {
        let credential = get(server.port, &path_of(port, id), None);
        assert_eq!(
            credential.status, 200,
            "acknowledged {id} is missing after the crash"
        );
        if n % 3 == 0 {
            let (code, out) = verify(
                dir.path(),
                &did_json,
                &format!("ack{n}.txt"),
                &credential.body,
            );
            assert_eq!(code, 0, "{id}:\n{out}");
        }
    }
    let (entries, in_feed) = assert_gapless(port);
    for id in &acknowledged {
        assert!(
            in_feed.contains(id),
            "acknowledged {id} is not in the change feed ({entries} entries)"
        );
    }
    assert!(
        entries > 4,
        "every upload changed the attestations: {entries} entries"
    );
    // The service goes on: the next upload is taken.
    let reply = request(
        port,
        "POST",
        "/reports",
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Content-Type", "application/x-signed-yaml"),
        ],
        &bodies[bodies.len() - 1],
    )
    .unwrap();
    assert!((200..300).contains(&reply.status), "{}", reply.text());
    assert_gapless(port);
}
