//! Data types shared by the authentication and management APIs.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

/// A Descope user, as the API returns it (`me`, management `load`, the `user` of a JWT
/// response). Unknown fields are kept in [`User::extra`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct User {
    /// Login IDs (email, phone, username…).
    #[serde(default)]
    pub login_ids: Vec<String>,
    /// The user ID.
    #[serde(default)]
    pub user_id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Given name.
    #[serde(default)]
    pub given_name: String,
    /// Middle name.
    #[serde(default)]
    pub middle_name: String,
    /// Family name.
    #[serde(default)]
    pub family_name: String,
    /// Email address.
    #[serde(default)]
    pub email: String,
    /// Phone number.
    #[serde(default)]
    pub phone: String,
    /// Whether the email address is verified.
    #[serde(default)]
    pub verified_email: bool,
    /// Whether the phone number is verified.
    #[serde(default)]
    pub verified_phone: bool,
    /// Project-level role names.
    #[serde(default)]
    pub role_names: Vec<String>,
    /// Tenant memberships.
    #[serde(default)]
    pub user_tenants: Vec<UserTenant>,
    /// `enabled`, `disabled` or `invited`.
    #[serde(default)]
    pub status: String,
    /// Picture URL.
    #[serde(default)]
    pub picture: String,
    /// Whether this is a test user.
    #[serde(default)]
    pub test: bool,
    /// Custom attributes.
    #[serde(default)]
    pub custom_attributes: BTreeMap<String, Value>,
    /// Creation time, seconds since the Unix epoch.
    #[serde(default)]
    pub created_time: i64,
    /// Whether the user has TOTP set up.
    #[serde(default, rename = "TOTP")]
    pub totp: bool,
    /// Whether the user signed in with SAML.
    #[serde(default, rename = "SAML")]
    pub saml: bool,
    /// OAuth providers the user signed in with.
    #[serde(default, rename = "OAuth")]
    pub oauth: BTreeMap<String, bool>,
    /// Whether the user has a passkey.
    #[serde(default)]
    pub webauthn: bool,
    /// Whether the user has a password.
    #[serde(default)]
    pub password: bool,
    /// SSO application IDs.
    #[serde(default)]
    pub sso_app_ids: Vec<String>,
    /// External IDs.
    #[serde(default)]
    pub external_ids: Vec<String>,
    /// Every other field the API sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// A user's membership of a tenant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UserTenant {
    /// The tenant ID.
    #[serde(default)]
    pub tenant_id: String,
    /// Role names in that tenant.
    #[serde(default)]
    pub role_names: Vec<String>,
    /// The tenant name.
    #[serde(default)]
    pub tenant_name: String,
    /// Permissions in that tenant.
    #[serde(default)]
    pub permissions: Vec<String>,
    /// Every other field the API sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// How a code or link is delivered to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliveryMethod {
    /// By email (the login ID or `user.email` must be an email address).
    Email,
    /// By text message (the login ID or `user.phone` must be a phone number).
    Sms,
    /// By a voice call (the login ID or `user.phone` must be a phone number).
    Voice,
    /// By WhatsApp (the login ID or `user.phone` must be a phone number).
    WhatsApp,
}

impl DeliveryMethod {
    /// The wire spelling, used as the last path segment: `email`, `sms`, `voice`, `whatsapp`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Voice => "voice",
            Self::WhatsApp => "whatsapp",
        }
    }

    /// Whether the method delivers to a phone number.
    pub fn is_phone(self) -> bool {
        !matches!(self, Self::Email)
    }

    /// The sign-up body field that repeats the address (`email`, `phone`, `voice`, `whatsapp`).
    pub fn sign_up_key(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "phone",
            Self::Voice => "voice",
            Self::WhatsApp => "whatsapp",
        }
    }

    /// The response field holding the masked address (`maskedEmail` or `maskedPhone`).
    pub fn masked_field(self) -> &'static str {
        if self.is_phone() {
            "maskedPhone"
        } else {
            "maskedEmail"
        }
    }
}

impl fmt::Display for DeliveryMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DeliveryMethod {
    type Err = Error;

    /// Parses `email`, `sms`, `voice` or `whatsapp` (any case). Anything else, such as the
    /// `embedded` method that only management test-user calls know, is refused.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "email" => Ok(Self::Email),
            "sms" => Ok(Self::Sms),
            "voice" => Ok(Self::Voice),
            "whatsapp" => Ok(Self::WhatsApp),
            _ => Err(Error::invalid_argument(format!(
                "unknown delivery method `{s}`: use email, sms, voice or whatsapp"
            ))),
        }
    }
}
