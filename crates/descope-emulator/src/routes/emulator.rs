//! Emulator-only endpoints under `/emulator`: the outbox, key rotation, health.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::keys::{generate_key, load_key};
use crate::util::*;

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/emulator/health", get(health))
        .route("/emulator/outbox", get(outbox).delete(clear_outbox))
        .route("/emulator/keys/rotate", post(rotate))
        .route("/emulator/verify", get(verify_page))
}

async fn health(State(app): State<Arc<App>>) -> Json<Value> {
    Json(json!({"status": "ok", "projectId": app.project_id}))
}

/// `GET /emulator/outbox[?loginId=..]`: the codes and links "sent", oldest first.
async fn outbox(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let login_id = s(&Value::Object(q), "loginId");
    let core = app.lock();
    let list: Vec<&crate::OutboxMessage> = core
        .eph
        .outbox
        .iter()
        .filter(|m| login_id.is_empty() || m.login_id == login_id)
        .collect();
    Ok(Json(json!({ "messages": list })))
}

async fn clear_outbox(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    app.lock().eph.outbox.clear();
    Ok(Json(json!({})))
}

/// `POST /emulator/keys/rotate`: a new signing key; the old one stays in the JWKS for the grace period.
async fn rotate(State(app): State<Arc<App>>, headers: HeaderMap) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let kid = rotate_keys(&app).await?;
    Ok(Json(
        json!({ "kid": kid, "graceSeconds": app.settings.key_grace }),
    ))
}

/// Makes a new signing key and retires the current one; returns the new key ID.
pub async fn rotate_keys(app: &App) -> ApiResult<String> {
    let t = now();
    let rec = tokio::task::spawn_blocking(move || generate_key(t))
        .await
        .map_err(|e| ApiError::internal(format!("key generation task failed: {e}")))?
        .map_err(ApiError::internal)?;
    let loaded = load_key(&rec).map_err(ApiError::internal)?;
    app.tx(|core| {
        let mut records = core.store.data.signing_keys.clone();
        for r in records.iter_mut() {
            if r.retired.is_none() {
                r.retired = Some(t);
            }
        }
        for k in core.keys.keys.iter_mut() {
            if k.retired.is_none() {
                k.retired = Some(t);
            }
        }
        records.push(rec.clone());
        core.data().put_signing_keys(records);
        core.keys.keys.push(loaded);
        Ok(rec.kid.clone())
    })
}

/// The default landing page of links sent without a redirect URL.
async fn verify_page(Query(q): Query<Map<String, Value>>) -> String {
    format!(
        "Descope emulator link. Pass this token to magiclink/enchantedlink verify: {}\n",
        s(&Value::Object(q), "t")
    )
}
