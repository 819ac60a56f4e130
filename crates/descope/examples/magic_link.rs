//! Magic links: send a sign-in link by email or SMS, verify the token of the clicked link, and
//! see that a link works once.
//!
//! ```sh
//! cargo run -p descope --example magic_link
//! ```
//!
//! With no `DESCOPE_PROJECT_ID` set, it runs against the embedded emulator, which "sends" links
//! to its outbox, where the example reads them. With `DESCOPE_PROJECT_ID` and
//! `DESCOPE_MANAGEMENT_KEY` set, it runs against that project with a test user (whose links come
//! from the management API instead of an inbox) and deletes the user at the end.

use std::error::Error;

use descope::DeliveryMethod;

#[path = "common/mod.rs"]
mod common;
use common::{check, step, Env};

/// The page of the app that receives the link (it reads the `t` query parameter).
const VERIFY_URL: &str = "http://localhost:3000/verify";

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let env = common::connect().await?;
    step(format!("Connected to {}", env.target));
    let suffix = match env.emulator {
        Some(_) => String::new(),
        None => format!("-{}", common::unique_suffix()),
    };
    let email = format!("magic-demo{suffix}@example.com");

    let outcome = story(&env, &email).await;
    // On a real project, delete the test user even when a step failed.
    if env.emulator.is_none() {
        common::cleanup_step(
            "the test user",
            env.client.mgmt().user().delete(&email).await,
        );
    }
    env.finish().await;
    outcome?;
    println!("\nDone: magic links by email and SMS.");
    Ok(())
}

/// The walk-through; `email` is the user's login ID.
async fn story(env: &Env, email: &str) -> Result<(), Box<dyn Error>> {
    let client = &env.client;

    if env.emulator.is_none() {
        client
            .mgmt()
            .user()
            .create_test_user(email)
            .email(email)
            .phone("+12025550144")
            .await?;
        step(format!("Created test user {email}"));
    }

    // 1. Send a link by email (on the emulator the user is signed up on the way) and verify it.
    let link = send_link(env, DeliveryMethod::Email, email).await?;
    let token = common::link_token(&link)?;
    let jwt = client.magic_link().verify(&token).await?;
    let session = jwt.session.as_ref().ok_or("no session token came back")?;
    step(format!(
        "Verified the link's token: user {} signed in (amr {:?}, first sign-in: {})",
        jwt.user_id,
        session.amr(),
        jwt.first_seen
    ));

    // 2. A link works once.
    match client.magic_link().verify(&token).await {
        Err(e) if e.is_unauthorized() => step(format!(
            "The same link is refused the second time: {}",
            common::describe(&e)
        )),
        Err(e) => return Err(format!("reusing the link failed in an unexpected way: {e}").into()),
        Ok(_) => return Err("a magic link worked twice".into()),
    }

    // 3. The same user by SMS (the user has a phone number now on a real project; on the
    //    emulator, add one first with an OTP-verified update).
    if let Some(emu) = &env.emulator {
        let refresh = jwt.refresh_token().ok_or("no refresh token came back")?;
        let masked = client
            .otp()
            .update_user_phone(DeliveryMethod::Sms, email, "+12025550144", refresh)
            .await?;
        let code = emu
            .last_message(email)
            .and_then(|m| m.code)
            .ok_or("the emulator's outbox holds no code")?;
        client
            .otp()
            .verify_code(DeliveryMethod::Sms, email, code)
            .await?;
        step(format!(
            "Added the phone number {masked} to the user (verified by code)"
        ));
    }
    let link = send_link(env, DeliveryMethod::Sms, email).await?;
    let jwt = client
        .magic_link()
        .verify(common::link_token(&link)?)
        .await?;
    let amr = jwt
        .session
        .as_ref()
        .map(|s| s.amr().to_vec())
        .unwrap_or_default();
    check(
        amr.iter().any(|a| a == "sms"),
        "an SMS link should record sms in amr",
    )?;
    step(format!(
        "Verified the SMS link: signed in again (amr {amr:?})"
    ));

    // 4. An empty token never leaves the process.
    let e = client
        .magic_link()
        .verify("")
        .await
        .err()
        .ok_or("an empty token was accepted")?;
    check(
        e.is_invalid_argument(),
        "an empty token should be an invalid argument",
    )?;
    step(format!("An empty token is refused before sending: {e}"));

    Ok(())
}

/// Sends a magic link and returns it as the user receives it: from the emulator's outbox, or,
/// on a real project, from the management API's test-user generator.
async fn send_link(
    env: &Env,
    method: DeliveryMethod,
    login_id: &str,
) -> Result<String, Box<dyn Error>> {
    match &env.emulator {
        Some(emu) => {
            let masked = env
                .client
                .magic_link()
                .sign_up_or_in(method, login_id, VERIFY_URL)
                .await?;
            step(format!("Sent a magic link by {method} to {masked}"));
            emu.last_message(login_id)
                .and_then(|m| m.link)
                .ok_or_else(|| "the emulator's outbox holds no link".into())
        }
        None => {
            let generated = env
                .client
                .mgmt()
                .user()
                .generate_magic_link_for_test_user(method, login_id, VERIFY_URL)
                .await?;
            step(format!(
                "Generated a magic link by {method} for the test user"
            ));
            Ok(generated.link)
        }
    }
}
