//! Tenant SSO (SAML or OIDC), and the older SAML-only calls.
#![allow(deprecated)]

use descope_core::{endpoints, Result, Secret};

use crate::checks::{check_step_up, require};
use crate::oauth::exchange;
use crate::options::login_options_value;
use crate::{into_future, Auth, JwtResponse, LoginOptions, RedirectUrl};

fn require_tenant(tenant: &str) -> Result<()> {
    require(
        tenant,
        "the tenant",
        "pass the ID or name of the tenant to sign in to",
    )
}

/// Tenant SSO: the user signs in with their organisation's identity provider (SAML or OIDC, as
/// configured for the tenant).
///
/// ```no_run
/// # async fn run(auth: descope_auth::Auth, code: &str) -> descope_core::Result<()> {
/// let redirect = auth
///     .sso()
///     .start("my-tenant-ID")
///     .return_url("https://my-app.com/handle-sso")
///     .await?;
/// // send the browser to redirect.url; it comes back to the return URL with ?code=…
/// let jwt = auth.sso().exchange_token(code).await?;
/// # let _ = jwt; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Sso {
    auth: Auth,
}

impl Sso {
    pub(crate) fn new(auth: Auth) -> Self {
        Self { auth }
    }

    /// Starts a sign-in to `tenant` (its ID or name). Options: [`SsoStart::return_url`],
    /// [`SsoStart::options`], [`SsoStart::refresh_token`], [`SsoStart::prompt`],
    /// [`SsoStart::sso_id`], [`SsoStart::login_hint`], [`SsoStart::force_authn`].
    pub fn start(&self, tenant: impl Into<String>) -> SsoStart {
        SsoStart {
            auth: self.auth.clone(),
            tenant: tenant.into(),
            return_url: None,
            options: None,
            refresh_token: None,
            prompt: None,
            sso_id: None,
            login_hint: None,
            force_authn: None,
        }
    }

    /// Exchanges the `code` the browser came back with for the user's verified session.
    pub fn exchange_token(&self, code: impl Into<Secret>) -> SsoExchange {
        SsoExchange {
            auth: self.auth.clone(),
            code: code.into(),
            audience: None,
        }
    }
}

/// An SSO start: see [`Sso::start`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct SsoStart {
    auth: Auth,
    tenant: String,
    return_url: Option<String>,
    options: Option<LoginOptions>,
    refresh_token: Option<Secret>,
    prompt: Option<String>,
    sso_id: Option<String>,
    login_hint: Option<String>,
    force_authn: Option<bool>,
}

impl SsoStart {
    /// Where the identity provider sends the browser back (else the URL set in the console).
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

    /// The OIDC `prompt` (for example `login` to force a new sign-in at the provider).
    pub fn prompt(mut self, prompt: impl Into<String>) -> Self {
        self.prompt = Some(prompt.into());
        self
    }

    /// Which of the tenant's SSO configurations to use.
    pub fn sso_id(mut self, id: impl Into<String>) -> Self {
        self.sso_id = Some(id.into());
        self
    }

    /// A login hint for the identity provider (usually the user's email).
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.login_hint = Some(hint.into());
        self
    }

    /// Asks the SAML identity provider to authenticate the user again (`ForceAuthn`).
    pub fn force_authn(mut self, force: bool) -> Self {
        self.force_authn = Some(force);
        self
    }

    /// Sends the request; returns the identity-provider URL to send the browser to.
    pub async fn send(self) -> Result<RedirectUrl> {
        require_tenant(&self.tenant)?;
        check_step_up(self.options.as_ref(), self.refresh_token.as_ref())?;
        let mut query = vec![("tenant", self.tenant)];
        for (key, value) in [
            ("redirectURL", self.return_url),
            ("prompt", self.prompt),
            ("ssoId", self.sso_id),
            ("loginHint", self.login_hint),
        ] {
            if let Some(v) = value.filter(|v| !v.is_empty()) {
                query.push((key, v));
            }
        }
        if let Some(f) = self.force_authn {
            query.push(("forceAuthn", f.to_string()));
        }
        let body = login_options_value(self.options.as_ref());
        self.auth
            .send(
                &endpoints::SSO_AUTHORIZE,
                None,
                query,
                Some(&body),
                self.refresh_token.as_ref(),
            )
            .await?
            .json()
    }
}
into_future!(SsoStart => RedirectUrl);

/// An SSO code exchange: see [`Sso::exchange_token`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct SsoExchange {
    auth: Auth,
    code: Secret,
    audience: Option<String>,
}

impl SsoExchange {
    /// The audience the returned tokens must carry (default: none, or the project ID).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Sends the request; returns the verified session.
    pub async fn send(self) -> Result<JwtResponse> {
        exchange(
            &self.auth,
            &endpoints::SSO_EXCHANGE,
            &self.code,
            self.audience.as_deref(),
        )
        .await
    }
}
into_future!(SsoExchange => JwtResponse);

/// The older SAML-only calls; [`Sso`] serves SAML and OIDC tenants alike.
#[deprecated(note = "use `Sso` (`client.sso()`), which serves SAML and OIDC tenants alike")]
#[derive(Debug, Clone)]
pub struct Saml {
    auth: Auth,
}

impl Saml {
    pub(crate) fn new(auth: Auth) -> Self {
        Self { auth }
    }

    /// Starts a SAML sign-in to `tenant`; unlike SSO, the return URL is required.
    pub fn start(&self, tenant: impl Into<String>, return_url: impl Into<String>) -> SamlStart {
        SamlStart {
            auth: self.auth.clone(),
            tenant: tenant.into(),
            return_url: return_url.into(),
            options: None,
            refresh_token: None,
        }
    }

    /// Exchanges the `code` the browser came back with for the user's verified session.
    pub fn exchange_token(&self, code: impl Into<Secret>) -> SamlExchange {
        SamlExchange {
            auth: self.auth.clone(),
            code: code.into(),
            audience: None,
        }
    }
}

/// A SAML start: see [`Saml::start`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct SamlStart {
    auth: Auth,
    tenant: String,
    return_url: String,
    options: Option<LoginOptions>,
    refresh_token: Option<Secret>,
}

impl SamlStart {
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

    /// Sends the request; returns the identity-provider URL to send the browser to.
    pub async fn send(self) -> Result<RedirectUrl> {
        require_tenant(&self.tenant)?;
        require(
            &self.return_url,
            "the return URL",
            "SAML sign-in needs the URL the identity provider sends the browser back to",
        )?;
        check_step_up(self.options.as_ref(), self.refresh_token.as_ref())?;
        let query = vec![("tenant", self.tenant), ("redirectURL", self.return_url)];
        let body = login_options_value(self.options.as_ref());
        self.auth
            .send(
                &endpoints::SAML_AUTHORIZE,
                None,
                query,
                Some(&body),
                self.refresh_token.as_ref(),
            )
            .await?
            .json()
    }
}
into_future!(SamlStart => RedirectUrl);

/// A SAML code exchange: see [`Saml::exchange_token`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct SamlExchange {
    auth: Auth,
    code: Secret,
    audience: Option<String>,
}

impl SamlExchange {
    /// The audience the returned tokens must carry (default: none, or the project ID).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Sends the request; returns the verified session.
    pub async fn send(self) -> Result<JwtResponse> {
        exchange(
            &self.auth,
            &endpoints::SAML_EXCHANGE,
            &self.code,
            self.audience.as_deref(),
        )
        .await
    }
}
into_future!(SamlExchange => JwtResponse);
