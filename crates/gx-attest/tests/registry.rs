//! Issue 18 acceptance, "the registry role answers the trust-anchor calls for a chain whose
//! root is only in a trusted list" and "a trusted list signed in the test with the same
//! structure, its signature verified, a tampered list refused with the reason": a real
//! `gx-attest serve --role registry` whose only sources of trust are two ETSI TS 119 612 lists
//! signed by `xmlsec1` (libxmlsec1): one read from a file, one fetched over https from a test
//! server through the guarded fetcher. Along the way: the list status route, the trusted
//! issuers, `/v2/configurations/credentials`, a tampered list (refused with the signature's
//! reason, the last good list kept), a replayed older list (refused), a withdrawn service
//! (its chain refused from then on), an expired list (its anchors dropped), and a restart
//! from the cache while the source is broken.
//!
//! Certificates and lists are valid 2020–2040, the expired list's `NextUpdate` is in 2021: the
//! outcome does not depend on today's date inside that range.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step must stop the test"
)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use gxa_testkit::http::{free_port, request};
use gxa_testkit::paths::toml_path;
use gxa_testkit::process::Process;
use gxa_testkit::tls::tls_files;
use gxa_testkit::trustlist::{self, ListParams, ListService, Operator};
use rcgen::{KeyPair, date_time_ymd};
use serde_json::{Value, json};

const CA_QC: &str = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC";

/// A leaf for `name` under `ca`, valid 2020–2040, and the chain leaf + root as PEM.
fn chain_under(ca: &gxa_testkit::pki::Ca, name: &str) -> String {
    let mut params = gxa_testkit::pki::leaf_params(name);
    params.not_before = date_time_ymd(2020, 1, 1);
    params.not_after = date_time_ymd(2040, 1, 1);
    let key = KeyPair::generate().unwrap();
    gxa_testkit::pki::leaf(&params, &key, ca) + &ca.pem
}

fn list(sequence: u64, next_update: &str, ca_pem: &str, status: &str) -> ListParams {
    ListParams {
        sequence,
        issued: "2020-06-01T00:00:00Z".to_owned(),
        next_update: Some(next_update.to_owned()),
        services: vec![ListService {
            provider: "Example QTSP".to_owned(),
            name: "Example QC CA".to_owned(),
            service_type: CA_QC.to_owned(),
            cert_pem: ca_pem.to_owned(),
            status: (status.to_owned(), "2020-06-01T00:00:00Z".to_owned()),
            history: vec![("granted".to_owned(), "2020-01-01T00:00:00Z".to_owned())],
        }],
        pointers: Vec::new(),
    }
}

struct Registry {
    port: u16,
    _process: Process,
}

impl Registry {
    fn start(config: &Path, port: u16, log: &Path) -> Self {
        let mut process = Process::spawn(
            Command::new(env!("CARGO_BIN_EXE_gx-attest"))
                .args(["serve", "--role", "registry", "--config"])
                .arg(config)
                .env("RUST_LOG", "info"),
            log,
        );
        process.wait_until("registry", Duration::from_secs(60), || {
            gxa_testkit::http::ready(port)
        });
        Self {
            port,
            _process: process,
        }
    }

    fn get(&self, path: &str) -> gxa_testkit::http::Reply {
        request(self.port, "GET", path, &[], b"").unwrap()
    }

    fn chain(&self, pem: &str) -> Value {
        let body = json!({"certs": pem}).to_string();
        let reply = request(
            self.port,
            "POST",
            "/v2/api/trustAnchor/chain",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()
    }

    fn list_state(&self, name: &str) -> Value {
        let all = self.get("/v2/api/trusted-lists").json();
        all.as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == name)
            .cloned()
            .unwrap()
    }

    /// Waits until list `name`'s state satisfies `done` (refreshes run every second).
    fn wait_list(&self, name: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let start = Instant::now();
        loop {
            let state = self.list_state(name);
            if done(&state) {
                return state;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{what}: trusted list {name} is {state}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

#[test]
fn registry_role_trusts_the_granted_services_of_signed_trusted_lists() {
    if !trustlist::xmlsec1_available() {
        assert!(
            !gxa_testkit::in_ci(),
            "xmlsec1 is not installed (apt-get install xmlsec1); CI installs it"
        );
        gxa_testkit::skipped("SKIPPED: xmlsec1 is not installed (apt-get install xmlsec1)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sign_dir = d.join("signing");
    std::fs::create_dir_all(&sign_dir).unwrap();
    let operator: Operator = trustlist::operator("DE scheme operator");
    let web_operator: Operator = trustlist::operator("Federation scheme operator");
    std::fs::write(d.join("de-signer.pem"), &operator.cert_pem).unwrap();
    std::fs::write(d.join("web-signer.pem"), &web_operator.cert_pem).unwrap();

    // Two QTSP roots, one per list, and a root in no list.
    let de_ca = gxa_testkit::pki::root("DE Example QC Root");
    let web_ca = gxa_testkit::pki::root("Federation Example QC Root");
    let other_ca = gxa_testkit::pki::root("Unlisted Root");
    let de_chain = chain_under(&de_ca, "de.example");
    let web_chain = chain_under(&web_ca, "web.example");
    let other_chain = chain_under(&other_ca, "other.example");

    // The DE list as a file; the federation's list over https.
    let de_list = d.join("de.xml");
    let sign = |params: &ListParams, op: &Operator| trustlist::signed(params, op, &sign_dir);
    let de_v1 = sign(
        &list(5, "2040-01-01T00:00:00Z", &de_ca.pem, "granted"),
        &operator,
    );
    std::fs::write(&de_list, &de_v1).unwrap();
    let www = d.join("www");
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(
        www.join("tl.xml"),
        sign(
            &list(1, "2040-01-01T00:00:00Z", &web_ca.pem, "granted"),
            &web_operator,
        ),
    )
    .unwrap();
    let (tls_ca, cert, key) = tls_files(&d.join("tls"), "gx-attest registry test TLS CA");
    let files = gxa_testkit::https::start_files(&www, &cert, &key, "127.0.0.1:0");

    let port = free_port();
    let did = format!("did:web:localhost%3A{port}");
    gxa_proof::generate_keyset(gxa_proof::Algorithm::EdDsa, &did, &d.join("keys")).unwrap();
    let config = d.join("registry.toml");
    std::fs::write(
        &config,
        format!(
            r#"
listen = "127.0.0.1:{port}"
base_url = "http://localhost:{port}"
data_dir = "{data}"
key_set = "{keys}"
role = "registry"

[limits]
reissue_interval_secs = 0

[verify]
allow_hosts = ["localhost"]
extra_ca = "{tls_ca}"

[registry]
require_ev = false

[registry.trusted_issuers]
registration-notary = ["did:web:notary.example"]
compliance = ["did:web:compliance.example", "did:web:other-compliance.example"]

[[registry.trusted_lists]]
name = "de"
path = "{de_list}"
signers = "{de_signer}"
refresh_secs = 1
cache = "{cache}"

[[registry.trusted_lists]]
name = "federation"
url = "https://localhost:{files_port}/tl.xml"
signers = "{web_signer}"
refresh_secs = 1
"#,
            data = toml_path(&d.join("data")),
            keys = toml_path(&d.join("keys")),
            tls_ca = toml_path(&tls_ca),
            de_list = toml_path(&de_list),
            de_signer = toml_path(&d.join("de-signer.pem")),
            web_signer = toml_path(&d.join("web-signer.pem")),
            cache = toml_path(&d.join("de-cache.xml")),
            files_port = files.addr.port(),
        ),
    )
    .unwrap();
    std::fs::create_dir_all(d.join("data")).unwrap();
    let registry = Registry::start(&config, port, &d.join("registry.log"));

    // Both lists loaded and in force: each gives its one granted CA service.
    for (name, sequence) in [("de", 5), ("federation", 1)] {
        let state = registry.wait_list(name, "loaded", |s| s["current"] == true);
        assert_eq!(state["sequence"], sequence, "{state}");
        assert_eq!(state["services"], 1, "{state}");
        assert_eq!(state["anchors"], 1, "{state}");
        assert_eq!(state["territory"], "DE", "{state}");
        assert_eq!(state["lastError"], Value::Null, "{state}");
    }
    assert!(
        files
            .requests
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.ends_with("/tl.xml")),
        "the federation's list was fetched over https"
    );

    // A chain whose root is only in a trusted list is trusted; one under an unlisted root is
    // not. The registry has no anchors of its own (no trust_anchors).
    assert_eq!(registry.chain(&de_chain), json!({"result": true}));
    assert_eq!(registry.chain(&web_chain), json!({"result": true}));
    let refused = registry.chain(&other_chain);
    assert_eq!(refused["result"], false, "{refused}");
    assert!(!refused["reason"].as_str().unwrap().is_empty(), "{refused}");

    // The trusted issuers and the EV flag.
    assert_eq!(
        registry.get("/v2/configurations/credentials").json(),
        json!({"evsslonly": false})
    );
    assert_eq!(
        registry
            .get("/v2/api/trusted-issuers/registration-notary")
            .json(),
        json!(["did:web:notary.example"])
    );
    assert_eq!(
        registry.get("/v2/api/complianceIssuers").json(),
        json!([
            "did:web:compliance.example",
            "did:web:other-compliance.example"
        ])
    );
    assert_eq!(
        registry.get("/v2/api/trusted-issuers").json()["registration-notary"],
        json!(["did:web:notary.example"])
    );
    registry
        .get("/v2/api/trusted-issuers/unknown-kind")
        .assert_problem(404, "unknown service type");
    // The registry role documents its routes, and not the compliance ones.
    let openapi = registry.get("/openapi.json").json();
    assert!(openapi["paths"]["/v2/api/trusted-lists"].is_object());
    assert!(!openapi["paths"]["/v2/api/credential-offers/{level}"].is_object());

    // A tampered list (a withdrawn service made granted would look the same) is refused with
    // the signature's reason; the last good list stays in force.
    let tampered = de_v1.replace("Example QC CA", "Example QC CA (changed)");
    std::fs::write(&de_list, &tampered).unwrap();
    let state = registry.wait_list("de", "tampered list refused", |s| {
        s["lastError"]
            .as_str()
            .is_some_and(|e| e.contains("signature"))
    });
    assert!(
        state["lastError"].as_str().unwrap().contains("digest"),
        "{state}"
    );
    assert!(state["failures"].as_u64().unwrap() >= 1, "{state}");
    assert_eq!(state["current"], true, "{state}");
    assert_eq!(state["sequence"], 5, "{state}");
    assert_eq!(registry.chain(&de_chain), json!({"result": true}));

    // A replayed older list, properly signed, is refused too.
    std::fs::write(
        &de_list,
        sign(
            &list(4, "2040-01-01T00:00:00Z", &de_ca.pem, "granted"),
            &operator,
        ),
    )
    .unwrap();
    let state = registry.wait_list("de", "older list refused", |s| {
        s["lastError"].as_str().is_some_and(|e| e.contains("older"))
    });
    assert_eq!(state["sequence"], 5, "{state}");

    // The next list withdraws the service: its chain is refused from then on.
    std::fs::write(
        &de_list,
        sign(
            &list(6, "2040-01-01T00:00:00Z", &de_ca.pem, "withdrawn"),
            &operator,
        ),
    )
    .unwrap();
    let state = registry.wait_list("de", "withdrawal loaded", |s| s["sequence"] == 6);
    assert_eq!(state["anchors"], 0, "{state}");
    assert_eq!(state["lastError"], Value::Null, "{state}");
    assert_eq!(registry.chain(&de_chain)["result"], false);
    assert_eq!(registry.chain(&web_chain), json!({"result": true}));

    // A list past its NextUpdate gives no anchors, even with the service granted.
    std::fs::write(
        &de_list,
        sign(
            &list(7, "2021-01-01T00:00:00Z", &de_ca.pem, "granted"),
            &operator,
        ),
    )
    .unwrap();
    let state = registry.wait_list("de", "expired list loaded", |s| s["sequence"] == 7);
    assert_eq!(state["current"], false, "{state}");
    assert_eq!(state["anchors"], 0, "{state}");
    assert_eq!(registry.chain(&de_chain)["result"], false);

    // Back to a good list; then a restart while the file is broken starts from the cache.
    let de_v8 = sign(
        &list(8, "2040-01-01T00:00:00Z", &de_ca.pem, "granted"),
        &operator,
    );
    std::fs::write(&de_list, &de_v8).unwrap();
    registry.wait_list("de", "good list again", |s| {
        s["sequence"] == 8 && s["current"] == true
    });
    assert_eq!(registry.chain(&de_chain), json!({"result": true}));
    assert_eq!(
        std::fs::read_to_string(d.join("de-cache.xml")).unwrap(),
        de_v8
    );
    drop(registry);
    std::fs::write(&de_list, "<broken").unwrap();
    let registry = Registry::start(&config, port, &d.join("registry-2.log"));
    let state = registry.list_state("de");
    assert_eq!(state["sequence"], 8, "from the cache: {state}");
    assert_eq!(state["current"], true, "{state}");
    assert!(
        state["lastError"].as_str().unwrap().contains("XML"),
        "the broken source is reported: {state}"
    );
    assert_eq!(registry.chain(&de_chain), json!({"result": true}));
}
