//! Management: the older ReBAC API (`authz`): a JSON schema of namespaces and relation
//! definitions, relations, and the queries over them.
//!
//! A relation definition is direct (`{name}`: only stored relations count) or has a
//! `complexDefinition`, a tree of nodes: `nType` `union` (any child), `intersect` (every child),
//! `sub` (the first child and none of the others), or `child` with an `expression`:
//!
//! * `self`: a stored relation for the target, or for a target set (`targetSetResource`,
//!   `targetSetRelationDefinition`, `targetSetRelationDefinitionNamespace`: whoever has that
//!   relation), or a `query` over users (tenants, roles, statuses, text, custom attributes);
//! * `targetSet`: the relation `relationDefinition` (in `relationDefinitionNamespace`) on the
//!   same resource;
//! * `relationRight`: for every resource `P` this resource has `relationDefinition` to, the
//!   relation `targetRelationDefinition` on `P` (the `parent.owner` of the newer FGA API);
//! * `relationLeft`: the same in the other direction: for every resource `C` that has
//!   `relationDefinition` to this resource, `targetRelationDefinition` on `C`.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::app::{App, Core};
use crate::error::{ApiError, ApiResult};
use crate::routes::mgmt_sso::mgmt_body;
use crate::store::Data;
use crate::util::*;

/// Store kind of the schema: one document, ID `schema`, `{schema, modified}`.
pub const KIND_AUTHZ_SCHEMA: &str = "x.authzschema";
/// Store kind of relations: the relation plus `modified` (epoch ms).
pub const KIND_AUTHZ_RELATION: &str = "x.authzrel";
/// Store kind of the change log behind `getmodified`: ID = time-ordered, `{resource, target, at}`.
pub const KIND_AUTHZ_CHANGE: &str = "x.authzchange";

const MAX_DEPTH: usize = 32;
const CHANGE_CAP: usize = 10_000;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/mgmt/authz/schema/save", post(schema_save))
        .route("/v1/mgmt/authz/schema/delete", post(schema_delete))
        .route("/v1/mgmt/authz/schema/load", post(schema_load))
        .route("/v1/mgmt/authz/ns/save", post(ns_save))
        .route("/v1/mgmt/authz/ns/delete", post(ns_delete))
        .route("/v1/mgmt/authz/rd/save", post(rd_save))
        .route("/v1/mgmt/authz/rd/delete", post(rd_delete))
        .route("/v1/mgmt/authz/re/create", post(re_create))
        .route("/v1/mgmt/authz/re/delete", post(re_delete))
        .route(
            "/v1/mgmt/authz/re/deleteresources",
            post(re_delete_resources),
        )
        .route("/v1/mgmt/authz/re/has", post(re_has))
        .route("/v1/mgmt/authz/re/who", post(re_who))
        .route("/v1/mgmt/authz/re/resource", post(re_resource))
        .route("/v1/mgmt/authz/re/targets", post(re_targets))
        .route("/v1/mgmt/authz/re/targetall", post(re_target_all))
        .route("/v1/mgmt/authz/re/targetwithrelation", post(re_target_with))
        .route("/v1/mgmt/authz/getmodified", post(get_modified))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

// ---- schema ----

fn schema_of(data: &Data) -> Option<Value> {
    data.doc(KIND_AUTHZ_SCHEMA, "schema")
        .and_then(|d| d.get("schema"))
        .cloned()
        .filter(Value::is_object)
}

fn namespaces(schema: &Value) -> Vec<Value> {
    schema
        .get("namespaces")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The relation definition `rd` of namespace `ns`.
fn find_rd(schema: &Value, ns: &str, rd: &str) -> Option<Value> {
    namespaces(schema)
        .into_iter()
        .find(|n| s(n, "name") == ns)?
        .get("relationDefinitions")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| s(r, "name") == rd)
        .cloned()
}

/// Checks names: every namespace and relation definition has a unique, non-empty name.
fn check_schema(schema: &Value) -> ApiResult<()> {
    let nss = schema
        .get("namespaces")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("schema.namespaces must be a list"))?;
    let mut seen = HashSet::new();
    for n in nss {
        check_namespace(n)?;
        if !seen.insert(s(n, "name")) {
            return Err(ApiError::bad_request(format!(
                "Namespace {:?} is defined twice",
                s(n, "name")
            )));
        }
    }
    Ok(())
}

fn check_namespace(n: &Value) -> ApiResult<()> {
    if s(n, "name").is_empty() {
        return Err(ApiError::bad_request("A namespace needs a name"));
    }
    let mut seen = HashSet::new();
    for r in n
        .get("relationDefinitions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let name = s(r, "name");
        if name.is_empty() || !seen.insert(name.clone()) {
            return Err(ApiError::bad_request(format!(
                "Namespace {:?}: relation definition names must be unique and non-empty ({name:?})",
                s(n, "name")
            )));
        }
    }
    Ok(())
}

fn save_schema_doc(core: &mut Core, schema: Value) {
    core.data().put_doc(
        KIND_AUTHZ_SCHEMA,
        "schema",
        json!({"schema": schema, "modified": now_ms()}),
    );
}

fn current_schema(core: &Core) -> Value {
    schema_of(&core.store.data).unwrap_or_else(|| json!({"name": "", "namespaces": []}))
}

async fn schema_save(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let schema = body
        .get("schema")
        .cloned()
        .filter(Value::is_object)
        .ok_or_else(|| ApiError::bad_request("The schema field must be an object"))?;
    check_schema(&schema)?;
    app.tx(|core| {
        save_schema_doc(core, schema);
        Ok(Json(json!({})))
    })
}

async fn schema_delete(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    mgmt_body(&app, &headers, &body)?;
    app.tx(|core| {
        // Kept as "no schema" with a time, so `getmodified` reports the change.
        core.data().put_doc(
            KIND_AUTHZ_SCHEMA,
            "schema",
            json!({"schema": null, "modified": now_ms()}),
        );
        let all: Vec<Value> = core
            .store
            .data
            .docs_of(KIND_AUTHZ_RELATION)
            .map(|(_, v)| v.clone())
            .collect();
        remove_relations(core, &all);
        Ok(Json(json!({})))
    })
}

async fn schema_load(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    mgmt_body(&app, &headers, &body)?;
    let core = app.lock();
    let schema = schema_of(&core.store.data)
        .ok_or_else(|| ApiError::not_found("No authz schema is saved"))?;
    Ok(Json(json!({ "schema": schema })))
}

async fn ns_save(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let ns = body
        .get("namespace")
        .cloned()
        .filter(Value::is_object)
        .ok_or_else(|| ApiError::bad_request("The namespace field must be an object"))?;
    check_namespace(&ns)?;
    let replaced = opt_s(&body, "oldName")
        .filter(|x| !x.is_empty())
        .unwrap_or_else(|| s(&ns, "name"));
    app.tx(|core| {
        let mut schema = current_schema(core);
        let mut list: Vec<Value> = namespaces(&schema)
            .into_iter()
            .filter(|n| s(n, "name") != replaced && s(n, "name") != s(&ns, "name"))
            .collect();
        list.push(ns);
        schema["namespaces"] = Value::Array(list);
        save_schema_doc(core, schema);
        Ok(Json(json!({})))
    })
}

async fn ns_delete(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let name = req(&body, "name")?;
    app.tx(|core| {
        let mut schema = current_schema(core);
        let before = namespaces(&schema);
        let list: Vec<Value> = before
            .iter()
            .filter(|n| s(n, "name") != name)
            .cloned()
            .collect();
        if list.len() == before.len() {
            return Err(ApiError::not_found(format!("No namespace {name:?}")));
        }
        schema["namespaces"] = Value::Array(list);
        save_schema_doc(core, schema);
        let gone: Vec<Value> = core
            .store
            .data
            .docs_of(KIND_AUTHZ_RELATION)
            .filter(|(_, v)| s(v, "namespace") == name)
            .map(|(_, v)| v.clone())
            .collect();
        remove_relations(core, &gone);
        Ok(Json(json!({})))
    })
}

/// Runs `f` on the relation definitions of `ns` and saves the schema.
fn edit_rds(
    core: &mut Core,
    ns: &str,
    f: impl FnOnce(&mut Vec<Value>) -> ApiResult<()>,
) -> ApiResult<()> {
    let mut schema = current_schema(core);
    let mut list = namespaces(&schema);
    let n = list
        .iter_mut()
        .find(|n| s(n, "name") == ns)
        .ok_or_else(|| ApiError::not_found(format!("No namespace {ns:?}")))?;
    let mut rds = n
        .get("relationDefinitions")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    f(&mut rds)?;
    n["relationDefinitions"] = Value::Array(rds);
    schema["namespaces"] = Value::Array(list);
    save_schema_doc(core, schema);
    Ok(())
}

async fn rd_save(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let rd = body
        .get("relationDefinition")
        .cloned()
        .filter(|r| r.is_object() && !s(r, "name").is_empty())
        .ok_or_else(|| ApiError::bad_request("relationDefinition must be an object with a name"))?;
    let ns = req(&body, "namespace")?;
    let replaced = opt_s(&body, "oldName")
        .filter(|x| !x.is_empty())
        .unwrap_or_else(|| s(&rd, "name"));
    app.tx(|core| {
        edit_rds(core, &ns, |rds| {
            rds.retain(|r| s(r, "name") != replaced && s(r, "name") != s(&rd, "name"));
            rds.push(rd.clone());
            Ok(())
        })?;
        Ok(Json(json!({})))
    })
}

async fn rd_delete(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let name = req(&body, "name")?;
    let ns = req(&body, "namespace")?;
    app.tx(|core| {
        edit_rds(core, &ns, |rds| {
            let before = rds.len();
            rds.retain(|r| s(r, "name") != name);
            if rds.len() == before {
                return Err(ApiError::not_found(format!(
                    "Namespace {ns:?} has no relation definition {name:?}"
                )));
            }
            Ok(())
        })?;
        let gone: Vec<Value> = core
            .store
            .data
            .docs_of(KIND_AUTHZ_RELATION)
            .filter(|(_, v)| s(v, "namespace") == ns && s(v, "relationDefinition") == name)
            .map(|(_, v)| v.clone())
            .collect();
        remove_relations(core, &gone);
        Ok(Json(json!({})))
    })
}

// ---- relations ----

/// The relation without bookkeeping fields.
fn clean(rel: &Value) -> Value {
    let mut r = rel.clone();
    if let Some(m) = r.as_object_mut() {
        m.remove("modified");
    }
    r
}

fn rel_key(r: &Value) -> String {
    let q = r.get("query").map(Value::to_string).unwrap_or_default();
    [
        s(r, "resource"),
        s(r, "relationDefinition"),
        s(r, "namespace"),
        s(r, "target"),
        s(r, "targetSetResource"),
        s(r, "targetSetRelationDefinition"),
        s(r, "targetSetRelationDefinitionNamespace"),
        q,
    ]
    .join("\n")
}

fn log_change(core: &mut Core, resource: &str, target: &str) {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let at = now_ms();
    core.data().put_doc(
        KIND_AUTHZ_CHANGE,
        &format!("{at:013}-{seq:012}"),
        json!({"resource": resource, "target": target, "at": at}),
    );
    let excess = core
        .store
        .data
        .docs
        .get(KIND_AUTHZ_CHANGE)
        .map(|m| m.len().saturating_sub(CHANGE_CAP))
        .unwrap_or(0);
    let old: Vec<String> = core
        .store
        .data
        .docs_of(KIND_AUTHZ_CHANGE)
        .take(excess)
        .map(|(k, _)| k.clone())
        .collect();
    for k in old {
        core.data().remove_doc(KIND_AUTHZ_CHANGE, &k);
    }
}

fn remove_relations(core: &mut Core, rels: &[Value]) {
    for r in rels {
        if core.data().remove_doc(KIND_AUTHZ_RELATION, &rel_key(r)) {
            log_change(core, &s(r, "resource"), &s(r, "target"));
        }
    }
}

fn relations_of(body: &Value, key: &str) -> ApiResult<Vec<Value>> {
    body.get(key)
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| ApiError::bad_request(format!("The {key} field must be a list")))
}

fn check_relation(schema: Option<&Value>, r: &Value) -> ApiResult<()> {
    let (res, rd, ns) = (
        s(r, "resource"),
        s(r, "relationDefinition"),
        s(r, "namespace"),
    );
    if res.is_empty() || rd.is_empty() || ns.is_empty() {
        return Err(ApiError::bad_request(
            "A relation needs resource, relationDefinition and namespace",
        ));
    }
    let has_target = !s(r, "target").is_empty()
        || !s(r, "targetSetResource").is_empty()
        || r.get("query").is_some_and(Value::is_object);
    if !has_target {
        return Err(ApiError::bad_request(
            "A relation needs a target, a targetSetResource or a query",
        ));
    }
    let schema = schema
        .ok_or_else(|| ApiError::bad_request("No authz schema is saved: call save_schema first"))?;
    if find_rd(schema, &ns, &rd).is_none() {
        return Err(ApiError::bad_request(format!(
            "The schema has no relation definition {rd:?} in namespace {ns:?}"
        )));
    }
    Ok(())
}

async fn re_create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let rels = relations_of(&body, "relations")?;
    app.tx(|core| {
        let schema = schema_of(&core.store.data);
        for r in &rels {
            check_relation(schema.as_ref(), r)?;
        }
        for r in rels {
            let mut stored = clean(&r);
            stored["modified"] = json!(now_ms());
            core.data()
                .put_doc(KIND_AUTHZ_RELATION, &rel_key(&r), stored);
            log_change(core, &s(&r, "resource"), &s(&r, "target"));
        }
        Ok(Json(json!({})))
    })
}

async fn re_delete(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let rels = relations_of(&body, "relations")?;
    app.tx(|core| {
        remove_relations(core, &rels);
        Ok(Json(json!({})))
    })
}

async fn re_delete_resources(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let resources = strs(&body, "resources");
    app.tx(|core| {
        let gone: Vec<Value> = core
            .store
            .data
            .docs_of(KIND_AUTHZ_RELATION)
            .filter(|(_, v)| resources.contains(&s(v, "resource")))
            .map(|(_, v)| v.clone())
            .collect();
        remove_relations(core, &gone);
        Ok(Json(json!({})))
    })
}

/// Evaluates relations against the schema.
struct Engine<'a> {
    data: &'a Data,
    schema: Option<Value>,
    rels: Vec<Value>,
}

impl<'a> Engine<'a> {
    fn new(data: &'a Data) -> Self {
        Self {
            data,
            schema: schema_of(data),
            rels: data
                .docs_of(KIND_AUTHZ_RELATION)
                .map(|(_, v)| v.clone())
                .collect(),
        }
    }

    fn has(&self, res: &str, rd: &str, ns: &str, target: &str) -> bool {
        let mut seen = HashSet::new();
        self.has_at(res, rd, ns, target, 0, &mut seen)
    }

    fn has_at(
        &self,
        res: &str,
        rd: &str,
        ns: &str,
        target: &str,
        depth: usize,
        seen: &mut HashSet<(String, String, String)>,
    ) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let key = (res.to_string(), rd.to_string(), ns.to_string());
        if !seen.insert(key.clone()) {
            return false;
        }
        let def = self
            .schema
            .as_ref()
            .and_then(|sc| find_rd(sc, ns, rd))
            .and_then(|d| d.get("complexDefinition").cloned())
            .filter(Value::is_object);
        let out = match def {
            Some(node) => self.node(&node, res, rd, ns, target, depth + 1, seen),
            None => self.direct(res, rd, ns, target, depth + 1, seen),
        };
        seen.remove(&key);
        out
    }

    /// Stored relations: the target itself, a target set, or a user query.
    fn direct(
        &self,
        res: &str,
        rd: &str,
        ns: &str,
        target: &str,
        depth: usize,
        seen: &mut HashSet<(String, String, String)>,
    ) -> bool {
        self.rels
            .iter()
            .filter(|r| {
                s(r, "resource") == res
                    && s(r, "relationDefinition") == rd
                    && s(r, "namespace") == ns
            })
            .any(|r| {
                if !s(r, "target").is_empty() {
                    return s(r, "target") == target;
                }
                if !s(r, "targetSetResource").is_empty() {
                    return self.has_at(
                        &s(r, "targetSetResource"),
                        &s(r, "targetSetRelationDefinition"),
                        &s(r, "targetSetRelationDefinitionNamespace"),
                        target,
                        depth + 1,
                        seen,
                    );
                }
                r.get("query")
                    .is_some_and(|q| self.query_matches(q, target))
            })
    }

    /// A user query (`{tenants, roles, text, statuses, ssoOnly, withTestUser, customAttributes}`)
    /// against the user whose ID is `target`.
    fn query_matches(&self, q: &Value, target: &str) -> bool {
        let Some(u) = self.data.users.get(target) else {
            return false;
        };
        let tenants = strs(q, "tenants");
        let roles = strs(q, "roles");
        let statuses = strs(q, "statuses");
        let text = s(q, "text").to_lowercase();
        let attrs = obj(q, "customAttributes");
        (b(q, "withTestUser") || !u.test)
            && (!b(q, "ssoOnly") || u.saml)
            && (tenants.is_empty()
                || u.user_tenants
                    .iter()
                    .any(|t| tenants.contains(&t.tenant_id)))
            && (roles.is_empty()
                || u.role_names.iter().any(|r| roles.contains(r))
                || u.user_tenants
                    .iter()
                    .any(|t| t.role_names.iter().any(|r| roles.contains(r))))
            && (statuses.is_empty() || statuses.contains(&u.status))
            && attrs
                .iter()
                .all(|(k, v)| u.custom_attributes.get(k) == Some(v))
            && (text.is_empty()
                || [&u.name, &u.email, &u.phone]
                    .iter()
                    .any(|f| f.to_lowercase().contains(&text))
                || u.login_ids.iter().any(|l| l.to_lowercase().contains(&text)))
    }

    #[allow(clippy::too_many_arguments)]
    fn node(
        &self,
        node: &Value,
        res: &str,
        rd: &str,
        ns: &str,
        target: &str,
        depth: usize,
        seen: &mut HashSet<(String, String, String)>,
    ) -> bool {
        let children = node
            .get("children")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        match s(node, "nType").as_str() {
            "union" => children
                .iter()
                .any(|c| self.node(c, res, rd, ns, target, depth, seen)),
            "intersect" => {
                !children.is_empty()
                    && children
                        .iter()
                        .all(|c| self.node(c, res, rd, ns, target, depth, seen))
            }
            "sub" => match children.split_first() {
                Some((first, rest)) => {
                    self.node(first, res, rd, ns, target, depth, seen)
                        && !rest
                            .iter()
                            .any(|c| self.node(c, res, rd, ns, target, depth, seen))
                }
                None => false,
            },
            _ => {
                let e = node.get("expression").cloned().unwrap_or(Value::Null);
                let e_rd = s(&e, "relationDefinition");
                let e_ns = opt_s(&e, "relationDefinitionNamespace")
                    .filter(|x| !x.is_empty())
                    .unwrap_or_else(|| ns.to_string());
                let t_rd = s(&e, "targetRelationDefinition");
                let t_ns = opt_s(&e, "targetRelationDefinitionNamespace")
                    .filter(|x| !x.is_empty())
                    .unwrap_or_else(|| e_ns.clone());
                match s(&e, "neType").as_str() {
                    "targetSet" => self.has_at(res, &e_rd, &e_ns, target, depth + 1, seen),
                    "relationRight" => self
                        .rels
                        .iter()
                        .filter(|r| {
                            s(r, "resource") == res
                                && s(r, "relationDefinition") == e_rd
                                && s(r, "namespace") == e_ns
                                && !s(r, "target").is_empty()
                        })
                        .any(|r| {
                            self.has_at(&s(r, "target"), &t_rd, &t_ns, target, depth + 1, seen)
                        }),
                    "relationLeft" => self
                        .rels
                        .iter()
                        .filter(|r| {
                            s(r, "target") == res
                                && s(r, "relationDefinition") == e_rd
                                && s(r, "namespace") == e_ns
                        })
                        .any(|r| {
                            self.has_at(&s(r, "resource"), &t_rd, &t_ns, target, depth + 1, seen)
                        }),
                    // `self` (and anything unknown): the stored relations.
                    _ => self.direct(res, rd, ns, target, depth, seen),
                }
            }
        }
    }

    /// Every target that could hold a relation: stored targets and every user ID.
    fn candidates(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self
            .rels
            .iter()
            .map(|r| s(r, "target"))
            .filter(|t| !t.is_empty())
            .collect();
        out.extend(self.data.users.keys().cloned());
        out
    }

    /// Every (resource, relation definition, namespace) worth asking about.
    fn resource_relations(&self) -> BTreeSet<(String, String, String)> {
        let mut out = BTreeSet::new();
        for r in &self.rels {
            let (res, ns) = (s(r, "resource"), s(r, "namespace"));
            let rds: Vec<String> = self
                .schema
                .as_ref()
                .and_then(|sc| {
                    namespaces(sc)
                        .into_iter()
                        .find(|n| s(n, "name") == ns)
                        .and_then(|n| n.get("relationDefinitions").cloned())
                })
                .and_then(|v| v.as_array().cloned())
                .map(|a| a.iter().map(|d| s(d, "name")).collect())
                .unwrap_or_else(|| vec![s(r, "relationDefinition")]);
            for rd in rds {
                out.insert((res.clone(), rd, ns.clone()));
            }
        }
        out
    }

    fn target_access(&self, target: &str, only: Option<(&str, &str)>) -> Vec<Value> {
        self.resource_relations()
            .into_iter()
            .filter(|(_, rd, ns)| only.is_none_or(|(ord, ons)| ord == rd && ons == ns))
            .filter(|(res, rd, ns)| self.has(res, rd, ns, target))
            .map(|(res, rd, ns)| {
                json!({"resource": res, "relationDefinition": rd, "namespace": ns, "target": target})
            })
            .collect()
    }
}

async fn re_has(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let queries = relations_of(&body, "relationQueries")?;
    let core = app.lock();
    let engine = Engine::new(&core.store.data);
    let out: Vec<Value> = queries
        .iter()
        .map(|q| {
            let mut a = q.clone();
            let has = engine.has(
                &s(q, "resource"),
                &s(q, "relationDefinition"),
                &s(q, "namespace"),
                &s(q, "target"),
            );
            if let Some(m) = a.as_object_mut() {
                m.insert("hasRelation".into(), json!(has));
            }
            a
        })
        .collect();
    Ok(Json(json!({ "relationQueries": out })))
}

async fn re_who(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let (res, rd, ns) = (
        req(&body, "resource")?,
        req(&body, "relationDefinition")?,
        req(&body, "namespace")?,
    );
    let core = app.lock();
    let engine = Engine::new(&core.store.data);
    let targets: Vec<String> = engine
        .candidates()
        .into_iter()
        .filter(|t| engine.has(&res, &rd, &ns, t))
        .collect();
    Ok(Json(json!({ "targets": targets })))
}

fn stored_where(data: &Data, f: impl Fn(&Value) -> bool) -> Vec<Value> {
    data.docs_of(KIND_AUTHZ_RELATION)
        .map(|(_, v)| v)
        .filter(|v| f(v))
        .map(clean)
        .collect()
}

async fn re_resource(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let res = req(&body, "resource")?;
    let core = app.lock();
    let rels = stored_where(&core.store.data, |v| s(v, "resource") == res);
    Ok(Json(json!({ "relations": rels })))
}

async fn re_targets(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let targets = strs(&body, "targets");
    let core = app.lock();
    let rels = stored_where(&core.store.data, |v| targets.contains(&s(v, "target")));
    Ok(Json(json!({ "relations": rels })))
}

async fn re_target_all(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let target = req(&body, "target")?;
    let core = app.lock();
    let rels = Engine::new(&core.store.data).target_access(&target, None);
    Ok(Json(json!({ "relations": rels })))
}

async fn re_target_with(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let target = req(&body, "target")?;
    let (rd, ns) = (req(&body, "relationDefinition")?, req(&body, "namespace")?);
    let core = app.lock();
    let rels = Engine::new(&core.store.data).target_access(&target, Some((&rd, &ns)));
    Ok(Json(json!({ "relations": rels })))
}

async fn get_modified(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let since = int(&body, "since");
    let core = app.lock();
    let data = &core.store.data;
    let mut resources = BTreeSet::new();
    let mut targets = BTreeSet::new();
    for (_, c) in data.docs_of(KIND_AUTHZ_CHANGE) {
        if int(c, "at") >= since {
            resources.insert(s(c, "resource"));
            let t = s(c, "target");
            if !t.is_empty() {
                targets.insert(t);
            }
        }
    }
    let schema_changed = data
        .doc(KIND_AUTHZ_SCHEMA, "schema")
        .is_some_and(|d| int(d, "modified") >= since);
    let mut out = Map::new();
    out.insert("resources".into(), json!(resources));
    out.insert("targets".into(), json!(targets));
    out.insert("schemaChanged".into(), json!(schema_changed));
    Ok(Json(Value::Object(out)))
}
