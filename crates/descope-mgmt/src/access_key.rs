//! Access keys (`client.mgmt().access_key()`).

use descope_core::endpoints as ep;
use descope_core::{Result, Secret};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::call::{builder, field, setters, strings, unit, Body, MgmtRequest};
use crate::types::{AssociatedTenant, Extra, JsonObject};

crate::handle!(
    /// Access-key management.
    AccessKeys
);

/// An access key (never its secret).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct AccessKey {
    /// The key ID.
    pub id: String,
    /// The name.
    pub name: String,
    /// Project roles.
    pub role_names: Vec<String>,
    /// Tenant roles.
    pub key_tenants: Vec<AssociatedTenant>,
    /// `active` or `inactive`.
    pub status: String,
    /// Creation time, seconds since the Unix epoch.
    pub created_time: i64,
    /// Expiry, seconds since the Unix epoch (0: never).
    pub expire_time: i64,
    /// Who created it.
    pub created_by: String,
    /// The client ID.
    pub client_id: String,
    /// The user the key acts for.
    pub bound_user_id: String,
    /// Custom claims added to its JWTs.
    pub custom_claims: JsonObject,
    /// Description.
    pub description: String,
    /// IPs or CIDRs allowed to use it.
    pub permitted_ips: Vec<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A newly created (or rotated) access key with its cleartext, returned only this once.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreatedAccessKey {
    /// The key.
    pub key: AccessKey,
    /// The secret to hand to the key's user. Keep it: it cannot be loaded again.
    pub cleartext: Secret,
}

#[derive(Deserialize)]
struct CreatedWire {
    #[serde(default)]
    key: AccessKey,
    #[serde(default)]
    cleartext: String,
}

fn created(resp: descope_transport::ApiResponse) -> Result<CreatedAccessKey> {
    let w: CreatedWire = resp.json()?;
    Ok(CreatedAccessKey {
        key: w.key,
        cleartext: Secret::new(w.cleartext),
    })
}

fn rotated(resp: descope_transport::ApiResponse) -> Result<Secret> {
    field::<String>(&resp, "cleartext").map(Secret::new)
}

builder!(
    /// `create`: await the key and its cleartext.
    CreateAccessKey -> CreatedAccessKey
);
setters!(CreateAccessKey {
    /// Expiry, seconds since the Unix epoch (0: never).
    expire_time: int => "expireTime",
    /// Project roles.
    role_names: strs => "roleNames",
    /// The user the key acts for.
    user_id: str => "userId",
    /// Custom claims added to its JWTs.
    custom_claims: attrs => "customClaims",
    /// Description.
    description: str => "description",
    /// IPs or CIDRs allowed to use it.
    permitted_ips: strs => "permittedIps",
    /// Custom attributes.
    custom_attributes: attrs => "customAttributes",
});

impl CreateAccessKey {
    /// Tenant roles.
    pub fn key_tenants(self, tenants: impl IntoIterator<Item = AssociatedTenant>) -> Self {
        self.set("keyTenants", tenants.into_iter().collect::<Vec<_>>())
    }
}

builder!(
    /// `update`.
    UpdateAccessKey -> ()
);
setters!(UpdateAccessKey {
    /// Description.
    description: str => "description",
    /// Custom claims.
    custom_claims: attrs => "customClaims",
    /// IPs or CIDRs allowed to use it.
    permitted_ips: strs => "permittedIps",
    /// Custom attributes.
    custom_attributes: attrs => "customAttributes",
});

builder!(
    /// `search_all_access_keys`.
    SearchAccessKeys -> Vec<AccessKey>
);
setters!(SearchAccessKeys {
    /// Keys of any of these tenants.
    tenant_ids: strs => "tenantIds",
    /// Keys bound to this user.
    bound_user_id: str => "boundUserId",
    /// Keys created by this user.
    creating_user: str => "creatingUser",
    /// Keys with these custom attribute values.
    custom_attributes: attrs => "customAttributes",
});

impl AccessKeys {
    /// Creates an access key; the cleartext is in the answer, once.
    pub fn create(&self, name: impl Into<String>) -> CreateAccessKey {
        CreateAccessKey::wrap(
            self.req(&ep::MGMT_ACCESSKEY_CREATE, created)
                .set("name", name.into())
                .set("expireTime", 0)
                .set("roleNames", Vec::<String>::new())
                .set("keyTenants", Vec::<AssociatedTenant>::new())
                .set("userId", Value::Null)
                .set("customClaims", Value::Null)
                .set("description", Value::Null)
                .set("permittedIps", Value::Null)
                .set("customAttributes", Value::Null),
        )
    }

    /// Loads an access key.
    pub fn load(&self, id: impl Into<String>) -> MgmtRequest<AccessKey> {
        self.req(&ep::MGMT_ACCESSKEY_LOAD, |r| field(&r, "key"))
            .body(Body::None)
            .query("id", id)
    }

    /// Searches access keys.
    pub fn search_all_access_keys(&self) -> SearchAccessKeys {
        SearchAccessKeys::wrap(
            self.req(&ep::MGMT_ACCESSKEY_SEARCH, |r| field(&r, "keys"))
                .set("tenantIds", Vec::<String>::new())
                .set("boundUserId", Value::Null)
                .set("creatingUser", Value::Null)
                .set("customAttributes", Value::Null),
        )
    }

    /// Renames an access key (and, with the setters, changes more).
    pub fn update(&self, id: impl Into<String>, name: impl Into<String>) -> UpdateAccessKey {
        UpdateAccessKey::wrap(
            self.req(&ep::MGMT_ACCESSKEY_UPDATE, unit)
                .set("id", id.into())
                .set("name", name.into()),
        )
    }

    fn by_id(&self, endpoint: &'static descope_core::Endpoint, id: String) -> MgmtRequest<()> {
        self.req(endpoint, unit).set("id", id)
    }

    fn by_ids(
        &self,
        endpoint: &'static descope_core::Endpoint,
        ids: Vec<String>,
    ) -> MgmtRequest<()> {
        self.req(endpoint, unit).set("ids", ids)
    }

    /// Activates an access key.
    pub fn activate(&self, id: impl Into<String>) -> MgmtRequest<()> {
        self.by_id(&ep::MGMT_ACCESSKEY_ACTIVATE, id.into())
    }

    /// Deactivates an access key.
    pub fn deactivate(&self, id: impl Into<String>) -> MgmtRequest<()> {
        self.by_id(&ep::MGMT_ACCESSKEY_DEACTIVATE, id.into())
    }

    /// Deletes an access key.
    pub fn delete(&self, id: impl Into<String>) -> MgmtRequest<()> {
        self.by_id(&ep::MGMT_ACCESSKEY_DELETE, id.into())
    }

    /// Activates several access keys.
    pub fn activate_batch<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        ids: I,
    ) -> MgmtRequest<()> {
        self.by_ids(&ep::MGMT_ACCESSKEY_ACTIVATE_BATCH, strings(ids))
    }

    /// Deactivates several access keys.
    pub fn deactivate_batch<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        ids: I,
    ) -> MgmtRequest<()> {
        self.by_ids(&ep::MGMT_ACCESSKEY_DEACTIVATE_BATCH, strings(ids))
    }

    /// Deletes several access keys.
    pub fn delete_batch<I: IntoIterator<Item = S>, S: Into<String>>(
        &self,
        ids: I,
    ) -> MgmtRequest<()> {
        self.by_ids(&ep::MGMT_ACCESSKEY_DELETE_BATCH, strings(ids))
    }

    /// Rotates an access key's secret; await the new cleartext (returned once).
    pub fn rotate(&self, id: impl Into<String>) -> MgmtRequest<Secret> {
        self.req(&ep::MGMT_ACCESSKEY_ROTATE, rotated)
            .set("id", id.into())
    }
}
