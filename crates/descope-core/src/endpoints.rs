//! Every Descope endpoint the SDK calls.
//!
//! Each constant names one endpoint: method, path template, credential, idempotency and the
//! body fields that hold secrets.

pub use crate::endpoint::Method;
use crate::endpoint::{Credential, Endpoint, Method::*};

macro_rules! endpoints {
    ($( $(#[$m:meta])* $id:ident = ($name:literal, $method:ident, $path:literal, $cred:ident, $idem:literal, [$($secret:literal),*]); )*) => {
        $( $(#[$m])* pub const $id: Endpoint = Endpoint::new($name, $method, $path, Credential::$cred, $idem, &[$($secret),*]); )*
        /// Every endpoint, in table order.
        pub const ALL: &[Endpoint] = &[$($id),*];
    };
}

endpoints! {
    /// The project's public keys (JWKS). The path ends with the project ID.
    JWKS = ("auth.keys", Get, "/v2/keys/{projectId}", Auth, true, []);
    /// Refresh a session.
    REFRESH = ("auth.refresh", Post, "/v1/auth/refresh", RefreshToken, false, []);
    /// Select a tenant for the session.
    TENANT_SELECT = ("auth.tenant.select", Post, "/v1/auth/tenant/select", RefreshToken, false, []);
    /// Log out of this session.
    LOGOUT = ("auth.logout", Post, "/v1/auth/logout", RefreshToken, true, []);
    /// Log out of every session of the user.
    LOGOUT_ALL = ("auth.logoutall", Post, "/v1/auth/logoutall", RefreshToken, true, []);
    /// The current user.
    ME = ("auth.me", Get, "/v1/auth/me", RefreshToken, true, []);
    /// The current user's login history.
    ME_HISTORY = ("auth.me.history", Get, "/v1/auth/me/history", RefreshToken, true, []);
    /// The current user's tenants.
    ME_TENANTS = ("auth.me.tenants", Post, "/v1/auth/me/tenants", RefreshToken, true, []);
    /// Exchange an access key for a session token.
    ACCESS_KEY_EXCHANGE = ("auth.accesskey.exchange", Post, "/v1/auth/accesskey/exchange", AccessKey, false, []);
    /// Load a user by login ID or user ID (query `loginId` or `userId`).
    MGMT_USER_LOAD = ("mgmt.user.load", Get, "/v1/mgmt/user", Management, true, []);
    /// Load every tenant.
    MGMT_TENANT_LOAD_ALL = ("mgmt.tenant.load_all", Get, "/v1/mgmt/tenant/all", Management, true, []);
}
