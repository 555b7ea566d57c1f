//! `gx-attest verify`: verify JSON-LD with proofs, a compact JWT, or a file holding one
//! (a stable CLI contract; the checks are those of `gxa_verify::Verifier`).
//!
//! Offline by default: did:key and did:jwk resolve from the DID, did:web (or any controller
//! document) from the `--did-document` files, and nothing is fetched. With `--online`, did:web
//! documents, `x5u` certificate chains and status lists are fetched through the guarded fetcher
//! (https only, private and loopback addresses refused unless `--allow-host` names them, size and
//! time limits). `--trust-anchors` turns on the certificate-chain check.
//!
//! Exit 0 valid, 1 invalid (the report on standard output), 2 could not check (the report on
//! standard output, the reasons on standard error). With several files, a batch: one line (or
//! JSON line) per file in argument order, a summary on standard error, exit 0 only if all are
//! valid (see `Args::files`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use gxa_fetch::{FetchPolicy, Fetcher};
use gxa_verify::{ChainPolicy, Offload, TrustAnchors, Verdict, Verifier, VerifierConfig};

/// Arguments of `gx-attest verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A DID document (or DID resolution result) to resolve did:web from; repeatable.
    #[arg(long = "did-document", value_name = "FILE")]
    did_documents: Vec<String>,
    /// Verification time (RFC 3339; default: now).
    #[arg(long)]
    at: Option<String>,
    /// Expected presentation challenge (vp+jwt: `nonce`).
    #[arg(long)]
    challenge: Option<String>,
    /// Expected presentation domain (vp+jwt: `aud`).
    #[arg(long)]
    domain: Option<String>,
    /// Print the full verification report as JSON.
    #[arg(long)]
    json: bool,
    /// Resolve did:web and fetch x5u chains and status lists over the network, through the
    /// guarded fetcher (https only; private, loopback and link-local addresses refused).
    #[arg(long)]
    online: bool,
    /// Trust anchors for the x5u certificate chain check: a PEM bundle or a directory of PEM
    /// files. Without it the chain check is skipped; with it a key without x5u fails.
    #[arg(long, value_name = "PEM_OR_DIR")]
    trust_anchors: Option<PathBuf>,
    /// A Gaia-X registry (base URL, before /v2/api/…) asked whether each x5u chain ends at one
    /// of its trust anchors, instead of --trust-anchors (the chain is still fetched and must
    /// hold the key).
    #[arg(
        long,
        value_name = "URL",
        requires = "online",
        conflicts_with = "trust_anchors"
    )]
    registry: Option<String>,
    /// Require the EV policy (2.23.140.1.1) on the leaf certificate (Gaia-X production).
    #[arg(long)]
    require_ev: bool,
    /// Exempt HOST (`host` or `host:port`) from the address guard, e.g. `localhost` for a
    /// local test server; repeatable. Never use it for hosts named by credentials.
    #[arg(long = "allow-host", value_name = "HOST", requires = "online")]
    allow_hosts: Vec<String>,
    /// Allow plain http URLs (tests only).
    #[arg(long, requires = "online")]
    allow_http: bool,
    /// An extra TLS root certificate (PEM) for the fetcher, e.g. a test CA; repeatable.
    #[arg(long = "ca", value_name = "PEM", requires = "online")]
    cas: Vec<PathBuf>,
    /// Validate the Gaia-X shapes of the credential's profile (loads the shapes, ~2 s).
    #[arg(long)]
    shapes: bool,
    /// Verifications run at a time in a batch (default: the number of cores).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// The credential, presentation or JWT; `-` reads standard input. With more than one
    /// file: a batch, verified in one process with shared caches, one line per file
    /// (`valid|invalid|could-not-check  FILE  CHECK`, the check that decided) or with `--json`
    /// one JSON report per line with its `file`; exit 0 only if every file is valid, 2 if one
    /// could not be checked (or read), else 1.
    #[arg(required = true, num_args = 1..)]
    files: Vec<String>,
}

/// Reads a file, or standard input for `-`.
pub(super) fn read_input(file: &str) -> anyhow::Result<String> {
    use std::io::Read as _;
    if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read standard input")?;
        return Ok(text);
    }
    std::fs::read_to_string(file).with_context(|| format!("{file}: cannot read the file"))
}

fn fetcher(args: &Args) -> anyhow::Result<Fetcher> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject as _;
    let mut extra_roots = Vec::new();
    for ca in &args.cas {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(ca)
            .with_context(|| format!("--ca {}: cannot read", ca.display()))?
            .collect::<Result<_, _>>()
            .with_context(|| format!("--ca {}: not PEM certificates", ca.display()))?;
        if certs.is_empty() {
            anyhow::bail!("--ca {}: no certificate", ca.display());
        }
        extra_roots.extend(certs);
    }
    let policy = FetchPolicy {
        allow_http: args.allow_http,
        allowed_hosts: args.allow_hosts.clone(),
        extra_roots,
        ..FetchPolicy::default()
    };
    Fetcher::new(policy).context("cannot set up the fetcher")
}

pub(crate) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut config = VerifierConfig::offline();
    for file in &args.did_documents {
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
        let doc: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{file}: not JSON"))?;
        config.did_documents.push(doc);
    }
    let at = match &args.at {
        Some(at) => at
            .parse::<jiff::Timestamp>()
            .with_context(|| format!("--at {at:?} is not an RFC 3339 date-time"))?,
        None => jiff::Timestamp::now(),
    };
    if args.online {
        config.fetcher = Some(fetcher(&args)?);
    }
    if let Some(path) = &args.trust_anchors {
        config.trust_anchors = Some(
            TrustAnchors::from_path(path)
                .with_context(|| format!("--trust-anchors {}", path.display()))?,
        );
    }
    config.registry = args.registry.clone();
    config.chain_policy = ChainPolicy {
        require_ev: args.require_ev,
    };
    config.shapes = args.shapes;
    // The runtime below runs verifications and nothing else: its worker threads do the CPU
    // work themselves instead of handing it to the blocking pool and waiting.
    config.offload = Offload::Never;
    let verifier = Verifier::new(config)
        .context("--did-document")?
        .expecting(args.challenge.as_deref(), args.domain.as_deref());
    if args.files.len() > 1 {
        return batch(&args, verifier, at);
    }
    let input = read_input(&args.files[0])?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let report = runtime.block_on(verifier.verify(&input, at));
    let out = if args.json {
        serde_json::to_string_pretty(&report)?
    } else {
        report.to_string()
    };
    super::write_stdout(format!("{out}\n").as_bytes())?;
    Ok(match report.verdict {
        Verdict::Valid => ExitCode::SUCCESS,
        Verdict::Invalid => ExitCode::from(1),
        Verdict::CouldNotCheck => {
            use std::io::Write as _;
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "gx-attest: could not check:");
            for p in report.problems() {
                let _ = writeln!(stderr, "  {p}");
            }
            ExitCode::from(2)
        }
    })
}

/// One file's outcome in a batch.
enum Outcome {
    Report(Box<gxa_verify::VerifyReport>),
    Unreadable(String),
}

/// `gx-attest verify FILE...`: every file through one verifier (its did:web, chain, status
/// and context caches shared), `--jobs` at a time on a multi-threaded runtime, the lines
/// printed in the order of the arguments as soon as each is known.
fn batch(args: &Args, verifier: Verifier, at: jiff::Timestamp) -> anyhow::Result<ExitCode> {
    use std::io::Write as _;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let jobs = args.jobs.unwrap_or(cores).max(1);
    if args.files.iter().filter(|f| *f == "-").count() > 1 {
        anyhow::bail!("standard input (-) can be read only once");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(jobs.min(cores))
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let batch = std::sync::Arc::new(Batch {
        files: args.files.clone(),
        json: args.json,
        verifier,
        at,
        next: std::sync::atomic::AtomicUsize::new(0),
        printer: std::sync::Mutex::new(Printer {
            next: 0,
            ready: std::collections::BTreeMap::new(),
            out: std::io::BufWriter::new(std::io::stdout()),
            counts: Counts::default(),
            closed: false,
        }),
    });
    // `jobs` workers, each taking the next file when it is done with one; the worker that
    // completes the file next in line prints it and the ones after it that are done. Nobody
    // waits for a verification to finish, so no thread is woken per file (a futex round trip
    // per file was a sixth of the CPU time of a batch of small credentials, profiled), and
    // the memory held is `jobs` verifications and the lines not yet printed.
    let workers: Vec<_> = (0..jobs)
        .map(|_| runtime.spawn(std::sync::Arc::clone(&batch).work()))
        .collect();
    runtime.block_on(async {
        for worker in workers {
            worker.await.context("the batch stopped")??;
        }
        anyhow::Ok(())
    })?;
    let counts = batch.finish();
    let _ = writeln!(
        std::io::stderr(),
        "gx-attest: {} files: {} valid, {} invalid, {} could not be checked",
        args.files.len(),
        counts.valid,
        counts.invalid,
        counts.unchecked
    );
    Ok(if counts.unchecked > 0 {
        ExitCode::from(2)
    } else if counts.invalid > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A batch of files being verified.
struct Batch {
    files: Vec<String>,
    json: bool,
    verifier: Verifier,
    at: jiff::Timestamp,
    /// The index of the next file to take.
    next: std::sync::atomic::AtomicUsize,
    printer: std::sync::Mutex<Printer>,
}

/// The lines of a batch, printed in the order of the files.
struct Printer {
    /// The index of the next file to print.
    next: usize,
    /// Lines of files done before their turn.
    ready: std::collections::BTreeMap<usize, String>,
    out: std::io::BufWriter<std::io::Stdout>,
    counts: Counts,
    /// Standard output was closed (`| head`): take no more files.
    closed: bool,
}

/// Verdicts counted in a batch.
#[derive(Default, Clone, Copy)]
struct Counts {
    valid: usize,
    invalid: usize,
    unchecked: usize,
}

impl Batch {
    /// One worker: verifies the next file until there is none (or nobody reads the output).
    async fn work(self: std::sync::Arc<Self>) -> anyhow::Result<()> {
        use std::sync::atomic::Ordering;
        loop {
            let index = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(file) = self.files.get(index) else {
                return Ok(());
            };
            let outcome = match read_input(file) {
                Ok(input) => Outcome::Report(Box::new(self.verifier.verify(&input, self.at).await)),
                Err(e) => Outcome::Unreadable(format!("{e:#}")),
            };
            let (line, verdict) = self.line(file, &outcome)?;
            let mut printer = self
                .printer
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if printer.closed {
                return Ok(());
            }
            match verdict {
                Verdict::Valid => printer.counts.valid += 1,
                Verdict::Invalid => printer.counts.invalid += 1,
                Verdict::CouldNotCheck => printer.counts.unchecked += 1,
            }
            printer.ready.insert(index, line);
            printer.print_ready();
        }
    }

    /// The counts, once every worker is done.
    fn finish(&self) -> Counts {
        use std::io::Write as _;
        let mut printer = self
            .printer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = printer.out.flush();
        printer.counts
    }

    /// The line of one file and its verdict.
    fn line(&self, file: &str, outcome: &Outcome) -> anyhow::Result<(String, Verdict)> {
        use std::io::Write as _;
        Ok(match outcome {
            Outcome::Report(report) => {
                let line = if self.json {
                    let mut value = serde_json::to_value(report)?;
                    value["file"] = file.into();
                    serde_json::to_string(&value)?
                } else {
                    let verdict = report.verdict.name().replace('_', "-");
                    let check = report.deciding_check().map_or("-", |c| c.check.name());
                    format!("{verdict}  {file}  {check}")
                };
                (line, report.verdict)
            }
            Outcome::Unreadable(reason) => {
                let _ = writeln!(std::io::stderr(), "gx-attest: {reason}");
                let line = if self.json {
                    serde_json::json!({"file": file, "verdict": "could_not_check", "valid": false, "error": reason})
                        .to_string()
                } else {
                    format!("could-not-check  {file}  read")
                };
                (line, Verdict::CouldNotCheck)
            }
        })
    }
}

impl Printer {
    /// Prints the lines that are next in turn, then hands them to standard output.
    fn print_ready(&mut self) {
        use std::io::Write as _;
        let before = self.next;
        while let Some(line) = self.ready.remove(&self.next) {
            if writeln!(self.out, "{line}").is_err() {
                self.closed = true;
                return;
            }
            self.next += 1;
        }
        if self.next != before && self.out.flush().is_err() {
            self.closed = true;
        }
    }
}
