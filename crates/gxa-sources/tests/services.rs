//! gxa-sources against the real services of `tests/services/up.sh` (Keystone, Nova, Glance,
//! Ironic, NetBox, sushy-tools, the Redfish mockup server) loaded with the example cloud.
//! Without them each test says SKIPPED (and fails when CI=true).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::Path;

use gxa_sources::config::{HttpConfig, NetBoxConfig, RedfishAuth, RedfishConfig};
use gxa_sources::{PullConfig, SourceError, pull};
use gxa_testkit::services as support;
use serde_json::Value;

fn example(name: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/inventory")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn names(list: &Value, key: &str) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

fn secret(s: &support::Services) -> Vec<String> {
    let mut out = Vec::new();
    for f in [
        "GXS_REDFISH_PASSWORD_FILE",
        "GXS_NETBOX_TOKEN_V1_FILE",
        "GXS_NETBOX_TOKEN_V2_FILE",
    ] {
        out.push(
            std::fs::read_to_string(s.path(f))
                .unwrap()
                .trim()
                .to_owned(),
        );
    }
    let secure = std::fs::read_to_string(s.path("GXS_SECURE_YAML")).unwrap();
    let secure: Value = serde_json::from_str(&secure).unwrap();
    for c in secure["clouds"].as_object().unwrap().values() {
        for v in c["auth"].as_object().unwrap().values() {
            out.push(v.as_str().unwrap().to_owned());
        }
    }
    out
}

fn assert_no_secret(s: &support::Services, text: &str) {
    for sec in secret(s) {
        assert!(!text.contains(&sec), "a secret is in: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_reproduces_the_example_cloud() {
    let Some(s) = support::services("pull_reproduces_the_example_cloud") else {
        return;
    };
    let cfg = PullConfig::load(&s.path("GXS_INVENTORY_TOML")).unwrap();
    let pulled = pull(&cfg, None).await.unwrap();
    let snap = pulled.snapshot();
    let os = example("openstack.json");
    // Flavors: every example flavor, same sizes and extra specs.
    let flavors = snap["openstack"]["flavors"].as_array().unwrap();
    assert_eq!(flavors.len(), 22);
    for f in os["flavors"].as_array().unwrap() {
        let got = flavors.iter().find(|g| g["name"] == f["Name"]).unwrap();
        assert_eq!(got["id"], f["ID"]);
        assert_eq!(
            (&got["vcpus"], &got["ram"], &got["disk"]),
            (&f["VCPUs"], &f["RAM"], &f["Disk"])
        );
        assert_eq!(got["extra_specs"], f["Properties"], "{}", f["Name"]);
    }
    // Images: every example image with its properties, except what Glance computes itself.
    let images = snap["openstack"]["images"].as_array().unwrap();
    assert_eq!(
        names(&snap["openstack"]["images"], "name"),
        names(&os["images"], "name")
    );
    for i in os["images"].as_array().unwrap() {
        let got = images.iter().find(|g| g["name"] == i["name"]).unwrap();
        for (k, v) in i["properties"].as_object().unwrap() {
            if k.starts_with("os_hash") {
                assert!(got["properties"].get(k).is_none());
            } else {
                assert_eq!(&got["properties"][k], v, "{} {k}", i["name"]);
            }
        }
        assert_eq!(
            (&got["min_disk"], &got["min_ram"]),
            (&i["min_disk"], &i["min_ram"])
        );
        assert!(got.get("size").is_none(), "no image data was uploaded");
    }
    // Hosts: the three Ironic inventories as inspected, and the Redfish host.
    assert_eq!(pulled.hosts.len(), 4);
    for name in ["compute-fra1-a-01", "compute-fra1-b-01", "gpu-ber1-c-01"] {
        let want = example(&format!("hosts/{name}.ironic.json"));
        let got = pulled
            .hosts
            .iter()
            .find(|h| h.pointer("/inventory/hostname").and_then(Value::as_str) == Some(name))
            .unwrap();
        assert_eq!(got["inventory"], want["inventory"], "{name}");
        assert_eq!(
            got["plugin_data"]["pci_devices"], want["plugin_data"]["pci_devices"],
            "{name}"
        );
    }
    let rf = pulled
        .hosts
        .iter()
        .find(|h| h.get("ComputerSystem").is_some())
        .unwrap();
    let want = example("hosts/baremetal-ber1-c-01.redfish.json");
    assert_eq!(
        rf["Processors"].as_array().unwrap().len(),
        want["Processors"].as_array().unwrap().len()
    );
    assert_eq!(
        rf["Memory"].as_array().unwrap().len(),
        want["Memory"].as_array().unwrap().len()
    );
    assert_eq!(
        rf["Drives"].as_array().unwrap().len(),
        want["Drives"].as_array().unwrap().len()
    );
    // NetBox: regions, sites with country and AZs, devices with AZ.
    let nb = &snap["netbox"];
    let ex = example("netbox.json");
    assert_eq!(
        names(&nb["regions"], "slug"),
        names(&ex["regions"]["results"], "slug")
    );
    assert_eq!(
        names(&nb["devices"], "name"),
        names(&ex["devices"]["results"], "name")
    );
    for site in ex["sites"]["results"].as_array().unwrap() {
        let got = nb["sites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["slug"] == site["slug"])
            .unwrap();
        assert_eq!(
            got["custom_fields"]["country_code"],
            site["custom_fields"]["country_code"]
        );
        assert_eq!(
            got["custom_fields"]["availability_zones"],
            site["custom_fields"]["availability_zones"]
        );
        assert_eq!(got["region"], site["region"]["slug"]);
    }
    // Every record reads with the parsers `inventory build` and POST /inventory use.
    use gxa_inventory::input::{hosts::parse_host, netbox::parse_netbox, openstack::parse_catalog};
    let c = parse_catalog(&snap["openstack"].to_string(), "pulled").unwrap();
    assert_eq!((c.flavors.len(), c.images.len()), (22, 10));
    for h in &pulled.hosts {
        parse_host(&h.to_string(), "pulled host").unwrap();
    }
    let n = parse_netbox(&nb.to_string(), "pulled netbox").unwrap();
    assert_eq!((n.regions.len(), n.sites.len(), n.devices.len()), (2, 2, 4));
    assert!(n.devices.iter().all(|d| d.availability_zone.is_some()));
    // The snapshot has exactly the fields of the POST /inventory body.
    let keys: Vec<&String> = snap.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["openstack", "hosts", "netbox"]);
    assert!(pulled.warnings.is_empty(), "{:?}", pulled.warnings);
    assert_no_secret(&s, &snap.to_string());
}

fn openstack_only(s: &support::Services, cloud: &str) -> PullConfig {
    let text = format!(
        "[openstack]\ncloud = \"{cloud}\"\nclouds_yaml = \"{}\"\nsecure_yaml = \"{}\"\nbaremetal = false\n",
        s.get("GXS_CLOUDS_YAML"),
        s.get("GXS_SECURE_YAML")
    );
    toml_config(&text)
}

fn toml_config(text: &str) -> PullConfig {
    let dir = std::env::temp_dir().join(format!(
        "gxa-sources-test-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("inventory.toml");
    std::fs::write(&p, text).unwrap();
    PullConfig::load(&p).unwrap()
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn application_credential_and_system_scope_pull_the_catalogue() {
    let Some(s) = support::services("application_credential_and_system_scope_pull_the_catalogue")
    else {
        return;
    };
    let pulled = pull(&openstack_only(&s, "gxs-appcred"), None)
        .await
        .unwrap();
    let snap = pulled.snapshot();
    assert_eq!(snap["openstack"]["flavors"].as_array().unwrap().len(), 22);
    assert_eq!(snap["openstack"]["images"].as_array().unwrap().len(), 10);
    // System scope: Ironic's nodes (under the new policy defaults a project sees only the
    // nodes it owns; the system sees all).
    let mut cfg = openstack_only(&s, "gxs-system");
    let o = cfg.openstack.as_mut().unwrap();
    (o.flavors, o.images, o.baremetal) = (false, false, true);
    assert_eq!(pull(&cfg, None).await.unwrap().hosts.len(), 3);
    // Nova shows extra specs to project-scoped tokens only: a system-scoped flavor pull is
    // refused, saying so, rather than giving flavors without their SCS extra specs.
    // (Glance refuses a system-scoped token outright: 403.)
    let mut cfg = openstack_only(&s, "gxs-system");
    cfg.openstack.as_mut().unwrap().images = false;
    let err = pull(&cfg, None).await.unwrap_err().to_string();
    assert!(
        err.starts_with("nova: GET ") && err.contains("project-scoped"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_with_small_pages_gives_the_same_records() {
    let Some(s) = support::services("paging_with_small_pages_gives_the_same_records") else {
        return;
    };
    let big = pull(&openstack_only(&s, "gxs"), None).await.unwrap();
    let mut cfg = openstack_only(&s, "gxs");
    cfg.openstack.as_mut().unwrap().baremetal = true;
    cfg.http.page_size = 3;
    let small = pull(&cfg, None).await.unwrap();
    assert_eq!(small.openstack, big.openstack);
    assert_eq!(small.hosts.len(), 3);
    // 22 flavors in pages of 3: 8 pages; 10 images: 4 pages (+1 for hidden); 3 nodes: 1-2 pages.
    assert!(
        small.requests() > big.requests() + 8,
        "{} vs {}",
        small.requests(),
        big.requests()
    );
    let mut nb = toml_config(&format!(
        "[netbox]\nurl = \"{}\"\ntoken_file = \"{}\"\n",
        s.get("GXS_NETBOX_URL"),
        s.get("GXS_NETBOX_TOKEN_V1_FILE")
    ));
    nb.http.page_size = 1;
    let pulled = pull(&nb, None).await.unwrap();
    assert_eq!(
        pulled.snapshot()["netbox"]["devices"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert!(pulled.requests() >= 8, "{}", pulled.requests());
}

fn auth_error(e: SourceError) -> String {
    assert!(e.is_auth(), "{e}");
    e.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_credentials_name_source_and_endpoint_without_the_secret() {
    let Some(s) =
        support::services("refused_credentials_name_source_and_endpoint_without_the_secret")
    else {
        return;
    };
    // Wrong password, and an application credential past its expiry.
    for cloud in ["gxs-wrong", "gxs-expired"] {
        let msg = auth_error(pull(&openstack_only(&s, cloud), None).await.unwrap_err());
        assert!(msg.starts_with("keystone: POST "), "{msg}");
        assert!(
            msg.contains(&format!("{}/auth/tokens", s.get("GXS_KEYSTONE_URL"))),
            "{msg}"
        );
        assert!(msg.contains("HTTP 401"), "{msg}");
        assert!(!msg.contains("not-the-password"), "{msg}");
        assert_no_secret(&s, &msg);
    }
    // A NetBox token that is not one.
    let dir = std::env::temp_dir().join(format!("gxa-sources-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, token) in [
        ("v1", "0123456789abcdef0123456789abcdef01234567"),
        ("v2", "nbt_abcdefabcdef.0123456789abcdef0123456789abcdef"),
    ] {
        let f = dir.join(format!("{name}.token"));
        std::fs::write(&f, token).unwrap();
        let cfg = toml_config(&format!(
            "[netbox]\nurl = \"{}\"\ntoken_file = \"{}\"\n",
            s.get("GXS_NETBOX_URL"),
            f.display()
        ));
        let msg = auth_error(pull(&cfg, None).await.unwrap_err());
        assert!(msg.starts_with("netbox: GET "), "{msg}");
        assert!(
            msg.contains(&format!("{}/api/dcim/", s.get("GXS_NETBOX_URL"))),
            "{msg}"
        );
        assert!(!msg.contains(token), "{msg}");
    }
    // A BMC refusing the session, and refusing Basic.
    let wrong = dir.join("bmc.password");
    std::fs::write(&wrong, "not-the-bmc-password\n").unwrap();
    for auth in [RedfishAuth::Session, RedfishAuth::Basic] {
        let cfg = PullConfig {
            redfish: vec![RedfishConfig {
                url: s.get("GXS_REDFISH_EXAMPLE_URL").into(),
                username: "admin".into(),
                password_file: Some(wrong.clone()),
                password_env: None,
                auth,
                ca_file: Some(s.path("GXS_CA_FILE")),
                pinned_sha256: None,
            }],
            ..PullConfig::default()
        };
        let msg = auth_error(pull(&cfg, None).await.unwrap_err());
        assert!(
            msg.starts_with(&format!("redfish {}:", s.get("GXS_REDFISH_EXAMPLE_URL"))),
            "{msg}"
        );
        if auth == RedfishAuth::Session {
            assert!(
                msg.contains("POST ") && msg.contains("/redfish/v1/SessionService/Sessions"),
                "{msg}"
            );
        }
        assert!(!msg.contains("not-the-bmc-password"), "{msg}");
    }
}

fn bmc(s: &support::Services, url_key: &str, auth: RedfishAuth) -> PullConfig {
    PullConfig {
        redfish: vec![RedfishConfig {
            url: s.get(url_key).into(),
            username: s.get("GXS_REDFISH_USER").into(),
            password_file: Some(s.path("GXS_REDFISH_PASSWORD_FILE")),
            password_env: None,
            auth,
            ca_file: Some(s.path("GXS_CA_FILE")),
            pinned_sha256: None,
        }],
        http: HttpConfig::default(),
        ..PullConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redfish_dmtf_mockup_gives_processors_memory_gpu_and_simple_storage() {
    let Some(s) =
        support::services("redfish_dmtf_mockup_gives_processors_memory_gpu_and_simple_storage")
    else {
        return;
    };
    for auth in [RedfishAuth::Session, RedfishAuth::Basic] {
        let pulled = pull(&bmc(&s, "GXS_REDFISH_MOCKUP_URL", auth), None)
            .await
            .unwrap();
        assert_eq!(pulled.hosts.len(), 1);
        let h = &pulled.hosts[0];
        assert_eq!(h["ComputerSystem"]["Id"], "437XR1138R2");
        let host = gxa_inventory::input::hosts::parse_host(&h.to_string(), "mockup").unwrap();
        // Two Xeon CPUs (and an FPGA), four DIMMs with ECC, the GPU from GraphicsControllers,
        // disks from SimpleStorage.
        assert_eq!(host.gpus.len(), 1, "{host:?}");
        assert_eq!(host.memory_ecc, Some(true), "{host:?}");
        assert!(!host.disks.is_empty(), "{host:?}");
        assert!(host.cpu.threads > 0, "{host:?}");
        assert_eq!(h["Memory"].as_array().unwrap().len(), 4);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redfish_sushy_tools_over_tls_with_basic_auth_gives_drives() {
    let Some(s) = support::services("redfish_sushy_tools_over_tls_with_basic_auth_gives_drives")
    else {
        return;
    };
    let pulled = pull(&bmc(&s, "GXS_SUSHY_URL", RedfishAuth::Basic), None)
        .await
        .unwrap();
    assert_eq!(pulled.hosts.len(), 1);
    let drives = pulled.hosts[0]["Drives"].as_array().unwrap();
    assert_eq!(drives.len(), 1);
    assert_eq!(drives[0]["CapacityBytes"], 899527000000u64);
    // sushy-tools answers 501/404 for Processors/Memory: empty, said in a warning.
    assert!(!pulled.warnings.is_empty());
    // Without the test CA the BMC's certificate is refused.
    let mut cfg = bmc(&s, "GXS_SUSHY_URL", RedfishAuth::Basic);
    cfg.redfish[0].ca_file = None;
    let err = pull(&cfg, None).await.unwrap_err().to_string();
    assert!(
        err.contains("certificate") || err.contains("Certificate"),
        "{err}"
    );
    // Pinned: the server certificate's SHA-256 is accepted without the CA, another refused.
    let pem = std::fs::read_to_string(s.path("GXS_CA_FILE").with_file_name("server.pem")).unwrap();
    let der = pem_to_der(&pem);
    let pin = hex(&sha256(&der));
    cfg.redfish[0].pinned_sha256 = Some(pin);
    assert_eq!(pull(&cfg, None).await.unwrap().hosts.len(), 1);
    cfg.redfish[0].pinned_sha256 = Some("00".repeat(32));
    assert!(pull(&cfg, None).await.is_err());
}

fn pem_to_der(pem: &str) -> Vec<u8> {
    use base64::Engine as _;
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

fn sha256(b: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(b).to_vec()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn netbox_v1_and_v2_tokens_read_the_same() {
    let Some(s) = support::services("netbox_v1_and_v2_tokens_read_the_same") else {
        return;
    };
    let mut out = Vec::new();
    for key in ["GXS_NETBOX_TOKEN_V1_FILE", "GXS_NETBOX_TOKEN_V2_FILE"] {
        let cfg = PullConfig {
            netbox: Some(NetBoxConfig {
                url: s.get("GXS_NETBOX_URL").into(),
                token_file: Some(s.path(key)),
                token_env: None,
                ca_file: None,
                custom_fields: Default::default(),
            }),
            ..PullConfig::default()
        };
        out.push(pull(&cfg, None).await.unwrap().netbox.unwrap());
    }
    assert_eq!(out[0], out[1]);
}
