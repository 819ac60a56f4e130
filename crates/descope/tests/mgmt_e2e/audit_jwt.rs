//! The audit trail (sign-ins, failed sign-ins, management changes, custom events) and the JWT
//! module (update, impersonation, management sign-in).

use descope::descope_mgmt::jwt::MgmtUser;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn audit_has_a_sign_in_a_failed_sign_in_and_management_changes() {
    let env = start().await;
    let m = env.client.mgmt();
    let tenant = m.tenant().create("Acme").await.unwrap();
    let login = "audited@example.com";
    let user = m
        .user()
        .create(login)
        .email(login)
        .user_tenants([descope::descope_mgmt::AssociatedTenant::new(&tenant)])
        .await
        .unwrap();
    m.user().set_active_password(login, PASSWORD).await.unwrap();
    env.client
        .password()
        .sign_in(login, PASSWORD)
        .await
        .unwrap();
    refused(
        env.client.password().sign_in(login, "Wr0ngPassword").await,
        401,
        UNAUTHORIZED,
    );
    m.audit()
        .create_event("pencil.created", "info", "UXXX", &tenant)
        .user_id(&user.user_id)
        .data([("some", json!("data"))])
        .await
        .unwrap();

    let ok = m.audit().search().actions(["LoginSucceed"]).await.unwrap();
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].user_id, user.user_id);
    assert_eq!(ok[0].method, "password");
    assert_eq!(ok[0].login_ids, [login]);
    assert_eq!(ok[0].tenants, vec![tenant.clone()]);
    assert_eq!(ok[0].project_id, env.emu.project_id());
    assert!(ok[0].occurred > 1_600_000_000_000, "epoch milliseconds");
    let failed = m.audit().search().actions(["LoginFailed"]).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].user_id, user.user_id);
    assert_eq!(failed[0].login_ids, [login]);

    // Management changes are recorded too; filters combine.
    let changes = m
        .audit()
        .search()
        .excluded_actions(["LoginSucceed", "LoginFailed", "pencil.created"])
        .await
        .unwrap();
    let actions: Vec<&str> = changes.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["UserModified", "UserCreated", "TenantCreated"]);
    let mine = m
        .audit()
        .search()
        .user_ids([user.user_id.clone()])
        .methods(["password"])
        .await
        .unwrap();
    assert_eq!(mine.len(), 2);
    let event = m.audit().search().text("pencil").await.unwrap();
    assert_eq!(event.len(), 1);
    assert_eq!(event[0].data["some"], "data");
    assert_eq!(event[0].tenants, vec![tenant.clone()]);
    assert!(m
        .audit()
        .search()
        .actions(["LoginSucceed"])
        .no_tenants(true)
        .await
        .unwrap()
        .is_empty());
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    assert!(m.audit().search().from(later).await.unwrap().is_empty());
    refused(
        m.audit()
            .create_event("x", "info", "a", "no-such-tenant")
            .await,
        400,
        BAD_REQUEST,
    );
}

#[tokio::test]
async fn jwt_update_impersonation_and_management_sign_in() {
    let env = start().await;
    let m = env.client.mgmt();
    for login in ["support@example.com", "customer@example.com"] {
        m.user().create(login).email(login).await.unwrap();
    }
    let signed = m.jwt().sign_in("support@example.com").await.unwrap();
    assert_eq!(signed.user.login_ids, ["support@example.com"]);
    let session_jwt = signed.session_token().unwrap().to_string();

    // Custom claims on an existing token, re-signed (it validates against the JWKS).
    let updated = m
        .jwt()
        .update_jwt(&session_jwt, [("plan", json!("gold"))])
        .await
        .unwrap();
    let s = env.client.validate_session(&updated, None).await.unwrap();
    assert_eq!(s.claim("plan"), Some(&json!("gold")));
    assert_eq!(s.subject(), signed.session.as_ref().unwrap().subject());

    // Impersonation needs the permission.
    refused(
        m.jwt()
            .impersonate("support@example.com", "customer@example.com", false)
            .await,
        403,
        FORBIDDEN,
    );
    m.permission().create("Impersonate", None).await.unwrap();
    m.role()
        .create("support")
        .permission_names(["Impersonate"])
        .await
        .unwrap();
    m.user()
        .add_roles("support@example.com", ["support"])
        .await
        .unwrap();
    let rt = m
        .jwt()
        .impersonate("support@example.com", "customer@example.com", false)
        .custom_claims([("ticket", json!(42))])
        .await
        .unwrap();
    let as_customer = env.client.refresh_session(&rt, None).await.unwrap();
    let session = as_customer.session.as_ref().unwrap();
    let customer = m.user().load("customer@example.com").await.unwrap();
    assert_eq!(session.subject(), Some(customer.user_id.as_str()));
    assert_eq!(session.claim("ticket"), Some(&json!(42)));
    assert_eq!(
        session.claim("act").unwrap()["sub"],
        json!(signed.user_id),
        "the token names the impersonator"
    );
    let back = m.jwt().stop_impersonation(&rt).await.unwrap();
    let as_support = env.client.refresh_session(&back, None).await.unwrap();
    assert_eq!(as_support.user_id, signed.user_id);
    refused(
        env.client.refresh_session(&rt, None).await,
        401,
        UNAUTHORIZED,
    );

    // Management sign-up, sign-up-or-in and anonymous.
    let up = m
        .jwt()
        .sign_up("new@example.com")
        .user(
            MgmtUser::new()
                .email("new@example.com")
                .name("New")
                .email_verified(true),
        )
        .await
        .unwrap();
    assert!(up.first_seen);
    assert!(up.user.verified_email);
    refused(m.jwt().sign_up("new@example.com").await, 409, CONFLICT);
    let again = m.jwt().sign_up_or_in("new@example.com").await.unwrap();
    assert!(!again.first_seen);
    assert_eq!(again.user_id, up.user_id);
    let anon = m
        .jwt()
        .anonymous()
        .custom_claims([("cart", json!(3))])
        .await
        .unwrap();
    let a = anon.session.as_ref().unwrap();
    assert_eq!(a.claim("danu"), Some(&json!(true)));
    assert_eq!(a.claim("cart"), Some(&json!(3)));
}
