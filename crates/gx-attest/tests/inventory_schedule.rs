//! `[inventory]` in `gx-attest serve`: the scheduled pull against the real services of
//! `tests/services/up.sh`. A flavor changed in Nova re-issues exactly that offering; a NetBox
//! outage (a proxy in front of the real NetBox answering 503) withdraws nothing and shows in
//! `/metrics`; the next pull after NetBox is back succeeds; a token NetBox refuses is logged
//! (source and endpoint, never the token) and counted. Without the services the test says
//! SKIPPED (and fails when CI=true).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use gxa_testkit::http::{ready, request};
use gxa_testkit::paths::repo;
use gxa_testkit::process::Process;
use gxa_testkit::services;

const SUBJECT: &str = "example-cloud";
const FLAVOR_ID: &str = "00000001-0000-4000-8000-000000000000";
const FLAVOR_NAME: &str = "SCS-1V-4";

/// A TCP proxy in front of the real NetBox: passes bytes through while `up`, answers 503
/// (and closes) while not: an outage of NetBox as gx-attest sees it.
fn netbox_proxy(upstream: String, up: Arc<AtomicBool>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            if !up.load(Ordering::SeqCst) {
                std::thread::spawn(move || {
                    // Read the request head, then refuse it.
                    let mut buf = [0u8; 4096];
                    let _ = client.set_read_timeout(Some(Duration::from_secs(2)));
                    let _ = client.read(&mut buf);
                    let _ = client.write_all(
                        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                });
                continue;
            }
            let Ok(server) = TcpStream::connect(&upstream) else {
                continue;
            };
            let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let mut server = server;
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut client, &mut server);
                let _ = server.shutdown(std::net::Shutdown::Write);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s2, &mut c2);
                let _ = c2.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    port
}

/// Sets a flavor extra spec through the Nova API (`load.py flavor-spec`).
fn flavor_spec(s: &services::Services, key: &str, value: &str) {
    let out = Command::new(s.get("GXS_PYTHON"))
        .arg(s.get("GXS_LOAD_PY"))
        .args(["flavor-spec", FLAVOR_ID, key, value])
        .env("GXS_RUN", s.get("GXS_RUN"))
        .env("GXS_PORT_BASE", s.get("GXS_PORT_BASE"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "load.py flavor-spec: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Puts the flavor back when the test ends, whichever way.
struct Restore<'a>(&'a services::Services);

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        flavor_spec(self.0, "hw_rng:allowed", "True");
    }
}

/// A running `gx-attest serve`; SIGKILLed when dropped.
struct Server {
    process: Process,
    port: u16,
}

impl Server {
    fn log(&self) -> String {
        self.process.log_text()
    }

    /// A series' value in `/metrics` (0 when absent).
    fn metric(&self, series: &str) -> f64 {
        let reply = request(self.port, "GET", "/metrics", &[], b"").unwrap();
        reply
            .text()
            .lines()
            .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
            .unwrap_or(0.0)
    }

    /// Waits until `series` reaches `at_least`.
    fn wait_metric(&self, series: &str, at_least: f64) {
        let deadline = Instant::now() + Duration::from_secs(180);
        while self.metric(series) < at_least {
            assert!(
                Instant::now() < deadline,
                "{series} did not reach {at_least}; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The change feed after `after`: (seq, kind, credential id).
    fn changes(&self, after: u64) -> Vec<(u64, String, String)> {
        let reply = request(
            self.port,
            "GET",
            &format!("/changes?after={after}&limit=1000"),
            &[],
            b"",
        )
        .unwrap();
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["seq"].as_u64().unwrap(),
                    e["kind"].as_str().unwrap().to_owned(),
                    e["credential_id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// The latest sequence number of the change feed.
    fn head(&self) -> u64 {
        let reply = request(self.port, "GET", "/changes?limit=1", &[], b"").unwrap();
        reply.json()["latest"].as_u64().unwrap()
    }

    /// Current (not superseded, not revoked) credentials.
    fn current(&self) -> usize {
        let reply = request(
            self.port,
            "GET",
            "/credentials?status=current&limit=1000",
            &[("Accept", "application/json")],
            b"",
        )
        .unwrap();
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["items"].as_array().unwrap().len()
    }

    /// The JWT payload of a served credential, as text.
    fn payload(&self, id: &str) -> String {
        let path = id.split_once("/credentials/").map(|(_, p)| p).unwrap();
        let reply = request(
            self.port,
            "GET",
            &format!("/credentials/{path}"),
            &[("Accept", "application/vc+jwt")],
            b"",
        )
        .unwrap();
        assert_eq!(reply.status, 200, "{}", reply.text());
        let jwt = reply.text();
        let part = jwt.split('.').nth(1).unwrap();
        String::from_utf8(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    }
}

#[test]
fn scheduled_pull_follows_the_cloud_and_an_outage_withdraws_nothing() {
    let test = "scheduled_pull_follows_the_cloud_and_an_outage_withdraws_nothing";
    let Some(s) = services::services(test) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();

    // The sources as up.sh wrote them, with NetBox behind the proxy.
    let up = Arc::new(AtomicBool::new(true));
    let netbox = s
        .get("GXS_NETBOX_URL")
        .trim_start_matches("http://")
        .to_owned();
    let proxy = netbox_proxy(netbox.clone(), Arc::clone(&up));
    let sources = std::fs::read_to_string(s.path("GXS_INVENTORY_TOML"))
        .unwrap()
        .replace(
            &format!("http://{netbox}"),
            &format!("http://127.0.0.1:{proxy}"),
        );
    assert!(sources.contains(&format!("127.0.0.1:{proxy}")), "{sources}");
    std::fs::write(dir.join("inventory.toml"), sources).unwrap();

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let did = format!("did:web:127.0.0.1%3A{port}");
    gxa_proof::generate_keyset(gxa_proof::Algorithm::EdDsa, &did, &dir.join("keys")).unwrap();
    let examples = repo().join("examples");
    gxa_service::demo::write_provider(&examples, dir, &did, &base).unwrap();
    let config = format!(
        r#"listen = "127.0.0.1:{port}"
base_url = "{base}"
data_dir = "data"
key_set = "keys"
profiles = ["loire"]
scopes = [{iaas:?}]
provider = "demo-provider.toml"

[limits]
reissue_interval_secs = 0

[[subjects]]
id = "{SUBJECT}"

[inventory]
sources = "inventory.toml"
subject = "{SUBJECT}"
interval_secs = 2
jitter_secs = 0
retry_secs = 1
"#,
        iaas = examples.join("scs/scs-compatible-iaas.yaml"),
    );
    std::fs::write(dir.join("gx-attest.toml"), config).unwrap();

    let mut process = Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_gx-attest"))
            .arg("serve")
            .arg("--config")
            .arg(dir.join("gx-attest.toml"))
            .current_dir(dir)
            .env("RUST_LOG", "info"),
        &dir.join("server.log"),
    );
    process.wait_until("gx-attest serve", Duration::from_secs(120), || ready(port));
    let server = Server { process, port };

    // The first pull issues the inventory.
    let ok = "gxa_inventory_pulls_total{source=\"all\",kind=\"ok\"}";
    server.wait_metric(ok, 1.0);
    let issued_first = server.current();
    assert!(
        issued_first >= 10,
        "{issued_first} credentials after the first pull"
    );
    let flavors = server.metric("gxa_inventory_pull_items{source=\"openstack\",kind=\"flavors\"}");
    assert_eq!(flavors, 22.0, "flavors in the last pull");
    assert!(server.metric("gxa_inventory_pull_duration_seconds_count") >= 1.0);
    assert!(server.metric("gxa_inventory_pull_last_success_timestamp_seconds") > 1.0e9);
    // Unchanged pulls issue nothing.
    let pulls = server.metric(ok);
    server.wait_metric(ok, pulls + 2.0);
    let head = server.head();
    server.wait_metric(ok, server.metric(ok) + 1.0);
    assert_eq!(
        server.changes(head),
        Vec::new(),
        "an unchanged cloud re-issued"
    );

    // A flavor changed in Nova: exactly its offering is re-issued.
    let restore = Restore(&s);
    flavor_spec(&s, "hw_rng:allowed", "False");
    // The pull running now may have read Nova before the change: two more pulls.
    server.wait_metric(ok, server.metric(ok) + 2.0);
    let changed = server.changes(head);
    assert_eq!(changed.len(), 1, "exactly one change expected: {changed:?}");
    let (seq, kind, id) = &changed[0];
    assert_eq!(kind, "reissued", "{changed:?}");
    let payload = server.payload(id);
    assert!(payload.contains(FLAVOR_NAME), "{payload}");
    assert!(payload.contains("Unavailable"), "{payload}");
    assert_eq!(server.current(), issued_first);

    // NetBox goes down: pulls fail, nothing is withdrawn or issued, /metrics says so.
    up.store(false, Ordering::SeqCst);
    let failures = "gxa_inventory_pull_failures_total{source=\"netbox\",kind=\"http\"}";
    server.wait_metric(failures, 2.0);
    assert!(server.metric("gxa_inventory_pulls_total{source=\"all\",kind=\"failed\"}") >= 2.0);
    assert_eq!(
        server.changes(*seq),
        Vec::new(),
        "an outage changed credentials"
    );
    assert_eq!(
        server.current(),
        issued_first,
        "an outage withdrew credentials"
    );
    assert!(
        server
            .log()
            .contains("inventory pull failed; nothing withdrawn"),
        "{}",
        server.log()
    );

    // NetBox is back, and the flavor as it was: the next pull re-issues that offering again.
    flavor_spec(&s, "hw_rng:allowed", "True");
    up.store(true, Ordering::SeqCst);
    let oks = server.metric(ok);
    server.wait_metric(ok, oks + 1.0);
    let back = server.changes(*seq);
    assert_eq!(back.len(), 1, "{back:?}");
    assert!(!server.payload(&back[0].2).contains("Unavailable"));
    assert_eq!(server.current(), issued_first);
    drop(restore);

    // NetBox refuses the token (the sources file is read at every pull): logged with the source
    // and endpoint, counted as `auth`, nothing withdrawn, and never the token itself.
    let wrong = "nbt_wrongwrongwro.0123456789abcdef0123456789abcdef01234567";
    std::fs::write(dir.join("wrong.token"), wrong).unwrap();
    let sources = std::fs::read_to_string(dir.join("inventory.toml")).unwrap();
    let token_line = sources
        .lines()
        .find(|l| l.starts_with("token_file"))
        .unwrap()
        .to_owned();
    std::fs::write(
        dir.join("inventory.toml"),
        sources.replace(
            &token_line,
            &format!("token_file = {:?}", dir.join("wrong.token")),
        ),
    )
    .unwrap();
    let head = server.head();
    server.wait_metric(
        "gxa_inventory_pull_failures_total{source=\"netbox\",kind=\"auth\"}",
        1.0,
    );
    let log = server.log();
    assert!(
        log.contains("refused our credentials") && log.contains("authentication refused"),
        "{log}"
    );
    assert!(log.contains("/api/"), "the endpoint is named: {log}");
    assert!(!log.contains("wrongwrongwro"), "a token was logged");
    assert_eq!(server.changes(head), Vec::new());
    assert_eq!(server.current(), issued_first);
    // No secret of the real sources in the log either.
    let secret = std::fs::read_to_string(s.path("GXS_NETBOX_TOKEN_V2_FILE")).unwrap();
    assert!(!log.contains(secret.trim()), "a secret was logged");
}
