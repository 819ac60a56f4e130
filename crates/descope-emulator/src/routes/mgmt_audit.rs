//! Audit: the emulator records sign-ins, failed sign-ins and management changes as they pass
//! through the router ([`record`], a middleware), and answers audit search and custom events.
//!
//! Actions: `LoginSucceed` and `LoginFailed` for sign-ins (any auth call that returns a session,
//! or refuses one with 401/403), `<Entity><Created|Modified|Deleted>` for management writes
//! (`UserCreated`, `TenantDeleted`, `RoleModified`, ...), `UserImpersonated`, and whatever
//! `create_event` is given.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::routes::mgmt_sso::mgmt_body;
use crate::store::Data;
use crate::util::*;
use crate::ClientIp;

/// Store kind of audit records: ID `<13-digit epoch ms>-<sequence>`, so IDs sort by time.
pub const KIND_AUDIT: &str = "x.audit";
/// Store kind of audit webhooks: ID = name.
pub const KIND_AUDIT_WEBHOOK: &str = "x.auditwebhook";
/// The most audit records kept (the oldest go first).
pub const AUDIT_CAP: usize = 10_000;
/// Bodies larger than this are not inspected (the request goes on unaudited).
const INSPECT_LIMIT: usize = 4 * 1024 * 1024;
/// Audit search looks this far back, as the hosted service does.
const RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/mgmt/audit/search", post(search))
        .route("/v1/mgmt/audit/event", post(create_event))
        .route("/v2/mgmt/connector/audit/web/set", post(webhook))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Adds a record (`occurred` is set here) and drops the oldest past [`AUDIT_CAP`].
pub fn add_record(data: &mut Data, mut rec: Value) {
    let ms = now_ms();
    rec["occurred"] = json!(ms);
    // The sequence keeps records of one millisecond in the order they happened.
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let id = format!("{ms:013}-{seq:012}");
    data.put_doc(KIND_AUDIT, &id, rec);
    let excess = data
        .docs
        .get(KIND_AUDIT)
        .map(|m| m.len().saturating_sub(AUDIT_CAP))
        .unwrap_or(0);
    let oldest: Vec<String> = data
        .docs_of(KIND_AUDIT)
        .take(excess)
        .map(|(k, _)| k.clone())
        .collect();
    for k in oldest {
        data.remove_doc(KIND_AUDIT, &k);
    }
}

/// What a request is, for the audit trail.
#[derive(Debug, Clone, PartialEq)]
enum Class {
    /// A call that signs in (or fails to): the method (`otp`, `password`, ...).
    Login(String),
    /// A management write: the action name.
    Change(String),
}

fn login_method(path: &str) -> Option<String> {
    if let Some(rest) = path.strip_prefix("/v1/mgmt/auth/") {
        return (!rest.is_empty()).then(|| "mgmt".to_string());
    }
    let rest = path.strip_prefix("/v1/auth/")?;
    let first = rest.split('/').next().unwrap_or_default();
    let excluded = ["refresh", "logout", "logoutall", "me", "tenant", "keys"];
    if excluded.contains(&first) || rest.ends_with("pending-session") {
        return None;
    }
    let method = match first {
        "sso" => "saml",
        "magiclink" | "enchantedlink" | "otp" | "password" | "totp" | "oauth" | "saml"
        | "webauthn" | "accesskey" | "notp" => first,
        _ => "other",
    };
    Some(method.to_string())
}

fn is_read_only(method: &Method, path: &str) -> bool {
    if method == Method::GET {
        return true;
    }
    const READ: [&str; 19] = [
        "/search",
        "/search/test",
        "/load",
        "/all",
        "/list",
        "/history",
        "/export",
        "/check",
        "/members",
        "/member/all",
        "/dryrun",
        "/secret",
        "/resources",
        "/result",
        "/validate",
        "/embeddedlink",
        "/event",
        "/jwt/update",
        "/run",
    ];
    READ.iter().any(|r| path.ends_with(r)) || path.contains("/tests/generate/")
}

fn change_action(method: &Method, path: &str) -> Option<String> {
    let rest = path
        .strip_prefix("/v1/mgmt/")
        .or_else(|| path.strip_prefix("/v2/mgmt/"))?;
    if is_read_only(method, path) || rest.starts_with("auth/") || rest == "license" {
        return None;
    }
    let segs: Vec<&str> = rest.split('/').collect();
    let (entity, tail): (&str, &[&str]) = match segs.as_slice() {
        ["sso", "idp", _, tail @ ..] => ("SSOApplication", tail),
        ["impersonate", ..] => return Some("UserImpersonated".into()),
        ["stop", "impersonation"] => return Some("ImpersonationStopped".into()),
        [first, tail @ ..] => (
            match *first {
                "user" | "users" => "User",
                "tenant" => "Tenant",
                "role" => "Role",
                "permission" => "Permission",
                "accesskey" => "AccessKey",
                "sso" => "SSOSettings",
                "flow" => "Flow",
                "theme" => "Theme",
                "fga" => "FGA",
                "project" | "projects" => "Project",
                "connector" => "Connector",
                _ => "Management",
            },
            tail,
        ),
        [] => return None,
    };
    let verb = if method == Method::DELETE
        || tail.first() == Some(&"delete")
        || (entity != "User" && tail.contains(&"delete"))
        || tail == ["test", "delete", "all"]
    {
        "Deleted"
    } else if matches!(tail.first(), Some(&"create") | Some(&"new"))
        || (entity == "SSOApplication" && tail.contains(&"create"))
    {
        "Created"
    } else {
        "Modified"
    };
    Some(format!("{entity}{verb}"))
}

fn classify(method: &Method, path: &str) -> Option<Class> {
    if let Some(m) = login_method(path) {
        return Some(Class::Login(m));
    }
    change_action(method, path).map(Class::Change)
}

fn device(headers: &HeaderMap) -> &'static str {
    let ua = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if ua.is_empty() {
        "Unknown"
    } else if ua.contains("iPad") || ua.contains("Tablet") {
        "Tablet"
    } else if ua.contains("Mobi") {
        "Mobile"
    } else if ua.starts_with("Mozilla/") {
        "Desktop"
    } else {
        "Bot"
    }
}

/// The user a request body names (by `userId`, else `loginId`): `(userId, loginIds)`.
fn subject(data: &Data, body: &Value) -> (String, Vec<String>) {
    let login_id = s(body, "loginId");
    let user_id = s(body, "userId");
    if !user_id.is_empty() {
        let logins = data
            .users
            .get(&user_id)
            .map(|u| u.login_ids.clone())
            .unwrap_or_default();
        return (user_id, logins);
    }
    if login_id.is_empty() {
        return (String::new(), vec![]);
    }
    let uid = data
        .user_by_login(&login_id)
        .map(|u| u.user_id.clone())
        .unwrap_or_default();
    (uid, vec![login_id])
}

/// Middleware: passes the request on, then records what it did.
pub async fn record(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let Some(class) = classify(&method, &path) else {
        return next.run(req).await;
    };
    let ip = req
        .extensions()
        .get::<ClientIp>()
        .map(|c| c.0.clone())
        .unwrap_or_default();
    let dev = device(req.headers());
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, INSPECT_LIMIT).await else {
        return ApiError::bad_request("The request body is too large").into_response();
    };
    let req_json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    // Who a management call is about, before it runs (a deleted user cannot be looked up after).
    let (pre_user, pre_logins) = subject(&app.lock().store.data, &req_json);
    let resp = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    let status = resp.status();
    let base = json!({
        "projectId": app.project_id,
        "device": dev,
        "geo": "",
        "remoteAddress": ip,
        "tenants": [],
        "data": {},
    });
    match class {
        Class::Change(action) => {
            if !status.is_success() {
                return resp;
            }
            let mut rec = base;
            rec["action"] = json!(action);
            rec["method"] = json!("management");
            rec["userId"] = json!(pre_user);
            rec["externalIds"] = json!(pre_logins);
            let tenant = if path.contains("/tenant/") {
                s(&req_json, "id")
            } else {
                s(&req_json, "tenantId")
            };
            if !tenant.is_empty() {
                rec["tenants"] = json!([tenant]);
            }
            rec["data"] = json!({ "path": path });
            let _ = app.tx(|core| {
                add_record(core.data(), rec);
                Ok(())
            });
            resp
        }
        Class::Login(login_method) => {
            let failed = status.as_u16() == 401 || status.as_u16() == 403;
            if !status.is_success() && !failed {
                return resp;
            }
            let (parts, body) = resp.into_parts();
            let Ok(out) = axum::body::to_bytes(body, INSPECT_LIMIT).await else {
                return ApiError::internal("The response body could not be read").into_response();
            };
            let resp_json: Value = serde_json::from_slice(&out).unwrap_or(Value::Null);
            let mut rec = base;
            rec["method"] = json!(login_method);
            if failed {
                rec["action"] = json!("LoginFailed");
                rec["userId"] = json!(pre_user);
                rec["externalIds"] = json!(pre_logins);
                rec["data"] = json!({
                    "errorCode": s(&resp_json, "errorCode"),
                    "reason": s(&resp_json, "errorMessage"),
                });
            } else if resp_json.get("sessionJwt").is_some() {
                rec["action"] = json!("LoginSucceed");
                let user = resp_json.get("user").cloned().unwrap_or(Value::Null);
                let uid = s(&user, "userId");
                rec["userId"] = json!(if uid.is_empty() {
                    s(&resp_json, "keyId")
                } else {
                    uid
                });
                let logins = strs(&user, "loginIds");
                rec["externalIds"] = json!(if logins.is_empty() {
                    pre_logins
                } else {
                    logins
                });
                let tenants: Vec<String> = user
                    .get("userTenants")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().map(|t| s(t, "tenantId")).collect())
                    .unwrap_or_default();
                rec["tenants"] = json!(tenants);
            } else {
                return Response::from_parts(parts, Body::from(out));
            }
            let _ = app.tx(|core| {
                add_record(core.data(), rec);
                Ok(())
            });
            Response::from_parts(parts, Body::from(out))
        }
    }
}

/// A stored record as the search answers it (`occurred` as a string of epoch ms, as the
/// hosted service sends it).
fn view(rec: &Value) -> Value {
    let mut v = rec.clone();
    let ms = rec.get("occurred").and_then(Value::as_i64).unwrap_or(0);
    v["occurred"] = json!(ms.to_string());
    v
}

fn any_in(list: &[String], wanted: &[String]) -> bool {
    wanted.is_empty() || list.iter().any(|x| wanted.contains(x))
}

async fn search(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let one_of = |key: &str, rec: &Value, field: &str| {
        let wanted = strs(&body, key);
        wanted.is_empty() || wanted.contains(&s(rec, field))
    };
    let excluded = strs(&body, "excludedActions");
    let external = strs(&body, "externalIds");
    let tenants = strs(&body, "tenants");
    let no_tenants = b(&body, "noTenants");
    let text = s(&body, "text").to_lowercase();
    let floor = now_ms() - RETENTION_MS;
    let from = int(&body, "from").max(floor);
    let to = match int(&body, "to") {
        0 => i64::MAX,
        t => t,
    };
    let core = app.lock();
    let mut out: Vec<Value> = core
        .store
        .data
        .docs_of(KIND_AUDIT)
        .map(|(_, r)| r)
        .filter(|r| {
            let at = r.get("occurred").and_then(Value::as_i64).unwrap_or(0);
            at >= from && at <= to
        })
        .filter(|r| one_of("userIds", r, "userId"))
        .filter(|r| one_of("actions", r, "action"))
        .filter(|r| !excluded.contains(&s(r, "action")))
        .filter(|r| one_of("devices", r, "device"))
        .filter(|r| one_of("methods", r, "method"))
        .filter(|r| one_of("geos", r, "geo"))
        .filter(|r| one_of("remoteAddresses", r, "remoteAddress"))
        .filter(|r| any_in(&strs(r, "externalIds"), &external))
        .filter(|r| any_in(&strs(r, "tenants"), &tenants))
        .filter(|r| !no_tenants || strs(r, "tenants").is_empty())
        .filter(|r| text.is_empty() || r.to_string().to_lowercase().contains(&text))
        .map(view)
        .collect();
    out.reverse();
    Ok(Json(json!({ "audits": out })))
}

async fn create_event(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let action = req(&body, "action")?;
    let actor = req(&body, "actorId")?;
    let kind = req(&body, "type")?;
    if !matches!(kind.as_str(), "info" | "warn" | "error") {
        return Err(ApiError::bad_request(format!(
            "Unknown event type {kind:?}: use info, warn or error"
        )));
    }
    let tenant = s(&body, "tenantId");
    let user_id = s(&body, "userId");
    app.tx(|core| {
        if !tenant.is_empty() && !core.store.data.tenants.contains_key(&tenant) {
            return Err(ApiError::bad_request(format!(
                "Tenant {tenant:?} does not exist"
            )));
        }
        let logins = core
            .store
            .data
            .users
            .get(&user_id)
            .map(|u| u.login_ids.clone())
            .unwrap_or_default();
        add_record(
            core.data(),
            json!({
                "projectId": app.project_id,
                "userId": user_id,
                "actorId": actor,
                "action": action,
                "type": kind,
                "device": "",
                "method": "",
                "geo": "",
                "remoteAddress": "",
                "externalIds": logins,
                "tenants": if tenant.is_empty() { vec![] } else { vec![tenant.clone()] },
                "data": obj(&body, "data"),
            }),
        );
        Ok(Json(json!({})))
    })
}

async fn webhook(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let name = req(&body, "name")?;
    app.tx(|core| {
        core.data().put_doc(
            KIND_AUDIT_WEBHOOK,
            &name,
            json!({"name": name, "url": s(&body, "url"), "headers": obj(&body, "headers")}),
        );
        Ok(Json(json!({})))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn management_writes_are_named_entity_and_verb_and_reads_are_skipped() {
        let post = Method::POST;
        let c = |p: &str| classify(&post, p);
        assert_eq!(
            c("/v1/mgmt/user/create"),
            Some(Class::Change("UserCreated".into()))
        );
        assert_eq!(
            c("/v1/mgmt/user/create/test"),
            Some(Class::Change("UserCreated".into()))
        );
        assert_eq!(
            c("/v1/mgmt/user/delete"),
            Some(Class::Change("UserDeleted".into()))
        );
        assert_eq!(
            c("/v1/mgmt/user/passkeys/delete"),
            Some(Class::Change("UserModified".into()))
        );
        assert_eq!(
            c("/v1/mgmt/tenant/delete"),
            Some(Class::Change("TenantDeleted".into()))
        );
        assert_eq!(
            c("/v1/mgmt/sso/idp/app/oidc/create"),
            Some(Class::Change("SSOApplicationCreated".into()))
        );
        assert_eq!(
            c("/v1/mgmt/impersonate"),
            Some(Class::Change("UserImpersonated".into()))
        );
        assert_eq!(
            classify(&Method::DELETE, "/v1/mgmt/sso/settings"),
            Some(Class::Change("SSOSettingsDeleted".into()))
        );
        for read in [
            "/v2/mgmt/user/search",
            "/v1/mgmt/audit/search",
            "/v1/mgmt/audit/event",
            "/v1/mgmt/fga/check",
            "/v1/mgmt/project/export",
            "/v1/mgmt/tests/generate/otp",
        ] {
            assert_eq!(c(read), None, "{read}");
        }
        assert_eq!(classify(&Method::GET, "/v1/mgmt/user"), None);
    }

    #[test]
    fn sign_in_calls_are_logins_and_session_calls_are_not() {
        let c = |p: &str| classify(&Method::POST, p);
        assert_eq!(
            c("/v1/auth/otp/verify/email"),
            Some(Class::Login("otp".into()))
        );
        assert_eq!(
            c("/v1/auth/password/signin"),
            Some(Class::Login("password".into()))
        );
        assert_eq!(
            c("/v1/auth/sso/exchange"),
            Some(Class::Login("saml".into()))
        );
        assert_eq!(c("/v1/mgmt/auth/signin"), Some(Class::Login("mgmt".into())));
        for not in [
            "/v1/auth/refresh",
            "/v1/auth/logout",
            "/v1/auth/me",
            "/v1/auth/tenant/select",
            "/v1/auth/enchantedlink/pending-session",
        ] {
            assert_eq!(c(not), None, "{not}");
        }
    }

    #[test]
    fn the_oldest_records_go_past_the_cap() {
        let mut data = Data::default();
        for i in 0..AUDIT_CAP + 3 {
            add_record(&mut data, json!({"action": format!("a{i}")}));
        }
        let kept: Vec<String> = data
            .docs_of(KIND_AUDIT)
            .map(|(_, r)| s(r, "action"))
            .collect();
        assert_eq!(kept.len(), AUDIT_CAP);
        assert!(!kept.contains(&"a0".to_string()));
        assert!(kept.contains(&format!("a{}", AUDIT_CAP + 2)));
    }
}
