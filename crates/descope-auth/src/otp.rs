//! One-time passwords.

use std::collections::BTreeMap;

use descope_core::{endpoints, Result, Secret};
use serde_json::{json, Value};

use crate::checks::{
    check_new_email, check_new_phone, check_step_up, prepare_sign_up_user, require_login_id,
    require_phone_method, require_refresh_token,
};
use crate::options::{login_options_value, sign_up_or_in_options_value};
use crate::{
    fill_path, into_future, masked, Auth, DeliveryMethod, JwtResponse, LoginOptions, MaskedAddress,
    SignUpOptions, SignUpUser,
};

/// One-time passwords by email, SMS, voice call or WhatsApp.
///
/// ```no_run
/// # async fn run(auth: descope_auth::Auth, code: &str) -> descope_core::Result<()> {
/// use descope_auth::DeliveryMethod;
/// let masked = auth.otp().sign_up_or_in(DeliveryMethod::Email, "desmond@descope.com").await?;
/// println!("code sent to {masked}");
/// let jwt = auth.otp().verify_code(DeliveryMethod::Email, "desmond@descope.com", code).await?;
/// # let _ = jwt; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Otp {
    auth: Auth,
}

impl Otp {
    pub(crate) fn new(auth: Auth) -> Self {
        Self { auth }
    }

    /// Signs up a new user and sends them a code. Options: [`OtpSignUp::user`],
    /// [`OtpSignUp::options`].
    pub fn sign_up(&self, method: DeliveryMethod, login_id: impl Into<String>) -> OtpSignUp {
        OtpSignUp {
            auth: self.auth.clone(),
            method,
            login_id: login_id.into(),
            user: None,
            options: None,
        }
    }

    /// Sends a code to an existing user. Options: [`OtpSignIn::options`],
    /// [`OtpSignIn::refresh_token`] (for step-up or MFA).
    pub fn sign_in(&self, method: DeliveryMethod, login_id: impl Into<String>) -> OtpSignIn {
        OtpSignIn {
            auth: self.auth.clone(),
            method,
            login_id: login_id.into(),
            options: None,
            refresh_token: None,
        }
    }

    /// Sends a code, signing the user up first when they do not exist yet.
    pub fn sign_up_or_in(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
    ) -> OtpSignUpOrIn {
        OtpSignUpOrIn {
            auth: self.auth.clone(),
            method,
            login_id: login_id.into(),
            options: None,
        }
    }

    /// Verifies the code the user received, returning their verified session.
    pub fn verify_code(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
        code: impl Into<Secret>,
    ) -> OtpVerify {
        OtpVerify {
            auth: self.auth.clone(),
            method,
            login_id: login_id.into(),
            code: code.into(),
            audience: None,
        }
    }

    /// Sends a code to a new email address of the signed-in user; verifying it sets the
    /// address.
    pub fn update_user_email(
        &self,
        login_id: impl Into<String>,
        email: impl Into<String>,
        refresh_token: impl Into<Secret>,
    ) -> OtpUpdateEmail {
        OtpUpdateEmail {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            email: email.into(),
            refresh_token: refresh_token.into(),
            update: UpdateOptions::default(),
            mfa: false,
        }
    }

    /// Sends a code to a new phone number of the signed-in user (by SMS, voice or WhatsApp);
    /// verifying it sets the number.
    pub fn update_user_phone(
        &self,
        method: DeliveryMethod,
        login_id: impl Into<String>,
        phone: impl Into<String>,
        refresh_token: impl Into<Secret>,
    ) -> OtpUpdatePhone {
        OtpUpdatePhone {
            auth: self.auth.clone(),
            method,
            login_id: login_id.into(),
            phone: phone.into(),
            refresh_token: refresh_token.into(),
            update: UpdateOptions::default(),
            mfa: false,
        }
    }
}

/// The optional arguments shared by the address-update calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct UpdateOptions {
    pub(crate) add_to_login_ids: bool,
    pub(crate) on_merge_use_existing: bool,
    pub(crate) template_options: Option<BTreeMap<String, String>>,
    pub(crate) template_id: Option<String>,
    pub(crate) provider_id: Option<String>,
}

impl UpdateOptions {
    /// The update body: `loginId`, the address under `key`, the two flags (always), then the
    /// optional fields that are set.
    pub(crate) fn body(&self, login_id: &str, key: &str, address: &str) -> Value {
        let mut body = json!({
            "loginId": login_id,
            "addToLoginIDs": self.add_to_login_ids,
            "onMergeUseExisting": self.on_merge_use_existing,
        });
        body[key] = json!(address);
        if let Some(t) = &self.template_options {
            body["templateOptions"] = json!(t);
        }
        if let Some(t) = &self.template_id {
            body["templateId"] = json!(t);
        }
        if let Some(p) = &self.provider_id {
            body["providerId"] = json!(p);
        }
        body
    }
}

/// Generates the setters of the address-update options on an update builder.
macro_rules! update_setters {
    ($ty:ty) => {
        impl $ty {
            /// Also adds the new address to the user's login IDs.
            pub fn add_to_login_ids(mut self, add: bool) -> Self {
                self.update.add_to_login_ids = add;
                self
            }

            /// When the new address is another user's login ID, merges into that user.
            pub fn on_merge_use_existing(mut self, merge: bool) -> Self {
                self.update.on_merge_use_existing = merge;
                self
            }

            /// Sets the template variables of the message.
            pub fn template_options(
                mut self,
                options: ::std::collections::BTreeMap<String, String>,
            ) -> Self {
                self.update.template_options = Some(options);
                self
            }

            /// Adds one template variable.
            pub fn template_option(
                mut self,
                key: impl Into<String>,
                value: impl Into<String>,
            ) -> Self {
                self.update
                    .template_options
                    .get_or_insert_with(Default::default)
                    .insert(key.into(), value.into());
                self
            }

            /// Sets the message template.
            pub fn template_id(mut self, id: impl Into<String>) -> Self {
                self.update.template_id = Some(id.into());
                self
            }

            /// Sets the messaging provider.
            pub fn provider_id(mut self, id: impl Into<String>) -> Self {
                self.update.provider_id = Some(id.into());
                self
            }
        }
    };
}
pub(crate) use update_setters;

/// An OTP sign-up: see [`Otp::sign_up`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct OtpSignUp {
    auth: Auth,
    method: DeliveryMethod,
    login_id: String,
    user: Option<SignUpUser>,
    options: Option<SignUpOptions>,
}

impl OtpSignUp {
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

    /// Sends the request; returns the masked address the code went to.
    pub async fn send(self) -> Result<MaskedAddress> {
        require_login_id(&self.login_id)?;
        let (user, address) = prepare_sign_up_user(self.method, &self.login_id, self.user)?;
        let mut body = json!({"loginId": self.login_id, "user": user});
        body[self.method.sign_up_key()] = json!(address);
        if let Some(o) = &self.options {
            body["loginOptions"] = json!(o);
        }
        let ep = &endpoints::OTP_SIGN_UP;
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
into_future!(OtpSignUp => MaskedAddress);

/// An OTP sign-in: see [`Otp::sign_in`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct OtpSignIn {
    auth: Auth,
    method: DeliveryMethod,
    login_id: String,
    options: Option<LoginOptions>,
    refresh_token: Option<Secret>,
}

impl OtpSignIn {
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

    /// Sends the request; returns the masked address the code went to.
    pub async fn send(self) -> Result<MaskedAddress> {
        require_login_id(&self.login_id)?;
        check_step_up(self.options.as_ref(), self.refresh_token.as_ref())?;
        let body = json!({
            "loginId": self.login_id,
            "loginOptions": login_options_value(self.options.as_ref()),
        });
        let ep = &endpoints::OTP_SIGN_IN;
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
into_future!(OtpSignIn => MaskedAddress);

/// An OTP sign-up-or-in: see [`Otp::sign_up_or_in`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct OtpSignUpOrIn {
    auth: Auth,
    method: DeliveryMethod,
    login_id: String,
    options: Option<SignUpOptions>,
}

impl OtpSignUpOrIn {
    /// Sign-up options (sent as sign-in options with the same values).
    pub fn options(mut self, options: SignUpOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// Sends the request; returns the masked address the code went to.
    pub async fn send(self) -> Result<MaskedAddress> {
        require_login_id(&self.login_id)?;
        let body = json!({
            "loginId": self.login_id,
            "loginOptions": sign_up_or_in_options_value(self.options.as_ref()),
        });
        let ep = &endpoints::OTP_SIGN_UP_OR_IN;
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
into_future!(OtpSignUpOrIn => MaskedAddress);

/// An OTP code verification: see [`Otp::verify_code`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct OtpVerify {
    auth: Auth,
    method: DeliveryMethod,
    login_id: String,
    code: Secret,
    audience: Option<String>,
}

impl OtpVerify {
    /// The audience the returned tokens must carry.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Sends the request; returns the verified session.
    ///
    /// An empty code is sent as the official SDK sends it (the API refuses it).
    pub async fn send(self) -> Result<JwtResponse> {
        require_login_id(&self.login_id)?;
        let body = json!({"loginId": self.login_id, "code": self.code.expose()});
        let ep = &endpoints::OTP_VERIFY;
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
        self.auth.jwt(&resp, self.audience.as_deref()).await
    }
}
into_future!(OtpVerify => JwtResponse);

/// An email update by OTP: see [`Otp::update_user_email`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct OtpUpdateEmail {
    auth: Auth,
    login_id: String,
    email: String,
    refresh_token: Secret,
    update: UpdateOptions,
    mfa: bool,
}

update_setters!(OtpUpdateEmail);

impl OtpUpdateEmail {
    /// Keeps the factors of the current session and adds this one (the session's `amr`).
    pub fn mfa(mut self, mfa: bool) -> Self {
        self.mfa = mfa;
        self
    }

    /// Sends the request; returns the masked new address.
    pub async fn send(self) -> Result<MaskedAddress> {
        require_login_id(&self.login_id)?;
        check_new_email(&self.email)?;
        require_refresh_token(&self.refresh_token)?;
        let mut body = self.update.body(&self.login_id, "email", &self.email);
        if self.mfa {
            body["mfa"] = json!(true);
        }
        let resp = self
            .auth
            .send(
                &endpoints::OTP_UPDATE_EMAIL,
                None,
                vec![],
                Some(&body),
                Some(&self.refresh_token),
            )
            .await?;
        masked(&resp, "maskedEmail")
    }
}
into_future!(OtpUpdateEmail => MaskedAddress);

/// A phone update by OTP: see [`Otp::update_user_phone`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct OtpUpdatePhone {
    auth: Auth,
    method: DeliveryMethod,
    login_id: String,
    phone: String,
    refresh_token: Secret,
    update: UpdateOptions,
    mfa: bool,
}

update_setters!(OtpUpdatePhone);

impl OtpUpdatePhone {
    /// Keeps the factors of the current session and adds this one (the session's `amr`).
    pub fn mfa(mut self, mfa: bool) -> Self {
        self.mfa = mfa;
        self
    }

    /// Sends the request; returns the masked new number.
    pub async fn send(self) -> Result<MaskedAddress> {
        require_phone_method(self.method)?;
        require_login_id(&self.login_id)?;
        check_new_phone(&self.phone)?;
        require_refresh_token(&self.refresh_token)?;
        let mut body = self.update.body(&self.login_id, "phone", &self.phone);
        if self.mfa {
            body["mfa"] = json!(true);
        }
        let ep = &endpoints::OTP_UPDATE_PHONE;
        let resp = self
            .auth
            .send(
                ep,
                Some(fill_path(ep, self.method.as_str())),
                vec![],
                Some(&body),
                Some(&self.refresh_token),
            )
            .await?;
        masked(&resp, "maskedPhone")
    }
}
into_future!(OtpUpdatePhone => MaskedAddress);
