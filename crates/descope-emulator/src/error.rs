//! Errors as the Descope API returns them: a status and a JSON body with `errorCode`,
//! `errorDescription` and `errorMessage`.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to a client.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The Descope-style error code (`E...`).
    pub code: &'static str,
    /// The short description of the error class.
    pub description: &'static str,
    /// The human readable detail.
    pub message: String,
    /// Seconds for a `Retry-After` header (429 only).
    pub retry_after: Option<u64>,
}

impl ApiError {
    fn new(
        status: StatusCode,
        code: &'static str,
        description: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            description,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 400: the request is malformed or misses a field.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "E011003",
            "Request is invalid",
            message,
        )
    }

    /// 400: a password does not satisfy the policy.
    pub fn weak_password(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "E062909",
            "Password does not meet the policy",
            message,
        )
    }

    /// 401: the credentials (management key, refresh token, access key, password) are wrong.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "E061301", "Unauthorized", message)
    }

    /// 401: a one-time code or link token is wrong, used or expired.
    pub fn bad_code(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "E061102",
            "Wrong or expired code",
            message,
        )
    }

    /// 401: an enchanted link session that is not verified yet.
    pub fn pending() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "E062503",
            "Pending session",
            "The enchanted link has not been verified yet",
        )
    }

    /// 403: the caller is known but not allowed (disabled user or key).
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "E062107", "Forbidden", message)
    }

    /// 404: the user, tenant, role or key does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "E062108", "Not found", message)
    }

    /// 409: the login ID, tenant, role or permission already exists.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "E062109", "Already exists", message)
    }

    /// 429: the per-minute request budget is spent.
    pub fn rate_limited(retry_after: u64) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "E130429",
            "API rate limit exceeded",
            format!("Too many requests, retry in {retry_after} seconds"),
        );
        e.retry_after = Some(retry_after);
        e
    }

    /// 501: the emulator has no such endpoint.
    pub fn not_implemented(method: &str, path: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "E000501",
            "Not implemented by the emulator",
            format!("The Descope emulator does not implement {method} {path}"),
        )
    }

    /// 500: the emulator failed (for example its store).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "E000500",
            "Internal error",
            message,
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "errorCode": self.code,
            "errorDescription": self.description,
            "errorMessage": self.message,
        });
        let mut resp = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                resp.headers_mut().insert("retry-after", v);
            }
        }
        resp
    }
}

/// The result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;
