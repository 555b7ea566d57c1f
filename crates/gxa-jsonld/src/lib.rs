#![doc = include_str!("../README.md")]

mod error;
mod fast;
mod limits;
mod loader;
mod processor;
mod strict;

pub use error::JsonLdError;
pub use fast::Unsupported as FastPathUnsupported;
pub use limits::MAX_DEPTH;
pub use loader::DocumentSource;
pub use processor::{ProcessingMode, Processor, RdfDirection, ToRdfOptions};
