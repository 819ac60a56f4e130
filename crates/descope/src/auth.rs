//! auth calls on the facade client.

use descope_auth::{Auth, EnchantedLink, MagicLink, OAuth, Otp, Password, Sso, Totp, WebAuthn};

use crate::Client;

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
