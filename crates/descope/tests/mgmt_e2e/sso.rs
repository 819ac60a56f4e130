//! Tenant SSO settings and groups, SSO applications, flows and the theme.

use descope::descope_mgmt::sso::{
    AttributeMapping, RoleMapping, SsoOidcSettings, SsoSamlSettings, SsoSamlSettingsByMetadata,
};
use descope::descope_mgmt::sso_application::SamlIdpAttributeMapping;
use serde_json::{json, Map, Value};

use crate::support::*;

#[tokio::test]
async fn sso_settings_saml_metadata_oidc_legacy_and_delete() {
    let env = start().await;
    let m = env.client.mgmt();
    let tenant = m.tenant().create("Acme").await.unwrap();
    m.role().create("admin").await.unwrap();

    let mut saml = SsoSamlSettings::new("https://idp.example/sso", "idp-entity", "CERT");
    saml.role_mappings = vec![RoleMapping::new(["admins", "ops"], "admin")];
    let mut mapping = AttributeMapping::default();
    mapping.email = Some("mail".into());
    saml.attribute_mapping = Some(mapping.clone());
    m.sso()
        .configure_saml_settings(&tenant, saml)
        .redirect_url("https://app.example/after")
        .domains(["acme.com"])
        .await
        .unwrap();
    let s = m.sso().load_settings(&tenant).await.unwrap();
    assert_eq!(s.tenant["authType"], "saml");
    assert_eq!(s.tenant["domains"], json!(["acme.com"]));
    assert_eq!(s.saml["idpSSOUrl"], "https://idp.example/sso");
    assert_eq!(s.saml["idpEntityId"], "idp-entity");
    assert_eq!(s.saml["idpCertificate"], "CERT");
    assert_eq!(s.saml["redirectUrl"], "https://app.example/after");
    assert_eq!(s.saml["attributeMapping"]["email"], "mail");
    assert_eq!(s.saml["groupsMapping"][0]["role"]["name"], "admin");

    // Groups come from the stored SSO data (the mapping's groups, no members yet).
    let groups = m.group().load_all_groups(&tenant).await.unwrap();
    let ids: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, ["admins", "ops"]);
    assert!(groups.iter().all(|g| g.members.is_empty()));
    let ops = m
        .group()
        .load_all_group_members(&tenant, "ops")
        .await
        .unwrap();
    assert_eq!(ops.len(), 1);
    let none = m
        .group()
        .load_all_groups_for_members(&tenant, ["U1"], Vec::<String>::new())
        .await
        .unwrap();
    assert!(none.is_empty());

    // A role mapping to an unknown role is refused and changes nothing.
    let mut bad = SsoSamlSettings::new("https://other/sso", "e", "c");
    bad.role_mappings = vec![RoleMapping::new(["g"], "ghost")];
    refused(
        m.sso().configure_saml_settings(&tenant, bad).await,
        400,
        BAD_REQUEST,
    );
    let s = m.sso().load_settings(&tenant).await.unwrap();
    assert_eq!(s.saml["idpSSOUrl"], "https://idp.example/sso");

    let mut by_meta = SsoSamlSettingsByMetadata::new("https://idp.example/metadata");
    by_meta.role_mappings = vec![RoleMapping::new(["admins"], "admin")];
    m.sso()
        .configure_saml_settings_by_metadata(&tenant, by_meta)
        .await
        .unwrap();
    let s = m.sso().load_settings(&tenant).await.unwrap();
    assert_eq!(s.saml["idpMetadataUrl"], "https://idp.example/metadata");

    let mut oidc = SsoOidcSettings::new("Okta", "client-1");
    oidc.client_secret = Some("shh".into());
    oidc.auth_url = Some("https://idp.example/authorize".into());
    oidc.scope = Some(vec!["openid".into(), "email".into()]);
    m.sso()
        .configure_oidc_settings(&tenant, oidc)
        .await
        .unwrap();
    let s = m.sso().load_settings(&tenant).await.unwrap();
    assert_eq!(s.tenant["authType"], "oidc");
    assert_eq!(s.oidc["clientId"], "client-1");
    assert_eq!(s.oidc["authUrl"], "https://idp.example/authorize");
    assert_eq!(s.oidc["scope"], json!(["openid", "email"]));

    // The deprecated calls.
    #[allow(deprecated)]
    {
        m.sso()
            .configure(
                &tenant,
                "https://legacy/sso",
                "legacy-entity",
                "LEGACY",
                "https://r",
            )
            .await
            .unwrap();
        m.sso()
            .mapping(&tenant, vec![RoleMapping::new(["g1"], "admin")], mapping)
            .await
            .unwrap();
        let old = m.sso().get_settings(&tenant).await.unwrap();
        assert_eq!(old["idpSSOUrl"], "https://legacy/sso");
        assert_eq!(old["idpEntityId"], "legacy-entity");
        assert_eq!(old["groupsMapping"][0]["groups"], json!(["g1"]));
        m.sso()
            .configure_via_metadata(&tenant, "https://legacy/meta", None)
            .await
            .unwrap();
        assert_eq!(
            m.sso().get_settings(&tenant).await.unwrap()["idpMetadataUrl"],
            "https://legacy/meta"
        );
    }

    m.sso().delete_settings(&tenant).await.unwrap();
    let s = m.sso().load_settings(&tenant).await.unwrap();
    assert_eq!(s.tenant["authType"], "none");
    assert_eq!(s.saml["idpSSOUrl"], "");
    assert!(m.group().load_all_groups(&tenant).await.unwrap().is_empty());
    refused(
        m.sso().load_settings("no-such-tenant").await,
        404,
        NOT_FOUND,
    );
}

#[tokio::test]
async fn sso_applications_create_update_load_and_delete() {
    let env = start().await;
    let apps = env.client.mgmt().sso_application();
    let oidc = apps
        .create_oidc_application("Portal", "https://portal.example/login", None)
        .description("the portal")
        .await
        .unwrap();
    let saml = apps
        .create_saml_application("Wiki", "https://wiki.example/login", Some("wiki"))
        .entity_id("wiki-sp")
        .acs_url("https://wiki.example/acs")
        .certificate("CERT")
        .attribute_mapping([SamlIdpAttributeMapping::new("email", "", "attrs.email")])
        .await
        .unwrap();
    assert_eq!(saml, "wiki");
    refused(
        apps.create_oidc_application("Again", "https://x", Some("wiki"))
            .await,
        409,
        CONFLICT,
    );
    let loaded = apps.load(&oidc).await.unwrap();
    assert_eq!(loaded.app_type, "oidc");
    assert_eq!(loaded.description, "the portal");
    assert_eq!(
        loaded.oidc_settings["loginPageUrl"],
        "https://portal.example/login"
    );
    apps.update_oidc_application(&oidc, "Portal 2", "https://portal.example/v2")
        .enabled(false)
        .await
        .unwrap();
    let loaded = apps.load(&oidc).await.unwrap();
    assert_eq!(loaded.name, "Portal 2");
    assert!(!loaded.enabled);
    assert_eq!(loaded.description, "", "update is a full override");
    let wiki = apps.load("wiki").await.unwrap();
    assert_eq!(wiki.saml_settings["acsUrl"], "https://wiki.example/acs");
    assert_eq!(
        wiki.saml_settings["attributeMapping"][0]["value"],
        "attrs.email"
    );
    apps.update_saml_application("wiki", "Wiki 2", "https://wiki.example/login")
        .use_metadata_info(true)
        .metadata_url("https://wiki.example/metadata")
        .await
        .unwrap();
    let wiki = apps.load("wiki").await.unwrap();
    assert_eq!(wiki.name, "Wiki 2");
    assert_eq!(wiki.saml_settings["useMetadataInfo"], true);
    let secret = apps.get_application_secret("wiki").await.unwrap();
    let rotated = apps.rotate_application_secret("wiki").await.unwrap();
    assert_ne!(secret.expose(), rotated.expose());
    assert_eq!(
        apps.get_application_secret("wiki").await.unwrap().expose(),
        rotated.expose()
    );
    assert_eq!(apps.load_all().await.unwrap().len(), 2);
    apps.delete("wiki").await.unwrap();
    refused(apps.load("wiki").await, 404, NOT_FOUND);
    let all = apps.load_all().await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].id, oidc);
}

#[tokio::test]
async fn flows_and_theme_export_what_was_imported() {
    let env = start().await;
    let flows = env.client.mgmt().flow();
    assert_eq!(flows.list_flows().await.unwrap().total, 0);
    let flow: Map<String, Value> = json!({"name": "Sign up or in", "dsl": {"start": "otp"}})
        .as_object()
        .unwrap()
        .clone();
    let screens = vec![json!({"id": "s1", "inputs": [], "interactions": []})];
    let imported = flows
        .import_flow("sign-up-or-in", flow, screens.clone())
        .await
        .unwrap();
    assert_eq!(imported.flow["id"], "sign-up-or-in");
    let exported = flows.export_flow("sign-up-or-in").await.unwrap();
    assert_eq!(exported, imported);
    assert_eq!(exported.flow["dsl"]["start"], "otp");
    assert_eq!(exported.screens, screens);
    let list = flows.list_flows().await.unwrap();
    assert_eq!(list.total, 1);
    assert_eq!(list.flows[0].name, "Sign up or in");
    flows.delete_flows(["sign-up-or-in"]).await.unwrap();
    refused(flows.export_flow("sign-up-or-in").await, 404, NOT_FOUND);
    assert_eq!(flows.list_flows().await.unwrap().total, 0);

    let theme: Map<String, Value> = json!({"cssTemplate": {"light": {"primary": "#123456"}}})
        .as_object()
        .unwrap()
        .clone();
    flows.import_theme(theme).await.unwrap();
    let exported = flows.export_theme().await.unwrap();
    assert_eq!(
        exported["theme"]["cssTemplate"]["light"]["primary"],
        "#123456"
    );
}
