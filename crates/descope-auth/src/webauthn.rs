//! WebAuthn (passkeys).

use descope_core::{endpoints, Endpoint, Error, Result, Secret};
use serde_json::{json, Map, Value};

use crate::checks::{check_step_up, require, require_login_id, require_refresh_token};
use crate::options::login_options_value;
use crate::{into_future, Auth, JwtResponse, LoginOptions, SignUpUser, WebAuthnStart};

fn require_origin(origin: &str) -> Result<()> {
    require(
        origin,
        "the origin",
        "pass the relying party's origin, such as https://app.example.com",
    )
}

/// WebAuthn (passkeys): each ceremony has a start on the server, a browser step
/// (`navigator.credentials.create()` or `.get()` with the start's options), and a finish with
/// the browser's answer.
///
/// ```no_run
/// # async fn run(auth: descope_auth::Auth, browser_answer: String) -> descope_core::Result<()> {
/// let start = auth.webauthn().sign_in_start("desmond@descope.com", "https://myapp.com").await?;
/// // hand start.options to the browser; it answers with a credential (JSON)
/// let jwt = auth.webauthn().sign_in_finish(&start.transaction_id, browser_answer).await?;
/// # let _ = jwt; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WebAuthn {
    auth: Auth,
}

impl WebAuthn {
    pub(crate) fn new(auth: Auth) -> Self {
        Self { auth }
    }

    /// Starts registering a passkey for a new user. Option: [`WebAuthnSignUpStart::user`].
    pub fn sign_up_start(
        &self,
        login_id: impl Into<String>,
        origin: impl Into<String>,
    ) -> WebAuthnSignUpStart {
        WebAuthnSignUpStart {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            origin: origin.into(),
            user: None,
        }
    }

    /// Finishes a registration with the browser's answer, returning the verified session.
    pub fn sign_up_finish(
        &self,
        transaction_id: impl Into<String>,
        response: impl Into<String>,
    ) -> WebAuthnFinish {
        self.finish(
            &endpoints::WEBAUTHN_SIGN_UP_FINISH,
            transaction_id,
            response,
        )
    }

    /// Starts signing in with a passkey. Options: [`WebAuthnSignInStart::options`],
    /// [`WebAuthnSignInStart::refresh_token`].
    pub fn sign_in_start(
        &self,
        login_id: impl Into<String>,
        origin: impl Into<String>,
    ) -> WebAuthnSignInStart {
        WebAuthnSignInStart {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            origin: origin.into(),
            options: None,
            refresh_token: None,
        }
    }

    /// Finishes a sign-in with the browser's answer, returning the verified session.
    pub fn sign_in_finish(
        &self,
        transaction_id: impl Into<String>,
        response: impl Into<String>,
    ) -> WebAuthnFinish {
        self.finish(
            &endpoints::WEBAUTHN_SIGN_IN_FINISH,
            transaction_id,
            response,
        )
    }

    /// Starts a sign-in, or a registration when the user has no passkey yet
    /// ([`WebAuthnStart::create`] says which; finish with the matching call).
    pub fn sign_up_or_in_start(
        &self,
        login_id: impl Into<String>,
        origin: impl Into<String>,
    ) -> WebAuthnSignUpOrInStart {
        WebAuthnSignUpOrInStart {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            origin: origin.into(),
        }
    }

    /// Starts adding a passkey to the signed-in user. `origin` may be empty (then not sent).
    /// Option: [`WebAuthnUpdateStart::mfa`].
    pub fn update_start(
        &self,
        login_id: impl Into<String>,
        refresh_token: impl Into<Secret>,
        origin: impl Into<String>,
    ) -> WebAuthnUpdateStart {
        WebAuthnUpdateStart {
            auth: self.auth.clone(),
            login_id: login_id.into(),
            refresh_token: refresh_token.into(),
            origin: origin.into(),
            mfa: false,
        }
    }

    /// Finishes adding a passkey. Returns a session when the API issues one (with
    /// [`WebAuthnUpdateStart::mfa`]), else `None`.
    pub fn update_finish(
        &self,
        transaction_id: impl Into<String>,
        response: impl Into<String>,
    ) -> WebAuthnUpdateFinish {
        WebAuthnUpdateFinish {
            inner: self.finish(&endpoints::WEBAUTHN_UPDATE_FINISH, transaction_id, response),
        }
    }

    fn finish(
        &self,
        endpoint: &'static Endpoint,
        transaction_id: impl Into<String>,
        response: impl Into<String>,
    ) -> WebAuthnFinish {
        WebAuthnFinish {
            auth: self.auth.clone(),
            endpoint,
            transaction_id: transaction_id.into(),
            response: response.into(),
            audience: None,
        }
    }
}

/// A passkey registration start: see [`WebAuthn::sign_up_start`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct WebAuthnSignUpStart {
    auth: Auth,
    login_id: String,
    origin: String,
    user: Option<SignUpUser>,
}

impl WebAuthnSignUpStart {
    /// The user to create (the login ID is added into it).
    pub fn user(mut self, user: SignUpUser) -> Self {
        self.user = Some(user);
        self
    }

    /// Sends the request; returns the options for the browser.
    pub async fn send(self) -> Result<WebAuthnStart> {
        require_login_id(&self.login_id)?;
        require_origin(&self.origin)?;
        let mut user = match self.user.as_ref().map(SignUpUser::to_value) {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        user.insert("loginId".into(), json!(self.login_id));
        let body = json!({"user": user, "origin": self.origin});
        self.auth
            .send(
                &endpoints::WEBAUTHN_SIGN_UP_START,
                None,
                vec![],
                Some(&body),
                None,
            )
            .await?
            .json()
    }
}
into_future!(WebAuthnSignUpStart => WebAuthnStart);

/// A passkey sign-in start: see [`WebAuthn::sign_in_start`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct WebAuthnSignInStart {
    auth: Auth,
    login_id: String,
    origin: String,
    options: Option<LoginOptions>,
    refresh_token: Option<Secret>,
}

impl WebAuthnSignInStart {
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

    /// Sends the request; returns the options for the browser.
    pub async fn send(self) -> Result<WebAuthnStart> {
        require_login_id(&self.login_id)?;
        require_origin(&self.origin)?;
        check_step_up(self.options.as_ref(), self.refresh_token.as_ref())?;
        let body = json!({
            "loginId": self.login_id,
            "origin": self.origin,
            "loginOptions": login_options_value(self.options.as_ref()),
        });
        self.auth
            .send(
                &endpoints::WEBAUTHN_SIGN_IN_START,
                None,
                vec![],
                Some(&body),
                self.refresh_token.as_ref(),
            )
            .await?
            .json()
    }
}
into_future!(WebAuthnSignInStart => WebAuthnStart);

/// A passkey sign-up-or-in start: see [`WebAuthn::sign_up_or_in_start`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct WebAuthnSignUpOrInStart {
    auth: Auth,
    login_id: String,
    origin: String,
}

impl WebAuthnSignUpOrInStart {
    /// Sends the request; returns the options for the browser.
    pub async fn send(self) -> Result<WebAuthnStart> {
        require_login_id(&self.login_id)?;
        require_origin(&self.origin)?;
        let body = json!({"loginId": self.login_id, "origin": self.origin});
        self.auth
            .send(
                &endpoints::WEBAUTHN_SIGN_UP_OR_IN_START,
                None,
                vec![],
                Some(&body),
                None,
            )
            .await?
            .json()
    }
}
into_future!(WebAuthnSignUpOrInStart => WebAuthnStart);

/// A passkey update start: see [`WebAuthn::update_start`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct WebAuthnUpdateStart {
    auth: Auth,
    login_id: String,
    refresh_token: Secret,
    origin: String,
    mfa: bool,
}

impl WebAuthnUpdateStart {
    /// Adds the passkey as a second factor of the current session; the finish then returns a
    /// session.
    pub fn mfa(mut self, mfa: bool) -> Self {
        self.mfa = mfa;
        self
    }

    /// Sends the request; returns the options for the browser.
    pub async fn send(self) -> Result<WebAuthnStart> {
        require_login_id(&self.login_id)?;
        require_refresh_token(&self.refresh_token)?;
        let mut body = json!({"loginId": self.login_id});
        if !self.origin.is_empty() {
            body["origin"] = json!(self.origin);
        }
        if self.mfa {
            body["mfa"] = json!(true);
        }
        self.auth
            .send(
                &endpoints::WEBAUTHN_UPDATE_START,
                None,
                vec![],
                Some(&body),
                Some(&self.refresh_token),
            )
            .await?
            .json()
    }
}
into_future!(WebAuthnUpdateStart => WebAuthnStart);

/// A WebAuthn finish: see [`WebAuthn::sign_up_finish`] and [`WebAuthn::sign_in_finish`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct WebAuthnFinish {
    auth: Auth,
    endpoint: &'static Endpoint,
    transaction_id: String,
    response: String,
    audience: Option<String>,
}

impl WebAuthnFinish {
    /// The audience the returned tokens must carry.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    async fn post(&self) -> Result<descope_transport::ApiResponse> {
        require(
            &self.transaction_id,
            "the transaction ID",
            "pass the `transaction_id` of the start call",
        )?;
        require(
            &self.response,
            "the response",
            "pass the browser's credential answer (JSON) unchanged",
        )?;
        let body = json!({"transactionId": self.transaction_id, "response": self.response});
        self.auth
            .send(self.endpoint, None, vec![], Some(&body), None)
            .await
    }

    /// Sends the request; returns the verified session.
    pub async fn send(self) -> Result<JwtResponse> {
        let resp = self.post().await?;
        self.auth.jwt(&resp, self.audience.as_deref()).await
    }
}
into_future!(WebAuthnFinish => JwtResponse);

/// A passkey update finish: see [`WebAuthn::update_finish`].
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct WebAuthnUpdateFinish {
    inner: WebAuthnFinish,
}

impl WebAuthnUpdateFinish {
    /// The audience the returned tokens must carry.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.inner.audience = Some(audience.into());
        self
    }

    /// Sends the request; returns the session when the API issued one.
    pub async fn send(self) -> Result<Option<JwtResponse>> {
        let resp = self.inner.post().await?;
        let body: Value = resp.json()?;
        let jwt = match body.get("jwt") {
            Some(Value::Object(m)) if !m.is_empty() => m,
            Some(Value::Null) | None => return Ok(None),
            Some(Value::Object(_)) => return Ok(None),
            Some(_) => return Err(Error::decode(
                "the Descope API answered the passkey update with a `jwt` that is not an object",
            )),
        };
        let mut inner = resp.clone();
        inner.body = serde_json::to_vec(jwt)
            .map_err(|e| Error::decode(e.to_string()))?
            .into();
        self.inner
            .auth
            .jwt(&inner, self.inner.audience.as_deref())
            .await
            .map(Some)
    }
}
into_future!(WebAuthnUpdateFinish => Option<JwtResponse>);
