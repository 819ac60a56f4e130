//! One-time passwords (OTP): sign a user up or in with a code sent by email, SMS, voice call or
//! WhatsApp, verify it, and see a wrong code refused.
//!
//! ```sh
//! cargo run -p descope --example otp
//! ```
//!
//! With no `DESCOPE_PROJECT_ID` set, it runs against the embedded emulator, which "sends" codes
//! to its outbox, where the example reads them. With `DESCOPE_PROJECT_ID` and
//! `DESCOPE_MANAGEMENT_KEY` set, it runs against that project with a test user (whose codes come
//! from the management API instead of an inbox) and deletes the user at the end.

use std::error::Error;

use descope::{DeliveryMethod, JwtResponse, SignUpUser};

#[path = "common/mod.rs"]
mod common;
use common::{check, step, Env};

const METHODS: [DeliveryMethod; 4] = [
    DeliveryMethod::Email,
    DeliveryMethod::Sms,
    DeliveryMethod::Voice,
    DeliveryMethod::WhatsApp,
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let env = common::connect().await?;
    step(format!("Connected to {}", env.target));
    let suffix = match env.emulator {
        Some(_) => String::new(),
        None => format!("-{}", common::unique_suffix()),
    };
    let email = format!("otp-demo{suffix}@example.com");

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
    println!("\nDone: OTP by email, SMS, voice and WhatsApp.");
    Ok(())
}

/// The walk-through; `email` is the user's login ID.
async fn story(env: &Env, email: &str) -> Result<(), Box<dyn Error>> {
    let client = &env.client;
    let phone = "+12025550143";

    match &env.emulator {
        // The emulator accepts any address: sign a new user up the way an app does.
        Some(emu) => {
            let masked = client
                .otp()
                .sign_up(DeliveryMethod::Email, email)
                .user(SignUpUser::new().name("Olive Otp").phone(phone))
                .await?;
            step(format!("Signed up {email}: a code went to {masked}"));
            let code = emu
                .last_message(email)
                .and_then(|m| m.code)
                .ok_or("the emulator's outbox holds no code")?;
            let jwt = client
                .otp()
                .verify_code(DeliveryMethod::Email, email, code)
                .await?;
            check(
                jwt.first_seen,
                "a sign-up should be the user's first sign-in",
            )?;
            step(format!(
                "Verified the sign-up code: user {} (first sign-in: {})",
                jwt.user_id, jwt.first_seen
            ));
        }
        // A real project: a test user, so no message goes out to anyone.
        None => {
            client
                .mgmt()
                .user()
                .create_test_user(email)
                .email(email)
                .phone(phone)
                .display_name("Olive Otp")
                .await?;
            step(format!("Created test user {email}"));
        }
    }

    // Sign in by each delivery method.
    for method in METHODS {
        let code = send_code(env, method, email).await?;
        let jwt = client.otp().verify_code(method, email, code).await?;
        step(format!(
            "Verified the {method} code: signed in, amr {:?}",
            amr(&jwt)
        ));
    }

    // A wrong code is refused, and the error says why.
    let code = send_code(env, DeliveryMethod::Email, email).await?;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    match client
        .otp()
        .verify_code(DeliveryMethod::Email, email, wrong)
        .await
    {
        Err(e) if e.is_unauthorized() => {
            step(format!("A wrong code is refused: {}", common::describe(&e)))
        }
        Err(e) => return Err(format!("a wrong code failed in an unexpected way: {e}").into()),
        Ok(_) => return Err("a wrong code was accepted".into()),
    }

    // Arguments the API would refuse are refused before anything is sent.
    let e = client
        .otp()
        .sign_in(DeliveryMethod::Email, "")
        .await
        .err()
        .ok_or("an empty login ID was accepted")?;
    check(
        e.is_invalid_argument(),
        "an empty login ID should be an invalid argument",
    )?;
    step(format!("An empty login ID is refused before sending: {e}"));

    Ok(())
}

/// Starts an OTP sign-in and returns the code the user receives: from the emulator's outbox,
/// or, on a real project, from the management API's test-user generator.
async fn send_code(
    env: &Env,
    method: DeliveryMethod,
    login_id: &str,
) -> Result<String, Box<dyn Error>> {
    match &env.emulator {
        Some(emu) => {
            let masked = env.client.otp().sign_in(method, login_id).await?;
            step(format!("Sent a code by {method} to {masked}"));
            emu.last_message(login_id)
                .and_then(|m| m.code)
                .ok_or_else(|| "the emulator's outbox holds no code".into())
        }
        None => {
            let generated = env
                .client
                .mgmt()
                .user()
                .generate_otp_for_test_user(method, login_id)
                .await?;
            step(format!("Generated a code by {method} for the test user"));
            Ok(generated.code)
        }
    }
}

/// The authentication methods the session records.
fn amr(jwt: &JwtResponse) -> Vec<String> {
    jwt.session
        .as_ref()
        .map(|s| s.amr().to_vec())
        .unwrap_or_default()
}
