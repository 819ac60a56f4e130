//! [`DescopeLayer`]: finds, validates and (when it expired) renews the session of every request.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use descope_core::TokenErrorKind;
use descope_jwt::{JwtResponse, Session};
use http::{HeaderMap, HeaderValue, Request};
use tokio::sync::OnceCell;
use tower_layer::Layer;
use tower_service::Service;

use crate::cookies::{self, CookieOptions};
use crate::rejection::{self, Rejection, RejectionKind, Responder};

/// The settings a layer shares with the extractors and guards behind it (through the request
/// extensions).
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) client: descope::Client,
    pub(crate) cookies: CookieOptions,
    pub(crate) audience: Option<String>,
    pub(crate) refresh: bool,
    pub(crate) require: bool,
    pub(crate) bearer: bool,
    pub(crate) responder: Option<Responder>,
    pub(crate) renewals: Arc<Renewals>,
}

impl Shared {
    pub(crate) fn reject(&self, kind: RejectionKind) -> Response {
        rejection::respond(self.responder.as_ref(), &Rejection::new(kind))
    }
}

/// Put into every request's extensions by the layer; extractors and guards read it.
#[derive(Clone)]
pub(crate) struct LayerContext {
    pub(crate) shared: Arc<Shared>,
    /// The validated session, if any.
    pub(crate) session: Option<Session>,
    /// Why there is no session (meaningful only when `session` is `None`).
    pub(crate) failure: RejectionKind,
}

/// A [`tower`](https://docs.rs/tower) layer that authenticates requests with Descope sessions.
///
/// For each request it:
///
/// 1. takes the session token from `Authorization: Bearer <token>`, else from the `DS`
///    cookie, and validates it (signature, expiry, issuer, audience) against the project's
///    cached keys: **no network call** for a valid session. A refresh token (`drn` claim
///    `DSR`) presented there is not taken for a session;
/// 2. when that fails (expired, or no session token at all) and a `DSR` refresh-token cookie
///    came, renews the session (`POST /v1/auth/refresh`). Only a renewal that returns a new,
///    valid session token counts: a refresh token by itself is never taken for a session.
///    Concurrent requests carrying the same refresh token share one renewal;
/// 3. puts the outcome into the request extensions, where the
///    [`DescopeSession`](crate::DescopeSession) extractor and the guards
///    ([`require_roles`](crate::require_roles), …) find it;
/// 4. after a renewal, sets the new `DS` cookie (and `DSR` when the refresh token changed) on
///    the response; when the refresh token was refused, deletes both cookies so the browser
///    stops sending them.
///
/// By default the layer lets requests without a session through, so public pages can share
/// the router; the extractor and the guards turn them away (401, or 403 for a missing role).
/// [`DescopeLayer::require_session`] makes the layer itself answer 401 instead, which suits
/// non-axum services (tonic, hyper) that have no extractors.
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use descope_axum::{require_roles, DescopeLayer, DescopeSession};
///
/// async fn me(session: DescopeSession) -> String {
///     format!("hello {}", session.user_id())
/// }
///
/// # fn app(client: descope::Client) -> Router {
/// Router::new()
///     .route("/admin", get(me))
///     .route_layer(require_roles(["admin"]))
///     .route("/me", get(me))
///     .layer(DescopeLayer::new(client))
/// # }
/// ```
#[derive(Clone)]
pub struct DescopeLayer {
    shared: Arc<Shared>,
}

impl fmt::Debug for DescopeLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.shared;
        f.debug_struct("DescopeLayer")
            .field("project_id", &s.client.project_id())
            .field("cookies", &s.cookies)
            .field("audience", &s.audience)
            .field("refresh", &s.refresh)
            .field("require_session", &s.require)
            .field("bearer_header", &s.bearer)
            .field("custom_rejection", &s.responder.is_some())
            .finish()
    }
}

impl DescopeLayer {
    /// A layer validating sessions of `client`'s project, with the default settings: tokens
    /// from `Authorization: Bearer` or the `DS` cookie, renewal from the `DSR` cookie, the
    /// cookie attributes of [`CookieOptions::default`], no audience, requests without a
    /// session let through to the extractors and guards.
    pub fn new(client: descope::Client) -> Self {
        Self {
            shared: Arc::new(Shared {
                client,
                cookies: CookieOptions::default(),
                audience: None,
                refresh: true,
                require: false,
                bearer: true,
                responder: None,
                renewals: Arc::default(),
            }),
        }
    }

    fn edit(mut self, f: impl FnOnce(&mut Shared)) -> Self {
        f(Arc::make_mut(&mut self.shared));
        self
    }

    /// Cookie names and attributes, for reading and for writing.
    pub fn cookies(self, options: CookieOptions) -> Self {
        self.edit(|s| s.cookies = options)
    }

    /// The audience session tokens must carry in `aud` (by default a token without `aud`, or
    /// with the project ID in it, passes).
    pub fn audience(self, audience: impl Into<String>) -> Self {
        let a = audience.into();
        self.edit(|s| s.audience = Some(a))
    }

    /// Whether an expired or missing session is renewed with the `DSR` cookie (default on).
    pub fn refresh(self, on: bool) -> Self {
        self.edit(|s| s.refresh = on)
    }

    /// Whether the `Authorization: Bearer` header is read (default on). Turn it off for a
    /// browser-only app that should accept cookies alone.
    pub fn bearer_header(self, on: bool) -> Self {
        self.edit(|s| s.bearer = on)
    }

    /// Turns away every request without a valid session at the layer (401), before the inner
    /// service runs.
    pub fn require_session(self) -> Self {
        self.edit(|s| s.require = true)
    }

    /// Answers rejections (here, in the extractors and in the guards) with your own response
    /// instead of the default JSON one.
    ///
    /// ```no_run
    /// use axum::response::{IntoResponse, Redirect};
    /// use descope_axum::{DescopeLayer, RejectionKind};
    ///
    /// # fn layer(client: descope::Client) -> DescopeLayer {
    /// DescopeLayer::new(client).on_rejection(|r| match r.kind {
    ///     RejectionKind::Forbidden => r.default_response(),
    ///     _ => Redirect::to("/sign-in").into_response(),
    /// })
    /// # }
    /// ```
    pub fn on_rejection<F>(self, f: F) -> Self
    where
        F: Fn(&Rejection) -> Response + Send + Sync + 'static,
    {
        let f: Responder = Arc::new(f);
        self.edit(|s| s.responder = Some(f))
    }
}

impl<S> Layer<S> for DescopeLayer {
    type Service = DescopeService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        DescopeService {
            inner,
            shared: self.shared.clone(),
        }
    }
}

/// The service [`DescopeLayer`] wraps around yours.
#[derive(Clone)]
pub struct DescopeService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> fmt::Debug for DescopeService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DescopeService")
            .field("project_id", &self.shared.client.project_id())
            .finish_non_exhaustive()
    }
}

/// How a renewal ended, as every request that waited for it needs to know.
#[derive(Clone)]
enum Renewal {
    Renewed(Box<JwtResponse>),
    /// Descope answered without a session token.
    NoSession,
    /// Failed; `refused` when the refresh token itself was refused (not an outage).
    Failed {
        kind: RejectionKind,
        refused: bool,
    },
}

type InFlight = HashMap<Box<str>, Arc<OnceCell<Renewal>>>;

/// Renewals in flight, by refresh token. Requests that carry the same refresh token at the
/// same time (a page loading several resources just after its session expired) share one call
/// to Descope instead of racing each other, which matters when the project rotates refresh
/// tokens: the second call would present a refresh token the first one already replaced.
/// An entry lives only while its call runs; nothing is remembered afterwards, so a logout
/// takes effect at once.
#[derive(Default)]
pub(crate) struct Renewals {
    in_flight: Mutex<InFlight>,
}

impl Renewals {
    fn lock(&self) -> MutexGuard<'_, InFlight> {
        self.in_flight.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn renew(&self, shared: &Shared, refresh_token: &str) -> Renewal {
        let cell = self.lock().entry(refresh_token.into()).or_default().clone();
        let outcome = cell
            .get_or_init(|| async {
                let audience = shared.audience.as_deref();
                match shared.client.refresh_session(refresh_token, audience).await {
                    Ok(r) if r.session.is_some() => Renewal::Renewed(Box::new(r)),
                    Ok(_) => Renewal::NoSession,
                    Err(e) => Renewal::Failed {
                        kind: failure_of(&e),
                        // A refresh token the SDK or the API refused will not get better; a
                        // network failure or an API outage might.
                        refused: e.is_token() || matches!(e.status(), Some(400 | 401 | 403)),
                    },
                }
            })
            .await
            .clone();
        let mut map = self.lock();
        if map
            .get(refresh_token)
            .is_some_and(|c| Arc::ptr_eq(c, &cell))
        {
            map.remove(refresh_token);
        }
        outcome
    }
}

/// What authentication made of a request.
struct Outcome {
    session: Option<Session>,
    failure: RejectionKind,
    set_cookies: Vec<HeaderValue>,
}

fn failure_of(e: &descope_core::Error) -> RejectionKind {
    if e.token_kind() == Some(TokenErrorKind::Expired) {
        RejectionKind::ExpiredSession
    } else {
        RejectionKind::InvalidSession
    }
}

/// Whether the token says it is a refresh token (`drn` claim `DSR`).
fn is_refresh_token(session: &Session) -> bool {
    session.claim("drn").and_then(|v| v.as_str()) == Some(descope_jwt::REFRESH_COOKIE_NAME)
}

async fn authenticate(shared: &Shared, headers: &HeaderMap) -> Outcome {
    let audience = shared.audience.as_deref();
    let header_token = if shared.bearer {
        cookies::bearer(headers)
    } else {
        None
    };
    let cookie_token = match header_token {
        Some(_) => None,
        None => cookies::request_cookie(headers, &shared.cookies.session_name),
    };
    let mut failure = RejectionKind::MissingSession;
    if let Some(token) = header_token.or(cookie_token.as_deref()) {
        match shared.client.validator().validate(token, audience).await {
            // A refresh token sent where the session token belongs is not a session.
            Ok(session) if is_refresh_token(&session) => failure = RejectionKind::InvalidSession,
            Ok(session) => {
                return Outcome {
                    session: Some(session),
                    failure,
                    set_cookies: Vec::new(),
                }
            }
            Err(e) => failure = failure_of(&e),
        }
    }
    let refresh_token = if shared.refresh {
        cookies::request_cookie(headers, &shared.cookies.refresh_name)
    } else {
        None
    };
    let Some(refresh_token) = refresh_token else {
        return Outcome {
            session: None,
            failure,
            set_cookies: Vec::new(),
        };
    };
    match shared.renewals.renew(shared, &refresh_token).await {
        // A renewal counts only when it brings a new, validated session token.
        Renewal::Renewed(renewed) => {
            let now = i64::try_from(shared.client.api().clock().unix_seconds()).unwrap_or(0);
            let rotated = renewed.refresh_token() != Some(&*refresh_token);
            let set_cookies = shared.cookies.set_cookies(&renewed, rotated, now);
            Outcome {
                session: renewed.session.clone(),
                failure,
                set_cookies,
            }
        }
        Renewal::NoSession => Outcome {
            session: None,
            failure: RejectionKind::InvalidSession,
            set_cookies: Vec::new(),
        },
        Renewal::Failed { kind, refused } => Outcome {
            session: None,
            failure: if failure == RejectionKind::MissingSession {
                kind
            } else {
                failure
            },
            set_cookies: if refused {
                shared.cookies.clear_cookies()
            } else {
                Vec::new()
            },
        },
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

impl<S, B, ResBody> Service<Request<B>> for DescopeService<S>
where
    S: Service<Request<B>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: Send + 'static,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let shared = self.shared.clone();
        // The clone that was made ready is the one to call; keep a fresh clone for next time.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        Box::pin(async move {
            let outcome = authenticate(&shared, req.headers()).await;
            let Outcome {
                session,
                failure,
                set_cookies,
            } = outcome;
            let mut res = if shared.require && session.is_none() {
                shared.reject(failure)
            } else {
                req.extensions_mut().insert(LayerContext {
                    shared: shared.clone(),
                    session,
                    failure,
                });
                inner.call(req).await?.map(Body::new)
            };
            cookies::append(res.headers_mut(), set_cookies);
            Ok(res)
        })
    }
}
