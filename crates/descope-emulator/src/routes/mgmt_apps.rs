//! Management: SSO applications (Descope as an identity provider): OIDC, SAML and WS-Fed
//! applications, create, update, delete, load, load all, and their secret.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::routes::mgmt_sso::mgmt_body;
use crate::util::*;

/// Store kind of SSO applications: ID = app ID, value = the app as `load` answers it plus its
/// `secret`.
pub const KIND_SSO_APP: &str = "x.ssoapp";

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Oidc,
    Saml,
    WsFed,
}

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(
            "/v1/mgmt/sso/idp/app/oidc/create",
            post(|s, h, b| save(s, h, b, Kind::Oidc, true)),
        )
        .route(
            "/v1/mgmt/sso/idp/app/oidc/update",
            post(|s, h, b| save(s, h, b, Kind::Oidc, false)),
        )
        .route(
            "/v1/mgmt/sso/idp/app/saml/create",
            post(|s, h, b| save(s, h, b, Kind::Saml, true)),
        )
        .route(
            "/v1/mgmt/sso/idp/app/saml/update",
            post(|s, h, b| save(s, h, b, Kind::Saml, false)),
        )
        .route(
            "/v1/mgmt/sso/idp/app/wsfed/create",
            post(|s, h, b| save(s, h, b, Kind::WsFed, true)),
        )
        .route(
            "/v1/mgmt/sso/idp/app/wsfed/update",
            post(|s, h, b| save(s, h, b, Kind::WsFed, false)),
        )
        .route("/v1/mgmt/sso/idp/app/delete", post(delete))
        .route("/v1/mgmt/sso/idp/app/load", get(load))
        .route("/v1/mgmt/sso/idp/apps/load", get(load_all))
        .route("/v1/mgmt/sso/idp/app/secret", get(secret))
        .route("/v1/mgmt/sso/idp/app/rotate", post(rotate))
}

fn list_of(v: &Value, key: &str) -> Value {
    Value::Array(
        v.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
    )
}

/// The app as stored (and answered by `load`, without `secret`).
fn build(app: &App, kind: Kind, id: &str, body: &Value) -> ApiResult<Value> {
    let name = req(body, "name")?;
    let login_page = s(body, "loginPageUrl");
    let enabled = body.get("enabled").and_then(Value::as_bool).unwrap_or(true);
    let issuer = format!("{}/{}", app.base_url, app.project_id);
    let idp = format!("{}/v1/sso/idp/app/{}", app.base_url, id);
    let mut out = json!({
        "id": id,
        "name": name,
        "description": s(body, "description"),
        "enabled": enabled,
        "logo": s(body, "logo"),
        "samlSettings": {},
        "oidcSettings": {},
    });
    match kind {
        Kind::Oidc => {
            out["appType"] = json!("oidc");
            out["oidcSettings"] = json!({
                "loginPageUrl": login_page,
                "issuer": issuer,
                "discoveryUrl": format!("{issuer}/.well-known/openid-configuration"),
                "forceAuthentication": b(body, "forceAuthentication"),
            });
        }
        Kind::Saml => {
            let metadata = b(body, "useMetadataInfo");
            if metadata && s(body, "metadataUrl").is_empty() {
                return Err(ApiError::bad_request(
                    "metadataUrl is required with useMetadataInfo",
                ));
            }
            if !metadata
                && ["entityId", "acsUrl", "certificate"]
                    .iter()
                    .any(|k| s(body, k).is_empty())
            {
                return Err(ApiError::bad_request(
                    "entityId, acsUrl and certificate are required without useMetadataInfo",
                ));
            }
            out["appType"] = json!("saml");
            out["samlSettings"] = json!({
                "loginPageUrl": login_page,
                "idpCert": "",
                "useMetadataInfo": metadata,
                "metadataUrl": s(body, "metadataUrl"),
                "entityId": s(body, "entityId"),
                "acsUrl": s(body, "acsUrl"),
                "certificate": s(body, "certificate"),
                "attributeMapping": list_of(body, "attributeMapping"),
                "groupsMapping": list_of(body, "groupsMapping"),
                "idpMetadataUrl": format!("{idp}/metadata"),
                "idpEntityId": idp,
                "idpSsoUrl": format!("{idp}/sso"),
                "acsAllowedCallbacks": strs(body, "acsAllowedCallbacks"),
                "subjectNameIdType": s(body, "subjectNameIdType"),
                "subjectNameIdFormat": s(body, "subjectNameIdFormat"),
                "defaultRelayState": s(body, "defaultRelayState"),
                "forceAuthentication": b(body, "forceAuthentication"),
                "idpLogoutUrl": format!("{idp}/logout"),
                "logoutRedirectUrl": s(body, "logoutRedirectUrl"),
                "defaultSignatureAlgorithm": s(body, "defaultSignatureAlgorithm"),
            });
        }
        Kind::WsFed => {
            out["appType"] = json!("wsfed");
            out["wsfedSettings"] = json!({
                "loginPageUrl": login_page,
                "realm": s(body, "realm"),
                "replyUrl": s(body, "replyUrl"),
                "replyAllowedCallbacks": strs(body, "replyAllowedCallbacks"),
                "attributeMapping": list_of(body, "attributeMapping"),
                "groupsMapping": list_of(body, "groupsMapping"),
                "forceAuthentication": b(body, "forceAuthentication"),
                "logoutRedirectUrl": s(body, "logoutRedirectUrl"),
                "errorRedirectUrl": s(body, "errorRedirectUrl"),
            });
        }
    }
    Ok(out)
}

async fn save(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
    kind: Kind,
    create: bool,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let given = s(&body, "id");
    app.tx(|core| {
        let id = if create {
            let id = if given.is_empty() {
                random_id("", 27)
            } else {
                given.clone()
            };
            if core.store.data.doc(KIND_SSO_APP, &id).is_some() {
                return Err(ApiError::conflict(format!(
                    "An SSO application with ID {id:?} already exists"
                )));
            }
            id
        } else {
            if given.is_empty() {
                return Err(ApiError::bad_request("The id field is required"));
            }
            given.clone()
        };
        let old = core.store.data.doc(KIND_SSO_APP, &id).cloned();
        if !create && old.is_none() {
            return Err(ApiError::not_found(format!(
                "No SSO application has ID {id:?}"
            )));
        }
        let mut rec = build(&app, kind, &id, &body)?;
        if let Some(old) = &old {
            if s(old, "appType") != s(&rec, "appType") {
                return Err(ApiError::bad_request(format!(
                    "SSO application {id:?} is a {} application",
                    s(old, "appType")
                )));
            }
        }
        rec["secret"] = json!(old
            .as_ref()
            .map(|o| s(o, "secret"))
            .filter(|x| !x.is_empty())
            .unwrap_or_else(|| random_id("", 40)));
        core.data().put_doc(KIND_SSO_APP, &id, rec);
        Ok(Json(if create {
            json!({ "id": id })
        } else {
            json!({})
        }))
    })
}

/// The app as `load` answers it (no secret).
fn public(app: &Value) -> Value {
    let mut v = app.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("secret");
    }
    v
}

fn find(core: &crate::app::Core, id: &str) -> ApiResult<Value> {
    core.store
        .data
        .doc(KIND_SSO_APP, id)
        .cloned()
        .filter(Value::is_object)
        .ok_or_else(|| ApiError::not_found(format!("No SSO application has ID {id:?}")))
}

async fn delete(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let id = req(&body, "id")?;
    app.tx(|core| {
        if !core.data().remove_doc(KIND_SSO_APP, &id) {
            return Err(ApiError::not_found(format!(
                "No SSO application has ID {id:?}"
            )));
        }
        // Users lose the deleted application.
        let users: Vec<_> = core
            .store
            .data
            .users
            .values()
            .filter(|u| u.sso_app_ids.contains(&id))
            .cloned()
            .collect();
        for mut u in users {
            u.sso_app_ids.retain(|a| *a != id);
            core.data().put_user(u);
        }
        Ok(Json(json!({})))
    })
}

async fn load(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let id = s(&Value::Object(q), "id");
    let core = app.lock();
    Ok(Json(public(&find(&core, &id)?)))
}

async fn load_all(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let core = app.lock();
    let apps: Vec<Value> = core
        .store
        .data
        .docs_of(KIND_SSO_APP)
        .map(|(_, a)| public(a))
        .collect();
    Ok(Json(json!({ "apps": apps })))
}

async fn secret(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let id = s(&Value::Object(q), "id");
    let core = app.lock();
    let a = find(&core, &id)?;
    Ok(Json(json!({ "cleartext": s(&a, "secret") })))
}

async fn rotate(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let id = req(&body, "id")?;
    app.tx(|core| {
        let mut a = find(core, &id)?;
        let new = random_id("", 40);
        a["secret"] = json!(new);
        core.data().put_doc(KIND_SSO_APP, &id, a);
        Ok(Json(json!({ "cleartext": new })))
    })
}
