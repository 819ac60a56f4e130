//! Permissions (`client.mgmt().permission()`).

use descope_core::endpoints as ep;
use serde::{Deserialize, Serialize};

use crate::call::{field, strings, unit, Body, MgmtRequest};
use crate::types::{Extra, JsonObject};

crate::handle!(
    /// Permission management.
    Permissions
);

/// A permission.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct Permission {
    /// The name.
    pub name: String,
    /// The description.
    pub description: String,
    /// Whether Descope created it.
    pub system_default: bool,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Permissions {
    /// Creates a permission.
    pub fn create(&self, name: impl Into<String>, description: Option<&str>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_PERMISSION_CREATE, unit)
            .set("name", name.into())
            .set("description", description)
    }

    /// Renames a permission and replaces its description.
    pub fn update(
        &self,
        name: impl Into<String>,
        new_name: impl Into<String>,
        description: Option<&str>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_PERMISSION_UPDATE, unit)
            .set("name", name.into())
            .set("newName", new_name.into())
            .set("description", description)
    }

    /// Renames a permission by ID and replaces its description.
    pub fn update_by_id(
        &self,
        id: impl Into<String>,
        new_name: impl Into<String>,
        description: Option<&str>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_PERMISSION_UPDATE, unit)
            .set("id", id.into())
            .set("newName", new_name.into())
            .set("description", description)
    }

    /// Deletes a permission.
    pub fn delete(&self, name: impl Into<String>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_PERMISSION_DELETE, unit)
            .set("name", name.into())
    }

    /// Deletes a permission by ID.
    pub fn delete_by_id(&self, id: impl Into<String>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_PERMISSION_DELETE, unit)
            .set("id", id.into())
    }

    /// Loads every permission.
    pub fn load_all(&self) -> MgmtRequest<Vec<Permission>> {
        self.req(&ep::MGMT_PERMISSION_LOAD_ALL, |r| field(&r, "permissions"))
            .body(Body::None)
    }

    /// Creates several permissions (`{"name", "description"?}` objects).
    pub fn create_batch(
        &self,
        permissions: impl IntoIterator<Item = JsonObject>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_PERMISSION_CREATE_BATCH, unit)
            .set("permissions", permissions.into_iter().collect::<Vec<_>>())
    }

    /// Updates several permissions (`{"name", "newName", "description"?}` objects).
    pub fn update_batch(
        &self,
        permissions: impl IntoIterator<Item = JsonObject>,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_PERMISSION_UPDATE_BATCH, unit)
            .set("permissions", permissions.into_iter().collect::<Vec<_>>())
    }

    /// Deletes several permissions by name.
    pub fn delete_batch<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        names: I,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_PERMISSION_DELETE_BATCH, unit)
            .set("names", strings(names))
    }

    /// Deletes several permissions by ID.
    pub fn delete_batch_by_ids<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        ids: I,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_PERMISSION_DELETE_BATCH, unit)
            .set("ids", strings(ids))
    }
}
