//! The records the emulator keeps, and how they look on the wire.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// A user's membership of a tenant.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct TenantLink {
    pub tenant_id: String,
    pub role_names: Vec<String>,
}

/// A user.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UserRecord {
    pub user_id: String,
    pub login_ids: Vec<String>,
    pub email: String,
    pub phone: String,
    pub name: String,
    pub given_name: String,
    pub middle_name: String,
    pub family_name: String,
    pub verified_email: bool,
    pub verified_phone: bool,
    pub role_names: Vec<String>,
    pub user_tenants: Vec<TenantLink>,
    pub status: String,
    pub picture: String,
    pub test: bool,
    pub custom_attributes: Map<String, Value>,
    pub created_time: i64,
    pub sso_app_ids: Vec<String>,
    /// `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`.
    pub password_hash: Option<String>,
    /// The password must be replaced before it signs in (expired or temporary).
    pub password_expired: bool,
    /// The base32 TOTP secret.
    pub totp_secret: Option<String>,
    /// The OAuth providers the user signed in with.
    pub oauth_providers: Vec<String>,
    /// The user signed in through SSO or SAML.
    pub saml: bool,
    /// Registered passkeys (WebAuthn credentials).
    pub passkeys: Vec<PasskeyRecord>,
    /// The recovery email and phone (management `update/recovery/*`).
    pub recovery_email: String,
    pub recovery_phone: String,
    /// Family memberships: `{familyId, roleNames?, familyScopedAttributes?}` as sent.
    pub family_associations: Vec<Value>,
}

/// A registered passkey: a P-256 public key and its authenticator's signature counter.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct PasskeyRecord {
    /// The credential ID (base64url).
    pub credential_id: String,
    /// The uncompressed P-256 point (base64url).
    pub public_key: String,
    pub sign_count: u32,
    pub rp_id: String,
    pub created: i64,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("user_id", &self.user_id)
            .field("login_ids", &self.login_ids)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl UserRecord {
    /// The user as the API returns it.
    pub fn to_api(&self, tenants: &BTreeMap<String, TenantRecord>) -> Value {
        let user_tenants: Vec<Value> = self
            .user_tenants
            .iter()
            .map(|t| {
                json!({
                    "tenantId": t.tenant_id,
                    "roleNames": t.role_names,
                    "tenantName": tenants.get(&t.tenant_id).map(|x| x.name.clone()).unwrap_or_default(),
                })
            })
            .collect();
        json!({
            "userId": self.user_id,
            "loginIds": self.login_ids,
            "externalIds": self.login_ids,
            "name": self.name,
            "givenName": self.given_name,
            "middleName": self.middle_name,
            "familyName": self.family_name,
            "email": self.email,
            "phone": self.phone,
            "verifiedEmail": self.verified_email,
            "verifiedPhone": self.verified_phone,
            "roleNames": self.role_names,
            "userTenants": user_tenants,
            "status": self.status,
            "picture": self.picture,
            "test": self.test,
            "customAttributes": self.custom_attributes,
            "createdTime": self.created_time,
            "TOTP": self.totp_secret.is_some(),
            "SAML": self.saml,
            "OAuth": self
                .oauth_providers
                .iter()
                .map(|p| (p.clone(), Value::Bool(true)))
                .collect::<Map<String, Value>>(),
            "webauthn": !self.passkeys.is_empty(),
            "password": self.password_hash.is_some(),
            "ssoAppIds": self.sso_app_ids,
            "recoveryEmail": self.recovery_email,
            "recoveryPhone": self.recovery_phone,
            "familyAssociations": self.family_associations,
        })
    }
}

/// A tenant.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TenantRecord {
    pub id: String,
    pub name: String,
    pub self_provisioning_domains: Vec<String>,
    pub custom_attributes: Map<String, Value>,
    pub created_time: i64,
    pub enforce_sso: bool,
    pub disabled: bool,
}

impl TenantRecord {
    /// The tenant as the API returns it.
    pub fn to_api(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "selfProvisioningDomains": self.self_provisioning_domains,
            "customAttributes": self.custom_attributes,
            "createdTime": self.created_time,
            "authType": "none",
            "enforceSSO": self.enforce_sso,
            "disabled": self.disabled,
        })
    }
}

/// A role, project-wide (`tenant_id` empty) or scoped to a tenant.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RoleRecord {
    pub name: String,
    pub description: String,
    pub permission_names: Vec<String>,
    pub tenant_id: String,
    pub created_time: i64,
}

impl RoleRecord {
    /// The store key of a role.
    pub fn key(tenant_id: &str, name: &str) -> String {
        format!("{tenant_id}\n{name}")
    }

    /// The role as the API returns it.
    pub fn to_api(&self) -> Value {
        json!({
            "name": self.name,
            "description": self.description,
            "permissionNames": self.permission_names,
            "tenantId": self.tenant_id,
            "createdTime": self.created_time,
        })
    }
}

/// A permission.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct PermissionRecord {
    pub name: String,
    pub description: String,
}

/// An access key. Only a SHA-256 digest of its secret is kept.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AccessKeyRecord {
    pub id: String,
    pub name: String,
    pub description: String,
    pub role_names: Vec<String>,
    pub key_tenants: Vec<TenantLink>,
    pub status: String,
    pub created_time: i64,
    pub expire_time: i64,
    pub created_by: String,
    pub client_id: String,
    pub bound_user_id: String,
    pub custom_claims: Map<String, Value>,
    pub custom_attributes: Map<String, Value>,
    pub permitted_ips: Vec<String>,
    pub secret_digest: String,
}

impl std::fmt::Debug for AccessKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKeyRecord")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl AccessKeyRecord {
    /// The key as the API returns it (never the secret).
    pub fn to_api(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "roleNames": self.role_names,
            "keyTenants": self.key_tenants,
            "status": self.status,
            "createdTime": self.created_time,
            "expireTime": self.expire_time,
            "createdBy": self.created_by,
            "clientId": self.client_id,
            "boundUserId": self.bound_user_id,
            "customClaims": self.custom_claims,
            "customAttributes": self.custom_attributes,
            "permittedIps": self.permitted_ips,
        })
    }
}

/// A refresh session: one per issued refresh token.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SessionRecord {
    pub id: String,
    pub user_id: String,
    pub created: i64,
    pub expires: i64,
    pub revoked: bool,
    pub amr: Vec<String>,
    pub dct: Option<String>,
    pub custom_claims: Map<String, Value>,
}

/// One successful login, for `me/history`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct LoginRecord {
    pub id: String,
    pub user_id: String,
    pub login_time: i64,
    pub ip: String,
}

/// A signing key (PKCS#8 DER, base64).
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SigningKeyRecord {
    pub kid: String,
    pub pkcs8: String,
    pub created: i64,
    /// When it stopped signing (it stays in the JWKS for the grace period after this).
    pub retired: Option<i64>,
}

impl std::fmt::Debug for SigningKeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyRecord")
            .field("kid", &self.kid)
            .field("retired", &self.retired)
            .finish_non_exhaustive()
    }
}

/// The project's identity, fixed at first start.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ProjectRecord {
    pub project_id: String,
    pub management_key: String,
}
