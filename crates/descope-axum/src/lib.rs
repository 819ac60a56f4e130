//! # descope-axum
//!
//! Protect web apps with [Descope](https://www.descope.com) sessions: a
//! [`tower`](https://docs.rs/tower) layer that serves axum, tonic and hyper alike, axum
//! extractors, one-line role and tenant guards, and a router with the sign-in and logout routes.
//!
//! ```no_run
//! use axum::{routing::get, Router};
//! use descope_axum::{
//!     auth_routes, require_roles, require_tenant_permissions, DescopeLayer, DescopeSession,
//!     MaybeSession,
//! };
//!
//! async fn home(MaybeSession(session): MaybeSession) -> String {
//!     match session {
//!         Some(s) => format!("hello {}", s.user_id()),
//!         None => "hello, stranger".to_owned(),
//!     }
//! }
//!
//! async fn profile(session: DescopeSession) -> String {
//!     format!("you are {} with roles {:?}", session.user_id(), session.roles())
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = descope::Client::from_env()?;
//! let app = Router::new()
//!     .route("/admin", get(profile).route_layer(require_roles(["admin"])))
//!     .route(
//!         "/acme/reports",
//!         get(profile).route_layer(require_tenant_permissions("acme", ["reports.read"])),
//!     )
//!     .route("/profile", get(profile))
//!     .route("/", get(home))
//!     .nest("/auth", auth_routes(client.clone()))
//!     .layer(DescopeLayer::new(client));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```
//!
//! ## What answers what
//!
//! | request | answer |
//! | --- | --- |
//! | no token at all, reaching [`DescopeSession`] or a guard | 401 `{"error":"unauthorized",…}` |
//! | a bad or expired session token and no usable refresh token | 401 |
//! | an expired session token and a valid `DSR` cookie | the handler runs with the renewed session; the response sets the new `DS` cookie |
//! | only a `DSR` cookie, and the renewal fails | 401: a refresh token alone is never a session |
//! | a valid session without the role, permission or tenant a guard asks for | 403 `{"error":"forbidden",…}` |
//! | [`MaybeSession`] / `Option<DescopeSession>` without a session | the handler runs with `None` |
//!
//! Every rejection can be replaced by your own response with
//! [`DescopeLayer::on_rejection`].
//!
//! ## Cost
//!
//! A valid session costs no network call: the project's keys are fetched once and cached, and
//! a token seen before is answered from the validator's verified-token cache. Only a renewal
//! (an expired session) calls Descope.
#![deny(missing_docs)]

mod cookies;
mod extract;
mod guard;
mod layer;
mod rejection;
mod routes;

pub use cookie::SameSite;
pub use cookies::CookieOptions;
pub use descope_jwt::Session;
pub use extract::{session, DescopeSession, MaybeSession, SessionRejection};
pub use guard::{
    require, require_permissions, require_roles, require_session, require_tenant_permissions,
    require_tenant_permissions_in_path, require_tenant_roles, require_tenant_roles_in_path,
    RequireLayer, RequireService,
};
pub use layer::{DescopeLayer, DescopeService};
pub use rejection::{Rejection, RejectionKind};
pub use routes::{auth_routes, AuthRoutes};
