//! Session calls on the facade client: validation, refresh, tenant selection, logout, the
//! signed-in user, access-key exchange, and the role and permission helpers.

use descope_auth::session::{
    AccessKeyLoginOptions, LoginRecord, Sessions, TenantInfo, TenantSelection,
};
use descope_core::types::User;
use descope_core::{Error, Result, TokenErrorKind};
use descope_jwt::{AccessKeyResponse, JwtResponse, Session};

use crate::Client;

impl Client {
    /// The session calls as a separate handle (the same calls as the methods below).
    pub fn sessions(&self) -> Sessions {
        Sessions::new(self.api().clone(), self.validator().clone())
    }

    /// Validates a session token: signature, expiry (with the configured leeway), issuer and
    /// audience. No network call once the project's keys are known; a token validated before is
    /// answered from memory.
    ///
    /// `audience`: with `None`, a token whose `aud` is absent, or is or contains the project ID,
    /// passes; with `Some(a)`, the token's `aud` must be or contain `a`.
    ///
    /// ```no_run
    /// # async fn run(client: descope::Client, token: &str) -> descope::Result<()> {
    /// let session = client.validate_session(token, None).await?;
    /// if client.validate_roles(&session, &["admin"]) {
    ///     println!("admin {}", session.user_id());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn validate_session(
        &self,
        session_token: &str,
        audience: Option<&str>,
    ) -> Result<Session> {
        if session_token.is_empty() {
            return Err(Error::token(
                TokenErrorKind::Missing,
                "a session token is required for validation",
            ));
        }
        self.validator().validate(session_token, audience).await
    }

    /// Renews a session with its refresh token (`POST /v1/auth/refresh`). The refresh token is
    /// validated locally first.
    pub async fn refresh_session(
        &self,
        refresh_token: &str,
        audience: Option<&str>,
    ) -> Result<JwtResponse> {
        self.sessions()
            .refresh_session(refresh_token, audience)
            .await
    }

    /// Validates the session token and, if that fails for any reason, renews the session with
    /// the refresh token.
    pub async fn validate_and_refresh_session(
        &self,
        session_token: &str,
        refresh_token: &str,
        audience: Option<&str>,
    ) -> Result<JwtResponse> {
        self.sessions()
            .validate_and_refresh_session(session_token, refresh_token, audience)
            .await
    }

    /// Selects a tenant for the session; the new tokens carry it in `dct`
    /// ([`Session::selected_tenant`]).
    pub async fn select_tenant(&self, tenant_id: &str, refresh_token: &str) -> Result<JwtResponse> {
        self.sessions()
            .select_tenant(tenant_id, refresh_token)
            .await
    }

    /// Ends this session.
    pub async fn logout(&self, refresh_token: &str) -> Result<()> {
        self.sessions().logout(refresh_token).await
    }

    /// Ends every session of the user.
    pub async fn logout_all(&self, refresh_token: &str) -> Result<()> {
        self.sessions().logout_all(refresh_token).await
    }

    /// The signed-in user.
    pub async fn me(&self, refresh_token: &str) -> Result<User> {
        self.sessions().me(refresh_token).await
    }

    /// The signed-in user's recent sign-ins.
    pub async fn history(&self, refresh_token: &str) -> Result<Vec<LoginRecord>> {
        self.sessions().history(refresh_token).await
    }

    /// The signed-in user's tenants: the selected one, or the ones named.
    pub async fn my_tenants(
        &self,
        refresh_token: &str,
        selection: &TenantSelection,
    ) -> Result<Vec<TenantInfo>> {
        self.sessions().my_tenants(refresh_token, selection).await
    }

    /// Exchanges an access key for a session token, optionally with custom claims or a
    /// selected tenant.
    pub async fn exchange_access_key(
        &self,
        access_key: &str,
        audience: Option<&str>,
        options: Option<&AccessKeyLoginOptions>,
    ) -> Result<AccessKeyResponse> {
        self.sessions()
            .exchange_access_key(access_key, audience, options)
            .await
    }

    /// Whether the session has every permission in `permissions` at project level.
    pub fn validate_permissions<S: AsRef<str>>(
        &self,
        session: &Session,
        permissions: &[S],
    ) -> bool {
        session.validate_permissions(permissions)
    }

    /// Whether the session has every role in `roles` at project level.
    pub fn validate_roles<S: AsRef<str>>(&self, session: &Session, roles: &[S]) -> bool {
        session.validate_roles(roles)
    }

    /// The project-level permissions among `permissions`, in request order.
    pub fn get_matched_permissions<S: AsRef<str>>(
        &self,
        session: &Session,
        permissions: &[S],
    ) -> Vec<String> {
        session.get_matched_permissions(permissions)
    }

    /// The project-level roles among `roles`, in request order.
    pub fn get_matched_roles<S: AsRef<str>>(&self, session: &Session, roles: &[S]) -> Vec<String> {
        session.get_matched_roles(roles)
    }

    /// Whether the session has every permission in `permissions` in tenant `tenant`.
    pub fn validate_tenant_permissions<S: AsRef<str>>(
        &self,
        session: &Session,
        tenant: &str,
        permissions: &[S],
    ) -> bool {
        session.validate_tenant_permissions(tenant, permissions)
    }

    /// Whether the session has every role in `roles` in tenant `tenant`.
    pub fn validate_tenant_roles<S: AsRef<str>>(
        &self,
        session: &Session,
        tenant: &str,
        roles: &[S],
    ) -> bool {
        session.validate_tenant_roles(tenant, roles)
    }

    /// The permissions among `permissions` granted in tenant `tenant`, in request order.
    pub fn get_matched_tenant_permissions<S: AsRef<str>>(
        &self,
        session: &Session,
        tenant: &str,
        permissions: &[S],
    ) -> Vec<String> {
        session.get_matched_tenant_permissions(tenant, permissions)
    }

    /// The roles among `roles` granted in tenant `tenant`, in request order.
    pub fn get_matched_tenant_roles<S: AsRef<str>>(
        &self,
        session: &Session,
        tenant: &str,
        roles: &[S],
    ) -> Vec<String> {
        session.get_matched_tenant_roles(tenant, roles)
    }
}
