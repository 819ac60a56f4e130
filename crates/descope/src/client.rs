use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use descope_core::{Clock, Config, ConfigBuilder, Result, RetryPolicy, Secret, SystemClock};
use descope_transport::{ApiClient, HttpTransport, Sleep, TokioSleep};
#[cfg(feature = "hyper")]
use descope_transport::{HyperTransport, RootStore};

/// The Descope client: every authentication, session and management call starts here.
///
/// Cheap to clone; clones share one configuration, one connection pool and one key cache.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    api: ApiClient,
    validator: descope_jwt::SessionValidator,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", self.config())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder that falls back to the `DESCOPE_*` environment variables for anything not set
    /// on it.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new(ConfigBuilder::from_env())
    }

    /// A builder that ignores the environment: everything comes from the builder.
    pub fn builder_without_env() -> ClientBuilder {
        ClientBuilder::new(ConfigBuilder::default())
    }

    /// A client configured from the environment only (`DESCOPE_PROJECT_ID`, …).
    pub fn from_env() -> Result<Self> {
        Self::builder().build()
    }

    /// A client for `project_id`, with everything else from the environment or defaults.
    pub fn new(project_id: impl Into<String>) -> Result<Self> {
        Self::builder().project_id(project_id).build()
    }

    /// The resolved configuration.
    pub fn config(&self) -> &Config {
        self.inner.api.config()
    }

    /// The project ID.
    pub fn project_id(&self) -> &str {
        &self.config().project_id
    }

    /// The request pipeline, for calls the SDK does not model yet and for the sub-crates.
    pub fn api(&self) -> &ApiClient {
        &self.inner.api
    }

    /// The session validator: the project's key set and the verified-token cache, shared by
    /// every clone of this client.
    pub fn validator(&self) -> &descope_jwt::SessionValidator {
        &self.inner.validator
    }
}

/// Builds a [`Client`].
pub struct ClientBuilder {
    config: ConfigBuilder,
    transport: Option<Arc<dyn HttpTransport>>,
    sleeper: Option<Arc<dyn Sleep>>,
    clock: Option<Arc<dyn Clock>>,
    validator_options: descope_jwt::ValidatorOptions,
    tls: TlsOptions,
}

#[derive(Default)]
#[cfg_attr(not(feature = "hyper"), allow(dead_code))]
struct TlsOptions {
    #[cfg(feature = "hyper")]
    roots: RootStore,
    extra_ca_pem: Vec<Vec<u8>>,
    danger_accept_invalid_certs: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    fn new(config: ConfigBuilder) -> Self {
        Self {
            config,
            transport: None,
            sleeper: None,
            clock: None,
            validator_options: descope_jwt::ValidatorOptions::default(),
            tls: TlsOptions::default(),
        }
    }

    /// The project ID (required; else `DESCOPE_PROJECT_ID`).
    pub fn project_id(mut self, id: impl Into<String>) -> Self {
        self.config = self.config.project_id(id);
        self
    }

    /// The management key (else `DESCOPE_MANAGEMENT_KEY`), needed for management calls.
    pub fn management_key(mut self, key: impl Into<Secret>) -> Self {
        self.config = self.config.management_key(key);
        self
    }

    /// The auth management key (else `DESCOPE_AUTH_MANAGEMENT_KEY`), for projects whose public
    /// auth APIs are disabled.
    pub fn auth_management_key(mut self, key: impl Into<Secret>) -> Self {
        self.config = self.config.auth_management_key(key);
        self
    }

    /// A pinned public key: one JWK or a whole JWKS as JSON (else `DESCOPE_PUBLIC_KEY`). Tokens
    /// are then verified without fetching the key set.
    pub fn public_key(mut self, jwk_or_jwks: impl Into<String>) -> Self {
        self.config = self.config.public_key(jwk_or_jwks);
        self
    }

    /// The API base URL (else `DESCOPE_BASE_URI`, else derived from the project ID).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.config = self.config.base_url(url);
        self
    }

    /// Clock-skew allowance for token time claims (default 5 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.config = self.config.leeway(leeway);
        self
    }

    /// Adds a header to every request.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.config = self.config.default_header(name, value);
        self
    }

    /// Per-attempt request timeout (default 60 s).
    pub fn request_timeout(mut self, t: Duration) -> Self {
        self.config = self.config.request_timeout(t);
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.config = self.config.connect_timeout(t);
        self
    }

    /// Cap on a response body (default 16 MiB).
    pub fn max_response_bytes(mut self, n: usize) -> Self {
        self.config = self.config.max_response_bytes(n);
        self
    }

    /// The retry policy (default: 3 retries of 503/520/521/522/524/530, 429 not retried).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.config = self.config.retry_policy(policy);
        self
    }

    /// Allows plain `http://` to a host that is not loopback (keys then travel in clear text).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.config = self.config.allow_insecure_http(allow);
        self
    }

    /// Uses another transport instead of the default hyper one. Timeouts, the body cap and
    /// TLS settings are then the transport's business.
    pub fn transport(mut self, transport: Arc<dyn HttpTransport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Injects the sleeper used between retries (tests).
    pub fn sleeper(mut self, sleeper: Arc<dyn Sleep>) -> Self {
        self.sleeper = Some(sleeper);
        self
    }

    /// Injects the clock used for token validation and `Retry-After` dates (tests).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Tuning of session validation: the verified-token cache (on by default; turn it off with
    /// `ValidatorOptions::default().verified_cache(false)`) and the key-set refetch cooldown.
    pub fn validator_options(mut self, options: descope_jwt::ValidatorOptions) -> Self {
        self.validator_options = options;
        self
    }

    /// Which root certificates the default transport trusts.
    #[cfg(feature = "hyper")]
    pub fn root_store(mut self, roots: RootStore) -> Self {
        self.tls.roots = roots;
        self
    }

    /// Also trusts these CA certificates (PEM), for example the local emulator's.
    #[cfg(feature = "hyper")]
    pub fn add_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.tls.extra_ca_pem.push(pem.into());
        self
    }

    /// Accepts any TLS certificate. **Dangerous**: for local experiments only.
    #[cfg(feature = "hyper")]
    pub fn danger_accept_invalid_certs(mut self, accept: bool) -> Self {
        self.tls.danger_accept_invalid_certs = accept;
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<Client> {
        let config = self.config.build()?;
        let transport: Arc<dyn HttpTransport> = match self.transport {
            Some(t) => t,
            None => default_transport(&config, &self.tls)?,
        };
        let api = ApiClient::with_parts(
            Arc::new(config),
            transport,
            self.sleeper.unwrap_or_else(|| Arc::new(TokioSleep)),
            self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
        );
        Ok(Client {
            inner: Arc::new(Inner {
                validator: descope_jwt::SessionValidator::with_options(
                    api.clone(),
                    self.validator_options,
                )?,
                api,
            }),
        })
    }
}

#[cfg(feature = "hyper")]
fn default_transport(config: &Config, tls: &TlsOptions) -> Result<Arc<dyn HttpTransport>> {
    let mut b = HyperTransport::builder()
        .connect_timeout(config.connect_timeout)
        .request_timeout(config.request_timeout)
        .max_response_bytes(config.max_response_bytes)
        .root_store(tls.roots)
        .danger_accept_invalid_certs(tls.danger_accept_invalid_certs);
    for pem in &tls.extra_ca_pem {
        b = b.add_ca_pem(pem.clone());
    }
    Ok(Arc::new(b.build()?))
}

#[cfg(not(feature = "hyper"))]
fn default_transport(_config: &Config, _tls: &TlsOptions) -> Result<Arc<dyn HttpTransport>> {
    Err(descope_core::Error::config(
        "no HTTP transport: enable the `hyper` feature of the descope crate, or give one with ClientBuilder::transport",
    ))
}
