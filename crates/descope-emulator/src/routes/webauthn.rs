//! WebAuthn (passkeys): not emulated. Every `/v1/auth/webauthn/…` call answers 501 with a
//! message that says what is missing and what to use instead.

use std::sync::Arc;

use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::any;
use axum::Router;

use crate::app::App;
use crate::error::ApiError;

/// What a WebAuthn call is told.
pub const MESSAGE: &str = "The Descope emulator does not implement WebAuthn (passkeys): it has \
     no credential store and does not check authenticator attestations or assertions, so \
     /v1/auth/webauthn/* (sign-up, sign-in, sign-up-or-in and update, start and finish) cannot \
     succeed. Test passkeys against a real Descope project; against the emulator, sign users \
     in with OTP, magic link, enchanted link, password, TOTP, OAuth or SSO.";

pub fn routes() -> Router<Arc<App>> {
    Router::new().route("/v1/auth/webauthn/{*rest}", any(not_emulated))
}

async fn not_emulated(Path(rest): Path<String>) -> ApiError {
    ApiError {
        status: StatusCode::NOT_IMPLEMENTED,
        code: "E000501",
        description: "Not implemented by the emulator",
        message: format!("{MESSAGE} (called: /v1/auth/webauthn/{rest})"),
        retry_after: None,
    }
}
