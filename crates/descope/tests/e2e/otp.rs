//! One-time passwords on every delivery method, over HTTP against the emulator.

use descope::{DeliveryMethod, SignUpUser, TenantSelection};

use crate::support::*;

const PHONE: &str = "+12025550177";

#[tokio::test]
async fn otp_sign_up_by_email_sends_a_code_whose_verification_signs_the_new_user_in() {
    let env = start().await;
    let login = "ada@example.com";
    let masked = env
        .client
        .otp()
        .sign_up(DeliveryMethod::Email, login)
        .user(SignUpUser::new().name("Ada Lovelace"))
        .await
        .unwrap();
    assert_eq!(
        masked, "a***@example.com",
        "the masked address the code went to"
    );
    let msg = env.emu.last_message(login).unwrap();
    assert_eq!((msg.kind.as_str(), msg.method.as_str()), ("otp", "email"));
    assert_eq!(msg.to, login);

    let jwt = env
        .client
        .otp()
        .verify_code(DeliveryMethod::Email, login, env.code(login))
        .await
        .unwrap();
    assert!(jwt.first_seen, "a sign-up is the user's first sign-in");
    assert_eq!(jwt.user.name, "Ada Lovelace");
    assert!(
        jwt.user.verified_email,
        "verifying an emailed code verifies the address"
    );
    let s = session(&jwt);
    assert_eq!(s.amr(), ["email"]);
    assert_eq!(s.user_id(), jwt.user_id);
    // The returned session token validates on its own.
    let validated = env.client.validate_session(s.token(), None).await.unwrap();
    assert_eq!(validated.user_id(), jwt.user_id);
}

#[tokio::test]
async fn otp_sign_in_by_sms_voice_and_whatsapp_goes_to_the_phone_and_records_the_method() {
    let env = start().await;
    let login = "grace@example.com";
    let user_id = env.test_user(login).await;
    for method in [
        DeliveryMethod::Sms,
        DeliveryMethod::Voice,
        DeliveryMethod::WhatsApp,
    ] {
        let masked = env.client.otp().sign_in(method, login).await.unwrap();
        assert_eq!(masked, "+*******0188", "{method}: the masked phone number");
        let msg = env.emu.last_message(login).unwrap();
        assert_eq!(msg.method, method.as_str(), "sent by {method}");
        assert_eq!(msg.to, "+12025550188");
        let jwt = env
            .client
            .otp()
            .verify_code(method, login, env.code(login))
            .await
            .unwrap();
        assert_eq!(jwt.user_id, user_id);
        assert_eq!(session(&jwt).amr(), [method.as_str()], "{method}: amr");
        assert!(!jwt.first_seen);
        assert!(
            jwt.user.verified_phone,
            "{method} verifies the phone number"
        );
    }
}

#[tokio::test]
async fn otp_sign_up_by_phone_uses_the_phone_number_as_login_id() {
    let env = start().await;
    let masked = env
        .client
        .otp()
        .sign_up_or_in(DeliveryMethod::WhatsApp, PHONE)
        .await
        .unwrap();
    assert_eq!(masked, "+*******0177");
    let jwt = env
        .client
        .otp()
        .verify_code(DeliveryMethod::WhatsApp, PHONE, env.code(PHONE))
        .await
        .unwrap();
    assert!(jwt.first_seen);
    assert_eq!(jwt.user.phone, PHONE);
    assert_eq!(jwt.user.login_ids, [PHONE]);
}

#[tokio::test]
async fn otp_sign_up_or_in_creates_the_user_once_then_signs_the_same_user_in() {
    let env = start().await;
    let first = env.sign_in_otp("linus@example.com").await;
    let second = env.sign_in_otp("linus@example.com").await;
    assert!(first.first_seen);
    assert!(!second.first_seen);
    assert_eq!(first.user_id, second.user_id);
}

#[tokio::test]
async fn otp_test_user_codes_from_the_management_api_verify_on_every_method() {
    let env = start().await;
    let login = "tess@example.com";
    let user_id = env.test_user(login).await;
    for method in [
        DeliveryMethod::Email,
        DeliveryMethod::Sms,
        DeliveryMethod::Voice,
        DeliveryMethod::WhatsApp,
    ] {
        let generated = env
            .client
            .mgmt()
            .user()
            .generate_otp_for_test_user(method, login)
            .await
            .unwrap();
        assert_eq!(generated.login_id, login);
        assert_eq!(generated.code.len(), 6);
        let jwt = env
            .client
            .otp()
            .verify_code(method, login, generated.code)
            .await
            .unwrap();
        assert_eq!(jwt.user_id, user_id, "{method}");
    }
    assert!(
        env.emu.last_message(login).is_none(),
        "test-user codes are returned, never delivered"
    );
}

#[tokio::test]
async fn otp_wrong_code_is_refused_and_the_right_one_still_works() {
    let env = start().await;
    let login = "wrong@example.com";
    env.client
        .otp()
        .sign_up_or_in(DeliveryMethod::Email, login)
        .await
        .unwrap();
    let code = env.code(login);
    refused(
        env.client
            .otp()
            .verify_code(DeliveryMethod::Email, login, other_code(&code))
            .await,
        401,
        BAD_CODE,
    );
    env.client
        .otp()
        .verify_code(DeliveryMethod::Email, login, code)
        .await
        .unwrap();
}

#[tokio::test]
async fn otp_code_works_once() {
    let env = start().await;
    let login = "once@example.com";
    env.client
        .otp()
        .sign_up_or_in(DeliveryMethod::Email, login)
        .await
        .unwrap();
    let code = env.code(login);
    env.client
        .otp()
        .verify_code(DeliveryMethod::Email, login, code.as_str())
        .await
        .unwrap();
    refused(
        env.client
            .otp()
            .verify_code(DeliveryMethod::Email, login, code)
            .await,
        401,
        BAD_CODE,
    );
}

#[tokio::test]
async fn otp_code_sent_by_sms_is_refused_when_verified_as_email() {
    let env = start().await;
    let login = "mixed@example.com";
    env.test_user(login).await;
    env.client
        .otp()
        .sign_in(DeliveryMethod::Sms, login)
        .await
        .unwrap();
    let code = env.code(login);
    refused(
        env.client
            .otp()
            .verify_code(DeliveryMethod::Email, login, code)
            .await,
        401,
        BAD_CODE,
    );
}

#[tokio::test]
async fn otp_expired_code_is_refused() {
    let env = start_with(
        descope_emulator::Emulator::builder().code_ttl(std::time::Duration::from_secs(1)),
        None,
    )
    .await;
    let login = "late@example.com";
    env.client
        .otp()
        .sign_up_or_in(DeliveryMethod::Email, login)
        .await
        .unwrap();
    let code = env.code(login);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    refused(
        env.client
            .otp()
            .verify_code(DeliveryMethod::Email, login, code)
            .await,
        401,
        BAD_CODE,
    );
}

#[tokio::test]
async fn otp_sign_in_and_sign_up_refuse_unknown_and_existing_users() {
    let env = start().await;
    refused(
        env.client
            .otp()
            .sign_in(DeliveryMethod::Email, "nobody@example.com")
            .await,
        404,
        NOT_FOUND,
    );
    env.sign_in_otp("taken@example.com").await;
    refused(
        env.client
            .otp()
            .sign_up(DeliveryMethod::Email, "taken@example.com")
            .await,
        409,
        CONFLICT,
    );
}

#[tokio::test]
async fn otp_bad_arguments_are_refused_before_sending() {
    let env = start().await;
    invalid(env.client.otp().sign_in(DeliveryMethod::Email, "").await);
    invalid(
        env.client
            .otp()
            .verify_code(DeliveryMethod::Email, "", "123456")
            .await,
    );
    invalid(
        env.client
            .otp()
            .sign_up(DeliveryMethod::Email, "not-an-email")
            .await,
    );
    invalid(
        env.client
            .otp()
            .sign_up(DeliveryMethod::Sms, "not-a-phone")
            .await,
    );
    assert!(env.emu.outbox().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn otp_empty_code_goes_to_the_api_and_is_refused_there() {
    // As in the official SDK, an empty code is not checked locally: the API refuses it.
    let env = start().await;
    let login = "blank@example.com";
    env.client
        .otp()
        .sign_up_or_in(DeliveryMethod::Email, login)
        .await
        .unwrap();
    refused(
        env.client
            .otp()
            .verify_code(DeliveryMethod::Email, login, "")
            .await,
        401,
        BAD_CODE,
    );
}

#[tokio::test]
async fn otp_update_email_sends_a_code_to_the_new_address_and_verifying_it_sets_the_address() {
    let env = start().await;
    let login = "mover@example.com";
    let jwt = env.sign_in_otp(login).await;
    let masked = env
        .client
        .otp()
        .update_user_email(login, "moved@example.org", refresh(&jwt))
        .await
        .unwrap();
    assert_eq!(masked, "m***@example.org");
    let msg = env.emu.last_message(login).unwrap();
    assert_eq!(msg.to, "moved@example.org");
    env.client
        .otp()
        .verify_code(DeliveryMethod::Email, login, env.code(login))
        .await
        .unwrap();
    let me = env.client.me(&refresh(&jwt)).await.unwrap();
    assert_eq!(me.email, "moved@example.org");
    assert!(me.verified_email);
    // The user's tenants are unchanged (none).
    assert!(env
        .client
        .my_tenants(&refresh(&jwt), &TenantSelection::Current)
        .await
        .unwrap()
        .is_empty());
}
