//! The deployment files at the repository root: `gx-attest.example.toml` is a valid
//! configuration, and `docker-compose.yml` parses and names what the README says (services
//! `gx-attest` and `postgres`, the config mount, the database URL from the environment).
//! No container engine runs here, so this is as far as a test can go.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::path::Path;

use serde_norway::Value;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn example_configuration_is_valid() {
    let path = root().join("gx-attest.example.toml");
    let config = gxa_service::Config::from_file(&path).unwrap();
    config.validate().unwrap();
    assert_eq!(config.base_url, "https://provider.example");
    assert_eq!(config.subjects.len(), 1);
    assert_eq!(config.subjects[0].tokens.len(), 1);
    // Relative paths are resolved against the file's directory.
    assert!(config.key_set.starts_with(root()));
    assert_eq!(config.log_format, gxa_service::LogFormat::Json);
    // Its SSH key line is a usable key.
    gxa_service::config::ssh_public_key(&config.subjects[0].ssh_keys[0]).unwrap();
    // The default limits are what the file documents.
    assert_eq!(config.limits, gxa_service::config::Limits::default());
}

#[test]
fn docker_compose_names_what_the_readme_says() {
    let text = std::fs::read_to_string(root().join("docker-compose.yml")).unwrap();
    let compose: Value = serde_norway::from_str(&text).unwrap();
    let services = &compose["services"];
    let app = &services["gx-attest"];
    let db = &services["postgres"];
    assert!(
        app.is_mapping() && db.is_mapping(),
        "services gx-attest and postgres"
    );
    let command = app["command"].as_str().unwrap();
    assert!(
        command.contains("serve --config /etc/gx-attest/gx-attest.toml"),
        "{command}"
    );
    let env = &app["environment"];
    assert!(
        env["GXA_DATABASE_URL"]
            .as_str()
            .unwrap()
            .starts_with("postgres://gx_attest:")
    );
    assert_eq!(env["GXA_LISTEN"].as_str(), Some("0.0.0.0:8080"));
    let volumes: Vec<&str> = app["volumes"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        volumes.contains(&"./deploy:/etc/gx-attest:ro"),
        "{volumes:?}"
    );
    assert_eq!(
        app["depends_on"]["postgres"]["condition"].as_str(),
        Some("service_healthy")
    );
    assert!(
        app["healthcheck"]["test"]
            .as_sequence()
            .unwrap()
            .iter()
            .any(|v| v.as_str().is_some_and(|s| s.ends_with("/readyz")))
    );
    assert_eq!(db["environment"]["POSTGRES_DB"].as_str(), Some("gx_attest"));
    // The password comes from the environment, never from the file.
    assert!(text.contains("${GXA_POSTGRES_PASSWORD:?"));
    assert!(
        compose["volumes"]["postgres-data"].is_null()
            || compose["volumes"]["postgres-data"].is_mapping()
    );
    assert!(
        compose["volumes"]
            .as_mapping()
            .unwrap()
            .contains_key("postgres-data")
    );
}
