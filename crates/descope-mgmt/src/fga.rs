//! Fine-grained authorization (`client.mgmt().fga()`).

use descope_core::endpoints as ep;
use descope_core::Result;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::call::{field, json, unit, Body, MgmtRequest};
use crate::types::{Extra, JsonObject};

crate::handle!(
    /// FGA schema, relations and checks.
    Fga
);

/// A relation tuple: `target` (of `targetType`) has `relation` on `resource` (of
/// `resourceType`). A `targetType` such as `org#member` names a userset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct Relation {
    /// The resource.
    pub resource: String,
    /// The resource type.
    pub resource_type: String,
    /// The relation or permission.
    pub relation: String,
    /// The target.
    pub target: String,
    /// The target type.
    pub target_type: String,
}

impl Relation {
    /// A tuple.
    pub fn new(
        resource: impl Into<String>,
        resource_type: impl Into<String>,
        relation: impl Into<String>,
        target: impl Into<String>,
        target_type: impl Into<String>,
    ) -> Self {
        Self {
            resource: resource.into(),
            resource_type: resource_type.into(),
            relation: relation.into(),
            target: target.into(),
            target_type: target_type.into(),
        }
    }
}

/// One answer of `check`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct CheckResult {
    /// The tuple checked (the API's `tuple`).
    #[serde(rename = "tuple")]
    pub relation: Relation,
    /// Whether it holds.
    pub allowed: bool,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

fn check_results(resp: descope_transport::ApiResponse) -> Result<Vec<CheckResult>> {
    field(&resp, "tuples")
}

impl Fga {
    /// Saves the schema (AuthZ 1.0 DSL).
    pub fn save_schema(&self, dsl: impl Into<String>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_FGA_SCHEMA_SAVE, unit)
            .set("dsl", dsl.into())
    }

    /// Previews what saving the schema would delete (the raw answer).
    pub fn save_schema_dryrun(&self, dsl: impl Into<String>) -> MgmtRequest<JsonObject> {
        self.req(&ep::MGMT_FGA_SCHEMA_DRYRUN, json)
            .set("dsl", dsl.into())
    }

    /// Creates relations.
    pub fn create_relations(
        &self,
        relations: impl IntoIterator<Item = Relation>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_FGA_RELATIONS_CREATE, unit)
            .set("tuples", relations.into_iter().collect::<Vec<_>>())
    }

    /// Deletes relations.
    pub fn delete_relations(
        &self,
        relations: impl IntoIterator<Item = Relation>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_FGA_RELATIONS_DELETE, unit)
            .set("tuples", relations.into_iter().collect::<Vec<_>>())
    }

    /// Checks relations (direct or derived from the schema).
    pub fn check(
        &self,
        relations: impl IntoIterator<Item = Relation>,
    ) -> MgmtRequest<Vec<CheckResult>> {
        self.req(&ep::MGMT_FGA_CHECK, check_results)
            .set("tuples", relations.into_iter().collect::<Vec<_>>())
    }

    /// Loads display details of resources (`{"resourceId", "resourceType"}` identifiers).
    pub fn load_resources_details(
        &self,
        identifiers: impl IntoIterator<Item = JsonObject>,
    ) -> MgmtRequest<Vec<JsonObject>> {
        self.req(&ep::MGMT_FGA_RESOURCES_LOAD, |r| {
            field(&r, "resourcesDetails")
        })
        .set(
            "resourceIdentifiers",
            identifiers.into_iter().collect::<Vec<_>>(),
        )
    }

    /// Saves display details of resources.
    pub fn save_resources_details(
        &self,
        details: impl IntoIterator<Item = JsonObject>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_FGA_RESOURCES_SAVE, unit)
            .set("resourcesDetails", details.into_iter().collect::<Vec<_>>())
    }

    /// The schema tenants can map SSO groups to (the raw answer).
    pub fn load_mappable_schema(
        &self,
        tenant_id: impl Into<String>,
        resources_limit: Option<u32>,
    ) -> MgmtRequest<JsonObject> {
        let mut req = self
            .req(&ep::MGMT_FGA_MAPPABLE_SCHEMA, json)
            .body(Body::None)
            .query("tenantId", tenant_id);
        if let Some(limit) = resources_limit {
            req = req.query("resourcesLimit", limit.to_string());
        }
        req
    }

    /// Resources tenants can map SSO groups to.
    pub fn load_mappable_resources(
        &self,
        tenant_id: impl Into<String>,
        queries: impl IntoIterator<Item = JsonObject>,
        resources_limit: Option<u32>,
    ) -> MgmtRequest<Vec<JsonObject>> {
        let req = self
            .req(&ep::MGMT_FGA_MAPPABLE_RESOURCES, |r| {
                field(&r, "mappableResources")
            })
            .set("tenantId", tenant_id.into())
            .set("resourcesQueries", queries.into_iter().collect::<Vec<_>>());
        // The API takes the limit as a string.
        req.set_opt(
            "resourcesLimit",
            resources_limit.map(|l| Value::from(l.to_string())),
        )
    }
}
