//! The session cookies: reading `DS` / `DSR` from a request and writing them on a response.

use std::borrow::Cow;

use cookie::time::Duration;
use cookie::{Cookie, SameSite};
use descope_jwt::{JwtResponse, Session};
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue};

/// How the session cookies are named and which attributes they carry.
///
/// The defaults: names `DS` (session) and `DSR` (refresh), `HttpOnly`, `Secure`,
/// `SameSite=Lax`, and the domain and path the Descope API suggests in its answer (its
/// `cookieDomain` / `cookiePath`), else no domain and path `/`.
///
/// `SameSite=Lax` rather than `Strict`: a user arriving from a magic link in their mail or
/// coming back from an OAuth provider makes a cross-site navigation, and with `Strict` the
/// browser would withhold the cookies on that first page, so a freshly signed-in user would
/// look signed out. `Lax` still withholds them from cross-site `POST`s, forms and
/// sub-requests.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CookieOptions {
    /// Name of the session-token cookie (default `DS`).
    pub session_name: String,
    /// Name of the refresh-token cookie (default `DSR`).
    pub refresh_name: String,
    /// `HttpOnly` (default on: scripts cannot read the tokens).
    pub http_only: bool,
    /// `Secure` (default on: the browser sends the cookies over HTTPS only; browsers make an
    /// exception for `http://localhost`).
    pub secure: bool,
    /// `SameSite` (default `Lax`).
    pub same_site: SameSite,
    /// `Domain`: `None` takes the API's `cookieDomain` when it sends one, else no `Domain`
    /// attribute (a host-only cookie).
    pub domain: Option<String>,
    /// `Path`: `None` takes the API's `cookiePath`, else `/`.
    pub path: Option<String>,
}

impl Default for CookieOptions {
    fn default() -> Self {
        Self {
            session_name: descope_jwt::SESSION_COOKIE_NAME.to_owned(),
            refresh_name: descope_jwt::REFRESH_COOKIE_NAME.to_owned(),
            http_only: true,
            secure: true,
            same_site: SameSite::Lax,
            domain: None,
            path: None,
        }
    }
}

impl CookieOptions {
    /// The defaults (see the type's documentation).
    pub fn new() -> Self {
        Self::default()
    }

    /// Renames the session-token cookie.
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = name.into();
        self
    }

    /// Renames the refresh-token cookie.
    pub fn refresh_name(mut self, name: impl Into<String>) -> Self {
        self.refresh_name = name.into();
        self
    }

    /// Sets `HttpOnly`.
    pub fn http_only(mut self, on: bool) -> Self {
        self.http_only = on;
        self
    }

    /// Sets `Secure`. Turn it off only for plain-HTTP development on a host other than
    /// `localhost`.
    pub fn secure(mut self, on: bool) -> Self {
        self.secure = on;
        self
    }

    /// Sets `SameSite`.
    pub fn same_site(mut self, same_site: SameSite) -> Self {
        self.same_site = same_site;
        self
    }

    /// Sets `Domain`, overriding the API's suggestion.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Sets `Path`, overriding the API's suggestion.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    fn build<'c>(
        &self,
        name: &'c str,
        value: &'c str,
        domain: &'c str,
        path: &'c str,
    ) -> cookie::CookieBuilder<'c> {
        let mut b = Cookie::build((name, value))
            .http_only(self.http_only)
            .secure(self.secure)
            .same_site(self.same_site)
            .path(self.path.as_deref().unwrap_or(path).to_owned());
        let domain = self.domain.as_deref().unwrap_or(domain);
        if !domain.is_empty() {
            b = b.domain(domain.to_owned());
        }
        b
    }

    /// The `Set-Cookie` values for a sign-in or a refresh: the session cookie, and the
    /// refresh cookie when `set_refresh` (skip it when the refresh token did not change).
    ///
    /// `Max-Age`: the API's `cookieMaxAge` when it sends one, else the time left before
    /// its `cookieExpiration`, else the time left before each token's own `exp`.
    pub(crate) fn set_cookies(
        &self,
        response: &JwtResponse,
        set_refresh: bool,
        now: i64,
    ) -> Vec<HeaderValue> {
        let data = &response.cookie;
        let max_age = |token: &Session| -> i64 {
            if data.max_age > 0 {
                data.max_age
            } else if data.exp > now {
                data.exp - now
            } else {
                (token.expires_at() - now).max(0)
            }
        };
        let mut out = Vec::with_capacity(2);
        if let Some(s) = &response.session {
            let c = self
                .build(&self.session_name, s.token(), &data.domain, &data.path)
                .max_age(Duration::seconds(max_age(s)))
                .build();
            out.extend(header_value(&c));
        }
        if set_refresh {
            if let Some(r) = &response.refresh {
                let c = self
                    .build(&self.refresh_name, r.token(), &data.domain, &data.path)
                    .max_age(Duration::seconds(max_age(r)))
                    .build();
                out.extend(header_value(&c));
            }
        }
        out
    }

    /// The `Set-Cookie` values that delete both cookies (same name, domain and path as when
    /// they were set, empty value, `Max-Age=0`).
    pub(crate) fn clear_cookies(&self) -> Vec<HeaderValue> {
        [&self.session_name, &self.refresh_name]
            .into_iter()
            .filter_map(|name| header_value(&self.build(name, "", "", "/").removal().build()))
            .collect()
    }
}

fn header_value(c: &Cookie<'_>) -> Option<HeaderValue> {
    HeaderValue::from_str(&c.to_string()).ok()
}

/// The value of cookie `name` among the request's `Cookie` headers (the first one found).
pub(crate) fn request_cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<Cow<'h, str>> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name && !c.value().is_empty())
        .map(|c| Cow::Owned(c.value().to_owned()))
}

/// The token of an `Authorization: Bearer <token>` header (scheme matched in any case).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Appends `Set-Cookie` headers, and marks the response `Cache-Control: private, no-store`
/// (replacing the app's own cache header): a shared cache must never keep a response that
/// sets someone's session, or it would hand that session to the next visitor.
pub(crate) fn append(headers: &mut HeaderMap, values: Vec<HeaderValue>) {
    if values.is_empty() {
        return;
    }
    for v in values {
        headers.append(SET_COOKIE, v);
    }
    headers.insert(
        http::header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_is_found_among_several_cookie_headers() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; DS=sess"));
        h.append(COOKIE, HeaderValue::from_static("DSR=ref"));
        assert_eq!(request_cookie(&h, "DS").as_deref(), Some("sess"));
        assert_eq!(request_cookie(&h, "DSR").as_deref(), Some("ref"));
        assert_eq!(request_cookie(&h, "X"), None);
    }

    #[test]
    fn an_empty_cookie_counts_as_absent() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("DS=; DSR=r"));
        assert_eq!(request_cookie(&h, "DS"), None);
    }

    #[test]
    fn bearer_tokens_are_read_with_any_scheme_case_and_nothing_else_is() {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(bearer(&h), Some("abc"));
        h.insert(
            http::header::AUTHORIZATION,
            HeaderValue::from_static("Basic abc"),
        );
        assert_eq!(bearer(&h), None);
        h.insert(
            http::header::AUTHORIZATION,
            HeaderValue::from_static("Bearer "),
        );
        assert_eq!(bearer(&h), None);
    }

    #[test]
    fn clearing_cookies_expires_both_names_with_the_configured_attributes() {
        let o = CookieOptions::new().domain("example.com");
        let v: Vec<String> = o
            .clear_cookies()
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        assert_eq!(v.len(), 2);
        assert!(v[0].starts_with("DS=;"), "{}", v[0]);
        assert!(v[1].starts_with("DSR=;"), "{}", v[1]);
        for c in &v {
            assert!(c.contains("Max-Age=0"), "{c}");
            assert!(c.contains("Domain=example.com"), "{c}");
            assert!(c.contains("Path=/"), "{c}");
            assert!(c.contains("HttpOnly") && c.contains("Secure"), "{c}");
        }
    }
}
