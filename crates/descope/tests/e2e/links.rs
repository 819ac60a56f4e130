//! Magic links and enchanted links (with polling), over HTTP against the emulator.

use std::time::{Duration, Instant};

use descope::DeliveryMethod;
use descope_emulator::Emulator;

use crate::support::*;

const VERIFY_URL: &str = "http://localhost:3000/verify";

// ---- magic link ----

#[tokio::test]
async fn magic_link_sign_in_sends_a_link_to_the_redirect_url_whose_token_signs_in_once() {
    let env = start().await;
    let login = "maggie@example.com";
    let user_id = env.test_user(login).await;
    let masked = env
        .client
        .magic_link()
        .sign_in(DeliveryMethod::Email, login, VERIFY_URL)
        .await
        .unwrap();
    assert_eq!(masked, "m***@example.com");
    let msg = env.emu.last_message(login).unwrap();
    assert_eq!(msg.kind, "magiclink");
    let link = msg.link.clone().unwrap();
    assert!(
        link.starts_with(&format!("{VERIFY_URL}?t=")),
        "the link leads to the app's verify page: {link}"
    );
    let token = env.link_token(login);

    let jwt = env
        .client
        .magic_link()
        .verify(token.as_str())
        .await
        .unwrap();
    assert_eq!(jwt.user_id, user_id);
    assert_eq!(session(&jwt).amr(), ["email"]);
    env.client
        .validate_session(session(&jwt).token(), None)
        .await
        .unwrap();

    // The same token a second time is refused.
    refused(env.client.magic_link().verify(token).await, 401, BAD_CODE);
}

#[tokio::test]
async fn magic_link_goes_by_sms_voice_and_whatsapp_to_the_phone() {
    let env = start().await;
    let login = "phoebe@example.com";
    env.test_user(login).await;
    for method in [
        DeliveryMethod::Sms,
        DeliveryMethod::Voice,
        DeliveryMethod::WhatsApp,
    ] {
        let masked = env
            .client
            .magic_link()
            .sign_in(method, login, VERIFY_URL)
            .await
            .unwrap();
        assert_eq!(masked, "+*******0188", "{method}");
        let msg = env.emu.last_message(login).unwrap();
        assert_eq!(msg.method, method.as_str());
        let jwt = env
            .client
            .magic_link()
            .verify(env.link_token(login))
            .await
            .unwrap();
        assert_eq!(session(&jwt).amr(), [method.as_str()], "{method}");
    }
}

#[tokio::test]
async fn magic_link_sign_up_creates_the_user_on_verification() {
    let env = start().await;
    let login = "newbie@example.com";
    env.client
        .magic_link()
        .sign_up(DeliveryMethod::Email, login, VERIFY_URL)
        .await
        .unwrap();
    let jwt = env
        .client
        .magic_link()
        .verify(env.link_token(login))
        .await
        .unwrap();
    assert!(jwt.first_seen);
    assert_eq!(jwt.user.email, login);
    assert!(jwt.user.verified_email);
}

#[tokio::test]
async fn magic_link_test_user_link_from_the_management_api_signs_in() {
    let env = start().await;
    let login = "testlink@example.com";
    let user_id = env.test_user(login).await;
    let generated = env
        .client
        .mgmt()
        .user()
        .generate_magic_link_for_test_user(DeliveryMethod::Email, login, VERIFY_URL)
        .await
        .unwrap();
    assert!(generated.link.starts_with(VERIFY_URL));
    let jwt = env
        .client
        .magic_link()
        .verify(token_of(&generated.link))
        .await
        .unwrap();
    assert_eq!(jwt.user_id, user_id);
}

#[tokio::test]
async fn magic_link_unknown_or_expired_tokens_are_refused() {
    let env = start_with(Emulator::builder().code_ttl(Duration::from_secs(1)), None).await;
    refused(
        env.client.magic_link().verify("no-such-token").await,
        401,
        BAD_CODE,
    );
    let login = "slow@example.com";
    env.client
        .magic_link()
        .sign_up_or_in(DeliveryMethod::Email, login, VERIFY_URL)
        .await
        .unwrap();
    let token = env.link_token(login);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    refused(env.client.magic_link().verify(token).await, 401, BAD_CODE);
    invalid(env.client.magic_link().verify("").await);
}

// ---- enchanted link ----

#[tokio::test]
async fn enchanted_link_polling_gets_the_session_once_the_right_link_is_verified() {
    let env = start().await;
    let login = "ella@example.com";
    let start = env
        .client
        .enchanted_link()
        .sign_up_or_in(login, VERIFY_URL)
        .await
        .unwrap();
    assert_eq!(start.masked_address(), Some("e***@example.com"));
    let msg = env.emu.last_message(login).unwrap();
    assert_eq!(msg.kind, "enchantedlink");
    assert_eq!(msg.link_id.as_deref(), Some(start.link_id.as_str()));
    assert_eq!(msg.pending_ref.as_deref(), Some(start.pending_ref.as_str()));

    // Poll in the background, as a login page does, while the user clicks on another device.
    let poll = tokio::spawn(
        env.client
            .enchanted_link()
            .poll_for_session(start.pending_ref.as_str())
            .interval(Duration::from_millis(50))
            .timeout(Duration::from_secs(20))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert!(!poll.is_finished(), "no session before the click");
    env.client
        .enchanted_link()
        .verify(env.link_token(login))
        .await
        .unwrap();
    let jwt = poll.await.unwrap().unwrap();
    assert!(jwt.first_seen);
    assert_eq!(jwt.user.email, login);
    assert_eq!(session(&jwt).amr(), ["email"]);
    assert!(
        jwt.refresh.is_some(),
        "the polled session has a refresh token"
    );

    // The pending reference hands out the session once.
    refused(
        env.client
            .enchanted_link()
            .get_session(start.pending_ref.as_str())
            .await,
        401,
        BAD_CODE,
    );
}

#[tokio::test]
async fn enchanted_link_get_session_before_the_click_is_pending() {
    let env = start().await;
    let start = env
        .client
        .enchanted_link()
        .sign_up_or_in("waiting@example.com", VERIFY_URL)
        .await
        .unwrap();
    refused(
        env.client
            .enchanted_link()
            .get_session(start.pending_ref)
            .await,
        401,
        PENDING,
    );
}

#[tokio::test]
async fn enchanted_link_a_wrong_link_is_refused_and_completes_nobody_else_s_session() {
    let env = start().await;
    let (alice, bob) = ("alice@example.com", "bob@example.com");
    let a = env
        .client
        .enchanted_link()
        .sign_up_or_in(alice, VERIFY_URL)
        .await
        .unwrap();
    let b = env
        .client
        .enchanted_link()
        .sign_up_or_in(bob, VERIFY_URL)
        .await
        .unwrap();

    // A token nobody was sent is refused.
    refused(
        env.client.enchanted_link().verify("a-made-up-token").await,
        401,
        BAD_CODE,
    );
    // Bob's link completes Bob's sign-in only: Alice's stays pending.
    env.client
        .enchanted_link()
        .verify(env.link_token(bob))
        .await
        .unwrap();
    refused(
        env.client
            .enchanted_link()
            .get_session(a.pending_ref.as_str())
            .await,
        401,
        PENDING,
    );
    let jwt = env
        .client
        .enchanted_link()
        .poll_for_session(b.pending_ref)
        .interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(jwt.user.email, bob);
    // A link verifies once.
    refused(
        env.client
            .enchanted_link()
            .verify(env.link_token(bob))
            .await,
        401,
        BAD_CODE,
    );
}

#[tokio::test]
async fn enchanted_link_polling_gives_up_at_its_deadline_with_a_timeout() {
    let env = start().await;
    let start = env
        .client
        .enchanted_link()
        .sign_up_or_in("nobody-clicks@example.com", VERIFY_URL)
        .await
        .unwrap();
    let began = Instant::now();
    let e = env
        .client
        .enchanted_link()
        .poll_for_session(start.pending_ref)
        .interval(Duration::from_millis(50))
        .timeout(Duration::from_millis(400))
        .await
        .expect_err("nobody clicked, so polling must fail");
    let took = began.elapsed();
    assert!(e.is_timeout(), "a timeout error, got: {e}");
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_secs(5),
        "polling stops at the deadline (took {took:?})"
    );
    // The last "not verified yet" answer is kept in the error's source chain.
    let mut chain = Vec::new();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    assert!(
        chain.iter().any(|s| s.contains(PENDING)),
        "the last pending answer is in the source chain: {chain:?}"
    );
}

#[tokio::test]
async fn enchanted_link_polling_an_unknown_pending_reference_ends_at_the_deadline() {
    // An unknown reference answers 401 like a pending one, so polling goes on until the
    // deadline: the deadline is the bound, and it holds.
    let env = start().await;
    let began = Instant::now();
    let e = env
        .client
        .enchanted_link()
        .poll_for_session("no-such-pending-ref")
        .interval(Duration::from_millis(50))
        .timeout(Duration::from_millis(200))
        .await
        .expect_err("an unknown reference never yields a session");
    assert!(e.is_timeout(), "{e}");
    assert!(began.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn enchanted_link_by_sms_and_test_user_generator_both_complete() {
    let env = start().await;
    let login = "+12025550166";
    let start = env
        .client
        .enchanted_link()
        .sign_up_or_in_with_phone(login, VERIFY_URL)
        .await
        .unwrap();
    assert_eq!(start.masked_phone.as_deref(), Some("+*******0166"));
    env.client
        .enchanted_link()
        .verify(env.link_token(login))
        .await
        .unwrap();
    let jwt = env
        .client
        .enchanted_link()
        .get_session(start.pending_ref)
        .await
        .unwrap();
    assert_eq!(session(&jwt).amr(), ["sms"]);

    let tester = "enchanted-tester@example.com";
    let user_id = env.test_user(tester).await;
    let generated = env
        .client
        .mgmt()
        .user()
        .generate_enchanted_link_for_test_user(tester, VERIFY_URL)
        .await
        .unwrap();
    env.client
        .enchanted_link()
        .verify(token_of(&generated.link))
        .await
        .unwrap();
    let jwt = env
        .client
        .enchanted_link()
        .poll_for_session(generated.pending_ref)
        .interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(jwt.user_id, user_id);
}

#[tokio::test]
async fn enchanted_link_polling_returns_a_rate_limit_whose_retry_after_passes_the_deadline() {
    // Two calls a minute: the sign-in and one poll; the next poll is answered 429 with a
    // Retry-After far past the deadline, so polling gives up at once with that error.
    let env = start_with(Emulator::builder().rate_limit_per_minute(2), None).await;
    let start = env
        .client
        .enchanted_link()
        .sign_up_or_in("limited@example.com", VERIFY_URL)
        .await
        .unwrap();
    let began = Instant::now();
    let e = env
        .client
        .enchanted_link()
        .poll_for_session(start.pending_ref)
        .interval(Duration::from_millis(50))
        .timeout(Duration::from_secs(10))
        .await
        .expect_err("the rate limit ends polling");
    assert!(e.is_rate_limited(), "a rate-limit error, got: {e}");
    assert_eq!(e.status(), Some(429));
    assert!(
        e.retry_after().is_some_and(|d| d > Duration::from_secs(10)),
        "Retry-After is read: {:?}",
        e.retry_after()
    );
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "no waiting for a Retry-After past the deadline"
    );
}

#[tokio::test]
async fn enchanted_link_token_refused_at_the_magic_link_verify_stays_usable() {
    let env = start().await;
    let login = "wrong-door@example.com";
    let start = env
        .client
        .enchanted_link()
        .sign_up_or_in(login, VERIFY_URL)
        .await
        .unwrap();
    let token = env.link_token(login);
    refused(
        env.client.magic_link().verify(token.as_str()).await,
        401,
        BAD_CODE,
    );
    // A refused call changes nothing: the link still completes its own sign-in.
    env.client.enchanted_link().verify(token).await.unwrap();
    env.client
        .enchanted_link()
        .get_session(start.pending_ref)
        .await
        .unwrap();
}
