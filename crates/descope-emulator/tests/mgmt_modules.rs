//! HTTP-level tests of the management modules beyond users, tenants, roles and access keys:
//! SSO settings and groups, flows and theme, SSO applications, FGA, audit, JWT, project
//! export/import, and the remaining tenant, key, role, permission and user calls.

mod common;

use common::*;
use descope_emulator::Emulator;
use http::Method;
use serde_json::{json, Value};

const README_SCHEMA: &str = "model AuthZ 1.0

type user

type org
  relation member: user
  relation parent: org

type folder
  relation parent: folder
  relation owner: user | org#member
  relation editor: user
  relation viewer: user

  permission can_create: owner | parent.owner
  permission can_edit: editor | can_create
  permission can_view: viewer | can_edit

type doc
  relation parent: folder
  relation owner: user | org#member
  relation editor: user
  relation viewer: user

  permission can_create: owner | parent.owner
  permission can_edit: editor | can_create
  permission can_view: viewer | can_edit
";

fn rel(ty: &str, res: &str, r: &str, tt: &str, target: &str) -> Value {
    json!({"resource": res, "resourceType": ty, "relation": r, "target": target, "targetType": tt})
}

async fn ok(c: &Client, path: &str, body: Value) -> Value {
    let r = c.mgmt(path, body).await;
    assert_eq!(r.status, 200, "{path}: {}", r.json);
    r.json
}

async fn get_ok(c: &Client, path: &str) -> Value {
    let r = c.mgmt_get(path).await;
    assert_eq!(r.status, 200, "{path}: {}", r.json);
    r.json
}

#[tokio::test]
async fn sso_settings_load_back_as_configured_and_are_gone_after_delete() {
    let (_h, c) = start_default().await;
    ok(
        &c,
        "/v1/mgmt/tenant/create",
        json!({"name": "Acme", "id": "acme"}),
    )
    .await;
    ok(&c, "/v1/mgmt/role/create", json!({"name": "admin"})).await;
    // A role mapping to a role that does not exist is refused.
    let r = c
        .mgmt(
            "/v1/mgmt/sso/saml",
            json!({"tenantId": "acme", "settings": {"idpUrl": "https://idp/sso", "entityId": "e", "idpCert": "c",
                "roleMappings": [{"groups": ["g"], "roleName": "ghost"}]}, "redirectUrl": null, "domains": null}),
        )
        .await;
    assert_descope_error(&r, 400);
    ok(
        &c,
        "/v1/mgmt/sso/saml",
        json!({"tenantId": "acme", "settings": {"idpUrl": "https://idp/sso", "entityId": "ent-1", "idpCert": "CERT",
            "attributeMapping": {"email": "mail", "name": null},
            "roleMappings": [{"groups": ["admins", "ops"], "roleName": "admin"}]},
            "redirectUrl": "https://app/after", "domains": ["acme.com"]}),
    )
    .await;
    let s = get_ok(&c, "/v2/mgmt/sso/settings?tenantId=acme").await;
    assert_eq!(s["tenant"]["id"], "acme");
    assert_eq!(s["tenant"]["name"], "Acme");
    assert_eq!(s["tenant"]["authType"], "saml");
    assert_eq!(s["tenant"]["domains"], json!(["acme.com"]));
    assert_eq!(s["saml"]["idpSSOUrl"], "https://idp/sso");
    assert_eq!(s["saml"]["idpEntityId"], "ent-1");
    assert_eq!(s["saml"]["idpCertificate"], "CERT");
    assert_eq!(s["saml"]["redirectUrl"], "https://app/after");
    assert_eq!(s["saml"]["attributeMapping"]["email"], "mail");
    assert_eq!(s["saml"]["groupsMapping"][0]["role"]["name"], "admin");
    assert_eq!(
        s["saml"]["groupsMapping"][0]["groups"],
        json!(["admins", "ops"])
    );
    // The groups named in the mapping are the tenant's SSO groups.
    let groups = ok(&c, "/v1/mgmt/group/all", json!({"tenantId": "acme"})).await;
    let ids: Vec<&str> = groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["admins", "ops"]);
    let one = ok(
        &c,
        "/v1/mgmt/group/members",
        json!({"tenantId": "acme", "groupId": "ops"}),
    )
    .await;
    assert_eq!(one.as_array().unwrap().len(), 1);
    let none = ok(
        &c,
        "/v1/mgmt/group/member/all",
        json!({"tenantId": "acme", "loginIds": ["x"], "userIds": []}),
    )
    .await;
    assert_eq!(none, json!([]));
    // The tenant's settings show the SSO domains and type.
    let tenant = get_ok(&c, "/v1/mgmt/tenant?id=acme").await;
    assert_eq!(tenant["authType"], "saml", "the tenant shows its SSO type");
    assert_eq!(tenant["domains"], json!(["acme.com"]));
    let ts = get_ok(&c, "/v1/mgmt/tenant/settings?id=acme").await;
    assert_eq!(ts["authType"], "saml");
    assert_eq!(ts["domains"], json!(["acme.com"]));

    // OIDC replaces the auth type and keeps what was sent.
    ok(
        &c,
        "/v1/mgmt/sso/oidc",
        json!({"tenantId": "acme", "settings": {"name": "Okta", "clientId": "cid", "clientSecret": "sec",
            "authUrl": "https://idp/auth", "scope": ["openid"], "JWKsUrl": "https://idp/jwks"}, "domains": null}),
    )
    .await;
    let s = get_ok(&c, "/v2/mgmt/sso/settings?tenantId=acme").await;
    assert_eq!(s["tenant"]["authType"], "oidc");
    assert_eq!(s["oidc"]["clientId"], "cid");
    assert_eq!(s["oidc"]["JWKsUrl"], "https://idp/jwks");
    assert_eq!(s["oidc"]["scope"], json!(["openid"]));
    assert_eq!(
        s["tenant"]["domains"],
        json!([]),
        "null domains clear them, as mgmt.md says"
    );

    // The deprecated calls write the same settings.
    ok(
        &c,
        "/v1/mgmt/sso/settings",
        json!({"tenantId": "acme", "idpURL": "https://old/sso", "entityId": "old-e", "idpCert": "OLD", "redirectURL": "https://r", "domains": null}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/sso/mapping",
        json!({"tenantId": "acme", "roleMappings": [{"groups": ["g1"], "roleName": "admin"}], "attributeMapping": {"email": "e"}}),
    )
    .await;
    let old = get_ok(&c, "/v1/mgmt/sso/settings?tenantId=acme").await;
    assert_eq!(old["idpSSOUrl"], "https://old/sso");
    assert_eq!(old["idpEntityId"], "old-e");
    assert_eq!(old["groupsMapping"][0]["groups"], json!(["g1"]));
    ok(
        &c,
        "/v1/mgmt/sso/metadata",
        json!({"tenantId": "acme", "idpMetadataURL": "https://idp/meta", "redirectURL": null, "domains": null}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/sso/saml/metadata",
        json!({"tenantId": "acme", "settings": {"idpMetadataUrl": "https://idp/meta2", "roleMappings": []}, "redirectUrl": null, "domains": []}),
    )
    .await;
    let s = get_ok(&c, "/v2/mgmt/sso/settings?tenantId=acme").await;
    assert_eq!(s["saml"]["idpMetadataUrl"], "https://idp/meta2");
    assert_eq!(s["tenant"]["domains"], json!([]), "[] clears the domains");

    // Delete: back to nothing configured.
    let r = c
        .call(
            Method::DELETE,
            "/v1/mgmt/sso/settings?tenantId=acme",
            Some(&c.mk.clone()),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let s = get_ok(&c, "/v2/mgmt/sso/settings?tenantId=acme").await;
    assert_eq!(s["tenant"]["authType"], "none");
    assert_eq!(s["saml"]["idpSSOUrl"], "");
    assert_eq!(s["oidc"]["clientId"], "");
    // Unknown tenants are 404.
    assert_descope_error(
        &c.mgmt_get("/v2/mgmt/sso/settings?tenantId=nope").await,
        404,
    );
}

#[tokio::test]
async fn flows_themes_and_sso_applications_round_trip() {
    let (_h, c) = start_default().await;
    assert_eq!(ok(&c, "/v1/mgmt/flow/list", json!({})).await["total"], 0);
    let flow = json!({"name": "Sign in", "description": "d", "dsl": {"steps": [1, 2]}});
    let imported = ok(
        &c,
        "/v1/mgmt/flow/import",
        json!({"flowId": "sign-in", "flow": flow, "screens": [{"id": "s1", "inputs": []}]}),
    )
    .await;
    assert_eq!(imported["flow"]["id"], "sign-in");
    let exported = ok(&c, "/v1/mgmt/flow/export", json!({"flowId": "sign-in"})).await;
    assert_eq!(exported, imported);
    assert_eq!(exported["flow"]["dsl"]["steps"], json!([1, 2]));
    assert_eq!(exported["screens"][0]["id"], "s1");
    let list = ok(&c, "/v1/mgmt/flow/list", json!({})).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["flows"][0]["name"], "Sign in");
    ok(&c, "/v1/mgmt/flow/delete", json!({"ids": ["sign-in"]})).await;
    assert_descope_error(
        &c.mgmt("/v1/mgmt/flow/export", json!({"flowId": "sign-in"}))
            .await,
        404,
    );

    assert_eq!(
        ok(&c, "/v1/mgmt/theme/export", json!({})).await["theme"]["id"],
        "theme"
    );
    ok(
        &c,
        "/v1/mgmt/theme/import",
        json!({"theme": {"cssTemplate": {"dark": {"primary": "#000"}}}}),
    )
    .await;
    let theme = ok(&c, "/v1/mgmt/theme/export", json!({})).await;
    assert_eq!(theme["theme"]["cssTemplate"]["dark"]["primary"], "#000");

    // SSO applications.
    let id = ok(
        &c,
        "/v1/mgmt/sso/idp/app/oidc/create",
        json!({"name": "Portal", "id": null, "description": null, "logo": null, "enabled": true,
            "loginPageUrl": "https://portal/login", "forceAuthentication": false}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c
        .mgmt(
            "/v1/mgmt/sso/idp/app/saml/create",
            json!({"name": "Bad", "id": "bad", "loginPageUrl": "x", "useMetadataInfo": false}),
        )
        .await;
    assert_descope_error(&r, 400);
    ok(
        &c,
        "/v1/mgmt/sso/idp/app/saml/create",
        json!({"name": "Wiki", "id": "wiki", "loginPageUrl": "https://wiki/login", "useMetadataInfo": false,
            "entityId": "wiki-sp", "acsUrl": "https://wiki/acs", "certificate": "CERT",
            "attributeMapping": [{"name": "email", "type": "", "value": "attrs.email"}]}),
    )
    .await;
    assert_descope_error(
        &c.mgmt("/v1/mgmt/sso/idp/app/saml/create", json!({"name": "Wiki", "id": "wiki", "loginPageUrl": "x", "useMetadataInfo": true, "metadataUrl": "m"})).await,
        409,
    );
    let app = get_ok(&c, &format!("/v1/mgmt/sso/idp/app/load?id={id}")).await;
    assert_eq!(app["appType"], "oidc");
    assert_eq!(app["oidcSettings"]["loginPageUrl"], "https://portal/login");
    assert!(
        app.get("secret").is_none(),
        "the secret is not part of load"
    );
    ok(
        &c,
        "/v1/mgmt/sso/idp/app/oidc/update",
        json!({"id": id, "name": "Portal 2", "loginPageUrl": "https://portal/v2", "enabled": false}),
    )
    .await;
    let app = get_ok(&c, &format!("/v1/mgmt/sso/idp/app/load?id={id}")).await;
    assert_eq!(app["name"], "Portal 2");
    assert_eq!(app["enabled"], false);
    let wiki = get_ok(&c, "/v1/mgmt/sso/idp/app/load?id=wiki").await;
    assert_eq!(wiki["samlSettings"]["acsUrl"], "https://wiki/acs");
    assert_eq!(
        wiki["samlSettings"]["attributeMapping"][0]["value"],
        "attrs.email"
    );
    let secret = get_ok(&c, "/v1/mgmt/sso/idp/app/secret?id=wiki").await["cleartext"].clone();
    let rotated =
        ok(&c, "/v1/mgmt/sso/idp/app/rotate", json!({"id": "wiki"})).await["cleartext"].clone();
    assert_ne!(secret, rotated);
    assert_eq!(
        get_ok(&c, "/v1/mgmt/sso/idp/app/secret?id=wiki").await["cleartext"],
        rotated
    );
    assert_eq!(
        get_ok(&c, "/v1/mgmt/sso/idp/apps/load").await["apps"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    ok(
        &c,
        "/v1/mgmt/user/create",
        json!({"loginId": "wiki-user", "ssoAppIDs": ["wiki", id]}),
    )
    .await;
    ok(&c, "/v1/mgmt/sso/idp/app/delete", json!({"id": "wiki"})).await;
    assert_eq!(
        get_ok(&c, "/v1/mgmt/user?loginId=wiki-user").await["user"]["ssoAppIds"],
        json!([id]),
        "users lose a deleted application"
    );
    assert_descope_error(&c.mgmt_get("/v1/mgmt/sso/idp/app/load?id=wiki").await, 404);
    assert_eq!(
        get_ok(&c, "/v1/mgmt/sso/idp/apps/load").await["apps"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn fga_checks_follow_the_readme_schema() {
    let (_h, c) = start_default().await;
    // No schema yet: relations are refused.
    let r = c
        .mgmt(
            "/v1/mgmt/fga/relations",
            json!({"tuples": [rel("doc", "d1", "owner", "user", "u1")]}),
        )
        .await;
    assert_descope_error(&r, 400);
    let bad = c
        .mgmt(
            "/v1/mgmt/fga/schema",
            json!({"dsl": "type doc\n  relation owner: person\n"}),
        )
        .await;
    assert_descope_error(&bad, 400);
    assert!(bad.json["errorMessage"]
        .as_str()
        .unwrap()
        .contains("person"));
    ok(&c, "/v1/mgmt/fga/schema", json!({"dsl": README_SCHEMA})).await;
    ok(
        &c,
        "/v1/mgmt/fga/relations",
        json!({"tuples": [
            rel("folder", "f1", "owner", "user", "ann"),
            rel("doc", "d1", "parent", "folder", "f1"),
            rel("doc", "d1", "viewer", "user", "vic"),
            rel("doc", "d2", "owner", "org#member", "acme"),
            rel("org", "acme", "member", "user", "bob"),
            rel("doc", "some-doc", "owner", "user", "u1"),
        ]}),
    )
    .await;
    // A permission cannot be written, nor a target type the relation does not take.
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/fga/relations",
            json!({"tuples": [rel("doc", "d1", "can_view", "user", "x")]}),
        )
        .await,
        400,
    );
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/fga/relations",
            json!({"tuples": [rel("doc", "d1", "viewer", "org", "acme")]}),
        )
        .await,
        400,
    );
    let checks = [
        (rel("doc", "some-doc", "owner", "user", "u1"), true),
        (rel("doc", "some-doc", "can_view", "user", "u1"), true),
        (rel("doc", "d1", "can_view", "user", "ann"), true),
        (rel("doc", "d1", "can_edit", "user", "ann"), true),
        (rel("doc", "d1", "can_view", "user", "vic"), true),
        (rel("doc", "d1", "can_edit", "user", "vic"), false),
        (rel("doc", "d2", "can_create", "user", "bob"), true),
        (rel("doc", "d2", "can_view", "user", "vic"), false),
    ];
    let tuples: Vec<Value> = checks.iter().map(|(t, _)| t.clone()).collect();
    let out = ok(&c, "/v1/mgmt/fga/check", json!({"tuples": tuples})).await;
    for (i, (t, want)) in checks.iter().enumerate() {
        assert_eq!(out["tuples"][i]["tuple"], *t);
        assert_eq!(out["tuples"][i]["allowed"], *want, "check {t}");
    }
    // Deleting the folder's owner takes the inherited rights away.
    ok(
        &c,
        "/v1/mgmt/fga/relations/delete",
        json!({"tuples": [rel("folder", "f1", "owner", "user", "ann")]}),
    )
    .await;
    let out = ok(
        &c,
        "/v1/mgmt/fga/check",
        json!({"tuples": [rel("doc", "d1", "can_view", "user", "ann")]}),
    )
    .await;
    assert_eq!(out["tuples"][0]["allowed"], false);
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/fga/check",
            json!({"tuples": [rel("doc", "d1", "nothing", "user", "ann")]}),
        )
        .await,
        400,
    );
}

#[tokio::test]
async fn audit_records_sign_ins_failures_changes_and_custom_events() {
    let (_h, c) = start_default().await;
    ok(
        &c,
        "/v1/mgmt/tenant/create",
        json!({"name": "T", "id": "t1"}),
    )
    .await;
    let login = c
        .login_test_user(
            "amy@example.com",
            json!({"userTenants": [{"tenantId": "t1", "roleNames": []}]}),
        )
        .await;
    let uid = login["user"]["userId"].as_str().unwrap().to_string();
    let bad = c
        .post(
            "/v1/auth/otp/verify/email",
            None,
            json!({"loginId": "amy@example.com", "code": "000000"}),
        )
        .await;
    assert_eq!(bad.status, 401);
    ok(&c, "/v1/mgmt/audit/event", json!({"action": "pencil.created", "type": "info", "actorId": "UXXX", "tenantId": "t1", "data": {"some": "data"}})).await;
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/audit/event",
            json!({"action": "a", "type": "loud", "actorId": "x", "tenantId": ""}),
        )
        .await,
        400,
    );

    let all = ok(&c, "/v1/mgmt/audit/search", json!({"noTenants": false})).await["audits"].clone();
    let actions: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    // Newest first.
    assert_eq!(
        actions,
        [
            "pencil.created",
            "LoginFailed",
            "LoginSucceed",
            "UserCreated",
            "TenantCreated"
        ]
    );
    let ok_login = &all[2];
    assert_eq!(ok_login["userId"], uid);
    assert_eq!(ok_login["method"], "otp");
    assert_eq!(ok_login["externalIds"], json!(["amy@example.com"]));
    assert_eq!(ok_login["tenants"], json!(["t1"]));
    assert!(
        ok_login["occurred"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > 1_600_000_000_000
    );
    assert_eq!(
        all[1]["userId"], uid,
        "the failure names the user of the login ID"
    );
    assert!(!all[1]["data"]["reason"].as_str().unwrap().is_empty());
    assert!(!all[1]["data"]["errorCode"].as_str().unwrap().is_empty());
    assert_eq!(all[0]["data"]["some"], "data");

    let search = |body: Value| {
        let c = &c;
        async move {
            let v = ok(c, "/v1/mgmt/audit/search", body).await;
            v["audits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["action"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        search(json!({"noTenants": false, "actions": ["LoginSucceed"]})).await,
        ["LoginSucceed"]
    );
    assert_eq!(search(json!({"noTenants": false, "excludedActions": ["LoginSucceed", "LoginFailed", "pencil.created"]})).await, ["UserCreated", "TenantCreated"]);
    assert_eq!(
        search(json!({"noTenants": false, "userIds": [uid], "methods": ["otp"]})).await,
        ["LoginFailed", "LoginSucceed"]
    );
    assert_eq!(search(json!({"noTenants": false, "externalIds": ["amy@example.com"], "actions": ["LoginFailed"]})).await, ["LoginFailed"]);
    assert_eq!(
        search(json!({"noTenants": false, "tenants": ["t1"]})).await,
        ["pencil.created", "LoginSucceed", "TenantCreated"]
    );
    assert_eq!(
        search(json!({"noTenants": true, "actions": ["UserCreated", "pencil.created"]})).await,
        ["UserCreated"]
    );
    assert_eq!(
        search(json!({"noTenants": false, "text": "PENCIL"})).await,
        ["pencil.created"]
    );
    assert!(search(json!({"noTenants": false, "to": 1000}))
        .await
        .is_empty());
    assert!(
        search(json!({"noTenants": false, "remoteAddresses": ["10.9.9.9"]}))
            .await
            .is_empty()
    );
    assert_eq!(search(json!({"noTenants": false, "remoteAddresses": ["127.0.0.1"], "actions": ["LoginSucceed"]})).await, ["LoginSucceed"]);
}

#[tokio::test]
async fn jwt_update_impersonation_and_management_sign_in() {
    let (_h, c) = start_default().await;
    let amy = c.login_test_user("amy@example.com", json!({})).await;
    c.login_test_user("bob@example.com", json!({})).await;
    let session = amy["sessionJwt"].as_str().unwrap();
    let updated = ok(&c, "/v1/mgmt/jwt/update", json!({"jwt": session, "customClaims": {"plan": "gold", "sub": "hijack"}, "refreshDuration": 0})).await["jwt"]
        .as_str()
        .unwrap()
        .to_string();
    let cl = claims(&updated);
    assert_eq!(cl["plan"], "gold");
    assert_eq!(
        cl["sub"],
        claims(session)["sub"],
        "system claims are not overridden"
    );
    assert_eq!(header(&updated)["kid"], header(session)["kid"]);
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/jwt/update",
            json!({"jwt": "a.b.c", "customClaims": {}}),
        )
        .await,
        400,
    );

    // Impersonation needs the permission.
    let imp = json!({"loginId": "bob@example.com", "impersonatorId": "amy@example.com", "validateConsent": false,
        "customClaims": {"k": "v"}, "selectedTenant": null, "refreshDuration": null, "stepup": null});
    assert_descope_error(&c.mgmt("/v1/mgmt/impersonate", imp.clone()).await, 403);
    ok(
        &c,
        "/v1/mgmt/permission/create",
        json!({"name": "Impersonate"}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/role/create",
        json!({"name": "support", "permissionNames": ["Impersonate"]}),
    )
    .await;
    ok(
        &c,
        "/v2/mgmt/user/update/role/add",
        json!({"loginId": "amy@example.com", "roleNames": ["support"]}),
    )
    .await;
    let rt = ok(&c, "/v1/mgmt/impersonate", imp).await["jwt"]
        .as_str()
        .unwrap()
        .to_string();
    let rc = claims(&rt);
    assert_eq!(rc["drn"], "DSR");
    assert_eq!(rc["sub"], user_id_of(&c, "bob@example.com").await);
    assert_eq!(rc["act"]["sub"], amy["user"]["userId"]);
    assert_eq!(rc["k"], "v");
    // The refresh token works and gives bob's session.
    let refreshed = c.post("/v1/auth/refresh", Some(&rt), json!({})).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.json);
    assert_eq!(
        claims(refreshed.json["sessionJwt"].as_str().unwrap())["act"]["sub"],
        amy["user"]["userId"]
    );
    // Stopping gives amy's token back and revokes the impersonation.
    let back = ok(
        &c,
        "/v1/mgmt/stop/impersonation",
        json!({"jwt": rt, "customClaims": null, "selectedTenant": null, "refreshDuration": null}),
    )
    .await;
    assert_eq!(
        claims(back["jwt"].as_str().unwrap())["sub"],
        amy["user"]["userId"]
    );
    assert_eq!(
        c.post("/v1/auth/refresh", Some(&rt), json!({}))
            .await
            .status,
        401
    );

    // Management sign-in, sign-up, sign-up-or-in, anonymous.
    let si = ok(&c, "/v1/mgmt/auth/signin", json!({"loginId": "bob@example.com", "stepup": false, "mfa": false, "customClaims": {"x": 1}})).await;
    assert_eq!(claims(si["sessionJwt"].as_str().unwrap())["x"], 1);
    assert_eq!(si["user"]["loginIds"], json!(["bob@example.com"]));
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/auth/signin",
            json!({"loginId": "nobody@example.com"}),
        )
        .await,
        404,
    );
    let su = ok(&c, "/v1/mgmt/auth/signup", json!({"loginId": "cat@example.com", "user": {"name": "Cat", "email": "cat@example.com"}, "emailVerified": true})).await;
    assert_eq!(su["firstSeen"], true);
    assert_eq!(su["user"]["verifiedEmail"], true);
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/auth/signup",
            json!({"loginId": "cat@example.com", "user": {}}),
        )
        .await,
        409,
    );
    let sui = ok(
        &c,
        "/v1/mgmt/auth/signup-in",
        json!({"loginId": "cat@example.com", "user": {}}),
    )
    .await;
    assert_eq!(sui["firstSeen"], false);
    assert_eq!(sui["user"]["userId"], su["user"]["userId"]);
    let anon = ok(
        &c,
        "/v1/mgmt/auth/anonymous",
        json!({"customClaims": {"cart": 3}, "selectedTenant": null, "refreshDuration": null}),
    )
    .await;
    let ac = claims(anon["sessionJwt"].as_str().unwrap());
    assert_eq!(ac["danu"], true);
    assert_eq!(ac["cart"], 3);
}

async fn user_id_of(c: &Client, login_id: &str) -> Value {
    get_ok(c, &format!("/v1/mgmt/user?loginId={login_id}")).await["user"]["userId"].clone()
}

#[tokio::test]
async fn project_export_imports_into_a_fresh_emulator_with_the_same_state() {
    let (_h, c) = start_default().await;
    ok(&c, "/v1/mgmt/project/update/name", json!({"name": "Shop"})).await;
    ok(&c, "/v1/mgmt/project/update/tags", json!({"tags": ["dev"]})).await;
    ok(
        &c,
        "/v1/mgmt/tenant/create",
        json!({"name": "Acme", "id": "acme"}),
    )
    .await;
    ok(&c, "/v1/mgmt/permission/create", json!({"name": "read"})).await;
    ok(
        &c,
        "/v1/mgmt/role/create",
        json!({"name": "reader", "permissionNames": ["read"]}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/user/create",
        json!({"loginId": "amy@example.com", "email": "amy@example.com", "roleNames": ["reader"],
            "userTenants": [{"tenantId": "acme", "roleNames": []}]}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/user/password/set/active",
        json!({"loginId": "amy@example.com", "password": "Secret123"}),
    )
    .await;
    let key = ok(
        &c,
        "/v1/mgmt/accesskey/create",
        json!({"name": "ci", "roleNames": ["reader"], "keyTenants": []}),
    )
    .await;
    ok(&c, "/v1/mgmt/fga/schema", json!({"dsl": README_SCHEMA})).await;
    ok(
        &c,
        "/v1/mgmt/fga/relations",
        json!({"tuples": [rel("doc", "d", "owner", "user", "u")]}),
    )
    .await;
    let files = ok(&c, "/v1/mgmt/project/export", json!({})).await["files"].clone();
    assert_eq!(files["project.json"]["name"], "Shop");
    assert!(
        files.get("docs/audit.json").is_none(),
        "the audit trail is not exported"
    );

    let (_h2, c2) = start(Emulator::builder()).await;
    assert_eq!(
        ok(
            &c2,
            "/v1/mgmt/project/snapshot/validate",
            json!({"files": files})
        )
        .await["ok"],
        true
    );
    let bad = ok(
        &c2,
        "/v1/mgmt/project/snapshot/validate",
        json!({"files": {"users.json": {"not": "a list"}}}),
    )
    .await;
    assert_eq!(bad["ok"], false);
    assert_descope_error(
        &c2.mgmt(
            "/v1/mgmt/project/import",
            json!({"files": {"users.json": 3}}),
        )
        .await,
        400,
    );
    // Duplicates within a file are refused before anything changes.
    let dup = json!({"files": {"users.json": [{"userId": "U1", "loginIds": ["x"]}, {"userId": "U2", "loginIds": ["x"]}]}});
    assert_descope_error(&c2.mgmt("/v1/mgmt/project/import", dup).await, 400);
    // Odd but well-formed documents do not break the modules that read them.
    ok(
        &c2,
        "/v1/mgmt/tenant/create",
        json!({"name": "Odd", "id": "odd"}),
    )
    .await;
    ok(&c2, "/v1/mgmt/project/import", json!({"files": {"docs/sso.json": {"odd": {"saml": 5, "oidc": null}}, "docs/ssoapp.json": {"a": 1}}})).await;
    let odd = get_ok(&c2, "/v2/mgmt/sso/settings?tenantId=odd").await;
    assert_eq!(odd["saml"]["idpSSOUrl"], "");
    ok(&c2, "/v1/mgmt/sso/settings", json!({"tenantId": "odd", "idpURL": "https://x", "entityId": "e", "idpCert": "c", "redirectURL": "", "domains": null})).await;
    assert_descope_error(
        &c2.mgmt("/v1/mgmt/sso/idp/app/rotate", json!({"id": "a"}))
            .await,
        404,
    );
    ok(
        &c2,
        "/v1/mgmt/tenant/delete",
        json!({"id": "odd", "cascade": false}),
    )
    .await;
    ok(&c2, "/v1/mgmt/project/import", json!({"files": files})).await;
    for path in [
        "/v1/mgmt/tenant/all",
        "/v1/mgmt/role/all",
        "/v1/mgmt/permission/all",
    ] {
        assert_eq!(get_ok(&c2, path).await, get_ok(&c, path).await, "{path}");
    }
    let u1 = get_ok(&c, "/v1/mgmt/user?loginId=amy@example.com").await;
    let u2 = get_ok(&c2, "/v1/mgmt/user?loginId=amy@example.com").await;
    assert_eq!(u1, u2);
    let key_id = key["key"]["id"].as_str().unwrap();
    assert_eq!(
        get_ok(&c2, &format!("/v1/mgmt/accesskey?id={key_id}")).await,
        get_ok(&c, &format!("/v1/mgmt/accesskey?id={key_id}")).await
    );
    // The imported password and access key still work.
    let si = c2
        .post(
            "/v1/auth/password/signin",
            None,
            json!({"loginId": "amy@example.com", "password": "Secret123"}),
        )
        .await;
    assert_eq!(si.status, 200, "{}", si.json);
    let ex = c2
        .post(
            "/v1/auth/accesskey/exchange",
            Some(key["cleartext"].as_str().unwrap()),
            json!({"loginOptions": {}}),
        )
        .await;
    assert_eq!(ex.status, 200, "{}", ex.json);
    assert_eq!(
        claims(ex.json["sessionJwt"].as_str().unwrap())["permissions"],
        json!(["read"])
    );
    let chk = ok(
        &c2,
        "/v1/mgmt/fga/check",
        json!({"tuples": [rel("doc", "d", "can_view", "user", "u")]}),
    )
    .await;
    assert_eq!(chk["tuples"][0]["allowed"], true);
    let projects = ok(&c2, "/v1/mgmt/projects/list", json!({})).await["projects"].clone();
    assert_eq!(projects[0]["name"], "Shop");
    assert_eq!(projects[0]["tags"], json!(["dev"]));
    let cloned = ok(
        &c2,
        "/v1/mgmt/project/clone",
        json!({"name": "Copy", "environment": null, "tags": null}),
    )
    .await;
    assert_eq!(cloned["projectName"], "Copy");
    assert_eq!(
        ok(&c2, "/v1/mgmt/projects/list", json!({})).await["projects"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn remaining_tenant_key_role_permission_and_user_calls() {
    let (_h, c) = start_default().await;
    ok(
        &c,
        "/v1/mgmt/tenant/create",
        json!({"name": "Acme", "id": "acme", "selfProvisioningDomains": ["a.com"]}),
    )
    .await;
    let r = c
        .call(
            Method::PATCH,
            "/v1/mgmt/tenant/patch",
            Some(&c.mk.clone()),
            Some(json!({"id": "acme", "name": "Acme 2"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let t = get_ok(&c, "/v1/mgmt/tenant?id=acme").await;
    assert_eq!(t["name"], "Acme 2");
    assert_eq!(
        t["selfProvisioningDomains"],
        json!(["a.com"]),
        "a patch keeps what it does not name"
    );
    ok(&c, "/v1/mgmt/tenant/settings", json!({"tenantId": "acme", "selfProvisioningDomains": ["b.com"], "enabled": true, "sessionTokenExpiration": 30})).await;
    let s = get_ok(&c, "/v1/mgmt/tenant/settings?id=acme").await;
    assert_eq!(s["selfProvisioningDomains"], json!(["b.com"]));
    assert_eq!(s["enabled"], true);
    assert_eq!(s["sessionTokenExpiration"], 30);
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/tenant/updateDefaultRoles",
            json!({"id": "acme", "defaultRoles": ["ghost"]}),
        )
        .await,
        400,
    );
    let link = ok(
        &c,
        "/v2/mgmt/tenant/adminlinks/sso/generate",
        json!({"tenantId": "acme", "expireTime": 0}),
    )
    .await;
    assert!(link["adminSSOConfigurationLink"]
        .as_str()
        .unwrap()
        .starts_with("http"));

    // Permissions and roles in batches; renames reach roles and users.
    ok(
        &c,
        "/v1/mgmt/permission/create/batch",
        json!({"permissions": [{"name": "p1"}, {"name": "p2"}]}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/role/create/batch",
        json!({"roles": [{"name": "r1", "permissionNames": ["p1"]}, {"name": "r2"}]}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/user/create",
        json!({"loginId": "u@example.com", "roleNames": ["r1"]}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/role/create",
        json!({"name": "t-role", "tenantId": "acme"}),
    )
    .await;
    let found = ok(&c, "/v1/mgmt/role/search", json!({"tenantIds": ["acme"]})).await;
    assert_eq!(found["roles"].as_array().unwrap().len(), 1);
    let found = ok(
        &c,
        "/v1/mgmt/role/search",
        json!({"tenantIds": ["acme"], "includeProjectRoles": true}),
    )
    .await;
    assert_eq!(found["roles"].as_array().unwrap().len(), 3);
    let found = ok(&c, "/v1/mgmt/role/search", json!({"roleIds": ["r2"]})).await;
    assert_eq!(found["roles"][0]["name"], "r2");
    ok(
        &c,
        "/v1/mgmt/role/delete",
        json!({"name": "t-role", "tenantId": "acme"}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/permission/update/batch",
        json!({"permissions": [{"name": "p1", "newName": "p1x"}]}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/role/update/batch",
        json!({"roles": [{"name": "r1", "newName": "r1x", "permissionNames": ["p1x", "p2"]}]}),
    )
    .await;
    let roles = get_ok(&c, "/v1/mgmt/role/all").await["roles"].clone();
    let r1 = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "r1x")
        .unwrap();
    assert_eq!(r1["permissionNames"], json!(["p1x", "p2"]));
    assert_eq!(
        get_ok(&c, "/v1/mgmt/user?loginId=u@example.com").await["user"]["roleNames"],
        json!(["r1x"])
    );
    ok(
        &c,
        "/v1/mgmt/role/delete/batch",
        json!({"roleNames": ["r2"], "tenantId": null}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/permission/delete/batch",
        json!({"names": ["p2"]}),
    )
    .await;
    assert_eq!(
        get_ok(&c, "/v1/mgmt/role/all").await["roles"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        get_ok(&c, "/v1/mgmt/permission/all").await["permissions"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Roles and permissions by "id" (their name in the emulator).
    ok(&c, "/v1/mgmt/permission/delete", json!({"id": "p1x"})).await;
    assert_eq!(
        get_ok(&c, "/v1/mgmt/permission/all").await["permissions"],
        json!([])
    );

    // Access-key search by custom attributes.
    ok(
        &c,
        "/v1/mgmt/accesskey/create",
        json!({"name": "tagged", "roleNames": [], "keyTenants": [], "customAttributes": {"team": "ops"}}),
    )
    .await;
    let found = ok(
        &c,
        "/v1/mgmt/accesskey/search",
        json!({"tenantIds": [], "boundUserId": null, "creatingUser": null, "customAttributes": {"team": "ops"}}),
    )
    .await;
    assert_eq!(found["keys"].as_array().unwrap().len(), 1);
    assert_eq!(found["keys"][0]["name"], "tagged");
    let none = ok(
        &c,
        "/v1/mgmt/accesskey/search",
        json!({"tenantIds": [], "creatingUser": "someone-else"}),
    )
    .await;
    assert_eq!(none["keys"], json!([]));
    // Access keys: rotation invalidates the old secret; batches.
    let k = ok(
        &c,
        "/v1/mgmt/accesskey/create",
        json!({"name": "k", "roleNames": [], "keyTenants": []}),
    )
    .await;
    let id = k["key"]["id"].as_str().unwrap().to_string();
    let old = k["cleartext"].as_str().unwrap().to_string();
    let new = ok(&c, "/v1/mgmt/accesskey/rotate", json!({"id": id})).await["cleartext"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        c.post("/v1/auth/accesskey/exchange", Some(&old), json!({}))
            .await
            .status,
        401
    );
    assert_eq!(
        c.post("/v1/auth/accesskey/exchange", Some(&new), json!({}))
            .await
            .status,
        200
    );
    ok(
        &c,
        "/v1/mgmt/accesskey/deactivate/batch",
        json!({"ids": [id]}),
    )
    .await;
    assert_eq!(
        get_ok(&c, &format!("/v1/mgmt/accesskey?id={id}")).await["key"]["status"],
        "inactive"
    );
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/accesskey/delete/batch",
            json!({"ids": [id, "nope"]}),
        )
        .await,
        404,
    );
    ok(&c, "/v1/mgmt/accesskey/delete/batch", json!({"ids": [id]})).await;
    assert_descope_error(
        &c.mgmt_get(&format!("/v1/mgmt/accesskey?id={id}")).await,
        404,
    );

    // Users: patch batch, custom attribute definitions, provider token, embedded sign-up.
    let r = c
        .call(Method::PATCH, "/v1/mgmt/user/patch/batch", Some(&c.mk.clone()),
            Some(json!({"users": [{"loginId": "u@example.com", "displayName": "U"}, {"loginId": "ghost"}]})))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["patchedUsers"][0]["name"], "U");
    assert_eq!(r.json["failedUsers"][0]["user"]["loginId"], "ghost");
    let u = ok(
        &c,
        "/v1/mgmt/user/update/recovery/email",
        json!({"loginId": "u@example.com", "recoveryEmail": "backup@example.com", "verified": false}),
    )
    .await;
    assert_eq!(u["user"]["recoveryEmail"], "backup@example.com");
    ok(
        &c,
        "/v1/mgmt/user/update/recovery/phone",
        json!({"loginId": "u@example.com", "recoveryPhone": "+12025550100", "verified": false}),
    )
    .await;
    let loaded = get_ok(&c, "/v1/mgmt/user?loginId=u@example.com").await;
    assert_eq!(loaded["user"]["recoveryEmail"], "backup@example.com");
    assert_eq!(loaded["user"]["recoveryPhone"], "+12025550100");
    ok(
        &c,
        "/v1/mgmt/user/customattribute/create",
        json!({"attributes": [{"name": "plan", "displayName": "Plan", "type": "string"}]}),
    )
    .await;
    assert_eq!(
        get_ok(&c, "/v1/mgmt/user/customattributes").await["data"][0]["name"],
        "plan"
    );
    ok(
        &c,
        "/v1/mgmt/user/customattribute/delete",
        json!({"names": ["plan"]}),
    )
    .await;
    assert_eq!(
        get_ok(&c, "/v1/mgmt/user/customattributes").await["data"],
        json!([])
    );
    assert_descope_error(&c.mgmt_get("/v1/mgmt/user/provider/token?loginId=u@example.com&provider=google&withRefreshToken=false&forceRefresh=false").await, 404);
    let token = ok(&c, "/v1/mgmt/user/signup/embeddedlink", json!({"loginId": "new@example.com", "user": {"email": "new@example.com"}, "loginOptions": {}, "emailVerified": true, "phoneVerified": false, "timeout": 0})).await["token"].clone();
    let v = c
        .post("/v1/auth/magiclink/verify", None, json!({"token": token}))
        .await;
    assert_eq!(v.status, 200, "{}", v.json);
    assert_eq!(v.json["user"]["loginIds"], json!(["new@example.com"]));
    assert_eq!(v.json["firstSeen"], true);

    // Deleting the tenant forgets its settings; unknown endpoints still answer 501.
    ok(
        &c,
        "/v1/mgmt/tenant/delete",
        json!({"id": "acme", "cascade": false}),
    )
    .await;
    let export = ok(&c, "/v1/mgmt/project/export", json!({})).await;
    assert!(export["files"]
        .get("docs/tenantsettings.json")
        .is_none_or(|d| d.get("acme").is_none()));
    let r = c.mgmt("/v1/mgmt/family/create", json!({})).await;
    assert_descope_error(&r, 501);
    assert!(r.json["errorMessage"]
        .as_str()
        .unwrap()
        .contains("/v1/mgmt/family/create"));
}

#[tokio::test]
async fn module_state_survives_a_restart_on_the_data_dir() {
    let dir = std::env::temp_dir().join(format!(
        "descope-emulator-mgmt-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let (h, c) = start(Emulator::builder().data_dir(&dir)).await;
    ok(&c, "/v1/mgmt/fga/schema", json!({"dsl": README_SCHEMA})).await;
    ok(
        &c,
        "/v1/mgmt/fga/relations",
        json!({"tuples": [rel("doc", "d", "viewer", "user", "u")]}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/flow/import",
        json!({"flowId": "f", "flow": {"name": "F"}, "screens": []}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/audit/event",
        json!({"action": "kept", "type": "info", "actorId": "a", "tenantId": ""}),
    )
    .await;
    h.shutdown().await;
    let (_h2, c2) = start(Emulator::builder().data_dir(&dir)).await;
    let chk = ok(
        &c2,
        "/v1/mgmt/fga/check",
        json!({"tuples": [rel("doc", "d", "can_view", "user", "u")]}),
    )
    .await;
    assert_eq!(chk["tuples"][0]["allowed"], true);
    assert_eq!(
        ok(&c2, "/v1/mgmt/flow/export", json!({"flowId": "f"})).await["flow"]["name"],
        "F"
    );
    let audits = ok(&c2, "/v1/mgmt/audit/search", json!({"actions": ["kept"]})).await;
    assert_eq!(audits["audits"].as_array().unwrap().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn management_lists_and_deletes_the_passkeys_a_user_registered() {
    let (_h, c) = start_default().await;
    let a = descope_emulator::SoftAuthenticator::new("https://app.example.com");
    let (tid, options) = {
        let r = c
            .post(
                "/v1/auth/webauthn/signup/start",
                None,
                json!({"user": {"loginId": "pk@example.com"}, "origin": a.origin()}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
        (
            r.json["transactionId"].as_str().unwrap().to_string(),
            r.json["options"].as_str().unwrap().to_string(),
        )
    };
    let response = a.create(&options).expect("authenticator registers");
    let r = c
        .post(
            "/v1/auth/webauthn/signup/finish",
            None,
            json!({"transactionId": tid, "response": response}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let list = ok(
        &c,
        "/v1/mgmt/user/passkeys/list",
        json!({"loginId": "pk@example.com"}),
    )
    .await;
    let keys = list["passkeys"].as_array().unwrap().clone();
    assert_eq!(keys.len(), 1);
    let cred = keys[0]["credentialId"].as_str().unwrap().to_string();
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/user/passkey/delete",
            json!({"loginId": "pk@example.com", "credentialId": "nope"}),
        )
        .await,
        404,
    );
    ok(
        &c,
        "/v1/mgmt/user/passkey/delete",
        json!({"loginId": "pk@example.com", "credentialId": cred}),
    )
    .await;
    let list = ok(
        &c,
        "/v1/mgmt/user/passkeys/list",
        json!({"loginId": "pk@example.com"}),
    )
    .await;
    assert_eq!(list["passkeys"], json!([]));
    assert_eq!(
        get_ok(&c, "/v1/mgmt/user?loginId=pk@example.com").await["user"]["webauthn"],
        false
    );
    ok(
        &c,
        "/v1/mgmt/user/passkeys/delete",
        json!({"loginId": "pk@example.com"}),
    )
    .await;
}

/// The older authz API's file-system schema (as the SDK READMEs of that time showed it), plus a
/// `viewer` that any owner or a target set gets.
fn authz_schema() -> Value {
    let union = |children: Value| json!({"nType": "union", "children": children});
    let child = |e: Value| json!({"nType": "child", "expression": e});
    json!({"name": "Files", "namespaces": [
        {"name": "org", "relationDefinitions": [
            {"name": "parent"},
            {"name": "member", "complexDefinition": union(json!([
                child(json!({"neType": "self"})),
                child(json!({"neType": "relationLeft", "relationDefinition": "parent", "relationDefinitionNamespace": "org",
                    "targetRelationDefinition": "member", "targetRelationDefinitionNamespace": "org"})),
            ]))},
        ]},
        {"name": "folder", "relationDefinitions": [
            {"name": "parent"},
            {"name": "owner", "complexDefinition": union(json!([
                child(json!({"neType": "self"})),
                child(json!({"neType": "relationRight", "relationDefinition": "parent", "relationDefinitionNamespace": "folder",
                    "targetRelationDefinition": "owner", "targetRelationDefinitionNamespace": "folder"})),
            ]))},
            {"name": "viewer", "complexDefinition": union(json!([
                child(json!({"neType": "self"})),
                child(json!({"neType": "targetSet", "relationDefinition": "owner", "relationDefinitionNamespace": "folder"})),
            ]))},
        ]},
    ]})
}

#[tokio::test]
async fn authz_schema_relations_and_queries() {
    let (_h, c) = start_default().await;
    assert_descope_error(&c.mgmt("/v1/mgmt/authz/schema/load", json!({})).await, 404);
    ok(
        &c,
        "/v1/mgmt/authz/schema/save",
        json!({"schema": authz_schema(), "upgrade": false}),
    )
    .await;
    assert_eq!(
        ok(&c, "/v1/mgmt/authz/schema/load", json!({})).await["schema"],
        authz_schema()
    );
    let r = |res: &str, rd: &str, ns: &str, target: &str| json!({"resource": res, "relationDefinition": rd, "namespace": ns, "target": target});
    // Relations must name a relation definition of the schema.
    assert_descope_error(
        &c.mgmt(
            "/v1/mgmt/authz/re/create",
            json!({"relations": [r("x", "nope", "folder", "u")]}),
        )
        .await,
        400,
    );
    ok(
        &c,
        "/v1/mgmt/authz/re/create",
        json!({"relations": [
            r("root", "owner", "folder", "u1"),
            r("sub", "parent", "folder", "root"),
            r("eng", "parent", "org", "acme"),
            r("eng", "member", "org", "u2"),
            {"resource": "sub", "relationDefinition": "viewer", "namespace": "folder",
             "targetSetResource": "acme", "targetSetRelationDefinition": "member", "targetSetRelationDefinitionNamespace": "org"},
        ]}),
    )
    .await;
    let q = |res: &str, rd: &str, ns: &str, target: &str| r(res, rd, ns, target);
    let cases = [
        (q("sub", "owner", "folder", "u1"), true), // relationRight: owner of the parent
        (q("sub", "viewer", "folder", "u1"), true), // targetSet: owners are viewers
        (q("acme", "member", "org", "u2"), true),  // relationLeft: members of a child org
        (q("sub", "viewer", "folder", "u2"), true), // target set of acme members
        (q("root", "owner", "folder", "u2"), false),
        (q("root", "viewer", "folder", "u2"), false),
    ];
    let queries: Vec<Value> = cases.iter().map(|(q, _)| q.clone()).collect();
    let out = ok(
        &c,
        "/v1/mgmt/authz/re/has",
        json!({"relationQueries": queries}),
    )
    .await;
    for (i, (q, want)) in cases.iter().enumerate() {
        assert_eq!(out["relationQueries"][i]["hasRelation"], *want, "{q}");
    }
    let who = ok(
        &c,
        "/v1/mgmt/authz/re/who",
        json!({"resource": "sub", "relationDefinition": "viewer", "namespace": "folder"}),
    )
    .await;
    assert_eq!(who["targets"], json!(["u1", "u2"]));
    let of_u1 = ok(&c, "/v1/mgmt/authz/re/targets", json!({"targets": ["u1"]})).await;
    assert_eq!(
        of_u1["relations"],
        json!([r("root", "owner", "folder", "u1")])
    );
    assert_eq!(
        ok(&c, "/v1/mgmt/authz/re/resource", json!({"resource": "eng"})).await["relations"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let all =
        ok(&c, "/v1/mgmt/authz/re/targetall", json!({"target": "u1"})).await["relations"].clone();
    assert!(
        all.as_array()
            .unwrap()
            .contains(&r("sub", "viewer", "folder", "u1")),
        "{all}"
    );
    let owners = ok(
        &c,
        "/v1/mgmt/authz/re/targetwithrelation",
        json!({"target": "u1", "relationDefinition": "owner", "namespace": "folder"}),
    )
    .await;
    assert_eq!(owners["relations"].as_array().unwrap().len(), 2, "{owners}");
    let later = ok(&c, "/v1/mgmt/authz/getmodified", json!({"since": 0})).await;
    assert_eq!(later["schemaChanged"], true);
    assert!(later["resources"]
        .as_array()
        .unwrap()
        .contains(&json!("sub")));
    let future = ok(
        &c,
        "/v1/mgmt/authz/getmodified",
        json!({"since": 99_999_999_999_999i64}),
    )
    .await;
    assert_eq!(
        future,
        json!({"resources": [], "targets": [], "schemaChanged": false})
    );

    // Deleting a relation definition removes its relations; namespaces can be replaced.
    ok(
        &c,
        "/v1/mgmt/authz/rd/delete",
        json!({"name": "parent", "namespace": "folder"}),
    )
    .await;
    let out = ok(
        &c,
        "/v1/mgmt/authz/re/has",
        json!({"relationQueries": [q("sub", "owner", "folder", "u1")]}),
    )
    .await;
    assert_eq!(out["relationQueries"][0]["hasRelation"], false);
    ok(
        &c,
        "/v1/mgmt/authz/rd/save",
        json!({"relationDefinition": {"name": "parent"}, "namespace": "folder"}),
    )
    .await;
    ok(
        &c,
        "/v1/mgmt/authz/ns/save",
        json!({"namespace": {"name": "doc", "relationDefinitions": [{"name": "owner"}]}}),
    )
    .await;
    let names: Vec<String> = ok(&c, "/v1/mgmt/authz/schema/load", json!({})).await["schema"]
        ["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["org", "folder", "doc"]);
    ok(&c, "/v1/mgmt/authz/ns/delete", json!({"name": "org"})).await;
    assert_eq!(
        ok(&c, "/v1/mgmt/authz/re/resource", json!({"resource": "eng"})).await["relations"],
        json!([])
    );
    ok(
        &c,
        "/v1/mgmt/authz/re/deleteresources",
        json!({"resources": ["root"]}),
    )
    .await;
    assert_eq!(
        ok(&c, "/v1/mgmt/authz/re/targets", json!({"targets": ["u1"]})).await["relations"],
        json!([])
    );
    ok(&c, "/v1/mgmt/authz/schema/delete", json!({})).await;
    assert_descope_error(&c.mgmt("/v1/mgmt/authz/schema/load", json!({})).await, 404);
}

#[tokio::test]
async fn user_search_sorts_and_filters_by_sso_app_and_creation_time() {
    let (_h, c) = start_default().await;
    for (login, name, app) in [
        ("c@example.com", "carol", "app1"),
        ("a@example.com", "Alice", "app2"),
        ("b@example.com", "bob", "app1"),
    ] {
        ok(
            &c,
            "/v1/mgmt/user/create",
            json!({"loginId": login, "displayName": name, "ssoAppIDs": [app]}),
        )
        .await;
    }
    let names = |v: &Value| -> Vec<String> {
        v["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap().to_string())
            .collect()
    };
    let asc = ok(
        &c,
        "/v2/mgmt/user/search",
        json!({"sort": [{"field": "name", "desc": false}]}),
    )
    .await;
    assert_eq!(names(&asc), ["Alice", "bob", "carol"]);
    let desc = ok(
        &c,
        "/v2/mgmt/user/search",
        json!({"sort": [{"field": "name", "desc": true}], "limit": 2}),
    )
    .await;
    assert_eq!(names(&desc), ["carol", "bob"]);
    assert_eq!(desc["total"], 3);
    let app1 = ok(
        &c,
        "/v2/mgmt/user/search",
        json!({"ssoAppIds": ["app1"], "sort": [{"field": "name"}]}),
    )
    .await;
    assert_eq!(names(&app1), ["bob", "carol"]);
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let future = ok(
        &c,
        "/v2/mgmt/user/search",
        json!({"fromCreatedTime": now_ms + 60_000}),
    )
    .await;
    assert_eq!(future["total"], 0);
    let past = ok(
        &c,
        "/v2/mgmt/user/search",
        json!({"toCreatedTime": now_ms + 60_000}),
    )
    .await;
    assert_eq!(past["total"], 3);
}
