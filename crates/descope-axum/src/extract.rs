//! Extractors: [`DescopeSession`] (required) and [`MaybeSession`] (public pages).

use std::fmt;
use std::ops::Deref;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::response::{IntoResponse, Response};
use descope_jwt::Session;
use http::request::Parts;

use crate::layer::LayerContext;
use crate::rejection::{Rejection, RejectionKind};

/// The validated session of the request, as [`DescopeLayer`](crate::DescopeLayer) found it.
///
/// Extracting it is the way a handler gets a session: only the layer puts one where this
/// extractor looks, and only after validating it (or renewing it). Without a valid session the
/// handler does not run and the client gets a 401 (or the layer's custom rejection).
///
/// `Option<DescopeSession>` never rejects (it is `None` without a session), for pages that
/// serve everyone but greet signed-in users; so does [`MaybeSession`].
///
/// Derefs to [`Session`]: `session.user_id()`, `session.roles()`,
/// `session.validate_tenant_permissions(..)`, `session.custom_claims::<T>()`, ….
#[derive(Clone)]
pub struct DescopeSession(Session);

impl DescopeSession {
    /// The session.
    pub fn session(&self) -> &Session {
        &self.0
    }

    /// The session, by value.
    pub fn into_inner(self) -> Session {
        self.0
    }
}

impl Deref for DescopeSession {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.0
    }
}

impl fmt::Debug for DescopeSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DescopeSession").field(&self.0).finish()
    }
}

/// The response given when [`DescopeSession`] cannot be extracted: 401 (no valid session), or
/// 500 when no [`DescopeLayer`](crate::DescopeLayer) runs in front of the handler. Uses the
/// layer's [`on_rejection`](crate::DescopeLayer::on_rejection) responder when it has one.
pub struct SessionRejection {
    rejection: Rejection,
    response: Response,
}

impl SessionRejection {
    /// Why.
    pub fn rejection(&self) -> &Rejection {
        &self.rejection
    }
}

impl fmt::Debug for SessionRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionRejection")
            .field("rejection", &self.rejection)
            .finish_non_exhaustive()
    }
}

impl IntoResponse for SessionRejection {
    fn into_response(self) -> Response {
        self.response
    }
}

fn layer_missing() -> SessionRejection {
    let rejection = Rejection::new(RejectionKind::LayerMissing);
    SessionRejection {
        response: rejection.default_response(),
        rejection,
    }
}

impl<S: Send + Sync> FromRequestParts<S> for DescopeSession {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(ctx) = parts.extensions.get::<LayerContext>() else {
            return Err(layer_missing());
        };
        match &ctx.session {
            Some(s) => Ok(Self(s.clone())),
            None => Err(SessionRejection {
                rejection: Rejection::new(ctx.failure),
                response: ctx.shared.reject(ctx.failure),
            }),
        }
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for DescopeSession {
    type Rejection = SessionRejection;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        match parts.extensions.get::<LayerContext>() {
            Some(ctx) => Ok(ctx.session.clone().map(Self)),
            None => Err(layer_missing()),
        }
    }
}

/// The validated session [`DescopeLayer`](crate::DescopeLayer) put into these request
/// extensions, if any: for services that are not axum handlers (tonic, hyper), which read
/// `request.extensions()`.
pub fn session(extensions: &http::Extensions) -> Option<&Session> {
    extensions
        .get::<LayerContext>()
        .and_then(|ctx| ctx.session.as_ref())
}

/// The session when there is a valid one, else `None`; never rejects a request that passed
/// through [`DescopeLayer`](crate::DescopeLayer). For public pages.
#[derive(Clone, Debug)]
pub struct MaybeSession(pub Option<Session>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeSession {
    type Rejection = SessionRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<LayerContext>() {
            Some(ctx) => Ok(Self(ctx.session.clone())),
            None => Err(layer_missing()),
        }
    }
}
