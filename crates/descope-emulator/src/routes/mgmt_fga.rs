//! Management: fine-grained authorization (FGA): the schema in the AuthZ 1.0 text format,
//! relation tuples, and `check` evaluated against both.
//!
//! The schema format:
//!
//! ```text
//! model AuthZ 1.0
//!
//! type user
//!
//! type folder
//!   relation parent: folder
//!   relation owner: user | org#member
//!   permission can_create: owner | parent.owner
//! ```
//!
//! A `relation` lists the target types a tuple may name (`user`, or a userset such as
//! `org#member`: every member of that org). A `permission` is an expression over the type's
//! relations and permissions: `a | b` (either), `a & b` (both), `a - b` (a but not b), the arrow
//! `parent.owner` (owner of whatever the `parent` relation points at), and parentheses.
//! Operators of one level apply left to right.

use std::collections::{BTreeMap, HashMap, HashSet};
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
use crate::store::Data;
use crate::util::*;

/// Store kind of the schema: one document, ID `schema`, value `{dsl}`.
pub const KIND_FGA_SCHEMA: &str = "x.fgaschema";
/// Store kind of relation tuples: ID `type:resource#relation@targetType:target`.
pub const KIND_FGA_RELATION: &str = "x.fgarel";
/// Store kind of resource details: ID `type:resource`.
pub const KIND_FGA_RESOURCE: &str = "x.fgares";

/// The deepest chain of relations `check` follows (guards against cycles in the data).
const MAX_DEPTH: usize = 64;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/mgmt/fga/schema", post(save_schema))
        .route("/v1/mgmt/fga/schema/dryrun", post(dryrun))
        .route("/v1/mgmt/fga/relations", post(create_relations))
        .route("/v1/mgmt/fga/relations/delete", post(delete_relations))
        .route("/v1/mgmt/fga/check", post(check))
        .route("/v1/mgmt/fga/resources/load", post(resources_load))
        .route("/v1/mgmt/fga/resources/save", post(resources_save))
        .route("/v1/mgmt/fga/mappable/schema", get(mappable_schema))
        .route("/v1/mgmt/fga/mappable/resources", post(mappable_resources))
}

// ---- the schema ----

/// A permission expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A relation or permission of the same object.
    Name(String),
    /// `relation.name`: `name` on every object `relation` points at.
    Arrow(String, String),
    Union(Box<Expr>, Box<Expr>),
    Intersection(Box<Expr>, Box<Expr>),
    Exclusion(Box<Expr>, Box<Expr>),
}

/// One type of the schema.
#[derive(Debug, Clone, Default)]
pub struct TypeDef {
    /// relation → allowed target types (`user`, `org#member`)
    pub relations: BTreeMap<String, Vec<String>>,
    pub permissions: BTreeMap<String, Expr>,
}

/// A parsed schema.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub types: BTreeMap<String, TypeDef>,
}

fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

struct ExprParser<'a> {
    toks: Vec<&'a str>,
    pos: usize,
}

fn tokenize(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        let single = matches!(c, '|' | '&' | '-' | '(' | ')' | '.');
        // '-' inside a name (can-view) is part of the name when glued to letters on both sides.
        let glued_dash = c == '-'
            && start.is_some()
            && s[i + 1..]
                .chars()
                .next()
                .is_some_and(|n| n.is_ascii_alphanumeric() || n == '_');
        if (single && !glued_dash) || c.is_whitespace() {
            if let Some(st) = start.take() {
                out.push(&s[st..i]);
            }
            if single {
                out.push(&s[i..i + c.len_utf8()]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push(&s[st..]);
    }
    out
}

impl<'a> ExprParser<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.toks.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<&'a str> {
        let t = self.peek();
        self.pos += 1;
        t
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let mut left = self.term()?;
        while let Some(op) = self.peek() {
            if !matches!(op, "|" | "&" | "-") {
                break;
            }
            self.pos += 1;
            let right = Box::new(self.term()?);
            let l = Box::new(left);
            left = match op {
                "|" => Expr::Union(l, right),
                "&" => Expr::Intersection(l, right),
                _ => Expr::Exclusion(l, right),
            };
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some("(") => {
                let e = self.expr()?;
                match self.next() {
                    Some(")") => Ok(e),
                    _ => Err("a ')' is missing".into()),
                }
            }
            Some(name) if is_ident(name) => {
                if self.peek() == Some(".") {
                    self.pos += 1;
                    match self.next() {
                        Some(n2) if is_ident(n2) => Ok(Expr::Arrow(name.into(), n2.into())),
                        _ => Err(format!("a relation name must follow {name:?} and '.'")),
                    }
                } else {
                    Ok(Expr::Name(name.into()))
                }
            }
            Some(t) => Err(format!("unexpected {t:?}")),
            None => Err("the expression ends too early".into()),
        }
    }
}

fn parse_expr(s: &str) -> Result<Expr, String> {
    let mut p = ExprParser {
        toks: tokenize(s),
        pos: 0,
    };
    let e = p.expr()?;
    match p.peek() {
        None => Ok(e),
        Some(t) => Err(format!("unexpected {t:?}")),
    }
}

fn expr_names(e: &Expr, out: &mut Vec<(String, Option<String>)>) {
    match e {
        Expr::Name(n) => out.push((n.clone(), None)),
        Expr::Arrow(a, b) => out.push((a.clone(), Some(b.clone()))),
        Expr::Union(a, b) | Expr::Intersection(a, b) | Expr::Exclusion(a, b) => {
            expr_names(a, out);
            expr_names(b, out);
        }
    }
}

/// Parses the schema text; the error names the line.
pub fn parse_schema(dsl: &str) -> Result<Schema, String> {
    let mut schema = Schema::default();
    let mut current: Option<String> = None;
    for (n, raw) in dsl.lines().enumerate() {
        let line_no = n + 1;
        let line = raw.split("//").next().unwrap_or_default().trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |m: String| format!("schema line {line_no}: {m}");
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match word {
            "model" => {
                if !rest.starts_with("AuthZ") {
                    return Err(err(format!("unknown model {rest:?} (expected AuthZ 1.0)")));
                }
            }
            "type" => {
                if !is_ident(rest) {
                    return Err(err(format!("{rest:?} is not a type name")));
                }
                if schema.types.contains_key(rest) {
                    return Err(err(format!("type {rest:?} is defined twice")));
                }
                schema.types.insert(rest.to_string(), TypeDef::default());
                current = Some(rest.to_string());
            }
            "relation" | "permission" => {
                let Some(t) = current.clone() else {
                    return Err(err(format!("{word} outside of a type")));
                };
                let Some((name, def)) = rest.split_once(':') else {
                    return Err(err(format!("expected '{word} name: ...'")));
                };
                let name = name.trim();
                if !is_ident(name) {
                    return Err(err(format!("{name:?} is not a valid name")));
                }
                let td = schema.types.entry(t).or_default();
                if td.relations.contains_key(name) || td.permissions.contains_key(name) {
                    return Err(err(format!("{name:?} is defined twice")));
                }
                if word == "relation" {
                    let targets: Vec<String> =
                        def.split('|').map(|x| x.trim().to_string()).collect();
                    for target in &targets {
                        let ok = match target.split_once('#') {
                            Some((a, b)) => is_ident(a) && is_ident(b),
                            None => is_ident(target),
                        };
                        if !ok {
                            return Err(err(format!("{target:?} is not a target type")));
                        }
                    }
                    td.relations.insert(name.to_string(), targets);
                } else {
                    let e = parse_expr(def).map_err(err)?;
                    td.permissions.insert(name.to_string(), e);
                }
            }
            other => return Err(err(format!("unknown keyword {other:?}"))),
        }
    }
    // Every reference must resolve.
    for (tname, td) in &schema.types {
        for (rel, targets) in &td.relations {
            for target in targets {
                let (ty, sub) = match target.split_once('#') {
                    Some((a, b)) => (a, Some(b)),
                    None => (target.as_str(), None),
                };
                let Some(tt) = schema.types.get(ty) else {
                    return Err(format!("{tname}.{rel}: unknown type {ty:?}"));
                };
                if let Some(sub) = sub {
                    if !tt.relations.contains_key(sub) && !tt.permissions.contains_key(sub) {
                        return Err(format!("{tname}.{rel}: type {ty:?} has no {sub:?}"));
                    }
                }
            }
        }
        for (perm, e) in &td.permissions {
            let mut names = Vec::new();
            expr_names(e, &mut names);
            for (a, b) in names {
                match b {
                    None => {
                        if !td.relations.contains_key(&a) && !td.permissions.contains_key(&a) {
                            return Err(format!("{tname}.{perm}: {a:?} is not defined on {tname}"));
                        }
                    }
                    Some(b) => {
                        let Some(targets) = td.relations.get(&a) else {
                            return Err(format!(
                                "{tname}.{perm}: {a:?} in {a}.{b} must be a relation of {tname}"
                            ));
                        };
                        let found = targets.iter().any(|t| {
                            schema.types.get(t.as_str()).is_some_and(|tt| {
                                tt.relations.contains_key(&b) || tt.permissions.contains_key(&b)
                            })
                        });
                        if !found {
                            return Err(format!(
                                "{tname}.{perm}: no target type of {a:?} defines {b:?}"
                            ));
                        }
                    }
                }
            }
        }
    }
    Ok(schema)
}

// ---- relations and check ----

/// A relation tuple.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tuple {
    pub resource: String,
    pub resource_type: String,
    pub relation: String,
    pub target: String,
    pub target_type: String,
}

impl Tuple {
    fn from_json(v: &Value) -> ApiResult<Self> {
        let t = Tuple {
            resource: s(v, "resource"),
            resource_type: s(v, "resourceType"),
            relation: s(v, "relation"),
            target: s(v, "target"),
            target_type: s(v, "targetType"),
        };
        if [
            &t.resource,
            &t.resource_type,
            &t.relation,
            &t.target,
            &t.target_type,
        ]
        .iter()
        .any(|x| x.is_empty())
        {
            return Err(ApiError::bad_request(
                "A relation needs resource, resourceType, relation, target and targetType",
            ));
        }
        Ok(t)
    }

    fn to_json(&self) -> Value {
        json!({
            "resource": self.resource,
            "resourceType": self.resource_type,
            "relation": self.relation,
            "target": self.target,
            "targetType": self.target_type,
        })
    }

    fn key(&self) -> String {
        format!(
            "{}:{}#{}@{}:{}",
            self.resource_type, self.resource, self.relation, self.target_type, self.target
        )
    }
}

/// The relations, indexed by `(type, resource, relation)` → `[(targetType, target)]`.
pub struct Graph<'a> {
    schema: &'a Schema,
    edges: HashMap<(String, String, String), Vec<(String, String)>>,
}

impl<'a> Graph<'a> {
    pub fn new(schema: &'a Schema, tuples: impl IntoIterator<Item = Tuple>) -> Self {
        let mut edges: HashMap<_, Vec<_>> = HashMap::new();
        for t in tuples {
            edges
                .entry((t.resource_type, t.resource, t.relation))
                .or_default()
                .push((t.target_type, t.target));
        }
        Self { schema, edges }
    }

    fn targets(&self, ty: &str, res: &str, rel: &str) -> &[(String, String)] {
        self.edges
            .get(&(ty.to_string(), res.to_string(), rel.to_string()))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Whether `target_type:target` has `rel` on `ty:res`.
    pub fn check(&self, ty: &str, res: &str, rel: &str, target_type: &str, target: &str) -> bool {
        let mut seen = HashSet::new();
        self.check_at(ty, res, rel, target_type, target, 0, &mut seen)
    }

    #[allow(clippy::too_many_arguments)]
    fn check_at(
        &self,
        ty: &str,
        res: &str,
        rel: &str,
        tt: &str,
        target: &str,
        depth: usize,
        seen: &mut HashSet<(String, String, String)>,
    ) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        let key = (ty.to_string(), res.to_string(), rel.to_string());
        // A cycle in the data: this branch adds nothing new.
        if !seen.insert(key.clone()) {
            return false;
        }
        let Some(td) = self.schema.types.get(ty) else {
            seen.remove(&key);
            return false;
        };
        let out = if td.relations.contains_key(rel) {
            self.targets(ty, res, rel).iter().any(|(ett, et)| {
                if ett == tt && et == target {
                    return true;
                }
                match ett.split_once('#') {
                    Some((sty, srel)) => self.check_at(sty, et, srel, tt, target, depth + 1, seen),
                    None => false,
                }
            })
        } else if let Some(e) = td.permissions.get(rel) {
            self.eval(ty, res, e, tt, target, depth + 1, seen)
        } else {
            false
        };
        seen.remove(&key);
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn eval(
        &self,
        ty: &str,
        res: &str,
        e: &Expr,
        tt: &str,
        target: &str,
        depth: usize,
        seen: &mut HashSet<(String, String, String)>,
    ) -> bool {
        match e {
            Expr::Name(n) => self.check_at(ty, res, n, tt, target, depth, seen),
            Expr::Arrow(a, b) => self.targets(ty, res, a).iter().any(|(ptt, p)| {
                !ptt.contains('#') && self.check_at(ptt, p, b, tt, target, depth + 1, seen)
            }),
            Expr::Union(x, y) => {
                self.eval(ty, res, x, tt, target, depth, seen)
                    || self.eval(ty, res, y, tt, target, depth, seen)
            }
            Expr::Intersection(x, y) => {
                self.eval(ty, res, x, tt, target, depth, seen)
                    && self.eval(ty, res, y, tt, target, depth, seen)
            }
            Expr::Exclusion(x, y) => {
                self.eval(ty, res, x, tt, target, depth, seen)
                    && !self.eval(ty, res, y, tt, target, depth, seen)
            }
        }
    }
}

/// The saved schema (400 when there is none).
fn saved_schema(data: &Data) -> ApiResult<Schema> {
    let dsl = data
        .doc(KIND_FGA_SCHEMA, "schema")
        .map(|d| s(d, "dsl"))
        .ok_or_else(|| ApiError::bad_request("No FGA schema is saved: call save_schema first"))?;
    parse_schema(&dsl).map_err(ApiError::bad_request)
}

fn stored_tuples(data: &Data) -> Vec<Tuple> {
    data.docs_of(KIND_FGA_RELATION)
        .filter_map(|(_, v)| Tuple::from_json(v).ok())
        .collect()
}

fn tuples_of(body: &Value) -> ApiResult<Vec<Tuple>> {
    body.get("tuples")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::bad_request("The tuples field is required"))?
        .iter()
        .map(Tuple::from_json)
        .collect()
}

async fn save_schema(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let dsl = req(&body, "dsl")?;
    parse_schema(&dsl).map_err(ApiError::bad_request)?;
    app.tx(|core| {
        core.data()
            .put_doc(KIND_FGA_SCHEMA, "schema", json!({ "dsl": dsl }));
        Ok(Json(json!({})))
    })
}

async fn dryrun(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let dsl = req(&body, "dsl")?;
    let new = parse_schema(&dsl).map_err(ApiError::bad_request)?;
    let core = app.lock();
    // The relations the new schema no longer allows.
    let deletes: Vec<Value> = stored_tuples(&core.store.data)
        .into_iter()
        .filter(|t| validate(&new, t).is_err())
        .map(|t| t.to_json())
        .collect();
    Ok(Json(json!({ "deletesPreview": { "relations": deletes } })))
}

/// Checks a tuple against the schema: known type, a `relation` (not a permission), an allowed
/// target type.
fn validate(schema: &Schema, t: &Tuple) -> ApiResult<()> {
    let td = schema.types.get(&t.resource_type).ok_or_else(|| {
        ApiError::bad_request(format!("The schema has no type {:?}", t.resource_type))
    })?;
    let targets = td.relations.get(&t.relation).ok_or_else(|| {
        ApiError::bad_request(format!(
            "Type {:?} has no relation {:?} (permissions cannot be written)",
            t.resource_type, t.relation
        ))
    })?;
    if !targets.contains(&t.target_type) {
        return Err(ApiError::bad_request(format!(
            "Relation {}.{} takes {} as target, not {:?}",
            t.resource_type,
            t.relation,
            targets.join(" | "),
            t.target_type
        )));
    }
    Ok(())
}

async fn create_relations(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let tuples = tuples_of(&body)?;
    app.tx(|core| {
        let schema = saved_schema(&core.store.data)?;
        for t in &tuples {
            validate(&schema, t)?;
        }
        for t in tuples {
            core.data()
                .put_doc(KIND_FGA_RELATION, &t.key(), t.to_json());
        }
        Ok(Json(json!({})))
    })
}

async fn delete_relations(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let tuples = tuples_of(&body)?;
    app.tx(|core| {
        for t in tuples {
            core.data().remove_doc(KIND_FGA_RELATION, &t.key());
        }
        Ok(Json(json!({})))
    })
}

async fn check(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let tuples = tuples_of(&body)?;
    let core = app.lock();
    let schema = saved_schema(&core.store.data)?;
    for t in &tuples {
        let td = schema.types.get(&t.resource_type).ok_or_else(|| {
            ApiError::bad_request(format!("The schema has no type {:?}", t.resource_type))
        })?;
        if !td.relations.contains_key(&t.relation) && !td.permissions.contains_key(&t.relation) {
            return Err(ApiError::bad_request(format!(
                "Type {:?} has no relation or permission {:?}",
                t.resource_type, t.relation
            )));
        }
    }
    let graph = Graph::new(&schema, stored_tuples(&core.store.data));
    let out: Vec<Value> = tuples
        .iter()
        .map(|t| {
            let allowed = graph.check(
                &t.resource_type,
                &t.resource,
                &t.relation,
                &t.target_type,
                &t.target,
            );
            json!({ "tuple": t.to_json(), "allowed": allowed })
        })
        .collect();
    Ok(Json(json!({ "tuples": out })))
}

async fn resources_save(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let details = body
        .get("resourcesDetails")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| ApiError::bad_request("The resourcesDetails field is required"))?;
    app.tx(|core| {
        for d in details {
            let (id, ty) = (req(&d, "resourceId")?, req(&d, "resourceType")?);
            core.data()
                .put_doc(KIND_FGA_RESOURCE, &format!("{ty}:{id}"), d);
        }
        Ok(Json(json!({})))
    })
}

async fn resources_load(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let ids = body
        .get("resourceIdentifiers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let core = app.lock();
    let out: Vec<Value> = ids
        .iter()
        .filter_map(|i| {
            core.store
                .data
                .doc(
                    KIND_FGA_RESOURCE,
                    &format!("{}:{}", s(i, "resourceType"), s(i, "resourceId")),
                )
                .cloned()
        })
        .collect();
    Ok(Json(json!({ "resourcesDetails": out })))
}

/// The types and relations an SSO group can be mapped to.
async fn mappable_schema(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(_q): Query<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let core = app.lock();
    let schema = saved_schema(&core.store.data)?;
    let namespaces: Vec<Value> = schema
        .types
        .iter()
        .map(|(name, td)| {
            json!({
                "name": name,
                "relationDefinitions": td.relations.keys().map(|r| json!({"name": r})).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({ "schema": { "namespaces": namespaces } })))
}

async fn mappable_resources(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let queries = body
        .get("resourcesQueries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let core = app.lock();
    let tuples = stored_tuples(&core.store.data);
    let out: Vec<Value> = queries
        .iter()
        .map(|q| {
            let ty = s(q, "type");
            let mut seen: Vec<String> = tuples
                .iter()
                .filter(|t| t.resource_type == ty)
                .map(|t| t.resource.clone())
                .collect();
            seen.dedup();
            json!({"type": ty, "resources": seen.iter().map(|r| json!({"resource": r})).collect::<Vec<_>>()})
        })
        .collect();
    Ok(Json(json!({ "mappableResources": out })))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file-system schema of the official SDK's README.
    const README_SCHEMA: &str = "model AuthZ 1.0

type user

type org
  relation member: user
  relation parent: org

type folder
  relation parent: folder
  relation owner: user | org#member
  relation editor: user 
  relation viewer: user 

  permission can_create: owner | parent.owner
  permission can_edit: editor | can_create
  permission can_view: viewer | can_edit

type doc
  relation parent: folder
  relation owner: user | org#member
  relation editor: user 
  relation viewer: user 

  permission can_create: owner | parent.owner
  permission can_edit: editor | can_create
  permission can_view: viewer | can_edit
";

    fn t(ty: &str, res: &str, rel: &str, tt: &str, target: &str) -> Tuple {
        Tuple {
            resource: res.into(),
            resource_type: ty.into(),
            relation: rel.into(),
            target: target.into(),
            target_type: tt.into(),
        }
    }

    #[test]
    fn the_readme_schema_parses_into_its_types_relations_and_permissions() {
        let s = parse_schema(README_SCHEMA).unwrap();
        assert_eq!(
            s.types.keys().collect::<Vec<_>>(),
            ["doc", "folder", "org", "user"]
        );
        assert_eq!(s.types["doc"].relations["owner"], ["user", "org#member"]);
        assert_eq!(
            s.types["doc"].permissions["can_create"],
            Expr::Union(
                Box::new(Expr::Name("owner".into())),
                Box::new(Expr::Arrow("parent".into(), "owner".into()))
            )
        );
    }

    #[test]
    fn readme_schema_answers_as_its_comments_say() {
        let s = parse_schema(README_SCHEMA).unwrap();
        let g = Graph::new(
            &s,
            [
                t("folder", "f1", "owner", "user", "ann"),
                t("doc", "d1", "parent", "folder", "f1"),
                t("doc", "d1", "viewer", "user", "vic"),
                t("doc", "d2", "owner", "org#member", "acme"),
                t("org", "acme", "member", "user", "bob"),
            ],
        );
        // The owner of a folder can view (and edit) a doc in it, through parent.owner.
        assert!(g.check("doc", "d1", "can_view", "user", "ann"));
        assert!(g.check("doc", "d1", "can_edit", "user", "ann"));
        // A viewer can view but not edit.
        assert!(g.check("doc", "d1", "can_view", "user", "vic"));
        assert!(!g.check("doc", "d1", "can_edit", "user", "vic"));
        // Members of an owning org (a userset) own the doc; others do not.
        assert!(g.check("doc", "d2", "owner", "user", "bob"));
        assert!(g.check("doc", "d2", "can_create", "user", "bob"));
        assert!(!g.check("doc", "d2", "can_view", "user", "ann"));
        // Direct relations are not inherited: ann is not the doc's owner, only can_create it.
        assert!(!g.check("doc", "d1", "owner", "user", "ann"));
    }

    #[test]
    fn intersection_exclusion_and_cycles() {
        let s = parse_schema(
            "model AuthZ 1.0\ntype user\ntype f\n  relation parent: f\n  relation a: user\n  relation b: user\n  permission both: a & b\n  permission only_a: a - b\n  permission up: a | parent.up\n",
        )
        .unwrap();
        let g = Graph::new(
            &s,
            [
                t("f", "x", "a", "user", "u1"),
                t("f", "x", "b", "user", "u1"),
                t("f", "x", "a", "user", "u2"),
                // A parent cycle must terminate.
                t("f", "x", "parent", "f", "y"),
                t("f", "y", "parent", "f", "x"),
            ],
        );
        assert!(g.check("f", "x", "both", "user", "u1"));
        assert!(!g.check("f", "x", "both", "user", "u2"));
        assert!(g.check("f", "x", "only_a", "user", "u2"));
        assert!(!g.check("f", "x", "only_a", "user", "u1"));
        assert!(g.check("f", "y", "up", "user", "u1"));
        assert!(!g.check("f", "y", "up", "user", "nobody"));
    }

    #[test]
    fn arrows_to_permissions_parentheses_and_unspaced_operators_parse() {
        let s = parse_schema(
            "model AuthZ 1.0\ntype user\ntype group\n  relation member: user\ntype folder\n  relation parent: folder\n  relation owner: user | group#member\n  relation viewer: user\n  permission can_create: owner | parent.owner | parent.can_create\n  permission can_view: (viewer|parent.viewer) - can_create\n",
        )
        .unwrap();
        let g = Graph::new(
            &s,
            [
                t("folder", "root", "owner", "user", "ann"),
                t("folder", "a", "parent", "folder", "root"),
                t("folder", "b", "parent", "folder", "a"),
                t("folder", "root", "viewer", "user", "vic"),
                t("folder", "b", "viewer", "user", "ann"),
            ],
        );
        // parent.can_create recurses up the folder chain.
        assert!(g.check("folder", "b", "can_create", "user", "ann"));
        // Viewers of the parent can view, unless they can create.
        assert!(g.check("folder", "a", "can_view", "user", "vic"));
        assert!(!g.check("folder", "b", "can_view", "user", "ann"));
    }

    #[test]
    fn schema_errors_name_the_problem() {
        let e = parse_schema("type doc\n  relation owner: person\n").unwrap_err();
        assert!(e.contains("unknown type \"person\""), "{e}");
        let e = parse_schema(
            "type user\ntype doc\n  relation owner: user\n  permission v: owner | editor\n",
        )
        .unwrap_err();
        assert!(e.contains("\"editor\" is not defined"), "{e}");
        let e = parse_schema("relation owner: user\n").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
        let e = parse_schema("type user\ntype doc\n  permission v: (user\n").unwrap_err();
        assert!(e.contains("line 3"), "{e}");
    }
}
