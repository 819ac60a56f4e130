//! Management: tenants, roles, permissions, access keys, the license handshake.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::model::{AccessKeyRecord, PermissionRecord, RoleRecord, TenantRecord};
use crate::routes::mgmt_misc::name_or_id;
use crate::routes::mgmt_sso::tenant_api;
use crate::routes::mgmt_user::{check_links, check_roles, tenant_links};
use crate::util::*;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/mgmt/license", get(license))
        .route("/v1/mgmt/tenant/create", post(tenant_create))
        .route("/v1/mgmt/tenant/update", post(tenant_update))
        .route("/v1/mgmt/tenant/delete", post(tenant_delete))
        .route("/v1/mgmt/tenant", get(tenant_load))
        .route("/v1/mgmt/tenant/all", get(tenant_all))
        .route("/v1/mgmt/tenant/search", post(tenant_search))
        .route("/v1/mgmt/role/create", post(role_create))
        .route("/v1/mgmt/role/update", post(role_update))
        .route("/v1/mgmt/role/delete", post(role_delete))
        .route("/v1/mgmt/role/all", get(role_all))
        .route("/v1/mgmt/role/search", post(role_search))
        .route("/v1/mgmt/permission/create", post(permission_create))
        .route("/v1/mgmt/permission/update", post(permission_update))
        .route("/v1/mgmt/permission/delete", post(permission_delete))
        .route("/v1/mgmt/permission/all", get(permission_all))
        .route("/v1/mgmt/accesskey/create", post(key_create))
        .route("/v1/mgmt/accesskey", get(key_load))
        .route("/v1/mgmt/accesskey/search", post(key_search))
        .route("/v1/mgmt/accesskey/update", post(key_update))
        .route(
            "/v1/mgmt/accesskey/activate",
            post(|s, h, b| key_status(s, h, b, "active")),
        )
        .route(
            "/v1/mgmt/accesskey/deactivate",
            post(|s, h, b| key_status(s, h, b, "inactive")),
        )
        .route("/v1/mgmt/accesskey/delete", post(key_delete))
}

async fn license(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    Ok(Json(json!({"rateLimitTier": "emulator"})))
}

// ---- tenants ----

fn fill_tenant(t: &mut TenantRecord, body: &Value) {
    t.name = s(body, "name");
    t.self_provisioning_domains = strs(body, "selfProvisioningDomains");
    t.custom_attributes = obj(body, "customAttributes");
    t.enforce_sso = b(body, "enforceSSO");
    t.disabled = b(body, "disabled");
}

async fn tenant_create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let name = req(&body, "name")?;
    app.tx(|core| {
        let id = opt_s(&body, "id")
            .filter(|i| !i.is_empty())
            .unwrap_or_else(|| random_id("T", 27));
        if core.store.data.tenants.contains_key(&id) {
            return Err(ApiError::conflict(format!(
                "A tenant with ID {id:?} already exists"
            )));
        }
        if core.store.data.tenants.values().any(|t| t.name == name) {
            return Err(ApiError::conflict(format!(
                "A tenant named {name:?} already exists"
            )));
        }
        let mut t = TenantRecord {
            id: id.clone(),
            created_time: now(),
            ..Default::default()
        };
        fill_tenant(&mut t, &body);
        core.data().put_tenant(t);
        Ok(Json(json!({ "id": id })))
    })
}

async fn tenant_update(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let id = req(&body, "id")?;
    let name = req(&body, "name")?;
    app.tx(|core| {
        let mut t = core
            .store
            .data
            .tenants
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("No tenant has ID {id:?}")))?;
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
        fill_tenant(&mut t, &body);
        core.data().put_tenant(t);
        Ok(Json(json!({})))
    })
}

async fn tenant_delete(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let id = req(&body, "id")?;
    let cascade = b(&body, "cascade");
    app.tx(|core| {
        if !core.store.data.tenants.contains_key(&id) {
            return Err(ApiError::not_found(format!("No tenant has ID {id:?}")));
        }
        core.data().remove_tenant(&id);
        crate::routes::mgmt_misc::forget_tenant(core.data(), &id);
        let roles: Vec<String> = core
            .store
            .data
            .roles
            .values()
            .filter(|r| r.tenant_id == id)
            .map(|r| r.name.clone())
            .collect();
        for r in roles {
            core.data().remove_role(&id, &r);
        }
        let users: Vec<_> = core
            .store
            .data
            .users
            .values()
            .filter(|u| u.user_tenants.iter().any(|t| t.tenant_id == id))
            .cloned()
            .collect();
        for mut u in users {
            let only_here = u.user_tenants.len() == 1;
            if cascade && only_here {
                core.data().remove_user(&u.user_id);
            } else {
                u.user_tenants.retain(|t| t.tenant_id != id);
                core.data().put_user(u);
            }
        }
        let keys: Vec<_> = core
            .store
            .data
            .access_keys
            .values()
            .filter(|k| k.key_tenants.iter().any(|t| t.tenant_id == id))
            .cloned()
            .collect();
        for mut k in keys {
            if cascade && k.key_tenants.len() == 1 {
                core.data().remove_access_key(&k.id);
            } else {
                k.key_tenants.retain(|t| t.tenant_id != id);
                core.data().put_access_key(k);
            }
        }
        Ok(Json(json!({})))
    })
}

async fn tenant_load(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let id = s(&Value::Object(q), "id");
    let core = app.lock();
    core.store
        .data
        .tenants
        .get(&id)
        .map(|t| Json(tenant_api(&core.store.data, t)))
        .ok_or_else(|| ApiError::not_found(format!("No tenant has ID {id:?}")))
}

async fn tenant_all(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let core = app.lock();
    let list: Vec<Value> = core
        .store
        .data
        .tenants
        .values()
        .map(|t| tenant_api(&core.store.data, t))
        .collect();
    Ok(Json(json!({ "tenants": list })))
}

async fn tenant_search(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let ids = strs(&body, "tenantIds");
    let names = strs(&body, "tenantNames");
    let domains = strs(&body, "tenantSelfProvisioningDomains");
    let attrs = obj(&body, "customAttributes");
    let core = app.lock();
    let list: Vec<Value> = core
        .store
        .data
        .tenants
        .values()
        .filter(|t| ids.is_empty() || ids.contains(&t.id))
        .filter(|t| names.is_empty() || names.contains(&t.name))
        .filter(|t| {
            domains.is_empty()
                || t.self_provisioning_domains
                    .iter()
                    .any(|d| domains.contains(d))
        })
        .filter(|t| {
            attrs
                .iter()
                .all(|(k, v)| t.custom_attributes.get(k) == Some(v))
        })
        .map(|t| tenant_api(&core.store.data, t))
        .collect();
    Ok(Json(json!({ "tenants": list })))
}

// ---- roles ----

fn check_permissions(data: &crate::store::Data, names: &[String]) -> ApiResult<()> {
    for n in names {
        if !data.permissions.contains_key(n) {
            return Err(ApiError::bad_request(format!(
                "Permission {n:?} does not exist"
            )));
        }
    }
    Ok(())
}

async fn role_create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let name = req(&body, "name")?;
    let tenant = s(&body, "tenantId");
    app.tx(|core| {
        if core
            .store
            .data
            .roles
            .contains_key(&RoleRecord::key(&tenant, &name))
        {
            return Err(ApiError::conflict(format!("Role {name:?} already exists")));
        }
        if !tenant.is_empty() && !core.store.data.tenants.contains_key(&tenant) {
            return Err(ApiError::bad_request(format!(
                "Tenant {tenant:?} does not exist"
            )));
        }
        let perms = strs(&body, "permissionNames");
        check_permissions(&core.store.data, &perms)?;
        core.data().put_role(RoleRecord {
            name,
            description: s(&body, "description"),
            permission_names: perms,
            tenant_id: tenant.clone(),
            created_time: now(),
        });
        Ok(Json(json!({})))
    })
}

async fn role_update(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let name = name_or_id(&body);
    if name.is_empty() {
        return Err(ApiError::bad_request("The name field is required"));
    }
    let new_name = req(&body, "newName")?;
    let tenant = s(&body, "tenantId");
    app.tx(|core| {
        let old = core
            .store
            .data
            .roles
            .get(&RoleRecord::key(&tenant, &name))
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("Role {name:?} does not exist")))?;
        if new_name != name
            && core
                .store
                .data
                .roles
                .contains_key(&RoleRecord::key(&tenant, &new_name))
        {
            return Err(ApiError::conflict(format!(
                "Role {new_name:?} already exists"
            )));
        }
        let perms = strs(&body, "permissionNames");
        check_permissions(&core.store.data, &perms)?;
        core.data().remove_role(&tenant, &name);
        core.data().put_role(RoleRecord {
            name: new_name.clone(),
            description: s(&body, "description"),
            permission_names: perms,
            ..old
        });
        if new_name != name {
            rename_role_in_users(core, &tenant, &name, &new_name);
        }
        Ok(Json(json!({})))
    })
}

fn rename_role_in_users(core: &mut crate::app::Core, tenant: &str, old: &str, new: &str) {
    let users: Vec<_> = core.store.data.users.values().cloned().collect();
    for mut u in users {
        let mut changed = false;
        let lists: Vec<&mut Vec<String>> = if tenant.is_empty() {
            vec![&mut u.role_names]
        } else {
            u.user_tenants
                .iter_mut()
                .filter(|t| t.tenant_id == tenant)
                .map(|t| &mut t.role_names)
                .collect()
        };
        for list in lists {
            for r in list.iter_mut() {
                if r == old {
                    *r = new.to_string();
                    changed = true;
                }
            }
        }
        if changed {
            core.data().put_user(u);
        }
    }
}

async fn role_delete(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let name = name_or_id(&body);
    if name.is_empty() {
        return Err(ApiError::bad_request("The name field is required"));
    }
    let tenant = s(&body, "tenantId");
    app.tx(|core| {
        if !core.data().remove_role(&tenant, &name) {
            return Err(ApiError::not_found(format!("Role {name:?} does not exist")));
        }
        Ok(Json(json!({})))
    })
}

async fn role_all(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let core = app.lock();
    let list: Vec<Value> = core
        .store
        .data
        .roles
        .values()
        .map(RoleRecord::to_api)
        .collect();
    Ok(Json(json!({ "roles": list })))
}

async fn role_search(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let tenant_ids = strs(&body, "tenantIds");
    let names = strs(&body, "roleNames");
    let like = s(&body, "roleNameLike").to_lowercase();
    let perms = strs(&body, "permissionNames");
    let include_project = b(&body, "includeProjectRoles");
    // The emulator's roles have no IDs of their own: an ID is the name.
    let ids = strs(&body, "roleIds");
    let core = app.lock();
    let list: Vec<Value> = core
        .store
        .data
        .roles
        .values()
        .filter(|r| {
            tenant_ids.is_empty()
                || tenant_ids.contains(&r.tenant_id)
                || (include_project && r.tenant_id.is_empty())
        })
        .filter(|r| names.is_empty() || names.contains(&r.name))
        .filter(|r| ids.is_empty() || ids.contains(&r.name))
        .filter(|r| like.is_empty() || r.name.to_lowercase().contains(&like))
        .filter(|r| perms.is_empty() || r.permission_names.iter().any(|p| perms.contains(p)))
        .map(RoleRecord::to_api)
        .collect();
    Ok(Json(json!({ "roles": list })))
}

// ---- permissions ----

async fn permission_create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let name = req(&body, "name")?;
    app.tx(|core| {
        if core.store.data.permissions.contains_key(&name) {
            return Err(ApiError::conflict(format!(
                "Permission {name:?} already exists"
            )));
        }
        core.data().put_permission(PermissionRecord {
            name,
            description: s(&body, "description"),
        });
        Ok(Json(json!({})))
    })
}

async fn permission_update(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let name = name_or_id(&body);
    if name.is_empty() {
        return Err(ApiError::bad_request("The name field is required"));
    }
    let new_name = req(&body, "newName")?;
    app.tx(|core| {
        if !core.store.data.permissions.contains_key(&name) {
            return Err(ApiError::not_found(format!(
                "Permission {name:?} does not exist"
            )));
        }
        if new_name != name && core.store.data.permissions.contains_key(&new_name) {
            return Err(ApiError::conflict(format!(
                "Permission {new_name:?} already exists"
            )));
        }
        core.data().remove_permission(&name);
        core.data().put_permission(PermissionRecord {
            name: new_name.clone(),
            description: s(&body, "description"),
        });
        if new_name != name {
            let roles: Vec<RoleRecord> = core
                .store
                .data
                .roles
                .values()
                .filter(|r| r.permission_names.contains(&name))
                .cloned()
                .collect();
            for mut r in roles {
                for p in r.permission_names.iter_mut() {
                    if *p == name {
                        *p = new_name.clone();
                    }
                }
                core.data().put_role(r);
            }
        }
        Ok(Json(json!({})))
    })
}

async fn permission_delete(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let name = name_or_id(&body);
    if name.is_empty() {
        return Err(ApiError::bad_request("The name field is required"));
    }
    app.tx(|core| {
        if !core.data().remove_permission(&name) {
            return Err(ApiError::not_found(format!(
                "Permission {name:?} does not exist"
            )));
        }
        let roles: Vec<RoleRecord> = core
            .store
            .data
            .roles
            .values()
            .filter(|r| r.permission_names.contains(&name))
            .cloned()
            .collect();
        for mut r in roles {
            r.permission_names.retain(|p| *p != name);
            core.data().put_role(r);
        }
        Ok(Json(json!({})))
    })
}

async fn permission_all(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let core = app.lock();
    let list: Vec<Value> = core
        .store
        .data
        .permissions
        .values()
        .map(|p| json!({"name": p.name, "description": p.description, "systemDefault": false}))
        .collect();
    Ok(Json(json!({ "permissions": list })))
}

// ---- access keys ----

async fn key_create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let name = req(&body, "name")?;
    app.tx(|core| {
        let roles = strs(&body, "roleNames");
        let tenants = tenant_links(&body, "keyTenants");
        check_roles(&core.store.data, "", &roles)?;
        check_links(&core.store.data, &tenants)?;
        let bound = s(&body, "userId");
        if !bound.is_empty() && !core.store.data.users.contains_key(&bound) {
            return Err(ApiError::bad_request(format!(
                "User {bound:?} does not exist"
            )));
        }
        let id = random_id("K", 27);
        let cleartext = format!("{id}{}", random_id("", 40));
        let key = AccessKeyRecord {
            id: id.clone(),
            name,
            description: s(&body, "description"),
            role_names: roles,
            key_tenants: tenants,
            status: "active".into(),
            created_time: now(),
            expire_time: int(&body, "expireTime"),
            created_by: "emulator".into(),
            client_id: random_id("C", 20),
            bound_user_id: bound,
            custom_claims: obj(&body, "customClaims"),
            custom_attributes: obj(&body, "customAttributes"),
            permitted_ips: strs(&body, "permittedIps"),
            secret_digest: sha256_hex(cleartext.as_bytes()),
        };
        let api = key.to_api();
        core.data().put_access_key(key);
        Ok(Json(json!({ "key": api, "cleartext": cleartext })))
    })
}

async fn key_load(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let id = s(&Value::Object(q), "id");
    let core = app.lock();
    core.store
        .data
        .access_keys
        .get(&id)
        .map(|k| Json(json!({ "key": k.to_api() })))
        .ok_or_else(|| ApiError::not_found(format!("No access key has ID {id:?}")))
}

async fn key_search(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let tenant_ids = strs(&body, "tenantIds");
    let bound = s(&body, "boundUserId");
    let creator = s(&body, "creatingUser");
    let attrs = obj(&body, "customAttributes");
    let core = app.lock();
    let list: Vec<Value> = core
        .store
        .data
        .access_keys
        .values()
        .filter(|k| {
            tenant_ids.is_empty()
                || k.key_tenants
                    .iter()
                    .any(|t| tenant_ids.contains(&t.tenant_id))
        })
        .filter(|k| bound.is_empty() || k.bound_user_id == bound)
        .filter(|k| creator.is_empty() || k.created_by == creator)
        .filter(|k| {
            attrs
                .iter()
                .all(|(name, v)| k.custom_attributes.get(name) == Some(v))
        })
        .map(AccessKeyRecord::to_api)
        .collect();
    Ok(Json(json!({ "keys": list })))
}

async fn key_update(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let id = req(&body, "id")?;
    let name = req(&body, "name")?;
    app.tx(|core| {
        let mut k = core
            .store
            .data
            .access_keys
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("No access key has ID {id:?}")))?;
        k.name = name;
        if let Some(d) = opt_s(&body, "description") {
            k.description = d;
        }
        if body.get("customClaims").is_some_and(Value::is_object) {
            k.custom_claims = obj(&body, "customClaims");
        }
        if body.get("permittedIps").is_some_and(Value::is_array) {
            k.permitted_ips = strs(&body, "permittedIps");
        }
        if body.get("customAttributes").is_some_and(Value::is_object) {
            k.custom_attributes = obj(&body, "customAttributes");
        }
        let api = k.to_api();
        core.data().put_access_key(k);
        Ok(Json(json!({ "key": api })))
    })
}

async fn key_status(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
    status: &'static str,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let id = req(&body, "id")?;
    app.tx(|core| {
        let mut k = core
            .store
            .data
            .access_keys
            .get(&id)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("No access key has ID {id:?}")))?;
        k.status = status.into();
        core.data().put_access_key(k);
        Ok(Json(json!({})))
    })
}

async fn key_delete(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let body = parse_body(&body)?;
    let id = req(&body, "id")?;
    app.tx(|core| {
        if !core.data().remove_access_key(&id) {
            return Err(ApiError::not_found(format!("No access key has ID {id:?}")));
        }
        Ok(Json(json!({})))
    })
}
