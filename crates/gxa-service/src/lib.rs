#![doc = include_str!("../README.md")]

pub mod auth;
pub mod ces;
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
mod registry;
pub mod render;
mod routes;
mod schedule;
mod server;
pub mod state;
mod tls;

pub use auth::{Authenticated, TokenTable};
pub use config::{
    Config, ConfigError, Jws2020Flavour, LogFormat, SubjectConfig, TokenConfig, parse_dev_token,
};
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
