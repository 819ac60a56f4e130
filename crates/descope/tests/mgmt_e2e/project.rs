//! The project: name, tags, clone, list, and an export imported into a fresh emulator.

use std::collections::BTreeSet;

use descope::descope_mgmt::AssociatedTenant;
use descope_emulator::Emulator;

use crate::fga::README_SCHEMA;
use crate::support::*;

#[tokio::test]
async fn an_export_imported_into_a_fresh_emulator_gives_the_same_state() {
    let env = start().await;
    let m = env.client.mgmt();
    m.project().update_name("Shop").await.unwrap();
    m.project().update_tags(["dev", "rust"]).await.unwrap();
    let tenant = m.tenant().create("Acme").await.unwrap();
    m.permission()
        .create("read", Some("Read things"))
        .await
        .unwrap();
    m.role()
        .create("reader")
        .permission_names(["read"])
        .await
        .unwrap();
    m.role()
        .create("tenant-admin")
        .tenant_id(&tenant)
        .await
        .unwrap();
    for login in ["amy@example.com", "bob@example.com"] {
        m.user()
            .create(login)
            .email(login)
            .role_names(["reader"])
            .user_tenants([AssociatedTenant::new(&tenant).role_names(["tenant-admin"])])
            .await
            .unwrap();
    }
    m.user()
        .set_active_password("amy@example.com", PASSWORD)
        .await
        .unwrap();
    let key = m
        .access_key()
        .create("ci")
        .role_names(["reader"])
        .await
        .unwrap();
    m.fga().save_schema(README_SCHEMA).await.unwrap();
    let files = m.project().export_project().await.unwrap();
    assert!(files.0.contains_key("users.json"));

    let fresh = Emulator::builder().start().await.unwrap();
    let c2 = client_for(&fresh);
    let m2 = c2.mgmt();
    assert!(m2.tenant().load_all().await.unwrap().is_empty());
    m2.project().import_project(files).await.unwrap();

    let ids = |users: Vec<descope::descope_core::types::User>| -> BTreeSet<(String, Vec<String>)> {
        users
            .into_iter()
            .map(|u| (u.user_id, u.login_ids))
            .collect()
    };
    let before = m.user().search_all().await.unwrap().users;
    let after = m2.user().search_all().await.unwrap().users;
    assert_eq!(before.len(), 2);
    assert_eq!(ids(before.clone()), ids(after.clone()));
    assert_eq!(before, after, "the same users, field for field");
    assert_eq!(
        m.tenant().load_all().await.unwrap(),
        m2.tenant().load_all().await.unwrap()
    );
    assert_eq!(
        m.role().load_all().await.unwrap(),
        m2.role().load_all().await.unwrap()
    );
    assert_eq!(
        m.permission().load_all().await.unwrap(),
        m2.permission().load_all().await.unwrap()
    );
    assert_eq!(
        m.access_key().search_all_access_keys().await.unwrap(),
        m2.access_key().search_all_access_keys().await.unwrap()
    );
    let projects = m2.project().list_projects().await.unwrap();
    assert_eq!(projects[0].name, "Shop");
    assert_eq!(projects[0].tags, ["dev", "rust"]);

    // The imported password, access key and roles work against the new emulator's keys.
    let signed = c2
        .password()
        .sign_in("amy@example.com", PASSWORD)
        .await
        .unwrap();
    assert_eq!(signed.session.as_ref().unwrap().permissions(), ["read"]);
    let exchanged = c2
        .exchange_access_key(key.cleartext.expose(), None, None)
        .await
        .unwrap();
    assert_eq!(exchanged.session.roles(), ["reader"]);

    // Clone makes a new project that the list shows.
    let cloned = m2.project().clone_project("Shop copy").await.unwrap();
    assert_eq!(cloned.project_name, "Shop copy");
    let names: Vec<String> = m2
        .project()
        .list_projects()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, ["Shop", "Shop copy"]);
    fresh.shutdown().await;
}
