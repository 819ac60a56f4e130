//! Management JWT calls: custom claims on an existing token, impersonation (and its end), and
//! the management sign-in, sign-up, sign-up-or-in and anonymous calls.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde_json::{json, Map, Value};

use crate::app::{App, Core};
use crate::error::{ApiError, ApiResult};
use crate::model::{SessionRecord, UserRecord};
use crate::routes::mgmt_sso::mgmt_body;
use crate::routes::passwordless::new_user;
use crate::util::*;
use crate::ClientIp;

/// Claims the emulator sets itself; `customClaims` cannot override them.
const RESERVED: [&str; 15] = [
    "iss",
    "sub",
    "aud",
    "iat",
    "exp",
    "nbf",
    "jti",
    "drn",
    "amr",
    "roles",
    "permissions",
    "tenants",
    "dct",
    "act",
    "nsec",
];

/// The permission an impersonator needs (project-wide or in a tenant).
pub const IMPERSONATE_PERMISSION: &str = "Impersonate";

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/mgmt/jwt/update", post(update_jwt))
        .route("/v1/mgmt/impersonate", post(impersonate))
        .route("/v1/mgmt/impersonate/stepup", post(impersonate))
        .route("/v1/mgmt/stop/impersonation", post(stop_impersonation))
        .route("/v1/mgmt/auth/signin", post(sign_in))
        .route(
            "/v1/mgmt/auth/signup",
            post(|s, i, h, b| sign_up(s, i, h, b, false)),
        )
        .route(
            "/v1/mgmt/auth/signup-in",
            post(|s, i, h, b| sign_up(s, i, h, b, true)),
        )
        .route("/v1/mgmt/auth/anonymous", post(anonymous))
}

/// `customClaims` without the reserved names.
fn custom_claims(body: &Value) -> Map<String, Value> {
    obj(body, "customClaims")
        .into_iter()
        .filter(|(k, _)| !RESERVED.contains(&k.as_str()))
        .collect()
}

async fn update_jwt(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let jwt = req(&body, "jwt")?;
    let core = app.lock();
    let mut claims = core
        .keys
        .verify(&jwt)
        .ok_or_else(|| ApiError::bad_request("The jwt is not a token this project signed"))?;
    if claims.get("exp").and_then(Value::as_i64).unwrap_or(0) <= now() {
        return Err(ApiError::bad_request("The jwt has expired"));
    }
    for (k, v) in custom_claims(&body) {
        claims.insert(k, v);
    }
    let signed = core
        .keys
        .sign(&Value::Object(claims))
        .map_err(ApiError::internal)?;
    Ok(Json(json!({ "jwt": signed })))
}

/// A user by user ID, else by login ID.
fn user_by_any(core: &Core, id: &str) -> Option<UserRecord> {
    let data = &core.store.data;
    data.users
        .get(id)
        .or_else(|| data.user_by_login(id))
        .cloned()
}

/// Whether the user's roles (project-wide, or in `tenant` when given, else in any tenant)
/// grant the impersonation permission.
fn may_impersonate(core: &Core, user: &UserRecord, tenant: &str) -> bool {
    let (_, perms, tenants) =
        App::authz_claims(&core.store.data, &user.role_names, &user.user_tenants);
    let grants = |list: &[String]| {
        list.iter()
            .any(|p| p.eq_ignore_ascii_case(IMPERSONATE_PERMISSION))
    };
    if grants(&perms) {
        return true;
    }
    tenants
        .iter()
        .filter(|(id, _)| tenant.is_empty() || id.as_str() == tenant)
        .any(|(_, t)| grants(&strs(t, "permissions")))
}

/// A new refresh session for `user` carrying `claims`, and its refresh JWT.
fn open_session(
    app: &App,
    core: &mut Core,
    user: &UserRecord,
    claims: Map<String, Value>,
    tenant: &str,
    refresh_duration: i64,
) -> ApiResult<String> {
    if !tenant.is_empty() && !user.user_tenants.iter().any(|t| t.tenant_id == tenant) {
        return Err(ApiError::bad_request(format!(
            "The user is not a member of tenant {tenant:?}"
        )));
    }
    let t = now();
    let ttl = if refresh_duration > 0 {
        refresh_duration
    } else {
        app.settings.refresh_ttl
    };
    let session = SessionRecord {
        id: random_id("S", 27),
        user_id: user.user_id.clone(),
        created: t,
        expires: t + ttl,
        revoked: false,
        amr: vec![],
        dct: (!tenant.is_empty()).then(|| tenant.to_string()),
        custom_claims: claims,
    };
    core.data().put_session(session.clone());
    app.refresh_jwt(core, &session, user)
}

async fn impersonate(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let impersonator_id = req(&body, "impersonatorId")?;
    let login_id = req(&body, "loginId")?;
    let tenant = s(&body, "selectedTenant");
    app.tx(|core| {
        let imp = user_by_any(core, &impersonator_id).ok_or_else(|| {
            ApiError::not_found(format!("No user has ID or login ID {impersonator_id:?}"))
        })?;
        if !may_impersonate(core, &imp, &tenant) {
            return Err(ApiError::forbidden(format!(
                "User {impersonator_id:?} may not impersonate: grant a role with the {IMPERSONATE_PERMISSION:?} permission"
            )));
        }
        let target = core
            .store
            .data
            .user_by_login(&login_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("No user has login ID {login_id:?}")))?;
        if target.status == "disabled" {
            return Err(ApiError::forbidden("The impersonated user is disabled"));
        }
        let mut claims = custom_claims(&body);
        claims.insert(
            "act".into(),
            json!({"sub": imp.user_id, "loginId": imp.login_ids.first()}),
        );
        let jwt = open_session(
            &app,
            core,
            &target,
            claims,
            &tenant,
            int(&body, "refreshDuration"),
        )?;
        Ok(Json(json!({ "jwt": jwt })))
    })
}

async fn stop_impersonation(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let jwt = req(&body, "jwt")?;
    let tenant = s(&body, "selectedTenant");
    app.tx(|core| {
        let (mut session, _) = app
            .session_of_token(core, &jwt)
            .map_err(|e| ApiError::bad_request(e.message))?;
        let actor = session
            .custom_claims
            .get("act")
            .map(|a| s(a, "sub"))
            .filter(|a| !a.is_empty())
            .ok_or_else(|| ApiError::bad_request("The jwt is not an impersonation token"))?;
        let imp = core
            .store
            .data
            .users
            .get(&actor)
            .cloned()
            .ok_or_else(|| ApiError::not_found("The impersonator no longer exists"))?;
        session.revoked = true;
        core.data().put_session(session);
        let jwt = open_session(
            &app,
            core,
            &imp,
            custom_claims(&body),
            &tenant,
            int(&body, "refreshDuration"),
        )?;
        Ok(Json(json!({ "jwt": jwt })))
    })
}

/// `{customClaims, revokeOtherSessions}` as `App::login` reads them.
fn login_options(body: &Value) -> Value {
    json!({
        "customClaims": custom_claims(body),
        "revokeOtherSessions": b(body, "revokeOtherSessions"),
    })
}

async fn sign_in(
    State(app): State<Arc<App>>,
    Extension(ip): Extension<ClientIp>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let login_id = req(&body, "loginId")?;
    let jwt = s(&body, "jwt");
    if (b(&body, "stepup") || b(&body, "mfa")) && jwt.is_empty() {
        return Err(ApiError::bad_request(
            "A jwt is required for stepup and mfa",
        ));
    }
    app.tx(|core| {
        let user = core
            .store
            .data
            .user_by_login(&login_id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("No user has login ID {login_id:?}")))?;
        let prior = if jwt.is_empty() {
            None
        } else {
            let (session, owner) = app.session_of_token(core, &jwt)?;
            if owner.user_id != user.user_id {
                return Err(ApiError::bad_request("The jwt belongs to another user"));
            }
            Some(session)
        };
        app.login(
            core,
            &user.user_id,
            vec![],
            &login_options(&body),
            prior.as_ref(),
            false,
            &ip.0,
        )
        .map(Json)
    })
}

async fn sign_up(
    State(app): State<Arc<App>>,
    Extension(ip): Extension<ClientIp>,
    headers: HeaderMap,
    body: Bytes,
    or_in: bool,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let login_id = req(&body, "loginId")?;
    let details = body.get("user").cloned().unwrap_or(Value::Null);
    app.tx(|core| {
        let existing = core.store.data.user_by_login(&login_id).cloned();
        let (user_id, first_seen) = match existing {
            Some(u) if or_in => (u.user_id, false),
            Some(_) => {
                return Err(ApiError::conflict(format!(
                    "A user with login ID {login_id:?} already exists"
                )))
            }
            None => {
                let mut u = new_user(&login_id, &details);
                let flag = |k: &str| {
                    body.get(k)
                        .and_then(Value::as_bool)
                        .or_else(|| details.get(k).and_then(Value::as_bool))
                        .unwrap_or(false)
                };
                u.verified_email = flag("emailVerified");
                u.verified_phone = flag("phoneVerified");
                let app_id = opt_s(&body, "ssoAppId")
                    .or_else(|| opt_s(&details, "ssoAppId"))
                    .unwrap_or_default();
                if !app_id.is_empty() {
                    u.sso_app_ids = vec![app_id];
                }
                let id = u.user_id.clone();
                core.data().put_user(u);
                (id, true)
            }
        };
        app.login(
            core,
            &user_id,
            vec![],
            &login_options(&body),
            None,
            first_seen,
            &ip.0,
        )
        .map(Json)
    })
}

/// An anonymous user: signed tokens with `danu: true` and no stored user (so no refresh).
async fn anonymous(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let tenant = s(&body, "selectedTenant");
    let refresh = int(&body, "refreshDuration");
    let core = app.lock();
    let t = now();
    let sub = random_id("A", 27);
    let refresh_exp = t + if refresh > 0 {
        refresh
    } else {
        app.settings.refresh_ttl
    };
    let token = |drn: &str, exp: i64| -> ApiResult<String> {
        let mut claims = custom_claims(&body);
        claims.insert("iss".into(), json!(app.project_id));
        claims.insert("sub".into(), json!(sub));
        claims.insert("iat".into(), json!(t));
        claims.insert("exp".into(), json!(exp));
        claims.insert("drn".into(), json!(drn));
        claims.insert("danu".into(), json!(true));
        if !tenant.is_empty() {
            claims.insert("dct".into(), json!(tenant));
        }
        core.keys
            .sign(&Value::Object(claims))
            .map_err(ApiError::internal)
    };
    let session_exp = t + app.settings.session_ttl;
    Ok(Json(json!({
        "sessionJwt": token("DS", session_exp)?,
        "refreshJwt": token("DSR", refresh_exp)?,
        "cookieDomain": "",
        "cookiePath": "/",
        "cookieMaxAge": refresh_exp - t,
        "cookieExpiration": refresh_exp,
        "sessionExpiration": session_exp,
    })))
}
