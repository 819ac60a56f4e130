//! OAuth, SSO and SAML through a fake identity provider served by the emulator itself.
//!
//! `…/authorize` answers `{"url"}` pointing at `GET /emulator/idp/authorize?state=…`, a plain
//! HTML sign-in page where a person enters an email and a name (a test passes them in the
//! query instead, or configures a default identity). The page redirects (302) to the app's
//! return URL with `?code=…`, and `…/exchange` turns that code into a session for that user,
//! created on first sign-in and, for SSO and SAML, made a member of the tenant.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use crate::app::{App, Core};
use crate::error::{ApiError, ApiResult};
use crate::model::{SessionRecord, TenantLink, UserRecord};
use crate::routes::passwordless::new_user;
use crate::util::*;
use crate::ClientIp;

/// The most authorizations and codes kept waiting (the oldest expired ones go first).
const PENDING_CAP: usize = 10_000;

/// The identity the fake provider signs in when none is given on the page or in the query.
#[derive(Clone, PartialEq)]
pub struct FakeIdentity {
    pub email: String,
    pub name: String,
}

impl fmt::Debug for FakeIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeIdentity")
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// Which family a sign-in belongs to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    OAuth,
    Sso,
    Saml,
}

impl Kind {
    /// The `amr` value of the resulting session.
    fn amr(self) -> &'static str {
        match self {
            Kind::OAuth => "oauth",
            Kind::Sso => "sso",
            Kind::Saml => "saml",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Kind::OAuth => "oauth",
            Kind::Sso => "sso",
            Kind::Saml => "saml",
        }
    }

    /// SSO and SAML codes are interchangeable (both are tenant sign-ins); OAuth codes are not.
    fn exchanges(self, other: Kind) -> bool {
        self == other || (self != Kind::OAuth && other != Kind::OAuth)
    }
}

/// An authorization started by `…/authorize`, waiting for the identity to sign in.
#[derive(Clone)]
struct Authorization {
    kind: Kind,
    /// The OAuth provider (`google`, …), or empty.
    provider: String,
    /// The tenant of an SSO or SAML sign-in.
    tenant_id: Option<String>,
    tenant_name: String,
    /// Empty: the emulator's own landing page.
    redirect_url: String,
    login_hint: String,
    options: Value,
    /// The session a step-up or MFA sign-in builds on.
    prior: Option<SessionRecord>,
    expires: i64,
}

/// A code handed to the app, waiting for `…/exchange`.
#[derive(Clone)]
struct Grant {
    auth: Authorization,
    identity: FakeIdentity,
    expires: i64,
}

/// The fake provider's state (in memory only: a restart forgets pending sign-ins).
#[derive(Default)]
pub struct IdpState {
    /// The default identity (from the builder, the handle or `PUT /emulator/idp/identity`).
    pub identity: Option<FakeIdentity>,
    /// state → authorization
    requests: HashMap<String, Authorization>,
    /// code → grant
    codes: HashMap<String, Grant>,
}

impl fmt::Debug for IdpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdpState")
            .field("identity", &self.identity)
            .field("requests", &self.requests.len())
            .field("codes", &self.codes.len())
            .finish()
    }
}

impl IdpState {
    /// Drops expired entries, and the oldest ones past the cap.
    fn prune(&mut self, t: i64) {
        self.requests.retain(|_, a| a.expires > t);
        self.codes.retain(|_, g| g.expires > t);
        if self.requests.len() > PENDING_CAP {
            let mut by_age: Vec<(i64, String)> = self
                .requests
                .iter()
                .map(|(k, a)| (a.expires, k.clone()))
                .collect();
            by_age.sort();
            for (_, k) in by_age.into_iter().take(self.requests.len() - PENDING_CAP) {
                self.requests.remove(&k);
            }
        }
        if self.codes.len() > PENDING_CAP {
            let mut by_age: Vec<(i64, String)> = self
                .codes
                .iter()
                .map(|(k, g)| (g.expires, k.clone()))
                .collect();
            by_age.sort();
            for (_, k) in by_age.into_iter().take(self.codes.len() - PENDING_CAP) {
                self.codes.remove(&k);
            }
        }
    }
}

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(
            "/v1/auth/oauth/authorize",
            post(|s, h, q, b| authorize(s, h, q, b, Kind::OAuth)),
        )
        .route(
            "/v1/auth/sso/authorize",
            post(|s, h, q, b| authorize(s, h, q, b, Kind::Sso)),
        )
        .route(
            "/v1/auth/saml/authorize",
            post(|s, h, q, b| authorize(s, h, q, b, Kind::Saml)),
        )
        .route(
            "/v1/auth/oauth/exchange",
            post(|s, i, b| exchange(s, i, b, Kind::OAuth)),
        )
        .route(
            "/v1/auth/sso/exchange",
            post(|s, i, b| exchange(s, i, b, Kind::Sso)),
        )
        .route(
            "/v1/auth/saml/exchange",
            post(|s, i, b| exchange(s, i, b, Kind::Saml)),
        )
        .route("/emulator/idp/authorize", get(idp_page))
        .route("/emulator/idp/done", get(done_page))
        .route(
            "/emulator/idp/identity",
            get(get_identity)
                .put(set_identity)
                .post(set_identity)
                .delete(clear_identity),
        )
}

/// Checks a return URL: absolute (`scheme://…`, custom app schemes included), no spaces or
/// control characters.
fn check_redirect(url: &str) -> ApiResult<()> {
    let uri: Result<http::Uri, _> = url.parse();
    match uri {
        Ok(u) if u.scheme().is_some() => Ok(()),
        _ => Err(ApiError::bad_request(format!(
            "The redirectURL {url:?} is not an absolute URL (for example https://my-app.com/callback)"
        ))),
    }
}

/// Finds a tenant by ID, else by name (exact, then ignoring case).
fn find_tenant(core: &Core, tenant: &str) -> ApiResult<(String, String)> {
    let tenants = &core.store.data.tenants;
    let found = tenants
        .get(tenant)
        .or_else(|| tenants.values().find(|t| t.name == tenant))
        .or_else(|| {
            tenants
                .values()
                .find(|t| t.name.eq_ignore_ascii_case(tenant))
        });
    match found {
        Some(t) if t.disabled => Err(ApiError::forbidden(format!(
            "The tenant {:?} is disabled",
            t.id
        ))),
        Some(t) => Ok((t.id.clone(), t.name.clone())),
        None => Err(ApiError::bad_request(format!(
            "No tenant has the ID or name {tenant:?}: create it first (management tenant create)"
        ))),
    }
}

async fn authorize(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
    kind: Kind,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    // The body is the login options themselves (`{}` without options).
    let options = if body.is_object() { body } else { json!({}) };
    let param = |k: &str| q.get(k).cloned().unwrap_or_default();
    let redirect_url = param("redirectURL");
    if !redirect_url.is_empty() {
        check_redirect(&redirect_url)?;
    } else if kind == Kind::Saml {
        return Err(ApiError::bad_request(
            "The redirectURL query parameter is required for SAML",
        ));
    }
    let provider = param("provider");
    let tenant = param("tenant");
    match kind {
        Kind::OAuth if provider.is_empty() => {
            return Err(ApiError::bad_request(
                "The provider query parameter is required (google, github, …)",
            ))
        }
        Kind::Sso | Kind::Saml if tenant.is_empty() => {
            return Err(ApiError::bad_request(
                "The tenant query parameter is required (a tenant ID or name)",
            ))
        }
        _ => {}
    }
    app.tx(|core| {
        let prior = if b(&options, "stepup") || b(&options, "mfa") {
            Some(app.session_of(core, &headers)?.0)
        } else {
            None
        };
        let (tenant_id, tenant_name) = if kind == Kind::OAuth {
            (None, String::new())
        } else {
            let (id, name) = find_tenant(core, &tenant)?;
            (Some(id), name)
        };
        let t = now();
        let state = random_id("", 32);
        let auth = Authorization {
            kind,
            provider,
            tenant_id,
            tenant_name,
            redirect_url,
            login_hint: param("loginHint"),
            options: options.clone(),
            prior,
            expires: t + app.settings.code_ttl,
        };
        let idp = &mut core.eph.idp;
        idp.prune(t);
        idp.requests.insert(state.clone(), auth);
        Ok(Json(json!({
            "url": format!("{}/emulator/idp/authorize?state={state}", app.base_url),
        })))
    })
}

/// A page for the browser (errors included).
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body style=\"font-family: sans-serif; max-width: 36em; margin: 3em auto\">\
         <h1>{t}</h1>\n{body}\n\
         <p><small>Descope emulator: a fake identity provider for local development. \
         No password is checked.</small></p></body></html>\n",
        t = html_escape(title),
    );
    (status, Html(html)).into_response()
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `redirect` with `code=…` added to its query (before any fragment).
fn with_code(redirect: &str, code: &str) -> String {
    let (base, fragment) = match redirect.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (redirect, None),
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    let mut out = format!("{base}{sep}code={code}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// `GET /emulator/idp/authorize?state=…[&email=…&name=…][&auto=1]`: the sign-in page, or,
/// with an identity (in the query, or the default one), the redirect back to the app.
async fn idp_page(
    State(app): State<Arc<App>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let param = |k: &str| q.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let state = param("state");
    let email = param("email");
    let name = param("name");
    let auto = matches!(param("auto").as_str(), "1" | "true" | "yes");
    let mut core = app.lock();
    let t = now();
    let Some(auth) = core.eph.idp.requests.get(&state).cloned() else {
        return page(
            StatusCode::BAD_REQUEST,
            "Unknown sign-in",
            "<p>This sign-in request is unknown, was already completed or has expired. \
             Start again from the app.</p>",
        );
    };
    if auth.expires <= t {
        core.eph.idp.requests.remove(&state);
        return page(
            StatusCode::BAD_REQUEST,
            "Sign-in expired",
            "<p>This sign-in request has expired. Start again from the app.</p>",
        );
    }
    let identity = if !email.is_empty() {
        if !email.contains('@') {
            return form(
                &core,
                &state,
                &auth,
                &email,
                &name,
                Some("Enter an email address."),
            );
        }
        Some(FakeIdentity { email, name })
    } else {
        match core.eph.idp.identity.clone() {
            Some(default) => Some(default),
            None if auto => {
                return page(
                    StatusCode::BAD_REQUEST,
                    "No identity",
                    "<p><code>auto=1</code> needs an identity: pass <code>email</code> (and \
                     <code>name</code>) in the query, or set a default one with \
                     <code>EmulatorBuilder::fake_identity</code> or \
                     <code>PUT /emulator/idp/identity</code>.</p>",
                )
            }
            None => None,
        }
    };
    let Some(identity) = identity else {
        return form(&core, &state, &auth, &auth.login_hint, "", None);
    };
    core.eph.idp.requests.remove(&state);
    let code = random_id("", 40);
    let redirect = if auth.redirect_url.is_empty() {
        format!("{}/emulator/idp/done", app.base_url)
    } else {
        auth.redirect_url.clone()
    };
    let location = with_code(&redirect, &code);
    let Ok(location) = HeaderValue::from_str(&location) else {
        return page(
            StatusCode::BAD_REQUEST,
            "Bad return URL",
            "<p>The app's return URL cannot be used in a redirect.</p>",
        );
    };
    core.eph.idp.prune(t);
    core.eph.idp.codes.insert(
        code,
        Grant {
            auth,
            identity,
            expires: t + app.settings.code_ttl,
        },
    );
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// The sign-in form: an email (with the known users' emails to pick from) and a name.
fn form(
    core: &Core,
    state: &str,
    auth: &Authorization,
    email: &str,
    name: &str,
    error: Option<&str>,
) -> Response {
    let what = match auth.kind {
        Kind::OAuth => format!("Sign in with {} (OAuth)", auth.provider),
        Kind::Sso => format!("Sign in to {} (SSO)", auth.tenant_name),
        Kind::Saml => format!("Sign in to {} (SAML)", auth.tenant_name),
    };
    let mut emails: Vec<&str> = core
        .store
        .data
        .users
        .values()
        .map(|u| u.email.as_str())
        .filter(|e| !e.is_empty())
        .collect();
    emails.sort_unstable();
    emails.dedup();
    let options: String = emails
        .iter()
        .take(100)
        .map(|e| format!("<option value=\"{}\">", html_escape(e)))
        .collect();
    let error = error
        .map(|e| format!("<p style=\"color: #b00\">{}</p>", html_escape(e)))
        .unwrap_or_default();
    let body = format!(
        "{error}<form method=\"get\" action=\"/emulator/idp/authorize\">\
         <input type=\"hidden\" name=\"state\" value=\"{state}\">\
         <p><label>Email<br><input type=\"email\" name=\"email\" value=\"{email}\" \
         list=\"known\" required autofocus size=\"40\"></label></p>\
         <datalist id=\"known\">{options}</datalist>\
         <p><label>Name<br><input type=\"text\" name=\"name\" value=\"{name}\" size=\"40\">\
         </label></p>\
         <p><button type=\"submit\">Sign in</button></p></form>",
        state = html_escape(state),
        email = html_escape(email),
        name = html_escape(name),
    );
    page(StatusCode::OK, &what, &body)
}

/// Where the browser lands when the sign-in was started without a `redirectURL`.
async fn done_page(Query(q): Query<HashMap<String, String>>) -> Response {
    let code = q.get("code").cloned().unwrap_or_default();
    page(
        StatusCode::OK,
        "Signed in",
        &format!(
            "<p>The sign-in started without a return URL. Pass this code to the exchange \
             call (oauth, sso or saml <code>exchange</code>):</p><pre>{}</pre>",
            html_escape(&code)
        ),
    )
}

/// The user an identity signs in as: by login ID, else by email; `None` when new.
fn user_of(core: &Core, email: &str) -> Option<UserRecord> {
    let data = &core.store.data;
    data.user_by_login(email)
        .or_else(|| data.users.values().find(|u| u.email == email))
        .cloned()
}

async fn exchange(
    State(app): State<Arc<App>>,
    Extension(ip): Extension<ClientIp>,
    body: Bytes,
    kind: Kind,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let code = req(&body, "code")?;
    app.tx(|core| {
        let grant =
            core.eph.idp.codes.get(&code).cloned().ok_or_else(|| {
                ApiError::bad_code("The code is unknown or was already exchanged")
            })?;
        // A code sent to the wrong exchange stays usable at the right one.
        if !grant.auth.kind.exchanges(kind) {
            return Err(ApiError::bad_code(format!(
                "The code comes from a {} sign-in: exchange it with /v1/auth/{}/exchange",
                grant.auth.kind.path(),
                grant.auth.kind.path()
            )));
        }
        core.eph.idp.codes.remove(&code);
        if grant.expires <= now() {
            return Err(ApiError::bad_code("The code has expired"));
        }
        let auth = grant.auth;
        let identity = grant.identity;
        let existing = user_of(core, &identity.email);
        if let Some(prior) = &auth.prior {
            if existing.as_ref().map(|u| u.user_id.as_str()) != Some(prior.user_id.as_str()) {
                return Err(ApiError::bad_code(format!(
                    "A step-up or MFA sign-in must be made by the session's user, not {:?}",
                    identity.email
                )));
            }
        }
        let first_seen = existing.is_none();
        let mut user = match existing {
            Some(u) => u,
            None => new_user(
                &identity.email,
                &json!({"email": identity.email, "name": identity.name}),
            ),
        };
        if user.status == "disabled" {
            return Err(ApiError::forbidden("The user is disabled"));
        }
        if user.email.is_empty() {
            user.email = identity.email.clone();
        }
        if user.email == identity.email {
            user.verified_email = true;
        }
        if user.name.is_empty() && !identity.name.is_empty() {
            user.name = identity.name.clone();
        }
        match auth.kind {
            Kind::OAuth => {
                if !user.oauth_providers.contains(&auth.provider) {
                    user.oauth_providers.push(auth.provider.clone());
                }
            }
            Kind::Sso | Kind::Saml => {
                user.saml = true;
                if let Some(tid) = &auth.tenant_id {
                    if !core.store.data.tenants.contains_key(tid) {
                        return Err(ApiError::bad_request(format!(
                            "The tenant {tid:?} was deleted during the sign-in"
                        )));
                    }
                    if !user.user_tenants.iter().any(|l| &l.tenant_id == tid) {
                        user.user_tenants.push(TenantLink {
                            tenant_id: tid.clone(),
                            role_names: Vec::new(),
                        });
                    }
                }
            }
        }
        let user_id = user.user_id.clone();
        core.data().put_user(user);
        app.login(
            core,
            &user_id,
            vec![auth.kind.amr().to_string()],
            &auth.options,
            auth.prior.as_ref(),
            first_seen,
            &ip.0,
        )
        .map(Json)
    })
}

async fn get_identity(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let core = app.lock();
    Ok(Json(match &core.eph.idp.identity {
        Some(i) => json!({"identity": {"email": i.email, "name": i.name}}),
        None => json!({"identity": null}),
    }))
}

/// `PUT /emulator/idp/identity` with `{"email", "name"}`: the identity the sign-in page signs in
/// without asking.
async fn set_identity(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let email = req(&body, "email")?;
    if !email.contains('@') {
        return Err(ApiError::bad_request(format!(
            "{email:?} is not an email address"
        )));
    }
    let identity = FakeIdentity {
        email,
        name: s(&body, "name"),
    };
    app.lock().eph.idp.identity = Some(identity.clone());
    Ok(Json(
        json!({"identity": {"email": identity.email, "name": identity.name}}),
    ))
}

async fn clear_identity(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    app.lock().eph.idp.identity = None;
    Ok(Json(json!({"identity": null})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_goes_into_the_query_before_any_fragment() {
        assert_eq!(with_code("https://a/cb", "C"), "https://a/cb?code=C");
        assert_eq!(
            with_code("https://a/cb?x=1", "C"),
            "https://a/cb?x=1&code=C"
        );
        assert_eq!(
            with_code("https://a/cb#top", "C"),
            "https://a/cb?code=C#top"
        );
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            html_escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn return_urls_must_be_absolute() {
        assert!(check_redirect("https://app.example.com/cb?x=1").is_ok());
        assert!(check_redirect("myapp://callback").is_ok());
        assert!(check_redirect("/relative").is_err());
        assert!(check_redirect("not a url").is_err());
    }

    #[test]
    fn sso_and_saml_codes_are_interchangeable_but_oauth_codes_are_not() {
        assert!(Kind::Sso.exchanges(Kind::Saml));
        assert!(Kind::Saml.exchanges(Kind::Sso));
        assert!(Kind::OAuth.exchanges(Kind::OAuth));
        assert!(!Kind::OAuth.exchanges(Kind::Sso));
        assert!(!Kind::Saml.exchanges(Kind::OAuth));
    }
}
