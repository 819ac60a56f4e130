//! TOTP (authenticator apps).

use descope_core::{endpoints, Result, Secret};
use serde_json::json;

use crate::checks::{check_step_up, require, require_login_id, require_refresh_token};
use crate::options::login_options_value;
use crate::{into_future, Auth, JwtResponse, LoginOptions, SignUpUser, TotpProvisioning};

/// TOTP: the user adds the project to an authenticator app, then signs in with its codes.
///
/// ```no_run
/// # async fn run(auth: descope_auth::Auth, code: &str) -> descope_core::Result<()> {
/// let provisioning = auth.totp().sign_up("desmond@descope.com").await?;
/// // show provisioning.image (a QR code) or provisioning.key to the user
/// let jwt = auth.totp().sign_in_code("desmond@descope.com", code).await?;
/// # let _ = (provisioning, jwt); Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Totp {
    auth: Auth,
}

impl Totp {
    pub(crate) fn new(auth: Auth) -> Self {
        Self { auth }
    }

    /// Signs up a new user with TOTP. Option: [`TotpSignUp::user`] (sent as given).
    ///
    /// There is no delivery method to pass (the official README shows one, which the official
    /// SDK refuses at run time; here it does not compile):
    ///
    /// ```compile_fail
    /// # async fn run(auth: descope_auth::Auth) {
    /// let _ = auth.totp().sign_up(descope_auth::DeliveryMethod::Email, "desmond@descope.com").await;
    /// # }
    /// ```
    pub fn sign_up(&self, login_id: impl Into<String>) -> TotpSignUp {
        TotpSignUp {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            user: None,
        }
    }

    /// Signs in with a code from the authenticator app. Options: [`TotpSignIn::options`],
    /// [`TotpSignIn::refresh_token`], [`TotpSignIn::audience`].
    pub fn sign_in_code(&self, login_id: impl Into<String>, code: impl Into<Secret>) -> TotpSignIn {
        TotpSignIn {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            code: code.into(),
            options: None,
            refresh_token: None,
            audience: None,
        }
    }

    /// Adds TOTP to the signed-in user (or replaces their authenticator).
    pub fn update_user(
        &self,
        login_id: impl Into<String>,
        refresh_token: impl Into<Secret>,
    ) -> TotpUpdate {
        TotpUpdate {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            refresh_token: refresh_token.into(),
        }
    }
}

/// A TOTP sign-up: see [`Totp::sign_up`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct TotpSignUp {
    auth: Auth,
    login_id: String,
    user: Option<SignUpUser>,
}

impl TotpSignUp {
    /// The user to create, sent as given.
    pub fn user(mut self, user: SignUpUser) -> Self {
        self.user = Some(user);
        self
    }

    /// Sends the request; returns what the authenticator app needs.
    pub async fn send(self) -> Result<TotpProvisioning> {
        require_login_id(&self.login_id)?;
        let mut body = json!({"loginId": self.login_id});
        if let Some(u) = &self.user {
            body["user"] = u.to_value();
        }
        self.auth
            .send(&endpoints::TOTP_SIGN_UP, None, vec![], Some(&body), None)
            .await?
            .json()
    }
}
into_future!(TotpSignUp => TotpProvisioning);

/// A TOTP sign-in: see [`Totp::sign_in_code`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct TotpSignIn {
    auth: Auth,
    login_id: String,
    code: Secret,
    options: Option<LoginOptions>,
    refresh_token: Option<Secret>,
    audience: Option<String>,
}

impl TotpSignIn {
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

    /// The audience the returned tokens must carry.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Sends the request; returns the verified session.
    pub async fn send(self) -> Result<JwtResponse> {
        require_login_id(&self.login_id)?;
        require(
            self.code.expose(),
            "the code",
            "pass the code the authenticator app shows",
        )?;
        check_step_up(self.options.as_ref(), self.refresh_token.as_ref())?;
        let body = json!({
            "loginId": self.login_id,
            "code": self.code.expose(),
            "loginOptions": login_options_value(self.options.as_ref()),
        });
        let resp = self
            .auth
            .send(
                &endpoints::TOTP_VERIFY,
                None,
                vec![],
                Some(&body),
                self.refresh_token.as_ref(),
            )
            .await?;
        self.auth.jwt(&resp, self.audience.as_deref()).await
    }
}
into_future!(TotpSignIn => JwtResponse);

/// A TOTP update: see [`Totp::update_user`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct TotpUpdate {
    auth: Auth,
    login_id: String,
    refresh_token: Secret,
}

impl TotpUpdate {
    /// Sends the request; returns what the authenticator app needs.
    pub async fn send(self) -> Result<TotpProvisioning> {
        require_login_id(&self.login_id)?;
        require_refresh_token(&self.refresh_token)?;
        let body = json!({"loginId": self.login_id});
        self.auth
            .send(
                &endpoints::TOTP_UPDATE,
                None,
                vec![],
                Some(&body),
                Some(&self.refresh_token),
            )
            .await?
            .json()
    }
}
into_future!(TotpUpdate => TotpProvisioning);
