//! Management: flows and the theme (list, delete, export and import of the stored JSON).
//!
//! The emulator does not run flows; it keeps what was imported so an export gives it back.
//! Running a stored flow (`flow/run`, `flow/async/run`) completes at once with an output that
//! echoes the request: `{flowId, input, tenant, preview}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::routes::mgmt_sso::mgmt_body;
use crate::util::*;

/// Store kind of flows: ID = flow ID, value `{flow: {...}, screens: [...]}`.
pub const KIND_FLOW: &str = "x.flow";
/// Store kind of the theme: one document, ID `theme`, value = the theme object.
pub const KIND_THEME: &str = "x.theme";
/// Store kind of flow executions started with `flow/async/run`: ID = execution ID, value
/// `{executionId, flowId, status, output}`.
pub const KIND_FLOW_EXECUTION: &str = "x.flowexec";

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v1/mgmt/flow/list", post(list))
        .route("/v1/mgmt/flow/delete", post(delete))
        .route("/v1/mgmt/flow/export", post(export))
        .route("/v1/mgmt/flow/import", post(import))
        .route("/v1/mgmt/flow/run", post(run))
        .route("/v1/mgmt/flow/async/run", post(run_async))
        .route("/v1/mgmt/flow/async/result", post(async_result))
        .route("/v1/mgmt/theme/export", post(theme_export))
        .route("/v1/mgmt/theme/import", post(theme_import))
}

async fn list(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    mgmt_body(&app, &headers, &body)?;
    let core = app.lock();
    let flows: Vec<Value> = core
        .store
        .data
        .docs_of(KIND_FLOW)
        .map(|(id, doc)| {
            let f = doc.get("flow").cloned().unwrap_or(Value::Null);
            json!({
                "id": id,
                "name": s(&f, "name"),
                "description": s(&f, "description"),
                "disabled": b(&f, "disabled"),
            })
        })
        .collect();
    let total = flows.len();
    Ok(Json(json!({ "flows": flows, "total": total })))
}

async fn delete(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let ids = strs(&body, "ids");
    if ids.is_empty() {
        return Err(ApiError::bad_request(
            "The ids field needs at least one flow ID",
        ));
    }
    app.tx(|core| {
        for id in &ids {
            core.data().remove_doc(KIND_FLOW, id);
        }
        Ok(Json(json!({})))
    })
}

async fn export(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let id = req(&body, "flowId")?;
    let core = app.lock();
    core.store
        .data
        .doc(KIND_FLOW, &id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("No flow has ID {id:?}")))
}

async fn import(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let id = req(&body, "flowId")?;
    let mut flow = obj(&body, "flow");
    flow.insert("id".into(), json!(id));
    flow.entry("dsl").or_insert_with(|| json!({}));
    let screens = body
        .get("screens")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let doc = json!({ "flow": flow, "screens": screens });
    app.tx(|core| {
        core.data().put_doc(KIND_FLOW, &id, doc.clone());
        Ok(Json(doc))
    })
}

/// The output of a run: the stored flow must exist and be enabled, and the tenant (when given)
/// must exist. The output echoes the request.
fn run_output(core: &crate::app::Core, body: &Value) -> ApiResult<(String, Value)> {
    let id = req(body, "flowId")?;
    let flow = core
        .store
        .data
        .doc(KIND_FLOW, &id)
        .ok_or_else(|| ApiError::not_found(format!("No flow has ID {id:?}")))?;
    if b(flow.get("flow").unwrap_or(&Value::Null), "disabled") {
        return Err(ApiError::bad_request(format!(
            "The flow {id:?} is disabled"
        )));
    }
    let tenant = s(body, "tenant");
    if !tenant.is_empty() && !core.store.data.tenants.contains_key(&tenant) {
        return Err(ApiError::bad_request(format!(
            "Tenant {tenant:?} does not exist"
        )));
    }
    let input = match body.get("input") {
        Some(v @ Value::Object(_)) => v.clone(),
        _ => json!({}),
    };
    let output = json!({
        "flowId": id,
        "input": input,
        "tenant": tenant,
        "preview": b(body, "preview"),
    });
    Ok((id, output))
}

async fn run(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let core = app.lock();
    let (_, output) = run_output(&core, &body)?;
    Ok(Json(json!({ "status": "completed", "output": output })))
}

async fn run_async(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    app.tx(|core| {
        let (flow_id, output) = run_output(core, &body)?;
        let execution_id = random_id("EX", 24);
        let doc = json!({
            "executionId": execution_id,
            "flowId": flow_id,
            "status": "completed",
            "output": output,
        });
        core.data().put_doc(KIND_FLOW_EXECUTION, &execution_id, doc);
        Ok(Json(json!({ "executionId": execution_id })))
    })
}

async fn async_result(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let id = req(&body, "executionId")?;
    let core = app.lock();
    core.store
        .data
        .doc(KIND_FLOW_EXECUTION, &id)
        .cloned()
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("No flow execution has ID {id:?}")))
}

fn default_theme() -> Value {
    json!({"id": "theme", "cssTemplate": {}})
}

async fn theme_export(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    mgmt_body(&app, &headers, &body)?;
    let core = app.lock();
    let theme = core
        .store
        .data
        .doc(KIND_THEME, "theme")
        .cloned()
        .unwrap_or_else(default_theme);
    Ok(Json(json!({ "theme": theme })))
}

async fn theme_import(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let mut theme = obj(&body, "theme");
    theme.entry("id").or_insert_with(|| json!("theme"));
    theme.entry("cssTemplate").or_insert_with(|| json!({}));
    let theme = Value::Object(theme);
    app.tx(|core| {
        core.data().put_doc(KIND_THEME, "theme", theme.clone());
        Ok(Json(json!({ "theme": theme })))
    })
}
