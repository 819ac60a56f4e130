use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use descope_core::TransportError;
use http::{HeaderMap, Method, StatusCode};

/// A request as the transport sees it: fully built, with an absolute URL.
#[derive(Clone)]
#[non_exhaustive]
pub struct HttpRequest {
    /// The HTTP method.
    pub method: Method,
    /// The absolute URL, query included.
    pub url: String,
    /// Every header to send.
    pub headers: HeaderMap,
    /// The body (empty for none).
    pub body: Bytes,
}

impl HttpRequest {
    /// A request.
    pub fn new(method: Method, url: impl Into<String>, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            method,
            url: url.into(),
            headers,
            body,
        }
    }
}

impl fmt::Debug for HttpRequest {
    // Headers carry credentials and bodies may carry codes or passwords: show neither.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A response as the transport returns it: status, headers and the whole body.
#[derive(Clone)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl HttpResponse {
    /// A response.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Sends one HTTP request and returns its response. Nothing else: headers, credentials,
/// retries and JSON live above, in [`crate::ApiClient`].
///
/// Implementations enforce their own timeouts and body-size cap, and report failures with a
/// [`TransportError`] that says whether the request may have reached the server.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait]
pub trait HttpTransport: Send + Sync + fmt::Debug {
    /// Sends `request`.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// Waits. Injected into the pipeline so retry backoff can be tested without sleeping.
#[async_trait]
pub trait Sleep: Send + Sync + fmt::Debug {
    /// Waits for `duration`.
    async fn sleep(&self, duration: Duration);
}

/// Sleeps on the tokio timer: the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

#[async_trait]
impl Sleep for TokioSleep {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await
    }
}
