//! Keys, sessions and the signed-in user: JWKS, refresh, logout, me, tenants, access keys.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::app::{revoke_user_sessions, App};
use crate::error::{ApiError, ApiResult};
use crate::model::SessionRecord;
use crate::util::*;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v2/keys/{project}", get(jwks))
        .route("/v1/keys/{project}", get(jwks))
        .route("/v1/auth/refresh", post(refresh))
        .route("/v1/auth/logout", post(logout))
        .route("/v1/auth/logoutall", post(logout_all))
        .route("/v1/auth/me", get(me))
        .route("/v1/auth/me/history", get(history))
        .route("/v1/auth/me/tenants", post(my_tenants))
        .route("/v1/auth/tenant/select", post(select_tenant))
        .route("/v1/auth/accesskey/exchange", post(exchange_access_key))
}

async fn jwks(State(app): State<Arc<App>>, Path(project): Path<String>) -> ApiResult<Json<Value>> {
    if project != app.project_id {
        return Err(ApiError::not_found(format!(
            "Unknown project {project:?}: this emulator serves {}",
            app.project_id
        )));
    }
    let core = app.lock();
    Ok(Json(core.keys.jwks(now(), app.settings.key_grace)))
}

async fn refresh(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    app.tx(|core| {
        let (session, user) = app.session_of(core, &headers)?;
        app.jwt_response(core, &session, &user, false, false)
            .map(Json)
    })
}

async fn logout(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    app.tx(|core| {
        let (mut session, _) = app.session_of(core, &headers)?;
        session.revoked = true;
        core.data().put_session(session);
        Ok(Json(json!({})))
    })
}

async fn logout_all(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    app.tx(|core| {
        let (_, user) = app.session_of(core, &headers)?;
        revoke_user_sessions(core.data(), &user.user_id);
        Ok(Json(json!({})))
    })
}

async fn me(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let core = app.lock();
    let (_, user) = app.session_of(&core, &headers)?;
    Ok(Json(user.to_api(&core.store.data.tenants)))
}

async fn history(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    let core = app.lock();
    let (_, user) = app.session_of(&core, &headers)?;
    let list: Vec<Value> = core
        .store
        .data
        .logins
        .iter()
        .filter(|l| l.user_id == user.user_id)
        .map(|l| json!({"userId": l.user_id, "loginTime": l.login_time, "city": "", "country": "", "ip": l.ip}))
        .collect();
    Ok(Json(Value::Array(list)))
}

async fn my_tenants(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let core = app.lock();
    let (session, user) = app.session_of(&core, &headers)?;
    let ids = strs(&body, "ids");
    let dct = b(&body, "dct");
    if dct && !ids.is_empty() {
        return Err(ApiError::bad_request("Only one of dct or ids may be given"));
    }
    let tenants: Vec<Value> = user
        .user_tenants
        .iter()
        .filter(|t| {
            if dct {
                session.dct.as_deref() == Some(t.tenant_id.as_str())
            } else {
                ids.is_empty() || ids.contains(&t.tenant_id)
            }
        })
        .filter_map(|t| core.store.data.tenants.get(&t.tenant_id))
        .map(|t| json!({"id": t.id, "name": t.name, "customAttributes": t.custom_attributes}))
        .collect();
    Ok(Json(json!({ "tenants": tenants })))
}

async fn select_tenant(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let tenant = s(&body, "tenant");
    app.tx(|core| {
        let (session, user) = app.session_of(core, &headers)?;
        if !tenant.is_empty() && !user.user_tenants.iter().any(|t| t.tenant_id == tenant) {
            return Err(ApiError::bad_request(format!(
                "The user is not a member of tenant {tenant:?}"
            )));
        }
        let t = now();
        let new = SessionRecord {
            id: random_id("S", 27),
            created: t,
            expires: t + app.settings.refresh_ttl,
            dct: if tenant.is_empty() {
                None
            } else {
                Some(tenant.clone())
            },
            ..session
        };
        core.data().put_session(new.clone());
        app.jwt_response(core, &new, &user, true, false).map(Json)
    })
}

async fn exchange_access_key(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let options = body
        .get("loginOptions")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let bearer = app.bearer(&headers)?;
    let secret = bearer.parts.first().cloned().ok_or_else(|| {
        ApiError::unauthorized("An access key is required: send Bearer <projectId>:<accessKey>")
    })?;
    let digest = sha256_hex(secret.as_bytes());
    let core = app.lock();
    let key = core
        .store
        .data
        .access_keys
        .values()
        .find(|k| secret_eq(&k.secret_digest, &digest))
        .cloned()
        .ok_or_else(|| ApiError::unauthorized("The access key is unknown"))?;
    if key.status != "active" {
        return Err(ApiError::unauthorized("The access key is deactivated"));
    }
    let t = now();
    if key.expire_time > 0 && key.expire_time <= t {
        return Err(ApiError::unauthorized("The access key has expired"));
    }
    let selected = s(&options, "selectedTenant");
    if !selected.is_empty() && !key.key_tenants.iter().any(|kt| kt.tenant_id == selected) {
        return Err(ApiError::bad_request(format!(
            "The access key is not a member of tenant {selected:?}"
        )));
    }
    let (roles, permissions, tenants) =
        App::authz_claims(&core.store.data, &key.role_names, &key.key_tenants);
    let exp = t + app.settings.session_ttl;
    let mut claims = Map::new();
    for (k, v) in &key.custom_claims {
        claims.insert(k.clone(), v.clone());
    }
    claims.insert("iss".into(), json!(app.project_id));
    claims.insert("sub".into(), json!(key.id));
    claims.insert("iat".into(), json!(t));
    claims.insert("exp".into(), json!(exp));
    claims.insert("drn".into(), json!("DS"));
    claims.insert("roles".into(), json!(roles));
    claims.insert("permissions".into(), json!(permissions));
    claims.insert("tenants".into(), Value::Object(tenants));
    if let Some(cc) = options.get("customClaims").and_then(Value::as_object) {
        if !cc.is_empty() {
            claims.insert("nsec".into(), Value::Object(cc.clone()));
        }
    }
    if !selected.is_empty() {
        claims.insert("dct".into(), json!(selected));
    }
    let jwt = core
        .keys
        .sign(&Value::Object(claims))
        .map_err(ApiError::internal)?;
    Ok(Json(
        json!({"sessionJwt": jwt, "expiration": exp, "keyId": key.id}),
    ))
}
