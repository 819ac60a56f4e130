//! Guards: one-line layers that let a request through only with the right session.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use descope_jwt::Session;
use http::Request;
use tower_layer::Layer;
use tower_service::Service;

use crate::layer::LayerContext;
use crate::rejection::{Rejection, RejectionKind};

enum Rule {
    Session,
    Roles(Vec<String>),
    Permissions(Vec<String>),
    TenantRoles(String, Vec<String>),
    TenantPermissions(String, Vec<String>),
    Custom(Box<dyn Fn(&Session) -> bool + Send + Sync>),
}

impl Rule {
    fn allows(&self, s: &Session) -> bool {
        match self {
            Self::Session => true,
            Self::Roles(r) => s.validate_roles(r),
            Self::Permissions(p) => s.validate_permissions(p),
            Self::TenantRoles(t, r) => s.validate_tenant_roles(t, r),
            Self::TenantPermissions(t, p) => s.validate_tenant_permissions(t, p),
            Self::Custom(f) => f(s),
        }
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Session => f.write_str("Session"),
            Self::Roles(r) => f.debug_tuple("Roles").field(r).finish(),
            Self::Permissions(p) => f.debug_tuple("Permissions").field(p).finish(),
            Self::TenantRoles(t, r) => f.debug_tuple("TenantRoles").field(t).field(r).finish(),
            Self::TenantPermissions(t, p) => f
                .debug_tuple("TenantPermissions")
                .field(t)
                .field(p)
                .finish(),
            Self::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

/// A guard: a layer that lets a request through only when the session
/// [`DescopeLayer`](crate::DescopeLayer) found satisfies a rule. Without a valid session it
/// answers 401, with a session that fails the rule 403 (or the layer's custom rejection).
///
/// Put it on a route or a router with `route_layer`, inside the `DescopeLayer`:
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use descope_axum::{require_roles, require_tenant_permissions, DescopeLayer};
///
/// # async fn h() {}
/// # fn app(client: descope::Client) -> Router {
/// Router::new()
///     .route("/admin", get(h).route_layer(require_roles(["admin"])))
///     .route("/acme/reports", get(h).route_layer(require_tenant_permissions("acme", ["reports.read"])))
///     .layer(DescopeLayer::new(client))
/// # }
/// ```
#[derive(Clone)]
pub struct RequireLayer {
    rule: Arc<Rule>,
}

impl fmt::Debug for RequireLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RequireLayer").field(&self.rule).finish()
    }
}

fn owned<I, T>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = T>,
    T: Into<String>,
{
    items.into_iter().map(Into::into).collect()
}

fn guard(rule: Rule) -> RequireLayer {
    RequireLayer {
        rule: Arc::new(rule),
    }
}

/// A guard that asks for a valid session and nothing more.
pub fn require_session() -> RequireLayer {
    guard(Rule::Session)
}

/// A guard that asks for every one of `roles` at project level (tenant roles do not count).
pub fn require_roles<I, T>(roles: I) -> RequireLayer
where
    I: IntoIterator<Item = T>,
    T: Into<String>,
{
    guard(Rule::Roles(owned(roles)))
}

/// A guard that asks for every one of `permissions` at project level (tenant permissions do
/// not count).
pub fn require_permissions<I, T>(permissions: I) -> RequireLayer
where
    I: IntoIterator<Item = T>,
    T: Into<String>,
{
    guard(Rule::Permissions(owned(permissions)))
}

/// A guard that asks for every one of `roles` in tenant `tenant` (the session's `tenants`
/// claim must hold that tenant; project-level roles do not count).
pub fn require_tenant_roles<I, T>(tenant: impl Into<String>, roles: I) -> RequireLayer
where
    I: IntoIterator<Item = T>,
    T: Into<String>,
{
    guard(Rule::TenantRoles(tenant.into(), owned(roles)))
}

/// A guard that asks for every one of `permissions` in tenant `tenant` (the session's
/// `tenants` claim must hold that tenant; project-level permissions do not count).
pub fn require_tenant_permissions<I, T>(tenant: impl Into<String>, permissions: I) -> RequireLayer
where
    I: IntoIterator<Item = T>,
    T: Into<String>,
{
    guard(Rule::TenantPermissions(tenant.into(), owned(permissions)))
}

/// A guard with a rule of your own, such as "the selected tenant is one of these".
pub fn require<F>(rule: F) -> RequireLayer
where
    F: Fn(&Session) -> bool + Send + Sync + 'static,
{
    guard(Rule::Custom(Box::new(rule)))
}

impl<S> Layer<S> for RequireLayer {
    type Service = RequireService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireService {
            inner,
            rule: self.rule.clone(),
        }
    }
}

/// The service a [`RequireLayer`] wraps around yours.
#[derive(Clone)]
pub struct RequireService<S> {
    inner: S,
    rule: Arc<Rule>,
}

impl<S> fmt::Debug for RequireService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequireService")
            .field("rule", &self.rule)
            .finish_non_exhaustive()
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

impl<S, B, ResBody> Service<Request<B>> for RequireService<S>
where
    S: Service<Request<B>, Response = http::Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    B: Send + 'static,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        let verdict = match req.extensions().get::<LayerContext>() {
            None => Err(Rejection::new(RejectionKind::LayerMissing).default_response()),
            Some(ctx) => match &ctx.session {
                None => Err(ctx.shared.reject(ctx.failure)),
                Some(s) if self.rule.allows(s) => Ok(()),
                Some(_) => Err(ctx.shared.reject(RejectionKind::Forbidden)),
            },
        };
        match verdict {
            Err(response) => Box::pin(std::future::ready(Ok(response))),
            Ok(()) => {
                let ready = self.inner.clone();
                let mut inner = std::mem::replace(&mut self.inner, ready);
                Box::pin(async move { Ok(inner.call(req).await?.map(Body::new)) })
            }
        }
    }
}
