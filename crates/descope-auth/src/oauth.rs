//! OAuth social login.

use descope_core::{endpoints, Result, Secret};
use serde_json::json;

use crate::checks::{check_step_up, require};
use crate::options::login_options_value;
use crate::{into_future, Auth, JwtResponse, LoginOptions, RedirectUrl};

/// OAuth social login (Google, GitHub, Apple, …, as configured in the Descope console).
///
/// ```no_run
/// # async fn run(auth: descope_auth::Auth, code: &str) -> descope_core::Result<()> {
/// let redirect = auth
///     .oauth()
///     .start("google")
///     .return_url("https://my-app.com/handle-oauth")
///     .await?;
/// // send the browser to redirect.url; it comes back to the return URL with ?code=…
/// let jwt = auth.oauth().exchange_token(code).await?;
/// # let _ = jwt; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct OAuth {
    auth: Auth,
}

impl OAuth {
    pub(crate) fn new(auth: Auth) -> Self {
        Self { auth }
    }

    /// Starts a sign-in with `provider` (`google`, `github`, …). Options:
    /// [`OAuthStart::return_url`], [`OAuthStart::options`], [`OAuthStart::refresh_token`].
    pub fn start(&self, provider: impl Into<String>) -> OAuthStart {
        OAuthStart {
            auth: self.auth.clone(),
            provider: provider.into(),
            return_url: None,
            options: None,
            refresh_token: None,
        }
    }

    /// Exchanges the `code` the browser came back with for the user's verified session.
    pub fn exchange_token(&self, code: impl Into<Secret>) -> OAuthExchange {
        OAuthExchange {
            auth: self.auth.clone(),
            code: code.into(),
            audience: None,
        }
    }
}

/// An OAuth start: see [`OAuth::start`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct OAuthStart {
    auth: Auth,
    provider: String,
    return_url: Option<String>,
    options: Option<LoginOptions>,
    refresh_token: Option<Secret>,
}

impl OAuthStart {
    /// Where the provider sends the browser back (else the URL set in the Descope console).
    pub fn return_url(mut self, url: impl Into<String>) -> Self {
        self.return_url = Some(url.into());
        self
    }

    /// Sign-in options.
    pub fn options(mut self, options: LoginOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// The refresh token of the current session: required with step-up or MFA options.
    pub fn refresh_token(mut self, token: impl Into<Secret>) -> Self {
        self.refresh_token = Some(token.into());
        self
    }

    /// Sends the request; returns the provider URL to send the browser to.
    pub async fn send(self) -> Result<RedirectUrl> {
        require(
            &self.provider,
            "the OAuth provider",
            "pass a provider name such as google, github or apple",
        )?;
        check_step_up(self.options.as_ref(), self.refresh_token.as_ref())?;
        let mut query = vec![("provider", self.provider)];
        if let Some(url) = self.return_url.filter(|u| !u.is_empty()) {
            query.push(("redirectURL", url));
        }
        let body = login_options_value(self.options.as_ref());
        self.auth
            .send(
                &endpoints::OAUTH_AUTHORIZE,
                None,
                query,
                Some(&body),
                self.refresh_token.as_ref(),
            )
            .await?
            .json()
    }
}
into_future!(OAuthStart => RedirectUrl);

/// An OAuth code exchange: see [`OAuth::exchange_token`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct OAuthExchange {
    auth: Auth,
    code: Secret,
    audience: Option<String>,
}

impl OAuthExchange {
    /// The audience the returned tokens must carry (default: none, or the project ID).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Sends the request; returns the verified session.
    pub async fn send(self) -> Result<JwtResponse> {
        exchange(
            &self.auth,
            &endpoints::OAUTH_EXCHANGE,
            &self.code,
            self.audience.as_deref(),
        )
        .await
    }
}
into_future!(OAuthExchange => JwtResponse);

/// The code exchange shared by OAuth, SSO and SAML.
pub(crate) async fn exchange(
    auth: &Auth,
    endpoint: &'static descope_core::Endpoint,
    code: &Secret,
    audience: Option<&str>,
) -> Result<JwtResponse> {
    require(
        code.expose(),
        "the exchange code",
        "pass the `code` query parameter the browser came back with",
    )?;
    let body = json!({"code": code.expose()});
    let resp = auth.send(endpoint, None, vec![], Some(&body), None).await?;
    auth.jwt(&resp, audience).await
}
