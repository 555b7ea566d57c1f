//! Signed SCS reports as the SCS test runner makes them: keys and signatures from the real
//! `ssh-keygen` (`-Y sign -n report`), report streams from the example KaaS report with another
//! subject, time and result.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// An ed25519 key made with `ssh-keygen` in `dir`: its private key file and public key line.
pub fn keygen(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(name);
    crate::process::run_ok(
        std::process::Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
            .arg(&key),
    );
    let public = std::fs::read_to_string(dir.join(format!("{name}.pub"))).unwrap();
    (key, public.trim().to_owned())
}

/// `yaml` written to a new file in `dir` and signed there with `ssh-keygen -Y sign -n report`,
/// as the SCS test runner signs: the report file and its `.sig` file.
pub fn sign_report(dir: &Path, key: &Path, yaml: &str) -> (PathBuf, PathBuf) {
    static N: AtomicU64 = AtomicU64::new(0);
    let file = dir.join(format!("report-{}.yaml", N.fetch_add(1, Ordering::Relaxed)));
    std::fs::write(&file, yaml).unwrap();
    crate::process::run_ok(
        std::process::Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", "report", "-f"])
            .arg(key)
            .arg(&file),
    );
    let mut sig = file.clone().into_os_string();
    sig.push(".sig");
    (file, PathBuf::from(sig))
}

/// `<armor>&<yaml>`: [`sign_report`]'s two files joined as curl joins its two `--data-binary`
/// parts.
pub fn signed_upload(dir: &Path, key: &Path, yaml: &str) -> Vec<u8> {
    let (_, sig) = sign_report(dir, key, yaml);
    let mut body = std::fs::read(sig).unwrap();
    body.push(b'&');
    body.extend_from_slice(yaml.as_bytes());
    body
}

/// `at` as the SCS checker writes `checked_at` (naive, here in UTC).
pub fn naive_utc(at: jiff::Timestamp) -> String {
    naive_in(at, "UTC")
}

/// `at` as the SCS checker writes `checked_at` on a runner whose `TZ` is `zone`.
pub fn naive_in(at: jiff::Timestamp, zone: &str) -> String {
    let civil = jiff::tz::TimeZone::get(zone).unwrap().to_datetime(at);
    format!(
        "{} {:02}:{:02}:{:02}",
        civil.date(),
        civil.hour(),
        civil.minute(),
        civil.second()
    )
}

/// The example KaaS report (second document of `examples/scs/reports-combined.yaml`) for
/// `subject`, checked at `checked_at` (as the report states it), with a fresh run uuid, and with
/// `version-policy-check` failing when `fail`.
pub fn kaas_report(subject: &str, checked_at: &str, fail: bool) -> String {
    static RUN: AtomicU64 = AtomicU64::new(0);
    let text = std::fs::read_to_string(crate::paths::examples().join("scs/reports-combined.yaml"))
        .unwrap();
    let doc = text.split("\n---\n").nth(1).unwrap();
    let run = format!(
        "{:08x}-0000-4000-8000-{:012x}",
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    );
    let mut out = String::from("---\n");
    for line in doc.lines() {
        let line = if line.starts_with("checked_at: ") {
            format!("checked_at: {checked_at}")
        } else if line.starts_with("subject: ") {
            format!("subject: {subject}")
        } else if line == "  uuid: fe0402b6-2b39-4f59-b4f8-1e5133e36773" {
            format!("  uuid: {run}")
        } else if fail && line.trim() == "version-policy-check: 1" {
            line.replace(": 1", ": -1")
        } else {
            line.to_owned()
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}
