//! Options sent with sign-in and sign-up calls, and the user object of a sign-up.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

/// Options for a sign-in (sent as `loginOptions`, or as the whole body of an OAuth, SSO or SAML
/// start).
///
/// `stepup`, `customClaims` (as `null` when unset) and `mfa` are always sent; the other fields
/// only when set. [`LoginOptions::stepup`] and [`LoginOptions::mfa`] act on an existing session,
/// so the call then needs the user's refresh token: without one it is refused before sending.
///
/// ```
/// use descope_auth::LoginOptions;
/// let opts = LoginOptions::new().mfa(true).custom_claim("plan", "pro").locale("en-US");
/// assert!(opts.needs_refresh_token());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LoginOptions {
    /// Step-up authentication on an existing session (needs the refresh token).
    pub stepup: bool,
    /// Extra claims for the resulting session token.
    pub custom_claims: Option<Map<String, Value>>,
    /// Add a second factor to an existing session (needs the refresh token).
    pub mfa: bool,
    /// Revoke the user's other sessions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoke_other_sessions: Option<bool>,
    /// Variables for the email or SMS template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_options: Option<BTreeMap<String, String>>,
    /// A message template to use instead of the default one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// The locale of the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

impl LoginOptions {
    /// Empty options: `{"stepup":false,"customClaims":null,"mfa":false}` on the wire.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets step-up authentication (the call then needs the refresh token).
    pub fn stepup(mut self, on: bool) -> Self {
        self.stepup = on;
        self
    }

    /// Sets MFA on an existing session (the call then needs the refresh token).
    pub fn mfa(mut self, on: bool) -> Self {
        self.mfa = on;
        self
    }

    /// Replaces the custom claims.
    pub fn custom_claims(mut self, claims: Map<String, Value>) -> Self {
        self.custom_claims = Some(claims);
        self
    }

    /// Adds one custom claim.
    pub fn custom_claim(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.custom_claims
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// Revokes (or keeps) the user's other sessions.
    pub fn revoke_other_sessions(mut self, revoke: bool) -> Self {
        self.revoke_other_sessions = Some(revoke);
        self
    }

    /// Replaces the template variables.
    pub fn template_options(mut self, options: BTreeMap<String, String>) -> Self {
        self.template_options = Some(options);
        self
    }

    /// Adds one template variable.
    pub fn template_option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.template_options
            .get_or_insert_with(BTreeMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// Sets the message template.
    pub fn template_id(mut self, id: impl Into<String>) -> Self {
        self.template_id = Some(id.into());
        self
    }

    /// Sets the message locale.
    pub fn locale(mut self, locale: impl Into<String>) -> Self {
        self.locale = Some(locale.into());
        self
    }

    /// Whether these options act on an existing session (step-up or MFA), so that the call needs
    /// the user's refresh token.
    pub fn needs_refresh_token(&self) -> bool {
        self.stepup || self.mfa
    }
}

/// Options for a sign-up (sent as `loginOptions`, with only the fields that are set).
///
/// With a sign-up-or-in call they are sent as [`LoginOptions`] holding the same values
/// (`stepup` and `mfa` false).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SignUpOptions {
    /// Extra claims for the resulting session token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_claims: Option<Map<String, Value>>,
    /// A message template to use instead of the default one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<String>,
    /// Variables for the email or SMS template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_options: Option<BTreeMap<String, String>>,
    /// Revoke the user's other sessions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoke_other_sessions: Option<bool>,
}

impl SignUpOptions {
    /// Empty options (`{}` on the wire).
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the custom claims.
    pub fn custom_claims(mut self, claims: Map<String, Value>) -> Self {
        self.custom_claims = Some(claims);
        self
    }

    /// Adds one custom claim.
    pub fn custom_claim(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.custom_claims
            .get_or_insert_with(Map::new)
            .insert(key.into(), value.into());
        self
    }

    /// Sets the message template.
    pub fn template_id(mut self, id: impl Into<String>) -> Self {
        self.template_id = Some(id.into());
        self
    }

    /// Replaces the template variables.
    pub fn template_options(mut self, options: BTreeMap<String, String>) -> Self {
        self.template_options = Some(options);
        self
    }

    /// Adds one template variable.
    pub fn template_option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.template_options
            .get_or_insert_with(BTreeMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// Revokes (or keeps) the user's other sessions.
    pub fn revoke_other_sessions(mut self, revoke: bool) -> Self {
        self.revoke_other_sessions = Some(revoke);
        self
    }

    /// The same values as sign-in options, as a sign-up-or-in call sends them.
    pub fn to_login_options(&self) -> LoginOptions {
        LoginOptions {
            stepup: false,
            custom_claims: self.custom_claims.clone(),
            mfa: false,
            revoke_other_sessions: self.revoke_other_sessions,
            template_options: self.template_options.clone(),
            template_id: self.template_id.clone(),
            locale: None,
        }
    }
}

/// The user created by a sign-up. Every field is optional; unset fields are not sent.
///
/// For OTP, magic-link and enchanted-link sign-ups, an empty `email` (email delivery) or `phone`
/// (phone delivery) is filled in with the login ID, and the address must then be valid.
///
/// ```
/// use descope_auth::SignUpUser;
/// let user = SignUpUser::new().name("Desmond Copeland").email("desmond@descope.com");
/// # let _ = user;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SignUpUser {
    /// Display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Given name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Middle name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    /// Family name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Any other user field the API accepts, sent as given.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl SignUpUser {
    /// An empty user.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the display name.
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

    /// Sets the phone number.
    pub fn phone(mut self, v: impl Into<String>) -> Self {
        self.phone = Some(v.into());
        self
    }

    /// Sets the email address.
    pub fn email(mut self, v: impl Into<String>) -> Self {
        self.email = Some(v.into());
        self
    }

    /// Sets any other user field (for example `username` or `icon`).
    pub fn field(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(key.into(), value.into());
        self
    }

    pub(crate) fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_else(|_| Value::Object(Map::new()))
    }
}

/// `loginOptions` as sign-in calls send it: `{}` without options.
pub(crate) fn login_options_value(options: Option<&LoginOptions>) -> Value {
    options
        .and_then(|o| serde_json::to_value(o).ok())
        .unwrap_or_else(|| Value::Object(Map::new()))
}

/// `loginOptions` as sign-up-or-in calls send it: `{}` without options, else the sign-up
/// options turned into login options.
pub(crate) fn sign_up_or_in_options_value(options: Option<&SignUpOptions>) -> Value {
    login_options_value(options.map(SignUpOptions::to_login_options).as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn default_login_options_always_send_stepup_mfa_and_a_null_custom_claims() {
        assert_eq!(
            serde_json::to_value(LoginOptions::new()).unwrap(),
            json!({"stepup": false, "customClaims": null, "mfa": false})
        );
        assert_eq!(login_options_value(None), json!({}));
    }

    #[test]
    fn full_login_options_send_every_field_under_its_wire_name() {
        let o = LoginOptions::new()
            .stepup(true)
            .revoke_other_sessions(true)
            .custom_claim("k1", "v1")
            .template_option("greeting", "hi")
            .template_id("tmpl-1")
            .locale("en-US");
        assert_eq!(
            serde_json::to_value(o).unwrap(),
            json!({"stepup": true, "customClaims": {"k1": "v1"}, "mfa": false,
                   "revokeOtherSessions": true, "templateOptions": {"greeting": "hi"},
                   "templateId": "tmpl-1", "locale": "en-US"})
        );
    }

    #[test]
    fn sign_up_options_send_only_what_is_set() {
        assert_eq!(
            serde_json::to_value(SignUpOptions::new()).unwrap(),
            json!({})
        );
        let o = SignUpOptions::new().custom_claim("k1", "v1");
        assert_eq!(
            serde_json::to_value(&o).unwrap(),
            json!({"customClaims": {"k1": "v1"}})
        );
        assert_eq!(
            sign_up_or_in_options_value(Some(&o)),
            json!({"stepup": false, "customClaims": {"k1": "v1"}, "mfa": false})
        );
        assert_eq!(sign_up_or_in_options_value(None), json!({}));
    }

    #[test]
    fn sign_up_or_in_forwards_revoke_other_sessions() {
        let o = SignUpOptions::new().revoke_other_sessions(true);
        assert_eq!(
            sign_up_or_in_options_value(Some(&o))["revokeOtherSessions"],
            json!(true)
        );
    }

    #[test]
    fn step_up_and_mfa_need_a_refresh_token() {
        assert!(!LoginOptions::new().needs_refresh_token());
        assert!(LoginOptions::new().stepup(true).needs_refresh_token());
        assert!(LoginOptions::new().mfa(true).needs_refresh_token());
    }

    #[test]
    fn sign_up_user_sends_set_fields_and_extra_ones() {
        let u = SignUpUser::new()
            .name("Desmond")
            .given_name("D")
            .field("username", "dc");
        assert_eq!(
            u.to_value(),
            json!({"name": "Desmond", "givenName": "D", "username": "dc"})
        );
    }
}
