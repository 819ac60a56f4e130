//! Management calls that complete the older modules: tenant patch, settings, default roles and
//! SSO configuration links; access-key batches and rotation; role and permission batches; user
//! patch batch, provider tokens, passkeys, trusted devices, recovery codes, custom attribute
//! definitions and sign-up embedded links.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::app::{Action, App, Core, Pending};
use crate::error::{ApiError, ApiResult};
use crate::model::{PermissionRecord, RoleRecord};
use crate::routes::mgmt_sso::{mgmt_body, sso_config, KIND_SSO, KIND_SSO_GROUPS};
use crate::routes::mgmt_user::{check_roles, find_user, patch_one};
use crate::store::Data;
use crate::util::*;

/// Store kind of tenant session settings and default roles: ID = tenant ID.
pub const KIND_TENANT_SETTINGS: &str = "x.tenantsettings";
/// Store kind of custom attribute definitions: ID = attribute name.
pub const KIND_CUSTOM_ATTRIBUTE: &str = "x.customattr";

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/mgmt/tenant/patch", patch(tenant_patch))
        .route(
            "/v1/mgmt/tenant/settings",
            get(tenant_settings_load).post(tenant_settings_update),
        )
        .route("/v1/mgmt/tenant/updateDefaultRoles", post(default_roles))
        .route("/v2/mgmt/tenant/adminlinks/sso/generate", post(sso_link))
        .route(
            "/v1/mgmt/tenant/adminlinks/sso/revoke",
            post(sso_link_revoke),
        )
        .route(
            "/v1/mgmt/accesskey/activate/batch",
            post(|s, h, b| key_batch(s, h, b, Some("active"))),
        )
        .route(
            "/v1/mgmt/accesskey/deactivate/batch",
            post(|s, h, b| key_batch(s, h, b, Some("inactive"))),
        )
        .route(
            "/v1/mgmt/accesskey/delete/batch",
            post(|s, h, b| key_batch(s, h, b, None)),
        )
        .route("/v1/mgmt/accesskey/rotate", post(key_rotate))
        .route(
            "/v1/mgmt/permission/create/batch",
            post(permission_create_batch),
        )
        .route(
            "/v1/mgmt/permission/update/batch",
            post(permission_update_batch),
        )
        .route(
            "/v1/mgmt/permission/delete/batch",
            post(permission_delete_batch),
        )
        .route("/v1/mgmt/role/create/batch", post(role_create_batch))
        .route("/v1/mgmt/role/update/batch", post(role_update_batch))
        .route("/v1/mgmt/role/delete/batch", post(role_delete_batch))
        .route("/v1/mgmt/user/patch/batch", patch(user_patch_batch))
        .route("/v1/mgmt/user/provider/token", get(provider_token))
        .route(
            "/v1/mgmt/user/update/recovery/email",
            post(|s, h, b| recovery(s, h, b, true)),
        )
        .route(
            "/v1/mgmt/user/update/recovery/phone",
            post(|s, h, b| recovery(s, h, b, false)),
        )
        .route("/v1/mgmt/user/passkeys/delete", post(passkeys_delete_all))
        .route("/v1/mgmt/user/recovery-codes/delete", post(user_noop))
        .route("/v1/mgmt/user/passkeys/list", post(passkeys_list))
        .route("/v1/mgmt/user/passkey/delete", post(passkey_delete))
        .route("/v1/mgmt/user/trusteddevices/list", post(devices_list))
        .route("/v1/mgmt/user/trusteddevices/remove", post(devices_remove))
        .route("/v1/mgmt/user/customattribute/create", post(attr_create))
        .route("/v1/mgmt/user/customattribute/delete", post(attr_delete))
        .route("/v1/mgmt/user/customattributes", get(attr_load))
        .route(
            "/v1/mgmt/user/signup/embeddedlink",
            post(signup_embedded_link),
        )
}

/// Forgets what belongs to a deleted tenant (its SSO settings, groups and settings).
pub fn forget_tenant(data: &mut Data, tenant: &str) {
    let sso: Vec<String> = data
        .docs_of(KIND_SSO)
        .filter(|(_, v)| s(v, "tenantId") == tenant)
        .map(|(k, _)| k.clone())
        .collect();
    for k in sso {
        data.remove_doc(KIND_SSO, &k);
    }
    data.remove_doc(KIND_SSO_GROUPS, tenant);
    data.remove_doc(KIND_TENANT_SETTINGS, tenant);
}

fn tenant_exists(data: &Data, id: &str) -> ApiResult<()> {
    if id.is_empty() {
        return Err(ApiError::bad_request("The tenant ID is required"));
    }
    if !data.tenants.contains_key(id) {
        return Err(ApiError::not_found(format!("No tenant has ID {id:?}")));
    }
    Ok(())
}

// ---- tenants ----

async fn tenant_patch(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let id = req(&body, "id")?;
    app.tx(|core| {
        tenant_exists(&core.store.data, &id)?;
        let mut t = core.store.data.tenants[&id].clone();
        if let Some(name) = opt_s(&body, "name") {
            if core
                .store
                .data
                .tenants
                .values()
                .any(|o| o.name == name && o.id != id)
            {
                return Err(ApiError::conflict(format!(
                    "A tenant named {name:?} already exists"
                )));
            }
            t.name = name;
        }
        if body
            .get("selfProvisioningDomains")
            .is_some_and(Value::is_array)
        {
            t.self_provisioning_domains = strs(&body, "selfProvisioningDomains");
        }
        if body.get("customAttributes").is_some_and(Value::is_object) {
            t.custom_attributes = obj(&body, "customAttributes");
        }
        if let Some(v) = body.get("enforceSSO").and_then(Value::as_bool) {
            t.enforce_sso = v;
        }
        if let Some(v) = body.get("disabled").and_then(Value::as_bool) {
            t.disabled = v;
        }
        core.data().put_tenant(t);
        Ok(Json(json!({})))
    })
}

fn tenant_settings(data: &Data, id: &str) -> Value {
    let t = &data.tenants[id];
    let stored = data
        .doc(KIND_TENANT_SETTINGS, id)
        .cloned()
        .unwrap_or_else(|| json!({}));
    let sso_type = sso_config(data, id, "")
        .map(|c| s(c, "authType"))
        .unwrap_or_else(|| "none".into());
    let mut out = json!({
        "domains": sso_config(data, id, "").map(|c| strs(c, "domains")).unwrap_or_default(),
        "selfProvisioningDomains": t.self_provisioning_domains,
        "authType": sso_type,
        "enabled": false,
        "enforceSSO": t.enforce_sso,
    });
    if let (Some(o), Some(st)) = (out.as_object_mut(), stored.as_object()) {
        for (k, v) in st {
            o.insert(k.clone(), v.clone());
        }
    }
    out
}

async fn tenant_settings_load(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let id = s(&Value::Object(q), "id");
    let core = app.lock();
    tenant_exists(&core.store.data, &id)?;
    Ok(Json(tenant_settings(&core.store.data, &id)))
}

async fn tenant_settings_update(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let id = opt_s(&body, "tenantId")
        .filter(|x| !x.is_empty())
        .unwrap_or_else(|| s(&body, "id"));
    app.tx(|core| {
        tenant_exists(&core.store.data, &id)?;
        let mut t = core.store.data.tenants[&id].clone();
        if body.get("selfProvisioningDomains").is_some_and(Value::is_array) {
            t.self_provisioning_domains = strs(&body, "selfProvisioningDomains");
        }
        if let Some(v) = body.get("enforceSSO").and_then(Value::as_bool) {
            t.enforce_sso = v;
        }
        core.data().put_tenant(t);
        let mut stored = core
            .store
            .data
            .doc(KIND_TENANT_SETTINGS, &id)
            .cloned()
            .filter(Value::is_object)
            .unwrap_or_else(|| json!({}));
        for (k, v) in body.as_object().into_iter().flatten() {
            if ["tenantId", "id", "selfProvisioningDomains", "domains", "enforceSSO"]
                .contains(&k.as_str())
                || v.is_null()
            {
                continue;
            }
            stored[k] = v.clone();
        }
        core.data().put_doc(KIND_TENANT_SETTINGS, &id, stored);
        if body.get("domains").is_some_and(Value::is_array) {
            let mut cfg = sso_config(&core.store.data, &id, "").cloned().filter(Value::is_object).unwrap_or_else(|| {
                json!({"tenantId": id, "ssoId": "", "displayName": "", "authType": "none", "domains": []})
            });
            cfg["domains"] = json!(strs(&body, "domains"));
            core.data().put_doc(KIND_SSO, &id, cfg);
        }
        Ok(Json(json!({})))
    })
}

async fn default_roles(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let id = req(&body, "id")?;
    let roles = strs(&body, "defaultRoles");
    app.tx(|core| {
        tenant_exists(&core.store.data, &id)?;
        check_roles(&core.store.data, &id, &roles)?;
        let mut stored = core
            .store
            .data
            .doc(KIND_TENANT_SETTINGS, &id)
            .cloned()
            .filter(Value::is_object)
            .unwrap_or_else(|| json!({}));
        stored["defaultRoles"] = json!(roles);
        core.data().put_doc(KIND_TENANT_SETTINGS, &id, stored);
        Ok(Json(json!({})))
    })
}

async fn sso_link(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let id = req(&body, "tenantId")?;
    let core = app.lock();
    tenant_exists(&core.store.data, &id)?;
    Ok(Json(json!({
        "adminSSOConfigurationLink": format!(
            "{}/emulator/sso-setup?tenant={}&t={}",
            app.base_url,
            id,
            random_id("", 32)
        )
    })))
}

async fn sso_link_revoke(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let id = req(&body, "tenantId")?;
    let core = app.lock();
    tenant_exists(&core.store.data, &id)?;
    Ok(Json(json!({})))
}

// ---- access keys ----

async fn key_batch(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
    status: Option<&'static str>,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let ids = strs(&body, "ids");
    if ids.is_empty() {
        return Err(ApiError::bad_request(
            "The ids field needs at least one key ID",
        ));
    }
    no_duplicates(ids.iter().cloned())?;
    app.tx(|core| {
        for id in &ids {
            if !core.store.data.access_keys.contains_key(id) {
                return Err(ApiError::not_found(format!("No access key has ID {id:?}")));
            }
        }
        for id in &ids {
            match status {
                Some(st) => {
                    if let Some(mut k) = core.store.data.access_keys.get(id).cloned() {
                        k.status = st.into();
                        core.data().put_access_key(k);
                    }
                }
                None => {
                    core.data().remove_access_key(id);
                }
            }
        }
        Ok(Json(json!({})))
    })
}

async fn key_rotate(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let id = req(&body, "id")?;
    app.tx(|core| {
        let mut k = core
            .store
            .data
            .access_keys
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("No access key has ID {id:?}")))?;
        let cleartext = format!("{id}{}", random_id("", 40));
        k.secret_digest = sha256_hex(cleartext.as_bytes());
        core.data().put_access_key(k);
        Ok(Json(json!({ "cleartext": cleartext })))
    })
}

// ---- permissions and roles ----

fn items(body: &Value, key: &str) -> ApiResult<Vec<Value>> {
    body.get(key)
        .and_then(Value::as_array)
        .cloned()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ApiError::bad_request(format!("The {key} field needs at least one item")))
}

/// 400 when a batch names the same item twice (a batch applies all or nothing).
fn no_duplicates(keys: impl IntoIterator<Item = String>) -> ApiResult<()> {
    let mut seen = std::collections::HashSet::new();
    for k in keys {
        if !seen.insert(k.clone()) {
            return Err(ApiError::bad_request(format!(
                "{k:?} appears twice in the batch"
            )));
        }
    }
    Ok(())
}

/// `name`, or `id` (the emulator's IDs of roles and permissions are their names).
pub fn name_or_id(v: &Value) -> String {
    opt_s(v, "name")
        .filter(|x| !x.is_empty())
        .unwrap_or_else(|| s(v, "id"))
}

async fn permission_create_batch(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let list = items(&body, "permissions")?;
    no_duplicates(list.iter().map(|p| s(p, "name")))?;
    app.tx(|core| {
        for p in &list {
            let name = req(p, "name")?;
            if core.store.data.permissions.contains_key(&name) {
                return Err(ApiError::conflict(format!(
                    "Permission {name:?} already exists"
                )));
            }
        }
        for p in &list {
            core.data().put_permission(PermissionRecord {
                name: s(p, "name"),
                description: s(p, "description"),
            });
        }
        Ok(Json(json!({})))
    })
}

fn rename_permission(data: &mut Data, old: &str, new: &str, description: String) {
    data.remove_permission(old);
    data.put_permission(PermissionRecord {
        name: new.to_string(),
        description,
    });
    if old != new {
        let roles: Vec<RoleRecord> = data
            .roles
            .values()
            .filter(|r| r.permission_names.iter().any(|p| p == old))
            .cloned()
            .collect();
        for mut r in roles {
            for p in r.permission_names.iter_mut() {
                if p == old {
                    *p = new.to_string();
                }
            }
            data.put_role(r);
        }
    }
}

async fn permission_update_batch(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let list = items(&body, "permissions")?;
    no_duplicates(list.iter().map(name_or_id))?;
    app.tx(|core| {
        for p in &list {
            let name = name_or_id(p);
            if !core.store.data.permissions.contains_key(&name) {
                return Err(ApiError::not_found(format!(
                    "Permission {name:?} does not exist"
                )));
            }
        }
        for p in &list {
            let name = name_or_id(p);
            let new = opt_s(p, "newName")
                .filter(|x| !x.is_empty())
                .unwrap_or_else(|| name.clone());
            rename_permission(core.data(), &name, &new, s(p, "description"));
        }
        Ok(Json(json!({})))
    })
}

async fn permission_delete_batch(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let mut names = strs(&body, "names");
    names.extend(strs(&body, "ids"));
    app.tx(|core| {
        for n in &names {
            if core.data().remove_permission(n) {
                let roles: Vec<RoleRecord> = core
                    .store
                    .data
                    .roles
                    .values()
                    .filter(|r| r.permission_names.contains(n))
                    .cloned()
                    .collect();
                for mut r in roles {
                    r.permission_names.retain(|p| p != n);
                    core.data().put_role(r);
                }
            }
        }
        Ok(Json(json!({})))
    })
}

fn check_permissions(data: &Data, names: &[String]) -> ApiResult<()> {
    match names.iter().find(|n| !data.permissions.contains_key(*n)) {
        Some(n) => Err(ApiError::bad_request(format!(
            "Permission {n:?} does not exist"
        ))),
        None => Ok(()),
    }
}

async fn role_create_batch(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let list = items(&body, "roles")?;
    no_duplicates(
        list.iter()
            .map(|r| RoleRecord::key(&s(r, "tenantId"), &s(r, "name"))),
    )?;
    app.tx(|core| {
        for r in &list {
            let name = req(r, "name")?;
            let tenant = s(r, "tenantId");
            if core
                .store
                .data
                .roles
                .contains_key(&RoleRecord::key(&tenant, &name))
            {
                return Err(ApiError::conflict(format!("Role {name:?} already exists")));
            }
            if !tenant.is_empty() {
                tenant_exists(&core.store.data, &tenant)?;
            }
            check_permissions(&core.store.data, &strs(r, "permissionNames"))?;
        }
        for r in &list {
            core.data().put_role(RoleRecord {
                name: s(r, "name"),
                description: s(r, "description"),
                permission_names: strs(r, "permissionNames"),
                tenant_id: s(r, "tenantId"),
                created_time: now(),
            });
        }
        Ok(Json(json!({})))
    })
}

async fn role_update_batch(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let list = items(&body, "roles")?;
    no_duplicates(
        list.iter()
            .map(|r| RoleRecord::key(&s(r, "tenantId"), &name_or_id(r))),
    )?;
    app.tx(|core| {
        for r in &list {
            let name = name_or_id(r);
            let tenant = s(r, "tenantId");
            if !core
                .store
                .data
                .roles
                .contains_key(&RoleRecord::key(&tenant, &name))
            {
                return Err(ApiError::not_found(format!("Role {name:?} does not exist")));
            }
            check_permissions(&core.store.data, &strs(r, "permissionNames"))?;
        }
        for r in &list {
            let name = name_or_id(r);
            let tenant = s(r, "tenantId");
            let new = opt_s(r, "newName")
                .filter(|x| !x.is_empty())
                .unwrap_or_else(|| name.clone());
            let old = core
                .store
                .data
                .roles
                .get(&RoleRecord::key(&tenant, &name))
                .cloned()
                .ok_or_else(|| {
                    ApiError::conflict(format!("Role {name:?} was renamed earlier in the batch"))
                })?;
            core.data().remove_role(&tenant, &name);
            core.data().put_role(RoleRecord {
                name: new.clone(),
                description: s(r, "description"),
                permission_names: strs(r, "permissionNames"),
                ..old
            });
            if new != name {
                rename_role(core, &tenant, &name, &new);
            }
        }
        Ok(Json(json!({})))
    })
}

fn rename_role(core: &mut Core, tenant: &str, old: &str, new: &str) {
    let users: Vec<_> = core.store.data.users.values().cloned().collect();
    for mut u in users {
        let mut changed = false;
        let mut fix = |list: &mut Vec<String>| {
            for r in list.iter_mut() {
                if r == old {
                    *r = new.to_string();
                    changed = true;
                }
            }
        };
        if tenant.is_empty() {
            fix(&mut u.role_names);
        } else {
            for t in u.user_tenants.iter_mut().filter(|t| t.tenant_id == tenant) {
                fix(&mut t.role_names);
            }
        }
        if changed {
            core.data().put_user(u);
        }
    }
}

async fn role_delete_batch(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let mut names = strs(&body, "roleNames");
    names.extend(strs(&body, "roleIds"));
    names.extend(strs(&body, "ids"));
    let tenant = s(&body, "tenantId");
    app.tx(|core| {
        for n in &names {
            core.data().remove_role(&tenant, n);
        }
        Ok(Json(json!({})))
    })
}

// ---- users ----

async fn user_patch_batch(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let users = items(&body, "users")?;
    app.tx(|core| {
        let mut patched = Vec::new();
        let mut failed = Vec::new();
        for u in &users {
            match patch_one(core, u) {
                Ok(rec) => patched.push(rec.to_api(&core.store.data.tenants)),
                Err(e) => failed.push(json!({"failure": e.message, "user": u})),
            }
        }
        Ok(Json(
            json!({"patchedUsers": patched, "failedUsers": failed}),
        ))
    })
}

/// Sets (or, with an empty value, clears) the recovery email or phone.
async fn recovery(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
    email: bool,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let value = s(
        &body,
        if email {
            "recoveryEmail"
        } else {
            "recoveryPhone"
        },
    );
    if email && !value.is_empty() && !value.contains('@') {
        return Err(ApiError::bad_request(format!(
            "{value:?} is not an email address"
        )));
    }
    app.tx(|core| {
        let mut user = find_user(&core.store.data, &body)?;
        if email {
            user.recovery_email = value;
        } else {
            user.recovery_phone = value;
        }
        core.data().put_user(user.clone());
        Ok(Json(
            json!({ "user": user.to_api(&core.store.data.tenants) }),
        ))
    })
}

async fn provider_token(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let q = Value::Object(q);
    let provider = req(&q, "provider")?;
    let core = app.lock();
    let user = find_user(&core.store.data, &q)?;
    if !user.oauth_providers.contains(&provider) {
        return Err(ApiError::not_found(format!(
            "The user has not signed in with {provider:?}, so there is no provider token"
        )));
    }
    let with_refresh = s(&q, "withRefreshToken").eq_ignore_ascii_case("true");
    let mut out = json!({
        "provider": provider,
        "providerUserId": user.user_id,
        "accessToken": format!("emulator-{provider}-{}", random_id("", 24)),
        "expiration": now() + 3600,
        "scopes": ["openid", "email", "profile"],
    });
    if with_refresh {
        out["refreshToken"] = json!(format!("emulator-{provider}-r-{}", random_id("", 24)));
    }
    Ok(Json(out))
}

/// Recovery codes, which the emulator never issues: the user must exist, and there is nothing to
/// remove.
async fn user_noop(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let core = app.lock();
    find_user(&core.store.data, &body)?;
    Ok(Json(json!({})))
}

async fn passkeys_list(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let core = app.lock();
    let user = find_user(&core.store.data, &body)?;
    let list: Vec<Value> = user
        .passkeys
        .iter()
        .map(|p| {
            json!({
                "id": p.credential_id,
                "credentialId": p.credential_id,
                "rpId": p.rp_id,
                "createdTime": p.created,
                "signCount": p.sign_count,
            })
        })
        .collect();
    Ok(Json(json!({ "passkeys": list })))
}

async fn passkeys_delete_all(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    app.tx(|core| {
        let mut user = find_user(&core.store.data, &body)?;
        user.passkeys.clear();
        core.data().put_user(user);
        Ok(Json(json!({})))
    })
}

async fn passkey_delete(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let credential = req(&body, "credentialId")?;
    app.tx(|core| {
        let mut user = find_user(&core.store.data, &body)?;
        let before = user.passkeys.len();
        user.passkeys.retain(|p| p.credential_id != credential);
        if user.passkeys.len() == before {
            return Err(ApiError::not_found(format!(
                "The user has no passkey {credential:?}"
            )));
        }
        core.data().put_user(user);
        Ok(Json(json!({})))
    })
}

async fn devices_list(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let core = app.lock();
    for id in strs(&body, "identifiers") {
        let by_login = json!({ "loginId": id });
        let by_id = json!({ "userId": id });
        if find_user(&core.store.data, &by_login).is_err()
            && find_user(&core.store.data, &by_id).is_err()
        {
            return Err(ApiError::not_found(format!(
                "No user has login ID or user ID {id:?}"
            )));
        }
    }
    Ok(Json(json!({ "devices": [] })))
}

async fn devices_remove(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let id = req(&body, "identifier")?;
    let core = app.lock();
    if find_user(&core.store.data, &json!({ "loginId": id })).is_err()
        && find_user(&core.store.data, &json!({ "userId": id })).is_err()
    {
        return Err(ApiError::not_found(format!(
            "No user has login ID or user ID {id:?}"
        )));
    }
    Ok(Json(json!({})))
}

async fn attr_create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let attrs = items(&body, "attributes")?;
    app.tx(|core| {
        for a in &attrs {
            let name = req(a, "name")?;
            let ty = s(a, "type");
            let known = [
                "string",
                "number",
                "boolean",
                "singleSelect",
                "multiSelect",
                "date",
            ];
            if !known.contains(&ty.as_str()) {
                return Err(ApiError::bad_request(format!(
                    "Custom attribute {name:?}: unknown type {ty:?} (use {})",
                    known.join(", ")
                )));
            }
        }
        for a in &attrs {
            core.data()
                .put_doc(KIND_CUSTOM_ATTRIBUTE, &s(a, "name"), a.clone());
        }
        let all: Vec<Value> = core
            .store
            .data
            .docs_of(KIND_CUSTOM_ATTRIBUTE)
            .map(|(_, v)| v.clone())
            .collect();
        Ok(Json(json!({ "data": all })))
    })
}

async fn attr_delete(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let names = strs(&body, "names");
    app.tx(|core| {
        for n in &names {
            core.data().remove_doc(KIND_CUSTOM_ATTRIBUTE, n);
        }
        let all: Vec<Value> = core
            .store
            .data
            .docs_of(KIND_CUSTOM_ATTRIBUTE)
            .map(|(_, v)| v.clone())
            .collect();
        Ok(Json(json!({ "data": all })))
    })
}

async fn attr_load(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let core = app.lock();
    let all: Vec<Value> = core
        .store
        .data
        .docs_of(KIND_CUSTOM_ATTRIBUTE)
        .map(|(_, v)| v.clone())
        .collect();
    Ok(Json(json!({ "data": all })))
}

/// A token that, verified with `magiclink/verify`, signs the user up (or in when the login ID
/// exists by then).
async fn signup_embedded_link(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let login_id = req(&body, "loginId")?;
    let mut user = body
        .get("user")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    if b(&body, "emailVerified") {
        user["verifiedEmail"] = json!(true);
    }
    if b(&body, "phoneVerified") {
        user["verifiedPhone"] = json!(true);
    }
    let options = body
        .get("loginOptions")
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    let timeout = int(&body, "timeout");
    app.tx(|core| {
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
                action: Action::SignUpOrIn(user),
                options,
                prior: None,
                pending_ref: None,
            },
        );
        Ok(Json(json!({ "token": token })))
    })
}
