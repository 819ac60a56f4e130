//! The older ReBAC authorization API (`client.mgmt().authz()`): schema, namespaces, relation
//! definitions and relations. New code should prefer [`crate::fga`].
//!
//! Schemas, namespaces, relation definitions and relations are JSON objects in the API's own
//! format (`{"name", "namespaces": [{"name", "relationDefinitions": [...]}]}` for a schema,
//! `{"resource", "relationDefinition", "namespace", "target" | "targetSetResource" … | "query"}`
//! for a relation), passed through unchanged.

use descope_core::endpoints as ep;
use descope_core::Result;
use serde::{Deserialize, Serialize};

use crate::call::{field, strings, unit, Body, MgmtRequest};
use crate::types::{Extra, JsonObject};

crate::handle!(
    /// ReBAC schema and relations.
    Authz
);

/// A relation query of `has_relations` with its answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct RelationQuery {
    /// The resource.
    pub resource: String,
    /// The relation definition.
    pub relation_definition: String,
    /// The relation definition's namespace.
    pub namespace: String,
    /// The target (usually a user ID).
    pub target: String,
    /// Whether the relation holds.
    pub has_relation: bool,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

impl RelationQuery {
    /// A query: does `target` have `relation_definition` (of `namespace`) on `resource`?
    pub fn new(
        resource: impl Into<String>,
        relation_definition: impl Into<String>,
        namespace: impl Into<String>,
        target: impl Into<String>,
    ) -> Self {
        Self {
            resource: resource.into(),
            relation_definition: relation_definition.into(),
            namespace: namespace.into(),
            target: target.into(),
            ..Self::default()
        }
    }
}

/// What changed since a time (`get_modified`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct Modified {
    /// Resources whose relations changed.
    pub resources: Vec<String>,
    /// Targets whose relations changed.
    pub targets: Vec<String>,
    /// Whether the schema changed.
    pub schema_changed: bool,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

fn relations(resp: descope_transport::ApiResponse) -> Result<Vec<JsonObject>> {
    field(&resp, "relations")
}

impl Authz {
    /// Creates or updates the schema; with `upgrade`, namespaces left out are deleted.
    pub fn save_schema(&self, schema: JsonObject, upgrade: bool) -> MgmtRequest<()> {
        self.req(&ep::MGMT_AUTHZ_SCHEMA_SAVE, unit)
            .set("schema", schema)
            .set("upgrade", upgrade)
    }

    /// Deletes the schema and every relation.
    pub fn delete_schema(&self) -> MgmtRequest<()> {
        self.req(&ep::MGMT_AUTHZ_SCHEMA_DELETE, unit)
            .body(Body::None)
    }

    /// Loads the schema.
    pub fn load_schema(&self) -> MgmtRequest<JsonObject> {
        self.req(&ep::MGMT_AUTHZ_SCHEMA_LOAD, |r| field(&r, "schema"))
            .body(Body::None)
    }

    /// Creates or updates a namespace; `old_name` renames one, `schema_name` tracks the
    /// schema version (both left out when `None` or empty).
    pub fn save_namespace(
        &self,
        namespace: JsonObject,
        old_name: Option<&str>,
        schema_name: Option<&str>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_AUTHZ_NS_SAVE, unit)
            .set("namespace", namespace)
            .set_opt("oldName", old_name.filter(|s| !s.is_empty()))
            .set_opt("schemaName", schema_name.filter(|s| !s.is_empty()))
    }

    /// Deletes a namespace and its relations.
    pub fn delete_namespace(
        &self,
        name: impl Into<String>,
        schema_name: Option<&str>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_AUTHZ_NS_DELETE, unit)
            .set("name", name.into())
            .set_opt("schemaName", schema_name.filter(|s| !s.is_empty()))
    }

    /// Creates or updates a relation definition of `namespace`.
    pub fn save_relation_definition(
        &self,
        relation_definition: JsonObject,
        namespace: impl Into<String>,
        old_name: Option<&str>,
        schema_name: Option<&str>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_AUTHZ_RD_SAVE, unit)
            .set("relationDefinition", relation_definition)
            .set("namespace", namespace.into())
            .set_opt("oldName", old_name.filter(|s| !s.is_empty()))
            .set_opt("schemaName", schema_name.filter(|s| !s.is_empty()))
    }

    /// Deletes a relation definition and its relations.
    pub fn delete_relation_definition(
        &self,
        name: impl Into<String>,
        namespace: impl Into<String>,
        schema_name: Option<&str>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_AUTHZ_RD_DELETE, unit)
            .set("name", name.into())
            .set("namespace", namespace.into())
            .set_opt("schemaName", schema_name.filter(|s| !s.is_empty()))
    }

    /// Creates relations.
    pub fn create_relations(
        &self,
        relations: impl IntoIterator<Item = JsonObject>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_AUTHZ_RE_CREATE, unit)
            .set("relations", relations.into_iter().collect::<Vec<_>>())
    }

    /// Deletes relations.
    pub fn delete_relations(
        &self,
        relations: impl IntoIterator<Item = JsonObject>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_AUTHZ_RE_DELETE, unit)
            .set("relations", relations.into_iter().collect::<Vec<_>>())
    }

    /// Deletes every relation of these resources.
    pub fn delete_relations_for_resources<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        resources: I,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_AUTHZ_RE_DELETE_RESOURCES, unit)
            .set("resources", strings(resources))
    }

    /// Checks relations (direct or derived from the schema).
    pub fn has_relations(
        &self,
        queries: impl IntoIterator<Item = RelationQuery>,
    ) -> MgmtRequest<Vec<RelationQuery>> {
        let queries: Vec<serde_json::Value> = queries
            .into_iter()
            .map(|q| {
                serde_json::json!({"resource": q.resource, "relationDefinition": q.relation_definition,
                    "namespace": q.namespace, "target": q.target})
            })
            .collect();
        self.req(&ep::MGMT_AUTHZ_RE_HAS, |r| field(&r, "relationQueries"))
            .set("relationQueries", queries)
    }

    /// The targets that have `relation_definition` on `resource`.
    pub fn who_can_access(
        &self,
        resource: impl Into<String>,
        relation_definition: impl Into<String>,
        namespace: impl Into<String>,
    ) -> MgmtRequest<Vec<String>> {
        self.req(&ep::MGMT_AUTHZ_RE_WHO, |r| field(&r, "targets"))
            .set("resource", resource.into())
            .set("relationDefinition", relation_definition.into())
            .set("namespace", namespace.into())
    }

    /// The relations defined on a resource (not derived ones).
    pub fn resource_relations(&self, resource: impl Into<String>) -> MgmtRequest<Vec<JsonObject>> {
        self.req(&ep::MGMT_AUTHZ_RE_RESOURCE, relations)
            .set("resource", resource.into())
    }

    /// The relations defined for targets (not derived ones).
    pub fn targets_relations<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        targets: I,
    ) -> MgmtRequest<Vec<JsonObject>> {
        self.req(&ep::MGMT_AUTHZ_RE_TARGETS, relations)
            .set("targets", strings(targets))
    }

    /// Every relation of a target, derived ones included.
    pub fn what_can_target_access(
        &self,
        target: impl Into<String>,
    ) -> MgmtRequest<Vec<JsonObject>> {
        self.req(&ep::MGMT_AUTHZ_RE_TARGET_ALL, relations)
            .set("target", target.into())
    }

    /// The resources a target has `relation_definition` on, derived ones included.
    pub fn what_can_target_access_with_relation(
        &self,
        target: impl Into<String>,
        relation_definition: impl Into<String>,
        namespace: impl Into<String>,
    ) -> MgmtRequest<Vec<JsonObject>> {
        self.req(&ep::MGMT_AUTHZ_RE_TARGET_WITH_RELATION, relations)
            .set("target", target.into())
            .set("relationDefinition", relation_definition.into())
            .set("namespace", namespace.into())
    }

    /// What changed since `since_ms` (milliseconds since the Unix epoch; 0: everything).
    pub fn get_modified(&self, since_ms: i64) -> MgmtRequest<Modified> {
        self.req(&ep::MGMT_AUTHZ_GET_MODIFIED, crate::call::json)
            .set("since", since_ms)
    }
}
