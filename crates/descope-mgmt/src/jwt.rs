//! JWT updates, impersonation and management sign-in (`client.mgmt().jwt()`).

use std::future::IntoFuture;

use descope_core::endpoints as ep;
use descope_core::{Error, Result};
use descope_jwt::{JwtResponse, SessionValidator};
use descope_transport::{ApiClient, ApiResponse};
use serde_json::{Map, Value};

use crate::call::{builder, field, setters, MgmtFuture, MgmtRequest};

/// JWT operations.
#[derive(Debug, Clone)]
pub struct Jwt {
    api: ApiClient,
    validator: SessionValidator,
}

fn jwt_field(resp: ApiResponse) -> Result<String> {
    field(&resp, "jwt")
}

fn raw(resp: ApiResponse) -> Result<ApiResponse> {
    Ok(resp)
}

builder!(
    /// `update_jwt`: await the new JWT.
    UpdateJwt -> String
);
setters!(UpdateJwt {
    /// Refresh token lifetime in seconds (0: the project default).
    refresh_duration: int => "refreshDuration",
});

builder!(
    /// `impersonate`, `impersonate_stepup` and `stop_impersonation`: await the refresh JWT.
    Impersonate -> String
);
setters!(Impersonate {
    /// Custom claims added to the JWT.
    custom_claims: attrs => "customClaims",
    /// The tenant to select (sent as `selectedTenant`).
    tenant_id: str => "selectedTenant",
    /// Refresh token lifetime in seconds.
    refresh_duration: int => "refreshDuration",
    /// Step-up (`impersonate` only).
    stepup: bool => "stepup",
});

/// A management sign-in, sign-up or anonymous session: set options, then await the validated
/// [`JwtResponse`].
#[must_use = "a request does nothing until it is awaited"]
#[derive(Debug)]
pub struct MgmtSignIn {
    inner: MgmtRequest<ApiResponse>,
    validator: SessionValidator,
}

impl MgmtSignIn {
    fn set(mut self, key: &str, value: impl serde::Serialize) -> Self {
        self.inner = self.inner.set(key, value);
        self
    }

    /// Custom claims added to the JWT.
    pub fn custom_claims<I, K, V>(self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<Value>,
    {
        self.set("customClaims", crate::call::object(pairs))
    }

    /// Refresh token lifetime in seconds.
    pub fn refresh_duration(self, seconds: i64) -> Self {
        self.set("refreshDuration", seconds)
    }

    /// Step-up (sign-in; needs `jwt`).
    pub fn stepup(self, v: bool) -> Self {
        self.set("stepup", v)
    }

    /// MFA (sign-in; needs `jwt`).
    pub fn mfa(self, v: bool) -> Self {
        self.set("mfa", v)
    }

    /// Revoke the user's other sessions (sign-in).
    pub fn revoke_other_sessions(self, v: bool) -> Self {
        self.set("revokeOtherSessions", v)
    }

    /// The user's current refresh JWT (sign-in with step-up or MFA).
    pub fn jwt(self, jwt: impl Into<String>) -> Self {
        self.set("jwt", jwt.into())
    }

    /// The tenant to select (anonymous; sent as `selectedTenant`).
    pub fn tenant_id(self, tenant: impl Into<String>) -> Self {
        self.set("selectedTenant", tenant.into())
    }

    /// Whether the email is verified (sign-up).
    pub fn email_verified(self, v: bool) -> Self {
        self.set("emailVerified", v)
    }

    /// Whether the phone is verified (sign-up).
    pub fn phone_verified(self, v: bool) -> Self {
        self.set("phoneVerified", v)
    }

    /// The SSO application (sign-up).
    pub fn sso_app_id(self, id: impl Into<String>) -> Self {
        self.set("ssoAppId", id.into())
    }

    /// The new user's details (sign-up); its verification flags and SSO application are also
    /// sent at the top level, as the API expects.
    pub fn user(self, user: MgmtUser) -> Self {
        self.set("user", user.to_json())
            .set("emailVerified", user.email_verified)
            .set("phoneVerified", user.phone_verified)
            .set("ssoAppId", user.sso_app_id.clone())
    }

    /// Sends the request and validates the tokens of the answer.
    pub async fn send(self) -> Result<JwtResponse> {
        let resp = self.inner.send().await?;
        self.validator.jwt_response(&resp, None, None).await
    }
}

impl IntoFuture for MgmtSignIn {
    type Output = Result<JwtResponse>;
    type IntoFuture = MgmtFuture<JwtResponse>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A user signed up by `sign_up` / `sign_up_or_in`.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct MgmtUser {
    /// Name.
    pub name: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Middle name.
    pub middle_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Whether the email is verified.
    pub email_verified: Option<bool>,
    /// Whether the phone is verified.
    pub phone_verified: Option<bool>,
    /// SSO application.
    pub sso_app_id: Option<String>,
}

impl MgmtUser {
    /// An empty user.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the email.
    pub fn email(mut self, v: impl Into<String>) -> Self {
        self.email = Some(v.into());
        self
    }

    /// Sets the phone.
    pub fn phone(mut self, v: impl Into<String>) -> Self {
        self.phone = Some(v.into());
        self
    }

    /// Sets the name.
    pub fn name(mut self, v: impl Into<String>) -> Self {
        self.name = Some(v.into());
        self
    }

    /// Sets the given name.
    pub fn given_name(mut self, v: impl Into<String>) -> Self {
        self.given_name = Some(v.into());
        self
    }

    /// Sets the middle name.
    pub fn middle_name(mut self, v: impl Into<String>) -> Self {
        self.middle_name = Some(v.into());
        self
    }

    /// Sets the family name.
    pub fn family_name(mut self, v: impl Into<String>) -> Self {
        self.family_name = Some(v.into());
        self
    }

    /// Sets whether the email is verified.
    pub fn email_verified(mut self, v: bool) -> Self {
        self.email_verified = Some(v);
        self
    }

    /// Sets whether the phone is verified.
    pub fn phone_verified(mut self, v: bool) -> Self {
        self.phone_verified = Some(v);
        self
    }

    /// Sets the SSO application.
    pub fn sso_app_id(mut self, v: impl Into<String>) -> Self {
        self.sso_app_id = Some(v.into());
        self
    }

    fn to_json(&self) -> Value {
        serde_json::json!({
            "name": self.name, "givenName": self.given_name, "middleName": self.middle_name,
            "familyName": self.family_name, "phone": self.phone, "email": self.email,
            "emailVerified": self.email_verified, "phoneVerified": self.phone_verified,
            "ssoAppId": self.sso_app_id,
        })
    }
}

fn check_sign_in(body: &Map<String, Value>) -> Result<()> {
    let flag = |k: &str| body.get(k).and_then(Value::as_bool).unwrap_or(false);
    let has_jwt = body
        .get("jwt")
        .and_then(Value::as_str)
        .is_some_and(|j| !j.is_empty());
    if (flag("stepup") || flag("mfa")) && !has_jwt {
        return Err(Error::invalid_argument("JWT is required"));
    }
    Ok(())
}

impl Jwt {
    pub(crate) fn new(api: ApiClient, validator: SessionValidator) -> Self {
        Self { api, validator }
    }

    fn req<T: Send + 'static>(
        &self,
        endpoint: &'static descope_core::Endpoint,
        decode: fn(ApiResponse) -> Result<T>,
    ) -> MgmtRequest<T> {
        MgmtRequest::new(&self.api, endpoint, decode)
    }

    /// Adds custom claims to a JWT (the server drops reserved claims); await the new JWT.
    pub fn update_jwt<I, K, V>(&self, jwt: impl Into<String>, custom_claims: I) -> UpdateJwt
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<Value>,
    {
        let jwt = jwt.into();
        let empty = jwt.is_empty();
        UpdateJwt::wrap(
            self.req(&ep::MGMT_JWT_UPDATE, jwt_field)
                .refuse_if(empty, "jwt cannot be empty")
                .set("jwt", jwt)
                .set("customClaims", crate::call::object(custom_claims))
                .set("refreshDuration", 0),
        )
    }

    fn impersonation(
        &self,
        endpoint: &'static descope_core::Endpoint,
        impersonator_id: String,
        login_id: String,
        validate_consent: bool,
    ) -> MgmtRequest<String> {
        let req = self
            .req(endpoint, jwt_field)
            .refuse_if(
                impersonator_id.is_empty(),
                "impersonator_id cannot be empty",
            )
            .refuse_if(login_id.is_empty(), "login_id cannot be empty");
        req.set("loginId", login_id)
            .set("impersonatorId", impersonator_id)
            .set("validateConsent", validate_consent)
            .set("customClaims", Value::Null)
            .set("selectedTenant", Value::Null)
            .set("refreshDuration", Value::Null)
    }

    /// Issues a refresh JWT of `login_id` for `impersonator_id` (who needs the impersonation
    /// permission); `validate_consent` requires the user's consent.
    pub fn impersonate(
        &self,
        impersonator_id: impl Into<String>,
        login_id: impl Into<String>,
        validate_consent: bool,
    ) -> Impersonate {
        Impersonate::wrap(
            self.impersonation(
                &ep::MGMT_IMPERSONATE,
                impersonator_id.into(),
                login_id.into(),
                validate_consent,
            )
            .set("stepup", Value::Null),
        )
    }

    /// Like `impersonate`, with step-up.
    pub fn impersonate_stepup(
        &self,
        impersonator_id: impl Into<String>,
        login_id: impl Into<String>,
        validate_consent: bool,
    ) -> Impersonate {
        Impersonate::wrap(self.impersonation(
            &ep::MGMT_IMPERSONATE_STEPUP,
            impersonator_id.into(),
            login_id.into(),
            validate_consent,
        ))
    }

    /// Ends an impersonation; await the impersonator's JWT.
    pub fn stop_impersonation(&self, jwt: impl Into<String>) -> Impersonate {
        let jwt = jwt.into();
        let empty = jwt.is_empty();
        Impersonate::wrap(
            self.req(&ep::MGMT_STOP_IMPERSONATION, jwt_field)
                .refuse_if(empty, "jwt cannot be empty")
                .set("jwt", jwt)
                .set("customClaims", Value::Null)
                .set("selectedTenant", Value::Null)
                .set("refreshDuration", Value::Null),
        )
    }

    fn sign_in_like(&self, req: MgmtRequest<ApiResponse>) -> MgmtSignIn {
        MgmtSignIn {
            inner: req,
            validator: self.validator.clone(),
        }
    }

    /// Signs a user in without any authentication factor (for trusted back ends).
    pub fn sign_in(&self, login_id: impl Into<String>) -> MgmtSignIn {
        let login_id = login_id.into();
        let empty = login_id.is_empty();
        self.sign_in_like(
            self.req(&ep::MGMT_AUTH_SIGNIN, raw)
                .refuse_if(empty, "login_id cannot be empty")
                .set("loginId", login_id)
                .set("stepup", false)
                .set("mfa", false)
                .set("revokeOtherSessions", Value::Null)
                .set("customClaims", Value::Null)
                .set("jwt", Value::Null)
                .set("refreshDuration", Value::Null)
                .check(check_sign_in),
        )
    }

    fn sign_up_like(
        &self,
        endpoint: &'static descope_core::Endpoint,
        login_id: String,
    ) -> MgmtSignIn {
        let empty = login_id.is_empty();
        self.sign_in_like(
            self.req(endpoint, raw)
                .refuse_if(empty, "login_id cannot be empty")
                .set("loginId", login_id)
                .set("user", MgmtUser::new().to_json())
                .set("emailVerified", Value::Null)
                .set("phoneVerified", Value::Null)
                .set("ssoAppId", Value::Null)
                .set("customClaims", Value::Null)
                .set("refreshDuration", Value::Null),
        )
    }

    /// Signs a new user up.
    pub fn sign_up(&self, login_id: impl Into<String>) -> MgmtSignIn {
        self.sign_up_like(&ep::MGMT_AUTH_SIGNUP, login_id.into())
    }

    /// Signs a user in, or up when new.
    pub fn sign_up_or_in(&self, login_id: impl Into<String>) -> MgmtSignIn {
        self.sign_up_like(&ep::MGMT_AUTH_SIGNUP_IN, login_id.into())
    }

    /// An anonymous session.
    pub fn anonymous(&self) -> MgmtSignIn {
        self.sign_in_like(
            self.req(&ep::MGMT_AUTH_ANONYMOUS, raw)
                .set("customClaims", Value::Null)
                .set("selectedTenant", Value::Null)
                .set("refreshDuration", Value::Null),
        )
    }
}
