//! Session validation: what a backend does on every request. Validate the session token
//! locally, fall back to the refresh token when the session is invalid or expired, and see
//! what happens when a token is missing or the session was logged out.
//!
//! ```sh
//! cargo run -p descope --example session_validation
//! ```
//!
//! With no `DESCOPE_PROJECT_ID` set, it runs against the embedded emulator, started with
//! one-second sessions so the example can show a real expiry. With `DESCOPE_PROJECT_ID` and
//! `DESCOPE_MANAGEMENT_KEY` set, it runs against that project with a test user (deleted at the
//! end) and skips the expiry step: real sessions live for minutes.

use std::error::Error;
use std::time::Duration;

use descope::{DeliveryMethod, TokenErrorKind};
use descope_emulator::Emulator;

#[path = "common/mod.rs"]
mod common;
use common::{check, step, Env};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let env = common::connect_with(Emulator::builder().session_ttl(Duration::from_secs(1))).await?;
    step(format!("Connected to {}", env.target));
    let suffix = match env.emulator {
        Some(_) => String::new(),
        None => format!("-{}", common::unique_suffix()),
    };
    let login_id = format!("session-demo{suffix}@example.com");

    let outcome = story(&env, &login_id).await;
    // On a real project, delete the test user even when a step failed.
    if env.emulator.is_none() {
        common::cleanup_step(
            "the test user",
            env.client.mgmt().user().delete(&login_id).await,
        );
    }
    env.finish().await;
    outcome?;
    println!("\nDone: session validation and refresh.");
    Ok(())
}

/// The walk-through; `login_id` is the test user's login ID.
async fn story(env: &Env, login_id: &str) -> Result<(), Box<dyn Error>> {
    let client = &env.client;

    // Sign a test user in (see the otp example for the flow itself).
    let mgmt = client.mgmt();
    mgmt.user()
        .create_test_user(login_id)
        .email(login_id)
        .await?;
    let code = mgmt
        .user()
        .generate_otp_for_test_user(DeliveryMethod::Email, login_id)
        .await?
        .code;
    let jwt = client
        .otp()
        .verify_code(DeliveryMethod::Email, login_id, code)
        .await?;
    let session_token = jwt.session_token().ok_or("no session token")?.to_owned();
    let refresh_token = jwt.refresh_token().ok_or("no refresh token")?.to_owned();
    step(format!("Signed in test user {login_id}"));

    // 1. Validate: signature, expiry, issuer. Only the first call fetches the project's keys.
    let session = client.validate_session(&session_token, None).await?;
    step(format!(
        "Validated the session locally: user {}, issuer {}, expires at {}, amr {:?}",
        session.user_id(),
        session.issuer(),
        session.expires_at(),
        session.amr()
    ));

    // 2. validate_and_refresh with a valid session returns that session, without a call.
    let same = client
        .validate_and_refresh_session(&session_token, &refresh_token, None)
        .await?;
    check(
        same.session_token() == Some(session_token.as_str()),
        "a valid session should come back unchanged",
    )?;
    step("validate_and_refresh with a valid session: the same session, no refresh");

    // 3. A tampered session token fails validation; validate_and_refresh renews the session.
    let tampered = tamper(&session_token)?;
    let e = client
        .validate_session(&tampered, None)
        .await
        .err()
        .ok_or("a tampered token validated")?;
    step(format!("A tampered session token is refused: {e}"));
    let renewed = client
        .validate_and_refresh_session(&tampered, &refresh_token, None)
        .await?;
    check(
        renewed.session_token().is_some_and(|t| t != tampered),
        "the refresh should bring a new session token",
    )?;
    step("validate_and_refresh with the tampered token: renewed with the refresh token");

    // 4. A session that expired (emulator only: its sessions last one second here, and the
    //    validator allows 5 seconds of clock skew by default).
    if env.emulator.is_some() {
        let wait = client.config().leeway + Duration::from_secs(2);
        step(format!("Waiting {wait:?} for the session to expire..."));
        tokio::time::sleep(wait).await;
        let e = client
            .validate_session(&session_token, None)
            .await
            .err()
            .ok_or("an expired session validated")?;
        check(
            e.token_kind() == Some(TokenErrorKind::Expired),
            format!("expected an expiry, got: {e}"),
        )?;
        step(format!("The old session is now refused: {e}"));
        let renewed = client
            .validate_and_refresh_session(&session_token, &refresh_token, None)
            .await?;
        let s = renewed.session.as_ref().ok_or("no renewed session")?;
        step(format!(
            "validate_and_refresh renewed it: a new session until {}",
            s.expires_at()
        ));
    }

    // 5. Missing tokens are refused without a call.
    let e = client
        .validate_and_refresh_session("", &refresh_token, None)
        .await
        .err()
        .ok_or("an empty session token was accepted")?;
    check(
        e.token_kind() == Some(TokenErrorKind::Missing),
        format!("expected a missing-token error, got: {e}"),
    )?;
    step(format!("No session token at all: {e}"));
    let e = client
        .validate_and_refresh_session(&tampered, "", None)
        .await
        .err()
        .ok_or("an invalid session without a refresh token was accepted")?;
    step(format!("An invalid session and no refresh token: {e}"));

    // 6. After logout, the refresh token no longer renews anything.
    client.logout(&refresh_token).await?;
    match client
        .validate_and_refresh_session(&tampered, &refresh_token, None)
        .await
    {
        Err(e) if e.is_unauthorized() => step(format!(
            "After logout, the refresh token is refused: {}",
            common::describe(&e)
        )),
        Err(e) => return Err(format!("refresh after logout failed unexpectedly: {e}").into()),
        Ok(_) => return Err("the refresh token still works after logout".into()),
    }

    Ok(())
}

/// The token with one signature character changed: same header and claims, wrong signature.
fn tamper(token: &str) -> Result<String, Box<dyn Error>> {
    let (signed, signature) = token.rsplit_once('.').ok_or("not a JWT")?;
    let mut chars: Vec<char> = signature.chars().collect();
    let first = chars.first_mut().ok_or("the JWT has no signature")?;
    *first = if *first == 'A' { 'B' } else { 'A' };
    Ok(format!(
        "{signed}.{}",
        chars.into_iter().collect::<String>()
    ))
}
