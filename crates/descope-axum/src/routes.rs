//! The sign-in and logout routes: [`auth_routes`] and its builder [`AuthRoutes`].

use std::fmt;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use descope_auth::{Auth, DeliveryMethod, JwtResponse};
use descope_core::Error;
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::json;

use crate::cookies::{self, CookieOptions};

/// The sign-in and logout routes, ready to mount with [`Router::nest`]: see
/// [`AuthRoutes`] for the routes and their settings. Equivalent to
/// `AuthRoutes::new(client).into_router()`.
pub fn auth_routes<S>(client: descope::Client) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    AuthRoutes::new(client).into_router()
}

/// Builds the router of the sign-in and logout routes.
///
/// | route | body / query | does |
/// | --- | --- | --- |
/// | `POST /otp/start` | JSON `{"method":"email","loginId":"…"}` | sends a code (signs the user up if new); answers `{"maskedAddress":"…"}` |
/// | `POST /otp/verify` | JSON `{"method":"email","loginId":"…","code":"…"}` | checks the code, sets the `DS`/`DSR` cookies; answers `{"userId":"…","firstSeen":…}` |
/// | `POST /magic-link/start` | JSON `{"method":"email","loginId":"…"}` | sends a link to [`AuthRoutes::magic_link_url`]; answers `{"maskedAddress":"…"}` |
/// | `GET /magic-link/verify?t=…` | | checks the clicked link's token, sets the cookies, redirects to [`AuthRoutes::after_sign_in`] |
/// | `GET /oauth/start?provider=google` | | redirects the browser to the provider |
/// | `GET /oauth/callback?code=…` | | exchanges the code, sets the cookies, redirects to [`AuthRoutes::after_sign_in`] |
/// | `POST /logout` | | revokes the refresh token at Descope, deletes both cookies, redirects to [`AuthRoutes::after_logout`] |
///
/// Errors answer a JSON body `{"error":"…","message":"…"}` with 400 (bad input), 401 (wrong
/// code or link), 429 (rate limited) or 502 (Descope could not be reached).
///
/// The link and return URLs come from the builder, never from the request, so a request
/// cannot make Descope send a user to another site.
#[derive(Clone)]
pub struct AuthRoutes {
    client: descope::Client,
    auth: Auth,
    cookies: CookieOptions,
    after_sign_in: String,
    after_logout: String,
    magic_link_url: Option<String>,
    oauth_return_url: Option<String>,
    audience: Option<String>,
}

impl fmt::Debug for AuthRoutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthRoutes")
            .field("project_id", &self.client.project_id())
            .field("cookies", &self.cookies)
            .field("after_sign_in", &self.after_sign_in)
            .field("after_logout", &self.after_logout)
            .field("magic_link_url", &self.magic_link_url)
            .field("oauth_return_url", &self.oauth_return_url)
            .field("audience", &self.audience)
            .finish()
    }
}

impl AuthRoutes {
    /// The routes for `client`'s project, with the default cookies, and `/` as the page after
    /// sign-in and after logout.
    pub fn new(client: descope::Client) -> Self {
        let auth = Auth::new(client.api().clone(), client.validator().clone());
        Self {
            client,
            auth,
            cookies: CookieOptions::default(),
            after_sign_in: "/".to_owned(),
            after_logout: "/".to_owned(),
            magic_link_url: None,
            oauth_return_url: None,
            audience: None,
        }
    }

    /// Cookie names and attributes: give the same as to the [`DescopeLayer`](crate::DescopeLayer).
    pub fn cookies(mut self, options: CookieOptions) -> Self {
        self.cookies = options;
        self
    }

    /// Where the browser goes after a magic-link or OAuth sign-in (default `/`).
    pub fn after_sign_in(mut self, path: impl Into<String>) -> Self {
        self.after_sign_in = path.into();
        self
    }

    /// Where the browser goes after logout (default `/`).
    pub fn after_logout(mut self, path: impl Into<String>) -> Self {
        self.after_logout = path.into();
        self
    }

    /// The absolute URL of the mounted `GET /magic-link/verify` route, put into the links
    /// Descope sends (for example `https://app.example.com/auth/magic-link/verify`). Without it
    /// `POST /magic-link/start` answers 500.
    pub fn magic_link_url(mut self, url: impl Into<String>) -> Self {
        self.magic_link_url = Some(url.into());
        self
    }

    /// The absolute URL of the mounted `GET /oauth/callback` route, where providers send the
    /// browser back (else the URL set in the Descope console).
    pub fn oauth_return_url(mut self, url: impl Into<String>) -> Self {
        self.oauth_return_url = Some(url.into());
        self
    }

    /// The audience the new session tokens must carry (give the same as to
    /// [`DescopeLayer::audience`](crate::DescopeLayer::audience)). Applied to the one-time-code
    /// and magic-link sign-ins; the OAuth exchange of `descope-auth` takes no audience and
    /// validates as without one.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// The router. Mount it with `Router::nest("/auth", …)` inside the
    /// [`DescopeLayer`](crate::DescopeLayer) (or beside it: the routes do not need it).
    pub fn into_router<S>(self) -> Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        Router::new()
            .route("/otp/start", post(otp_start))
            .route("/otp/verify", post(otp_verify))
            .route("/magic-link/start", post(magic_link_start))
            .route("/magic-link/verify", get(magic_link_verify))
            .route("/oauth/start", get(oauth_start))
            .route("/oauth/callback", get(oauth_callback))
            .route("/logout", post(logout))
            .with_state(Arc::new(self))
    }

    /// `res` with the session cookies of `response`; an error when Descope answered the
    /// sign-in without any token.
    fn signed_in(&self, response: &JwtResponse, mut res: Response) -> Result<Response, RouteError> {
        if response.session.is_none() && response.refresh.is_none() {
            return Err(RouteError {
                status: StatusCode::BAD_GATEWAY,
                code: "upstream_error",
                message: "the authentication service answered the sign-in without a session"
                    .to_owned(),
            });
        }
        let now = i64::try_from(self.client.api().clock().unix_seconds()).unwrap_or(0);
        cookies::append(
            res.headers_mut(),
            self.cookies.set_cookies(response, true, now),
        );
        Ok(res)
    }
}

type Routes = State<Arc<AuthRoutes>>;

/// An error answer of the routes.
struct RouteError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl RouteError {
    fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            message: message.into(),
        }
    }
}

impl From<Error> for RouteError {
    fn from(e: Error) -> Self {
        let (status, code, message) = if e.is_invalid_argument() {
            (StatusCode::BAD_REQUEST, "bad_request", e.to_string())
        } else if e.is_rate_limited() {
            (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many attempts; wait and try again".to_owned(),
            )
        } else if e.is_unauthorized() || e.is_forbidden() {
            (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "the code, link or session was not accepted".to_owned(),
            )
        } else if e.is_api() && e.status().is_some_and(|s| (400..500).contains(&s)) {
            (
                StatusCode::BAD_REQUEST,
                "bad_request",
                e.api_message()
                    .unwrap_or("Descope refused the request")
                    .to_owned(),
            )
        } else if e.is_config() {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_error",
                e.to_string(),
            )
        } else {
            (
                StatusCode::BAD_GATEWAY,
                "upstream_error",
                "the authentication service could not be reached; try again".to_owned(),
            )
        };
        Self {
            status,
            code,
            message,
        }
    }
}

impl IntoResponse for RouteError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"error": self.code, "message": self.message})),
        )
            .into_response()
    }
}

fn method(s: &str) -> Result<DeliveryMethod, RouteError> {
    s.parse::<DeliveryMethod>()
        .map_err(|e| RouteError::bad_request(e.to_string()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartBody {
    #[serde(default = "email")]
    method: String,
    login_id: String,
}

fn email() -> String {
    "email".to_owned()
}

/// The verify body. No `Debug`: it holds the code.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifyBody {
    #[serde(default = "email")]
    method: String,
    login_id: String,
    code: String,
}

async fn otp_start(State(r): Routes, Json(body): Json<StartBody>) -> Result<Response, RouteError> {
    let masked = r
        .auth
        .otp()
        .sign_up_or_in(method(&body.method)?, body.login_id)
        .send()
        .await?;
    Ok(Json(json!({"maskedAddress": masked.as_str()})).into_response())
}

async fn otp_verify(
    State(r): Routes,
    Json(body): Json<VerifyBody>,
) -> Result<Response, RouteError> {
    let mut verify = r
        .auth
        .otp()
        .verify_code(method(&body.method)?, body.login_id, body.code);
    if let Some(a) = &r.audience {
        verify = verify.audience(a.clone());
    }
    let jwt = verify.send().await?;
    let res = Json(json!({"userId": jwt.user_id, "firstSeen": jwt.first_seen})).into_response();
    r.signed_in(&jwt, res)
}

async fn magic_link_start(
    State(r): Routes,
    Json(body): Json<StartBody>,
) -> Result<Response, RouteError> {
    let Some(url) = r.magic_link_url.clone() else {
        return Err(RouteError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal_error",
            message: "the server has no magic-link URL: set AuthRoutes::magic_link_url".to_owned(),
        });
    };
    let masked = r
        .auth
        .magic_link()
        .sign_up_or_in(method(&body.method)?, body.login_id, url)
        .send()
        .await?;
    Ok(Json(json!({"maskedAddress": masked.as_str()})).into_response())
}

#[derive(Deserialize)]
struct LinkQuery {
    t: String,
}

async fn magic_link_verify(
    State(r): Routes,
    Query(q): Query<LinkQuery>,
) -> Result<Response, RouteError> {
    let mut verify = r.auth.magic_link().verify(q.t);
    if let Some(a) = &r.audience {
        verify = verify.audience(a.clone());
    }
    let jwt = verify.send().await?;
    let res = Redirect::to(&r.after_sign_in).into_response();
    r.signed_in(&jwt, res)
}

#[derive(Deserialize)]
struct OAuthStartQuery {
    provider: String,
}

async fn oauth_start(
    State(r): Routes,
    Query(q): Query<OAuthStartQuery>,
) -> Result<Response, RouteError> {
    let mut start = r.auth.oauth().start(q.provider);
    if let Some(url) = &r.oauth_return_url {
        start = start.return_url(url.clone());
    }
    let target = start.send().await?;
    Ok(Redirect::to(&target.url).into_response())
}

#[derive(Deserialize)]
struct CodeQuery {
    code: String,
}

async fn oauth_callback(
    State(r): Routes,
    Query(q): Query<CodeQuery>,
) -> Result<Response, RouteError> {
    let jwt = r.auth.oauth().exchange_token(q.code).send().await?;
    let res = Redirect::to(&r.after_sign_in).into_response();
    r.signed_in(&jwt, res)
}

async fn logout(State(r): Routes, headers: HeaderMap) -> Response {
    let revoked = match cookies::request_cookie(&headers, &r.cookies.refresh_name) {
        Some(rt) => match r.client.logout(&rt).await {
            Ok(()) => Ok(()),
            // A token Descope no longer accepts is as good as revoked.
            Err(e) if e.is_unauthorized() || e.is_forbidden() => Ok(()),
            Err(e) => Err(RouteError::from(e)),
        },
        None => Ok(()),
    };
    // The cookies go in every case: the browser is signed out even if Descope was unreachable.
    let mut res = match revoked {
        Ok(()) => Redirect::to(&r.after_logout).into_response(),
        Err(e) => e.into_response(),
    };
    cookies::append(res.headers_mut(), r.cookies.clear_cookies());
    res
}
