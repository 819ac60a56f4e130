//! TOTP (authenticator apps): sign a user up, add the provisioning key to an "authenticator"
//! (here: the RFC 6238 computation the app would do), sign in with its code, and see a wrong
//! code refused.
//!
//! ```sh
//! cargo run -p descope --example totp
//! ```
//!
//! With no `DESCOPE_PROJECT_ID` set, it runs against the embedded emulator. With
//! `DESCOPE_PROJECT_ID` and `DESCOPE_MANAGEMENT_KEY` set, it runs against that project (TOTP must
//! be enabled there) and deletes the user it signed up at the end.

use std::error::Error;

use descope::{LoginOptions, SignUpUser};

#[path = "common/mod.rs"]
mod common;
use common::{check, step, Env};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let env = common::connect().await?;
    step(format!("Connected to {}", env.target));
    let suffix = match env.emulator {
        Some(_) => String::new(),
        None => format!("-{}", common::unique_suffix()),
    };
    let login_id = format!("totp-demo{suffix}@example.com");

    let outcome = story(&env, &login_id).await;
    // On a real project, delete the user even when a step failed.
    if env.emulator.is_none() {
        common::cleanup_step("the user", env.client.mgmt().user().delete(&login_id).await);
    }
    env.finish().await;
    outcome?;
    println!("\nDone: TOTP sign-up and sign-in.");
    Ok(())
}

/// The walk-through; `login_id` is the user's login ID.
async fn story(env: &Env, login_id: &str) -> Result<(), Box<dyn Error>> {
    let client = &env.client;

    // 1. Sign up: the answer is what an authenticator app needs.
    let provisioning = client
        .totp()
        .sign_up(login_id)
        .user(SignUpUser::new().name("Tess Totp").email(login_id))
        .await?;
    let scheme = provisioning
        .provisioning_url
        .split("://")
        .next()
        .unwrap_or_default();
    step(format!(
        "Signed up {login_id} with TOTP: a provisioning URL ({scheme}://...), a QR code of {} base64 characters, and a {}-character key",
        provisioning.image.len(),
        provisioning.key.len()
    ));

    // 2. The user scans the QR code; their app shows a code. Compute the same code here.
    let code = common::totp_code(&provisioning.key)?;
    step("Computed the current code from the key (RFC 6238: SHA-1, 6 digits, 30 s)");

    // 3. Sign in with it.
    let jwt = client.totp().sign_in_code(login_id, &code).await?;
    let session = jwt.session.as_ref().ok_or("no session token came back")?;
    check(
        session.amr().iter().any(|a| a == "totp"),
        "a TOTP sign-in should record totp in amr",
    )?;
    step(format!(
        "Signed in with the code: user {} (amr {:?})",
        jwt.user_id,
        session.amr()
    ));

    // 4. A wrong code is refused.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    match client.totp().sign_in_code(login_id, wrong).await {
        Err(e) if e.is_unauthorized() => {
            step(format!("A wrong code is refused: {}", common::describe(&e)))
        }
        Err(e) => return Err(format!("a wrong code failed in an unexpected way: {e}").into()),
        Ok(_) => return Err("a wrong TOTP code was accepted".into()),
    }

    // 5. Step-up needs the current session's refresh token; without it the SDK refuses.
    let e = client
        .totp()
        .sign_in_code(login_id, &code)
        .options(LoginOptions::new().stepup(true))
        .await
        .err()
        .ok_or("a step-up without a refresh token was accepted")?;
    check(
        e.is_invalid_argument(),
        "a step-up without a refresh token should be refused",
    )?;
    step(format!(
        "A step-up without a refresh token is refused before sending: {e}"
    ));

    Ok(())
}
