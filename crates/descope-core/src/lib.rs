//! Core types shared by every crate of the descope-rs SDK.
//!
//! This crate holds what the rest of the SDK agrees on and nothing that does I/O:
//!
//! * [`Config`] and its [`ConfigBuilder`], resolved exactly as the official SDKs resolve them
//!   (builder first, then `DESCOPE_*` environment variables, then defaults);
//! * the single SDK [`Error`] type with its [`ErrorKind`] and [`TokenErrorKind`];
//! * [`Secret`], a string wrapper that never shows its value in `Debug` or `Display`;
//! * [`Endpoint`], the description of one Descope API call (method, path, credential,
//!   idempotency), and the endpoint constants in [`endpoints`];
//! * the injected [`Clock`] used wherever time matters;
//! * wire constants ([`consts`]).
//!
//! Applications normally depend on the `descope` facade crate, which re-exports these types.
#![deny(missing_docs)]

mod clock;
mod config;
pub mod consts;
mod endpoint;
#[rustfmt::skip]
pub mod endpoints;
mod error;
mod secret;
pub mod types;

pub use clock::{Clock, FixedClock, SystemClock};
pub use config::{
    base_url_for_project_id, Config, ConfigBuilder, RetryPolicy, DEFAULT_LEEWAY,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_REQUEST_TIMEOUT,
};
pub use endpoint::{Credential, Endpoint};
pub use error::{
    parse_retry_after, ApiErrorBody, Error, ErrorKind, Result, TokenErrorKind, TransportError,
    TransportErrorKind,
};
pub use secret::Secret;
pub use types::DeliveryMethod;
