//! The gx-attest HTTP service (axum): what providers run to publish their credentials.
//!
//! It takes SCS report uploads (exactly as the SCS test runner sends them) and inventory
//! snapshots, issues and re-issues signed credentials through [`gxa_issuer`], stores them with
//! [`gxa_store`] (SQLite on one machine, PostgreSQL for several replicas) and serves them to
//! Gaia-X catalogues: did:web document and x5u chains, credentials with content negotiation,
//! presentations, Bitstring Status Lists, a gapless change feed, SCS badges, and operations
//! endpoints (`/healthz`, `/readyz`, `/metrics`, `/openapi.json`). Every route is described by
//! the OpenAPI 3.1 document at `/openapi.json` ([`openapi::ApiDoc`]).
//!
//! Entry points: [`run`] (the whole life of `gx-attest serve`), or step by step [`prepare`] →
//! [`bind`] → [`serve`]; [`router`] for in-process tests; [`demo::prepare_demo`] for
//! `serve --demo`.
//!
//! **Architecture invariants**
//! - Only this crate knows HTTP. Issuance is [`gxa_issuer`]'s, storage [`gxa_store`]'s; handlers
//!   adapt requests to one call each.
//! - Every error response is RFC 9457 `application/problem+json` ([`error::ApiError`] and the
//!   `problem_fallback` middleware for the framework's own responses); client errors are never
//!   500; a panicking handler is a logged 500 problem, never a dropped connection.
//! - Secrets are never logged or served: tokens are compared by SHA-256, private keys stay in the
//!   key set, internal error causes are logged and replaced by a generic text.
//! - Nothing is fetched from the network (JSON-LD contexts are pinned in `gxa-contexts`).
//! - Modules use each other in one direction only, bottom to top: `error` → `config` →
//!   the parts built from it (`auth`, `pool`, `conn`, `metrics`, `derived`, `tls`, `schedule`,
//!   `negotiate`, `render`) → `state` → what works on the state (`extract`, `middleware`,
//!   `monitor`, `pull`, `clearing`) → `routes` (the clearing house's handlers and the OpenAPI
//!   document included) → `server` → `demo`. `tools/module-cycles.py` checks it.

pub mod auth;
pub mod clearing;
pub mod config;
mod conn;
pub mod demo;
mod derived;
pub mod error;
mod extract;
pub mod metrics;
mod middleware;
mod monitor;
pub mod negotiate;
mod pool;
pub mod pull;
pub mod render;
mod routes;
mod schedule;
mod server;
pub mod state;
mod tls;

pub use auth::{Authenticated, TokenTable};
pub use config::{Config, ConfigError, LogFormat, SubjectConfig, TokenConfig, parse_dev_token};
pub use conn::ConnectionLimits;
pub use error::{ApiError, PROBLEM_JSON, Problem, ServiceError};
pub use metrics::Metrics;
pub use middleware::REQUEST_ID;
pub use pool::VerifyPool;
pub use routes::{ROUTES, openapi, router, router_with};
pub use server::{
    Prepared, bind, block_on, init_tracing, issuer_config, open_store, prepare, register_subjects,
    run, serve,
};
pub use state::{AppState, RouterOptions};
