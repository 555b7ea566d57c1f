//! `gx-attest inventory pull` against the real services of `tests/services/up.sh`, loaded with
//! the example cloud: the differential against `inventory build` from `examples/`, and the
//! exit status and message when a service refuses the credentials. Without the services each
//! test says SKIPPED (and fails when CI=true).
//!
//! Documented differences between the services and `examples/inventory/` (tested below):
//! - Glance computes `size`, `checksum` and `os_hash_algo`/`os_hash_value` from uploaded image
//!   data and refuses them as properties; the services hold the image records without data, so
//!   the pulled images have no `fileSize` and no `checkSum`. The file build is made from the
//!   examples with those four fields removed, and only the image documents differ from a build
//!   of the untouched examples.
//! - `flavors.yaml` (the SCS flavor-manager file) is not a service; its four flavors repeat
//!   flavors of `openstack.json`, so the build from `examples/` is the same with or without it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gxa_testkit::paths::repo;
use gxa_testkit::services;
use serde_json::Value;

fn gx_attest() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gx-attest"))
}

fn ok(out: Output, what: &str) -> Output {
    assert!(
        out.status.success(),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `file name -> canonical hash` of the credentials in `dir` (every `*.json` but the snapshot).
fn hashes(dir: &Path) -> BTreeMap<String, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && !p.ends_with("snapshot.json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no credentials in {}", dir.display());
    let out = ok(
        gx_attest()
            .arg("canonicalize")
            .arg("--hash")
            .args(&files)
            .output()
            .unwrap(),
        "canonicalize",
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let (hash, file) = l.split_once("  ").unwrap();
            let name = Path::new(file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, hash.to_owned())
        })
        .collect()
}

fn build(dir: &Path, openstack: &Path, flavor_yaml: bool) -> BTreeMap<String, String> {
    let ex = repo().join("examples/inventory");
    let mut cmd = gx_attest();
    cmd.args(["inventory", "build", "--profile", "loire", "--provider"])
        .arg(repo().join("examples/provider.toml"))
        .arg("--openstack")
        .arg(openstack)
        .arg("--netbox")
        .arg(ex.join("netbox.json"))
        .arg("--out")
        .arg(dir);
    if flavor_yaml {
        cmd.arg("--flavor-yaml").arg(ex.join("flavors.yaml"));
    }
    let mut hosts: Vec<PathBuf> = std::fs::read_dir(ex.join("hosts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    hosts.sort();
    for h in hosts {
        cmd.arg("--ironic").arg(h);
    }
    ok(cmd.output().unwrap(), "inventory build");
    hashes(dir)
}

#[test]
fn pull_gives_the_canonical_hashes_of_the_file_build() {
    let Some(s) = services::services("pull_gives_the_canonical_hashes_of_the_file_build") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let pulled_dir = tmp.path().join("pulled");
    let out = ok(
        gx_attest()
            .args(["inventory", "pull", "--config"])
            .arg(s.path("GXS_INVENTORY_TOML"))
            .arg("--out")
            .arg(&pulled_dir)
            .args(["--build", "--profile", "loire", "--provider"])
            .arg(repo().join("examples/provider.toml"))
            .output()
            .unwrap(),
        "inventory pull",
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("22 flavors, 10 images, 3 hosts"),
        "{summary}"
    );
    let pulled = hashes(&pulled_dir);

    // The examples as the services can hold them: images without the fields Glance computes.
    let mut os: Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("examples/inventory/openstack.json")).unwrap(),
    )
    .unwrap();
    for i in os["images"].as_array_mut().unwrap() {
        let i = i.as_object_mut().unwrap();
        i.remove("size");
        i.remove("checksum");
        let p = i.get_mut("properties").unwrap().as_object_mut().unwrap();
        p.remove("os_hash_algo");
        p.remove("os_hash_value");
    }
    let adjusted = tmp.path().join("openstack.json");
    std::fs::write(&adjusted, os.to_string()).unwrap();
    let file = build(&tmp.path().join("file"), &adjusted, false);
    assert_eq!(pulled, file, "pull vs build from the adjusted examples");

    // The documented differences, and only they: against the untouched examples exactly the
    // image documents differ; flavors.yaml changes nothing.
    let examples = repo().join("examples/inventory/openstack.json");
    let untouched = build(&tmp.path().join("untouched"), &examples, true);
    let without_yaml = build(&tmp.path().join("no-yaml"), &examples, false);
    assert_eq!(untouched, without_yaml, "flavors.yaml changes the build");
    assert_eq!(
        untouched.keys().collect::<Vec<_>>(),
        pulled.keys().collect::<Vec<_>>()
    );
    let differing: Vec<&String> = untouched
        .iter()
        .filter(|(k, v)| pulled[*k] != **v)
        .map(|(k, _)| k)
        .collect();
    let images = os["images"].as_array().unwrap().len();
    assert!(!differing.is_empty());
    for name in &differing {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(pulled_dir.join(name)).unwrap()).unwrap();
        let text = doc.to_string();
        assert!(
            text.contains("gx:VMImage") || text.contains("VMImage"),
            "{name} differs but is not an image document"
        );
    }
    assert!(differing.len() <= images, "{differing:?}");

    // The snapshot is what POST /inventory takes.
    let snap: Value =
        serde_json::from_str(&std::fs::read_to_string(pulled_dir.join("snapshot.json")).unwrap())
            .unwrap();
    let keys: Vec<&String> = snap.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["openstack", "hosts", "netbox"]);
}

fn refused(s: &services::Services, args: &[&str], config: &Path, needles: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let out = gx_attest()
        .args(["inventory", "pull", "--config"])
        .arg(config)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for n in needles {
        assert!(stderr.contains(n), "{n:?} not in: {stderr}");
    }
    assert!(stderr.contains("authentication refused"), "{stderr}");
    assert!(
        !tmp.path().join("out/snapshot.json").exists(),
        "a failed pull wrote a snapshot"
    );
    // No secret of the services in the message.
    let secure = std::fs::read_to_string(s.path("GXS_SECURE_YAML")).unwrap();
    let secure: Value = serde_json::from_str(&secure).unwrap();
    for c in secure["clouds"].as_object().unwrap().values() {
        for v in c["auth"].as_object().unwrap().values() {
            assert!(!stderr.contains(v.as_str().unwrap()), "secret in: {stderr}");
        }
    }
    for f in [
        "GXS_REDFISH_PASSWORD_FILE",
        "GXS_NETBOX_TOKEN_V1_FILE",
        "GXS_NETBOX_TOKEN_V2_FILE",
    ] {
        let sec = std::fs::read_to_string(s.path(f)).unwrap();
        assert!(!stderr.contains(sec.trim()), "secret in: {stderr}");
    }
}

#[test]
fn refused_credentials_exit_2_naming_source_and_endpoint() {
    let Some(s) = services::services("refused_credentials_exit_2_naming_source_and_endpoint")
    else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let keystone = format!("POST {}/auth/tokens", s.get("GXS_KEYSTONE_URL"));
    // Wrong password; expired application credential (the inventory.toml's cloud overridden).
    for cloud in ["gxs-wrong", "gxs-expired"] {
        refused(
            &s,
            &["--os-cloud", cloud],
            &s.path("GXS_INVENTORY_TOML"),
            &["keystone", &keystone, "HTTP 401"],
        );
    }
    // A bad NetBox token.
    let token = tmp.path().join("netbox.token");
    std::fs::write(&token, "0123456789abcdef0123456789abcdef01234567\n").unwrap();
    let cfg = tmp.path().join("netbox.toml");
    std::fs::write(
        &cfg,
        format!(
            "[netbox]\nurl = \"{}\"\ntoken_file = \"{}\"\n",
            s.get("GXS_NETBOX_URL"),
            token.display()
        ),
    )
    .unwrap();
    let netbox = format!("GET {}/api/dcim/", s.get("GXS_NETBOX_URL"));
    refused(&s, &[], &cfg, &["netbox", &netbox, "HTTP 403"]);
    // A BMC refusing the session.
    let pw = tmp.path().join("bmc.password");
    std::fs::write(&pw, "wrong\n").unwrap();
    let cfg = tmp.path().join("bmc.toml");
    std::fs::write(
        &cfg,
        format!(
            "[[redfish]]\nurl = \"{}\"\nusername = \"admin\"\npassword_file = \"{}\"\nca_file = \"{}\"\n",
            s.get("GXS_REDFISH_EXAMPLE_URL"),
            pw.display(),
            s.get("GXS_CA_FILE")
        ),
    )
    .unwrap();
    let bmc = format!(
        "POST {}/redfish/v1/SessionService/Sessions",
        s.get("GXS_REDFISH_EXAMPLE_URL")
    );
    refused(&s, &[], &cfg, &["redfish", &bmc, "HTTP 401"]);
}
