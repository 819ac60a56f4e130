//! Flows and themes (`client.mgmt().flow()`).

use descope_core::endpoints as ep;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::call::{builder, json, setters, strings, Body, MgmtRequest};
use crate::types::{Extra, JsonObject};

crate::handle!(
    /// Flow and theme management.
    Flows
);

/// A flow in `list_flows`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct FlowSummary {
    /// Flow ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Whether the flow is disabled.
    pub disabled: bool,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The answer of `list_flows`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct FlowList {
    /// The flows.
    pub flows: Vec<FlowSummary>,
    /// How many there are.
    pub total: i64,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An exported flow: the flow (with its DSL) and its screens, as opaque JSON to import back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct FlowExport {
    /// The flow object.
    pub flow: JsonObject,
    /// The screens.
    pub screens: Vec<Value>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

builder!(
    /// `run_flow` / `run_flow_async`.
    RunFlow -> JsonObject
);
setters!(RunFlow {
    /// The flow input.
    input: attrs => "input",
    /// Run the flow's preview version.
    preview: bool => "preview",
    /// The tenant.
    tenant: str => "tenant",
});

impl Flows {
    /// Lists the flows.
    pub fn list_flows(&self) -> MgmtRequest<FlowList> {
        self.req(&ep::MGMT_FLOW_LIST, json).body(Body::None)
    }

    /// Deletes flows.
    pub fn delete_flows<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        flow_ids: I,
    ) -> MgmtRequest<JsonObject> {
        self.req(&ep::MGMT_FLOW_DELETE, json)
            .set("ids", strings(flow_ids))
    }

    /// Exports a flow and its screens.
    pub fn export_flow(&self, flow_id: impl Into<String>) -> MgmtRequest<FlowExport> {
        self.req(&ep::MGMT_FLOW_EXPORT, json)
            .set("flowId", flow_id.into())
    }

    /// Imports a flow (the `flow` and `screens` of an export).
    pub fn import_flow(
        &self,
        flow_id: impl Into<String>,
        flow: JsonObject,
        screens: Vec<Value>,
    ) -> MgmtRequest<FlowExport> {
        self.req(&ep::MGMT_FLOW_IMPORT, json)
            .set("flowId", flow_id.into())
            .set("flow", flow)
            .set("screens", screens)
    }

    /// Exports the project theme (the raw answer, `{"theme": {...}}`).
    pub fn export_theme(&self) -> MgmtRequest<JsonObject> {
        self.req(&ep::MGMT_THEME_EXPORT, json)
    }

    /// Imports a theme.
    pub fn import_theme(&self, theme: JsonObject) -> MgmtRequest<JsonObject> {
        self.req(&ep::MGMT_THEME_IMPORT, json).set("theme", theme)
    }

    /// Runs a flow and waits for its output.
    pub fn run_flow(&self, flow_id: impl Into<String>) -> RunFlow {
        RunFlow::wrap(
            self.req(&ep::MGMT_FLOW_RUN, json)
                .set("flowId", flow_id.into()),
        )
    }

    /// Starts a flow; poll `get_flow_async_result` with the returned `executionId`.
    pub fn run_flow_async(&self, flow_id: impl Into<String>) -> RunFlow {
        RunFlow::wrap(
            self.req(&ep::MGMT_FLOW_RUN_ASYNC, json)
                .set("flowId", flow_id.into()),
        )
    }

    /// The result of a flow started with `run_flow_async`.
    pub fn get_flow_async_result(
        &self,
        execution_id: impl Into<String>,
    ) -> MgmtRequest<JsonObject> {
        self.req(&ep::MGMT_FLOW_ASYNC_RESULT, json)
            .set("executionId", execution_id.into())
    }
}
