//! Management of the project itself: name, tags, list, clone, and export / import of the whole
//! state as a set of JSON "files".
//!
//! The export holds `project.json` (name, tags, environment), `users.json`, `tenants.json`,
//! `roles.json`, `permissions.json`, `accesskeys.json` (the stored records, password hashes and
//! access-key digests included, so imported users can sign in and imported keys keep working),
//! and one `docs/<kind>.json` per other stored collection (SSO settings, SSO applications,
//! flows, theme, FGA schema and relations, ...). Sessions, login history, the audit trail and
//! the signing keys are not exported: they belong to the emulator instance, not the project.
//! An import replaces each collection it has a file for and leaves the others alone.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::model::*;
use crate::routes::mgmt_audit::KIND_AUDIT;
use crate::routes::mgmt_sso::mgmt_body;
use crate::store::Data;
use crate::util::*;

/// Store kind of the project settings: one document, ID `project`, `{name, tags, environment}`.
pub const KIND_PROJECT_SETTINGS: &str = "x.project";
/// Store kind of the projects cloned from this one: ID = project ID, `{id, name, environment, tags}`.
pub const KIND_PROJECT_CLONE: &str = "x.projectclone";

/// Stored kinds that are not part of an export.
const NOT_EXPORTED: [&str; 4] = [
    KIND_AUDIT,
    KIND_PROJECT_SETTINGS,
    crate::routes::mgmt_authz::KIND_AUTHZ_CHANGE,
    crate::routes::mgmt_flow::KIND_FLOW_EXECUTION,
];

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/mgmt/project/update/name", post(update_name))
        .route("/v1/mgmt/project/update/tags", post(update_tags))
        .route("/v1/mgmt/projects/list", post(list))
        .route("/v1/mgmt/project/clone", post(clone_project))
        .route("/v1/mgmt/project/export", post(export))
        .route("/v1/mgmt/project/snapshot/export", post(export))
        .route("/v1/mgmt/project/import", post(import))
        .route("/v1/mgmt/project/snapshot/import", post(import))
        .route("/v1/mgmt/project/snapshot/validate", post(validate))
}

fn settings(app: &App, data: &Data) -> Value {
    data.doc(KIND_PROJECT_SETTINGS, "project")
        .cloned()
        .unwrap_or_else(|| {
            json!({"name": format!("emulator {}", app.project_id), "tags": [], "environment": ""})
        })
}

async fn update_name(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let name = req(&body, "name")?;
    app.tx(|core| {
        let mut p = settings(&app, &core.store.data);
        p["name"] = json!(name);
        core.data().put_doc(KIND_PROJECT_SETTINGS, "project", p);
        Ok(Json(json!({})))
    })
}

async fn update_tags(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    if !body.get("tags").is_some_and(Value::is_array) {
        return Err(ApiError::bad_request("The tags field must be a list"));
    }
    app.tx(|core| {
        let mut p = settings(&app, &core.store.data);
        p["tags"] = json!(strs(&body, "tags"));
        core.data().put_doc(KIND_PROJECT_SETTINGS, "project", p);
        Ok(Json(json!({})))
    })
}

async fn list(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    mgmt_body(&app, &headers, &body)?;
    let core = app.lock();
    let p = settings(&app, &core.store.data);
    let env = s(&p, "environment");
    let mut projects = vec![json!({
        "id": app.project_id,
        "name": s(&p, "name"),
        "environment": env,
        "tag": env,
        "tags": strs(&p, "tags"),
    })];
    projects.extend(
        core.store
            .data
            .docs_of(KIND_PROJECT_CLONE)
            .map(|(_, c)| c.clone()),
    );
    Ok(Json(json!({ "projects": projects })))
}

async fn clone_project(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let name = req(&body, "name")?;
    let env = s(&body, "environment");
    if !env.is_empty() && env != "production" {
        return Err(ApiError::bad_request(format!(
            "Unknown environment {env:?}: only \"production\" (or none) is supported"
        )));
    }
    app.tx(|core| {
        let id = random_id("P", 27);
        core.data().put_doc(
            KIND_PROJECT_CLONE,
            &id,
            json!({"id": id, "name": name, "environment": env, "tag": env, "tags": strs(&body, "tags")}),
        );
        Ok(Json(json!({ "projectId": id, "projectName": name })))
    })
}

/// The export files of the current state.
pub fn export_files(app: &App, data: &Data) -> Map<String, Value> {
    fn list<'a, T: serde::Serialize + 'a>(items: impl Iterator<Item = &'a T>) -> Value {
        Value::Array(
            items
                .map(|x| serde_json::to_value(x).unwrap_or(Value::Null))
                .collect(),
        )
    }
    let mut users: Vec<&UserRecord> = data.users.values().collect();
    users.sort_by(|a, b| (a.created_time, &a.user_id).cmp(&(b.created_time, &b.user_id)));
    let mut files = Map::new();
    files.insert("project.json".into(), settings(app, data));
    files.insert("users.json".into(), list(users.into_iter()));
    files.insert("tenants.json".into(), list(data.tenants.values()));
    files.insert("roles.json".into(), list(data.roles.values()));
    files.insert("permissions.json".into(), list(data.permissions.values()));
    files.insert("accesskeys.json".into(), list(data.access_keys.values()));
    for (kind, docs) in &data.docs {
        if NOT_EXPORTED.contains(&kind.as_str()) {
            continue;
        }
        let name = kind.strip_prefix("x.").unwrap_or(kind);
        files.insert(
            format!("docs/{name}.json"),
            Value::Object(docs.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        );
    }
    files
}

async fn export(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    mgmt_body(&app, &headers, &body)?;
    let core = app.lock();
    Ok(Json(
        json!({ "files": export_files(&app, &core.store.data) }),
    ))
}

/// What an import will write, checked before anything changes.
#[derive(Default)]
struct Parsed {
    project: Option<Value>,
    users: Option<Vec<UserRecord>>,
    tenants: Option<Vec<TenantRecord>>,
    roles: Option<Vec<RoleRecord>>,
    permissions: Option<Vec<PermissionRecord>>,
    keys: Option<Vec<AccessKeyRecord>>,
    docs: Vec<(&'static str, Map<String, Value>)>,
}

fn file<T: DeserializeOwned>(
    files: &Map<String, Value>,
    name: &str,
    failures: &mut Vec<String>,
) -> Option<Vec<T>> {
    let v = files.get(name)?;
    match serde_json::from_value(v.clone()) {
        Ok(x) => Some(x),
        Err(e) => {
            failures.push(format!("{name}: {e}"));
            None
        }
    }
}

/// A stored kind for `docs/<name>.json`: only kinds this emulator knows.
fn known_kind(name: &str) -> Option<&'static str> {
    use crate::routes::*;
    [
        mgmt_sso::KIND_SSO,
        mgmt_sso::KIND_SSO_GROUPS,
        mgmt_flow::KIND_FLOW,
        mgmt_flow::KIND_THEME,
        mgmt_fga::KIND_FGA_SCHEMA,
        mgmt_fga::KIND_FGA_RELATION,
        mgmt_fga::KIND_FGA_RESOURCE,
        mgmt_apps::KIND_SSO_APP,
        mgmt_audit::KIND_AUDIT_WEBHOOK,
        mgmt_authz::KIND_AUTHZ_SCHEMA,
        mgmt_authz::KIND_AUTHZ_RELATION,
        mgmt_misc::KIND_CUSTOM_ATTRIBUTE,
        mgmt_misc::KIND_TENANT_SETTINGS,
        KIND_PROJECT_CLONE,
    ]
    .into_iter()
    .find(|k| k.strip_prefix("x.") == Some(name))
}

fn parse_files(body: &Value) -> Result<Parsed, Vec<String>> {
    let files = body
        .get("files")
        .and_then(Value::as_object)
        .ok_or_else(|| vec!["The files field must be an object of exported files".to_string()])?;
    let mut failures = Vec::new();
    let mut p = Parsed {
        project: files.get("project.json").cloned(),
        users: file(files, "users.json", &mut failures),
        tenants: file(files, "tenants.json", &mut failures),
        roles: file(files, "roles.json", &mut failures),
        permissions: file(files, "permissions.json", &mut failures),
        keys: file(files, "accesskeys.json", &mut failures),
        docs: vec![],
    };
    for (name, v) in files {
        let Some(doc) = name
            .strip_prefix("docs/")
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        match (known_kind(doc), v.as_object()) {
            (Some(kind), Some(m)) => p.docs.push((kind, m.clone())),
            (None, _) => failures.push(format!("{name}: not a file this emulator exports")),
            (_, None) => failures.push(format!("{name}: must be an object")),
        }
    }
    if let Some(users) = &p.users {
        let mut logins = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for u in users {
            if u.user_id.is_empty() || !ids.insert(u.user_id.clone()) {
                failures.push(format!(
                    "users.json: empty or repeated userId {:?}",
                    u.user_id
                ));
            }
            for l in &u.login_ids {
                if !logins.insert(l.clone()) {
                    failures.push(format!("users.json: login ID {l:?} belongs to two users"));
                }
            }
        }
    }
    if p.tenants
        .as_ref()
        .is_some_and(|ts| ts.iter().any(|t| t.id.is_empty()))
    {
        failures.push("tenants.json: a tenant has no id".into());
    }
    if p.roles
        .as_ref()
        .is_some_and(|rs| rs.iter().any(|r| r.name.is_empty()))
    {
        failures.push("roles.json: a role has no name".into());
    }
    if p.permissions
        .as_ref()
        .is_some_and(|ps| ps.iter().any(|x| x.name.is_empty()))
    {
        failures.push("permissions.json: a permission has no name".into());
    }
    if p.keys
        .as_ref()
        .is_some_and(|ks| ks.iter().any(|k| k.id.is_empty()))
    {
        failures.push("accesskeys.json: a key has no id".into());
    }
    if let Some(pj) = &p.project {
        if !pj.is_object() {
            failures.push("project.json: must be an object".into());
        }
    }
    if failures.is_empty() {
        Ok(p)
    } else {
        Err(failures)
    }
}

fn apply(data: &mut Data, p: Parsed) {
    if let Some(pj) = p.project {
        data.put_doc(KIND_PROJECT_SETTINGS, "project", pj);
    }
    if let Some(tenants) = p.tenants {
        let old: Vec<String> = data.tenants.keys().cloned().collect();
        for id in old {
            data.remove_tenant(&id);
        }
        for t in tenants {
            data.put_tenant(t);
        }
    }
    if let Some(perms) = p.permissions {
        let old: Vec<String> = data.permissions.keys().cloned().collect();
        for n in old {
            data.remove_permission(&n);
        }
        for x in perms {
            data.put_permission(x);
        }
    }
    if let Some(roles) = p.roles {
        let old: Vec<(String, String)> = data
            .roles
            .values()
            .map(|r| (r.tenant_id.clone(), r.name.clone()))
            .collect();
        for (t, n) in old {
            data.remove_role(&t, &n);
        }
        for r in roles {
            data.put_role(r);
        }
    }
    if let Some(users) = p.users {
        let old: Vec<String> = data.users.keys().cloned().collect();
        for id in old {
            data.remove_user(&id);
        }
        for u in users {
            data.put_user(u);
        }
    }
    if let Some(keys) = p.keys {
        let old: Vec<String> = data.access_keys.keys().cloned().collect();
        for id in old {
            data.remove_access_key(&id);
        }
        for k in keys {
            data.put_access_key(k);
        }
    }
    for (kind, docs) in p.docs {
        let old: Vec<String> = data.docs_of(kind).map(|(k, _)| k.clone()).collect();
        for id in old {
            data.remove_doc(kind, &id);
        }
        for (id, v) in docs {
            data.put_doc(kind, &id, v);
        }
    }
}

async fn import(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let parsed = parse_files(&body)
        .map_err(|f| ApiError::bad_request(format!("The import is invalid: {}", f.join("; "))))?;
    app.tx(|core| {
        apply(core.data(), parsed);
        Ok(Json(json!({})))
    })
}

async fn validate(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    Ok(Json(match parse_files(&body) {
        Ok(_) => json!({"ok": true, "failures": []}),
        Err(f) => json!({"ok": false, "failures": f}),
    }))
}
