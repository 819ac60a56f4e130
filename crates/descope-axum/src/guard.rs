//! Guards: one-line layers that let a request through only with the right session.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use descope_jwt::Session;
use http::Request;
use tower_layer::Layer;
use tower_service::Service;

use crate::layer::LayerContext;
use crate::rejection::{Rejection, RejectionKind};

/// Where a tenant guard finds its tenant.
#[derive(Debug)]
enum Tenant {
    /// This tenant ID.
    Fixed(String),
    /// The value of this path parameter of the route (`/tenants/{tenant}/…`).
    PathParam(String),
}

enum Rule {
    Session,
    Roles(Vec<String>),
    Permissions(Vec<String>),
    TenantRoles(Tenant, Vec<String>),
    TenantPermissions(Tenant, Vec<String>),
    Custom(Box<dyn Fn(&Session) -> bool + Send + Sync>),
}

impl Rule {
    /// The path parameter the rule reads, if any.
    fn path_param(&self) -> Option<&str> {
        match self {
            Self::TenantRoles(Tenant::PathParam(p), _)
            | Self::TenantPermissions(Tenant::PathParam(p), _) => Some(p),
            _ => None,
        }
    }

    /// Whether `s` passes; `path_tenant` is the value of [`Rule::path_param`].
    fn allows(&self, s: &Session, path_tenant: Option<&str>) -> bool {
        let tenant = |t: &Tenant| -> Option<String> {
            match t {
                Tenant::Fixed(id) => Some(id.clone()),
                // An empty segment would mean "project level" to the helpers: refuse it.
                Tenant::PathParam(_) => path_tenant.filter(|v| !v.is_empty()).map(str::to_owned),
            }
        };
        match self {
            Self::Session => true,
            Self::Roles(r) => s.validate_roles(r),
            Self::Permissions(p) => s.validate_permissions(p),
            Self::TenantRoles(t, r) => tenant(t).is_some_and(|t| s.validate_tenant_roles(&t, r)),
            Self::TenantPermissions(t, p) => {
                tenant(t).is_some_and(|t| s.validate_tenant_permissions(&t, p))
            }
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
    guard(Rule::TenantRoles(
        Tenant::Fixed(tenant.into()),
        owned(roles),
    ))
}

/// A guard that asks for every one of `permissions` in tenant `tenant` (the session's
/// `tenants` claim must hold that tenant; project-level permissions do not count).
pub fn require_tenant_permissions<I, T>(tenant: impl Into<String>, permissions: I) -> RequireLayer
where
    I: IntoIterator<Item = T>,
    T: Into<String>,
{
    guard(Rule::TenantPermissions(
        Tenant::Fixed(tenant.into()),
        owned(permissions),
    ))
}

/// Like [`require_tenant_roles`], for the tenant named by the route's path parameter `param`:
/// on `/tenants/{tenant}/settings`, `require_tenant_roles_in_path("tenant", ["owner"])` asks
/// for role `owner` in whichever tenant the URL names.
///
/// A route without that parameter is a setup mistake and answers 500.
pub fn require_tenant_roles_in_path<I, T>(param: impl Into<String>, roles: I) -> RequireLayer
where
    I: IntoIterator<Item = T>,
    T: Into<String>,
{
    guard(Rule::TenantRoles(
        Tenant::PathParam(param.into()),
        owned(roles),
    ))
}

/// Like [`require_tenant_permissions`], for the tenant named by the route's path parameter
/// `param` (see [`require_tenant_roles_in_path`]).
pub fn require_tenant_permissions_in_path<I, T>(
    param: impl Into<String>,
    permissions: I,
) -> RequireLayer
where
    I: IntoIterator<Item = T>,
    T: Into<String>,
{
    guard(Rule::TenantPermissions(
        Tenant::PathParam(param.into()),
        owned(permissions),
    ))
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
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let rule = self.rule.clone();
        Box::pin(async move {
            let (mut parts, body) = req.into_parts();
            let path_tenant = match rule.path_param() {
                None => None,
                Some(name) => {
                    let params = RawPathParams::from_request_parts(&mut parts, &()).await;
                    let value = params.ok().and_then(|p| {
                        p.iter()
                            .find(|(k, _)| *k == name)
                            .map(|(_, v)| v.to_owned())
                    });
                    match value {
                        Some(v) => Some(v),
                        None => return Ok(path_param_missing(name)),
                    }
                }
            };
            let verdict = match parts.extensions.get::<LayerContext>() {
                None => Err(Rejection::new(RejectionKind::LayerMissing).default_response()),
                Some(ctx) => match &ctx.session {
                    None => Err(ctx.shared.reject(ctx.failure)),
                    Some(s) if rule.allows(s, path_tenant.as_deref()) => Ok(()),
                    Some(_) => Err(ctx.shared.reject(RejectionKind::Forbidden)),
                },
            };
            match verdict {
                Err(response) => Ok(response),
                Ok(()) => Ok(inner
                    .call(Request::from_parts(parts, body))
                    .await?
                    .map(Body::new)),
            }
        })
    }
}

/// The 500 of a path-tenant guard on a route without its parameter.
fn path_param_missing(name: &str) -> Response {
    let body = serde_json::json!({
        "error": "internal_error",
        "message": format!(
            "the route has no path parameter {{{name}}} for its tenant guard (a setup mistake)"
        ),
    });
    (http::StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body)).into_response()
}
