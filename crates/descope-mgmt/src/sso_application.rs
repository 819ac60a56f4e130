//! SSO applications: Descope as an identity provider (`client.mgmt().sso_application()`).

use descope_core::endpoints as ep;
use descope_core::{Error, Result, Secret};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::call::{builder, field, json, setters, unit, Body, MgmtRequest};
use crate::types::{Extra, JsonObject};

crate::handle!(
    /// SSO application management.
    SsoApplications
);

/// A SAML attribute sent to the application (`{"name", "type", "value"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SamlIdpAttributeMapping {
    /// The attribute name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub attribute_type: String,
    /// The value expression.
    pub value: String,
}

impl SamlIdpAttributeMapping {
    /// A mapping.
    pub fn new(
        name: impl Into<String>,
        attribute_type: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            attribute_type: attribute_type.into(),
            value: value.into(),
        }
    }
}

/// A role in a group mapping (`{"id", "name"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SamlIdpRoleGroupMapping {
    /// Role ID.
    pub id: String,
    /// Role name.
    pub name: String,
}

impl SamlIdpRoleGroupMapping {
    /// A role.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: name.into(),
        }
    }
}

/// A SAML group attribute (`{"name", "type", "filterType", "value", "roles"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct SamlIdpGroupsMapping {
    /// The attribute name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub attribute_type: String,
    /// The filter type.
    pub filter_type: String,
    /// The filter value.
    pub value: String,
    /// The roles.
    pub roles: Vec<SamlIdpRoleGroupMapping>,
}

impl SamlIdpGroupsMapping {
    /// A group mapping.
    pub fn new(
        name: impl Into<String>,
        attribute_type: impl Into<String>,
        filter_type: impl Into<String>,
        value: impl Into<String>,
        roles: Vec<SamlIdpRoleGroupMapping>,
    ) -> Self {
        Self {
            name: name.into(),
            attribute_type: attribute_type.into(),
            filter_type: filter_type.into(),
            value: value.into(),
            roles,
        }
    }
}

/// An SSO application.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[non_exhaustive]
pub struct SsoApplication {
    /// Application ID.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Whether it is enabled.
    pub enabled: bool,
    /// Logo URL.
    pub logo: String,
    /// `saml`, `oidc` or `wsfed`.
    pub app_type: String,
    /// SAML settings (as the API sends them).
    pub saml_settings: JsonObject,
    /// OIDC settings (as the API sends them).
    pub oidc_settings: JsonObject,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extra,
}

fn app_id(resp: descope_transport::ApiResponse) -> Result<String> {
    field(&resp, "id")
}

fn secret(resp: descope_transport::ApiResponse) -> Result<Secret> {
    field::<String>(&resp, "cleartext").map(Secret::new)
}

builder!(
    /// `create_oidc_application` / `update_oidc_application`: await the ID (create) or `()`.
    OidcApplication -> String
);
setters!(OidcApplication {
    /// Description.
    description: str => "description",
    /// Logo URL.
    logo: str => "logo",
    /// Enabled (default true).
    enabled: bool => "enabled",
    /// Force authentication on every sign-in.
    force_authentication: bool => "forceAuthentication",
});

builder!(
    /// `create_saml_application` / `update_saml_application`: await the ID (create) or `""`.
    SamlApplication -> String
);
setters!(SamlApplication {
    /// Description.
    description: str => "description",
    /// Logo URL.
    logo: str => "logo",
    /// Enabled (default true).
    enabled: bool => "enabled",
    /// Read the SP's details from `metadata_url`.
    use_metadata_info: bool => "useMetadataInfo",
    /// The SP metadata URL.
    metadata_url: str => "metadataUrl",
    /// The SP entity ID.
    entity_id: str => "entityId",
    /// The SP ACS URL.
    acs_url: str => "acsUrl",
    /// The SP certificate.
    certificate: str => "certificate",
    /// Allowed ACS callbacks.
    acs_allowed_callbacks: strs => "acsAllowedCallbacks",
    /// Subject NameID type (empty: user ID; `email`, `phone`).
    subject_name_id_type: str => "subjectNameIdType",
    /// Subject NameID format.
    subject_name_id_format: str => "subjectNameIdFormat",
    /// Default relay state.
    default_relay_state: str => "defaultRelayState",
    /// Force authentication on every sign-in.
    force_authentication: bool => "forceAuthentication",
    /// Where to go after logout.
    logout_redirect_url: str => "logoutRedirectUrl",
    /// Default signature algorithm.
    default_signature_algorithm: str => "defaultSignatureAlgorithm",
});

impl SamlApplication {
    /// Attribute mapping.
    pub fn attribute_mapping(self, m: impl IntoIterator<Item = SamlIdpAttributeMapping>) -> Self {
        self.set("attributeMapping", m.into_iter().collect::<Vec<_>>())
    }

    /// Groups mapping.
    pub fn groups_mapping(self, m: impl IntoIterator<Item = SamlIdpGroupsMapping>) -> Self {
        self.set("groupsMapping", m.into_iter().collect::<Vec<_>>())
    }
}

builder!(
    /// `create_wsfed_application` / `update_wsfed_application`.
    WsFedApplication -> String
);
setters!(WsFedApplication {
    /// Description.
    description: str => "description",
    /// Logo URL.
    logo: str => "logo",
    /// Enabled (default true).
    enabled: bool => "enabled",
    /// Allowed reply callbacks.
    reply_allowed_callbacks: strs => "replyAllowedCallbacks",
    /// Force authentication on every sign-in.
    force_authentication: bool => "forceAuthentication",
    /// Where to go after logout.
    logout_redirect_url: str => "logoutRedirectUrl",
    /// Where to go after an error.
    error_redirect_url: str => "errorRedirectUrl",
});

impl WsFedApplication {
    /// Attribute mapping.
    pub fn attribute_mapping(self, m: impl IntoIterator<Item = SamlIdpAttributeMapping>) -> Self {
        self.set("attributeMapping", m.into_iter().collect::<Vec<_>>())
    }

    /// Groups mapping.
    pub fn groups_mapping(self, m: impl IntoIterator<Item = SamlIdpGroupsMapping>) -> Self {
        self.set("groupsMapping", m.into_iter().collect::<Vec<_>>())
    }
}

fn check_saml(body: &Map<String, Value>) -> Result<()> {
    let filled = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    let metadata = body
        .get("useMetadataInfo")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if metadata {
        if !filled("metadataUrl") {
            return Err(Error::invalid_argument("metadata_url argument must be set"));
        }
    } else if !(filled("entityId") && filled("acsUrl") && filled("certificate")) {
        return Err(Error::invalid_argument(
            "entity_id, acs_url, certificate arguments must be set",
        ));
    }
    Ok(())
}

fn decode_unit_as_empty(_: descope_transport::ApiResponse) -> Result<String> {
    Ok(String::new())
}

impl SsoApplications {
    fn oidc(
        &self,
        endpoint: &'static descope_core::Endpoint,
        decode: fn(descope_transport::ApiResponse) -> Result<String>,
        id: Option<String>,
        name: String,
        login_page_url: String,
    ) -> OidcApplication {
        OidcApplication::wrap(
            self.req(endpoint, decode)
                .set("name", name)
                .set("id", id)
                .set("description", Value::Null)
                .set("logo", Value::Null)
                .set("enabled", true)
                .set("loginPageUrl", login_page_url)
                .set("forceAuthentication", false),
        )
    }

    /// Creates an OIDC application; await its ID.
    pub fn create_oidc_application(
        &self,
        name: impl Into<String>,
        login_page_url: impl Into<String>,
        id: Option<&str>,
    ) -> OidcApplication {
        self.oidc(
            &ep::MGMT_SSO_APP_OIDC_CREATE,
            app_id,
            id.map(str::to_owned),
            name.into(),
            login_page_url.into(),
        )
    }

    /// Replaces an OIDC application; await `""`.
    pub fn update_oidc_application(
        &self,
        id: impl Into<String>,
        name: impl Into<String>,
        login_page_url: impl Into<String>,
    ) -> OidcApplication {
        self.oidc(
            &ep::MGMT_SSO_APP_OIDC_UPDATE,
            decode_unit_as_empty,
            Some(id.into()),
            name.into(),
            login_page_url.into(),
        )
    }

    fn saml(
        &self,
        endpoint: &'static descope_core::Endpoint,
        decode: fn(descope_transport::ApiResponse) -> Result<String>,
        id: Option<String>,
        name: String,
        login_page_url: String,
    ) -> SamlApplication {
        SamlApplication::wrap(
            self.req(endpoint, decode)
                .set("id", id)
                .set("name", name)
                .set("description", Value::Null)
                .set("enabled", true)
                .set("logo", Value::Null)
                .set("loginPageUrl", login_page_url)
                .set("useMetadataInfo", false)
                .set("metadataUrl", Value::Null)
                .set("entityId", Value::Null)
                .set("acsUrl", Value::Null)
                .set("certificate", Value::Null)
                .set("attributeMapping", Vec::<Value>::new())
                .set("groupsMapping", Vec::<Value>::new())
                .set("acsAllowedCallbacks", Vec::<String>::new())
                .set("subjectNameIdType", Value::Null)
                .set("subjectNameIdFormat", Value::Null)
                .set("defaultRelayState", Value::Null)
                .set("forceAuthentication", false)
                .set("logoutRedirectUrl", Value::Null)
                .set("defaultSignatureAlgorithm", Value::Null)
                .check(check_saml),
        )
    }

    /// Creates a SAML application; await its ID. Needs either `use_metadata_info(true)` with a
    /// `metadata_url`, or `entity_id`, `acs_url` and `certificate` (checked before sending).
    pub fn create_saml_application(
        &self,
        name: impl Into<String>,
        login_page_url: impl Into<String>,
        id: Option<&str>,
    ) -> SamlApplication {
        self.saml(
            &ep::MGMT_SSO_APP_SAML_CREATE,
            app_id,
            id.map(str::to_owned),
            name.into(),
            login_page_url.into(),
        )
    }

    /// Replaces a SAML application (same checks as create); await `""`.
    pub fn update_saml_application(
        &self,
        id: impl Into<String>,
        name: impl Into<String>,
        login_page_url: impl Into<String>,
    ) -> SamlApplication {
        self.saml(
            &ep::MGMT_SSO_APP_SAML_UPDATE,
            decode_unit_as_empty,
            Some(id.into()),
            name.into(),
            login_page_url.into(),
        )
    }

    fn wsfed(
        &self,
        endpoint: &'static descope_core::Endpoint,
        decode: fn(descope_transport::ApiResponse) -> Result<String>,
        id: Option<String>,
        name: String,
        login_page_url: String,
        (realm, reply_url): (String, String),
    ) -> WsFedApplication {
        WsFedApplication::wrap(
            self.req(endpoint, decode)
                .set("id", id)
                .set("name", name)
                .set("description", Value::Null)
                .set("enabled", true)
                .set("logo", Value::Null)
                .set("loginPageUrl", login_page_url)
                .set("realm", realm)
                .set("replyUrl", reply_url)
                .set("replyAllowedCallbacks", Vec::<String>::new())
                .set("attributeMapping", Vec::<Value>::new())
                .set("groupsMapping", Vec::<Value>::new())
                .set("forceAuthentication", false)
                .set("logoutRedirectUrl", Value::Null)
                .set("errorRedirectUrl", Value::Null),
        )
    }

    /// Creates a WS-Federation application; await its ID.
    pub fn create_wsfed_application(
        &self,
        name: impl Into<String>,
        login_page_url: impl Into<String>,
        realm: impl Into<String>,
        reply_url: impl Into<String>,
        id: Option<&str>,
    ) -> WsFedApplication {
        self.wsfed(
            &ep::MGMT_SSO_APP_WSFED_CREATE,
            app_id,
            id.map(str::to_owned),
            name.into(),
            login_page_url.into(),
            (realm.into(), reply_url.into()),
        )
    }

    /// Replaces a WS-Federation application; await `""`.
    pub fn update_wsfed_application(
        &self,
        id: impl Into<String>,
        name: impl Into<String>,
        login_page_url: impl Into<String>,
        realm: impl Into<String>,
        reply_url: impl Into<String>,
    ) -> WsFedApplication {
        self.wsfed(
            &ep::MGMT_SSO_APP_WSFED_UPDATE,
            decode_unit_as_empty,
            Some(id.into()),
            name.into(),
            login_page_url.into(),
            (realm.into(), reply_url.into()),
        )
    }

    /// Deletes an application.
    pub fn delete(&self, id: impl Into<String>) -> MgmtRequest<()> {
        self.req(&ep::MGMT_SSO_APP_DELETE, unit)
            .set("id", id.into())
    }

    /// Loads an application.
    pub fn load(&self, id: impl Into<String>) -> MgmtRequest<SsoApplication> {
        self.req(&ep::MGMT_SSO_APP_LOAD, json)
            .body(Body::None)
            .query("id", id)
    }

    /// Loads every application.
    pub fn load_all(&self) -> MgmtRequest<Vec<SsoApplication>> {
        self.req(&ep::MGMT_SSO_APP_LOAD_ALL, |r| field(&r, "apps"))
            .body(Body::None)
    }

    /// The application's OIDC client secret.
    pub fn get_application_secret(&self, id: impl Into<String>) -> MgmtRequest<Secret> {
        self.req(&ep::MGMT_SSO_APP_SECRET, secret)
            .body(Body::None)
            .query("id", id)
    }

    /// Rotates the application's OIDC client secret; await the new one.
    pub fn rotate_application_secret(&self, id: impl Into<String>) -> MgmtRequest<Secret> {
        self.req(&ep::MGMT_SSO_APP_ROTATE, secret)
            .set("id", id.into())
    }
}
