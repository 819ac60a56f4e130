//! Address updates by code and link, sign-in options that change the session, key rotation,
//! audiences, and the whole flow over HTTPS.

use std::time::Duration;

use descope::{
    Client, DeliveryMethod, LoginOptions, SignUpOptions, TokenErrorKind, ValidatorOptions,
};
use descope_emulator::Emulator;

use crate::support::*;

#[tokio::test]
async fn otp_update_phone_by_voice_adds_the_number_as_a_login_id() {
    let env = start().await;
    let login = "caller@example.com";
    let jwt = env.sign_in_otp(login).await;
    let phone = "+12025550199";
    let masked = env
        .client
        .otp()
        .update_user_phone(DeliveryMethod::Voice, login, phone, refresh(&jwt))
        .add_to_login_ids(true)
        .await
        .unwrap();
    assert_eq!(masked, "+*******0199");
    assert_eq!(env.emu.last_message(login).unwrap().method, "voice");
    env.client
        .otp()
        .verify_code(DeliveryMethod::Voice, login, env.code(login))
        .await
        .unwrap();
    let me = env.client.me(&refresh(&jwt)).await.unwrap();
    assert_eq!(me.phone, phone);
    assert!(me.verified_phone);
    assert_eq!(
        me.login_ids,
        [login, phone],
        "the number is now a login ID too"
    );
    // Updating refuses a malformed number before sending.
    invalid(
        env.client
            .otp()
            .update_user_phone(DeliveryMethod::Sms, login, "call me", refresh(&jwt))
            .await,
    );
    invalid(
        env.client
            .otp()
            .update_user_phone(DeliveryMethod::Email, login, phone, refresh(&jwt))
            .await,
    );
}

#[tokio::test]
async fn magic_link_update_email_sets_the_address_once_the_link_is_verified() {
    let env = start().await;
    let login = "relocating@example.com";
    let jwt = env.sign_in_otp(login).await;
    env.client
        .magic_link()
        .update_user_email(login, "relocated@example.net", refresh(&jwt))
        .await
        .unwrap();
    let before = env.client.me(&refresh(&jwt)).await.unwrap();
    assert_eq!(
        before.email, login,
        "nothing changes before the link is verified"
    );
    let msg = env.emu.last_message(login).unwrap();
    assert_eq!(msg.to, "relocated@example.net");
    env.client
        .magic_link()
        .verify(env.link_token(login))
        .await
        .unwrap();
    let after = env.client.me(&refresh(&jwt)).await.unwrap();
    assert_eq!(after.email, "relocated@example.net");
    invalid(
        env.client
            .magic_link()
            .update_user_email(login, "not an address", refresh(&jwt))
            .await,
    );
    refused(
        env.client
            .magic_link()
            .update_user_email(login, "x@example.net", "not-a-token")
            .await,
        401,
        UNAUTHORIZED,
    );
}

#[tokio::test]
async fn enchanted_link_update_email_completes_through_polling() {
    let env = start().await;
    let login = "enchanted-mover@example.com";
    let jwt = env.sign_in_otp(login).await;
    let start = env
        .client
        .enchanted_link()
        .update_user_email(login, "enchanted-moved@example.org", refresh(&jwt))
        .await
        .unwrap();
    assert_eq!(start.masked_email.as_deref(), Some("e***@example.org"));
    env.client
        .enchanted_link()
        .verify(env.link_token(login))
        .await
        .unwrap();
    let polled = env
        .client
        .enchanted_link()
        .poll_for_session(start.pending_ref)
        .interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(polled.user_id, jwt.user_id);
    assert_eq!(polled.user.email, "enchanted-moved@example.org");
}

#[tokio::test]
async fn login_options_custom_claims_and_revoke_other_sessions_shape_the_new_session() {
    let env = start().await;
    let login = "options@example.com";
    env.client
        .otp()
        .sign_up_or_in(DeliveryMethod::Email, login)
        .options(SignUpOptions::new().custom_claim("plan", "gold"))
        .await
        .unwrap();
    let first = env
        .client
        .otp()
        .verify_code(DeliveryMethod::Email, login, env.code(login))
        .await
        .unwrap();
    assert_eq!(
        session(&first).claim("plan"),
        Some(&serde_json::json!("gold")),
        "sign-up-or-in options become login options"
    );
    let other = refresh(&env.sign_in_otp(login).await);

    env.client
        .otp()
        .sign_in(DeliveryMethod::Email, login)
        .options(LoginOptions::new().revoke_other_sessions(true))
        .await
        .unwrap();
    let last = env
        .client
        .otp()
        .verify_code(DeliveryMethod::Email, login, env.code(login))
        .await
        .unwrap();
    for old in [refresh(&first), other] {
        refused(
            env.client.refresh_session(&old, None).await,
            401,
            UNAUTHORIZED,
        );
    }
    env.client
        .refresh_session(&refresh(&last), None)
        .await
        .unwrap();
}

#[tokio::test]
async fn sessions_signed_before_and_after_a_key_rotation_both_validate() {
    // The validator refetches the key set for an unknown key at most once per cooldown (10 s
    // by default); the test turns the cooldown off rather than wait.
    let emu = Emulator::builder().start().await.unwrap();
    let client = Client::builder_without_env()
        .project_id(emu.project_id())
        .base_url(emu.base_url())
        .validator_options(ValidatorOptions::default().refetch_cooldown(Duration::ZERO))
        .build()
        .unwrap();
    let env = Env { emu, client };
    let before = env.sign_in_otp("rotor@example.com").await;
    let old_kid = session(&before).key_id().to_owned();
    let fetches = env.client.validator().key_set_fetches();
    let new_kid = env.emu.rotate_keys().await.unwrap();
    assert_ne!(old_kid, new_kid);
    let after = env.sign_in_otp("rotor@example.com").await;
    assert_eq!(
        session(&after).key_id(),
        new_kid,
        "new tokens use the new key"
    );
    assert_eq!(
        env.client.validator().key_set_fetches(),
        fetches + 1,
        "the unknown key made the validator fetch the key set once more"
    );
    // The old key is still published for its grace period.
    env.client
        .validate_session(session(&before).token(), None)
        .await
        .unwrap();
    env.client
        .refresh_session(&refresh(&before), None)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_audience_the_token_does_not_carry_is_refused() {
    let env = start().await;
    let jwt = env.sign_in_otp("aud@example.com").await;
    let token = session(&jwt).token().to_owned();
    env.client.validate_session(&token, None).await.unwrap();
    let e = env
        .client
        .validate_session(&token, Some("some-other-api"))
        .await
        .unwrap_err();
    assert_eq!(e.token_kind(), Some(TokenErrorKind::WrongAudience), "{e}");
}

#[tokio::test]
async fn the_whole_otp_flow_works_over_https_with_the_emulator_s_ca() {
    let emu = Emulator::builder().tls(true).start().await.unwrap();
    assert!(emu.base_url().starts_with("https://"));
    let ca = emu.ca_pem().expect("a TLS emulator has a CA").to_owned();
    let client = Client::builder_without_env()
        .project_id(emu.project_id())
        .base_url(emu.base_url())
        .add_ca_pem(ca)
        .build()
        .unwrap();
    let login = "secure@example.com";
    client
        .otp()
        .sign_up_or_in(DeliveryMethod::Email, login)
        .await
        .unwrap();
    let code = emu.last_message(login).and_then(|m| m.code).unwrap();
    let jwt = client
        .otp()
        .verify_code(DeliveryMethod::Email, login, code)
        .await
        .unwrap();
    client
        .validate_session(session(&jwt).token(), None)
        .await
        .unwrap();
    client.logout(&refresh(&jwt)).await.unwrap();

    // A client that does not trust the emulator's CA never gets through.
    let untrusting = Client::builder_without_env()
        .project_id(emu.project_id())
        .base_url(emu.base_url())
        .build()
        .unwrap();
    let e = untrusting
        .otp()
        .sign_in(DeliveryMethod::Email, login)
        .await
        .unwrap_err();
    assert!(e.is_transport(), "a TLS failure, got: {e}");
}
