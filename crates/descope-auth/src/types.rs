//! Typed results of the authentication calls.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An email address or phone number as the API masked it (`d***@descope.com`,
/// `+*******1234`): what a code or link was sent to, safe to show to the user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MaskedAddress(String);

impl MaskedAddress {
    pub(crate) fn new(s: String) -> Self {
        Self(s)
    }

    /// The masked address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The masked address, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl Deref for MaskedAddress {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MaskedAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for MaskedAddress {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for MaskedAddress {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// The start of an enchanted-link sign-in (or an address update by enchanted link).
///
/// Show [`link_id`](Self::link_id) to the user (the link to click among the three sent), then
/// wait for the session with
/// [`EnchantedLink::poll_for_session`](crate::EnchantedLink::poll_for_session) and
/// [`pending_ref`](Self::pending_ref). The pending reference hands the session to whoever
/// polls with it: keep it on the server side. `Debug` does not show it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct EnchantedLinkStart {
    /// The number of the link the user must click.
    pub link_id: String,
    /// The handle to poll for the session with.
    pub pending_ref: String,
    /// The masked email address the links went to (email delivery).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_email: Option<String>,
    /// The masked phone number the link went to (SMS delivery).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_phone: Option<String>,
}

impl EnchantedLinkStart {
    /// The masked address, email or phone, whichever the API returned.
    pub fn masked_address(&self) -> Option<&str> {
        self.masked_email
            .as_deref()
            .or(self.masked_phone.as_deref())
    }
}

impl fmt::Debug for EnchantedLinkStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnchantedLinkStart")
            .field("link_id", &self.link_id)
            .field("pending_ref", &"[redacted]")
            .field("masked_email", &self.masked_email)
            .field("masked_phone", &self.masked_phone)
            .finish()
    }
}

/// What the user needs to add a TOTP authenticator: a provisioning URL, a QR-code image of it,
/// or the key to type in. They hold the TOTP secret: `Debug` shows none of them.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct TotpProvisioning {
    /// The `otpauth://` URL (the secret is in it).
    #[serde(rename = "provisioningURL")]
    pub provisioning_url: String,
    /// The QR code of the provisioning URL, as base64 image data.
    pub image: String,
    /// The TOTP secret, base32, for manual entry.
    pub key: String,
}

impl fmt::Debug for TotpProvisioning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TotpProvisioning")
            .field("provisioning_url", &"[redacted]")
            .field("image_len", &self.image.len())
            .field("key", &"[redacted]")
            .finish()
    }
}

/// The project's password rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct PasswordPolicy {
    /// Minimum length.
    pub min_length: u32,
    /// At least one lower-case letter.
    pub lowercase: bool,
    /// At least one upper-case letter.
    pub uppercase: bool,
    /// At least one digit.
    pub number: bool,
    /// At least one character that is neither a letter nor a digit.
    pub non_alphanumeric: bool,
    /// Fields this SDK does not model yet.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// The start of a password reset.
///
/// `pending_ref` and `link_id` are set when the project resets passwords by enchanted link;
/// then poll with [`EnchantedLink::poll_for_session`](crate::EnchantedLink::poll_for_session).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct PasswordResetStart {
    /// How the reset prompt was sent (`magiclink`, `enchantedlink`, `otp`, …).
    pub reset_method: String,
    /// The enchanted-link polling handle, when the reset method is an enchanted link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_ref: Option<String>,
    /// The enchanted-link number, when the reset method is an enchanted link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_id: Option<String>,
    /// The masked email address the prompt went to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_email: Option<String>,
}

impl fmt::Debug for PasswordResetStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PasswordResetStart")
            .field("reset_method", &self.reset_method)
            .field(
                "pending_ref",
                &self.pending_ref.as_ref().map(|_| "[redacted]"),
            )
            .field("link_id", &self.link_id)
            .field("masked_email", &self.masked_email)
            .finish()
    }
}

/// Where to send the browser to start an OAuth, SSO or SAML sign-in.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct RedirectUrl {
    /// The identity provider's URL: redirect the user's browser there.
    pub url: String,
}

/// The start of a WebAuthn ceremony: hand [`options`](Self::options) to the browser's
/// `navigator.credentials.create()` (when [`create`](Self::create) is true) or `.get()`, then
/// finish with the transaction ID and the browser's answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct WebAuthnStart {
    /// The transaction to finish.
    pub transaction_id: String,
    /// The options for the browser, as a JSON string.
    pub options: String,
    /// Whether this is a registration (sign-up) rather than an assertion (sign-in).
    pub create: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_provisioning_debug_hides_the_secret() {
        let p = TotpProvisioning {
            provisioning_url: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP".into(),
            image: "iVBOR".into(),
            key: "JBSWY3DPEHPK3PXP".into(),
        };
        let d = format!("{p:?}");
        assert!(!d.contains("JBSWY3DPEHPK3PXP"), "{d}");
    }

    #[test]
    fn pending_refs_stay_out_of_debug() {
        let s = EnchantedLinkStart {
            link_id: "42".into(),
            pending_ref: "pending-secret".into(),
            masked_email: Some("d***@x.com".into()),
            masked_phone: None,
        };
        assert!(!format!("{s:?}").contains("pending-secret"));
        assert_eq!(s.masked_address(), Some("d***@x.com"));
        let r = PasswordResetStart {
            reset_method: "enchantedlink".into(),
            pending_ref: Some("pending-secret".into()),
            ..Default::default()
        };
        assert!(!format!("{r:?}").contains("pending-secret"));
    }

    #[test]
    fn results_decode_from_their_wire_names_and_tolerate_unknown_fields() {
        let p: PasswordPolicy = serde_json::from_str(
            r#"{"minLength":8,"lowercase":true,"uppercase":false,"number":true,"nonAlphanumeric":false,"active":true}"#,
        )
        .unwrap();
        assert_eq!(p.min_length, 8);
        assert!(p.lowercase && p.number && !p.uppercase);
        assert_eq!(p.extra.get("active"), Some(&Value::Bool(true)));
        let w: WebAuthnStart =
            serde_json::from_str(r#"{"transactionId":"t","options":"{}","create":true,"x":1}"#)
                .unwrap();
        assert_eq!(w.transaction_id, "t");
        assert!(w.create);
        let t: TotpProvisioning =
            serde_json::from_str(r#"{"provisioningURL":"otpauth://u","image":"i","key":"k"}"#)
                .unwrap();
        assert_eq!(t.provisioning_url, "otpauth://u");
    }
}
