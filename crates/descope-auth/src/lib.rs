//! Descope authentication flows and session calls.
//!
//! Every flow of the Descope authentication API, with the wire shapes and the client-side checks
//! of the official SDKs:
//!
//! | flow | entry point | finishes with |
//! | --- | --- | --- |
//! | one-time password | [`Auth::otp`] | [`Otp::verify_code`] |
//! | magic link | [`Auth::magic_link`] | [`MagicLink::verify`] |
//! | enchanted link | [`Auth::enchanted_link`] | [`EnchantedLink::poll_for_session`] |
//! | OAuth (social login) | [`Auth::oauth`] | [`OAuth::exchange_token`] |
//! | SSO (SAML / OIDC) | [`Auth::sso`] | [`Sso::exchange_token`] |
//! | TOTP (authenticator app) | [`Auth::totp`] | [`Totp::sign_in_code`] |
//! | password | [`Auth::password`] | [`Password::sign_in`] |
//! | WebAuthn (passkeys) | [`Auth::webauthn`] | [`WebAuthn::sign_in_finish`] |
//!
//! Each call takes its required arguments positionally and its optional ones as chained setters,
//! then runs on `.await`. Arguments the official SDK refuses (an empty login ID, a malformed email
//! address or phone number, step-up or MFA without a refresh token, …) are refused here too,
//! before anything is sent, with a [`descope_core::Error`] whose
//! [`is_invalid_argument`](descope_core::Error::is_invalid_argument) is true.
//!
//! Calls that end a flow (verify, exchange, finish) return the
//! [`JwtResponse`] of `descope-jwt`: the session and refresh tokens, already verified.
//!
//! Applications use these through the `descope` facade (`client.otp()`, `client.magic_link()`,
//! …); [`Auth`] is the same thing for callers that assemble the layers themselves.
#![deny(missing_docs)]

mod checks;
mod enchanted_link;
mod magic_link;
mod oauth;
mod options;
mod otp;
mod password;
pub mod session;
mod sso;
mod totp;
mod types;
mod webauthn;

use std::fmt;

use descope_core::{Endpoint, Error, Result, Secret};
use descope_transport::{ApiClient, ApiResponse};
use serde_json::Value;

pub use descope_jwt::{JwtResponse, SessionValidator};
pub use enchanted_link::{
    EnchantedLink, EnchantedLinkGetSession, EnchantedLinkPollForSession, EnchantedLinkSignIn,
    EnchantedLinkSignUp, EnchantedLinkSignUpOrIn, EnchantedLinkUpdateEmail,
    EnchantedLinkUpdatePhone, EnchantedLinkVerify, DEFAULT_POLL_INTERVAL, DEFAULT_POLL_TIMEOUT,
};
pub use magic_link::{
    MagicLink, MagicLinkSignIn, MagicLinkSignUp, MagicLinkSignUpOrIn, MagicLinkUpdateEmail,
    MagicLinkUpdatePhone, MagicLinkVerify,
};
pub use oauth::{OAuth, OAuthExchange, OAuthStart};
pub use options::{LoginOptions, SignUpOptions, SignUpUser};
pub use otp::{
    Otp, OtpSignIn, OtpSignUp, OtpSignUpOrIn, OtpUpdateEmail, OtpUpdatePhone, OtpVerify,
};
pub use password::{
    Password, PasswordPolicyRequest, PasswordReplace, PasswordSendReset, PasswordSignIn,
    PasswordSignUp, PasswordUpdate,
};
#[allow(deprecated)]
pub use sso::Saml;
pub use sso::{SamlExchange, SamlStart, Sso, SsoExchange, SsoStart};
pub use totp::{Totp, TotpSignIn, TotpSignUp, TotpUpdate};
pub use types::{
    EnchantedLinkStart, MaskedAddress, PasswordPolicy, PasswordResetStart, RedirectUrl,
    TotpProvisioning, WebAuthnStart,
};
pub use webauthn::{
    WebAuthn, WebAuthnFinish, WebAuthnSignInStart, WebAuthnSignUpOrInStart, WebAuthnSignUpStart,
    WebAuthnUpdateFinish, WebAuthnUpdateStart,
};

/// Implements `IntoFuture` for a request builder with an `async fn send(self)`, so the builder
/// runs on `.await`.
macro_rules! into_future {
    ($ty:ty => $out:ty) => {
        impl ::std::future::IntoFuture for $ty {
            type Output = ::descope_core::Result<$out>;
            type IntoFuture = ::std::pin::Pin<
                Box<dyn ::std::future::Future<Output = ::descope_core::Result<$out>> + Send>,
            >;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}
pub(crate) use into_future;

pub use descope_core::DeliveryMethod;

/// The authentication API: a cheap-to-clone handle (the request pipeline and the session
/// validator) from which every flow starts.
#[derive(Clone)]
pub struct Auth {
    api: ApiClient,
    validator: SessionValidator,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("project_id", &self.api.config().project_id)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// The authentication API over `api`, verifying returned tokens with `validator`.
    pub fn new(api: ApiClient, validator: SessionValidator) -> Self {
        Self { api, validator }
    }

    /// The request pipeline.
    pub fn api(&self) -> &ApiClient {
        &self.api
    }

    /// The session validator used on every token the API returns.
    pub fn validator(&self) -> &SessionValidator {
        &self.validator
    }

    /// One-time passwords by email, SMS, voice or WhatsApp.
    pub fn otp(&self) -> Otp {
        Otp::new(self.clone())
    }

    /// Magic links by email, SMS, voice or WhatsApp.
    pub fn magic_link(&self) -> MagicLink {
        MagicLink::new(self.clone())
    }

    /// Enchanted links (pick the right one of three; works across devices).
    pub fn enchanted_link(&self) -> EnchantedLink {
        EnchantedLink::new(self.clone())
    }

    /// OAuth social login.
    pub fn oauth(&self) -> OAuth {
        OAuth::new(self.clone())
    }

    /// Tenant SSO (SAML or OIDC).
    pub fn sso(&self) -> Sso {
        Sso::new(self.clone())
    }

    /// The older SAML-only calls.
    #[deprecated(note = "use `sso()`, which serves SAML and OIDC tenants alike")]
    #[allow(deprecated)]
    pub fn saml(&self) -> Saml {
        Saml::new(self.clone())
    }

    /// TOTP (authenticator apps).
    pub fn totp(&self) -> Totp {
        Totp::new(self.clone())
    }

    /// Passwords.
    pub fn password(&self) -> Password {
        Password::new(self.clone())
    }

    /// WebAuthn (passkeys).
    pub fn webauthn(&self) -> WebAuthn {
        WebAuthn::new(self.clone())
    }

    /// Sends one request. `path` replaces the endpoint's template when the endpoint has a
    /// parameter; `token` goes after the project ID in the `Authorization` header.
    pub(crate) async fn send(
        &self,
        endpoint: &'static Endpoint,
        path: Option<String>,
        query: Vec<(&'static str, String)>,
        body: Option<&Value>,
        token: Option<&Secret>,
    ) -> Result<ApiResponse> {
        let mut req = self.api.request(endpoint);
        if let Some(p) = path {
            req = req.path(p);
        }
        for (k, v) in query {
            req = req.query(k, v);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        req.token_opt(token.map(Secret::expose)).send().await
    }

    /// Turns a response carrying `sessionJwt` / `refreshJwt` into a verified [`JwtResponse`].
    pub(crate) async fn jwt(
        &self,
        response: &ApiResponse,
        audience: Option<&str>,
    ) -> Result<JwtResponse> {
        self.validator.jwt_response(response, None, audience).await
    }
}

/// The path of an endpoint whose template ends with a `{…}` parameter, with `value` in its
/// place.
pub(crate) fn fill_path(endpoint: &Endpoint, value: &str) -> String {
    match endpoint.path.rfind('{') {
        Some(i) => format!("{}{}", &endpoint.path[..i], value),
        None => endpoint.path.to_owned(),
    }
}

/// Reads the masked address at `field` from a start or update response.
pub(crate) fn masked(response: &ApiResponse, field: &str) -> Result<MaskedAddress> {
    let v: Value = response.json()?;
    v.get(field)
        .and_then(Value::as_str)
        .map(|s| MaskedAddress::new(s.to_owned()))
        .ok_or_else(|| {
            Error::decode(format!(
                "the Descope API answered without `{field}`, the masked address the SDK expected"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_methods_parse_and_print_their_wire_spelling() {
        for m in [
            DeliveryMethod::Email,
            DeliveryMethod::Sms,
            DeliveryMethod::Voice,
            DeliveryMethod::WhatsApp,
        ] {
            assert_eq!(m.as_str().parse::<DeliveryMethod>().unwrap(), m);
            assert_eq!(m.to_string(), m.as_str());
        }
        assert_eq!(
            "WhatsApp".parse::<DeliveryMethod>().unwrap(),
            DeliveryMethod::WhatsApp
        );
    }

    #[test]
    fn the_embedded_delivery_method_is_refused() {
        let e = "embedded".parse::<DeliveryMethod>().unwrap_err();
        assert!(e.is_invalid_argument());
        assert!(e.to_string().contains("embedded"));
    }

    #[test]
    fn sign_up_keys_and_masked_fields_follow_the_method() {
        assert_eq!(DeliveryMethod::Email.sign_up_key(), "email");
        assert_eq!(DeliveryMethod::Sms.sign_up_key(), "phone");
        assert_eq!(DeliveryMethod::Voice.sign_up_key(), "voice");
        assert_eq!(DeliveryMethod::WhatsApp.sign_up_key(), "whatsapp");
        assert_eq!(DeliveryMethod::Email.masked_field(), "maskedEmail");
        assert_eq!(DeliveryMethod::Voice.masked_field(), "maskedPhone");
    }

    #[test]
    fn fill_path_replaces_the_trailing_parameter() {
        assert_eq!(
            fill_path(&descope_core::endpoints::OTP_SIGN_IN, "sms"),
            "/v1/auth/otp/signin/sms"
        );
        assert_eq!(
            fill_path(&descope_core::endpoints::MAGICLINK_VERIFY, "x"),
            "/v1/auth/magiclink/verify"
        );
    }
}
