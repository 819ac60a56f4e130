//! Step-up, refresh, tenant selection, logout, the signed-in user, and access keys, over HTTP
//! against the emulator.

use std::time::Duration;

use descope::descope_mgmt::AssociatedTenant;
use descope::{
    AccessKeyLoginOptions, DeliveryMethod, LoginOptions, TenantSelection, TokenErrorKind,
};
use descope_emulator::Emulator;

use crate::support::*;

const PASSWORD: &str = "Tr0ub4dor-3";

// ---- step-up and MFA ----

#[tokio::test]
async fn step_up_with_an_otp_adds_the_method_to_the_session_s_amr() {
    let env = start().await;
    let login = "stepper@example.com";
    let first = env
        .client
        .password()
        .sign_up(login, PASSWORD)
        .await
        .unwrap();
    assert_eq!(session(&first).amr(), ["pwd"]);

    env.client
        .otp()
        .sign_in(DeliveryMethod::Email, login)
        .options(LoginOptions::new().stepup(true).custom_claim("level", 2))
        .refresh_token(refresh(&first))
        .await
        .unwrap();
    let stepped = env
        .client
        .otp()
        .verify_code(DeliveryMethod::Email, login, env.code(login))
        .await
        .unwrap();
    let s = session(&stepped);
    assert_eq!(stepped.user_id, first.user_id, "the same user");
    assert_eq!(s.amr(), ["pwd", "email"], "the step-up adds its factor");
    assert_eq!(s.claim("level"), Some(&serde_json::json!(2)));
    // The stepped-up refresh token carries the factors on.
    let refreshed = env
        .client
        .refresh_session(&refresh(&stepped), None)
        .await
        .unwrap();
    assert_eq!(session(&refreshed).amr(), ["pwd", "email"]);
}

#[tokio::test]
async fn step_up_with_totp_and_mfa_with_a_magic_link_build_on_the_session() {
    let env = start().await;
    let login = "factors@example.com";
    let first = env.sign_in_otp(login).await;
    let p = env
        .client
        .totp()
        .update_user(login, refresh(&first))
        .await
        .unwrap();
    let stepped = env
        .client
        .totp()
        .sign_in_code(login, totp_code(&p.key))
        .options(LoginOptions::new().stepup(true))
        .refresh_token(refresh(&first))
        .await
        .unwrap();
    assert_eq!(session(&stepped).amr(), ["email", "totp"]);

    env.client
        .magic_link()
        .sign_in(DeliveryMethod::Email, login, "http://localhost/verify")
        .options(LoginOptions::new().mfa(true))
        .refresh_token(refresh(&first))
        .await
        .unwrap();
    let mfa = env
        .client
        .magic_link()
        .verify(env.link_token(login))
        .await
        .unwrap();
    assert_eq!(mfa.user_id, first.user_id);
    assert_eq!(
        session(&mfa).amr(),
        ["email"],
        "the same factor is not repeated"
    );
}

#[tokio::test]
async fn step_up_is_refused_without_a_refresh_token_or_with_a_revoked_one() {
    let env = start().await;
    let login = "nostep@example.com";
    let jwt = env.sign_in_otp(login).await;
    let before = env.emu.outbox().len();
    invalid(
        env.client
            .otp()
            .sign_in(DeliveryMethod::Email, login)
            .options(LoginOptions::new().stepup(true))
            .await,
    );
    invalid(
        env.client
            .totp()
            .sign_in_code(login, "123456")
            .options(LoginOptions::new().mfa(true))
            .await,
    );
    invalid(
        env.client
            .enchanted_link()
            .sign_in(login, "http://localhost/verify")
            .options(LoginOptions::new().stepup(true))
            .await,
    );
    assert_eq!(env.emu.outbox().len(), before, "nothing was sent");

    env.client.logout(&refresh(&jwt)).await.unwrap();
    refused(
        env.client
            .otp()
            .sign_in(DeliveryMethod::Email, login)
            .options(LoginOptions::new().stepup(true))
            .refresh_token(refresh(&jwt))
            .await,
        401,
        UNAUTHORIZED,
    );
}

// ---- refresh, validate-and-refresh ----

#[tokio::test]
async fn refresh_gives_a_new_session_and_keeps_the_refresh_token() {
    let env = start().await;
    let jwt = env.sign_in_otp("fresh@example.com").await;
    let rt = refresh(&jwt);
    let refreshed = env.client.refresh_session(&rt, None).await.unwrap();
    assert_eq!(refreshed.user_id, jwt.user_id);
    assert_eq!(
        refreshed.refresh_token(),
        Some(rt.as_str()),
        "without a new refresh token the given one is kept"
    );
    env.client
        .validate_session(session(&refreshed).token(), None)
        .await
        .unwrap();
}

#[tokio::test]
async fn validate_and_refresh_renews_an_expired_session_and_keeps_a_valid_one() {
    // Two-second sessions and one second of leeway: whole-second claims leave a token valid for
    // at least two seconds after it is issued, and surely expired three seconds later.
    let env = start_with(
        Emulator::builder().session_ttl(Duration::from_secs(2)),
        Some(Duration::from_secs(1)),
    )
    .await;
    let jwt = env.sign_in_otp("expiring@example.com").await;
    let st = session(&jwt).token().to_owned();
    let rt = refresh(&jwt);
    let same = env
        .client
        .validate_and_refresh_session(&st, &rt, None)
        .await
        .unwrap();
    assert_eq!(
        same.session_token(),
        Some(st.as_str()),
        "a valid session is kept"
    );

    tokio::time::sleep(Duration::from_millis(3100)).await;
    let e = env.client.validate_session(&st, None).await.unwrap_err();
    assert_eq!(e.token_kind(), Some(TokenErrorKind::Expired), "{e}");
    let renewed = env
        .client
        .validate_and_refresh_session(&st, &rt, None)
        .await
        .unwrap();
    assert_ne!(renewed.session_token(), Some(st.as_str()));
    assert_eq!(renewed.user_id, jwt.user_id);

    // Missing tokens are refused without a call.
    let e = env
        .client
        .validate_and_refresh_session("", &rt, None)
        .await
        .unwrap_err();
    assert_eq!(e.token_kind(), Some(TokenErrorKind::Missing));
    let e = env
        .client
        .validate_and_refresh_session(&st, "", None)
        .await
        .unwrap_err();
    assert_eq!(e.token_kind(), Some(TokenErrorKind::Missing));
}

#[tokio::test]
async fn refresh_with_a_session_token_or_a_tampered_token_is_refused() {
    let env = start().await;
    let jwt = env.sign_in_otp("tamper@example.com").await;
    // A session token is not a refresh token: the API refuses it.
    refused(
        env.client
            .refresh_session(session(&jwt).token(), None)
            .await,
        401,
        UNAUTHORIZED,
    );
    // A tampered refresh token fails locally, before any call.
    let rt = refresh(&jwt);
    let (signed, sig) = rt.rsplit_once('.').unwrap();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    let tampered = format!("{signed}.{flipped}{}", &sig[1..]);
    let e = env
        .client
        .refresh_session(&tampered, None)
        .await
        .unwrap_err();
    assert_eq!(e.token_kind(), Some(TokenErrorKind::BadSignature), "{e}");
}

// ---- tenants, logout, me, history ----

#[tokio::test]
async fn select_tenant_sets_the_current_tenant_and_my_tenants_reads_it() {
    let env = start().await;
    let mgmt = env.client.mgmt();
    let t1 = mgmt.tenant().create("Acme").await.unwrap();
    let t2 = mgmt.tenant().create("Globex").await.unwrap();
    let outside = mgmt.tenant().create("Initech").await.unwrap();
    let login = "member@example.com";
    mgmt.user()
        .create_test_user(login)
        .email(login)
        .user_tenants([AssociatedTenant::new(&t1), AssociatedTenant::new(&t2)])
        .await
        .unwrap();
    let jwt = env.sign_in_test_user(login).await;
    let rt = refresh(&jwt);
    assert_eq!(session(&jwt).selected_tenant(), None);

    let selected = env.client.select_tenant(&t2, &rt).await.unwrap();
    assert_eq!(session(&selected).selected_tenant(), Some(t2.as_str()));
    let selected_rt = refresh(&selected);
    // The selection survives a refresh.
    let refreshed = env
        .client
        .refresh_session(&selected_rt, None)
        .await
        .unwrap();
    assert_eq!(session(&refreshed).selected_tenant(), Some(t2.as_str()));

    let current = env
        .client
        .my_tenants(&selected_rt, &TenantSelection::Current)
        .await
        .unwrap();
    assert_eq!(current.len(), 1);
    assert_eq!(
        (current[0].id.as_str(), current[0].name.as_str()),
        (t2.as_str(), "Globex")
    );
    let named = env
        .client
        .my_tenants(
            &rt,
            &TenantSelection::Ids(vec![t1.clone(), outside.clone()]),
        )
        .await
        .unwrap();
    assert_eq!(
        named.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        [t1.as_str()],
        "only the user's own tenants among those named"
    );
    invalid(
        env.client
            .my_tenants(&rt, &TenantSelection::Ids(vec![]))
            .await,
    );
    refused(
        env.client.select_tenant(&outside, &rt).await,
        400,
        BAD_REQUEST,
    );
}

#[tokio::test]
async fn logout_ends_one_session_and_logout_all_ends_every_session() {
    let env = start().await;
    let login = "leaver@example.com";
    let a = refresh(&env.sign_in_otp(login).await);
    let b = refresh(&env.sign_in_otp(login).await);
    let c = refresh(&env.sign_in_otp(login).await);

    env.client.logout(&a).await.unwrap();
    refused(
        env.client.refresh_session(&a, None).await,
        401,
        UNAUTHORIZED,
    );
    env.client.refresh_session(&b, None).await.unwrap();

    env.client.logout_all(&b).await.unwrap();
    for rt in [&b, &c] {
        refused(
            env.client.refresh_session(rt, None).await,
            401,
            UNAUTHORIZED,
        );
        refused(env.client.me(rt).await, 401, UNAUTHORIZED);
    }
    refused(env.client.logout(&c).await, 401, UNAUTHORIZED);
}

#[tokio::test]
async fn me_and_history_describe_the_signed_in_user() {
    let env = start().await;
    let login = "curious@example.com";
    let user_id = env.test_user(login).await;
    env.sign_in_test_user(login).await;
    let jwt = env.sign_in_test_user(login).await;
    let rt = refresh(&jwt);

    let me = env.client.me(&rt).await.unwrap();
    assert_eq!(me.user_id, user_id);
    assert_eq!(me.login_ids, [login]);
    assert_eq!(me.email, login);
    assert_eq!(me.phone, "+12025550188");

    let history = env.client.history(&rt).await.unwrap();
    assert_eq!(history.len(), 2, "one record per sign-in");
    assert!(history.iter().all(|h| h.user_id == user_id));
    assert!(history.iter().all(|h| h.ip == "127.0.0.1"), "{history:?}");
    assert!(history.iter().all(|h| h.login_time > 0));

    refused(env.client.me("not-a-token").await, 401, UNAUTHORIZED);
}

// ---- access keys ----

#[tokio::test]
async fn access_key_exchange_gives_a_session_with_the_key_s_roles_tenant_and_claims() {
    let env = start().await;
    let mgmt = env.client.mgmt();
    mgmt.permission().create("jobs.run", None).await.unwrap();
    mgmt.role()
        .create("runner")
        .permission_names(["jobs.run"])
        .await
        .unwrap();
    let tenant = mgmt.tenant().create("Batch Co").await.unwrap();
    let created = mgmt
        .access_key()
        .create("ci")
        .role_names(["runner"])
        .key_tenants([AssociatedTenant::new(&tenant).role_names(["runner"])])
        .custom_claims([("team", "infra")])
        .await
        .unwrap();
    assert!(
        !format!("{created:?}").contains(created.cleartext.expose()),
        "the cleartext stays out of Debug"
    );

    let options = AccessKeyLoginOptions::new()
        .selected_tenant(&tenant)
        .custom_claim("job", "nightly");
    let r = env
        .client
        .exchange_access_key(created.cleartext.expose(), None, Some(&options))
        .await
        .unwrap();
    assert_eq!(r.key_id, created.key.id);
    let s = &r.session;
    assert_eq!(s.user_id(), created.key.id, "the key is the subject");
    assert!(env.client.validate_roles(s, &["runner"]));
    assert!(env.client.validate_permissions(s, &["jobs.run"]));
    assert!(env
        .client
        .validate_tenant_permissions(s, &tenant, &["jobs.run"]));
    assert_eq!(s.selected_tenant(), Some(tenant.as_str()));
    assert_eq!(s.claim("team"), Some(&serde_json::json!("infra")));
    assert_eq!(
        s.claim("nsec"),
        Some(&serde_json::json!({"job": "nightly"})),
        "login-time custom claims"
    );
    env.client.validate_session(s.token(), None).await.unwrap();
}

#[tokio::test]
async fn access_key_unknown_deactivated_or_outside_its_tenants_is_refused() {
    let env = start().await;
    let mgmt = env.client.mgmt();
    let outside = mgmt.tenant().create("Elsewhere").await.unwrap();
    let created = mgmt.access_key().create("temp").await.unwrap();
    let key = created.cleartext.expose();

    refused(
        env.client
            .exchange_access_key(
                key,
                None,
                Some(&AccessKeyLoginOptions::new().selected_tenant(&outside)),
            )
            .await,
        400,
        BAD_REQUEST,
    );
    refused(
        env.client
            .exchange_access_key("not-a-real-key", None, None)
            .await,
        401,
        UNAUTHORIZED,
    );
    mgmt.access_key().deactivate(&created.key.id).await.unwrap();
    refused(
        env.client.exchange_access_key(key, None, None).await,
        401,
        UNAUTHORIZED,
    );
    mgmt.access_key().activate(&created.key.id).await.unwrap();
    env.client
        .exchange_access_key(key, None, None)
        .await
        .unwrap();
    invalid(env.client.exchange_access_key("", None, None).await);
}

#[tokio::test]
async fn step_up_for_another_user_s_login_id_is_refused() {
    // A step-up builds on the session of the refresh token; the login ID must be that session's
    // user. Otherwise one user's factors (and selected tenant) would flow into another's session.
    let env = start().await;
    let mallory = env.sign_in_otp("mallory@example.com").await;
    let victim = "victim@example.com";
    env.sign_in_otp(victim).await;
    let start = env
        .client
        .otp()
        .sign_in(DeliveryMethod::Email, victim)
        .options(LoginOptions::new().stepup(true))
        .refresh_token(refresh(&mallory))
        .await;
    let outcome = match start {
        Err(e) => Err(e),
        Ok(_) => env
            .client
            .otp()
            .verify_code(DeliveryMethod::Email, victim, env.code(victim))
            .await
            .map(|jwt| session(&jwt).amr().to_vec()),
    };
    let e = outcome.expect_err("the step-up must not cross users");
    assert!(
        matches!(e.status(), Some(400 | 401 | 403)),
        "a client error, got: {e}"
    );
}
