//! Passwords.

use std::collections::BTreeMap;

use descope_core::{endpoints, Result, Secret};
use serde_json::json;

use crate::checks::{require, require_login_id, require_refresh_token};
use crate::{into_future, Auth, JwtResponse, PasswordPolicy, PasswordResetStart, SignUpUser};

fn require_password(password: &Secret, what: &str) -> Result<()> {
    require(password.expose(), what, "pass the user's password")
}

/// Passwords: sign-up, sign-in, reset, update and replace.
///
/// ```no_run
/// # async fn run(auth: descope_auth::Auth) -> descope_core::Result<()> {
/// use descope_auth::SignUpUser;
/// let jwt = auth
///     .password()
///     .sign_up("desmond@descope.com", "qYlvi65KaX")
///     .user(SignUpUser::new().name("Desmond Copeland"))
///     .await?;
/// let jwt = auth.password().sign_in("desmond@descope.com", "qYlvi65KaX").await?;
/// # let _ = jwt; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Password {
    auth: Auth,
}

impl Password {
    pub(crate) fn new(auth: Auth) -> Self {
        Self { auth }
    }

    /// Signs up a new user with a password that meets the project's policy. Options:
    /// [`PasswordSignUp::user`], [`PasswordSignUp::audience`].
    pub fn sign_up(
        &self,
        login_id: impl Into<String>,
        password: impl Into<Secret>,
    ) -> PasswordSignUp {
        PasswordSignUp {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            password: password.into(),
            user: None,
            audience: None,
        }
    }

    /// Signs in with a password.
    pub fn sign_in(
        &self,
        login_id: impl Into<String>,
        password: impl Into<Secret>,
    ) -> PasswordSignIn {
        PasswordSignIn {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            password: password.into(),
            audience: None,
        }
    }

    /// Sends a password-reset prompt by the reset method configured in the console. Options:
    /// [`PasswordSendReset::redirect_url`], [`PasswordSendReset::template_options`].
    pub fn send_reset(&self, login_id: impl Into<String>) -> PasswordSendReset {
        PasswordSendReset {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            redirect_url: None,
            template_options: None,
        }
    }

    /// Sets a new password for the signed-in user (for example after a reset link).
    pub fn update(
        &self,
        login_id: impl Into<String>,
        new_password: impl Into<Secret>,
        refresh_token: impl Into<Secret>,
    ) -> PasswordUpdate {
        PasswordUpdate {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            new_password: new_password.into(),
            refresh_token: refresh_token.into(),
        }
    }

    /// Replaces the user's password, proving the old one; signs the user in.
    pub fn replace(
        &self,
        login_id: impl Into<String>,
        old_password: impl Into<Secret>,
        new_password: impl Into<Secret>,
    ) -> PasswordReplace {
        PasswordReplace {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            old_password: old_password.into(),
            new_password: new_password.into(),
            audience: None,
        }
    }

    /// The project's password policy.
    pub fn policy(&self) -> PasswordPolicyRequest {
        PasswordPolicyRequest {
            auth: self.auth.clone(),
        }
    }
}

/// A password sign-up: see [`Password::sign_up`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct PasswordSignUp {
    auth: Auth,
    login_id: String,
    password: Secret,
    user: Option<SignUpUser>,
    audience: Option<String>,
}

impl PasswordSignUp {
    /// The user to create, sent as given.
    pub fn user(mut self, user: SignUpUser) -> Self {
        self.user = Some(user);
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
        require_password(&self.password, "the password")?;
        let mut body = json!({"loginId": self.login_id, "password": self.password.expose()});
        if let Some(u) = &self.user {
            body["user"] = u.to_value();
        }
        let resp = self
            .auth
            .send(
                &endpoints::PASSWORD_SIGN_UP,
                None,
                vec![],
                Some(&body),
                None,
            )
            .await?;
        self.auth.jwt(&resp, self.audience.as_deref()).await
    }
}
into_future!(PasswordSignUp => JwtResponse);

/// A password sign-in: see [`Password::sign_in`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct PasswordSignIn {
    auth: Auth,
    login_id: String,
    password: Secret,
    audience: Option<String>,
}

impl PasswordSignIn {
    /// The audience the returned tokens must carry.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Sends the request; returns the verified session.
    pub async fn send(self) -> Result<JwtResponse> {
        require_login_id(&self.login_id)?;
        require_password(&self.password, "the password")?;
        let body = json!({"loginId": self.login_id, "password": self.password.expose()});
        let resp = self
            .auth
            .send(
                &endpoints::PASSWORD_SIGN_IN,
                None,
                vec![],
                Some(&body),
                None,
            )
            .await?;
        self.auth.jwt(&resp, self.audience.as_deref()).await
    }
}
into_future!(PasswordSignIn => JwtResponse);

/// A password-reset start: see [`Password::send_reset`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct PasswordSendReset {
    auth: Auth,
    login_id: String,
    redirect_url: Option<String>,
    template_options: Option<BTreeMap<String, String>>,
}

impl PasswordSendReset {
    /// Where the reset link leads (else the URL set in the console).
    pub fn redirect_url(mut self, url: impl Into<String>) -> Self {
        self.redirect_url = Some(url.into());
        self
    }

    /// Sets the template variables of the message.
    pub fn template_options(mut self, options: BTreeMap<String, String>) -> Self {
        self.template_options = Some(options);
        self
    }

    /// Adds one template variable.
    pub fn template_option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.template_options
            .get_or_insert_with(BTreeMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// Sends the request; returns how the prompt was sent.
    pub async fn send(self) -> Result<PasswordResetStart> {
        require_login_id(&self.login_id)?;
        // `redirectUrl` is always present, `null` when not given, as the official SDK sends it.
        let mut body = json!({"loginId": self.login_id, "redirectUrl": self.redirect_url});
        if let Some(t) = &self.template_options {
            body["templateOptions"] = json!(t);
        }
        self.auth
            .send(
                &endpoints::PASSWORD_SEND_RESET,
                None,
                vec![],
                Some(&body),
                None,
            )
            .await?
            .json()
    }
}
into_future!(PasswordSendReset => PasswordResetStart);

/// A password update: see [`Password::update`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct PasswordUpdate {
    auth: Auth,
    login_id: String,
    new_password: Secret,
    refresh_token: Secret,
}

impl PasswordUpdate {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        require_login_id(&self.login_id)?;
        require_password(&self.new_password, "the new password")?;
        require_refresh_token(&self.refresh_token)?;
        let body = json!({"loginId": self.login_id, "newPassword": self.new_password.expose()});
        self.auth
            .send(
                &endpoints::PASSWORD_UPDATE,
                None,
                vec![],
                Some(&body),
                Some(&self.refresh_token),
            )
            .await?;
        Ok(())
    }
}
into_future!(PasswordUpdate => ());

/// A password replacement: see [`Password::replace`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct PasswordReplace {
    auth: Auth,
    login_id: String,
    old_password: Secret,
    new_password: Secret,
    audience: Option<String>,
}

impl PasswordReplace {
    /// The audience the returned tokens must carry.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Sends the request; returns the verified session.
    pub async fn send(self) -> Result<JwtResponse> {
        require_login_id(&self.login_id)?;
        require_password(&self.old_password, "the old password")?;
        require_password(&self.new_password, "the new password")?;
        let body = json!({
            "loginId": self.login_id,
            "oldPassword": self.old_password.expose(),
            "newPassword": self.new_password.expose(),
        });
        let resp = self
            .auth
            .send(
                &endpoints::PASSWORD_REPLACE,
                None,
                vec![],
                Some(&body),
                None,
            )
            .await?;
        self.auth.jwt(&resp, self.audience.as_deref()).await
    }
}
into_future!(PasswordReplace => JwtResponse);

/// A password-policy request: see [`Password::policy`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct PasswordPolicyRequest {
    auth: Auth,
}

impl PasswordPolicyRequest {
    /// Sends the request; returns the policy.
    pub async fn send(self) -> Result<PasswordPolicy> {
        self.auth
            .send(&endpoints::PASSWORD_POLICY, None, vec![], None, None)
            .await?
            .json()
    }
}
into_future!(PasswordPolicyRequest => PasswordPolicy);
