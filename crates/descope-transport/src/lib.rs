//! The HTTP seam of the descope-rs SDK.
//!
//! * [`HttpTransport`]: the one trait a transport implements: send an [`HttpRequest`], return an
//!   [`HttpResponse`]. Swap it to use another HTTP stack, or to test without a network
//!   (`mock` feature: a `mockall` mock; `test-util` feature: a scripted, recording transport).
//! * [`ApiClient`]: the request pipeline above the transport, written once for every call:
//!   base URL, the `Authorization` header rules, the SDK headers, JSON bodies, retries tied to
//!   idempotency, `Retry-After`, error parsing, and (with the `tracing` feature) a span per
//!   request.
//! * `HyperTransport` (`hyper` feature): the default transport, hyper 1 over rustls with the
//!   ring provider passed explicitly.
#![deny(missing_docs)]

mod pipeline;
mod transport;

#[cfg(feature = "hyper")]
mod hyper_transport;
#[cfg(feature = "test-util")]
pub mod test_util;

#[cfg(feature = "hyper")]
pub use hyper_transport::{HyperTransport, HyperTransportBuilder, RootStore};
pub use pipeline::{ApiClient, ApiResponse, RequestBuilder};
#[cfg(feature = "mock")]
pub use transport::MockHttpTransport;
pub use transport::{HttpRequest, HttpResponse, HttpTransport, Sleep, TokioSleep};

pub use descope_core::{TransportError, TransportErrorKind};
