//! Management: users and the test-user utilities.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::app::{revoke_user_sessions, Action, App, Core, Pending};
use crate::error::{ApiError, ApiResult};
use crate::model::{TenantLink, UserRecord};
use crate::routes::password::{check_policy, hash_password};
use crate::routes::passwordless::{build_link, issue, Flow};
use crate::store::Data;
use crate::util::*;
use crate::OutboxMessage;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(
            "/v1/mgmt/user/create",
            post(|s, h, b| create(s, h, b, false)),
        )
        .route(
            "/v1/mgmt/user/create/test",
            post(|s, h, b| create(s, h, b, true)),
        )
        .route("/v1/mgmt/user/create/batch", post(create_batch))
        .route("/v1/mgmt/user/update", post(update))
        .route("/v1/mgmt/user/patch", patch(patch_user))
        .route("/v1/mgmt/user/delete", post(delete_user))
        .route("/v1/mgmt/user/delete/batch", post(delete_batch))
        .route(
            "/v1/mgmt/user/test/delete/all",
            delete(delete_all_test_users),
        )
        .route("/v1/mgmt/user", get(load))
        .route("/v1/mgmt/users/load", post(load_users))
        .route(
            "/v2/mgmt/user/search",
            post(|s, h, b| search(s, h, b, false)),
        )
        .route(
            "/v1/mgmt/user/search",
            post(|s, h, b| search(s, h, b, false)),
        )
        .route(
            "/v2/mgmt/user/search/test",
            post(|s, h, b| search(s, h, b, true)),
        )
        .route(
            "/v1/mgmt/user/update/status",
            post(|s, h, b| modify(s, h, b, Op::Status)),
        )
        .route(
            "/v1/mgmt/user/update/loginid",
            post(|s, h, b| modify(s, h, b, Op::LoginId)),
        )
        .route(
            "/v1/mgmt/user/update/email",
            post(|s, h, b| modify(s, h, b, Op::Email)),
        )
        .route(
            "/v1/mgmt/user/update/phone",
            post(|s, h, b| modify(s, h, b, Op::Phone)),
        )
        .route(
            "/v1/mgmt/user/update/name",
            post(|s, h, b| modify(s, h, b, Op::Name)),
        )
        .route(
            "/v1/mgmt/user/update/picture",
            post(|s, h, b| modify(s, h, b, Op::Picture)),
        )
        .route(
            "/v1/mgmt/user/update/customAttribute",
            post(|s, h, b| modify(s, h, b, Op::CustomAttribute)),
        )
        .route(
            "/v1/mgmt/user/update/role/set",
            post(|s, h, b| modify(s, h, b, Op::RolesSet)),
        )
        .route(
            "/v1/mgmt/user/update/role/add",
            post(|s, h, b| modify(s, h, b, Op::RolesAdd)),
        )
        .route(
            "/v2/mgmt/user/update/role/add",
            post(|s, h, b| modify(s, h, b, Op::RolesAdd)),
        )
        .route(
            "/v1/mgmt/user/update/role/remove",
            post(|s, h, b| modify(s, h, b, Op::RolesRemove)),
        )
        .route(
            "/v1/mgmt/user/update/tenant/add",
            post(|s, h, b| modify(s, h, b, Op::TenantAdd)),
        )
        .route(
            "/v1/mgmt/user/update/tenant/remove",
            post(|s, h, b| modify(s, h, b, Op::TenantRemove)),
        )
        .route(
            "/v1/mgmt/user/update/ssoapp/set",
            post(|s, h, b| modify(s, h, b, Op::SsoSet)),
        )
        .route(
            "/v1/mgmt/user/update/ssoapp/add",
            post(|s, h, b| modify(s, h, b, Op::SsoAdd)),
        )
        .route(
            "/v1/mgmt/user/update/ssoapp/remove",
            post(|s, h, b| modify(s, h, b, Op::SsoRemove)),
        )
        .route(
            "/v1/mgmt/user/password/set/temporary",
            post(|s, h, b| modify(s, h, b, Op::Password(Some(false)))),
        )
        .route(
            "/v1/mgmt/user/password/set/active",
            post(|s, h, b| modify(s, h, b, Op::Password(Some(true)))),
        )
        .route(
            "/v1/mgmt/user/password/set",
            post(|s, h, b| modify(s, h, b, Op::Password(None))),
        )
        .route(
            "/v1/mgmt/user/password/expire",
            post(|s, h, b| modify(s, h, b, Op::ExpirePassword)),
        )
        .route(
            "/v1/mgmt/user/totp/delete",
            post(|s, h, b| modify(s, h, b, Op::RemoveTotp)),
        )
        .route(
            "/v1/mgmt/user/update/family/add",
            post(|s, h, b| modify(s, h, b, Op::FamilyAdd)),
        )
        .route(
            "/v1/mgmt/user/update/family/remove",
            post(|s, h, b| modify(s, h, b, Op::FamilyRemove)),
        )
        .route("/v1/mgmt/user/import", post(import_users))
        .route("/v1/mgmt/user/logout", post(logout_user))
        .route("/v1/mgmt/user/history", post(history))
        .route(
            "/v1/mgmt/tests/generate/otp",
            post(|s, h, b| generate(s, h, b, Flow::Otp)),
        )
        .route(
            "/v1/mgmt/tests/generate/magiclink",
            post(|s, h, b| generate(s, h, b, Flow::MagicLink)),
        )
        .route(
            "/v1/mgmt/tests/generate/enchantedlink",
            post(|s, h, b| generate(s, h, b, Flow::EnchantedLink)),
        )
        .route("/v1/mgmt/user/signin/embeddedlink", post(embedded_link))
}

/// The tenant links of a body field (`userTenants`, `keyTenants`).
pub fn tenant_links(v: &Value, key: &str) -> Vec<TenantLink> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|t| TenantLink {
                    tenant_id: s(t, "tenantId"),
                    role_names: strs(t, "roleNames"),
                })
                .filter(|t| !t.tenant_id.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Checks that roles exist (project-wide, or in `tenant`).
pub fn check_roles(data: &Data, tenant: &str, names: &[String]) -> ApiResult<()> {
    for n in names {
        let found = data
            .roles
            .contains_key(&crate::model::RoleRecord::key("", n))
            || (!tenant.is_empty()
                && data
                    .roles
                    .contains_key(&crate::model::RoleRecord::key(tenant, n)));
        if !found {
            return Err(ApiError::bad_request(format!(
                "Role {n:?} does not exist{}",
                if tenant.is_empty() {
                    String::new()
                } else {
                    format!(" for tenant {tenant:?}")
                }
            )));
        }
    }
    Ok(())
}

/// Checks that tenants exist and their roles too.
pub fn check_links(data: &Data, links: &[TenantLink]) -> ApiResult<()> {
    for l in links {
        if !data.tenants.contains_key(&l.tenant_id) {
            return Err(ApiError::bad_request(format!(
                "Tenant {:?} does not exist",
                l.tenant_id
            )));
        }
        check_roles(data, &l.tenant_id, &l.role_names)?;
    }
    Ok(())
}

fn user_json(core: &Core, u: &UserRecord) -> Value {
    json!({ "user": u.to_api(&core.store.data.tenants) })
}

/// Fills a user from a create/update body.
fn apply_body(u: &mut UserRecord, body: &Value) {
    u.email = s(body, "email");
    u.phone = s(body, "phone");
    u.name = s(body, "displayName");
    u.given_name = s(body, "givenName");
    u.middle_name = s(body, "middleName");
    u.family_name = s(body, "familyName");
    u.picture = s(body, "picture");
    u.role_names = strs(body, "roleNames");
    u.user_tenants = tenant_links(body, "userTenants");
    u.custom_attributes = obj(body, "customAttributes");
    u.sso_app_ids = {
        let a = strs(body, "ssoAppIDs");
        if a.is_empty() {
            strs(body, "ssoAppIds")
        } else {
            a
        }
    };
    if let Some(v) = body.get("verifiedEmail").and_then(Value::as_bool) {
        u.verified_email = v;
    }
    if let Some(v) = body.get("verifiedPhone").and_then(Value::as_bool) {
        u.verified_phone = v;
    }
    u.family_associations = family_associations(body);
}

/// Merges a re-added family association into the stored one.
fn merge_family(stored: &mut Value, added: &Value) {
    if added.get("roleNames").is_some_and(Value::is_array) {
        let mut roles = strs(stored, "roleNames");
        add_all(&mut roles, strs(added, "roleNames"));
        stored["roleNames"] = json!(roles);
    }
    if let Some(attrs) = added
        .get("familyScopedAttributes")
        .and_then(Value::as_object)
    {
        let mut merged = obj(stored, "familyScopedAttributes");
        for (k, v) in attrs {
            merged.insert(k.clone(), v.clone());
        }
        stored["familyScopedAttributes"] = Value::Object(merged);
    }
}

/// The `familyAssociations` of a body, each with a non-empty `familyId`.
fn family_associations(body: &Value) -> Vec<Value> {
    body.get("familyAssociations")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|f| !s(f, "familyId").is_empty())
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

fn create_one(app: &App, core: &mut Core, body: &Value, test: bool) -> ApiResult<UserRecord> {
    let u = new_user(core, body, test)?;
    let login_id = u.login_ids.first().cloned().unwrap_or_default();
    let invite = b(body, "invite");
    if invite {
        let link = opt_s(body, "inviteUrl")
            .filter(|x| !x.is_empty())
            .unwrap_or_else(|| build_link(app, "", ""));
        let to = if !u.email.is_empty() {
            u.email.clone()
        } else {
            u.phone.clone()
        };
        app.send(
            core,
            OutboxMessage {
                kind: "invite".into(),
                method: if u.email.is_empty() {
                    "sms".into()
                } else {
                    "email".into()
                },
                login_id: login_id.clone(),
                to,
                code: None,
                link: Some(link),
                token: None,
                link_id: None,
                pending_ref: None,
                time: now(),
            },
        );
    }
    core.data().put_user(u.clone());
    Ok(u)
}

/// A new user from a create body, checked (login IDs free, roles and tenants exist) but not
/// stored.
fn new_user(core: &Core, body: &Value, test: bool) -> ApiResult<UserRecord> {
    let login_id = req(body, "loginId")?;
    let mut login_ids = vec![login_id];
    for extra in strs(body, "additionalLoginIds") {
        if !login_ids.contains(&extra) {
            login_ids.push(extra);
        }
    }
    for l in &login_ids {
        if core.store.data.user_by_login(l).is_some() {
            return Err(ApiError::conflict(format!(
                "A user with login ID {l:?} already exists"
            )));
        }
    }
    let invite = b(body, "invite");
    let mut u = UserRecord {
        user_id: random_id("U", 27),
        login_ids,
        test: test || b(body, "test"),
        created_time: now(),
        ..Default::default()
    };
    apply_body(&mut u, body);
    check_roles(&core.store.data, "", &u.role_names)?;
    check_links(&core.store.data, &u.user_tenants)?;
    u.status = match opt_s(body, "status") {
        Some(st) if !st.is_empty() => {
            if !matches!(st.as_str(), "enabled" | "disabled" | "invited" | "expired") {
                return Err(ApiError::bad_request(format!("Invalid status {st:?}")));
            }
            st
        }
        _ if invite => "invited".into(),
        _ => "enabled".into(),
    };
    if let Some(p) = opt_s(body, "password").filter(|p| !p.is_empty()) {
        u.password_hash = Some(hash_password(&p));
    }
    Ok(u)
}

async fn create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
    test: bool,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    app.tx(|core| {
        let u = create_one(&app, core, &body, test)?;
        Ok(Json(user_json(core, &u)))
    })
}

async fn create_batch(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let users = body
        .get("users")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    app.tx(|core| {
        let mut created = Vec::new();
        let mut failed = Vec::new();
        for u in users {
            let mut ub = u.clone();
            if b(&body, "invite") {
                ub["invite"] = json!(true);
            }
            if let Some(url) = body.get("inviteUrl") {
                ub["inviteUrl"] = url.clone();
            }
            match create_one(&app, core, &ub, false) {
                Ok(rec) => created.push(rec.to_api(&core.store.data.tenants)),
                Err(e) => failed.push(json!({"failure": e.message, "user": u})),
            }
        }
        Ok(Json(
            json!({"createdUsers": created, "failedUsers": failed}),
        ))
    })
}

/// Decodes a base64 file of an import body (`users`, `hashes`) as JSON; `None` when absent.
fn import_file(body: &Value, key: &str) -> ApiResult<Option<Value>> {
    use base64::Engine as _;
    let raw = s(body, key);
    if raw.is_empty() {
        return Ok(None);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw.as_bytes())
        .map_err(|_| ApiError::bad_request(format!("The {key} field is not base64")))?;
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        ApiError::bad_request(format!(
            "The {key} file is not JSON ({e}); the emulator imports JSON files"
        ))
    })
}

/// The password hashes of an import: `{"<loginId>": "<hash>"}` or `[{loginId, hash}]`.
fn import_hashes(file: Option<Value>) -> ApiResult<Map<String, Value>> {
    match file {
        None => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m),
        Some(Value::Array(items)) => Ok(items
            .iter()
            .filter(|i| !s(i, "loginId").is_empty())
            .map(|i| (s(i, "loginId"), json!(s(i, "hash"))))
            .collect()),
        Some(_) => Err(ApiError::bad_request(
            "The hashes file must be a JSON object of login ID to hash, or an array of {loginId, hash}",
        )),
    }
}

/// A stored password hash the emulator can check: `pbkdf2-sha256$<iterations>$<salt>$<hash>`.
fn usable_hash(hash: &str) -> bool {
    let parts: Vec<&str> = hash.split('$').collect();
    parts.len() == 4 && parts[0] == "pbkdf2-sha256" && parts[1].parse::<u32>().is_ok_and(|n| n > 0)
}

/// `user/import`: creates the users of the `users` file (a base64 JSON array of user objects,
/// or `{"users": [...]}`), with password hashes from each user's `passwordHash` or the
/// `hashes` file. Answers `{users, failures: [{user, reason}]}`; `dryrun` checks and stores
/// nothing.
async fn import_users(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    req(&body, "source")?;
    let dryrun = b(&body, "dryrun");
    let users = match import_file(&body, "users")? {
        None => Vec::new(),
        Some(Value::Array(a)) => a,
        Some(v) if v.get("users").is_some_and(Value::is_array) => v
            .get("users")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        Some(_) => {
            return Err(ApiError::bad_request(
                "The users file must be a JSON array of users (or {\"users\": [...]})",
            ))
        }
    };
    let hashes = import_hashes(import_file(&body, "hashes")?)?;
    app.tx(|core| {
        let mut created = Vec::new();
        let mut failures = Vec::new();
        let mut taken: Vec<String> = Vec::new();
        for (index, raw) in users.into_iter().enumerate() {
            let mut login_ids = strs(&raw, "loginIds");
            for key in ["loginId", "email", "phone"] {
                let v = s(&raw, key);
                if login_ids.is_empty() && !v.is_empty() {
                    login_ids.push(v);
                }
            }
            let Some(login_id) = login_ids.first().cloned() else {
                failures.push(json!({
                    "user": "",
                    "reason": format!(
                        "User {index} of the file has no loginId, loginIds, email or phone"
                    ),
                }));
                continue;
            };
            if let Some(l) = login_ids.iter().find(|l| taken.contains(l)) {
                failures.push(json!({
                    "user": login_id,
                    "reason": format!("The login ID {l:?} appears twice in the file"),
                }));
                continue;
            }
            let mut ub = raw.clone();
            ub["loginId"] = json!(login_id);
            ub["additionalLoginIds"] = json!(login_ids[1..]);
            if s(&ub, "displayName").is_empty() {
                ub["displayName"] = json!(s(&raw, "name"));
            }
            for ignored in ["password", "invite", "test"] {
                if let Some(m) = ub.as_object_mut() {
                    m.remove(ignored);
                }
            }
            let mut u = match new_user(core, &ub, false) {
                Ok(u) => u,
                Err(e) => {
                    failures.push(json!({"user": login_id, "reason": e.message}));
                    continue;
                }
            };
            let hash = opt_s(&raw, "passwordHash").filter(|h| !h.is_empty()).or_else(|| {
                login_ids
                    .iter()
                    .find_map(|l| hashes.get(l).and_then(Value::as_str))
                    .map(str::to_string)
            });
            if let Some(h) = hash {
                if !usable_hash(&h) {
                    failures.push(json!({
                        "user": login_id,
                        "reason": "Unsupported password hash: the emulator takes pbkdf2-sha256$<iterations>$<salt>$<hash>",
                    }));
                    continue;
                }
                u.password_hash = Some(h);
            }
            taken.extend(login_ids);
            if !dryrun {
                core.data().put_user(u.clone());
            }
            created.push(u.to_api(&core.store.data.tenants));
        }
        Ok(Json(json!({"users": created, "failures": failures})))
    })
}

/// The user a body names by `loginId` or `userId`.
pub fn find_user(data: &Data, body: &Value) -> ApiResult<UserRecord> {
    let login_id = s(body, "loginId");
    let user_id = s(body, "userId");
    let found = if !login_id.is_empty() {
        data.user_by_login(&login_id)
    } else if !user_id.is_empty() {
        data.users.get(&user_id)
    } else {
        return Err(ApiError::bad_request(
            "The loginId or userId field is required",
        ));
    };
    found.cloned().ok_or_else(|| {
        ApiError::not_found(format!(
            "No user has {}",
            if login_id.is_empty() {
                format!("user ID {user_id:?}")
            } else {
                format!("login ID {login_id:?}")
            }
        ))
    })
}

async fn update(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    app.tx(|core| {
        let mut u = find_user(&core.store.data, &body)?;
        apply_body(&mut u, &body);
        u.test = b(&body, "test") || u.test;
        let login_id = req(&body, "loginId")?;
        let mut ids = vec![login_id];
        for extra in strs(&body, "additionalLoginIds") {
            if !ids.contains(&extra) {
                ids.push(extra);
            }
        }
        for l in &ids {
            if core
                .store
                .data
                .user_by_login(l)
                .is_some_and(|o| o.user_id != u.user_id)
            {
                return Err(ApiError::conflict(format!(
                    "The login ID {l:?} is taken by another user"
                )));
            }
        }
        u.login_ids = ids;
        check_roles(&core.store.data, "", &u.role_names)?;
        check_links(&core.store.data, &u.user_tenants)?;
        core.data().put_user(u.clone());
        Ok(Json(user_json(core, &u)))
    })
}

async fn patch_user(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    app.tx(|core| {
        let u = patch_one(core, &body)?;
        Ok(Json(user_json(core, &u)))
    })
}

/// Applies one patch body (only the keys present change) and stores the user.
pub fn patch_one(core: &mut Core, body: &Value) -> ApiResult<UserRecord> {
    let mut u = find_user(&core.store.data, body)?;
    let set = |key: &str, field: &mut String| {
        if let Some(v) = opt_s(body, key) {
            *field = v;
        }
    };
    set("email", &mut u.email);
    set("phone", &mut u.phone);
    set("displayName", &mut u.name);
    set("givenName", &mut u.given_name);
    set("middleName", &mut u.middle_name);
    set("familyName", &mut u.family_name);
    set("picture", &mut u.picture);
    if let Some(st) = opt_s(body, "status") {
        u.status = st;
    }
    if body.get("roleNames").is_some_and(Value::is_array) {
        u.role_names = strs(body, "roleNames");
    }
    if body.get("userTenants").is_some_and(Value::is_array) {
        u.user_tenants = tenant_links(body, "userTenants");
    }
    if body.get("customAttributes").is_some_and(Value::is_object) {
        u.custom_attributes = obj(body, "customAttributes");
    }
    if body.get("ssoAppIds").is_some_and(Value::is_array) {
        u.sso_app_ids = strs(body, "ssoAppIds");
    }
    if body.get("familyAssociations").is_some_and(Value::is_array) {
        u.family_associations = family_associations(body);
    }
    if let Some(v) = body.get("verifiedEmail").and_then(Value::as_bool) {
        u.verified_email = v;
    }
    if let Some(v) = body.get("verifiedPhone").and_then(Value::as_bool) {
        u.verified_phone = v;
    }
    if b(body, "test") {
        u.test = true;
    }
    check_roles(&core.store.data, "", &u.role_names)?;
    check_links(&core.store.data, &u.user_tenants)?;
    core.data().put_user(u.clone());
    Ok(u)
}

async fn delete_user(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    app.tx(|core| {
        match find_user(&core.store.data, &body) {
            Ok(u) => core.data().remove_user(&u.user_id),
            Err(e) if e.status == axum::http::StatusCode::NOT_FOUND => {}
            Err(e) => return Err(e),
        }
        Ok(Json(json!({})))
    })
}

async fn delete_batch(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    app.tx(|core| {
        for id in strs(&body, "userIds") {
            core.data().remove_user(&id);
        }
        Ok(Json(json!({})))
    })
}

async fn delete_all_test_users(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    app.tx(|core| {
        let ids: Vec<String> = core
            .store
            .data
            .users
            .values()
            .filter(|u| u.test)
            .map(|u| u.user_id.clone())
            .collect();
        for id in ids {
            core.data().remove_user(&id);
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
    let core = app.lock();
    let u = find_user(&core.store.data, &Value::Object(q))?;
    Ok(Json(user_json(&core, &u)))
}

async fn load_users(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let core = app.lock();
    let users: Vec<Value> = strs(&body, "userIds")
        .iter()
        .filter_map(|id| core.store.data.users.get(id))
        .map(|u| u.to_api(&core.store.data.tenants))
        .collect();
    Ok(Json(json!({ "users": users, "total": users.len() })))
}

async fn search(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
    test_only: bool,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let test_only = test_only || b(&body, "testUsersOnly");
    let with_test = test_only || b(&body, "withTestUser");
    let tenant_ids = strs(&body, "tenantIds");
    let role_names = strs(&body, "roleNames");
    let login_ids = strs(&body, "loginIds");
    let user_ids = strs(&body, "userIds");
    let statuses = strs(&body, "statuses");
    let emails = strs(&body, "emails");
    let phones = strs(&body, "phones");
    let text = s(&body, "text").to_lowercase();
    let attrs = obj(&body, "customAttributes");
    let sso_apps = strs(&body, "ssoAppIds");
    // Epoch milliseconds (the stored creation time is in seconds).
    let from_ms = int(&body, "fromCreatedTime");
    let to_ms = int(&body, "toCreatedTime");
    let sort: Vec<(String, bool)> = body
        .get("sort")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|x| (s(x, "field"), b(x, "desc"))).collect())
        .unwrap_or_default();
    let limit = int(&body, "limit");
    let page = int(&body, "page");
    if limit < 0 || page < 0 {
        return Err(ApiError::bad_request("limit and page must not be negative"));
    }
    let core = app.lock();
    let mut users: Vec<&UserRecord> = core
        .store
        .data
        .users
        .values()
        .filter(|u| {
            if test_only {
                u.test
            } else {
                with_test || !u.test
            }
        })
        .filter(|u| {
            tenant_ids.is_empty()
                || u.user_tenants
                    .iter()
                    .any(|t| tenant_ids.contains(&t.tenant_id))
        })
        .filter(|u| {
            role_names.is_empty()
                || u.role_names.iter().any(|r| role_names.contains(r))
                || u.user_tenants
                    .iter()
                    .any(|t| t.role_names.iter().any(|r| role_names.contains(r)))
        })
        .filter(|u| login_ids.is_empty() || u.login_ids.iter().any(|l| login_ids.contains(l)))
        .filter(|u| user_ids.is_empty() || user_ids.contains(&u.user_id))
        .filter(|u| statuses.is_empty() || statuses.contains(&u.status))
        .filter(|u| emails.is_empty() || emails.contains(&u.email))
        .filter(|u| phones.is_empty() || phones.contains(&u.phone))
        .filter(|u| {
            attrs
                .iter()
                .all(|(k, v)| u.custom_attributes.get(k) == Some(v))
        })
        .filter(|u| sso_apps.is_empty() || u.sso_app_ids.iter().any(|a| sso_apps.contains(a)))
        .filter(|u| from_ms == 0 || u.created_time * 1000 >= from_ms)
        .filter(|u| to_ms == 0 || u.created_time * 1000 <= to_ms)
        .filter(|u| {
            text.is_empty()
                || [&u.name, &u.email, &u.phone]
                    .iter()
                    .any(|f| f.to_lowercase().contains(&text))
                || u.login_ids.iter().any(|l| l.to_lowercase().contains(&text))
        })
        .collect();
    users.sort_by(|a, b| (a.created_time, &a.user_id).cmp(&(b.created_time, &b.user_id)));
    let mut views: Vec<Value> = users
        .into_iter()
        .map(|u| u.to_api(&core.store.data.tenants))
        .collect();
    if !sort.is_empty() {
        // `sort: [{field, desc}]` on the fields of the user as the API returns it; the sort is
        // stable, so creation order breaks ties.
        views.sort_by(|a, b| {
            for (field, desc) in &sort {
                let ord = compare_json(&a[field.as_str()], &b[field.as_str()]);
                let ord = if *desc { ord.reverse() } else { ord };
                if ord != std::cmp::Ordering::Equal {
                    return ord;
                }
            }
            std::cmp::Ordering::Equal
        });
    }
    let total = views.len();
    let limit = if limit == 0 { 100 } else { limit as usize };
    let out: Vec<Value> = views
        .into_iter()
        .skip(page as usize * limit)
        .take(limit)
        .collect();
    Ok(Json(json!({ "users": out, "total": total })))
}

/// Orders JSON values: numbers by value, strings case-insensitively, booleans, then the rest
/// by their text.
fn compare_json(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .total_cmp(&y.as_f64().unwrap_or(0.0)),
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

#[derive(Debug, Clone, Copy)]
enum Op {
    Status,
    LoginId,
    Email,
    Phone,
    Name,
    Picture,
    CustomAttribute,
    RolesSet,
    RolesAdd,
    RolesRemove,
    TenantAdd,
    TenantRemove,
    SsoSet,
    SsoAdd,
    SsoRemove,
    /// `Some(active)` for set/temporary and set/active; `None` for the deprecated set.
    Password(Option<bool>),
    ExpirePassword,
    RemoveTotp,
    FamilyAdd,
    FamilyRemove,
}

fn add_all(list: &mut Vec<String>, items: Vec<String>) {
    for i in items {
        if !list.contains(&i) {
            list.push(i);
        }
    }
}

async fn modify(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
    op: Op,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let password_hash = match op {
        Op::Password(_) => {
            let p = req(&body, "password")?;
            check_policy(&p)?;
            Some(hash_password(&p))
        }
        _ => None,
    };
    app.tx(|core| {
        let mut u = find_user(&core.store.data, &body)?;
        let tenant = s(&body, "tenantId");
        match op {
            Op::Status => {
                let st = req(&body, "status")?;
                if !matches!(st.as_str(), "enabled" | "disabled") {
                    return Err(ApiError::bad_request(format!("Invalid status {st:?}")));
                }
                if st == "disabled" {
                    revoke_user_sessions(core.data(), &u.user_id);
                }
                u.status = st;
            }
            Op::LoginId => {
                let old = req(&body, "loginId")?;
                let new = s(&body, "newLoginId");
                if new.is_empty() {
                    if u.login_ids.len() <= 1 {
                        return Err(ApiError::bad_request(
                            "Cannot remove the user's only login ID",
                        ));
                    }
                    u.login_ids.retain(|l| *l != old);
                } else {
                    if core
                        .store
                        .data
                        .user_by_login(&new)
                        .is_some_and(|o| o.user_id != u.user_id)
                    {
                        return Err(ApiError::conflict(format!(
                            "The login ID {new:?} is taken by another user"
                        )));
                    }
                    for l in u.login_ids.iter_mut() {
                        if *l == old {
                            *l = new.clone();
                        }
                    }
                }
            }
            Op::Email => {
                u.email = s(&body, "email");
                u.verified_email = b(&body, "verified");
            }
            Op::Phone => {
                u.phone = s(&body, "phone");
                u.verified_phone = b(&body, "verified");
            }
            Op::Name => {
                if let Some(v) = opt_s(&body, "displayName") {
                    u.name = v;
                }
                if let Some(v) = opt_s(&body, "givenName") {
                    u.given_name = v;
                }
                if let Some(v) = opt_s(&body, "middleName") {
                    u.middle_name = v;
                }
                if let Some(v) = opt_s(&body, "familyName") {
                    u.family_name = v;
                }
            }
            Op::Picture => u.picture = s(&body, "picture"),
            Op::CustomAttribute => {
                let key = req(&body, "attributeKey")?;
                u.custom_attributes.insert(
                    key,
                    body.get("attributeValue").cloned().unwrap_or(Value::Null),
                );
            }
            Op::RolesSet | Op::RolesAdd | Op::RolesRemove => {
                let names = strs(&body, "roleNames");
                if !matches!(op, Op::RolesRemove) {
                    check_roles(&core.store.data, &tenant, &names)?;
                }
                let list = if tenant.is_empty() {
                    &mut u.role_names
                } else {
                    if !matches!(op, Op::RolesRemove)
                        && !core.store.data.tenants.contains_key(&tenant)
                    {
                        return Err(ApiError::bad_request(format!(
                            "Tenant {tenant:?} does not exist"
                        )));
                    }
                    if !u.user_tenants.iter().any(|t| t.tenant_id == tenant) {
                        if matches!(op, Op::RolesRemove) {
                            return Err(ApiError::bad_request(format!(
                                "The user is not a member of tenant {tenant:?}"
                            )));
                        }
                        u.user_tenants.push(TenantLink {
                            tenant_id: tenant.clone(),
                            role_names: vec![],
                        });
                    }
                    match u.user_tenants.iter_mut().find(|t| t.tenant_id == tenant) {
                        Some(t) => &mut t.role_names,
                        None => return Err(ApiError::internal("tenant link vanished")),
                    }
                };
                match op {
                    Op::RolesSet => *list = names,
                    Op::RolesAdd => add_all(list, names),
                    _ => list.retain(|r| !names.contains(r)),
                }
            }
            Op::TenantAdd => {
                let tenant = req(&body, "tenantId")?;
                if !core.store.data.tenants.contains_key(&tenant) {
                    return Err(ApiError::bad_request(format!(
                        "Tenant {tenant:?} does not exist"
                    )));
                }
                if !u.user_tenants.iter().any(|t| t.tenant_id == tenant) {
                    u.user_tenants.push(TenantLink {
                        tenant_id: tenant,
                        role_names: vec![],
                    });
                }
            }
            Op::TenantRemove => {
                let tenant = req(&body, "tenantId")?;
                u.user_tenants.retain(|t| t.tenant_id != tenant);
            }
            Op::SsoSet => u.sso_app_ids = strs(&body, "ssoAppIds"),
            Op::SsoAdd => add_all(&mut u.sso_app_ids, strs(&body, "ssoAppIds")),
            Op::SsoRemove => {
                let rm = strs(&body, "ssoAppIds");
                u.sso_app_ids.retain(|x| !rm.contains(x));
            }
            Op::Password(active) => {
                u.password_hash = password_hash.clone();
                let active = active.unwrap_or_else(|| b(&body, "setActive"));
                u.password_expired = !active;
            }
            Op::ExpirePassword => u.password_expired = true,
            Op::RemoveTotp => u.totp_secret = None,
            Op::FamilyAdd => {
                let sent = body
                    .get("familyAssociations")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                if sent.is_empty() {
                    return Err(ApiError::bad_request(
                        "The familyAssociations field needs at least one family",
                    ));
                }
                for f in sent {
                    let id = s(&f, "familyId");
                    if id.is_empty() {
                        return Err(ApiError::bad_request(
                            "Every family association needs a familyId",
                        ));
                    }
                    // One association per family: adding it again merges (roles granted on
                    // top, scoped attributes merged, an omitted field left as it was).
                    match u
                        .family_associations
                        .iter_mut()
                        .find(|x| s(x, "familyId") == id)
                    {
                        Some(x) => merge_family(x, &f),
                        None => u.family_associations.push(f),
                    }
                }
            }
            Op::FamilyRemove => {
                let rm = strs(&body, "familyIds");
                if rm.is_empty() {
                    return Err(ApiError::bad_request(
                        "The familyIds field needs at least one family ID",
                    ));
                }
                u.family_associations
                    .retain(|x| !rm.contains(&s(x, "familyId")));
            }
        }
        core.data().put_user(u.clone());
        Ok(Json(user_json(core, &u)))
    })
}

async fn logout_user(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    app.tx(|core| {
        let u = find_user(&core.store.data, &body)?;
        revoke_user_sessions(core.data(), &u.user_id);
        Ok(Json(json!({})))
    })
}

async fn history(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let ids: Vec<String> = body
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .ok_or_else(|| ApiError::bad_request("The body must be a JSON array of user IDs"))?;
    let core = app.lock();
    let out: Vec<Value> = core
        .store
        .data
        .logins
        .iter()
        .filter(|l| ids.contains(&l.user_id))
        .map(|l| json!({"userId": l.user_id, "loginTime": l.login_time, "city": "", "country": "", "ip": l.ip}))
        .collect();
    Ok(Json(Value::Array(out)))
}

fn test_user(data: &Data, login_id: &str) -> ApiResult<UserRecord> {
    let u = data
        .user_by_login(login_id)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("No user has login ID {login_id:?}")))?;
    if !u.test {
        return Err(ApiError::bad_request("Only test users can get generated codes and links: create the user with create_test_user"));
    }
    Ok(u)
}

async fn generate(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
    flow: Flow,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let method = match flow {
        Flow::EnchantedLink => "email".to_string(),
        _ => req(&body, "deliveryMethod")?.to_lowercase(),
    };
    if !matches!(
        method.as_str(),
        "email" | "sms" | "voice" | "whatsapp" | "embedded"
    ) {
        return Err(ApiError::bad_request(format!(
            "Unknown delivery method {method:?}"
        )));
    }
    let options = body
        .get("loginOptions")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    let uri = s(&body, "URI");
    app.tx(|core| {
        let user = test_user(&core.store.data, &login_id)?;
        let to = if method == "email" {
            user.email.clone()
        } else {
            user.phone.clone()
        };
        let pending = Pending {
            secret: String::new(),
            login_id: login_id.clone(),
            method: method.clone(),
            expires: now() + app.settings.code_ttl,
            action: Action::SignIn,
            options: options.clone(),
            prior: None,
            pending_ref: None,
        };
        let before = core.eph.outbox.len();
        let resp = issue(&app, core, flow, pending, &to, &uri);
        // Test-user codes are returned, not delivered.
        let msg = core.eph.outbox.drain(before..).next_back();
        let msg = msg.ok_or_else(|| ApiError::internal("no message was produced"))?;
        Ok(Json(match flow {
            Flow::Otp => json!({"loginId": login_id, "code": msg.code}),
            Flow::MagicLink => json!({"loginId": login_id, "link": msg.link}),
            Flow::EnchantedLink => {
                json!({"loginId": login_id, "link": msg.link, "pendingRef": resp.get("pendingRef")})
            }
        }))
    })
}

async fn embedded_link(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let login_id = req(&body, "loginId")?;
    let claims = body.get("customClaims").cloned().filter(Value::is_object);
    let timeout = int(&body, "timeout");
    app.tx(|core| {
        if core.store.data.user_by_login(&login_id).is_none() {
            return Err(ApiError::not_found(format!(
                "No user has login ID {login_id:?}"
            )));
        }
        let token = random_id("", 40);
        let ttl = if timeout > 0 {
            timeout
        } else {
            app.settings.code_ttl
        };
        core.eph.links.insert(
            token.clone(),
            Pending {
                secret: token.clone(),
                login_id: login_id.clone(),
                method: "embedded".into(),
                expires: now() + ttl,
                action: Action::SignIn,
                options: claims
                    .map(|c| json!({"customClaims": c}))
                    .unwrap_or_else(|| json!({})),
                prior: None,
                pending_ref: None,
            },
        );
        Ok(Json(json!({ "token": token })))
    })
}
