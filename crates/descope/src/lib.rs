//! # descope
//!
//! The Rust SDK for [Descope](https://www.descope.com): passwordless and password
//! authentication, session validation, and the management API.
//!
//! ```no_run
//! # async fn run() -> descope::Result<()> {
//! // Reads DESCOPE_PROJECT_ID (and DESCOPE_MANAGEMENT_KEY, DESCOPE_BASE_URI, …).
//! let client = descope::Client::from_env()?;
//! # let _ = client;
//! # Ok(()) }
//! ```
//!
//! The client is cheap to clone (one `Arc`) and holds one pooled HTTP connection set: build it
//! once and share it.
//!
//! ## Crates
//!
//! This facade joins the SDK's layers; advanced users can depend on them directly:
//! [`descope_core`] (configuration, errors), [`descope_transport`] (the HTTP seam and request
//! pipeline), [`descope_jwt`] (token verification), [`descope_auth`] (authentication flows) and
//! [`descope_mgmt`] (management API).
#![deny(missing_docs)]

mod auth;
mod client;
mod mgmt;
mod session;

pub use client::{Client, ClientBuilder};
pub use descope_auth::session::{AccessKeyLoginOptions, LoginRecord, TenantInfo, TenantSelection};
pub use descope_auth::{
    Auth, DeliveryMethod, EnchantedLinkStart, LoginOptions, MaskedAddress, PasswordPolicy,
    PasswordResetStart, RedirectUrl, SignUpOptions, SignUpUser, TotpProvisioning, WebAuthnStart,
};
pub use descope_core::{
    base_url_for_project_id, consts, endpoints, ApiErrorBody, Clock, Config, ConfigBuilder,
    Credential, Endpoint, Error, ErrorKind, FixedClock, Result, RetryPolicy, Secret, SystemClock,
    TokenErrorKind, TransportErrorKind,
};
pub use descope_jwt::{
    AccessKeyResponse, Algorithm, CookieData, JwtResponse, Session, SessionValidator, TenantClaims,
    ValidatorOptions,
};
pub use descope_mgmt::{Management, TestDelivery};
pub use descope_transport::{ApiClient, HttpRequest, HttpResponse, HttpTransport};
#[cfg(feature = "hyper")]
pub use descope_transport::{HyperTransport, HyperTransportBuilder, RootStore};

pub use descope_auth;
pub use descope_core;
pub use descope_jwt;
pub use descope_mgmt;
pub use descope_transport;

/// The README's code blocks, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
