//! Session calls: refresh, tenant selection, logout, me, history, my tenants, access-key
//! exchange, and session validation with automatic refresh.
//!
//! [`Sessions`] holds the request pipeline and the [`SessionValidator`]; the `descope` facade
//! exposes the same calls on its client (`client.refresh_session(..)`, …).

use std::collections::BTreeMap;
use std::fmt;

use descope_core::types::User;
use descope_core::{endpoints, Error, Result, TokenErrorKind};
use descope_jwt::{AccessKeyResponse, JwtResponse, Session, SessionValidator};
use descope_transport::ApiClient;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The session calls of the authentication API.
#[derive(Clone)]
pub struct Sessions {
    api: ApiClient,
    validator: SessionValidator,
}

impl fmt::Debug for Sessions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sessions")
            .field("project_id", &self.api.config().project_id)
            .finish_non_exhaustive()
    }
}

/// Options of an access-key exchange (sent as `loginOptions`; unset fields are left out).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AccessKeyLoginOptions {
    /// Extra claims for the issued token (the API places them under `nsec`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_claims: Option<Map<String, Value>>,
    /// The tenant to select in the issued token (`dct`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected_tenant: Option<String>,
}

impl AccessKeyLoginOptions {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one custom claim.
    pub fn custom_claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.custom_claims
            .get_or_insert_with(Map::new)
            .insert(name.into(), value.into());
        self
    }

    /// Sets every custom claim at once.
    pub fn custom_claims(mut self, claims: Map<String, Value>) -> Self {
        self.custom_claims = Some(claims);
        self
    }

    /// Selects a tenant in the issued token.
    pub fn selected_tenant(mut self, tenant_id: impl Into<String>) -> Self {
        self.selected_tenant = Some(tenant_id.into());
        self
    }
}

/// Which tenants [`Sessions::my_tenants`] returns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TenantSelection {
    /// The tenant selected in the session (`dct`).
    Current,
    /// These tenants (at least one ID).
    Ids(Vec<String>),
}

/// One sign-in of the user (`history`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LoginRecord {
    /// The user ID.
    #[serde(default)]
    pub user_id: String,
    /// When, seconds since the Unix epoch.
    #[serde(default)]
    pub login_time: i64,
    /// City of the sign-in.
    #[serde(default)]
    pub city: String,
    /// Country of the sign-in.
    #[serde(default)]
    pub country: String,
    /// IP address of the sign-in.
    #[serde(default)]
    pub ip: String,
    /// Every other field the API sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// One tenant of the user (`my_tenants`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TenantInfo {
    /// The tenant ID.
    #[serde(default)]
    pub id: String,
    /// The tenant name.
    #[serde(default)]
    pub name: String,
    /// The tenant's custom attributes.
    #[serde(default)]
    pub custom_attributes: BTreeMap<String, Value>,
    /// Every other field the API sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct TenantsBody {
    #[serde(default)]
    tenants: Vec<TenantInfo>,
}

fn missing(what: &str) -> Error {
    Error::token(TokenErrorKind::Missing, what.to_owned())
}

impl Sessions {
    /// The session calls over `api`, validating tokens with `validator`.
    pub fn new(api: ApiClient, validator: SessionValidator) -> Self {
        Self { api, validator }
    }

    /// The validator.
    pub fn validator(&self) -> &SessionValidator {
        &self.validator
    }

    /// Validates a session token locally (no network call once the project's keys are known).
    pub async fn validate_session(
        &self,
        session_token: &str,
        audience: Option<&str>,
    ) -> Result<Session> {
        if session_token.is_empty() {
            return Err(missing("a session token is required for validation"));
        }
        self.validator.validate(session_token, audience).await
    }

    /// Renews the session: validates the refresh token locally first (so an expired one fails
    /// without a network call), then `POST /v1/auth/refresh`. When the API sends no new
    /// refresh token (neither in the body nor as a `DSR` cookie), the result's refresh token
    /// is the one given.
    pub async fn refresh_session(
        &self,
        refresh_token: &str,
        audience: Option<&str>,
    ) -> Result<JwtResponse> {
        if refresh_token.is_empty() {
            return Err(missing("a refresh token is required to refresh a session"));
        }
        self.validator.validate(refresh_token, audience).await?;
        let resp = self
            .api
            .request(&endpoints::REFRESH)
            .json(&Value::Object(Map::new()))
            .token(refresh_token)
            .send()
            .await?;
        self.validator
            .jwt_response(&resp, Some(refresh_token), audience)
            .await
    }

    /// Validates the session token; if that fails for any reason, renews the session with the
    /// refresh token instead. A still-valid session comes back as a [`JwtResponse`] holding only
    /// that session.
    pub async fn validate_and_refresh_session(
        &self,
        session_token: &str,
        refresh_token: &str,
        audience: Option<&str>,
    ) -> Result<JwtResponse> {
        if session_token.is_empty() {
            return Err(missing("a session token is required"));
        }
        match self.validator.validate(session_token, audience).await {
            Ok(s) => Ok(JwtResponse::from_session(s)),
            Err(e) if refresh_token.is_empty() => Err(Error::token(
                TokenErrorKind::Missing,
                format!("the session token is not valid ({e}) and no refresh token was given"),
            )),
            Err(_) => self.refresh_session(refresh_token, audience).await,
        }
    }

    /// Selects a tenant for the session (`POST /v1/auth/tenant/select`): the new tokens carry
    /// it in their `dct` claim. The refresh token is not checked locally first.
    pub async fn select_tenant(&self, tenant_id: &str, refresh_token: &str) -> Result<JwtResponse> {
        if refresh_token.is_empty() {
            return Err(missing("a refresh token is required to select a tenant"));
        }
        let resp = self
            .api
            .request(&endpoints::TENANT_SELECT)
            .json(&serde_json::json!({ "tenant": tenant_id }))
            .token(refresh_token)
            .send()
            .await?;
        self.validator.jwt_response(&resp, None, None).await
    }

    /// Ends this session (`POST /v1/auth/logout`).
    pub async fn logout(&self, refresh_token: &str) -> Result<()> {
        self.api
            .request(&endpoints::LOGOUT)
            .json(&Value::Object(Map::new()))
            .token(refresh_token)
            .send()
            .await?;
        Ok(())
    }

    /// Ends every session of the user (`POST /v1/auth/logoutall`).
    pub async fn logout_all(&self, refresh_token: &str) -> Result<()> {
        self.api
            .request(&endpoints::LOGOUT_ALL)
            .json(&Value::Object(Map::new()))
            .token(refresh_token)
            .send()
            .await?;
        Ok(())
    }

    /// The signed-in user (`GET /v1/auth/me`).
    pub async fn me(&self, refresh_token: &str) -> Result<User> {
        self.api
            .request(&endpoints::ME)
            .token(refresh_token)
            .send_json()
            .await
    }

    /// The user's recent sign-ins (`GET /v1/auth/me/history`).
    pub async fn history(&self, refresh_token: &str) -> Result<Vec<LoginRecord>> {
        self.api
            .request(&endpoints::ME_HISTORY)
            .token(refresh_token)
            .send_json::<Option<Vec<LoginRecord>>>()
            .await
            .map(Option::unwrap_or_default)
    }

    /// The user's tenants (`POST /v1/auth/me/tenants`): the selected one, or the ones named.
    pub async fn my_tenants(
        &self,
        refresh_token: &str,
        selection: &TenantSelection,
    ) -> Result<Vec<TenantInfo>> {
        let body = match selection {
            TenantSelection::Current => serde_json::json!({ "dct": true }),
            TenantSelection::Ids(ids) if ids.is_empty() => {
                return Err(Error::invalid_argument(
                    "name at least one tenant ID, or ask for the current tenant",
                ))
            }
            TenantSelection::Ids(ids) => serde_json::json!({ "dct": false, "ids": ids }),
        };
        let resp: Option<TenantsBody> = self
            .api
            .request(&endpoints::ME_TENANTS)
            .json(&body)
            .token(refresh_token)
            .send_json()
            .await?;
        Ok(resp.map(|b| b.tenants).unwrap_or_default())
    }

    /// Exchanges an access key for a session token (`POST /v1/auth/accesskey/exchange`).
    pub async fn exchange_access_key(
        &self,
        access_key: &str,
        audience: Option<&str>,
        options: Option<&AccessKeyLoginOptions>,
    ) -> Result<AccessKeyResponse> {
        if access_key.is_empty() {
            return Err(Error::invalid_argument("the access key cannot be empty"));
        }
        let login_options = match options {
            Some(o) => serde_json::to_value(o).unwrap_or_else(|_| Value::Object(Map::new())),
            None => Value::Object(Map::new()),
        };
        let resp = self
            .api
            .request(&endpoints::ACCESS_KEY_EXCHANGE)
            .json(&serde_json::json!({ "loginOptions": login_options }))
            .token(access_key)
            .send()
            .await?;
        self.validator.access_key_response(&resp, audience).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_login_options_send_only_what_is_set() {
        assert_eq!(
            serde_json::to_value(AccessKeyLoginOptions::new()).unwrap(),
            serde_json::json!({})
        );
        assert_eq!(
            serde_json::to_value(AccessKeyLoginOptions::new().selected_tenant("t1")).unwrap(),
            serde_json::json!({"selectedTenant": "t1"})
        );
        assert_eq!(
            serde_json::to_value(AccessKeyLoginOptions::new().custom_claim("k1", "v1")).unwrap(),
            serde_json::json!({"customClaims": {"k1": "v1"}})
        );
    }
}
