//! Why a request was turned away, and the response that says so.

use std::fmt;
use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};

/// Why a request was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RejectionKind {
    /// No session token and no refresh token came with the request (401).
    MissingSession,
    /// A token came, but it is not valid (bad signature, wrong project, malformed, …) and no
    /// refresh made a new session (401).
    InvalidSession,
    /// The session expired and no refresh made a new one (401).
    ExpiredSession,
    /// The session is valid but lacks a role, permission or tenant a guard asks for (403).
    Forbidden,
    /// An extractor or guard ran where no [`DescopeLayer`](crate::DescopeLayer) did: a
    /// mistake in the app's setup (500).
    LayerMissing,
}

impl RejectionKind {
    /// The HTTP status answered by default.
    pub fn status(self) -> StatusCode {
        match self {
            Self::MissingSession | Self::InvalidSession | Self::ExpiredSession => {
                StatusCode::UNAUTHORIZED
            }
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::LayerMissing => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The short code of the default JSON body's `error` field.
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingSession | Self::InvalidSession | Self::ExpiredSession => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::LayerMissing => "internal_error",
        }
    }

    /// A short text for the default JSON body's `message` field. It names no token, claim or
    /// role, so it tells a caller nothing about the app's access rules.
    pub fn message(self) -> &'static str {
        match self {
            Self::MissingSession => "sign in first: no session came with the request",
            Self::InvalidSession => "the session is not valid; sign in again",
            Self::ExpiredSession => "the session expired; sign in again",
            Self::Forbidden => "the session does not grant access to this resource",
            Self::LayerMissing => {
                "the server's session layer is not installed (add DescopeLayer around the routes)"
            }
        }
    }
}

/// A request turned away by the layer, an extractor or a guard. Give a function of it to
/// [`DescopeLayer::on_rejection`](crate::DescopeLayer::on_rejection) to answer in your own
/// way (an HTML page, a redirect to the sign-in page, …).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rejection {
    /// Why.
    pub kind: RejectionKind,
}

impl Rejection {
    pub(crate) fn new(kind: RejectionKind) -> Self {
        Self { kind }
    }

    /// The HTTP status of the default response.
    pub fn status(&self) -> StatusCode {
        self.kind.status()
    }

    /// The default response: the status and a small JSON body
    /// `{"error":"unauthorized","message":"…"}` (`forbidden` for 403), with
    /// `WWW-Authenticate: Bearer` on a 401.
    pub fn default_response(&self) -> Response {
        let body = serde_json::json!({
            "error": self.kind.code(),
            "message": self.kind.message(),
        });
        let mut res = (self.status(), axum::Json(body)).into_response();
        if self.status() == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.kind.message(), self.status())
    }
}

/// A user-supplied rejection responder.
pub(crate) type Responder = Arc<dyn Fn(&Rejection) -> Response + Send + Sync>;

/// The response for `rejection`: the app's responder when it gave one, else the default.
pub(crate) fn respond(responder: Option<&Responder>, rejection: &Rejection) -> Response {
    match responder {
        Some(f) => f(rejection),
        None => rejection.default_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthorized_and_forbidden_map_to_401_and_403() {
        for k in [
            RejectionKind::MissingSession,
            RejectionKind::InvalidSession,
            RejectionKind::ExpiredSession,
        ] {
            assert_eq!(k.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(k.code(), "unauthorized");
        }
        assert_eq!(RejectionKind::Forbidden.status(), StatusCode::FORBIDDEN);
        assert_eq!(RejectionKind::Forbidden.code(), "forbidden");
    }

    #[test]
    fn a_401_carries_www_authenticate_and_a_403_does_not() {
        let r = Rejection::new(RejectionKind::MissingSession).default_response();
        assert_eq!(r.headers()[header::WWW_AUTHENTICATE], "Bearer");
        let r = Rejection::new(RejectionKind::Forbidden).default_response();
        assert!(r.headers().get(header::WWW_AUTHENTICATE).is_none());
    }
}
