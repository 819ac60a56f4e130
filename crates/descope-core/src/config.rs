use std::fmt;
use std::time::Duration;

use http::{HeaderName, HeaderValue};

use crate::consts::*;
use crate::error::{Error, Result};
use crate::secret::Secret;

/// Default clock-skew allowance for `exp`, `nbf` and `iat`.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(5);
/// Default per-request timeout (as the official SDKs).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Default cap on a response body (16 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The API base URL the official SDKs derive from a project ID.
///
/// A project ID of 32 characters or more carries its region in characters 2 to 5
/// (`P2abc…` gives `https://api.2abc.descope.com`); a shorter one uses
/// `https://api.descope.com`.
pub fn base_url_for_project_id(project_id: &str) -> String {
    let chars: Vec<char> = project_id.chars().collect();
    if chars.len() >= 32 {
        let region: String = chars[1..5].iter().collect();
        format!("https://api.{region}.descope.com")
    } else {
        DEFAULT_BASE_URL.to_owned()
    }
}

/// When and how the SDK retries a request. One policy serves every call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 3, as the official SDKs).
    pub max_retries: u32,
    /// HTTP statuses that are retried (default 503, 520, 521, 522, 524, 530).
    pub retryable_statuses: Vec<u16>,
    /// Wait before the first retry (default 100 ms); each next wait is ten times longer, up to
    /// `max_backoff`. A `Retry-After` header on the response takes precedence.
    pub initial_backoff: Duration,
    /// The longest wait between two attempts (default 5 s).
    pub max_backoff: Duration,
    /// No retry starts once this much time has passed since the first attempt (default 30 s).
    pub max_total: Duration,
    /// Retry HTTP 429 automatically, waiting `Retry-After` (default off: interactive apps should
    /// surface rate limits; bulk jobs want this on).
    pub retry_rate_limited: bool,
    /// The longest `Retry-After` honoured for a 429 retry; a longer one is returned as an error
    /// (default 60 s).
    pub max_rate_limit_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            retryable_statuses: RETRYABLE_STATUSES.to_vec(),
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            max_total: Duration::from_secs(30),
            retry_rate_limited: false,
            max_rate_limit_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Sets the number of retries after the first attempt.
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Turns automatic retries of HTTP 429 on or off, waiting at most `max_wait` per retry.
    pub fn with_rate_limit_retries(mut self, on: bool, max_wait: Duration) -> Self {
        self.retry_rate_limited = on;
        self.max_rate_limit_wait = max_wait;
        self
    }

    /// Sets the backoff bounds.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// Sets the total time bound.
    pub fn with_max_total(mut self, total: Duration) -> Self {
        self.max_total = total;
        self
    }

    /// The wait before retry number `retry` (0-based), without `Retry-After`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 10u32.saturating_pow(retry);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// The resolved client configuration. Build it with [`Config::builder`] or
/// [`ConfigBuilder::from_env`].
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// The Descope project ID.
    pub project_id: String,
    /// The management key, for management calls.
    pub management_key: Option<Secret>,
    /// The auth management key, appended to auth calls when public auth APIs are disabled.
    pub auth_management_key: Option<Secret>,
    /// A pinned public key or key set (JSON: one JWK or `{"keys":[…]}`): used without fetching.
    pub public_key: Option<String>,
    /// The API base URL, without a trailing slash.
    pub base_url: String,
    /// Clock-skew allowance for token time claims.
    pub leeway: Duration,
    /// Headers added to every request.
    pub default_headers: Vec<(HeaderName, HeaderValue)>,
    /// Per-request timeout (each attempt).
    pub request_timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Cap on a response body.
    pub max_response_bytes: usize,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Whether plain `http://` to a non-loopback host was explicitly allowed.
    pub allow_insecure_http: bool,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("project_id", &self.project_id)
            .field(
                "management_key",
                &self.management_key.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "auth_management_key",
                &self.auth_management_key.as_ref().map(|_| "[redacted]"),
            )
            .field("public_key", &self.public_key.as_ref().map(|_| "[pinned]"))
            .field("base_url", &self.base_url)
            .field("leeway", &self.leeway)
            .field(
                "default_headers",
                &self
                    .default_headers
                    .iter()
                    .map(|(k, _)| k)
                    .collect::<Vec<_>>(),
            )
            .field("request_timeout", &self.request_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry", &self.retry)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}

impl Config {
    /// A builder with nothing set. Values not set on it come from the environment only through
    /// [`ConfigBuilder::from_env`].
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The management key, or a configuration error naming how to set it.
    pub fn require_management_key(&self) -> Result<&Secret> {
        self.management_key
            .as_ref()
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                Error::config(format!(
                    "a management key is required for management calls: set {ENV_MANAGEMENT_KEY} or call management_key(..) on the client builder"
                ))
            })
    }
}

/// Builds a [`Config`]. Every setter takes precedence over the environment.
#[derive(Clone, Default)]
pub struct ConfigBuilder {
    project_id: Option<String>,
    management_key: Option<Secret>,
    auth_management_key: Option<Secret>,
    public_key: Option<String>,
    base_url: Option<String>,
    leeway: Option<Duration>,
    default_headers: Vec<(String, String)>,
    request_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_response_bytes: Option<usize>,
    retry: Option<RetryPolicy>,
    allow_insecure_http: bool,
    env: Vec<(String, String)>,
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("project_id", &self.project_id)
            .field(
                "management_key",
                &self.management_key.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "auth_management_key",
                &self.auth_management_key.as_ref().map(|_| "[redacted]"),
            )
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// A builder that falls back to the process environment (`DESCOPE_PROJECT_ID`,
    /// `DESCOPE_MANAGEMENT_KEY`, `DESCOPE_AUTH_MANAGEMENT_KEY`, `DESCOPE_PUBLIC_KEY`,
    /// `DESCOPE_BASE_URI`) for whatever is not set on it.
    pub fn from_env() -> Self {
        Self::from_env_vars(std::env::vars())
    }

    /// Like [`ConfigBuilder::from_env`], with the variables given explicitly (for tests and for
    /// apps that load configuration from elsewhere).
    pub fn from_env_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            env: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .filter(|(k, _)| k.starts_with("DESCOPE_"))
                .collect(),
            ..Self::default()
        }
    }

    fn env(&self, key: &str) -> Option<String> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    }

    /// The project ID (required). Overrides `DESCOPE_PROJECT_ID`.
    pub fn project_id(mut self, id: impl Into<String>) -> Self {
        self.project_id = Some(id.into());
        self
    }

    /// The management key. Overrides `DESCOPE_MANAGEMENT_KEY`.
    pub fn management_key(mut self, key: impl Into<Secret>) -> Self {
        self.management_key = Some(key.into());
        self
    }

    /// The auth management key. Overrides `DESCOPE_AUTH_MANAGEMENT_KEY`.
    pub fn auth_management_key(mut self, key: impl Into<Secret>) -> Self {
        self.auth_management_key = Some(key.into());
        self
    }

    /// A pinned public key: one JWK or a whole JWKS, as JSON. Overrides `DESCOPE_PUBLIC_KEY`.
    pub fn public_key(mut self, jwk_or_jwks: impl Into<String>) -> Self {
        self.public_key = Some(jwk_or_jwks.into());
        self
    }

    /// The API base URL. Overrides `DESCOPE_BASE_URI` and the URL derived from the project ID.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Clock-skew allowance for token time claims (default 5 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = Some(leeway);
        self
    }

    /// Adds a header to every request.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// Per-attempt request timeout (default 60 s).
    pub fn request_timeout(mut self, t: Duration) -> Self {
        self.request_timeout = Some(t);
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = Some(t);
        self
    }

    /// Cap on a response body (default 16 MiB).
    pub fn max_response_bytes(mut self, n: usize) -> Self {
        self.max_response_bytes = Some(n);
        self
    }

    /// The retry policy.
    pub fn retry_policy(mut self, p: RetryPolicy) -> Self {
        self.retry = Some(p);
        self
    }

    /// Allows a plain `http://` base URL to a host that is not loopback. Keys and tokens then
    /// cross the network in clear text: use only on a network you trust.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Resolves and checks the configuration.
    pub fn build(self) -> Result<Config> {
        let project_id = self
            .project_id
            .clone()
            .filter(|p| !p.trim().is_empty())
            .or_else(|| self.env(ENV_PROJECT_ID))
            .ok_or_else(|| {
                Error::config(format!(
                    "the project ID is missing: set the {ENV_PROJECT_ID} environment variable or call project_id(..) on the client builder"
                ))
            })?;
        let project_id = project_id.trim().to_owned();
        if project_id
            .chars()
            .any(|c| c == ':' || c.is_whitespace() || c.is_control())
        {
            return Err(Error::config(
                "the project ID contains a colon, whitespace or a control character: copy it again from the Descope console",
            ));
        }
        let management_key = self
            .management_key
            .clone()
            .filter(|k| !k.is_empty())
            .or_else(|| self.env(ENV_MANAGEMENT_KEY).map(Secret::new));
        let auth_management_key = self
            .auth_management_key
            .clone()
            .filter(|k| !k.is_empty())
            .or_else(|| self.env(ENV_AUTH_MANAGEMENT_KEY).map(Secret::new));
        let public_key = self
            .public_key
            .clone()
            .filter(|k| !k.trim().is_empty())
            .or_else(|| self.env(ENV_PUBLIC_KEY));
        let base_url = self
            .base_url
            .clone()
            .filter(|u| !u.trim().is_empty())
            .or_else(|| self.env(ENV_BASE_URI))
            .unwrap_or_else(|| base_url_for_project_id(&project_id));
        let base_url = check_base_url(base_url.trim(), self.allow_insecure_http)?;

        let mut default_headers = Vec::with_capacity(self.default_headers.len());
        for (k, v) in &self.default_headers {
            let name = HeaderName::from_bytes(k.as_bytes()).map_err(|_| {
                Error::config(format!(
                    "default header name {k:?} is not a valid HTTP header name"
                ))
            })?;
            let value = HeaderValue::from_str(v).map_err(|_| {
                Error::config(format!(
                    "default header {k:?} has a value that is not a valid HTTP header value"
                ))
            })?;
            default_headers.push((name, value));
        }

        Ok(Config {
            project_id,
            management_key,
            auth_management_key,
            public_key,
            base_url,
            leeway: self.leeway.unwrap_or(DEFAULT_LEEWAY),
            default_headers,
            request_timeout: self.request_timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT),
            connect_timeout: self.connect_timeout.unwrap_or(Duration::from_secs(10)),
            max_response_bytes: self
                .max_response_bytes
                .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
            retry: self.retry.unwrap_or_default(),
            allow_insecure_http: self.allow_insecure_http,
        })
    }
}

fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h.eq_ignore_ascii_case("localhost") || h.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    h.parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

fn check_base_url(url: &str, allow_insecure_http: bool) -> Result<String> {
    let url = url.trim_end_matches('/');
    let uri: http::Uri = url.parse().map_err(|_| {
        Error::config(format!(
            "the base URL {url:?} is not a valid URL: give an absolute URL such as https://api.descope.com"
        ))
    })?;
    let host = uri.host().ok_or_else(|| {
        Error::config(format!(
            "the base URL {url:?} has no host: give an absolute URL such as https://api.descope.com"
        ))
    })?;
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") => {
            if !is_loopback_host(host) && !allow_insecure_http {
                return Err(Error::config(format!(
                    "refusing plain http:// to {host}: keys and tokens would cross the network in clear text. Use https://, or call allow_insecure_http(true) on the client builder if this network is trusted"
                )));
            }
        }
        _ => {
            return Err(Error::config(format!(
                "the base URL {url:?} must start with https:// (or http:// for a local emulator)"
            )))
        }
    }
    if uri.query().is_some() {
        return Err(Error::config(format!(
            "the base URL {url:?} must not have a query string"
        )));
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PID: &str = "P2aAc4T2V93bddihGEx2Ryhc8e5Z";

    #[test]
    fn base_url_is_derived_from_a_long_project_id_region() {
        assert_eq!(
            base_url_for_project_id("Puse12aAc4T2V93bddihGEx2Ryhc8e5Z"),
            "https://api.use1.descope.com"
        );
        assert_eq!(
            base_url_for_project_id("P2abcdefghijklmnopqrstuvwxyz0123"),
            "https://api.2abc.descope.com"
        );
    }

    #[test]
    fn base_url_for_a_short_project_id_is_the_global_api() {
        assert_eq!(base_url_for_project_id(PID), "https://api.descope.com");
        assert_eq!(
            Config::builder().project_id(PID).build().unwrap().base_url,
            "https://api.descope.com"
        );
    }

    #[test]
    fn builder_base_url_beats_env_which_beats_derivation() {
        let env = [("DESCOPE_BASE_URI", "https://env.example.com")];
        let c = ConfigBuilder::from_env_vars(env)
            .project_id(PID)
            .base_url("https://builder.example.com/")
            .build()
            .unwrap();
        assert_eq!(c.base_url, "https://builder.example.com");
        let c = ConfigBuilder::from_env_vars(env)
            .project_id(PID)
            .build()
            .unwrap();
        assert_eq!(c.base_url, "https://env.example.com");
        let c = ConfigBuilder::from_env_vars([("X", "y")])
            .project_id("Puse12aAc4T2V93bddihGEx2Ryhc8e5Z")
            .build()
            .unwrap();
        assert_eq!(c.base_url, "https://api.use1.descope.com");
    }

    #[test]
    fn project_id_and_keys_fall_back_to_the_environment() {
        let env = [
            ("DESCOPE_PROJECT_ID", PID),
            ("DESCOPE_MANAGEMENT_KEY", "mk"),
            ("DESCOPE_AUTH_MANAGEMENT_KEY", "amk"),
            ("DESCOPE_PUBLIC_KEY", "{\"keys\":[]}"),
        ];
        let c = ConfigBuilder::from_env_vars(env).build().unwrap();
        assert_eq!(c.project_id, PID);
        assert_eq!(c.management_key.unwrap().expose(), "mk");
        assert_eq!(c.auth_management_key.unwrap().expose(), "amk");
        assert_eq!(c.public_key.as_deref(), Some("{\"keys\":[]}"));
        let c = ConfigBuilder::from_env_vars(env)
            .project_id("Pother")
            .management_key("mk2")
            .build()
            .unwrap();
        assert_eq!(c.project_id, "Pother");
        assert_eq!(c.management_key.unwrap().expose(), "mk2");
    }

    #[test]
    fn missing_project_id_names_both_ways_to_give_it() {
        let e = ConfigBuilder::from_env_vars(Vec::<(String, String)>::new())
            .build()
            .unwrap_err();
        assert!(e.is_config());
        let m = e.to_string();
        assert!(m.contains("DESCOPE_PROJECT_ID"), "{m}");
        assert!(m.contains("project_id("), "{m}");
        let e = Config::builder().project_id("  ").build().unwrap_err();
        assert!(e.is_config());
    }

    #[test]
    fn plain_http_is_allowed_only_for_loopback_unless_opted_in() {
        for ok in [
            "http://127.0.0.1:4500",
            "http://localhost:8080",
            "http://[::1]:1",
            "https://api.example.com",
        ] {
            assert!(
                Config::builder()
                    .project_id(PID)
                    .base_url(ok)
                    .build()
                    .is_ok(),
                "{ok}"
            );
        }
        let e = Config::builder()
            .project_id(PID)
            .base_url("http://api.example.com")
            .build()
            .unwrap_err();
        assert!(e.is_config());
        assert!(e.to_string().contains("allow_insecure_http"));
        assert!(Config::builder()
            .project_id(PID)
            .base_url("http://10.0.0.5")
            .allow_insecure_http(true)
            .build()
            .is_ok());
        assert!(Config::builder()
            .project_id(PID)
            .base_url("ftp://x")
            .build()
            .is_err());
    }

    #[test]
    fn debug_never_shows_keys() {
        let c = Config::builder()
            .project_id(PID)
            .management_key("K2-very-secret")
            .auth_management_key("AMK-very-secret")
            .build()
            .unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("very-secret"), "{d}");
        let b = Config::builder().management_key("K2-very-secret");
        assert!(!format!("{b:?}").contains("very-secret"));
    }

    #[test]
    fn management_key_requirement_is_a_config_error() {
        let c = Config::builder().project_id(PID).build().unwrap();
        let e = c.require_management_key().unwrap_err();
        assert!(e.is_config());
        assert!(e.to_string().contains("DESCOPE_MANAGEMENT_KEY"));
    }

    #[test]
    fn backoff_grows_tenfold_up_to_the_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(0), Duration::from_millis(100));
        assert_eq!(p.backoff(1), Duration::from_secs(1));
        assert_eq!(p.backoff(2), Duration::from_secs(5));
        assert_eq!(p.backoff(30), Duration::from_secs(5));
    }
}
