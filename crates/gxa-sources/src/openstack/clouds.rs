//! `clouds.yaml` + `secure.yaml` as openstacksdk reads them: the files named by
//! `OS_CLIENT_CONFIG_FILE` / `OS_CLIENT_SECURE_FILE`, else the first of `./`,
//! `~/.config/openstack/`, `/etc/openstack/` holding `clouds.yaml` (`.yml`, `.json`); the
//! cloud named in the configuration, else `OS_CLOUD`. `secure.yaml` is merged over
//! `clouds.yaml` key by key.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{SourceError, config};

const ORIGIN: &str = "clouds.yaml";

/// How to authenticate against Keystone v3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// `password` / `v3password`.
    Password {
        /// `username` (with `user_domain_*`) or `user_id`.
        user: UserRef,
        /// The password.
        password: String,
    },
    /// `v3applicationcredential`: by id, or by name with the user.
    ApplicationCredential {
        /// `application_credential_id`.
        id: Option<String>,
        /// `application_credential_name` (needs the user).
        name: Option<String>,
        /// The user, for a credential named by name.
        user: Option<UserRef>,
        /// `application_credential_secret`.
        secret: String,
    },
}

/// A Keystone user reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    /// `user_id`.
    Id(String),
    /// `username` in a domain (`user_domain_name` or `user_domain_id`, default `Default`).
    Name {
        /// Name.
        name: String,
        /// Domain name or id.
        domain: DomainRef,
    },
}

/// A Keystone domain reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DomainRef {
    /// By id.
    Id(String),
    /// By name.
    Name(String),
}

/// The token scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// None requested (application credentials carry their own).
    Unscoped,
    /// `system_scope: all`.
    System,
    /// A project, by id or by name in a domain.
    Project {
        /// `project_id`.
        id: Option<String>,
        /// `project_name`.
        name: Option<String>,
        /// `project_domain_*` (default `Default`).
        domain: DomainRef,
    },
}

/// One cloud of clouds.yaml, resolved.
#[derive(Debug, Clone)]
pub struct Cloud {
    /// Its name.
    pub name: String,
    /// Keystone URL (ending in `/v3`).
    pub auth_url: String,
    /// Credentials.
    pub credentials: Credentials,
    /// Scope.
    pub scope: Scope,
    /// `region_name`.
    pub region: Option<String>,
    /// `interface` (`public`, `internal`, `admin`).
    pub interface: String,
    /// `cacert`.
    pub cacert: Option<PathBuf>,
    /// `verify` (default true).
    pub verify: bool,
}

fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from(".")];
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".config/openstack"));
    }
    dirs.push(PathBuf::from("/etc/openstack"));
    dirs
}

fn find(stem: &str, env: &str, given: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = given {
        return Some(p.to_owned());
    }
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p));
    }
    for dir in search_dirs() {
        for ext in ["yaml", "yml", "json"] {
            let p = dir.join(format!("{stem}.{ext}"));
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn read_yaml(path: &Path) -> Result<Value, SourceError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| config(ORIGIN, format!("cannot read {}: {e}", path.display())))?;
    serde_norway::from_str(&text)
        .map_err(|e| config(ORIGIN, format!("{}: not YAML: {e}", path.display())))
}

fn merge(into: &mut Value, over: &Value) {
    match (into, over) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        a.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

fn s(v: &Value, key: &str) -> Option<String> {
    match v.get(key) {
        Some(Value::String(x)) if !x.is_empty() => Some(x.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// Loads the named cloud (`cloud`, else `OS_CLOUD`).
pub fn load_cloud(
    cloud: Option<&str>,
    clouds_yaml: Option<&Path>,
    secure_yaml: Option<&Path>,
) -> Result<Cloud, SourceError> {
    let name = match cloud {
        Some(c) => c.to_owned(),
        None => std::env::var("OS_CLOUD").map_err(|_| {
            config(
                ORIGIN,
                "no cloud named: set [openstack] cloud, --os-cloud or OS_CLOUD",
            )
        })?,
    };
    let path = find("clouds", "OS_CLIENT_CONFIG_FILE", clouds_yaml).ok_or_else(|| {
        config(
            ORIGIN,
            "no clouds.yaml (OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack/, /etc/openstack/)",
        )
    })?;
    let mut all = read_yaml(&path)?;
    if let Some(sec) = find("secure", "OS_CLIENT_SECURE_FILE", secure_yaml)
        && (sec.is_file() || secure_yaml.is_some())
    {
        merge(&mut all, &read_yaml(&sec)?);
    }
    let c = all
        .get("clouds")
        .and_then(|c| c.get(&name))
        .ok_or_else(|| config(ORIGIN, format!("{}: no cloud {name:?}", path.display())))?;
    resolve(&name, c)
}

fn domain(auth: &Value, prefix: &str) -> DomainRef {
    s(auth, &format!("{prefix}_domain_id"))
        .map(DomainRef::Id)
        .or_else(|| s(auth, &format!("{prefix}_domain_name")).map(DomainRef::Name))
        .or_else(|| s(auth, "domain_id").map(DomainRef::Id))
        .or_else(|| s(auth, "domain_name").map(DomainRef::Name))
        .unwrap_or_else(|| DomainRef::Name("Default".into()))
}

fn user(auth: &Value) -> Option<UserRef> {
    s(auth, "user_id").map(UserRef::Id).or_else(|| {
        s(auth, "username").map(|name| UserRef::Name {
            name,
            domain: domain(auth, "user"),
        })
    })
}

/// Resolves one cloud entry.
pub fn resolve(name: &str, c: &Value) -> Result<Cloud, SourceError> {
    let origin = format!("clouds.yaml cloud {name:?}");
    let empty = Value::Object(Default::default());
    let auth = c.get("auth").unwrap_or(&empty);
    let mut auth_url =
        s(auth, "auth_url").ok_or_else(|| config(&origin, "auth.auth_url missing"))?;
    while auth_url.ends_with('/') {
        auth_url.pop();
    }
    if !auth_url.ends_with("/v3") {
        auth_url.push_str("/v3");
    }
    let auth_type = s(c, "auth_type").unwrap_or_else(|| "password".into());
    let credentials = match auth_type.as_str() {
        "password" | "v3password" => Credentials::Password {
            user: user(auth)
                .ok_or_else(|| config(&origin, "auth.username or auth.user_id missing"))?,
            password: s(auth, "password").ok_or_else(|| {
                config(
                    &origin,
                    "auth.password missing (in clouds.yaml or secure.yaml)",
                )
            })?,
        },
        "v3applicationcredential" | "applicationcredential" => {
            let id = s(auth, "application_credential_id");
            let cred_name = s(auth, "application_credential_name");
            if id.is_none() && cred_name.is_none() {
                return Err(config(
                    &origin,
                    "auth.application_credential_id or auth.application_credential_name missing",
                ));
            }
            Credentials::ApplicationCredential {
                id,
                name: cred_name,
                user: user(auth),
                secret: s(auth, "application_credential_secret").ok_or_else(|| {
                    config(
                        &origin,
                        "auth.application_credential_secret missing (in clouds.yaml or secure.yaml)",
                    )
                })?,
            }
        }
        other => {
            return Err(config(
                &origin,
                format!("auth_type {other:?} is not supported (password, v3applicationcredential)"),
            ));
        }
    };
    let scope = if matches!(credentials, Credentials::ApplicationCredential { .. }) {
        Scope::Unscoped
    } else if s(auth, "system_scope").is_some() {
        Scope::System
    } else {
        let id = s(auth, "project_id").or_else(|| s(auth, "tenant_id"));
        let pname = s(auth, "project_name").or_else(|| s(auth, "tenant_name"));
        if id.is_none() && pname.is_none() {
            Scope::Unscoped
        } else {
            Scope::Project {
                id,
                name: pname,
                domain: domain(auth, "project"),
            }
        }
    };
    let verify = match c.get("verify") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(x)) => !matches!(x.as_str(), "false" | "False" | "no"),
        _ => true,
    };
    Ok(Cloud {
        name: name.to_owned(),
        auth_url,
        credentials,
        scope,
        region: s(c, "region_name"),
        interface: s(c, "interface")
            .or_else(|| s(c, "endpoint_type"))
            .map(|i| i.trim_end_matches("URL").to_owned())
            .unwrap_or_else(|| "public".into()),
        cacert: s(c, "cacert").map(PathBuf::from),
        verify,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_yaml_is_merged_and_password_cloud_resolves() {
        let dir = std::env::temp_dir().join(format!("gxa-sources-clouds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let clouds = dir.join("clouds.yaml");
        let secure = dir.join("secure.yaml");
        std::fs::write(
            &clouds,
            "clouds:\n  c1:\n    auth:\n      auth_url: https://k.example:5000\n      username: u\n      project_name: p\n      user_domain_name: D\n    region_name: R\n    interface: internal\n  ac:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: https://k.example/v3/\n      application_credential_id: abc\n",
        )
        .unwrap();
        std::fs::write(
            &secure,
            "clouds:\n  c1:\n    auth:\n      password: pw\n  ac:\n    auth:\n      application_credential_secret: s3\n",
        )
        .unwrap();
        let c = load_cloud(Some("c1"), Some(&clouds), Some(&secure)).unwrap();
        assert_eq!(c.auth_url, "https://k.example:5000/v3");
        assert_eq!(c.interface, "internal");
        assert_eq!(c.region.as_deref(), Some("R"));
        assert_eq!(
            c.credentials,
            Credentials::Password {
                user: UserRef::Name {
                    name: "u".into(),
                    domain: DomainRef::Name("D".into())
                },
                password: "pw".into()
            }
        );
        assert!(matches!(c.scope, Scope::Project { .. }));
        let a = load_cloud(Some("ac"), Some(&clouds), Some(&secure)).unwrap();
        assert_eq!(a.auth_url, "https://k.example/v3");
        assert!(
            matches!(a.credentials, Credentials::ApplicationCredential { ref secret, .. } if secret == "s3")
        );
        // Without secure.yaml the password is missing: a configuration error naming the cloud,
        // and never a value.
        let err = load_cloud(Some("c1"), Some(&clouds), Some(&dir.join("none.yaml")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("none.yaml"), "{err}");
        let err = resolve(
            "c1",
            &serde_norway::from_str("auth: {auth_url: x, username: u}").unwrap(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("\"c1\"") && err.contains("auth.password missing"),
            "{err}"
        );
        let err = load_cloud(Some("nope"), Some(&clouds), None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no cloud \"nope\""), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
