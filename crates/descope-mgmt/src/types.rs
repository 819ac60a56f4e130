//! Data types sent to and received from the management API, with the API's exact JSON names
//! (including its inconsistent ones: `ssoAppIDs` next to `ssoAppIds`, `JWKsUrl`, `URI`, …).
//!
//! Types the API returns keep every field they do not model in an `extra` map, so the raw
//! JSON stays reachable.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use descope_core::types::{User, UserTenant};
pub use descope_core::DeliveryMethod;

/// Extra fields the API sent that the SDK does not model.
pub type Extra = BTreeMap<String, Value>;

// ---------------------------------------------------------------------------------------------
// Associations

/// A tenant membership with tenant roles (`{"tenantId", "roleNames"}`), used for users
/// (`userTenants`) and access keys (`keyTenants`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AssociatedTenant {
    /// The tenant ID.
    #[serde(default)]
    pub tenant_id: String,
    /// Role names within the tenant (sent as `[]` when empty).
    #[serde(default)]
    pub role_names: Vec<String>,
}

impl AssociatedTenant {
    /// A membership of `tenant_id` with no tenant roles.
    pub fn new(tenant_id: impl Into<String>) -> Self {
        Self {
            tenant_id: tenant_id.into(),
            role_names: Vec::new(),
        }
    }

    /// Sets the tenant roles.
    pub fn role_names<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.role_names = roles.into_iter().map(Into::into).collect();
        self
    }
}

/// A family membership (`{"familyId", "roleNames"?, "familyScopedAttributes"?}`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AssociatedFamily {
    /// The family ID.
    #[serde(default)]
    pub family_id: String,
    /// Roles within the family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_names: Option<Vec<String>>,
    /// Attributes scoped to the family.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_scoped_attributes: Option<Map<String, Value>>,
}

impl AssociatedFamily {
    /// A membership of `family_id`.
    pub fn new(family_id: impl Into<String>) -> Self {
        Self {
            family_id: family_id.into(),
            ..Self::default()
        }
    }

    /// Sets the family roles.
    pub fn role_names<I, S>(mut self, roles: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.role_names = Some(roles.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the family-scoped attributes.
    pub fn attributes<I, K, V>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<Value>,
    {
        self.family_scoped_attributes = Some(crate::call::object(pairs));
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Passwords

/// A password hash imported with a user. Never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordHash {
    /// bcrypt: `{"bcrypt": {"hash"}}`.
    Bcrypt {
        /// The bcrypt hash string.
        hash: String,
    },
    /// Firebase scrypt: `{"firebase": {"hash", "salt", "saltSeparator", "signerKey", "memory",
    /// "rounds"}}`; the strings are standard base64 with padding.
    Firebase {
        /// The hash (base64).
        hash: String,
        /// The salt (base64).
        salt: String,
        /// The salt separator (base64).
        salt_separator: String,
        /// The signer key (base64).
        signer_key: String,
        /// The memory cost.
        memory: i64,
        /// The rounds.
        rounds: i64,
    },
    /// PBKDF2: `{"pbkdf2": {"hash", "salt", "iterations", "type"}}`.
    Pbkdf2 {
        /// The hash (base64).
        hash: String,
        /// The salt (base64).
        salt: String,
        /// The iteration count.
        iterations: i64,
        /// `sha1`, `sha256` or `sha512` (the JSON key is `type`).
        variant: String,
    },
    /// Django: `{"django": {"hash"}}`.
    Django {
        /// The Django hash string.
        hash: String,
    },
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            PasswordHash::Bcrypt { .. } => "Bcrypt",
            PasswordHash::Firebase { .. } => "Firebase",
            PasswordHash::Pbkdf2 { .. } => "Pbkdf2",
            PasswordHash::Django { .. } => "Django",
        };
        write!(f, "PasswordHash::{kind}(<redacted>)")
    }
}

impl PasswordHash {
    /// The wire encoding.
    pub fn to_json(&self) -> Value {
        match self {
            PasswordHash::Bcrypt { hash } => serde_json::json!({"bcrypt": {"hash": hash}}),
            PasswordHash::Firebase {
                hash,
                salt,
                salt_separator,
                signer_key,
                memory,
                rounds,
            } => serde_json::json!({"firebase": {
                "hash": hash, "salt": salt, "saltSeparator": salt_separator,
                "signerKey": signer_key, "memory": memory, "rounds": rounds}}),
            PasswordHash::Pbkdf2 {
                hash,
                salt,
                iterations,
                variant,
            } => serde_json::json!({"pbkdf2": {
                "hash": hash, "salt": salt, "iterations": iterations, "type": variant}}),
            PasswordHash::Django { hash } => serde_json::json!({"django": {"hash": hash}}),
        }
    }
}

/// A user's password for a batch import: a cleartext password, a hash, or (as the API
/// accepts) both. Never shown by `Debug`.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserPassword {
    /// The cleartext password (`password`).
    pub cleartext: Option<String>,
    /// The hashed password (`hashedPassword`).
    pub hashed: Option<PasswordHash>,
}

impl fmt::Debug for UserPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserPassword")
            .field("cleartext", &self.cleartext.as_ref().map(|_| "<redacted>"))
            .field("hashed", &self.hashed)
            .finish()
    }
}

impl UserPassword {
    /// A cleartext password.
    pub fn cleartext(password: impl Into<String>) -> Self {
        Self {
            cleartext: Some(password.into()),
            hashed: None,
        }
    }

    /// A password hash.
    pub fn hashed(hash: PasswordHash) -> Self {
        Self {
            cleartext: None,
            hashed: Some(hash),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Batch users

/// One user of a batch call (`invite_batch`, `patch_batch`). Fields left `None` are encoded as
/// each call needs (see the call). `Debug` hides the password and seed.
#[derive(Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct BatchUser {
    /// Login ID.
    pub login_id: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Middle name.
    pub middle_name: Option<String>,
    /// Family name.
    pub family_name: Option<String>,
    /// Project roles.
    pub role_names: Option<Vec<String>>,
    /// Tenant memberships.
    pub user_tenants: Option<Vec<AssociatedTenant>>,
    /// Picture URL.
    pub picture: Option<String>,
    /// Custom attributes.
    pub custom_attributes: Option<Map<String, Value>>,
    /// Whether the email is verified.
    pub verified_email: Option<bool>,
    /// Whether the phone is verified.
    pub verified_phone: Option<bool>,
    /// Additional login IDs.
    pub additional_login_ids: Option<Vec<String>>,
    /// SSO application IDs.
    pub sso_app_ids: Option<Vec<String>>,
    /// Password (batch create only).
    pub password: Option<UserPassword>,
    /// TOTP seed (batch create only).
    pub seed: Option<String>,
    /// Status: `enabled`, `disabled`, `invited` or `expired`.
    pub status: Option<String>,
    /// Family memberships.
    pub family_associations: Option<Vec<AssociatedFamily>>,
}

impl fmt::Debug for BatchUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchUser")
            .field("login_id", &self.login_id)
            .field("email", &self.email)
            .field("status", &self.status)
            .field("password", &self.password)
            .field("seed", &self.seed.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

macro_rules! batch_setters {
    ($($(#[$m:meta])* $name:ident: $kind:ident),* $(,)?) => {
        impl BatchUser {
            $( batch_setters!(@one $(#[$m])* $name $kind); )*
        }
    };
    (@one $(#[$m:meta])* $name:ident str) => {
        $(#[$m])*
        pub fn $name(mut self, v: impl Into<String>) -> Self { self.$name = Some(v.into()); self }
    };
    (@one $(#[$m:meta])* $name:ident strs) => {
        $(#[$m])*
        pub fn $name<I: IntoIterator<Item = S>, S: Into<String>>(mut self, v: I) -> Self {
            self.$name = Some(v.into_iter().map(Into::into).collect()); self
        }
    };
    (@one $(#[$m:meta])* $name:ident bool) => {
        $(#[$m])*
        pub fn $name(mut self, v: bool) -> Self { self.$name = Some(v); self }
    };
}

batch_setters! {
    /// Sets the email.
    email: str,
    /// Sets the phone.
    phone: str,
    /// Sets the display name.
    display_name: str,
    /// Sets the given name.
    given_name: str,
    /// Sets the middle name.
    middle_name: str,
    /// Sets the family name.
    family_name: str,
    /// Sets the project roles.
    role_names: strs,
    /// Sets the picture URL.
    picture: str,
    /// Sets whether the email is verified.
    verified_email: bool,
    /// Sets whether the phone is verified.
    verified_phone: bool,
    /// Sets additional login IDs.
    additional_login_ids: strs,
    /// Sets the SSO application IDs.
    sso_app_ids: strs,
    /// Sets the TOTP seed.
    seed: str,
    /// Sets the status.
    status: str,
}

impl BatchUser {
    /// A user with only a login ID.
    pub fn new(login_id: impl Into<String>) -> Self {
        Self {
            login_id: login_id.into(),
            ..Self::default()
        }
    }

    /// Sets the tenant memberships.
    pub fn user_tenants(mut self, tenants: impl IntoIterator<Item = AssociatedTenant>) -> Self {
        self.user_tenants = Some(tenants.into_iter().collect());
        self
    }

    /// Sets the custom attributes.
    pub fn custom_attributes<I, K, V>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<Value>,
    {
        self.custom_attributes = Some(crate::call::object(pairs));
        self
    }

    /// Sets the password.
    pub fn password(mut self, password: UserPassword) -> Self {
        self.password = Some(password);
        self
    }

    /// Sets the family memberships.
    pub fn family_associations(
        mut self,
        families: impl IntoIterator<Item = AssociatedFamily>,
    ) -> Self {
        self.family_associations = Some(families.into_iter().collect());
        self
    }

    /// The `invite_batch` encoding: the user body with `roleNames`, `userTenants` and
    /// `ssoAppIDs` as `[]` when unset, plus password, seed and status when set.
    pub(crate) fn to_batch_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("loginId".into(), self.login_id.clone().into());
        m.insert("email".into(), json_opt(&self.email));
        m.insert("phone".into(), json_opt(&self.phone));
        m.insert("displayName".into(), json_opt(&self.display_name));
        m.insert(
            "roleNames".into(),
            to_json(&self.role_names.clone().unwrap_or_default()),
        );
        m.insert(
            "userTenants".into(),
            to_json(&self.user_tenants.clone().unwrap_or_default()),
        );
        m.insert("test".into(), false.into());
        m.insert("picture".into(), json_opt(&self.picture));
        m.insert("customAttributes".into(), json_opt(&self.custom_attributes));
        m.insert(
            "additionalLoginIds".into(),
            json_opt(&self.additional_login_ids),
        );
        m.insert(
            "ssoAppIDs".into(),
            to_json(&self.sso_app_ids.clone().unwrap_or_default()),
        );
        insert_opt(&mut m, "verifiedEmail", &self.verified_email);
        insert_opt(&mut m, "givenName", &self.given_name);
        insert_opt(&mut m, "middleName", &self.middle_name);
        insert_opt(&mut m, "familyName", &self.family_name);
        insert_opt(&mut m, "verifiedPhone", &self.verified_phone);
        if let Some(p) = &self.password {
            insert_opt(&mut m, "password", &p.cleartext);
            if let Some(h) = &p.hashed {
                m.insert("hashedPassword".into(), h.to_json());
            }
        }
        insert_opt(&mut m, "seed", &self.seed);
        insert_opt(&mut m, "status", &self.status);
        insert_opt(&mut m, "familyAssociations", &self.family_associations);
        Value::Object(m)
    }

    /// The `patch_batch` encoding: only the fields that are set.
    pub(crate) fn to_patch_json(&self, test: bool) -> Value {
        let mut m = Map::new();
        m.insert("loginId".into(), self.login_id.clone().into());
        insert_opt(&mut m, "email", &self.email);
        insert_opt(&mut m, "phone", &self.phone);
        insert_opt(&mut m, "displayName", &self.display_name);
        insert_opt(&mut m, "givenName", &self.given_name);
        insert_opt(&mut m, "middleName", &self.middle_name);
        insert_opt(&mut m, "familyName", &self.family_name);
        insert_opt(&mut m, "roleNames", &self.role_names);
        insert_opt(&mut m, "userTenants", &self.user_tenants);
        insert_opt(&mut m, "picture", &self.picture);
        insert_opt(&mut m, "customAttributes", &self.custom_attributes);
        insert_opt(&mut m, "verifiedEmail", &self.verified_email);
        insert_opt(&mut m, "verifiedPhone", &self.verified_phone);
        insert_opt(&mut m, "ssoAppIds", &self.sso_app_ids);
        insert_opt(&mut m, "status", &self.status);
        if test {
            m.insert("test".into(), true.into());
        }
        insert_opt(&mut m, "familyAssociations", &self.family_associations);
        Value::Object(m)
    }
}

fn to_json<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn json_opt<T: Serialize>(v: &Option<T>) -> Value {
    v.as_ref().map(to_json).unwrap_or(Value::Null)
}

fn insert_opt<T: Serialize>(m: &mut Map<String, Value>, key: &str, v: &Option<T>) {
    if let Some(v) = v {
        m.insert(key.to_owned(), to_json(v));
    }
}

// ---------------------------------------------------------------------------------------------
// Login options, delivery methods, sort

/// Options for the test-user generators and management sign-in (`loginOptions`).
///
/// Encoded as `{"stepup", "customClaims", "mfa"}` plus the optional keys that are set.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct LoginOptions {
    /// Step-up authentication.
    pub stepup: bool,
    /// Multi-factor authentication.
    pub mfa: bool,
    /// Revoke the user's other sessions.
    pub revoke_other_sessions: Option<bool>,
    /// Custom claims added to the JWT.
    pub custom_claims: Option<Map<String, Value>>,
    /// Template options for the message.
    pub template_options: Option<Map<String, Value>>,
    /// The message template ID.
    pub template_id: Option<String>,
    /// The message locale.
    pub locale: Option<String>,
}

impl LoginOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets step-up.
    pub fn stepup(mut self, v: bool) -> Self {
        self.stepup = v;
        self
    }

    /// Sets MFA.
    pub fn mfa(mut self, v: bool) -> Self {
        self.mfa = v;
        self
    }

    /// Sets whether other sessions are revoked.
    pub fn revoke_other_sessions(mut self, v: bool) -> Self {
        self.revoke_other_sessions = Some(v);
        self
    }

    /// Sets custom claims.
    pub fn custom_claims<I, K, V>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<Value>,
    {
        self.custom_claims = Some(crate::call::object(pairs));
        self
    }

    /// Sets template options.
    pub fn template_options<I, K, V>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<Value>,
    {
        self.template_options = Some(crate::call::object(pairs));
        self
    }

    /// Sets the template ID.
    pub fn template_id(mut self, v: impl Into<String>) -> Self {
        self.template_id = Some(v.into());
        self
    }

    /// Sets the locale.
    pub fn locale(mut self, v: impl Into<String>) -> Self {
        self.locale = Some(v.into());
        self
    }

    /// The wire encoding.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("stepup".into(), self.stepup.into());
        m.insert("customClaims".into(), json_opt(&self.custom_claims));
        m.insert("mfa".into(), self.mfa.into());
        insert_opt(&mut m, "revokeOtherSessions", &self.revoke_other_sessions);
        insert_opt(&mut m, "templateOptions", &self.template_options);
        insert_opt(&mut m, "templateId", &self.template_id);
        insert_opt(&mut m, "locale", &self.locale);
        Value::Object(m)
    }
}

/// How a management test-user generator "delivers" its code or link: one of the
/// [`DeliveryMethod`]s (`email`, `sms`, `voice`, `whatsapp`), or embedded (`"Embedded"`, with a
/// capital E: the code is only returned to the caller).
///
/// Every `DeliveryMethod` converts into it, so the generators take the same values as the
/// authentication calls:
///
/// ```
/// use descope_core::DeliveryMethod;
/// use descope_mgmt::TestDelivery;
/// assert_eq!(TestDelivery::from(DeliveryMethod::WhatsApp).as_str(), "whatsapp");
/// assert_eq!(TestDelivery::Embedded.as_str(), "Embedded");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TestDelivery {
    /// One of the delivery methods of the authentication API.
    Method(DeliveryMethod),
    /// Embedded: nothing is sent, the code is returned to the caller.
    Embedded,
}

impl TestDelivery {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            TestDelivery::Method(m) => m.as_str(),
            TestDelivery::Embedded => "Embedded",
        }
    }
}

impl From<DeliveryMethod> for TestDelivery {
    fn from(method: DeliveryMethod) -> Self {
        TestDelivery::Method(method)
    }
}

/// A sort key for user searches (`{"field", "desc"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sort {
    /// The field to sort by.
    pub field: String,
    /// Descending order.
    #[serde(default)]
    pub desc: bool,
}

impl Sort {
    /// Ascending by `field`.
    pub fn asc(field: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            desc: false,
        }
    }

    /// Descending by `field`.
    pub fn desc(field: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            desc: true,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Results shared by several modules

/// A generic record for answers the SDK passes through (the raw JSON object).
pub type JsonObject = Map<String, Value>;
