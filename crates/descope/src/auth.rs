//! auth calls on the facade client.

use descope_auth::{Auth, EnchantedLink, MagicLink, OAuth, Otp, Password, Sso, Totp, WebAuthn};

use crate::Client;

/// The examples of `docs/auth.md`, compiled by `cargo test --doc` so the guide cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/auth.md")]
pub struct AuthGuideExamples;

impl Client {
    /// The authentication API as one handle ([`descope_auth::Auth`]), for code that passes it
    /// around. The accessors below are shortcuts to its parts.
    pub fn auth(&self) -> Auth {
        Auth::new(self.api().clone(), self.validator().clone())
    }

    /// One-time passwords by email, SMS, voice call or WhatsApp.
    ///
    /// ```no_run
    /// # async fn run(client: descope::Client, code: &str) -> descope::Result<()> {
    /// use descope::DeliveryMethod;
    /// let masked = client.otp().sign_up_or_in(DeliveryMethod::Email, "desmond@descope.com").await?;
    /// let jwt = client.otp().verify_code(DeliveryMethod::Email, "desmond@descope.com", code).await?;
    /// # let _ = (masked, jwt); Ok(()) }
    /// ```
    pub fn otp(&self) -> Otp {
        self.auth().otp()
    }

    /// Magic links by email, SMS, voice call or WhatsApp.
    pub fn magic_link(&self) -> MagicLink {
        self.auth().magic_link()
    }

    /// Enchanted links, with [`EnchantedLink::poll_for_session`] to wait for the session.
    pub fn enchanted_link(&self) -> EnchantedLink {
        self.auth().enchanted_link()
    }

    /// OAuth social login.
    pub fn oauth(&self) -> OAuth {
        self.auth().oauth()
    }

    /// Tenant SSO (SAML or OIDC).
    pub fn sso(&self) -> Sso {
        self.auth().sso()
    }

    /// The older SAML-only calls.
    #[deprecated(note = "use `sso()`, which serves SAML and OIDC tenants alike")]
    #[allow(deprecated)]
    pub fn saml(&self) -> descope_auth::Saml {
        self.auth().saml()
    }

    /// TOTP (authenticator apps).
    pub fn totp(&self) -> Totp {
        self.auth().totp()
    }

    /// Passwords.
    pub fn password(&self) -> Password {
        self.auth().password()
    }

    /// WebAuthn (passkeys).
    pub fn webauthn(&self) -> WebAuthn {
        self.auth().webauthn()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use descope_transport::test_util::ScriptedTransport;
    use serde_json::json;

    use crate::{Client, DeliveryMethod, LoginOptions};

    fn client(t: &ScriptedTransport) -> Client {
        Client::builder_without_env()
            .project_id("P2aAc4T2V93bddihGEx2Ryhc8e5Z")
            .base_url("http://127.0.0.1:9")
            .transport(Arc::new(t.clone()))
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn the_facade_accessors_reach_the_auth_endpoints_through_the_client_pipeline() {
        let t = ScriptedTransport::new();
        t.push_json(200, json!({"maskedEmail": "d***@descope.com"}));
        t.push_json(200, json!({"url": "https://idp.example.com/a"}));
        let c = client(&t);
        let masked = c
            .otp()
            .sign_in(DeliveryMethod::Email, "desmond@descope.com")
            .await
            .unwrap();
        assert_eq!(masked, "d***@descope.com");
        let url = c.sso().start("T1").return_url("http://ret").await.unwrap();
        assert_eq!(url.url, "https://idp.example.com/a");
        let reqs = t.requests();
        assert_eq!(reqs.len(), 2);
        assert_eq!(reqs[0].url, "http://127.0.0.1:9/v1/auth/otp/signin/email");
        assert_eq!(
            reqs[1].url,
            "http://127.0.0.1:9/v1/auth/sso/authorize?tenant=T1&redirectURL=http%3A%2F%2Fret"
        );
        assert_eq!(
            reqs[0].headers["x-descope-sdk-name"].to_str().unwrap(),
            "rust"
        );
    }

    #[tokio::test]
    #[allow(deprecated)]
    async fn the_deprecated_saml_accessor_still_works_and_refuses_before_sending() {
        let t = ScriptedTransport::new();
        let c = client(&t);
        let err = c.saml().start("T1", "").await.unwrap_err();
        assert!(err.is_invalid_argument());
        let err = c
            .magic_link()
            .sign_in(DeliveryMethod::Sms, "+12125551234", "http://x")
            .options(LoginOptions::new().stepup(true))
            .await
            .unwrap_err();
        assert!(err.is_invalid_argument());
        assert_eq!(t.request_count(), 0);
    }
}
