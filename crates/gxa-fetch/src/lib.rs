#![doc = include_str!("../README.md")]

mod cache;
mod client;
mod error;
mod guard;
mod policy;

pub use client::{FetchStats, Fetched, Fetcher, client_tls};
pub use error::FetchError;
pub use policy::FetchPolicy;
