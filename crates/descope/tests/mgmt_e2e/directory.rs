//! Tenants, permissions, roles, users and access keys.

use descope::descope_mgmt::role::RoleRef;
use descope::descope_mgmt::{AssociatedTenant, BatchUser};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn tenants_load_search_settings_and_delete() {
    let env = start().await;
    let t = env.client.mgmt().tenant();
    let id = t
        .create("Acme")
        .self_provisioning_domains(["acme.com"])
        .custom_attributes([("tier", json!("gold"))])
        .await
        .unwrap();
    refused(t.create("Acme").await, 409, CONFLICT);
    let loaded = t.load(&id).await.unwrap();
    assert_eq!(loaded.name, "Acme");
    assert_eq!(loaded.self_provisioning_domains, ["acme.com"]);
    assert_eq!(loaded.custom_attributes["tier"], "gold");
    t.update(&id, "Acme Inc").await.unwrap();
    let loaded = t.load(&id).await.unwrap();
    assert_eq!(loaded.name, "Acme Inc");
    assert!(
        loaded.self_provisioning_domains.is_empty(),
        "update is a full override"
    );
    t.patch_tenant(&id)
        .self_provisioning_domains(["b.com"])
        .await
        .unwrap();
    assert_eq!(
        t.load(&id).await.unwrap().name,
        "Acme Inc",
        "patch keeps the name"
    );
    let other = t.create("Other").await.unwrap();
    let found = t.search_all().names(["Other"]).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, other);
    assert_eq!(t.load_all().await.unwrap().len(), 2);

    t.update_settings(&id, ["c.com"])
        .session_settings_enabled(true)
        .refresh_token_expiration(3)
        .refresh_token_expiration_unit("days")
        .await
        .unwrap();
    let settings = t.load_settings(&id).await.unwrap();
    assert_eq!(settings.self_provisioning_domains, ["c.com"]);
    assert!(settings.enabled);
    assert_eq!(settings.extra["refreshTokenExpiration"], 3);
    assert_eq!(
        t.load(&id).await.unwrap().self_provisioning_domains,
        ["c.com"]
    );

    t.delete(&other, false).await.unwrap();
    refused(t.load(&other).await, 404, NOT_FOUND);
    assert_eq!(t.load_all().await.unwrap().len(), 1);
}

#[tokio::test]
async fn permissions_and_roles_and_a_granted_role_shows_in_the_next_jwt() {
    let env = start().await;
    let m = env.client.mgmt();
    m.permission().create("read", Some("Read")).await.unwrap();
    m.permission().create("write", None).await.unwrap();
    m.permission()
        .update("write", "edit", Some("Edit"))
        .await
        .unwrap();
    let perms = m.permission().load_all().await.unwrap();
    let names: Vec<&str> = perms.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["edit", "read"]);
    assert_eq!(perms[0].description, "Edit");

    let tenant = m.tenant().create("Acme").await.unwrap();
    m.role()
        .create("reader")
        .permission_names(["read"])
        .await
        .unwrap();
    m.role()
        .create("editor")
        .permission_names(["edit"])
        .tenant_id(&tenant)
        .await
        .unwrap();
    refused(m.role().create("reader").await, 409, CONFLICT);
    let like = m.role().search().role_name_like("EDI").await.unwrap();
    assert_eq!(like.len(), 1);
    assert_eq!(like[0].tenant_id, tenant);
    let by_perm = m.role().search().permission_names(["read"]).await.unwrap();
    assert_eq!(by_perm.len(), 1);
    assert_eq!(by_perm[0].name, "reader");

    // A signed-in user gets a role; the next refresh carries it and its permission.
    let login = "role.user@example.com";
    m.user()
        .create(login)
        .email(login)
        .user_tenants([AssociatedTenant::new(&tenant)])
        .await
        .unwrap();
    m.user().set_active_password(login, PASSWORD).await.unwrap();
    let signed = env
        .client
        .password()
        .sign_in(login, PASSWORD)
        .await
        .unwrap();
    let rt = signed.refresh_token().unwrap().to_string();
    assert!(signed.roles().is_empty());
    m.user().add_roles(login, ["reader"]).await.unwrap();
    m.user()
        .add_tenant_roles(login, &tenant, ["editor"])
        .await
        .unwrap();
    let next = env.client.refresh_session(&rt, None).await.unwrap();
    let session = next.session.as_ref().unwrap();
    assert_eq!(session.roles(), ["reader"]);
    assert_eq!(session.permissions(), ["read"]);
    assert_eq!(
        session.claim("tenants").unwrap()[&tenant]["permissions"],
        json!(["edit"])
    );
    // A rename of a role and of a permission reaches the user's next JWT.
    m.permission().update("read", "view", None).await.unwrap();
    m.role()
        .update("reader", "viewer")
        .permission_names(["view"])
        .await
        .unwrap();
    let next = env.client.refresh_session(&rt, None).await.unwrap();
    assert_eq!(next.session.as_ref().unwrap().roles(), ["viewer"]);
    assert_eq!(next.session.as_ref().unwrap().permissions(), ["view"]);
    // Removing the role takes it out again; a deleted role is gone from the list.
    m.user().remove_roles(login, ["viewer"]).await.unwrap();
    m.role().delete("viewer", None).await.unwrap();
    let next = env.client.refresh_session(&rt, None).await.unwrap();
    assert!(next.session.as_ref().unwrap().roles().is_empty());
    assert_eq!(m.role().load_all().await.unwrap().len(), 1);
    m.role()
        .delete_batch([RoleRef::in_tenant("editor", &tenant)], None)
        .await
        .unwrap();
    assert!(m.role().load_all().await.unwrap().is_empty());
    m.permission().delete("edit").await.unwrap();
    assert_eq!(m.permission().load_all().await.unwrap().len(), 1);
}

#[tokio::test]
async fn users_remaining_calls_keep_consistent_state() {
    let env = start().await;
    let u = env.client.mgmt().user();
    let a = u
        .create("a@example.com")
        .email("a@example.com")
        .await
        .unwrap();
    u.create("b@example.com").display_name("B").await.unwrap();
    // patch batch: one patched, one failed.
    let out = u
        .patch_batch(
            [
                BatchUser::new("a@example.com").display_name("Ann"),
                BatchUser::new("ghost@example.com").display_name("X"),
            ],
            false,
        )
        .await
        .unwrap();
    assert_eq!(out["patchedUsers"].as_array().unwrap().len(), 1);
    assert_eq!(out["failedUsers"].as_array().unwrap().len(), 1);
    assert_eq!(u.load("a@example.com").await.unwrap().name, "Ann");
    // Custom attribute definitions load back and are gone after delete.
    u.create_custom_attribute("plan", "Plan", "string")
        .await
        .unwrap();
    let attrs = u.load_custom_attributes().await.unwrap();
    assert_eq!(attrs["data"][0]["name"], "plan");
    u.delete_custom_attribute("plan").await.unwrap();
    assert_eq!(u.load_custom_attributes().await.unwrap()["data"], json!([]));
    // No OAuth sign-in, so no provider token; no passkeys.
    refused(
        u.get_provider_token("a@example.com", "google").await,
        404,
        NOT_FOUND,
    );
    assert_eq!(
        u.list_passkeys("a@example.com").await.unwrap()["passkeys"],
        json!([])
    );
    // Batch delete by user ID.
    u.delete_batch([a.user_id.clone()]).await.unwrap();
    refused(u.load("a@example.com").await, 404, NOT_FOUND);
    assert_eq!(u.search_all().await.unwrap().users.len(), 1);
}

#[tokio::test]
async fn access_keys_create_load_search_update_rotate_and_delete() {
    let env = start().await;
    let m = env.client.mgmt();
    m.permission().create("ci", None).await.unwrap();
    m.role()
        .create("builder")
        .permission_names(["ci"])
        .await
        .unwrap();
    let tenant = m.tenant().create("Acme").await.unwrap();
    let created = m
        .access_key()
        .create("deploy")
        .role_names(["builder"])
        .description("CI")
        .await
        .unwrap();
    let id = created.key.id.clone();
    let other = m
        .access_key()
        .create("tenant key")
        .key_tenants([AssociatedTenant::new(&tenant)])
        .await
        .unwrap();
    assert_eq!(m.access_key().load(&id).await.unwrap().name, "deploy");
    let in_tenant = m
        .access_key()
        .search_all_access_keys()
        .tenant_ids([tenant.clone()])
        .await
        .unwrap();
    assert_eq!(in_tenant.len(), 1);
    assert_eq!(in_tenant[0].id, other.key.id);
    let exchanged = env
        .client
        .exchange_access_key(created.cleartext.expose(), None, None)
        .await
        .unwrap();
    assert_eq!(exchanged.session.permissions(), ["ci"]);

    m.access_key().update(&id, "deploy-2").await.unwrap();
    assert_eq!(m.access_key().load(&id).await.unwrap().name, "deploy-2");
    m.access_key().deactivate(&id).await.unwrap();
    assert_eq!(m.access_key().load(&id).await.unwrap().status, "inactive");
    refused(
        env.client
            .exchange_access_key(created.cleartext.expose(), None, None)
            .await,
        401,
        UNAUTHORIZED,
    );
    m.access_key().activate(&id).await.unwrap();
    let rotated = m.access_key().rotate(&id).await.unwrap();
    refused(
        env.client
            .exchange_access_key(created.cleartext.expose(), None, None)
            .await,
        401,
        UNAUTHORIZED,
    );
    env.client
        .exchange_access_key(rotated.expose(), None, None)
        .await
        .unwrap();
    m.access_key()
        .delete_batch([other.key.id.clone()])
        .await
        .unwrap();
    m.access_key().delete(&id).await.unwrap();
    refused(m.access_key().load(&id).await, 404, NOT_FOUND);
    assert!(m
        .access_key()
        .search_all_access_keys()
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn users_create_update_patch_search_status_and_history() {
    let env = start().await;
    let u = env.client.mgmt().user();
    let tenant = env.client.mgmt().tenant().create("Acme").await.unwrap();
    let created = u
        .create("ann@example.com")
        .email("ann@example.com")
        .display_name("Ann")
        .custom_attributes([("plan", json!("gold"))])
        .user_tenants([AssociatedTenant::new(&tenant)])
        .await
        .unwrap();
    refused(u.create("ann@example.com").await, 409, CONFLICT);
    for i in 0..4 {
        u.create_test_user(format!("test{i}@example.com"))
            .await
            .unwrap();
    }
    // update is a full override, patch changes only what it names.
    u.update("ann@example.com")
        .email("ann@example.com")
        .given_name("Ann")
        .await
        .unwrap();
    let loaded = u.load("ann@example.com").await.unwrap();
    assert_eq!(loaded.given_name, "Ann");
    assert_eq!(loaded.name, "", "update overrides the display name");
    assert!(loaded.user_tenants.is_empty());
    u.patch("ann@example.com")
        .display_name("Ann A")
        .await
        .unwrap();
    let loaded = u.load_by_user_id(&created.user_id).await.unwrap();
    assert_eq!(
        (loaded.name.as_str(), loaded.given_name.as_str()),
        ("Ann A", "Ann")
    );

    // Single-field updates.
    u.update_login_id("ann@example.com", Some("ann2@example.com"))
        .await
        .unwrap();
    refused(u.load("ann@example.com").await, 404, NOT_FOUND);
    u.update_phone("ann2@example.com", Some("+12025550111"))
        .await
        .unwrap();
    u.update_custom_attribute("ann2@example.com", "plan", "silver")
        .await
        .unwrap();
    u.add_tenant("ann2@example.com", &tenant).await.unwrap();
    let loaded = u.load("ann2@example.com").await.unwrap();
    assert_eq!(loaded.phone, "+12025550111");
    assert_eq!(loaded.custom_attributes["plan"], "silver");
    assert_eq!(loaded.user_tenants[0].tenant_id, tenant);

    // Search: test users apart, filters, pages.
    let page = u.search_all().await.unwrap();
    assert_eq!(page.users.len(), 1, "test users are left out by default");
    let tests = u.search_all_test_users().await.unwrap();
    assert_eq!(tests.total, 4);
    let by_tenant = u.search_all().tenant_ids([tenant.clone()]).await.unwrap();
    assert_eq!(by_tenant.users[0].user_id, created.user_id);
    let mut pages = u.search_all_test_users().limit(3).pages();
    let mut sizes = Vec::new();
    while let Some(p) = pages.next_page().await {
        sizes.push(p.unwrap().len());
    }
    assert_eq!(sizes, [3, 1]);

    // Deactivated users cannot sign in; activation lets them back.
    u.set_active_password("ann2@example.com", PASSWORD)
        .await
        .unwrap();
    env.client
        .password()
        .sign_in("ann2@example.com", PASSWORD)
        .await
        .unwrap();
    let history = u.history([created.user_id.clone()]).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].ip, "127.0.0.1");
    u.deactivate("ann2@example.com").await.unwrap();
    refused(
        env.client
            .password()
            .sign_in("ann2@example.com", PASSWORD)
            .await,
        403,
        FORBIDDEN,
    );
    assert_eq!(
        u.search_all()
            .statuses(["disabled"])
            .await
            .unwrap()
            .users
            .len(),
        1
    );
    u.activate("ann2@example.com").await.unwrap();
    let signed = env
        .client
        .password()
        .sign_in("ann2@example.com", PASSWORD)
        .await
        .unwrap();
    u.logout_user("ann2@example.com").await.unwrap();
    refused(
        env.client
            .refresh_session(signed.refresh_token().unwrap(), None)
            .await,
        401,
        UNAUTHORIZED,
    );

    u.delete_all_test_users().await.unwrap();
    assert_eq!(u.search_all_test_users().await.unwrap().total, 0);
    u.delete("ann2@example.com").await.unwrap();
    refused(u.load_by_user_id(&created.user_id).await, 404, NOT_FOUND);
}
