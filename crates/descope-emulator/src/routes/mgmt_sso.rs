//! Management: tenant SSO settings (SAML, SAML by metadata, OIDC, the deprecated calls) and the
//! SSO groups read from them.
//!
//! One document per tenant and SSO configuration (kind [`KIND_SSO`], ID `tenantId` or
//! `tenantId\nssoId`), already in the shape `GET /v2/mgmt/sso/settings` answers:
//! `{tenantId, ssoId, displayName, authType, domains, saml: {...}, oidc: {...}}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use crate::app::{App, Core};
use crate::error::{ApiError, ApiResult};
use crate::model::RoleRecord;
use crate::store::Data;
use crate::util::*;

/// Store kind of SSO configurations.
pub const KIND_SSO: &str = "x.sso";

pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/v2/mgmt/sso/settings", get(load_v2))
        .route("/v2/mgmt/sso/settings/all", get(load_all))
        .route(
            "/v1/mgmt/sso/settings",
            get(load_v1).post(configure_legacy).delete(delete_settings),
        )
        .route("/v1/mgmt/sso/saml", post(configure_saml))
        .route("/v1/mgmt/sso/saml/metadata", post(configure_saml_metadata))
        .route("/v1/mgmt/sso/oidc", post(configure_oidc))
        .route("/v1/mgmt/sso/metadata", post(configure_metadata_legacy))
        .route("/v1/mgmt/sso/mapping", post(mapping_legacy))
        .route("/v1/mgmt/sso/settings/new", post(new_settings))
        .route("/v1/mgmt/sso/settings/authtype", post(auth_type))
        .route("/v1/mgmt/sso/redirect", post(redirect))
        .route("/v1/mgmt/sso/recalculate-mappings", post(recalculate))
        .route("/v1/mgmt/group/all", post(groups_all))
        .route("/v1/mgmt/group/member/all", post(groups_for_members))
        .route("/v1/mgmt/group/members", post(group_members))
}

/// The store ID of a tenant's SSO configuration.
fn sso_key(tenant: &str, sso_id: &str) -> String {
    if sso_id.is_empty() {
        tenant.to_string()
    } else {
        format!("{tenant}\n{sso_id}")
    }
}

/// The SSO configuration of a tenant (the default one when `sso_id` is empty), in the shape
/// described at the top of this module. Other modules (SSO sign-in) read it from here.
pub fn sso_config<'a>(data: &'a Data, tenant: &str, sso_id: &str) -> Option<&'a Value> {
    data.doc(KIND_SSO, &sso_key(tenant, sso_id))
}

/// A tenant as the API returns it, with `authType` and `domains` from its SSO settings.
pub fn tenant_api(data: &Data, t: &crate::model::TenantRecord) -> Value {
    let mut v = t.to_api();
    if let Some(cfg) = sso_config(data, &t.id, "") {
        v["authType"] = json!(s(cfg, "authType"));
        v["domains"] = json!(strs(cfg, "domains"));
    }
    v
}

/// Checks the management key and parses the body.
pub fn mgmt_body(app: &App, headers: &HeaderMap, body: &[u8]) -> ApiResult<Value> {
    app.require_mgmt(headers)?;
    parse_body(body)
}

fn empty_saml() -> Value {
    json!({
        "idpEntityId": "", "idpSSOUrl": "", "idpCertificate": "", "idpMetadataUrl": "",
        "spEntityId": "", "spACSUrl": "", "spCertificate": "",
        "attributeMapping": attribute_mapping(&Value::Null),
        "groupsMapping": [], "redirectUrl": "",
    })
}

fn empty_oidc() -> Value {
    json!({
        "name": "", "clientId": "", "clientSecret": "", "redirectUrl": "", "authUrl": "",
        "tokenUrl": "", "userDataUrl": "", "scope": [], "JWKsUrl": "",
        "userAttrMapping": {}, "manageProviderTokens": false, "callbackDomain": "",
        "prompt": [], "grantType": "", "issuer": "",
    })
}

/// A SAML attribute mapping as `load_settings` shows it.
fn attribute_mapping(m: &Value) -> Value {
    json!({
        "name": s(m, "name"),
        "email": s(m, "email"),
        "username": s(m, "username"),
        "phoneNumber": s(m, "phoneNumber"),
        "group": s(m, "group"),
        "givenName": s(m, "givenName"),
        "middleName": s(m, "middleName"),
        "familyName": s(m, "familyName"),
        "picture": s(m, "picture"),
        "customAttributes": obj(m, "customAttributes"),
    })
}

/// `roleMappings: [{groups, roleName}]` → `groupsMapping: [{role: {id, name}, groups}]`,
/// checking that each role exists (project-wide or in the tenant).
fn groups_mapping(data: &Data, tenant: &str, role_mappings: &Value) -> ApiResult<Vec<Value>> {
    let mut out = Vec::new();
    for m in role_mappings
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        let role = s(m, "roleName");
        if role.is_empty() {
            return Err(ApiError::bad_request("A role mapping needs a roleName"));
        }
        let exists = data.roles.contains_key(&RoleRecord::key("", &role))
            || data.roles.contains_key(&RoleRecord::key(tenant, &role));
        if !exists {
            return Err(ApiError::bad_request(format!(
                "Role {role:?} of the role mapping does not exist"
            )));
        }
        out.push(json!({"role": {"id": role, "name": role}, "groups": strs(m, "groups")}));
    }
    Ok(out)
}

/// The stored configuration of `tenant` (or a fresh one), after checking the tenant exists.
fn current(core: &Core, tenant: &str, sso_id: &str) -> ApiResult<Value> {
    if tenant.is_empty() {
        return Err(ApiError::bad_request("The tenantId field is required"));
    }
    if !core.store.data.tenants.contains_key(tenant) {
        return Err(ApiError::not_found(format!("No tenant has ID {tenant:?}")));
    }
    let mut cfg = sso_config(&core.store.data, tenant, sso_id)
        .cloned()
        .filter(Value::is_object)
        .unwrap_or_else(|| {
            json!({
                "tenantId": tenant, "ssoId": sso_id, "displayName": "", "authType": "none",
                "domains": [], "saml": empty_saml(), "oidc": empty_oidc(),
            })
        });
    // Imported documents may be incomplete: every part is an object from here on.
    if !cfg["saml"].is_object() {
        cfg["saml"] = empty_saml();
    }
    if !cfg["oidc"].is_object() {
        cfg["oidc"] = empty_oidc();
    }
    Ok(cfg)
}

fn save(core: &mut Core, tenant: &str, sso_id: &str, cfg: Value) {
    core.data().put_doc(KIND_SSO, &sso_key(tenant, sso_id), cfg);
}

/// `domains` when the body has the key (`null` or `[]` clears them).
fn apply_domains(cfg: &mut Value, body: &Value) {
    if body.get("domains").is_some() {
        cfg["domains"] = json!(strs(body, "domains"));
    }
}

/// Runs `f` on a tenant's configuration and stores the result.
fn update_config(
    app: &App,
    body: &Value,
    f: impl FnOnce(&Data, &str, &mut Value) -> ApiResult<()>,
) -> ApiResult<Json<Value>> {
    let tenant = s(body, "tenantId");
    let sso_id = s(body, "ssoId");
    app.tx(|core| {
        let mut cfg = current(core, &tenant, &sso_id)?;
        f(&core.store.data, &tenant, &mut cfg)?;
        save(core, &tenant, &sso_id, cfg);
        Ok(Json(json!({})))
    })
}

async fn configure_saml(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let settings = body.get("settings").cloned().unwrap_or(Value::Null);
    update_config(&app, &body, |data, tenant, cfg| {
        let idp_url = s(&settings, "idpUrl");
        if idp_url.is_empty() {
            return Err(ApiError::bad_request("settings.idpUrl is required"));
        }
        let mapping = groups_mapping(
            data,
            tenant,
            settings.get("roleMappings").unwrap_or(&Value::Null),
        )?;
        cfg["saml"] = json!({
            "idpEntityId": s(&settings, "entityId"),
            "idpSSOUrl": idp_url,
            "idpCertificate": s(&settings, "idpCert"),
            "idpAdditionalCertificates": strs(&settings, "idpAdditionalCerts"),
            "idpMetadataUrl": "",
            "spEntityId": s(&settings, "spEntityId"),
            "spACSUrl": s(&settings, "spACSUrl"),
            "spCertificate": "",
            "attributeMapping": attribute_mapping(settings.get("attributeMapping").unwrap_or(&Value::Null)),
            "groupsMapping": mapping,
            "defaultSSORoles": strs(&settings, "defaultSSORoles"),
            "groupsPriority": strs(&settings, "groupsPriority"),
            "redirectUrl": s(&body, "redirectUrl"),
        });
        cfg["authType"] = json!("saml");
        apply_domains(cfg, &body);
        Ok(())
    })
}

async fn configure_saml_metadata(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let settings = body.get("settings").cloned().unwrap_or(Value::Null);
    update_config(&app, &body, |data, tenant, cfg| {
        let url = s(&settings, "idpMetadataUrl");
        if url.is_empty() {
            return Err(ApiError::bad_request("settings.idpMetadataUrl is required"));
        }
        let mapping = groups_mapping(
            data,
            tenant,
            settings.get("roleMappings").unwrap_or(&Value::Null),
        )?;
        let mut saml = empty_saml();
        saml["idpMetadataUrl"] = json!(url);
        saml["idpEntityId"] = json!(s(&settings, "entityId"));
        saml["spEntityId"] = json!(s(&settings, "spEntityId"));
        saml["spACSUrl"] = json!(s(&settings, "spACSUrl"));
        saml["attributeMapping"] =
            attribute_mapping(settings.get("attributeMapping").unwrap_or(&Value::Null));
        saml["groupsMapping"] = json!(mapping);
        saml["redirectUrl"] = json!(s(&body, "redirectUrl"));
        cfg["saml"] = saml;
        cfg["authType"] = json!("saml");
        apply_domains(cfg, &body);
        Ok(())
    })
}

async fn configure_oidc(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let settings = body.get("settings").cloned().unwrap_or(Value::Null);
    update_config(&app, &body, |_, _, cfg| {
        if s(&settings, "clientId").is_empty() {
            return Err(ApiError::bad_request("settings.clientId is required"));
        }
        let mut oidc = empty_oidc();
        if let (Some(dst), Some(src)) = (oidc.as_object_mut(), settings.as_object()) {
            for (k, v) in src {
                if !v.is_null() {
                    dst.insert(k.clone(), v.clone());
                }
            }
        }
        cfg["oidc"] = oidc;
        cfg["authType"] = json!("oidc");
        apply_domains(cfg, &body);
        Ok(())
    })
}

/// Deprecated `POST /v1/mgmt/sso/settings`: `{tenantId, idpURL, entityId, idpCert, redirectURL, domains}`.
async fn configure_legacy(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    update_config(&app, &body, |_, _, cfg| {
        let idp_url = s(&body, "idpURL");
        if idp_url.is_empty() {
            return Err(ApiError::bad_request("The idpURL field is required"));
        }
        cfg["saml"]["idpSSOUrl"] = json!(idp_url);
        cfg["saml"]["idpEntityId"] = json!(s(&body, "entityId"));
        cfg["saml"]["idpCertificate"] = json!(s(&body, "idpCert"));
        cfg["saml"]["redirectUrl"] = json!(s(&body, "redirectURL"));
        cfg["authType"] = json!("saml");
        apply_domains(cfg, &body);
        Ok(())
    })
}

/// Deprecated `POST /v1/mgmt/sso/metadata`: `{tenantId, idpMetadataURL, redirectURL, domains}`.
async fn configure_metadata_legacy(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    update_config(&app, &body, |_, _, cfg| {
        let url = s(&body, "idpMetadataURL");
        if url.is_empty() {
            return Err(ApiError::bad_request(
                "The idpMetadataURL field is required",
            ));
        }
        cfg["saml"]["idpMetadataUrl"] = json!(url);
        cfg["saml"]["redirectUrl"] = json!(s(&body, "redirectURL"));
        cfg["authType"] = json!("saml");
        apply_domains(cfg, &body);
        Ok(())
    })
}

/// Deprecated `POST /v1/mgmt/sso/mapping`: replaces the role and attribute mappings.
async fn mapping_legacy(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    update_config(&app, &body, |data, tenant, cfg| {
        let mapping = groups_mapping(
            data,
            tenant,
            body.get("roleMappings").unwrap_or(&Value::Null),
        )?;
        cfg["saml"]["groupsMapping"] = json!(mapping);
        cfg["saml"]["attributeMapping"] =
            attribute_mapping(body.get("attributeMapping").unwrap_or(&Value::Null));
        Ok(())
    })
}

async fn new_settings(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let tenant = s(&body, "tenantId");
    let sso_id = opt_s(&body, "ssoId")
        .filter(|x| !x.is_empty())
        .unwrap_or_else(|| random_id("SSO", 20));
    app.tx(|core| {
        if sso_config(&core.store.data, &tenant, &sso_id).is_some() {
            return Err(ApiError::conflict(format!(
                "Tenant {tenant:?} already has SSO settings {sso_id:?}"
            )));
        }
        let mut cfg = current(core, &tenant, &sso_id)?;
        cfg["displayName"] = json!(s(&body, "displayName"));
        save(core, &tenant, &sso_id, cfg);
        Ok(Json(json!({"tenant": {"id": tenant}, "ssoId": sso_id})))
    })
}

async fn auth_type(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    update_config(&app, &body, |_, _, cfg| {
        let t = s(&body, "authType");
        if !matches!(t.as_str(), "saml" | "oidc" | "none") {
            return Err(ApiError::bad_request(format!(
                "Unknown authType {t:?}: use saml, oidc or none"
            )));
        }
        cfg["authType"] = json!(t);
        Ok(())
    })
}

async fn redirect(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    update_config(&app, &body, |_, _, cfg| {
        if let Some(u) = opt_s(&body, "samlRedirectUrl") {
            cfg["saml"]["redirectUrl"] = json!(u);
        }
        if let Some(u) = opt_s(&body, "oauthRedirectUrl") {
            cfg["oidc"]["redirectUrl"] = json!(u);
        }
        Ok(())
    })
}

async fn recalculate(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let tenant = s(&body, "tenantId");
    let core = app.lock();
    current(&core, &tenant, &s(&body, "ssoId"))?;
    Ok(Json(json!({})))
}

async fn delete_settings(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let q = Value::Object(q);
    let tenant = s(&q, "tenantId");
    let sso_id = s(&q, "ssoId");
    app.tx(|core| {
        current(core, &tenant, &sso_id)?;
        core.data().remove_doc(KIND_SSO, &sso_key(&tenant, &sso_id));
        Ok(Json(json!({})))
    })
}

/// The `GET /v2/mgmt/sso/settings` answer for a configuration.
fn settings_view(data: &Data, cfg: &Value) -> Value {
    let tenant_id = s(cfg, "tenantId");
    let t = data.tenants.get(&tenant_id);
    json!({
        "tenant": {
            "id": tenant_id,
            "name": t.map(|t| t.name.clone()).unwrap_or_default(),
            "selfProvisioningDomains": t.map(|t| t.self_provisioning_domains.clone()).unwrap_or_default(),
            "customAttributes": t.map(|t| t.custom_attributes.clone()).unwrap_or_default(),
            "authType": s(cfg, "authType"),
            "domains": strs(cfg, "domains"),
        },
        "ssoId": s(cfg, "ssoId"),
        "displayName": s(cfg, "displayName"),
        "saml": cfg.get("saml").cloned().unwrap_or_else(empty_saml),
        "oidc": cfg.get("oidc").cloned().unwrap_or_else(empty_oidc),
    })
}

async fn load_v2(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let q = Value::Object(q);
    let core = app.lock();
    let cfg = current(&core, &s(&q, "tenantId"), &s(&q, "ssoId"))?;
    Ok(Json(settings_view(&core.store.data, &cfg)))
}

async fn load_all(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let tenant = s(&Value::Object(q), "tenantId");
    let core = app.lock();
    current(&core, &tenant, "")?;
    let list: Vec<Value> = core
        .store
        .data
        .docs_of(KIND_SSO)
        .filter(|(_, cfg)| s(cfg, "tenantId") == tenant)
        .map(|(_, cfg)| settings_view(&core.store.data, cfg))
        .collect();
    Ok(Json(json!({ "SSOSettings": list })))
}

/// Deprecated `GET /v1/mgmt/sso/settings`: the SAML settings, flat.
async fn load_v1(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    app.require_mgmt(&headers)?;
    let tenant = s(&Value::Object(q), "tenantId");
    let core = app.lock();
    let cfg = current(&core, &tenant, "")?;
    let saml = cfg.get("saml").cloned().unwrap_or_else(empty_saml);
    Ok(Json(json!({
        "tenantId": tenant,
        "idpEntityId": s(&saml, "idpEntityId"),
        "idpSSOUrl": s(&saml, "idpSSOUrl"),
        "idpCertificate": s(&saml, "idpCertificate"),
        "idpMetadataUrl": s(&saml, "idpMetadataUrl"),
        "spEntityId": s(&saml, "spEntityId"),
        "spACSUrl": s(&saml, "spACSUrl"),
        "spCertificate": s(&saml, "spCertificate"),
        "userMapping": saml.get("attributeMapping").cloned().unwrap_or(Value::Null),
        "groupsMapping": saml.get("groupsMapping").cloned().unwrap_or(json!([])),
        "redirectURL": s(&saml, "redirectUrl"),
        "domains": strs(&cfg, "domains"),
    })))
}

// ---- groups ----

/// Stored SSO groups of a tenant: kind [`KIND_SSO_GROUPS`], ID = tenant ID, value
/// `[{id, display, members: [{loginId, userId, display}]}]` (written by SSO sign-ins), plus the
/// groups named in the tenant's role mappings (without members when nobody signed in with them).
pub const KIND_SSO_GROUPS: &str = "x.ssogroups";

fn tenant_groups(data: &Data, tenant: &str) -> Vec<Value> {
    let mut groups: Vec<Value> = data
        .doc(KIND_SSO_GROUPS, tenant)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut known: Vec<String> = groups.iter().map(|g| s(g, "id")).collect();
    for (_, cfg) in data.docs_of(KIND_SSO) {
        if s(cfg, "tenantId") != tenant {
            continue;
        }
        let mappings = cfg
            .get("saml")
            .and_then(|x| x.get("groupsMapping"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for m in mappings {
            for g in strs(&m, "groups") {
                if !known.contains(&g) {
                    known.push(g.clone());
                    groups.push(json!({"id": g, "display": g, "members": []}));
                }
            }
        }
    }
    groups
}

fn check_tenant(data: &Data, tenant: &str) -> ApiResult<()> {
    if tenant.is_empty() {
        return Err(ApiError::bad_request("The tenantId field is required"));
    }
    if !data.tenants.contains_key(tenant) {
        return Err(ApiError::not_found(format!("No tenant has ID {tenant:?}")));
    }
    Ok(())
}

async fn groups_all(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let tenant = s(&body, "tenantId");
    let core = app.lock();
    check_tenant(&core.store.data, &tenant)?;
    Ok(Json(Value::Array(tenant_groups(&core.store.data, &tenant))))
}

async fn groups_for_members(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let tenant = s(&body, "tenantId");
    let user_ids = strs(&body, "userIds");
    let login_ids = strs(&body, "loginIds");
    let core = app.lock();
    check_tenant(&core.store.data, &tenant)?;
    let list: Vec<Value> = tenant_groups(&core.store.data, &tenant)
        .into_iter()
        .filter(|g| {
            g.get("members")
                .and_then(Value::as_array)
                .is_some_and(|ms| {
                    ms.iter().any(|m| {
                        user_ids.contains(&s(m, "userId")) || login_ids.contains(&s(m, "loginId"))
                    })
                })
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

async fn group_members(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let body = mgmt_body(&app, &headers, &body)?;
    let tenant = s(&body, "tenantId");
    let group = s(&body, "groupId");
    let core = app.lock();
    check_tenant(&core.store.data, &tenant)?;
    let list: Vec<Value> = tenant_groups(&core.store.data, &tenant)
        .into_iter()
        .filter(|g| s(g, "id") == group)
        .collect();
    Ok(Json(Value::Array(list)))
}
