//! Enchanted links, and polling for their session.

use std::time::Duration;

use descope_core::{endpoints, Error, Result, Secret, TransportError, TransportErrorKind};
use serde_json::json;

use crate::checks::{
    check_new_email, check_new_phone, check_step_up, prepare_sign_up_user, require,
    require_login_id, require_refresh_token,
};
use crate::options::{login_options_value, sign_up_or_in_options_value};
use crate::otp::{update_setters, UpdateOptions};
use crate::{
    fill_path, into_future, Auth, DeliveryMethod, EnchantedLinkStart, JwtResponse, LoginOptions,
    SignUpOptions, SignUpUser,
};

/// How long [`EnchantedLink::poll_for_session`] waits between two polls unless told otherwise.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(4);
/// How long [`EnchantedLink::poll_for_session`] polls unless told otherwise.
pub const DEFAULT_POLL_TIMEOUT: Duration = Duration::from_secs(120);

/// Enchanted links: the user gets three links and clicks the one whose number the app shows;
/// the session then arrives wherever the sign-in started, even on another device.
///
/// ```no_run
/// # async fn run(auth: descope_auth::Auth) -> descope_core::Result<()> {
/// let start = auth
///     .enchanted_link()
///     .sign_up_or_in("desmond@descope.com", "https://myapp.com/verify")
///     .await?;
/// println!("click link number {}", start.link_id);
/// let jwt = auth.enchanted_link().poll_for_session(&start.pending_ref).await?;
/// # let _ = jwt; Ok(()) }
/// ```
///
/// The page at `uri` calls [`EnchantedLink::verify`] with the link's `t` query parameter.
#[derive(Debug, Clone)]
pub struct EnchantedLink {
    auth: Auth,
}

impl EnchantedLink {
    pub(crate) fn new(auth: Auth) -> Self {
        Self { auth }
    }

    /// Sends links by email to an existing user. Options: [`EnchantedLinkSignIn::options`],
    /// [`EnchantedLinkSignIn::refresh_token`] (for step-up or MFA).
    pub fn sign_in(
        &self,
        login_id: impl Into<String>,
        uri: impl Into<String>,
    ) -> EnchantedLinkSignIn {
        self.sign_in_by(DeliveryMethod::Email, login_id.into(), uri.into())
    }

    /// Sends the link by SMS to an existing user (only the right link is sent, so there is
    /// nothing to choose).
    pub fn sign_in_with_phone(
        &self,
        phone: impl Into<String>,
        uri: impl Into<String>,
    ) -> EnchantedLinkSignIn {
        self.sign_in_by(DeliveryMethod::Sms, phone.into(), uri.into())
    }

    fn sign_in_by(
        &self,
        method: DeliveryMethod,
        login_id: String,
        uri: String,
    ) -> EnchantedLinkSignIn {
        EnchantedLinkSignIn {
            auth: self.auth.clone(),
            method,
            login_id,
            uri,
            options: None,
            refresh_token: None,
        }
    }

    /// Signs up a new user and sends them links by email. Options: [`EnchantedLinkSignUp::user`],
    /// [`EnchantedLinkSignUp::options`].
    pub fn sign_up(
        &self,
        login_id: impl Into<String>,
        uri: impl Into<String>,
    ) -> EnchantedLinkSignUp {
        self.sign_up_by(DeliveryMethod::Email, login_id.into(), uri.into())
    }

    /// Signs up a new user and sends them the link by SMS.
    pub fn sign_up_with_phone(
        &self,
        phone: impl Into<String>,
        uri: impl Into<String>,
    ) -> EnchantedLinkSignUp {
        self.sign_up_by(DeliveryMethod::Sms, phone.into(), uri.into())
    }

    fn sign_up_by(
        &self,
        method: DeliveryMethod,
        login_id: String,
        uri: String,
    ) -> EnchantedLinkSignUp {
        EnchantedLinkSignUp {
            auth: self.auth.clone(),
            method,
            login_id,
            uri,
            user: None,
            options: None,
        }
    }

    /// Sends links by email, signing the user up first when they do not exist yet.
    pub fn sign_up_or_in(
        &self,
        login_id: impl Into<String>,
        uri: impl Into<String>,
    ) -> EnchantedLinkSignUpOrIn {
        self.sign_up_or_in_by(DeliveryMethod::Email, login_id.into(), uri.into())
    }

    /// Sends the link by SMS, signing the user up first when they do not exist yet.
    pub fn sign_up_or_in_with_phone(
        &self,
        phone: impl Into<String>,
        uri: impl Into<String>,
    ) -> EnchantedLinkSignUpOrIn {
        self.sign_up_or_in_by(DeliveryMethod::Sms, phone.into(), uri.into())
    }

    fn sign_up_or_in_by(
        &self,
        method: DeliveryMethod,
        login_id: String,
        uri: String,
    ) -> EnchantedLinkSignUpOrIn {
        EnchantedLinkSignUpOrIn {
            auth: self.auth.clone(),
            method,
            login_id,
            uri,
            options: None,
        }
    }

    /// Asks once for the session of a started sign-in. Until the user clicks the right link the
    /// API answers 401 (an error whose `status()` is `Some(401)`); most callers want
    /// [`EnchantedLink::poll_for_session`] instead.
    pub fn get_session(&self, pending_ref: impl Into<Secret>) -> EnchantedLinkGetSession {
        EnchantedLinkGetSession {
            auth: self.auth.clone(),
            pending_ref: pending_ref.into(),
        }
    }

    /// Polls for the session of a started sign-in until it arrives, the deadline passes, or the
    /// API answers with an error other than 401 ("not clicked yet").
    ///
    /// It polls at once, then every [`interval`](EnchantedLinkPollForSession::interval)
    /// (default 4 s) for at most [`timeout`](EnchantedLinkPollForSession::timeout) (default
    /// 2 min). A 429 answer waits as long as its `Retry-After` asks (and gives up with that
    /// error when the wait would pass the deadline). When the deadline passes, the error is a
    /// timeout (`is_timeout()`), with the last 401 as its source. Dropping the future stops
    /// polling.
    pub fn poll_for_session(&self, pending_ref: impl Into<Secret>) -> EnchantedLinkPollForSession {
        EnchantedLinkPollForSession {
            auth: self.auth.clone(),
            pending_ref: pending_ref.into(),
            interval: DEFAULT_POLL_INTERVAL,
            timeout: DEFAULT_POLL_TIMEOUT,
        }
    }

    /// Verifies the token of a clicked link (its `t` query parameter). Success means the link
    /// was the right one: the session goes to whoever polls with the pending reference.
    pub fn verify(&self, token: impl Into<Secret>) -> EnchantedLinkVerify {
        EnchantedLinkVerify {
            auth: self.auth.clone(),
            token: token.into(),
        }
    }

    /// Sends links to a new email address of the signed-in user; clicking the right one sets
    /// the address.
    pub fn update_user_email(
        &self,
        login_id: impl Into<String>,
        email: impl Into<String>,
        refresh_token: impl Into<Secret>,
    ) -> EnchantedLinkUpdateEmail {
        EnchantedLinkUpdateEmail {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            email: email.into(),
            refresh_token: refresh_token.into(),
            update: UpdateOptions::default(),
        }
    }

    /// Sends a link by SMS to a new phone number of the signed-in user; clicking it sets the
    /// number.
    pub fn update_user_phone(
        &self,
        login_id: impl Into<String>,
        phone: impl Into<String>,
        refresh_token: impl Into<Secret>,
    ) -> EnchantedLinkUpdatePhone {
        EnchantedLinkUpdatePhone {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            phone: phone.into(),
            refresh_token: refresh_token.into(),
            update: UpdateOptions::default(),
        }
    }
}

/// An enchanted-link sign-in: see [`EnchantedLink::sign_in`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct EnchantedLinkSignIn {
    auth: Auth,
    method: DeliveryMethod,
    login_id: String,
    uri: String,
    options: Option<LoginOptions>,
    refresh_token: Option<Secret>,
}

impl EnchantedLinkSignIn {
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

    /// Sends the request; returns the link number and the polling handle.
    pub async fn send(self) -> Result<EnchantedLinkStart> {
        require_login_id(&self.login_id)?;
        check_step_up(self.options.as_ref(), self.refresh_token.as_ref())?;
        let body = json!({
            "loginId": self.login_id,
            "URI": self.uri,
            "loginOptions": login_options_value(self.options.as_ref()),
        });
        let ep = &endpoints::ENCHANTEDLINK_SIGN_IN;
        self.auth
            .send(
                ep,
                Some(fill_path(ep, self.method.as_str())),
                vec![],
                Some(&body),
                self.refresh_token.as_ref(),
            )
            .await?
            .json()
    }
}
into_future!(EnchantedLinkSignIn => EnchantedLinkStart);

/// An enchanted-link sign-up: see [`EnchantedLink::sign_up`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct EnchantedLinkSignUp {
    auth: Auth,
    method: DeliveryMethod,
    login_id: String,
    uri: String,
    user: Option<SignUpUser>,
    options: Option<SignUpOptions>,
}

impl EnchantedLinkSignUp {
    /// The user to create. An empty email (or phone, for SMS) is filled in with the login ID.
    pub fn user(mut self, user: SignUpUser) -> Self {
        self.user = Some(user);
        self
    }

    /// Sign-up options.
    pub fn options(mut self, options: SignUpOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// Sends the request; returns the link number and the polling handle.
    pub async fn send(self) -> Result<EnchantedLinkStart> {
        require_login_id(&self.login_id)?;
        let (user, address) = prepare_sign_up_user(self.method, &self.login_id, self.user)?;
        let mut body = json!({"loginId": self.login_id, "URI": self.uri, "user": user});
        body[self.method.sign_up_key()] = json!(address);
        if let Some(o) = &self.options {
            body["loginOptions"] = json!(o);
        }
        let ep = &endpoints::ENCHANTEDLINK_SIGN_UP;
        self.auth
            .send(
                ep,
                Some(fill_path(ep, self.method.as_str())),
                vec![],
                Some(&body),
                None,
            )
            .await?
            .json()
    }
}
into_future!(EnchantedLinkSignUp => EnchantedLinkStart);

/// An enchanted-link sign-up-or-in: see [`EnchantedLink::sign_up_or_in`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct EnchantedLinkSignUpOrIn {
    auth: Auth,
    method: DeliveryMethod,
    login_id: String,
    uri: String,
    options: Option<SignUpOptions>,
}

impl EnchantedLinkSignUpOrIn {
    /// Sign-up options (sent as sign-in options with the same values).
    pub fn options(mut self, options: SignUpOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// Sends the request; returns the link number and the polling handle.
    ///
    /// Like the official SDK, this call checks nothing before sending.
    pub async fn send(self) -> Result<EnchantedLinkStart> {
        let body = json!({
            "loginId": self.login_id,
            "URI": self.uri,
            "loginOptions": sign_up_or_in_options_value(self.options.as_ref()),
        });
        let ep = &endpoints::ENCHANTEDLINK_SIGN_UP_OR_IN;
        self.auth
            .send(
                ep,
                Some(fill_path(ep, self.method.as_str())),
                vec![],
                Some(&body),
                None,
            )
            .await?
            .json()
    }
}
into_future!(EnchantedLinkSignUpOrIn => EnchantedLinkStart);

/// One pending-session request: see [`EnchantedLink::get_session`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct EnchantedLinkGetSession {
    auth: Auth,
    pending_ref: Secret,
}

impl EnchantedLinkGetSession {
    /// Sends the request; returns the verified session, or a 401 error while the user has not
    /// clicked the right link.
    pub async fn send(self) -> Result<JwtResponse> {
        require_pending_ref(&self.pending_ref)?;
        get_session(&self.auth, &self.pending_ref).await
    }
}
into_future!(EnchantedLinkGetSession => JwtResponse);

fn require_pending_ref(pending_ref: &Secret) -> Result<()> {
    require(
        pending_ref.expose(),
        "the pending reference",
        "pass the `pending_ref` returned by the enchanted-link sign-in",
    )
}

async fn get_session(auth: &Auth, pending_ref: &Secret) -> Result<JwtResponse> {
    let body = json!({"pendingRef": pending_ref.expose()});
    let resp = auth
        .send(
            &endpoints::ENCHANTEDLINK_PENDING_SESSION,
            None,
            vec![],
            Some(&body),
            None,
        )
        .await?;
    auth.jwt(&resp, None).await
}

/// Polling for an enchanted-link session: see [`EnchantedLink::poll_for_session`].
#[derive(Debug)]
#[must_use = "polling does nothing until it is awaited"]
pub struct EnchantedLinkPollForSession {
    auth: Auth,
    pending_ref: Secret,
    interval: Duration,
    timeout: Duration,
}

impl EnchantedLinkPollForSession {
    /// The wait between two polls (default 4 s).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// How long to poll before giving up (default 2 min).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Polls; returns the verified session.
    pub async fn send(self) -> Result<JwtResponse> {
        require_pending_ref(&self.pending_ref)?;
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            let err = match get_session(&self.auth, &self.pending_ref).await {
                Ok(session) => return Ok(session),
                Err(e) => e,
            };
            let wait = if err.status() == Some(401) {
                self.interval
            } else if err.is_rate_limited() {
                let wait = err.retry_after().unwrap_or(self.interval);
                if tokio::time::Instant::now() + wait > deadline {
                    return Err(err);
                }
                wait
            } else {
                return Err(err);
            };
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return Err(poll_timeout(self.timeout, err));
            }
            tokio::time::sleep(wait.min(deadline - now)).await;
        }
    }
}
into_future!(EnchantedLinkPollForSession => JwtResponse);

fn poll_timeout(timeout: Duration, last: Error) -> Error {
    TransportError::new(
        TransportErrorKind::Timeout,
        true,
        format!(
            "no enchanted-link session after polling for {timeout:?}: the user has not clicked the right link yet (poll again with the same pending reference, or start a new sign-in)"
        ),
    )
    .with_source(last)
    .into()
}

/// An enchanted-link token verification: see [`EnchantedLink::verify`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct EnchantedLinkVerify {
    auth: Auth,
    token: Secret,
}

impl EnchantedLinkVerify {
    /// Sends the request; succeeds when the token is that of the right link.
    pub async fn send(self) -> Result<()> {
        require(
            self.token.expose(),
            "the enchanted-link token",
            "pass the `t` query parameter of the clicked link",
        )?;
        let body = json!({"token": self.token.expose()});
        self.auth
            .send(
                &endpoints::ENCHANTEDLINK_VERIFY,
                None,
                vec![],
                Some(&body),
                None,
            )
            .await?;
        Ok(())
    }
}
into_future!(EnchantedLinkVerify => ());

/// An email update by enchanted link: see [`EnchantedLink::update_user_email`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct EnchantedLinkUpdateEmail {
    auth: Auth,
    login_id: String,
    email: String,
    refresh_token: Secret,
    update: UpdateOptions,
}

update_setters!(EnchantedLinkUpdateEmail);

impl EnchantedLinkUpdateEmail {
    /// Sends the request; returns the link number and the polling handle.
    pub async fn send(self) -> Result<EnchantedLinkStart> {
        require_login_id(&self.login_id)?;
        check_new_email(&self.email)?;
        require_refresh_token(&self.refresh_token)?;
        let body = self.update.body(&self.login_id, "email", &self.email);
        self.auth
            .send(
                &endpoints::ENCHANTEDLINK_UPDATE_EMAIL,
                None,
                vec![],
                Some(&body),
                Some(&self.refresh_token),
            )
            .await?
            .json()
    }
}
into_future!(EnchantedLinkUpdateEmail => EnchantedLinkStart);

/// A phone update by enchanted link: see [`EnchantedLink::update_user_phone`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct EnchantedLinkUpdatePhone {
    auth: Auth,
    login_id: String,
    phone: String,
    refresh_token: Secret,
    update: UpdateOptions,
}

update_setters!(EnchantedLinkUpdatePhone);

impl EnchantedLinkUpdatePhone {
    /// Sends the request; returns the link number and the polling handle.
    pub async fn send(self) -> Result<EnchantedLinkStart> {
        require_login_id(&self.login_id)?;
        check_new_phone(&self.phone)?;
        require_refresh_token(&self.refresh_token)?;
        let body = self.update.body(&self.login_id, "phone", &self.phone);
        self.auth
            .send(
                &endpoints::ENCHANTEDLINK_UPDATE_PHONE,
                None,
                vec![],
                Some(&body),
                Some(&self.refresh_token),
            )
            .await?
            .json()
    }
}
into_future!(EnchantedLinkUpdatePhone => EnchantedLinkStart);
