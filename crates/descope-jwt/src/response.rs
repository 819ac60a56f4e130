//! Typed results of calls that answer with session tokens.

use descope_core::types::User;
use descope_transport::ApiResponse;
use serde::Deserialize;

use crate::session::Session;

/// The name of the refresh-token cookie Descope may set.
pub const REFRESH_COOKIE_NAME: &str = "DSR";
/// The name of the session-token cookie Descope may set (the SDK does not read it).
pub const SESSION_COOKIE_NAME: &str = "DS";

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Body {
    pub session_jwt: Option<String>,
    pub refresh_jwt: Option<String>,
    pub cookie_domain: Option<String>,
    pub cookie_path: Option<String>,
    pub cookie_max_age: Option<i64>,
    pub cookie_expiration: Option<i64>,
    pub user: Option<User>,
    pub first_seen: Option<bool>,
    pub key_id: Option<String>,
    pub expiration: Option<i64>,
}

/// How the app should set the session cookies, as the API suggests.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CookieData {
    /// Cookie expiry, seconds since the Unix epoch (`cookieExpiration`, 0 when absent).
    pub exp: i64,
    /// Cookie `Max-Age` in seconds (`cookieMaxAge`, 0 when absent).
    pub max_age: i64,
    /// Cookie domain (`cookieDomain`, empty when absent).
    pub domain: String,
    /// Cookie path (`cookiePath`, `/` when absent or empty).
    pub path: String,
}

impl Default for CookieData {
    fn default() -> Self {
        Self {
            exp: 0,
            max_age: 0,
            domain: String::new(),
            path: "/".to_owned(),
        }
    }
}

/// The result of a call that signs a user in or renews a session (verify, exchange, refresh,
/// tenant selection, …). Every token in it was validated.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JwtResponse {
    /// The session token (`sessionJwt`), when the API sent one.
    pub session: Option<Session>,
    /// The refresh token: `refreshJwt` from the body, else the `DSR` cookie, else the one the
    /// call was made with (refresh).
    pub refresh: Option<Session>,
    /// Cookie settings suggested by the API.
    pub cookie: CookieData,
    /// The user (`user`; empty when the API sent none).
    pub user: User,
    /// Whether this is the user's first sign-in (`firstSeen`; true when the API does not say).
    pub first_seen: bool,
    /// The project ID, from the session token, else the refresh token.
    pub project_id: String,
    /// The user ID, from the session token (`dsub`, else `sub`), else the refresh token.
    pub user_id: String,
}

impl JwtResponse {
    pub(crate) fn build(session: Option<Session>, refresh: Option<Session>, body: Body) -> Self {
        let (project_id, user_id) = ids(session.as_ref(), refresh.as_ref());
        Self {
            cookie: CookieData {
                exp: body.cookie_expiration.unwrap_or(0),
                max_age: body.cookie_max_age.unwrap_or(0),
                domain: body.cookie_domain.unwrap_or_default(),
                path: body
                    .cookie_path
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| "/".to_owned()),
            },
            user: body.user.unwrap_or_default(),
            first_seen: body.first_seen.unwrap_or(true),
            session,
            refresh,
            project_id,
            user_id,
        }
    }

    /// A response holding only an already validated session (as `validate_and_refresh_session`
    /// returns when the session token is still good): no refresh token, default cookie data,
    /// an empty user, `first_seen` false.
    pub fn from_session(session: Session) -> Self {
        let (project_id, user_id) = ids(Some(&session), None);
        Self {
            session: Some(session),
            refresh: None,
            cookie: CookieData::default(),
            user: User::default(),
            first_seen: false,
            project_id,
            user_id,
        }
    }

    /// The session token string.
    pub fn session_token(&self) -> Option<&str> {
        self.session.as_ref().map(Session::token)
    }

    /// The refresh token string.
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh.as_ref().map(Session::token)
    }

    /// The token whose roles, permissions and tenants describe the user: the session token,
    /// else the refresh token.
    pub fn claims_session(&self) -> Option<&Session> {
        self.session.as_ref().or(self.refresh.as_ref())
    }

    /// Project-level roles of [`JwtResponse::claims_session`] (empty without a token).
    pub fn roles(&self) -> &[String] {
        self.claims_session().map(Session::roles).unwrap_or(&[])
    }

    /// Project-level permissions of [`JwtResponse::claims_session`].
    pub fn permissions(&self) -> &[String] {
        self.claims_session()
            .map(Session::permissions)
            .unwrap_or(&[])
    }
}

/// The result of an access-key exchange. Every token in it was validated.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AccessKeyResponse {
    /// The session token issued for the access key.
    pub session: Session,
    /// A refresh token, only when the API sent one (it normally does not).
    pub refresh: Option<Session>,
    /// The project ID (from the session token).
    pub project_id: String,
    /// The access key's ID (`dsub`, else `sub`, of the session token).
    pub key_id: String,
    /// The token's expiry as the API reported it (`expiration`), when it did.
    pub expiration: Option<i64>,
}

impl AccessKeyResponse {
    pub(crate) fn build(session: Session, refresh: Option<Session>, body: &Body) -> Self {
        Self {
            project_id: session.project_id().to_owned(),
            key_id: session.user_id().to_owned(),
            expiration: body.expiration,
            session,
            refresh,
        }
    }
}

fn ids(session: Option<&Session>, refresh: Option<&Session>) -> (String, String) {
    let first = |f: fn(&Session) -> &str| {
        session
            .map(f)
            .filter(|v| !v.is_empty())
            .or_else(|| refresh.map(f).filter(|v| !v.is_empty()))
            .unwrap_or("")
            .to_owned()
    };
    (first(Session::project_id), first(Session::user_id))
}

fn domain_matches(host: &str, domain: &str) -> bool {
    let d = domain.trim_start_matches('.').to_ascii_lowercase();
    if d.is_empty() {
        return true;
    }
    host == d || (host.ends_with(&d) && host[..host.len() - d.len()].ends_with('.'))
}

/// The `DSR` cookie of the response, when a `Set-Cookie` carries one whose `Domain` (if any)
/// matches the API host. `Path` and `Secure` do not matter.
pub(crate) fn refresh_cookie(response: &ApiResponse, api_host: Option<&str>) -> Option<String> {
    response.set_cookies().find_map(|header| {
        let c = cookie::Cookie::parse(header).ok()?;
        if c.name() != REFRESH_COOKIE_NAME || c.value().is_empty() {
            return None;
        }
        if let (Some(domain), Some(host)) = (c.domain(), api_host) {
            if !domain_matches(host, domain) {
                return None;
            }
        }
        Some(c.value().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_domain_must_match_the_api_host_or_a_parent_of_it() {
        assert!(domain_matches("api.descope.com", "descope.com"));
        assert!(domain_matches("api.descope.com", ".descope.com"));
        assert!(domain_matches("api.descope.com", "api.descope.com"));
        assert!(!domain_matches("api.descope.com", "other.com"));
        assert!(!domain_matches("api.descope.com", "scope.com"));
    }
}
