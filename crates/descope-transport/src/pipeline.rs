use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use descope_core::consts::*;
use descope_core::{
    parse_retry_after, Clock, Config, Credential, Endpoint, Error, Result, SystemClock,
    TransportErrorKind,
};
use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::transport::{HttpRequest, HttpResponse, HttpTransport, Sleep, TokioSleep};

/// The request pipeline shared by every SDK call. Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct ApiClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: Arc<Config>,
    transport: Arc<dyn HttpTransport>,
    sleeper: Arc<dyn Sleep>,
    clock: Arc<dyn Clock>,
    base_headers: HeaderMap,
}

impl fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiClient")
            .field("config", &self.inner.config)
            .field("transport", &self.inner.transport)
            .finish()
    }
}

impl ApiClient {
    /// A pipeline over `transport`, configured by `config`.
    pub fn new(config: Config, transport: Arc<dyn HttpTransport>) -> Self {
        Self::with_parts(
            Arc::new(config),
            transport,
            Arc::new(TokioSleep),
            Arc::new(SystemClock),
        )
    }

    /// A pipeline with an injected sleeper and clock (tests, custom runtimes).
    pub fn with_parts(
        config: Arc<Config>,
        transport: Arc<dyn HttpTransport>,
        sleeper: Arc<dyn Sleep>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let mut base_headers = HeaderMap::new();
        base_headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        base_headers.insert(HEADER_SDK_NAME, HeaderValue::from_static(SDK_NAME));
        base_headers.insert(HEADER_SDK_VERSION, HeaderValue::from_static(SDK_VERSION));
        if let Ok(v) = HeaderValue::from_str(&config.project_id) {
            base_headers.insert(HEADER_PROJECT_ID, v);
        }
        for (k, v) in &config.default_headers {
            base_headers.insert(k.clone(), v.clone());
        }
        Self {
            inner: Arc::new(Inner {
                config,
                transport,
                sleeper,
                clock,
                base_headers,
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The shared configuration.
    pub fn config_arc(&self) -> Arc<Config> {
        self.inner.config.clone()
    }

    /// The clock.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.clock.clone()
    }

    /// The transport.
    pub fn transport(&self) -> Arc<dyn HttpTransport> {
        self.inner.transport.clone()
    }

    /// Starts a request to `endpoint`.
    pub fn request(&self, endpoint: &'static Endpoint) -> RequestBuilder<'_> {
        RequestBuilder {
            client: self,
            endpoint,
            path: None,
            query: Vec::new(),
            body: None,
            token: None,
        }
    }

    /// The `Authorization` header value for `credential` with the call's `token`.
    ///
    /// `Bearer <projectId>[:<token>][:<key>]`: the token when non-empty; the auth management key
    /// on auth endpoints when configured; the management key on management endpoints.
    pub fn authorization(&self, credential: Credential, token: Option<&str>) -> Result<String> {
        let cfg = &self.inner.config;
        let mut value = String::with_capacity(256);
        value.push_str("Bearer ");
        value.push_str(&cfg.project_id);
        if let Some(t) = token.filter(|t| !t.is_empty()) {
            value.push(':');
            value.push_str(t);
        }
        if credential == Credential::Management {
            let key = cfg.require_management_key()?;
            value.push(':');
            value.push_str(key.expose());
        } else if let Some(k) = cfg.auth_management_key.as_ref().filter(|k| !k.is_empty()) {
            value.push(':');
            value.push_str(k.expose());
        }
        Ok(value)
    }

    async fn execute(
        &self,
        endpoint: &'static Endpoint,
        url: String,
        body: Bytes,
        token: Option<&str>,
    ) -> Result<ApiResponse> {
        let auth = self.authorization(endpoint.credential, token)?;
        let mut headers = self.inner.base_headers.clone();
        let mut auth_value = HeaderValue::from_str(&auth).map_err(|_| {
            Error::invalid_argument(
                "a token or key contains characters that cannot be sent in an HTTP header",
            )
        })?;
        auth_value.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth_value);
        let method = endpoint.method.as_http();
        let policy = &self.inner.config.retry;
        let start = Instant::now();
        let mut retries_done: u32 = 0;
        loop {
            let attempt = retries_done + 1;
            let request =
                HttpRequest::new(method.clone(), url.clone(), headers.clone(), body.clone());
            let sent_at = Instant::now();
            let result = self.inner.transport.send(request).await;
            trace_attempt(endpoint, attempt, &result, sent_at.elapsed());
            let can_retry = retries_done < policy.max_retries;
            match result {
                Ok(resp) if resp.status.is_success() => {
                    return Ok(ApiResponse {
                        status: resp.status.as_u16(),
                        headers: resp.headers,
                        body: resp.body,
                    })
                }
                Ok(resp) => {
                    let status = resp.status.as_u16();
                    let retry_after = resp
                        .headers
                        .get(HEADER_RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, self.inner.clock.now()));
                    let wait = if policy.retryable_statuses.contains(&status) {
                        Some(
                            retry_after
                                .map(|r| r.min(policy.max_backoff))
                                .unwrap_or_else(|| policy.backoff(retries_done)),
                        )
                    } else if status == 429 && policy.retry_rate_limited {
                        retry_after
                            .or(Some(policy.backoff(retries_done)))
                            .filter(|w| *w <= policy.max_rate_limit_wait)
                    } else {
                        None
                    };
                    match wait {
                        Some(w) if can_retry && start.elapsed() + w <= policy.max_total => {
                            self.inner.sleeper.sleep(w).await;
                            retries_done += 1;
                        }
                        _ => return Err(Error::from_response(status, &resp.body, retry_after)),
                    }
                }
                Err(e) => {
                    let retryable = match e.kind() {
                        TransportErrorKind::Connect => true,
                        TransportErrorKind::Timeout | TransportErrorKind::Other => {
                            !e.may_have_been_sent() || endpoint.idempotent
                        }
                        _ => false,
                    };
                    let w = policy.backoff(retries_done);
                    if retryable && can_retry && start.elapsed() + w <= policy.max_total {
                        self.inner.sleeper.sleep(w).await;
                        retries_done += 1;
                    } else {
                        return Err(e.into());
                    }
                }
            }
        }
    }
}

#[cfg(feature = "tracing")]
fn trace_attempt(
    endpoint: &Endpoint,
    attempt: u32,
    result: &std::result::Result<HttpResponse, descope_core::TransportError>,
    elapsed: Duration,
) {
    let span = tracing::debug_span!(
        "descope.request",
        method = endpoint.method.as_str(),
        path = endpoint.path,
        endpoint = endpoint.name,
        attempt,
    );
    let _g = span.enter();
    match result {
        Ok(r) => tracing::debug!(
            status = r.status.as_u16(),
            elapsed_ms = elapsed.as_millis() as u64,
            "descope response"
        ),
        Err(e) => tracing::debug!(
            error.kind = ?e.kind(),
            may_have_been_sent = e.may_have_been_sent(),
            elapsed_ms = elapsed.as_millis() as u64,
            "descope transport error"
        ),
    }
}

#[cfg(not(feature = "tracing"))]
fn trace_attempt(
    _endpoint: &Endpoint,
    _attempt: u32,
    _result: &std::result::Result<HttpResponse, descope_core::TransportError>,
    _elapsed: Duration,
) {
}

/// One request being built. Finish it with [`RequestBuilder::send`] or
/// [`RequestBuilder::send_json`].
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<'a> {
    client: &'a ApiClient,
    endpoint: &'static Endpoint,
    path: Option<String>,
    query: Vec<(String, String)>,
    body: Option<std::result::Result<Vec<u8>, String>>,
    token: Option<&'a str>,
}

impl fmt::Debug for RequestBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("endpoint", &self.endpoint.name)
            .finish_non_exhaustive()
    }
}

impl<'a> RequestBuilder<'a> {
    /// Replaces the endpoint's path template with a concrete path (for templates with a
    /// parameter, such as `/v1/auth/otp/verify/{method}`).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Adds a query parameter (form-encoded).
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    pub fn query_opt(self, key: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// Sets the JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        self.body = Some(serde_json::to_vec(body).map_err(|e| e.to_string()));
        self
    }

    /// Sets the per-call token (refresh token or access key) placed after the project ID in the
    /// `Authorization` header. An empty token is left out.
    pub fn token(mut self, token: &'a str) -> Self {
        self.token = Some(token);
        self
    }

    /// Sets the per-call token when `Some`.
    pub fn token_opt(mut self, token: Option<&'a str>) -> Self {
        self.token = token;
        self
    }

    fn url(&self) -> String {
        let path = self.path.as_deref().unwrap_or(self.endpoint.path);
        let mut url =
            String::with_capacity(self.client.inner.config.base_url.len() + path.len() + 32);
        url.push_str(&self.client.inner.config.base_url);
        url.push_str(path);
        if !self.query.is_empty() {
            url.push('?');
            let mut ser = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &self.query {
                ser.append_pair(k, v);
            }
            url.push_str(&ser.finish());
        }
        url
    }

    /// Sends the request; a non-2xx answer is an error.
    pub async fn send(self) -> Result<ApiResponse> {
        let url = self.url();
        let body = match self.body {
            None => Bytes::new(),
            Some(Ok(b)) => Bytes::from(b),
            Some(Err(e)) => {
                return Err(Error::invalid_argument(format!(
                    "the request body could not be serialized to JSON: {e}"
                )))
            }
        };
        self.client
            .execute(self.endpoint, url, body, self.token)
            .await
    }

    /// Sends the request and decodes the JSON answer.
    pub async fn send_json<T: DeserializeOwned>(self) -> Result<T> {
        self.send().await?.json()
    }
}

/// A successful API response.
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiResponse {
    /// The HTTP status (2xx).
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The raw body.
    pub body: Bytes,
}

impl fmt::Debug for ApiResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiResponse")
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl ApiResponse {
    /// Decodes the body as JSON. An empty body decodes as JSON `null` would.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        let body: &[u8] = if self.body.iter().all(|b| b.is_ascii_whitespace()) {
            b"null"
        } else {
            &self.body
        };
        serde_json::from_slice(body).map_err(|e| {
            Error::decode(format!(
                "the Descope API answered {} with a body that is not the expected JSON: {e}",
                self.status
            ))
            .with_source(e)
        })
    }

    /// The values of every `Set-Cookie` header.
    pub fn set_cookies(&self) -> impl Iterator<Item = &str> {
        self.headers
            .get_all(http::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
    }
}
