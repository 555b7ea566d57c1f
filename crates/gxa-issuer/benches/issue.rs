//! Issuing one SCS attestation on SQLite: verify the upload, evaluate every stored upload of
//! the subject, build, content-hash, sign and store (`Issuer::issue_scs` through
//! `submit_upload`), for one profile (Loire, vc+jwt) with the example PS256 key.
//!
//! Run: `cargo bench -p gxa-issuer --bench issue`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "benchmark setup"
)]

use std::path::Path;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use gxa_credential::Profile;
use gxa_issuer::{Issuer, IssuerConfig};
use gxa_proof::KeySet;
use gxa_scs::{Limits, Scope};
use gxa_store::Store;
use ssh_key::private::Ed25519Keypair;
use ssh_key::{HashAlg, LineEnding, PrivateKey};

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/scs-data");

/// A signed upload of the IaaS report made unique by `n` (a YAML comment), signed in process
/// with the Ed25519 key `key` exactly as `ssh-keygen -Y sign -n report` does.
/// The report as subject `bench-{n}` (an account may only report on its own subject).
fn upload(key: &PrivateKey, report: &str, n: u64) -> Vec<u8> {
    let report = report.replace("subject: example-cloud", &format!("subject: bench-{n}"));
    let text = format!("{report}# {n}\n");
    let pem = key
        .sign("report", HashAlg::Sha512, text.as_bytes())
        .unwrap()
        .to_pem(LineEnding::LF)
        .unwrap();
    let mut body = pem.into_bytes();
    body.push(b'&');
    body.extend_from_slice(text.as_bytes());
    body
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = PrivateKey::from(Ed25519Keypair::from_seed(&[7; 32]));
    let public = key.public_key().to_openssh().unwrap();
    let report = std::fs::read_to_string(format!("{SHARED}/generated/report-iaas.yaml")).unwrap();
    let issuer = runtime.block_on(async {
        let store = Store::open_data_dir(&dir.path().join("data"))
            .await
            .unwrap();
        let mut config = IssuerConfig::new("https://provider.example");
        config.profiles = vec![Profile::Loire];
        config.scopes = vec![
            Scope::from_yaml(
                &std::fs::read(format!("{SHARED}/standards/scs-compatible-iaas.yaml")).unwrap(),
                Limits::default(),
            )
            .unwrap(),
        ];
        let keys = KeySet::load(&Path::new(REPO).join("keys.example")).unwrap();
        Issuer::new(store, keys, config).await.unwrap()
    });
    let store = issuer.store().clone();
    let mut n = 0u64;
    let mut group = c.benchmark_group("issue");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(20));
    // Each iteration is a new subject with one new upload: a first issuance whose evaluation
    // reads one upload, so iterations cost the same however many ran before.
    group.bench_function("scs_attestation_sqlite_loire", |b| {
        b.iter_batched(
            || {
                n += 1;
                let subject = format!("bench-{n}");
                runtime.block_on(async {
                    store.register_subject(&subject).await.unwrap();
                    store.add_ssh_key(&subject, &public).await.unwrap();
                });
                (subject, upload(&key, &report, n))
            },
            |(subject, body)| {
                let outcome = runtime
                    .block_on(issuer.submit_upload(&subject, &body))
                    .unwrap();
                assert_eq!(outcome.issued.len(), 1);
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
