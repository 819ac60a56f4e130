//! TOTP with a computed RFC 6238 code, and passwords, over HTTP against the emulator.

use descope::SignUpUser;

use crate::support::*;

// ---- TOTP ----

#[tokio::test]
async fn totp_sign_up_provisions_a_key_whose_computed_code_signs_in() {
    let env = start().await;
    let login = "otto@example.com";
    let p = env
        .client
        .totp()
        .sign_up(login)
        .user(SignUpUser::new().name("Otto Totp").email(login))
        .await
        .unwrap();
    assert!(p.provisioning_url.starts_with("otpauth://totp/"));
    assert!(
        p.provisioning_url.contains(&format!("secret={}", p.key)),
        "the URL carries the same key"
    );
    assert!(!p.image.is_empty(), "a QR code image comes along");
    let dbg = format!("{p:?}");
    assert!(!dbg.contains(&p.key), "the key stays out of Debug");

    let jwt = env
        .client
        .totp()
        .sign_in_code(login, totp_code(&p.key))
        .await
        .unwrap();
    assert_eq!(jwt.user.name, "Otto Totp");
    assert_eq!(session(&jwt).amr(), ["totp"]);
}

#[tokio::test]
async fn totp_wrong_code_and_unknown_user_are_refused() {
    let env = start().await;
    let login = "wrongtotp@example.com";
    let p = env.client.totp().sign_up(login).await.unwrap();
    let code = totp_code(&p.key);
    refused(
        env.client
            .totp()
            .sign_in_code(login, other_code(&code))
            .await,
        401,
        BAD_CODE,
    );
    refused(
        env.client
            .totp()
            .sign_in_code("ghost@example.com", code.as_str())
            .await,
        404,
        NOT_FOUND,
    );
    invalid(env.client.totp().sign_in_code(login, "").await);
}

#[tokio::test]
async fn totp_update_user_adds_an_authenticator_to_a_signed_in_user() {
    let env = start().await;
    let login = "addtotp@example.com";
    let jwt = env.sign_in_otp(login).await;
    // No authenticator yet.
    refused(
        env.client.totp().sign_in_code(login, "123456").await,
        400,
        BAD_REQUEST,
    );
    let p = env
        .client
        .totp()
        .update_user(login, refresh(&jwt))
        .await
        .unwrap();
    let signed_in = env
        .client
        .totp()
        .sign_in_code(login, totp_code(&p.key))
        .await
        .unwrap();
    assert_eq!(signed_in.user_id, jwt.user_id);
    // Updating needs a live session.
    env.client.logout(&refresh(&jwt)).await.unwrap();
    refused(
        env.client.totp().update_user(login, refresh(&jwt)).await,
        401,
        UNAUTHORIZED,
    );
}

// ---- passwords ----

const GOOD: &str = "Tr0ub4dor-3";
const BETTER: &str = "C0rrect-Horse";

#[tokio::test]
async fn password_policy_is_the_emulator_s() {
    let env = start().await;
    let policy = env.client.password().policy().await.unwrap();
    assert_eq!(policy.min_length, 8);
    assert!(policy.lowercase && policy.uppercase && policy.number);
    assert!(!policy.non_alphanumeric);
}

#[tokio::test]
async fn password_sign_up_then_sign_in() {
    let env = start().await;
    let login = "pat@example.com";
    let up = env
        .client
        .password()
        .sign_up(login, GOOD)
        .user(SignUpUser::new().name("Pat Word"))
        .await
        .unwrap();
    assert!(up.first_seen);
    assert_eq!(up.user.email, login, "an email login ID fills in the email");
    assert_eq!(session(&up).amr(), ["pwd"]);
    let r#in = env.client.password().sign_in(login, GOOD).await.unwrap();
    assert_eq!(r#in.user_id, up.user_id);
    assert!(!r#in.first_seen);
    assert_eq!(session(&r#in).amr(), ["pwd"]);
}

#[tokio::test]
async fn password_wrong_password_or_unknown_user_is_refused_alike() {
    let env = start().await;
    let login = "guarded@example.com";
    env.client.password().sign_up(login, GOOD).await.unwrap();
    let wrong = refused(
        env.client.password().sign_in(login, BETTER).await,
        401,
        UNAUTHORIZED,
    );
    let unknown = refused(
        env.client
            .password()
            .sign_in("nobody@example.com", GOOD)
            .await,
        401,
        UNAUTHORIZED,
    );
    assert_eq!(
        wrong.api_message(),
        unknown.api_message(),
        "the answer does not tell which login IDs exist"
    );
    assert!(
        !wrong.to_string().contains(BETTER),
        "the password stays out of the error"
    );
    invalid(env.client.password().sign_in(login, "").await);
}

#[tokio::test]
async fn password_policy_is_enforced_on_sign_up_replace_and_update() {
    let env = start().await;
    let login = "policy@example.com";
    for weak in ["Sh0rt", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere"] {
        let e = refused(
            env.client.password().sign_up(login, weak).await,
            400,
            WEAK_PASSWORD,
        );
        assert!(
            !e.to_string().contains(weak),
            "the password stays out of the error"
        );
    }
    let jwt = env.client.password().sign_up(login, GOOD).await.unwrap();
    refused(
        env.client.password().replace(login, GOOD, "weak").await,
        400,
        WEAK_PASSWORD,
    );
    refused(
        env.client
            .password()
            .update(login, "weak", refresh(&jwt))
            .await,
        400,
        WEAK_PASSWORD,
    );
    // The password is unchanged.
    env.client.password().sign_in(login, GOOD).await.unwrap();
}

#[tokio::test]
async fn password_replace_needs_the_old_password_and_swaps_it() {
    let env = start().await;
    let login = "swap@example.com";
    env.client.password().sign_up(login, GOOD).await.unwrap();
    refused(
        env.client.password().replace(login, BETTER, GOOD).await,
        401,
        UNAUTHORIZED,
    );
    let jwt = env
        .client
        .password()
        .replace(login, GOOD, BETTER)
        .await
        .unwrap();
    assert_eq!(session(&jwt).amr(), ["pwd"], "a replace signs the user in");
    env.client.password().sign_in(login, BETTER).await.unwrap();
    refused(
        env.client.password().sign_in(login, GOOD).await,
        401,
        UNAUTHORIZED,
    );
}

#[tokio::test]
async fn password_reset_sends_a_link_whose_session_sets_a_new_password() {
    let env = start().await;
    let login = "forgetful@example.com";
    env.client.password().sign_up(login, GOOD).await.unwrap();
    let reset = env
        .client
        .password()
        .send_reset(login)
        .redirect_url("http://localhost:3000/reset")
        .await
        .unwrap();
    assert_eq!(reset.reset_method, "magiclink");
    assert_eq!(reset.masked_email.as_deref(), Some("f***@example.com"));
    let msg = env.emu.last_message(login).unwrap();
    assert!(msg
        .link
        .as_deref()
        .is_some_and(|l| l.starts_with("http://localhost:3000/reset?t=")));

    let jwt = env
        .client
        .magic_link()
        .verify(env.link_token(login))
        .await
        .unwrap();
    env.client
        .password()
        .update(login, BETTER, refresh(&jwt))
        .await
        .unwrap();
    env.client.password().sign_in(login, BETTER).await.unwrap();
    refused(
        env.client.password().sign_in(login, GOOD).await,
        401,
        UNAUTHORIZED,
    );
    refused(
        env.client.password().send_reset("nobody@example.com").await,
        404,
        NOT_FOUND,
    );
}

#[tokio::test]
async fn password_sign_up_of_an_existing_login_id_is_refused() {
    let env = start().await;
    env.client
        .password()
        .sign_up("twice@example.com", GOOD)
        .await
        .unwrap();
    refused(
        env.client
            .password()
            .sign_up("twice@example.com", BETTER)
            .await,
        409,
        CONFLICT,
    );
}
