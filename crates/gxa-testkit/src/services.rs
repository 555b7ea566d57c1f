//! The running inventory test services (`tests/services/up.sh up`).
//!
//! The script writes an env file (`KEY=VALUE` lines): `$GXS_SERVICES_ENV`, else
//! `${GXS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gx-attest-services}/run/services.env`. Without
//! it a test that needs the services says SKIPPED on standard error and passes, except when
//! `CI` is set: there it fails, so CI never passes without them.

use std::collections::HashMap;
use std::path::PathBuf;

/// The env file's variables.
pub struct Services {
    vars: HashMap<String, String>,
}

impl Services {
    /// A variable the script always writes.
    pub fn get(&self, key: &str) -> &str {
        self.vars
            .get(key)
            .unwrap_or_else(|| panic!("{key} missing from the services env file"))
    }

    /// A variable holding a path.
    pub fn path(&self, key: &str) -> PathBuf {
        PathBuf::from(self.get(key))
    }
}

fn env_file() -> PathBuf {
    if let Some(p) = std::env::var_os("GXS_SERVICES_ENV") {
        return PathBuf::from(p);
    }
    let cache = match std::env::var_os("GXS_CACHE") {
        Some(c) => PathBuf::from(c),
        None => std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache")
            })
            .join("gx-attest-services"),
    };
    cache.join("run/services.env")
}

/// The services, or `None` after saying SKIPPED (panics in CI).
pub fn services(test: &str) -> Option<Services> {
    let path = env_file();
    let Ok(text) = std::fs::read_to_string(&path) else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "{test}: the test services are not running ({} missing); CI starts them with tests/services/up.sh up",
                path.display()
            );
        }
        // Straight to the process's stderr: the test harness captures eprintln! of passing
        // tests, and a skip must be seen.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED {test}: the test services are not running ({} missing; start them with tests/services/up.sh up)",
            path.display()
        );
        return None;
    };
    let vars = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some(Services { vars })
}
