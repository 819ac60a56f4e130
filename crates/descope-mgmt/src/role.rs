//! Roles (`client.mgmt().role()`).

use descope_core::endpoints as ep;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::call::{builder, field, setters, strings, unit, Body, MgmtRequest};
use crate::types::{Extra, JsonObject};

crate::handle!(
    /// Role management.
    Roles
);

/// A role.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct Role {
    /// The role ID.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The name.
    pub name: String,
    /// The description.
    pub description: String,
    /// Permissions granted by the role.
    pub permission_names: Vec<String>,
    /// The tenant the role belongs to (empty: project-wide).
    pub tenant_id: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A role named in a batch delete: a name, optionally with its tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoleRef {
    /// The role name.
    pub name: String,
    /// The role's tenant.
    pub tenant_id: Option<String>,
}

impl RoleRef {
    /// A project-wide role.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            tenant_id: None,
        }
    }

    /// A tenant role.
    pub fn in_tenant(name: impl Into<String>, tenant_id: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            tenant_id: Some(tenant_id.into()),
        }
    }
}

impl From<&str> for RoleRef {
    fn from(name: &str) -> Self {
        Self::new(name)
    }
}

impl From<String> for RoleRef {
    fn from(name: String) -> Self {
        Self::new(name)
    }
}

builder!(
    /// `create`.
    CreateRole -> ()
);
builder!(
    /// `update` / `update_by_id`: a full override.
    UpdateRole -> ()
);

macro_rules! role_fields {
    ($name:ident) => {
        setters!($name {
            /// Description.
            description: str => "description",
            /// Permissions the role grants.
            permission_names: strs => "permissionNames",
            /// The tenant the role belongs to (unset: project-wide).
            tenant_id: str => "tenantId",
            /// Give the role to new users by default.
            default: bool => "default",
            /// Hide the role from tenant admins.
            private: bool => "private",
        });
    };
}
role_fields!(CreateRole);
role_fields!(UpdateRole);

builder!(
    /// `search`.
    SearchRoles -> Vec<Role>
);
setters!(SearchRoles {
    /// Roles of these tenants.
    tenant_ids: strs => "tenantIds",
    /// Roles with these names.
    role_names: strs => "roleNames",
    /// Roles whose name contains this text (case-insensitive).
    role_name_like: str => "roleNameLike",
    /// Roles granting any of these permissions.
    permission_names: strs => "permissionNames",
    /// Also return project-wide roles.
    include_project_roles: bool => "includeProjectRoles",
    /// Roles with these IDs.
    role_ids: strs => "roleIds",
});

fn role_defaults<T: Send + 'static>(req: MgmtRequest<T>) -> MgmtRequest<T> {
    req.set("description", Value::Null)
        .set("permissionNames", Vec::<String>::new())
        .set("tenantId", Value::Null)
        .set("default", Value::Null)
        .set("private", Value::Null)
}

impl Roles {
    /// Creates a role.
    pub fn create(&self, name: impl Into<String>) -> CreateRole {
        CreateRole::wrap(role_defaults(
            self.req(&ep::MGMT_ROLE_CREATE, unit)
                .set("name", name.into()),
        ))
    }

    /// Renames a role and replaces its fields.
    pub fn update(&self, name: impl Into<String>, new_name: impl Into<String>) -> UpdateRole {
        UpdateRole::wrap(role_defaults(
            self.req(&ep::MGMT_ROLE_UPDATE, unit)
                .set("name", name.into())
                .set("newName", new_name.into()),
        ))
    }

    /// Renames a role by ID and replaces its fields.
    pub fn update_by_id(&self, id: impl Into<String>, new_name: impl Into<String>) -> UpdateRole {
        UpdateRole::wrap(role_defaults(
            self.req(&ep::MGMT_ROLE_UPDATE, unit)
                .set("id", id.into())
                .set("newName", new_name.into()),
        ))
    }

    /// Deletes a role (of a tenant, or project-wide with `None`).
    pub fn delete(&self, name: impl Into<String>, tenant_id: Option<&str>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_ROLE_DELETE, unit)
            .set("name", name.into())
            .set("tenantId", tenant_id)
    }

    /// Deletes a role by ID.
    pub fn delete_by_id(&self, id: impl Into<String>, tenant_id: Option<&str>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_ROLE_DELETE, unit)
            .set("id", id.into())
            .set("tenantId", tenant_id)
    }

    /// Loads every role.
    pub fn load_all(&self) -> MgmtRequest<Vec<Role>> {
        self.req(&ep::MGMT_ROLE_LOAD_ALL, |r| field(&r, "roles"))
            .body(Body::None)
    }

    /// Searches roles (every filter optional).
    pub fn search(&self) -> SearchRoles {
        SearchRoles::wrap(self.req(&ep::MGMT_ROLE_SEARCH, |r| field(&r, "roles")))
    }

    /// Creates several roles (`{"name", "description"?, "permissionNames"?, "tenantId"?}`).
    pub fn create_batch(&self, roles: impl IntoIterator<Item = JsonObject>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_ROLE_CREATE_BATCH, unit)
            .set("roles", roles.into_iter().collect::<Vec<_>>())
    }

    /// Updates several roles (`{"name", "newName", …}`).
    pub fn update_batch(&self, roles: impl IntoIterator<Item = JsonObject>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_ROLE_UPDATE_BATCH, unit)
            .set("roles", roles.into_iter().collect::<Vec<_>>())
    }

    /// Deletes several roles of one tenant (or project-wide ones). Refused before sending when
    /// the list is empty, a name is empty, or the roles belong to different tenants.
    pub fn delete_batch<I, R>(&self, roles: I, tenant_id: Option<&str>) -> MgmtRequest<()>
    where
        I: IntoIterator<Item = R>,
        R: Into<RoleRef>,
    {
        let roles: Vec<RoleRef> = roles.into_iter().map(Into::into).collect();
        let mut tenant = tenant_id.map(str::to_owned);
        let mut mixed = false;
        for r in &roles {
            if let Some(t) = &r.tenant_id {
                match &tenant {
                    Some(existing) if existing != t => mixed = true,
                    Some(_) => {}
                    None => tenant = Some(t.clone()),
                }
            }
        }
        let names: Vec<String> = roles.iter().map(|r| r.name.clone()).collect();
        let req = self.req(&ep::MGMT_ROLE_DELETE_BATCH, unit);
        let req = match (roles.is_empty(), names.iter().any(String::is_empty), mixed) {
            (true, _, _) => req.refuse_if(true, "roles list cannot be empty"),
            (_, true, _) => req.refuse_if(
                true,
                "roles must be role names or dicts with a \"name\" key",
            ),
            (_, _, true) => req.refuse_if(
                true,
                "all roles in a batch delete must belong to the same tenant",
            ),
            _ => req,
        };
        req.set("roleNames", names).set("tenantId", tenant)
    }

    /// Deletes several roles by ID (at least one).
    pub fn delete_batch_by_ids<I, S>(&self, role_ids: I, tenant_id: Option<&str>) -> MgmtRequest<()>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids = strings(role_ids);
        let empty = ids.is_empty();
        self.req(&ep::MGMT_ROLE_DELETE_BATCH, unit)
            .refuse_if(empty, "role_ids list cannot be empty")
            .set("roleIds", ids)
            .set("tenantId", tenant_id)
    }
}
