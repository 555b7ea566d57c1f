//! Issue 8 acceptance, "Partner exchange": three real `gx-attest serve` processes on loopback,
//! each with its own data directory, key set and did:web identity (`did:web:localhost%3A<port>`,
//! served over HTTPS with a certificate from one test CA), each configured with the other two as
//! partners. Every credential one of them receives is fetched over HTTPS through the guarded
//! fetcher and verified fully (did:web, `x5u` chain to the three key sets' roots as trust
//! anchors, status list, validity, shapes).
//!
//! The run:
//! 1. A and B start and each takes the real signed SCS upload (`examples/scs/upload-body.txt`,
//!    as the SCS test runner's curl sends it); they exchange their credentials. A fourth
//!    partner of B and C, "a-mirror", is a small TLS server in this test that claims to serve
//!    A's feed and is down (503) at first: B keeps syncing A regardless.
//! 2. C starts, takes the upload, and is killed (SIGKILL) while it is syncing; it is restarted
//!    and resumes from its cursors: in the end every instance holds each partner's credentials
//!    exactly once (listing and change feed), verified, with provenance, and its change feed has
//!    no gap. C also follows B a second time ("b-strict") under a trust policy B's credentials
//!    do not meet: each is refused there as `policy`, with the reason.
//! 3. (a) The mirror comes up serving a copy of A's feed in which one JSON-LD credential was
//!    altered: B and C reject it (`/partners/a-mirror/rejections`, reason: the proof) and keep
//!    the genuine one, and their sync of the rest goes on.
//! 4. (c) A revokes a credential: B and C record the revocation (`revoked` in their `/changes`,
//!    `revoked_at` in their listing).
//! 5. A takes an inventory snapshot (Gaia-X self-descriptions linking to each other): B and C
//!    store them all, each verified alone, with no rejection; a changed flavor makes A re-issue
//!    one, and B and C record the re-issuance (`reissued` with `previous`, `superseded_by`).
//!
//! Runs on SQLite; when `GXA_TEST_POSTGRES_URL` is set, B runs on PostgreSQL (its own database).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gxa_testkit::http::{encode, free_port, ready, request};
use gxa_testkit::https;
use gxa_testkit::paths::{examples, repo};
use gxa_testkit::process::Process;
use gxa_testkit::store::{PgDatabase, postgres_admin_url};
use gxa_testkit::tls::{root_of_chain, server_config_from_files, tls_files};
use serde_json::{Value, json};

const SUBJECT: &str = "example-cloud";
const TOKEN: &str = "federation-test-token-0123456789";

// ---- a plain HTTP/1.1 client (the instances' plain listeners) ----

fn get_json(port: u16, path: &str) -> Value {
    let reply = request(port, "GET", path, &[], b"").unwrap();
    assert_eq!(reply.status, 200, "GET {path}: {}", reply.text());
    reply.json()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---- TLS material ----

// ---- the instances ----

/// One instance's identity and files.
struct Instance {
    name: &'static str,
    http: u16,
    tls: u16,
    dir: PathBuf,
}

impl Instance {
    fn did(&self) -> String {
        format!("did:web:localhost%3A{}", self.tls)
    }

    fn base_url(&self) -> String {
        format!("https://localhost:{}", self.tls)
    }

    fn config(&self) -> PathBuf {
        self.dir.join("gx-attest.toml")
    }
}

/// A running `gx-attest serve`; SIGKILLed when dropped.
struct Server {
    process: Process,
    http: u16,
}

impl Server {
    fn start(instance: &Instance) -> Self {
        let mut process = Process::spawn(
            Command::new(env!("CARGO_BIN_EXE_gx-attest"))
                .arg("serve")
                .arg("--config")
                .arg(instance.config())
                .arg("--dev-token")
                .arg(format!("{SUBJECT}={TOKEN}"))
                .current_dir(repo())
                .env("RUST_LOG", "info,gxa_partners=debug"),
            &instance.dir.join("server.log"),
        );
        process.wait_until(instance.name, Duration::from_secs(60), || {
            ready(instance.http)
        });
        Self {
            process,
            http: instance.http,
        }
    }

    fn log_text(&self) -> String {
        self.process.log_text()
    }

    fn kill(&mut self) {
        self.process.kill();
    }
}

/// Writes the instance's configuration: TLS, the verifier's trust (all three key sets' roots,
/// the TLS test CA, the loopback hosts), a fast partner sync, and its partners.
fn write_config(
    instance: &Instance,
    partners: &[(&str, String, String)],
    database_url: Option<&str>,
    allow_hosts: &[String],
) {
    let signer = std::fs::read_to_string(examples().join("scs/example-signer.pub")).unwrap();
    let mut text = format!(
        r#"listen = "127.0.0.1:{http}"
base_url = "{base}"
data_dir = "data"
key_set = "keys"
max_connections = 4
scopes = [{iaas:?}, {kaas:?}]
provider = "demo-provider.toml"
{database}
[limits]
reissue_interval_secs = 0

[tls]
listen = "127.0.0.1:{tls}"
cert = "../tls/cert.pem"
key = "../tls/key.pem"

[verify]
trust_anchors = "../anchors.pem"
extra_ca = "../tls/ca.pem"
allow_hosts = {hosts:?}

[partner_sync]
interval_ms = 200
max_backoff_ms = 800
page_size = 3
lease_secs = 2

[[subjects]]
id = "{SUBJECT}"
ssh_keys = [{signer:?}]
delegate_of = ["example-k8s-*"]
"#,
        http = instance.http,
        tls = instance.tls,
        base = instance.base_url(),
        iaas = examples().join("scs/scs-compatible-iaas.yaml"),
        kaas = examples().join("scs/scs-compatible-kaas.yaml"),
        database = database_url
            .map(|u| format!("database_url = {u:?}"))
            .unwrap_or_default(),
        hosts = allow_hosts,
        signer = signer.trim(),
    );
    for (id, base, did) in partners {
        text.push_str(&format!(
            "\n[[partners]]\nid = {id:?}\nbase_url = {base:?}\ndid = {did:?}\n"
        ));
    }
    std::fs::write(instance.config(), text).unwrap();
}

/// The signed SCS upload, exactly as the SCS test runner sends it; returns the issued ids.
fn upload(server: &Server) -> Vec<String> {
    let body = std::fs::read(examples().join("scs/upload-body.txt")).unwrap();
    let auth = format!("Bearer {TOKEN}");
    let reply = request(
        server.http,
        "POST",
        "/reports",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/x-signed-yaml"),
        ],
        &body,
    )
    .unwrap();
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()["issued"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Every credential of `issuer` listed at `port`: id → listing item.
fn listed(port: u16, issuer: &str) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut cursor = String::new();
    loop {
        let page = get_json(
            port,
            &format!("/credentials?issuer={}&limit=2{cursor}", encode(issuer)),
        );
        for item in page["items"].as_array().unwrap() {
            let id = item["id"].as_str().unwrap().to_owned();
            assert!(
                out.insert(id.clone(), item.clone()).is_none(),
                "{id} listed twice at {port}"
            );
        }
        match page["next"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return out,
        }
    }
}

/// The whole change feed at `port`, checked gapless (1, 2, 3, …).
fn feed(port: u16) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    loop {
        let page = get_json(port, &format!("/changes?after={}&limit=1000", out.len()));
        let changes = page["changes"].as_array().unwrap();
        if changes.is_empty() {
            return out;
        }
        for change in changes {
            assert_eq!(
                change["seq"],
                out.len() as u64 + 1,
                "gap in the change feed at {port}: {change}"
            );
            out.push(change.clone());
        }
    }
}

/// The `/partners` entry of partner `id` at `port`.
fn partner(port: u16, id: &str) -> Value {
    let list = get_json(port, "/partners");
    list["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no partner {id} at {port}: {list}"))
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool, logs: &[&Server]) {
    let deadline = Instant::now() + timeout;
    while !done() {
        if Instant::now() > deadline {
            let mut text = String::new();
            for server in logs {
                let log = server.log_text();
                let tail: Vec<&str> = log
                    .lines()
                    .filter(|l| !l.contains("retrying from the cursor"))
                    .rev()
                    .take(30)
                    .collect();
                text.push_str(&format!(
                    "\n--- {} (partners: {})\n{}",
                    server.http,
                    request(server.http, "GET", "/partners", &[], b"")
                        .map(|r| r.text())
                        .unwrap_or_default(),
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                ));
            }
            panic!("timed out waiting for {what}{text}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The credentials `issuer` issued itself, as listed at its own `port` (id → sha256).
fn own(port: u16, did: &str) -> BTreeMap<String, String> {
    listed(port, did)
        .into_iter()
        .map(|(id, item)| (id, item["sha256"].as_str().unwrap().to_owned()))
        .collect()
}

/// Whether `holder` lists exactly `issuer`'s own credentials (same bodies).
fn holds_all(holder: u16, issuer_port: u16, did: &str) -> bool {
    let expected = own(issuer_port, did);
    let got: BTreeMap<String, String> = listed(holder, did)
        .into_iter()
        .map(|(id, item)| (id, item["sha256"].as_str().unwrap().to_owned()))
        .collect();
    !expected.is_empty() && got == expected
}

/// The example cloud's inventory as one `POST /inventory` body.
fn inventory_snapshot() -> Value {
    let dir = examples().join("inventory");
    let json_file = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let mut hosts: Vec<PathBuf> = std::fs::read_dir(dir.join("hosts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    hosts.sort();
    let hosts: Vec<Value> = hosts
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    json!({
        "openstack": json_file("openstack.json"),
        "flavor_yaml": std::fs::read_to_string(dir.join("flavors.yaml")).unwrap(),
        "hosts": hosts,
        "netbox": json_file("netbox.json"),
    })
}

/// `POST /inventory` as the subject; the answer (issued, unchanged, withdrawn).
fn post_inventory(port: u16, snapshot: &Value) -> Value {
    let auth = format!("Bearer {TOKEN}");
    let reply = request(
        port,
        "POST",
        "/inventory",
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        snapshot.to_string().as_bytes(),
    )
    .unwrap();
    assert!(matches!(reply.status, 200 | 201), "{}", reply.text());
    reply.json()
}

// ---- the mirror: a partner that serves a tampered copy of A's feed ----

/// What the mirror serves: `None` = 503 (down).
#[derive(Default)]
struct Snapshot {
    changes: Vec<Value>,
    /// credential id → (content type, body)
    credentials: BTreeMap<String, (String, Vec<u8>)>,
}

type Shared = Arc<Mutex<Option<Snapshot>>>;

fn start_mirror(listener: TcpListener, cert: &Path, key: &Path) -> Shared {
    let shared: Shared = Arc::new(Mutex::new(None));
    let state = Arc::clone(&shared);
    https::serve(
        listener,
        server_config_from_files(cert, key),
        move |request| serve_mirror(&request.target, &state),
    );
    shared
}

fn serve_mirror(target: &str, state: &Shared) -> https::Response {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let (status, content_type, body) = {
        let guard = state.lock().unwrap();
        match (&*guard, path) {
            (None, _) => (
                "503 Service Unavailable",
                "text/plain".to_owned(),
                b"down".to_vec(),
            ),
            (Some(snapshot), "/changes") => {
                let after = param("after").unwrap_or(0);
                let limit = param("limit").unwrap_or(100) as usize;
                let page: Vec<&Value> = snapshot
                    .changes
                    .iter()
                    .filter(|c| c["seq"].as_u64().unwrap() > after)
                    .take(limit)
                    .collect();
                let next = page.last().map_or(after, |c| c["seq"].as_u64().unwrap());
                let body = json!({"changes": page, "next": next.to_string(), "latest": next});
                (
                    "200 OK",
                    "application/json".to_owned(),
                    body.to_string().into_bytes(),
                )
            }
            (Some(snapshot), p) => match p
                .strip_prefix("/credentials/")
                .and_then(|id| snapshot.credentials.get(&decode(id)))
            {
                Some((content_type, body)) => ("200 OK", content_type.clone(), body.clone()),
                None => ("404 Not Found", "text/plain".to_owned(), b"no".to_vec()),
            },
        }
    };
    https::Response::new(status, &content_type, body).with_header("Cache-Control", "no-store")
}

/// Changes one string value inside the credential's subject (not its id or type): the
/// document stays well-formed JSON-LD, but its proof no longer matches.
fn tamper(body: &[u8]) -> Vec<u8> {
    fn first_string(value: &mut Value) -> bool {
        match value {
            Value::Object(map) => map
                .iter_mut()
                .filter(|(k, _)| !matches!(k.as_str(), "id" | "type" | "@context"))
                .any(|(_, v)| match v {
                    Value::String(s) => {
                        s.push_str(" (altered)");
                        true
                    }
                    other => first_string(other),
                }),
            Value::Array(list) => list.iter_mut().any(first_string),
            _ => false,
        }
    }
    let mut doc: Value = serde_json::from_slice(body).unwrap();
    assert!(
        first_string(&mut doc["credentialSubject"]),
        "nothing to alter in {doc}"
    );
    serde_json::to_vec(&doc).unwrap()
}

// ---- PostgreSQL for B, when available ----

fn postgres_database(runtime: &tokio::runtime::Runtime) -> Option<PgDatabase> {
    let admin = postgres_admin_url(
        "PostgreSQL instance of the federation test",
        "all three instances run on SQLite",
    )?;
    let name = format!("gxa_federation_{}", std::process::id());
    Some(runtime.block_on(PgDatabase::create_named(&admin, &name)))
}

/// Opens an instance's store (SQLite file or PostgreSQL) to read provenance.
fn open_store(
    runtime: &tokio::runtime::Runtime,
    instance: &Instance,
    url: Option<&str>,
) -> gxa_store::Store {
    let url = url.map_or_else(
        || {
            format!(
                "sqlite://{}",
                instance
                    .dir
                    .join("data")
                    .join(gxa_store::SQLITE_FILE_NAME)
                    .display()
            )
        },
        str::to_owned,
    );
    runtime
        .block_on(gxa_store::Store::open_with(
            &url,
            &gxa_store::StoreOptions { max_connections: 2 },
        ))
        .unwrap()
}

#[test]
fn three_instances_exchange_reject_tampering_resume_after_kill_and_propagate_revocation() {
    let started = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (tls_ca, cert, key) = tls_files(&root.join("tls"), "gx-attest federation test TLS CA");
    let _ = tls_ca;
    let mirror_listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mirror_port = mirror_listener.local_addr().unwrap().port();
    let mirror = start_mirror(mirror_listener, &cert, &key);

    let make = |name: &'static str| {
        let instance = Instance {
            name,
            http: free_port(),
            tls: free_port(),
            dir: root.join(name),
        };
        std::fs::create_dir_all(&instance.dir).unwrap();
        gxa_proof::generate_keyset(
            gxa_proof::Algorithm::EdDsa,
            &instance.did(),
            &instance.dir.join("keys"),
        )
        .unwrap();
        gxa_service::demo::write_provider(
            &examples(),
            &instance.dir,
            &instance.did(),
            &instance.base_url(),
        )
        .unwrap();
        instance
    };
    let (a, b, c) = (make("a"), make("b"), make("c"));
    // Every x5u chain must end in one of the three key sets' roots.
    let anchors: String = [&a, &b, &c]
        .iter()
        .map(|i| root_of_chain(&i.dir.join("keys/x509CertificateChain.pem")))
        .collect();
    std::fs::write(root.join("anchors.pem"), anchors).unwrap();
    let hosts: Vec<String> = [a.tls, b.tls, c.tls, mirror_port]
        .iter()
        .map(|p| format!("localhost:{p}"))
        .collect();
    let entry = |i: &Instance| (i.name, i.base_url(), i.did());
    let mirror_entry = (
        "a-mirror",
        format!("https://localhost:{mirror_port}"),
        a.did(),
    );
    let pg = postgres_database(&runtime);
    write_config(&a, &[entry(&b), entry(&c)], None, &hosts);
    write_config(
        &b,
        &[entry(&a), entry(&c), mirror_entry.clone()],
        pg.as_ref().map(|d| d.url.as_str()),
        &hosts,
    );
    write_config(&c, &[entry(&a), entry(&b), mirror_entry], None, &hosts);
    // C also follows B under a trust policy B's credentials do not meet (another partner entry
    // for the same DID): each of them is refused there as `policy`, while "b" stores them.
    let mut text = std::fs::read_to_string(c.config()).unwrap();
    text.push_str(&format!(
        "\n[[partners]]\nid = \"b-strict\"\nbase_url = {:?}\ndid = {:?}\n\
         policy = {{ types = [\"gx:LegalParticipant\"], subjects = [\"example-*\"] }}\n",
        b.base_url(),
        b.did()
    ));
    std::fs::write(c.config(), text).unwrap();

    // 1. A and B issue and exchange; the mirror is down and does not hold B up.
    let server_a = Server::start(&a);
    let server_b = Server::start(&b);
    let issued_a = upload(&server_a);
    let issued_b = upload(&server_b);
    assert!(issued_a.len() >= 2 && issued_b.len() >= 2, "{issued_a:?}");
    wait_for(
        "A and B to hold each other's credentials",
        Duration::from_secs(40),
        || holds_all(b.http, a.http, &a.did()) && holds_all(a.http, b.http, &b.did()),
        &[&server_a, &server_b],
    );
    let down = partner(b.http, "a-mirror");
    assert!(
        down["last_error"].as_str().unwrap_or("").contains("503"),
        "the mirror is down: {down}"
    );
    assert_eq!(down["cursor"], 0);
    assert!(partner(b.http, "a")["stored"].as_u64().unwrap() >= 2);
    println!("A and B exchanged after {:?}", started.elapsed());

    // 2. C starts, issues, and is killed while it syncs.
    let mut server_c = Server::start(&c);
    let issued_c = upload(&server_c);
    assert!(issued_c.len() >= 2);
    let expected_at_c = own(a.http, &a.did()).len() + own(b.http, &b.did()).len();
    wait_for(
        "C to start syncing",
        Duration::from_secs(40),
        || {
            ["a", "b"]
                .iter()
                .map(|p| partner(c.http, p)["stored"].as_u64().unwrap())
                .sum::<u64>()
                >= 1
        },
        &[&server_c],
    );
    let stored_at_kill: u64 = ["a", "b"]
        .iter()
        .map(|p| partner(c.http, p)["stored"].as_u64().unwrap())
        .sum();
    server_c.kill();
    println!(
        "C killed with {stored_at_kill} of {expected_at_c} partner credentials stored \
         (mid-sync: {})",
        (stored_at_kill as usize) < expected_at_c
    );
    let server_c = Server::start(&c);
    wait_for(
        "every instance to hold every partner's credentials",
        Duration::from_secs(60),
        || {
            holds_all(c.http, a.http, &a.did())
                && holds_all(c.http, b.http, &b.did())
                && holds_all(a.http, c.http, &c.did())
                && holds_all(b.http, c.http, &c.did())
        },
        &[&server_a, &server_b, &server_c],
    );
    println!("all exchanged after {:?}", started.elapsed());

    // No duplicates, no gaps: each credential once in each feed (one issuance entry), the
    // feed numbered without gaps, and every partner credential with its provenance and a
    // verifier report in which all checks passed (the chain to a trust anchor included).
    let servers = [(&a, &server_a), (&b, &server_b), (&c, &server_c)];
    for (instance, _) in &servers {
        let entries = feed(instance.http);
        let mut issuances: BTreeMap<String, usize> = BTreeMap::new();
        for e in &entries {
            if matches!(e["kind"].as_str(), Some("issued" | "reissued")) {
                *issuances
                    .entry(e["credential_id"].as_str().unwrap().to_owned())
                    .or_default() += 1;
            }
        }
        assert!(
            issuances.values().all(|n| *n == 1),
            "{}: a credential issued twice in the feed: {issuances:?}",
            instance.name
        );
        let url = if instance.name == "b" {
            pg.as_ref().map(|d| d.url.as_str())
        } else {
            None
        };
        let store = open_store(&runtime, instance, url);
        for (other, _) in &servers {
            if other.name == instance.name {
                continue;
            }
            for id in own(other.http, &other.did()).keys() {
                assert_eq!(
                    issuances.get(id),
                    Some(&1),
                    "{}: {id} not in the feed once",
                    instance.name
                );
                // Each feed entry names the issuer.
                assert!(
                    entries
                        .iter()
                        .any(|e| e["credential_id"] == id.as_str() && e["issuer"] == other.did())
                );
                let provenance = runtime
                    .block_on(store.partner_provenance(id))
                    .unwrap()
                    .unwrap_or_else(|| panic!("{}: no provenance of {id}", instance.name));
                assert!(
                    provenance.partner_id == other.name || provenance.partner_id == "a-mirror",
                    "{provenance:?}"
                );
                let report: Value = serde_json::from_str(&provenance.report).unwrap();
                assert_eq!(report["verdict"], "valid", "{report:#}");
                for check in report["checks"].as_array().unwrap() {
                    if check["check"] != "shapes" {
                        assert_eq!(check["outcome"], "pass", "{}: {check}", instance.name);
                    }
                }
            }
        }
        runtime.block_on(store.close());
    }

    // The trust policy: C refused each of B's credentials under "b-strict" (types), with the
    // reason, and holds them all through "b".
    let own_b = own(b.http, &b.did());
    wait_for(
        "C's strict partner entry to be synced",
        Duration::from_secs(30),
        || partner(c.http, "b-strict")["rejected"] == own_b.len() as u64,
        &[&server_c],
    );
    let page = get_json(c.http, "/partners/b-strict/rejections");
    for rejection in page["rejections"].as_array().unwrap() {
        assert_eq!(rejection["kind"], "policy", "{rejection}");
        assert!(own_b.contains_key(rejection["credential_id"].as_str().unwrap()));
        let reasons = rejection["reasons"].to_string();
        assert!(reasons.contains("gx:LegalParticipant"), "{reasons}");
        assert!(
            !reasons.contains("subject"),
            "the subject is allowed: {reasons}"
        );
    }
    assert_eq!(partner(c.http, "b-strict")["stored"], 0);

    // 3. (a) The mirror serves A's feed with one JSON-LD credential altered.
    let feed_a = feed(a.http);
    let mut snapshot = Snapshot::default();
    let mut tampered_id = None;
    for change in &feed_a {
        snapshot.changes.push(change.clone());
        if change["issuer"] != a.did().as_str() {
            // Re-served third-party credentials: the syncer skips them unseen.
            continue;
        }
        let id = change["credential_id"].as_str().unwrap().to_owned();
        let path = id.strip_prefix(&a.base_url()).unwrap().to_owned();
        let reply = request(
            a.http,
            "GET",
            &path,
            &[("Accept", "application/vc+ld+json, application/vc+jwt;q=0.9")],
            b"",
        )
        .unwrap();
        assert_eq!(reply.status, 200);
        let is_ld = reply.body.first() == Some(&b'{');
        let (content_type, body) = if is_ld && tampered_id.is_none() {
            tampered_id = Some(id.clone());
            ("application/vc+ld+json", tamper(&reply.body))
        } else if is_ld {
            ("application/vc+ld+json", reply.body)
        } else {
            ("application/vc+jwt", reply.body)
        };
        snapshot
            .credentials
            .insert(id, (content_type.to_owned(), body));
    }
    let tampered_id = tampered_id.expect("A issued a JSON-LD credential");
    *mirror.lock().unwrap() = Some(snapshot);
    for holder in [&b, &c] {
        wait_for(
            "the mirror's feed to be synced",
            Duration::from_secs(30),
            || partner(holder.http, "a-mirror")["cursor"] == feed_a.len() as u64,
            &[&server_b, &server_c],
        );
        let page = get_json(holder.http, "/partners/a-mirror/rejections");
        let rejections = page["rejections"].as_array().unwrap();
        assert_eq!(rejections.len(), 1, "{}: {page}", holder.name);
        assert_eq!(rejections[0]["credential_id"], tampered_id.as_str());
        assert_eq!(rejections[0]["kind"], "invalid");
        let reasons = rejections[0]["reasons"].to_string();
        assert!(reasons.contains("proof fail"), "{reasons}");
        // The genuine credential is kept, and the mirror's other entries changed nothing.
        assert!(holds_all(holder.http, a.http, &a.did()), "{}", holder.name);
        let state = partner(holder.http, "a-mirror");
        assert_eq!(state["rejected"], 1);
        assert!(state["last_error"].is_null(), "{state}");
        // The other partners' rejections are empty.
        assert!(
            get_json(holder.http, "/partners/a/rejections")["rejections"]
                .as_array()
                .unwrap()
                .is_empty()
        );
    }
    // The rejection is counted in the metrics.
    let metrics = request(b.http, "GET", "/metrics", &[], b"").unwrap().text();
    assert!(
        metrics.contains(r#"gxa_partner_entries_total{partner="a-mirror",outcome="rejected"} 1"#),
        "{metrics}"
    );
    let unknown = request(b.http, "GET", "/partners/nobody/rejections", &[], b"").unwrap();
    assert_eq!(unknown.status, 404);

    // 4. (c) A revokes one of its credentials: B and C record it.
    let revoked_id = own(a.http, &a.did())
        .into_keys()
        .find(|id| *id != tampered_id)
        .unwrap();
    let auth = format!("Bearer {TOKEN}");
    let path = revoked_id.strip_prefix(&a.base_url()).unwrap();
    let reply = request(
        a.http,
        "POST",
        &format!("{path}/revoke"),
        &[("Authorization", &auth)],
        b"",
    )
    .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    for holder in [&b, &c] {
        wait_for(
            "the revocation to propagate",
            Duration::from_secs(30),
            || {
                feed(holder.http)
                    .iter()
                    .any(|e| e["kind"] == "revoked" && e["credential_id"] == revoked_id.as_str())
            },
            &[&server_a, &server_b, &server_c],
        );
        let item = &listed(holder.http, &a.did())[&revoked_id];
        assert!(item["revoked_at"].is_string(), "{item}");
        // Served here too, by its whole id.
        let reply = request(
            holder.http,
            "GET",
            &format!("/credentials/{}", encode(&revoked_id)),
            &[],
            b"",
        )
        .unwrap();
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    // C does not re-serve A's revocation to B as its own: B's record comes from A.
    assert_eq!(
        feed(b.http)
            .iter()
            .filter(|e| e["kind"] == "revoked")
            .count(),
        1
    );
    // 5. A takes an inventory snapshot: Gaia-X self-descriptions that link to each other (an
    // offering to its provider, a data centre to its zones), each verified alone at B and C
    // (its own statements against the shapes; the links named, not failed). Then a flavor
    // changes and A re-issues one of them: the re-issuance propagates as such.
    let rejections_before: Vec<usize> = [&b, &c]
        .iter()
        .map(|h| partner(h.http, "a")["rejected"].as_u64().unwrap_or(0) as usize)
        .collect();
    let snapshot = inventory_snapshot();
    let reply = post_inventory(a.http, &snapshot);
    let first = reply["issued"].as_array().unwrap().len();
    assert!(first > 10, "{reply}");
    for holder in [&b, &c] {
        wait_for(
            "A's inventory credentials to be exchanged",
            Duration::from_secs(90),
            || holds_all(holder.http, a.http, &a.did()),
            &[&server_a, &server_b, &server_c],
        );
    }
    for (holder, before) in [&b, &c].iter().zip(&rejections_before) {
        let rejected = partner(holder.http, "a")["rejected"].as_u64().unwrap_or(0) as usize;
        assert_eq!(
            rejected,
            *before,
            "{}",
            get_json(holder.http, "/partners/a/rejections")
        );
    }
    let mut changed = snapshot.clone();
    changed["openstack"]["flavors"][0]["RAM"] = json!(8192);
    let reply = post_inventory(a.http, &changed);
    let reissued = reply["issued"].as_array().unwrap();
    assert_eq!(reissued.len(), 1, "{reply}");
    let new_id = reissued[0]["id"].as_str().unwrap().to_owned();
    let old_id = reissued[0]["replaces"].as_str().unwrap().to_owned();
    for holder in [&b, &c] {
        wait_for(
            "the re-issuance to propagate",
            Duration::from_secs(60),
            || {
                feed(holder.http).iter().any(|e| {
                    e["kind"] == "reissued"
                        && e["credential_id"] == new_id.as_str()
                        && e["previous"] == old_id.as_str()
                })
            },
            &[&server_a, &server_b, &server_c],
        );
        let listing = listed(holder.http, &a.did());
        assert_eq!(
            listing[&old_id]["superseded_by"].as_str(),
            Some(new_id.as_str()),
            "{}",
            listing[&old_id]
        );
    }

    println!("done after {:?}", started.elapsed());
    drop((server_a, server_b, server_c));
    drop(pg);
}
