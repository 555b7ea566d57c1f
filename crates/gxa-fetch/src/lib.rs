//! The one guarded HTTPS fetcher of gx-attest: did:web documents, `x5u` certificate chains and
//! status lists all come through [`Fetcher::get`].
//!
//! Every URL a verifier fetches was written by the author of the credential it checks, so the
//! fetcher assumes hostile input (did:web and `x5u` as Gaia-X uses them: an https URL the
//! credential's author chose):
//!
//! - **https only** (plain http only with [`FetchPolicy::allow_http`], for tests);
//! - **address guard after DNS**: the client's resolver checks every resolved address and
//!   refuses loopback, private, link-local (cloud metadata `169.254.169.254`,
//!   `fd00:ec2::254`), CGNAT, multicast, documentation and other non-public ranges, including
//!   their IPv4-mapped, NAT64 and 6to4 IPv6 forms; IP-literal URLs are checked before any
//!   connection; [`FetchPolicy::allowed_hosts`] exempts named hosts (tests on loopback);
//! - **redirects followed by hand**, each hop's scheme and address re-checked, at most
//!   [`FetchPolicy::max_redirects`];
//! - **time-outs**: connect, and one total deadline over all hops and the body;
//! - **size limit**: `Content-Length` checked first, the body counted while streaming;
//! - **cache** bounded in entries, lifetime from `Cache-Control` (`no-store`/`no-cache`
//!   honoured), capped by [`FetchPolicy::max_ttl`];
//! - **coalescing**: concurrent calls for one URL share one request;
//! - **per-host limit** on concurrent requests.
//!
//! Errors say whether the policy *refused* the URL (the credential is invalid) or the fetch
//! *could not be done* (try again later): [`FetchError::is_refused`].
//!
//! No proxy is used, even if `HTTPS_PROXY` is set: a proxy resolves names where the guard
//! cannot see the addresses.
//!
//! ```no_run
//! # async fn demo() -> Result<(), gxa_fetch::FetchError> {
//! use gxa_fetch::{FetchPolicy, Fetcher};
//! let fetcher = Fetcher::new(FetchPolicy::default())?;
//! let doc = fetcher
//!     .get("https://cloud.example.eu/.well-known/did.json", "application/did+json, application/json")
//!     .await?;
//! assert!(doc.body.len() <= fetcher.policy().max_body_bytes);
//! # Ok(()) }
//! ```

mod cache;
mod client;
mod error;
mod guard;
mod policy;

pub use client::{FetchStats, Fetched, Fetcher};
pub use error::FetchError;
pub use policy::FetchPolicy;
