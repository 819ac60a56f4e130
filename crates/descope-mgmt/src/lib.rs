//! The Descope management API: tenants, users, access keys, SSO, roles, permissions, groups,
//! flows and themes, JWTs, audit, FGA (and the older ReBAC `authz`), projects and SSO
//! applications.
//!
//! Reach it from the facade with `client.mgmt()`; every call needs a management key
//! (`DESCOPE_MANAGEMENT_KEY` or `ClientBuilder::management_key`) and is refused before
//! anything is sent when there is none.
//!
//! Calls read like the official SDK's README: required arguments are positional, optional ones
//! are chained setters named after the field, then `.await`:
//!
//! ```no_run
//! # async fn run(mgmt: descope_mgmt::Management) -> descope_core::Result<()> {
//! use descope_mgmt::AssociatedTenant;
//! let user = mgmt
//!     .user()
//!     .create("desmond@descope.com")
//!     .email("desmond@descope.com")
//!     .display_name("Desmond Copeland")
//!     .user_tenants([AssociatedTenant::new("my-tenant-id").role_names(["role-name1"])])
//!     .await?;
//! println!("created {}", user.user_id);
//! # Ok(()) }
//! ```
//!
//! Every request value owns a clone of the client (an `Arc`), so it can be built in one place
//! and awaited in another. The wire format (JSON names, `null` versus absent fields) is the
//! official Python SDK's, checked by a replay of its recorded requests.
//!
//! Searches can also be consumed as a stream of pages with `pages()`: user searches page
//! through `limit`/`page` ([`user::UserPages`]); tenant and audit searches, whose API answers
//! every match at once, give a stream of that one page ([`SinglePage`]).
#![deny(missing_docs)]

pub mod access_key;
pub mod audit;
pub mod authz;
mod call;
pub mod fga;
pub mod flow;
pub mod group;
pub mod jwt;
pub mod permission;
pub mod project;
pub mod role;
pub mod sso;
pub mod sso_application;
pub mod tenant;
pub mod types;
pub mod user;

pub use call::{MgmtFuture, MgmtRequest, SinglePage};
pub use types::*;

use descope_jwt::SessionValidator;
use descope_transport::ApiClient;

/// The management API entry point (`client.mgmt()`). Cheap to clone.
#[derive(Debug, Clone)]
pub struct Management {
    api: ApiClient,
    validator: SessionValidator,
}

impl Management {
    /// The management API over `api`; `validator` checks the tokens of the management
    /// sign-in calls. Calls fail before sending when `api`'s configuration has no management
    /// key.
    pub fn new(api: ApiClient, validator: SessionValidator) -> Self {
        Self { api, validator }
    }

    /// Tenants.
    pub fn tenant(&self) -> tenant::Tenants {
        tenant::Tenants::new(self.api.clone())
    }

    /// Users and test users.
    pub fn user(&self) -> user::Users {
        user::Users::new(self.api.clone())
    }

    /// Access keys.
    pub fn access_key(&self) -> access_key::AccessKeys {
        access_key::AccessKeys::new(self.api.clone())
    }

    /// Tenant SSO settings.
    pub fn sso(&self) -> sso::Sso {
        sso::Sso::new(self.api.clone())
    }

    /// Permissions.
    pub fn permission(&self) -> permission::Permissions {
        permission::Permissions::new(self.api.clone())
    }

    /// Roles.
    pub fn role(&self) -> role::Roles {
        role::Roles::new(self.api.clone())
    }

    /// SSO groups (read-only).
    pub fn group(&self) -> group::Groups {
        group::Groups::new(self.api.clone())
    }

    /// Flows and themes.
    pub fn flow(&self) -> flow::Flows {
        flow::Flows::new(self.api.clone())
    }

    /// JWT updates, impersonation and management sign-in.
    pub fn jwt(&self) -> jwt::Jwt {
        jwt::Jwt::new(self.api.clone(), self.validator.clone())
    }

    /// Audit search and custom audit events.
    pub fn audit(&self) -> audit::Audit {
        audit::Audit::new(self.api.clone())
    }

    /// The older ReBAC API (schema, namespaces, relation definitions, relations).
    pub fn authz(&self) -> authz::Authz {
        authz::Authz::new(self.api.clone())
    }

    /// Fine-grained authorization (ReBAC).
    pub fn fga(&self) -> fga::Fga {
        fga::Fga::new(self.api.clone())
    }

    /// The project: name, tags, clone, export and import.
    pub fn project(&self) -> project::Project {
        project::Project::new(self.api.clone())
    }

    /// SSO applications (Descope as identity provider).
    pub fn sso_application(&self) -> sso_application::SsoApplications {
        sso_application::SsoApplications::new(self.api.clone())
    }
}

/// Declares a module handle struct holding the client.
macro_rules! handle {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone)]
        pub struct $name {
            api: ::descope_transport::ApiClient,
        }

        impl $name {
            pub(crate) fn new(api: ::descope_transport::ApiClient) -> Self {
                Self { api }
            }

            #[allow(dead_code)]
            fn req<T: Send + 'static>(
                &self,
                endpoint: &'static ::descope_core::Endpoint,
                decode: fn(::descope_transport::ApiResponse) -> ::descope_core::Result<T>,
            ) -> $crate::call::MgmtRequest<T> {
                $crate::call::MgmtRequest::new(&self.api, endpoint, decode)
            }
        }
    };
}
pub(crate) use handle;
