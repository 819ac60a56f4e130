//! The HTTP surface: auth flows, management, and emulator-only endpoints.

pub mod emulator;
pub mod mgmt_apps;
pub mod mgmt_audit;
pub mod mgmt_authz;
pub mod mgmt_export;
pub mod mgmt_fga;
pub mod mgmt_flow;
pub mod mgmt_jwt;
pub mod mgmt_misc;
pub mod mgmt_project;
pub mod mgmt_sso;
pub mod mgmt_user;
pub mod oauth;
pub mod password;
pub mod passwordless;
pub mod session;
pub mod webauthn;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::app::App;
use crate::error::ApiError;
use crate::util::now;

/// The whole router.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .merge(session::routes())
        .merge(passwordless::routes())
        .merge(password::routes())
        .merge(mgmt_user::routes())
        .merge(mgmt_project::routes())
        .merge(mgmt_sso::routes())
        .merge(mgmt_flow::routes())
        .merge(mgmt_fga::routes())
        .merge(mgmt_apps::routes())
        .merge(mgmt_audit::routes())
        .merge(mgmt_authz::routes())
        .merge(mgmt_jwt::routes())
        .merge(mgmt_export::routes())
        .merge(mgmt_misc::routes())
        .merge(oauth::routes())
        .merge(webauthn::routes())
        .merge(emulator::routes())
        .fallback(not_implemented)
        .method_not_allowed_fallback(not_implemented)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            mgmt_audit::record,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            rate_limit,
        ))
        .with_state(app)
}

async fn not_implemented(req: Request) -> Response {
    ApiError::not_implemented(req.method().as_str(), req.uri().path()).into_response()
}

/// Checks the project ID of the bearer on API calls, then applies a fixed one-minute rate-limit
/// window (emulator endpoints and the JWKS are exempt from both).
async fn rate_limit(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let api = path.starts_with("/v1/") || path.starts_with("/v2/mgmt/");
    if api {
        if let Err(e) = app.bearer(req.headers()) {
            return e.into_response();
        }
    }
    if let Some(limit) = app.settings.rate_limit_per_minute {
        if !req.uri().path().starts_with("/emulator/") {
            let t = now();
            let mut w = app.rate.lock().unwrap_or_else(|e| e.into_inner());
            if t - w.0 >= 60 {
                *w = (t, 0);
            }
            if w.1 >= limit {
                let retry = (60 - (t - w.0)).max(1) as u64;
                return ApiError::rate_limited(retry).into_response();
            }
            w.1 += 1;
        }
    }
    next.run(req).await
}
