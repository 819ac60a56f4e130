//! Tenant SSO settings (`client.mgmt().sso()`).

use std::collections::BTreeMap;

use descope_core::endpoints as ep;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::call::{builder, json, setters, unit, Body, MgmtRequest};
use crate::types::{Extra, JsonObject};

crate::handle!(
    /// SSO settings of tenants.
    Sso
);

/// Maps IdP groups to a Descope role (`{"groups", "roleName"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct RoleMapping {
    /// IdP group names.
    pub groups: Vec<String>,
    /// The Descope role given to members of those groups.
    pub role_name: String,
}

impl RoleMapping {
    /// Members of `groups` get `role_name`.
    pub fn new<I, S>(groups: I, role_name: impl Into<String>) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            groups: crate::call::strings(groups),
            role_name: role_name.into(),
        }
    }
}

/// SAML attribute mapping: which IdP attribute fills each user field. Every key is sent,
/// `null` when unset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct AttributeMapping {
    /// Name attribute.
    pub name: Option<String>,
    /// Email attribute.
    pub email: Option<String>,
    /// Phone attribute.
    pub phone_number: Option<String>,
    /// Group attribute.
    pub group: Option<String>,
    /// Given name attribute.
    pub given_name: Option<String>,
    /// Middle name attribute.
    pub middle_name: Option<String>,
    /// Family name attribute.
    pub family_name: Option<String>,
    /// Picture attribute.
    pub picture: Option<String>,
    /// Custom attributes: Descope attribute → IdP attribute.
    pub custom_attributes: Option<BTreeMap<String, String>>,
}

/// OIDC attribute mapping: which IdP claim fills each user field (all required).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct OidcAttributeMapping {
    /// Login ID claim.
    pub login_id: String,
    /// Name claim.
    pub name: String,
    /// Given name claim.
    pub given_name: String,
    /// Middle name claim.
    pub middle_name: String,
    /// Family name claim.
    pub family_name: String,
    /// Email claim.
    pub email: String,
    /// Verified-email claim.
    pub verified_email: String,
    /// Username claim.
    pub username: String,
    /// Phone claim.
    pub phone_number: String,
    /// Verified-phone claim.
    pub verified_phone: String,
    /// Picture claim.
    pub picture: String,
}

/// One FGA relation granted to members of a group (`{"resource", "relationDefinition",
/// "namespace"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct FgaGroupMappingRelation {
    /// The resource.
    pub resource: String,
    /// The relation.
    pub relation_definition: String,
    /// The resource type.
    pub namespace: String,
}

impl FgaGroupMappingRelation {
    /// A relation.
    pub fn new(
        resource: impl Into<String>,
        relation: impl Into<String>,
        namespace: impl Into<String>,
    ) -> Self {
        Self {
            resource: resource.into(),
            relation_definition: relation.into(),
            namespace: namespace.into(),
        }
    }
}

/// The FGA relations of one group (`{"relations": [...]}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct FgaGroupMapping {
    /// The relations.
    pub relations: Vec<FgaGroupMappingRelation>,
}

impl FgaGroupMapping {
    /// A mapping.
    pub fn new(relations: impl IntoIterator<Item = FgaGroupMappingRelation>) -> Self {
        Self {
            relations: relations.into_iter().collect(),
        }
    }
}

/// OIDC settings (`settings` of `configure_oidc_settings`). Note the API's `JWKsUrl` and
/// `userAttrMapping` names. `Debug` hides the client secret.
#[derive(Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SsoOidcSettings {
    /// Provider name.
    pub name: String,
    /// Client ID.
    pub client_id: String,
    /// Client secret.
    pub client_secret: Option<String>,
    /// Redirect URL.
    pub redirect_url: Option<String>,
    /// Authorization URL.
    pub auth_url: Option<String>,
    /// Token URL.
    pub token_url: Option<String>,
    /// User-info URL.
    pub user_data_url: Option<String>,
    /// Scopes.
    pub scope: Option<Vec<String>>,
    /// JWKS URL (sent as `JWKsUrl`).
    #[serde(rename = "JWKsUrl")]
    pub jwks_url: Option<String>,
    /// Attribute mapping (sent as `userAttrMapping`).
    #[serde(rename = "userAttrMapping")]
    pub attribute_mapping: Option<OidcAttributeMapping>,
    /// Keep provider tokens.
    pub manage_provider_tokens: bool,
    /// Callback domain.
    pub callback_domain: Option<String>,
    /// Prompt values.
    pub prompt: Option<Vec<String>>,
    /// Grant type.
    pub grant_type: Option<String>,
    /// Issuer.
    pub issuer: Option<String>,
    /// Group priority order.
    pub groups_priority: Option<Vec<String>>,
    /// FGA relations per group.
    pub fga_mappings: Option<BTreeMap<String, FgaGroupMapping>>,
    /// Use PKCE (sent only when set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_pkce: Option<bool>,
}

impl std::fmt::Debug for SsoOidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoOidcSettings")
            .field("name", &self.name)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("auth_url", &self.auth_url)
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl SsoOidcSettings {
    /// Settings for provider `name` with `client_id`; fill the rest with struct update syntax
    /// or by assigning fields.
    pub fn new(name: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            client_id: client_id.into(),
            ..Self::default()
        }
    }
}

impl std::fmt::Debug for SsoSamlSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoSamlSettings")
            .field("idp_url", &self.idp_url)
            .field("idp_entity_id", &self.idp_entity_id)
            .finish_non_exhaustive()
    }
}

/// SAML settings (`settings` of `configure_saml_settings`).
#[derive(Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SsoSamlSettings {
    /// IdP SSO URL.
    #[serde(rename = "idpUrl")]
    pub idp_url: String,
    /// IdP entity ID (sent as `entityId`).
    #[serde(rename = "entityId")]
    pub idp_entity_id: String,
    /// IdP certificate.
    #[serde(rename = "idpCert")]
    pub idp_cert: String,
    /// More IdP certificates.
    #[serde(rename = "idpAdditionalCerts")]
    pub idp_additional_certs: Option<Vec<String>>,
    /// SP ACS URL (SSO migration only).
    #[serde(rename = "spACSUrl")]
    pub sp_acs_url: Option<String>,
    /// SP entity ID (SSO migration only).
    #[serde(rename = "spEntityId")]
    pub sp_entity_id: Option<String>,
    /// Attribute mapping.
    #[serde(rename = "attributeMapping")]
    pub attribute_mapping: Option<AttributeMapping>,
    /// Role mappings.
    #[serde(rename = "roleMappings")]
    pub role_mappings: Vec<RoleMapping>,
    /// Roles every SSO user gets.
    #[serde(rename = "defaultSSORoles")]
    pub default_sso_roles: Option<Vec<String>>,
    /// Group priority order.
    #[serde(rename = "groupsPriority")]
    pub groups_priority: Option<Vec<String>>,
    /// FGA relations per group.
    #[serde(rename = "fgaMappings")]
    pub fga_mappings: Option<BTreeMap<String, FgaGroupMapping>>,
    /// Prefix of the tenant-ID FGA resource.
    #[serde(rename = "configFGATenantIDResourcePrefix")]
    pub config_fga_tenant_id_resource_prefix: Option<String>,
    /// Suffix of the tenant-ID FGA resource.
    #[serde(rename = "configFGATenantIDResourceSuffix")]
    pub config_fga_tenant_id_resource_suffix: Option<String>,
    /// Do not sign authentication requests.
    #[serde(rename = "disableSignRequest")]
    pub disable_sign_request: bool,
    /// Set when `default_sso_roles` is an empty list: clears the default roles.
    #[serde(
        rename = "replaceDefaultSSORoles",
        skip_serializing_if = "std::ops::Not::not"
    )]
    replace_default_sso_roles: bool,
}

impl SsoSamlSettings {
    /// Settings for an IdP.
    pub fn new(
        idp_url: impl Into<String>,
        idp_entity_id: impl Into<String>,
        idp_cert: impl Into<String>,
    ) -> Self {
        Self {
            idp_url: idp_url.into(),
            idp_entity_id: idp_entity_id.into(),
            idp_cert: idp_cert.into(),
            ..Self::default()
        }
    }

    fn encoded(&self) -> Self {
        let mut s = self.clone();
        s.replace_default_sso_roles = matches!(&s.default_sso_roles, Some(r) if r.is_empty());
        s
    }
}

/// SAML settings read from the IdP's metadata URL.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SsoSamlSettingsByMetadata {
    /// The IdP metadata URL.
    #[serde(rename = "idpMetadataUrl")]
    pub idp_metadata_url: String,
    /// IdP entity ID override (sent as `entityId`).
    #[serde(rename = "entityId")]
    pub idp_entity_id: Option<String>,
    /// SP ACS URL (SSO migration only).
    #[serde(rename = "spACSUrl")]
    pub sp_acs_url: Option<String>,
    /// SP entity ID (SSO migration only).
    #[serde(rename = "spEntityId")]
    pub sp_entity_id: Option<String>,
    /// Attribute mapping.
    #[serde(rename = "attributeMapping")]
    pub attribute_mapping: Option<AttributeMapping>,
    /// Role mappings.
    #[serde(rename = "roleMappings")]
    pub role_mappings: Vec<RoleMapping>,
    /// Roles every SSO user gets.
    #[serde(rename = "defaultSSORoles")]
    pub default_sso_roles: Option<Vec<String>>,
    /// Group priority order.
    #[serde(rename = "groupsPriority")]
    pub groups_priority: Option<Vec<String>>,
    /// FGA relations per group.
    #[serde(rename = "fgaMappings")]
    pub fga_mappings: Option<BTreeMap<String, FgaGroupMapping>>,
    /// Prefix of the tenant-ID FGA resource.
    #[serde(rename = "configFGATenantIDResourcePrefix")]
    pub config_fga_tenant_id_resource_prefix: Option<String>,
    /// Suffix of the tenant-ID FGA resource.
    #[serde(rename = "configFGATenantIDResourceSuffix")]
    pub config_fga_tenant_id_resource_suffix: Option<String>,
    /// Do not sign authentication requests.
    #[serde(rename = "disableSignRequest")]
    pub disable_sign_request: bool,
}

impl SsoSamlSettingsByMetadata {
    /// Settings from a metadata URL.
    pub fn new(idp_metadata_url: impl Into<String>) -> Self {
        Self {
            idp_metadata_url: idp_metadata_url.into(),
            ..Self::default()
        }
    }
}

/// A tenant's SSO settings (`load_settings`): the `tenant`, `saml` and `oidc` parts as the
/// API sends them. `Debug` shows only which fields are present (the OIDC part holds the
/// client secret).
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SsoSettings {
    /// The tenant part.
    pub tenant: JsonObject,
    /// The SAML part.
    pub saml: JsonObject,
    /// The OIDC part.
    pub oidc: JsonObject,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

impl std::fmt::Debug for SsoSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys = |m: &JsonObject| m.keys().cloned().collect::<Vec<_>>();
        f.debug_struct("SsoSettings")
            .field("tenant", &self.tenant.get("id"))
            .field("saml_fields", &keys(&self.saml))
            .field("oidc_fields", &keys(&self.oidc))
            .finish_non_exhaustive()
    }
}

builder!(
    /// `configure_oidc_settings`, `configure_saml_settings`, `configure_saml_settings_by_metadata`.
    ConfigureSso -> ()
);
setters!(ConfigureSso {
    /// Email domains routed to this SSO (`null` or empty clears them).
    domains: strs => "domains",
    /// Redirect URL after SSO (SAML; `""` resets it).
    redirect_url: str => "redirectUrl",
});

builder!(
    /// Calls with an optional `ssoId`.
    WithSsoId -> ()
);
setters!(WithSsoId {
    /// The SSO configuration ID (tenants with several).
    sso_id: str => "ssoId",
    /// SAML redirect URL (`configure_sso_redirect_url`).
    saml_redirect_url: str => "samlRedirectUrl",
    /// OAuth redirect URL (`configure_sso_redirect_url`).
    oauth_redirect_url: str => "oauthRedirectUrl",
});

builder!(
    /// `delete_settings`.
    DeleteSsoSettings -> ()
);

impl DeleteSsoSettings {
    /// The SSO configuration ID (tenants with several).
    pub fn sso_id(mut self, id: impl Into<String>) -> Self {
        self.inner.set_query("ssoId", id);
        self
    }
}

builder!(
    /// `new_settings`.
    NewSsoSettings -> JsonObject
);
setters!(NewSsoSettings {
    /// The new configuration's ID.
    sso_id: str => "ssoId",
});

builder!(
    /// `configure` (deprecated) and `configure_via_metadata` (deprecated).
    ConfigureLegacy -> ()
);
setters!(ConfigureLegacy {
    /// Email domains routed to this SSO.
    domains: strs => "domains",
});

impl Sso {
    /// Loads a tenant's SSO settings.
    pub fn load_settings(&self, tenant_id: impl Into<String>) -> MgmtRequest<SsoSettings> {
        self.req(&ep::MGMT_SSO_SETTINGS_LOAD, json)
            .body(Body::None)
            .query("tenantId", tenant_id)
    }

    /// Loads every SSO configuration of a tenant (the raw answer, `{"SSOSettings": [...]}`).
    pub fn load_all_settings(&self, tenant_id: impl Into<String>) -> MgmtRequest<JsonObject> {
        self.req(&ep::MGMT_SSO_SETTINGS_LOAD_ALL, json)
            .body(Body::None)
            .query("tenantId", tenant_id)
    }

    /// Deletes a tenant's SSO settings.
    pub fn delete_settings(&self, tenant_id: impl Into<String>) -> DeleteSsoSettings {
        DeleteSsoSettings::wrap(
            self.req(&ep::MGMT_SSO_SETTINGS_DELETE, unit)
                .body(Body::None)
                .query("tenantId", tenant_id),
        )
    }

    /// Configures OIDC SSO.
    pub fn configure_oidc_settings(
        &self,
        tenant_id: impl Into<String>,
        settings: SsoOidcSettings,
    ) -> ConfigureSso {
        ConfigureSso::wrap(
            self.req(&ep::MGMT_SSO_OIDC, unit)
                .set("tenantId", tenant_id.into())
                .set("settings", settings)
                .set("domains", Value::Null),
        )
    }

    /// Configures SAML SSO.
    pub fn configure_saml_settings(
        &self,
        tenant_id: impl Into<String>,
        settings: SsoSamlSettings,
    ) -> ConfigureSso {
        ConfigureSso::wrap(
            self.req(&ep::MGMT_SSO_SAML, unit)
                .set("tenantId", tenant_id.into())
                .set("settings", settings.encoded())
                .set("redirectUrl", Value::Null)
                .set("domains", Value::Null),
        )
    }

    /// Configures SAML SSO from the IdP's metadata URL.
    pub fn configure_saml_settings_by_metadata(
        &self,
        tenant_id: impl Into<String>,
        settings: SsoSamlSettingsByMetadata,
    ) -> ConfigureSso {
        ConfigureSso::wrap(
            self.req(&ep::MGMT_SSO_SAML_METADATA, unit)
                .set("tenantId", tenant_id.into())
                .set("settings", settings)
                .set("redirectUrl", Value::Null)
                .set("domains", Value::Null),
        )
    }

    /// Creates a new SSO configuration for a tenant.
    pub fn new_settings(
        &self,
        tenant_id: impl Into<String>,
        display_name: impl Into<String>,
    ) -> NewSsoSettings {
        NewSsoSettings::wrap(
            self.req(&ep::MGMT_SSO_SETTINGS_NEW, json)
                .set("tenantId", tenant_id.into())
                .set("displayName", display_name.into()),
        )
    }

    /// Sets the tenant's SSO type (`saml`, `oidc`).
    pub fn configure_auth_type(
        &self,
        tenant_id: impl Into<String>,
        auth_type: impl Into<String>,
    ) -> WithSsoId {
        WithSsoId::wrap(
            self.req(&ep::MGMT_SSO_AUTH_TYPE, unit)
                .set("tenantId", tenant_id.into())
                .set("authType", auth_type.into()),
        )
    }

    /// Sets the SSO redirect URLs.
    pub fn configure_sso_redirect_url(&self, tenant_id: impl Into<String>) -> WithSsoId {
        WithSsoId::wrap(
            self.req(&ep::MGMT_SSO_REDIRECT, unit)
                .set("tenantId", tenant_id.into()),
        )
    }

    /// Recalculates the SSO group mappings of the tenant's users.
    pub fn recalculate_sso_mappings(&self, tenant_id: impl Into<String>) -> WithSsoId {
        WithSsoId::wrap(
            self.req(&ep::MGMT_SSO_RECALCULATE_MAPPINGS, unit)
                .set("tenantId", tenant_id.into()),
        )
    }

    /// Loads the SAML settings (deprecated: use `load_settings`).
    #[deprecated(note = "use load_settings")]
    pub fn get_settings(&self, tenant_id: impl Into<String>) -> MgmtRequest<JsonObject> {
        self.req(&ep::MGMT_SSO_SETTINGS_GET, json)
            .body(Body::None)
            .query("tenantId", tenant_id)
    }

    /// Configures SAML (deprecated: use `configure_saml_settings`).
    #[deprecated(note = "use configure_saml_settings")]
    pub fn configure(
        &self,
        tenant_id: impl Into<String>,
        idp_url: impl Into<String>,
        entity_id: impl Into<String>,
        idp_cert: impl Into<String>,
        redirect_url: impl Into<String>,
    ) -> ConfigureLegacy {
        ConfigureLegacy::wrap(
            self.req(&ep::MGMT_SSO_SETTINGS_CONFIGURE, unit)
                .set("tenantId", tenant_id.into())
                .set("idpURL", idp_url.into())
                .set("entityId", entity_id.into())
                .set("idpCert", idp_cert.into())
                .set("redirectURL", redirect_url.into())
                .set("domains", Value::Null),
        )
    }

    /// Configures SAML from metadata (deprecated: use `configure_saml_settings_by_metadata`).
    #[deprecated(note = "use configure_saml_settings_by_metadata")]
    pub fn configure_via_metadata(
        &self,
        tenant_id: impl Into<String>,
        idp_metadata_url: impl Into<String>,
        redirect_url: Option<&str>,
    ) -> ConfigureLegacy {
        ConfigureLegacy::wrap(
            self.req(&ep::MGMT_SSO_METADATA, unit)
                .set("tenantId", tenant_id.into())
                .set("idpMetadataURL", idp_metadata_url.into())
                .set("redirectURL", redirect_url)
                .set("domains", Value::Null),
        )
    }

    /// Sets the SAML role and attribute mappings (deprecated: part of the settings now).
    #[deprecated(note = "set the mappings in configure_saml_settings")]
    pub fn mapping(
        &self,
        tenant_id: impl Into<String>,
        role_mappings: Vec<RoleMapping>,
        attribute_mapping: AttributeMapping,
    ) -> MgmtRequest<()> {
        self.req(&ep::MGMT_SSO_MAPPING, unit)
            .set("tenantId", tenant_id.into())
            .set("roleMappings", role_mappings)
            .set("attributeMapping", attribute_mapping)
    }
}
