//! SSO groups, read-only (`client.mgmt().group()`).

use descope_core::endpoints as ep;
use serde::{Deserialize, Serialize};

use crate::call::{builder, json, setters, strings};
use crate::types::Extra;

crate::handle!(
    /// SSO groups synchronised from tenants' identity providers.
    Groups
);

/// A member of a group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct GroupMember {
    /// Login ID.
    pub login_id: String,
    /// User ID.
    pub user_id: String,
    /// Display name.
    pub display: String,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An SSO group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct Group {
    /// Group ID.
    pub id: String,
    /// Display name.
    pub display: String,
    /// Members.
    pub members: Vec<GroupMember>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

builder!(
    /// A group query; await the groups.
    LoadGroups -> Vec<Group>
);
setters!(LoadGroups {
    /// The SSO configuration ID (tenants with several).
    sso_id: str => "ssoId",
});

impl Groups {
    /// Every group of a tenant.
    pub fn load_all_groups(&self, tenant_id: impl Into<String>) -> LoadGroups {
        LoadGroups::wrap(
            self.req(&ep::MGMT_GROUP_LOAD_ALL, json)
                .set("tenantId", tenant_id.into()),
        )
    }

    /// The groups of some members (by user ID or login ID).
    pub fn load_all_groups_for_members<I, S, J, T>(
        &self,
        tenant_id: impl Into<String>,
        user_ids: I,
        login_ids: J,
    ) -> LoadGroups
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
        J: IntoIterator<Item = T>,
        T: Into<String>,
    {
        LoadGroups::wrap(
            self.req(&ep::MGMT_GROUP_LOAD_FOR_MEMBERS, json)
                .set("tenantId", tenant_id.into())
                .set("loginIds", strings(login_ids))
                .set("userIds", strings(user_ids)),
        )
    }

    /// One group with its members.
    pub fn load_all_group_members(
        &self,
        tenant_id: impl Into<String>,
        group_id: impl Into<String>,
    ) -> LoadGroups {
        LoadGroups::wrap(
            self.req(&ep::MGMT_GROUP_MEMBERS, json)
                .set("tenantId", tenant_id.into())
                .set("groupId", group_id.into()),
        )
    }
}
