//! A local emulator of the Descope API.
//!
//! It speaks the wire protocol of the hosted service (the same paths, bodies, headers and
//! errors), signs real RS256 JWTs with keys it generates, and serves its JWKS, so SDKs
//! (this project's and the official ones) work against it unchanged. Codes and links are
//! never sent anywhere: they land in an [outbox](EmulatorHandle::outbox).
//!
//! ```no_run
//! # async fn run() -> Result<(), descope_emulator::EmulatorError> {
//! let emu = descope_emulator::Emulator::builder().start().await?;
//! println!("{} {}", emu.base_url(), emu.project_id());
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! See `docs/emulator.md` for what it implements and how it differs from the real service.

#![deny(missing_docs)]

mod app;
mod authenticator;
mod error;
mod keys;
mod model;
mod qr;
mod routes;
mod store;
mod tls;
mod util;

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::app::{App, Core, Ephemeral, Settings};
pub use crate::authenticator::SoftAuthenticator;
use crate::keys::{generate_key, load_key, KeyRing};
use crate::model::ProjectRecord;
use crate::store::Store;

/// The address of the client that sent a request (inserted per connection).
#[derive(Debug, Clone)]
pub(crate) struct ClientIp(pub String);

/// A code or link the emulator "sent".
///
/// It holds the secret (the code or the link) on purpose: it is what a test reads to go on
/// with a flow. `Debug` shows neither.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OutboxMessage {
    /// `otp`, `magiclink`, `enchantedlink` or `invite`.
    pub kind: String,
    /// `email`, `sms`, `voice`, `whatsapp` or `embedded`.
    pub method: String,
    /// The login ID the message is for.
    pub login_id: String,
    /// The address it was "sent" to.
    pub to: String,
    /// The one-time code (OTP).
    pub code: Option<String>,
    /// The link (magic link, enchanted link, invite).
    pub link: Option<String>,
    /// The token inside the link (what `verify` takes).
    pub token: Option<String>,
    /// The number shown next to an enchanted link.
    pub link_id: Option<String>,
    /// The enchanted-link polling reference.
    pub pending_ref: Option<String>,
    /// When it was sent (Unix seconds).
    pub time: i64,
}

impl OutboxMessage {
    /// One line for the console (the binary prints the outbox).
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} via {} to {} (login ID {})",
            self.kind, self.method, self.to, self.login_id
        );
        if let Some(c) = &self.code {
            s.push_str(&format!(": code {c}"));
        }
        if let Some(l) = &self.link {
            s.push_str(&format!(": link {l}"));
        }
        if let Some(id) = &self.link_id {
            s.push_str(&format!(" (link ID {id})"));
        }
        s
    }
}

impl fmt::Debug for OutboxMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboxMessage")
            .field("kind", &self.kind)
            .field("method", &self.method)
            .field("login_id", &self.login_id)
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

/// Why the emulator could not start.
#[derive(Debug, Clone)]
pub struct EmulatorError(String);

impl fmt::Display for EmulatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "descope emulator: {}", self.0)
    }
}

impl std::error::Error for EmulatorError {}

impl From<String> for EmulatorError {
    fn from(s: String) -> Self {
        Self(s)
    }
}

/// Entry point: [`Emulator::builder`].
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// A builder with the defaults: in memory, `127.0.0.1:0`, plain HTTP, 10-minute sessions,
    /// 4-week refresh tokens, 5-minute codes and links, no rate limit.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            project_id: None,
            management_key: None,
            data_dir: None,
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            tls: false,
            session_ttl: Duration::from_secs(600),
            refresh_ttl: Duration::from_secs(4 * 7 * 24 * 3600),
            code_ttl: Duration::from_secs(300),
            key_grace: Duration::from_secs(3600),
            rate_limit_per_minute: None,
            print_outbox: false,
            fake_identity: None,
        }
    }
}

/// Configures and starts an emulator.
#[derive(Clone)]
pub struct EmulatorBuilder {
    project_id: Option<String>,
    management_key: Option<String>,
    data_dir: Option<PathBuf>,
    host: IpAddr,
    port: u16,
    tls: bool,
    session_ttl: Duration,
    refresh_ttl: Duration,
    code_ttl: Duration,
    key_grace: Duration,
    rate_limit_per_minute: Option<u32>,
    print_outbox: bool,
    fake_identity: Option<(String, String)>,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("project_id", &self.project_id)
            .field(
                "management_key",
                &self.management_key.as_ref().map(|_| "<redacted>"),
            )
            .field("data_dir", &self.data_dir)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

impl EmulatorBuilder {
    /// The project ID (generated, or taken from the data dir, when not set).
    pub fn project_id(mut self, id: impl Into<String>) -> Self {
        self.project_id = Some(id.into());
        self
    }

    /// The management key (generated, or taken from the data dir, when not set).
    pub fn management_key(mut self, key: impl Into<String>) -> Self {
        self.management_key = Some(key.into());
        self
    }

    /// Keeps state in `dir` (SQLite), so it survives restarts and crashes.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// The interface to bind (default `127.0.0.1`).
    pub fn host(mut self, host: IpAddr) -> Self {
        self.host = host;
        self
    }

    /// The port (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Serves HTTPS with a generated certificate (see [`EmulatorHandle::ca_pem`]).
    pub fn tls(mut self, tls: bool) -> Self {
        self.tls = tls;
        self
    }

    /// Session JWT lifetime (default 10 minutes).
    pub fn session_ttl(mut self, ttl: Duration) -> Self {
        self.session_ttl = ttl;
        self
    }

    /// Refresh JWT lifetime (default 4 weeks).
    pub fn refresh_ttl(mut self, ttl: Duration) -> Self {
        self.refresh_ttl = ttl;
        self
    }

    /// How long OTP codes and links stay valid (default 5 minutes).
    pub fn code_ttl(mut self, ttl: Duration) -> Self {
        self.code_ttl = ttl;
        self
    }

    /// How long a rotated-out key stays in the JWKS (default 1 hour).
    pub fn key_grace(mut self, grace: Duration) -> Self {
        self.key_grace = grace;
        self
    }

    /// Answers 429 (with `Retry-After`) past `n` API calls per minute.
    pub fn rate_limit_per_minute(mut self, n: u32) -> Self {
        self.rate_limit_per_minute = Some(n);
        self
    }

    /// Prints every outbox message to standard output (the binary does).
    pub fn print_outbox(mut self, print: bool) -> Self {
        self.print_outbox = print;
        self
    }

    /// The identity the fake OAuth/SSO/SAML provider signs in without showing its page: the
    /// URL that `oauth/authorize`, `sso/authorize` or `saml/authorize` returns then redirects
    /// straight back to the app with a code for this user (see `docs/emulator.md`).
    pub fn fake_identity(mut self, email: impl Into<String>, name: impl Into<String>) -> Self {
        self.fake_identity = Some((email.into(), name.into()));
        self
    }

    /// Opens the state, makes keys when needed, binds and starts serving.
    pub async fn start(self) -> Result<EmulatorHandle, EmulatorError> {
        let dir = self.data_dir.clone();
        let given_pid = self.project_id.clone();
        let given_key = self.management_key.clone();
        // Opening SQLite and generating an RSA key are blocking work.
        let (store, keys) =
            tokio::task::spawn_blocking(move || -> Result<(Store, KeyRing), String> {
                let mut store = Store::open(dir.as_deref())?;
                let stored = store.store_project();
                let project = ProjectRecord {
                    project_id: given_pid
                        .or_else(|| stored.as_ref().map(|p| p.project_id.clone()))
                        .unwrap_or_else(|| util::random_id("P", 27)),
                    management_key: given_key
                        .or_else(|| stored.as_ref().map(|p| p.management_key.clone()))
                        .unwrap_or_else(|| util::random_id("K", 40)),
                };
                if project.project_id.is_empty() || project.project_id.contains(':') {
                    return Err("the project ID must be non-empty and contain no ':'".into());
                }
                if project.management_key.is_empty() || project.management_key.contains(':') {
                    return Err("the management key must be non-empty and contain no ':'".into());
                }
                store.data.put_project(project);
                if store.data.signing_keys.is_empty() {
                    let rec = generate_key(util::now())?;
                    store.data.put_signing_keys(vec![rec]);
                }
                let mut ring = KeyRing::default();
                for rec in &store.data.signing_keys {
                    ring.keys.push(load_key(rec)?);
                }
                store.flush().map_err(|e| e.message)?;
                Ok((store, ring))
            })
            .await
            .map_err(|e| EmulatorError(format!("start-up task failed: {e}")))??;
        let project = store
            .store_project()
            .ok_or_else(|| EmulatorError("no project".into()))?;

        let tls = if self.tls {
            Some(tls::load_or_create(self.data_dir.as_deref(), self.host)?)
        } else {
            None
        };
        let listener = TcpListener::bind(SocketAddr::new(self.host, self.port))
            .await
            .map_err(|e| EmulatorError(format!("cannot bind {}:{}: {e}", self.host, self.port)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| EmulatorError(format!("no local address: {e}")))?;
        let host = match addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => "127.0.0.1".to_string(),
            IpAddr::V4(ip) => ip.to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base_url = format!("{scheme}://{host}:{}", addr.port());
        let secs = |d: Duration| d.as_secs().max(1) as i64;
        let app = Arc::new(App {
            project_id: project.project_id.clone(),
            management_key: project.management_key.clone(),
            settings: Settings {
                session_ttl: secs(self.session_ttl),
                refresh_ttl: secs(self.refresh_ttl),
                code_ttl: secs(self.code_ttl),
                key_grace: self.key_grace.as_secs() as i64,
                rate_limit_per_minute: self.rate_limit_per_minute,
                print_outbox: self.print_outbox,
            },
            base_url: base_url.clone(),
            core: Mutex::new(Core {
                store,
                keys,
                eph: Ephemeral::default(),
            }),
            rate: Mutex::new((0, 0)),
        });
        app.lock().eph.idp.identity = self
            .fake_identity
            .map(|(email, name)| routes::oauth::FakeIdentity { email, name });
        let router = routes::router(app.clone());
        let (tx, rx) = watch::channel(false);
        let acceptor = tls.as_ref().map(|t| t.acceptor.clone());
        let task = tokio::spawn(tls::serve(listener, router, acceptor, rx));
        Ok(EmulatorHandle {
            base_url,
            addr,
            app,
            shutdown: tx,
            task: Mutex::new(Some(task)),
            ca_pem: tls.map(|t| t.ca_pem),
        })
    }
}

impl Store {
    fn store_project(&self) -> Option<ProjectRecord> {
        self.data.project.clone()
    }
}

/// A running emulator. Dropping it stops the server too; [`shutdown`](Self::shutdown) waits for it.
pub struct EmulatorHandle {
    base_url: String,
    addr: SocketAddr,
    app: Arc<App>,
    shutdown: watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<()>>>,
    ca_pem: Option<String>,
}

impl fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("base_url", &self.base_url)
            .field("project_id", &self.app.project_id)
            .finish_non_exhaustive()
    }
}

impl EmulatorHandle {
    /// `http://127.0.0.1:<port>` (or `https://` with TLS), without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The project ID.
    pub fn project_id(&self) -> &str {
        &self.app.project_id
    }

    /// The management key (for `Bearer <projectId>:<managementKey>`).
    pub fn management_key(&self) -> &str {
        &self.app.management_key
    }

    /// The PEM of the CA that issued the TLS certificate (when started with TLS).
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Every code and link sent so far, oldest first.
    pub fn outbox(&self) -> Vec<OutboxMessage> {
        self.app.lock().eph.outbox.clone()
    }

    /// The newest message for `login_id`.
    pub fn last_message(&self, login_id: &str) -> Option<OutboxMessage> {
        self.app
            .lock()
            .eph
            .outbox
            .iter()
            .rev()
            .find(|m| m.login_id == login_id)
            .cloned()
    }

    /// Empties the outbox.
    pub fn clear_outbox(&self) {
        self.app.lock().eph.outbox.clear();
    }

    /// Sets (or, with `None`, clears) the identity the fake OAuth/SSO/SAML provider signs in
    /// without showing its page, as `PUT /emulator/idp/identity` does. Takes `(email, name)`.
    pub fn set_fake_identity(&self, identity: Option<(&str, &str)>) {
        self.app.lock().eph.idp.identity =
            identity.map(|(email, name)| routes::oauth::FakeIdentity {
                email: email.to_string(),
                name: name.to_string(),
            });
    }

    /// Rotates the signing key, as `POST /emulator/keys/rotate` does: new tokens are signed with
    /// a new key, and the old key stays in the JWKS for the grace period. Returns the new key ID.
    pub async fn rotate_keys(&self) -> Result<String, EmulatorError> {
        routes::emulator::rotate_keys(&self.app)
            .await
            .map_err(|e| EmulatorError(e.message))
    }

    /// Stops accepting connections and waits (briefly) for open ones to finish.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let task = self.task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}
