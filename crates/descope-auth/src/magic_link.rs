//! Magic links.

use descope_core::{endpoints, Result, Secret};
use serde_json::json;

use crate::checks::{
    check_new_email, check_new_phone, check_step_up, prepare_sign_up_user, require,
    require_login_id, require_phone_method, require_refresh_token,
};
use crate::options::{login_options_value, sign_up_or_in_options_value};
use crate::otp::{update_setters, UpdateOptions};
use crate::{
    fill_path, into_future, masked, Auth, DeliveryMethod, JwtResponse, LoginOptions, MaskedAddress,
    SignUpOptions, SignUpUser,
};

/// Magic links by email, SMS, voice call or WhatsApp.
///
/// The link leads to `uri` (or to the redirect URL set in the Descope console) with the token in
/// its `t` query parameter; pass that token to [`MagicLink::verify`].
///
/// ```no_run
/// # async fn run(auth: descope_auth::Auth, t: &str) -> descope_core::Result<()> {
/// use descope_auth::DeliveryMethod;
/// auth.magic_link()
///     .sign_up_or_in(DeliveryMethod::Email, "desmond@descope.com", "https://myapp.com/verify")
///     .await?;
/// // … later, on https://myapp.com/verify?t=<token>
/// let jwt = auth.magic_link().verify(t).await?;
/// # let _ = jwt; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct MagicLink {
    auth: Auth,
}

impl MagicLink {
    pub(crate) fn new(auth: Auth) -> Self {
        Self { auth }
    }

    /// Sends a link to an existing user. Options: [`MagicLinkSignIn::options`],
    /// [`MagicLinkSignIn::refresh_token`] (for step-up or MFA).
    pub fn sign_in(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
        uri: impl Into<String>,
    ) -> MagicLinkSignIn {
        MagicLinkSignIn {
            auth: self.auth.clone(),
            method,
            login_id: login_id.into(),
            uri: uri.into(),
            options: None,
            refresh_token: None,
        }
    }

    /// Signs up a new user and sends them a link. Options: [`MagicLinkSignUp::user`],
    /// [`MagicLinkSignUp::options`].
    pub fn sign_up(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
        uri: impl Into<String>,
    ) -> MagicLinkSignUp {
        MagicLinkSignUp {
            auth: self.auth.clone(),
            method,
            login_id: login_id.into(),
            uri: uri.into(),
            user: None,
            options: None,
        }
    }

    /// Sends a link, signing the user up first when they do not exist yet.
    pub fn sign_up_or_in(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
        uri: impl Into<String>,
    ) -> MagicLinkSignUpOrIn {
        MagicLinkSignUpOrIn {
            auth: self.auth.clone(),
            method,
            login_id: login_id.into(),
            uri: uri.into(),
            options: None,
        }
    }

    /// Verifies the token of a clicked link (its `t` query parameter), returning the verified
    /// session.
    pub fn verify(&self, token: impl Into<Secret>) -> MagicLinkVerify {
        MagicLinkVerify {
            auth: self.auth.clone(),
            token: token.into(),
            audience: None,
        }
    }

    /// Sends a link to a new email address of the signed-in user; verifying it sets the address.
    pub fn update_user_email(
        &self,
        login_id: impl Into<String>,
        email: impl Into<String>,
        refresh_token: impl Into<Secret>,
    ) -> MagicLinkUpdateEmail {
        MagicLinkUpdateEmail {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            email: email.into(),
            refresh_token: refresh_token.into(),
            update: UpdateOptions::default(),
        }
    }

    /// Sends a link to a new phone number of the signed-in user (SMS, voice or WhatsApp);
    /// verifying it sets the number.
    pub fn update_user_phone(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
        phone: impl Into<String>,
        refresh_token: impl Into<Secret>,
    ) -> MagicLinkUpdatePhone {
        MagicLinkUpdatePhone {
            auth: self.auth.clone(),
            method,
            login_id: login_id.into(),
            phone: phone.into(),
            refresh_token: refresh_token.into(),
            update: UpdateOptions::default(),
        }
    }
}

/// A magic-link sign-in: see [`MagicLink::sign_in`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct MagicLinkSignIn {
    auth: Auth,
    method: DeliveryMethod,
    login_id: String,
    uri: String,
    options: Option<LoginOptions>,
    refresh_token: Option<Secret>,
}

impl MagicLinkSignIn {
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

    /// Sends the request; returns the masked address the link went to.
    pub async fn send(self) -> Result<MaskedAddress> {
        require_login_id(&self.login_id)?;
        check_step_up(self.options.as_ref(), self.refresh_token.as_ref())?;
        let body = json!({
            "loginId": self.login_id,
            "URI": self.uri,
            "loginOptions": login_options_value(self.options.as_ref()),
        });
        let ep = &endpoints::MAGICLINK_SIGN_IN;
        let resp = self
            .auth
            .send(
                ep,
                Some(fill_path(ep, self.method.as_str())),
                vec![],
                Some(&body),
                self.refresh_token.as_ref(),
            )
            .await?;
        masked(&resp, self.method.masked_field())
    }
}
into_future!(MagicLinkSignIn => MaskedAddress);

/// A magic-link sign-up: see [`MagicLink::sign_up`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct MagicLinkSignUp {
    auth: Auth,
    method: DeliveryMethod,
    login_id: String,
    uri: String,
    user: Option<SignUpUser>,
    options: Option<SignUpOptions>,
}

impl MagicLinkSignUp {
    /// The user to create. An empty email (or phone, for phone delivery) is filled in with the
    /// login ID.
    pub fn user(mut self, user: SignUpUser) -> Self {
        self.user = Some(user);
        self
    }

    /// Sign-up options.
    pub fn options(mut self, options: SignUpOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// Sends the request; returns the masked address the link went to.
    pub async fn send(self) -> Result<MaskedAddress> {
        require_login_id(&self.login_id)?;
        let (user, address) = prepare_sign_up_user(self.method, &self.login_id, self.user)?;
        let mut body = json!({"loginId": self.login_id, "URI": self.uri, "user": user});
        body[self.method.sign_up_key()] = json!(address);
        if let Some(o) = &self.options {
            body["loginOptions"] = json!(o);
        }
        let ep = &endpoints::MAGICLINK_SIGN_UP;
        let resp = self
            .auth
            .send(
                ep,
                Some(fill_path(ep, self.method.as_str())),
                vec![],
                Some(&body),
                None,
            )
            .await?;
        masked(&resp, self.method.masked_field())
    }
}
into_future!(MagicLinkSignUp => MaskedAddress);

/// A magic-link sign-up-or-in: see [`MagicLink::sign_up_or_in`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct MagicLinkSignUpOrIn {
    auth: Auth,
    method: DeliveryMethod,
    login_id: String,
    uri: String,
    options: Option<SignUpOptions>,
}

impl MagicLinkSignUpOrIn {
    /// Sign-up options (sent as sign-in options with the same values).
    pub fn options(mut self, options: SignUpOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// Sends the request; returns the masked address the link went to.
    ///
    /// Like the official SDK, this call checks nothing before sending: the API judges the
    /// login ID.
    pub async fn send(self) -> Result<MaskedAddress> {
        let body = json!({
            "loginId": self.login_id,
            "URI": self.uri,
            "loginOptions": sign_up_or_in_options_value(self.options.as_ref()),
        });
        let ep = &endpoints::MAGICLINK_SIGN_UP_OR_IN;
        let resp = self
            .auth
            .send(
                ep,
                Some(fill_path(ep, self.method.as_str())),
                vec![],
                Some(&body),
                None,
            )
            .await?;
        masked(&resp, self.method.masked_field())
    }
}
into_future!(MagicLinkSignUpOrIn => MaskedAddress);

/// A magic-link token verification: see [`MagicLink::verify`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct MagicLinkVerify {
    auth: Auth,
    token: Secret,
    audience: Option<String>,
}

impl MagicLinkVerify {
    /// The audience the returned tokens must carry.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Sends the request; returns the verified session.
    pub async fn send(self) -> Result<JwtResponse> {
        require(
            self.token.expose(),
            "the magic-link token",
            "pass the `t` query parameter of the clicked link",
        )?;
        let body = json!({"token": self.token.expose()});
        let resp = self
            .auth
            .send(
                &endpoints::MAGICLINK_VERIFY,
                None,
                vec![],
                Some(&body),
                None,
            )
            .await?;
        self.auth.jwt(&resp, self.audience.as_deref()).await
    }
}
into_future!(MagicLinkVerify => JwtResponse);

/// An email update by magic link: see [`MagicLink::update_user_email`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct MagicLinkUpdateEmail {
    auth: Auth,
    login_id: String,
    email: String,
    refresh_token: Secret,
    update: UpdateOptions,
}

update_setters!(MagicLinkUpdateEmail);

impl MagicLinkUpdateEmail {
    /// Sends the request; returns the masked new address.
    pub async fn send(self) -> Result<MaskedAddress> {
        require_login_id(&self.login_id)?;
        check_new_email(&self.email)?;
        require_refresh_token(&self.refresh_token)?;
        let body = self.update.body(&self.login_id, "email", &self.email);
        let resp = self
            .auth
            .send(
                &endpoints::MAGICLINK_UPDATE_EMAIL,
                None,
                vec![],
                Some(&body),
                Some(&self.refresh_token),
            )
            .await?;
        masked(&resp, "maskedEmail")
    }
}
into_future!(MagicLinkUpdateEmail => MaskedAddress);

/// A phone update by magic link: see [`MagicLink::update_user_phone`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct MagicLinkUpdatePhone {
    auth: Auth,
    method: DeliveryMethod,
    login_id: String,
    phone: String,
    refresh_token: Secret,
    update: UpdateOptions,
}

update_setters!(MagicLinkUpdatePhone);

impl MagicLinkUpdatePhone {
    /// Sends the request; returns the masked new number.
    ///
    /// The path carries no delivery-method suffix, as with the official SDKs; the method is
    /// checked to be a phone method.
    pub async fn send(self) -> Result<MaskedAddress> {
        require_phone_method(self.method)?;
        require_login_id(&self.login_id)?;
        check_new_phone(&self.phone)?;
        require_refresh_token(&self.refresh_token)?;
        let body = self.update.body(&self.login_id, "phone", &self.phone);
        let resp = self
            .auth
            .send(
                &endpoints::MAGICLINK_UPDATE_PHONE,
                None,
                vec![],
                Some(&body),
                Some(&self.refresh_token),
            )
            .await?;
        masked(&resp, "maskedPhone")
    }
}
into_future!(MagicLinkUpdatePhone => MaskedAddress);
