use std::error::Error as StdError;
use std::fmt;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// The SDK's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What went wrong, broadly. Use the predicates on [`Error`] for the common questions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The client is misconfigured (missing project ID, missing management key, bad base URL…).
    /// Nothing was sent.
    Config,
    /// An argument was refused before sending (empty login ID, bad email, …). Nothing was sent.
    InvalidArgument,
    /// The Descope API answered with an error status (other than 429).
    Api,
    /// The Descope API answered 429: see [`Error::retry_after`].
    RateLimited,
    /// The request could not be completed (connection, TLS, timeout, body too large).
    /// See [`Error::may_have_been_sent`].
    Transport,
    /// A token failed validation: see [`Error::token_kind`].
    Token(TokenErrorKind),
    /// The API answered with a success status but a body the SDK could not understand.
    Decode,
}

/// Why a token was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenErrorKind {
    /// `exp` is in the past (beyond the leeway).
    Expired,
    /// `nbf` or `iat` is in the future (beyond the leeway).
    NotYetValid,
    /// The signature does not verify with the key the token names.
    BadSignature,
    /// No key with the token's `kid` is known, even after refreshing the key set.
    UnknownKey,
    /// The token's `alg` is not allowed, or differs from the key's `alg`.
    AlgorithmNotAllowed,
    /// `iss` is neither the project ID nor a URL ending with the project ID.
    WrongIssuer,
    /// `aud` does not match the expected audience.
    WrongAudience,
    /// The token is not a well-formed JWS, or a required claim is missing or mistyped.
    Malformed,
    /// No token was given where one is required.
    Missing,
}

impl TokenErrorKind {
    fn describe(self) -> &'static str {
        match self {
            Self::Expired => "the token has expired",
            Self::NotYetValid => "the token is not valid yet (nbf or iat in the future)",
            Self::BadSignature => "the token signature is invalid",
            Self::UnknownKey => {
                "the token was signed with a key that is not in the project's key set"
            }
            Self::AlgorithmNotAllowed => "the token's signing algorithm is not allowed",
            Self::WrongIssuer => "the token was issued for another project",
            Self::WrongAudience => "the token's audience does not match",
            Self::Malformed => "the token is malformed",
            Self::Missing => "no token was given",
        }
    }
}

/// The body Descope sends with an error status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ApiErrorBody {
    /// Descope's error code, such as `E062108`.
    #[serde(default)]
    pub error_code: String,
    /// A short description, such as `User not found`.
    #[serde(default)]
    pub error_description: String,
    /// A longer message.
    #[serde(default)]
    pub error_message: String,
}

/// Broad classes of transport failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made (DNS, refused, unreachable). Nothing was sent.
    Connect,
    /// The TLS handshake failed (untrusted certificate, protocol error). Nothing was sent.
    Tls,
    /// A connect or request timeout fired.
    Timeout,
    /// The response body exceeded the configured cap.
    BodyTooLarge,
    /// The request could not be built (bad URL or header).
    InvalidRequest,
    /// Any other I/O or protocol failure.
    Other,
}

/// A failure of the HTTP transport, returned by transport implementations.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    maybe_sent: bool,
    message: String,
    source: Option<BoxError>,
}

impl TransportError {
    /// A transport error. `maybe_sent` must be true unless the request certainly never left.
    pub fn new(kind: TransportErrorKind, maybe_sent: bool, message: impl Into<String>) -> Self {
        Self {
            kind,
            maybe_sent,
            message: message.into(),
            source: None,
        }
    }

    /// Attaches the underlying cause.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// The class of failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether the server may have received (and acted on) the request.
    pub fn may_have_been_sent(&self) -> bool {
        self.maybe_sent
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// The one error type of the SDK.
///
/// Ask it questions with the predicates (`is_rate_limited()`, `is_unauthorized()`, …) and the
/// accessors (`status()`, `code()`, `retry_after()`, `token_kind()`). It never contains a
/// management key, access key, refresh token, code or password.
///
/// # Troubleshooting
///
/// * `Config` errors name the builder method or environment variable to set.
/// * `Api` errors carry Descope's `errorCode`; look it up in the Descope error reference.
/// * `RateLimited` errors: wait [`Error::retry_after`] before trying again, or enable
///   automatic 429 retries in the client's retry policy for bulk jobs.
/// * `Transport` errors with [`Error::may_have_been_sent`] false are always safe to retry.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    body: Option<ApiErrorBody>,
    raw_body: Option<String>,
    retry_after: Option<Duration>,
    maybe_sent: bool,
    transport_kind: Option<TransportErrorKind>,
    source: Option<BoxError>,
}

impl Error {
    fn build(kind: ErrorKind, message: String) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                message,
                status: None,
                body: None,
                raw_body: None,
                retry_after: None,
                maybe_sent: false,
                transport_kind: None,
                source: None,
            }),
        }
    }

    /// A configuration error; `message` should say what to set.
    pub fn config(message: impl Into<String>) -> Self {
        Self::build(ErrorKind::Config, message.into())
    }

    /// An argument refused before sending; `message` should say what is expected.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::build(ErrorKind::InvalidArgument, message.into())
    }

    /// A token validation failure.
    pub fn token(kind: TokenErrorKind, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let message = if detail.is_empty() {
            kind.describe().to_owned()
        } else {
            format!("{}: {detail}", kind.describe())
        };
        Self::build(ErrorKind::Token(kind), message)
    }

    /// A success response whose body could not be understood.
    pub fn decode(message: impl Into<String>) -> Self {
        Self::build(ErrorKind::Decode, message.into())
    }

    /// An error response from the API. The body is parsed as a Descope error body when it is one;
    /// otherwise its text is kept (see [`Error::raw_body`]).
    pub fn from_response(status: u16, body: &[u8], retry_after: Option<Duration>) -> Self {
        let parsed: Option<ApiErrorBody> = serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .filter(|v| v.is_object())
            .and_then(|v| serde_json::from_value(v).ok());
        let raw = String::from_utf8_lossy(body).into_owned();
        let kind = if status == 429 {
            ErrorKind::RateLimited
        } else {
            ErrorKind::Api
        };
        let message = match &parsed {
            Some(b) if !b.error_code.is_empty() || !b.error_description.is_empty() => {
                let mut m = format!("Descope API error {status}");
                if !b.error_code.is_empty() {
                    m.push_str(&format!(" [{}]", b.error_code));
                }
                if !b.error_description.is_empty() {
                    m.push_str(&format!(": {}", b.error_description));
                }
                if !b.error_message.is_empty() {
                    m.push_str(&format!(" ({})", b.error_message));
                }
                m
            }
            _ if status == 429 => "Descope API rate limit exceeded (HTTP 429)".to_owned(),
            _ => {
                let snippet: String = raw.chars().take(200).collect();
                if snippet.is_empty() {
                    format!("Descope API error {status}")
                } else {
                    format!("Descope API error {status}: {snippet}")
                }
            }
        };
        let mut e = Self::build(kind, message);
        e.inner.status = Some(status);
        e.inner.body = parsed;
        e.inner.raw_body = Some(raw);
        e.inner.retry_after = retry_after;
        e.inner.maybe_sent = true;
        e
    }

    /// Attaches an underlying cause.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// The broad kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status, for API and rate-limit errors.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// Descope's error code (`errorCode`, such as `E062108`), when the API sent one.
    pub fn code(&self) -> Option<&str> {
        self.inner
            .body
            .as_ref()
            .map(|b| b.error_code.as_str())
            .filter(|c| !c.is_empty())
    }

    /// Descope's `errorDescription`, when the API sent one.
    pub fn description(&self) -> Option<&str> {
        self.inner
            .body
            .as_ref()
            .map(|b| b.error_description.as_str())
            .filter(|c| !c.is_empty())
    }

    /// Descope's `errorMessage`, when the API sent one.
    pub fn api_message(&self) -> Option<&str> {
        self.inner
            .body
            .as_ref()
            .map(|b| b.error_message.as_str())
            .filter(|c| !c.is_empty())
    }

    /// The parsed Descope error body, when the response carried one.
    pub fn api_body(&self) -> Option<&ApiErrorBody> {
        self.inner.body.as_ref()
    }

    /// The raw text of the error response body.
    pub fn raw_body(&self) -> Option<&str> {
        self.inner.raw_body.as_deref()
    }

    /// For rate-limit errors: how long the API asked to wait (`Retry-After`, in seconds or as an
    /// HTTP date).
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// For token errors: why the token was rejected.
    pub fn token_kind(&self) -> Option<TokenErrorKind> {
        match self.inner.kind {
            ErrorKind::Token(k) => Some(k),
            _ => None,
        }
    }

    /// For transport errors: the class of failure.
    pub fn transport_kind(&self) -> Option<TransportErrorKind> {
        self.inner.transport_kind
    }

    /// Whether the server may have received the request. False for errors raised before sending
    /// (configuration, arguments) and for connection failures.
    pub fn may_have_been_sent(&self) -> bool {
        self.inner.maybe_sent
    }

    /// HTTP 429.
    pub fn is_rate_limited(&self) -> bool {
        self.inner.kind == ErrorKind::RateLimited
    }

    /// HTTP 401 from the API, or a token that failed validation.
    pub fn is_unauthorized(&self) -> bool {
        self.inner.status == Some(401) || matches!(self.inner.kind, ErrorKind::Token(_))
    }

    /// HTTP 403.
    pub fn is_forbidden(&self) -> bool {
        self.inner.status == Some(403)
    }

    /// HTTP 404.
    pub fn is_not_found(&self) -> bool {
        self.inner.status == Some(404)
    }

    /// HTTP 409.
    pub fn is_conflict(&self) -> bool {
        self.inner.status == Some(409)
    }

    /// A configuration error.
    pub fn is_config(&self) -> bool {
        self.inner.kind == ErrorKind::Config
    }

    /// An argument refused before sending.
    pub fn is_invalid_argument(&self) -> bool {
        self.inner.kind == ErrorKind::InvalidArgument
    }

    /// A transport failure.
    pub fn is_transport(&self) -> bool {
        self.inner.kind == ErrorKind::Transport
    }

    /// A timeout (connect or request).
    pub fn is_timeout(&self) -> bool {
        self.inner.transport_kind == Some(TransportErrorKind::Timeout)
    }

    /// A token validation failure.
    pub fn is_token(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Token(_))
    }

    /// An error status from the API (including 429).
    pub fn is_api(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Api | ErrorKind::RateLimited)
    }
}

impl From<TransportError> for Error {
    fn from(e: TransportError) -> Self {
        let message = match e.kind {
            TransportErrorKind::Timeout => format!("request to Descope timed out: {}", e.message),
            TransportErrorKind::Connect => {
                format!("could not connect to the Descope API: {}", e.message)
            }
            TransportErrorKind::Tls => format!(
                "TLS handshake with the Descope API failed: {} (if you use a private CA, add it to the client's extra CA certificates)",
                e.message
            ),
            TransportErrorKind::BodyTooLarge => format!(
                "the Descope API response exceeded the size cap: {} (raise max_response_bytes if this is expected)",
                e.message
            ),
            TransportErrorKind::InvalidRequest => format!("invalid request: {}", e.message),
            TransportErrorKind::Other => format!("HTTP transport error: {}", e.message),
        };
        let mut err = Self::build(ErrorKind::Transport, message);
        err.inner.maybe_sent = e.maybe_sent;
        err.inner.transport_kind = Some(e.kind);
        err.inner.source = Some(Box::new(e));
        err
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.inner.kind)
            .field("message", &self.inner.message);
        if let Some(s) = self.inner.status {
            d.field("status", &s);
        }
        if let Some(b) = &self.inner.body {
            d.field("body", b);
        }
        if let Some(r) = self.inner.retry_after {
            d.field("retry_after", &r);
        }
        if self.inner.kind == ErrorKind::Transport {
            d.field("may_have_been_sent", &self.inner.maybe_sent);
        }
        if let Some(s) = &self.inner.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// Parses a `Retry-After` header value: whole seconds, or an HTTP date (relative to `now`).
/// Returns `None` for anything else.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descope_error_body_is_parsed_with_status_code_description_and_message() {
        let e = Error::from_response(
            400,
            br#"{"errorCode":"E062108","errorDescription":"User not found","errorMessage":"Failed to load user"}"#,
            None,
        );
        assert_eq!(e.kind(), ErrorKind::Api);
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.code(), Some("E062108"));
        assert_eq!(e.description(), Some("User not found"));
        assert_eq!(e.api_message(), Some("Failed to load user"));
        assert!(e.to_string().contains("E062108"));
        assert!(!e.is_rate_limited());
    }

    #[test]
    fn non_json_error_body_keeps_the_raw_text() {
        let e = Error::from_response(500, b"<html>Internal Server Error</html>", None);
        assert_eq!(e.status(), Some(500));
        assert_eq!(e.code(), None);
        assert_eq!(e.raw_body(), Some("<html>Internal Server Error</html>"));
    }

    #[test]
    fn status_429_is_a_rate_limit_error_with_retry_after() {
        let e = Error::from_response(
            429,
            br#"{"errorCode":"E130429","errorDescription":"Rate limit exceeded"}"#,
            Some(Duration::from_secs(10)),
        );
        assert!(e.is_rate_limited());
        assert_eq!(e.code(), Some("E130429"));
        assert_eq!(e.retry_after(), Some(Duration::from_secs(10)));
    }

    #[test]
    fn retry_after_parses_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Fri, 04 Dec 2026 12:00:00 GMT").unwrap();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Fri, 04 Dec 2026 12:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Fri, 04 Dec 2026 11:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("abc", now), None);
    }

    #[test]
    fn transport_errors_say_whether_the_request_may_have_been_sent() {
        let e: Error =
            TransportError::new(TransportErrorKind::Connect, false, "connection refused").into();
        assert!(e.is_transport());
        assert!(!e.may_have_been_sent());
        assert!(e.source().is_some());
        let t: Error = TransportError::new(TransportErrorKind::Timeout, true, "60s").into();
        assert!(t.is_timeout());
        assert!(t.may_have_been_sent());
    }

    #[test]
    fn token_errors_expose_their_kind() {
        let e = Error::token(TokenErrorKind::Expired, "");
        assert_eq!(e.token_kind(), Some(TokenErrorKind::Expired));
        assert!(e.is_unauthorized());
    }
}
