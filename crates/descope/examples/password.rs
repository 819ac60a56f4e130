//! Passwords: read the policy, sign up (a weak password is refused), sign in (a wrong password
//! is refused), replace the password, and start a reset.
//!
//! ```sh
//! cargo run -p descope --example password
//! ```
//!
//! With no `DESCOPE_PROJECT_ID` set, it runs against the embedded emulator, which "sends" the
//! reset link to its outbox; the example then finishes the reset. With `DESCOPE_PROJECT_ID` and
//! `DESCOPE_MANAGEMENT_KEY` set, it runs against that project (passwords must be enabled there;
//! the reset prompt goes to an `example.com` address, which delivers nowhere) and deletes the
//! user at the end.

use std::error::Error;

use descope::SignUpUser;

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
    let login_id = format!("password-demo{suffix}@example.com");

    let outcome = story(&env, &login_id).await;
    // On a real project, delete the user even when a step failed.
    if env.emulator.is_none() {
        common::cleanup_step("the user", env.client.mgmt().user().delete(&login_id).await);
    }
    env.finish().await;
    outcome?;
    println!("\nDone: password sign-up, sign-in, replace and reset.");
    Ok(())
}

/// The walk-through; `login_id` is the user's login ID.
async fn story(env: &Env, login_id: &str) -> Result<(), Box<dyn Error>> {
    let client = &env.client;
    let first = "Correct-Horse-7";
    let second = "Battery-Staple-8";

    // 1. The policy, to show the user before they type.
    let policy = client.password().policy().await?;
    step(format!(
        "Password policy: at least {} characters; lowercase {}, uppercase {}, digit {}, symbol {}",
        policy.min_length,
        policy.lowercase,
        policy.uppercase,
        policy.number,
        policy.non_alphanumeric
    ));

    // 2. A password that breaks the policy is refused by the API.
    match client.password().sign_up(login_id, "short").await {
        Err(e) if e.status() == Some(400) => step(format!(
            "A weak password is refused: {}",
            common::describe(&e)
        )),
        Err(e) => return Err(format!("a weak password failed in an unexpected way: {e}").into()),
        Ok(_) => return Err("a weak password was accepted".into()),
    }

    // 3. Sign up.
    let jwt = client
        .password()
        .sign_up(login_id, first)
        .user(SignUpUser::new().name("Paula Password").email(login_id))
        .await?;
    step(format!(
        "Signed up {login_id}: user {} (first sign-in: {})",
        jwt.user_id, jwt.first_seen
    ));

    // 4. Sign in; a wrong password is refused.
    let jwt = client.password().sign_in(login_id, first).await?;
    step(format!("Signed in with the password: user {}", jwt.user_id));
    match client
        .password()
        .sign_in(login_id, "Wrong-Password-1")
        .await
    {
        Err(e) if e.is_unauthorized() => step(format!(
            "A wrong password is refused: {}",
            common::describe(&e)
        )),
        Err(e) => return Err(format!("a wrong password failed in an unexpected way: {e}").into()),
        Ok(_) => return Err("a wrong password was accepted".into()),
    }

    // 5. Replace it (proving the old one): this signs the user in too.
    client.password().replace(login_id, first, second).await?;
    client.password().sign_in(login_id, second).await?;
    check(
        client.password().sign_in(login_id, first).await.is_err(),
        "the old password still works after the replace",
    )?;
    step("Replaced the password: the new one signs in, the old one no longer does");

    // 6. Forgotten password: start a reset. The project decides how the prompt goes out.
    let reset = client
        .password()
        .send_reset(login_id)
        .redirect_url("http://localhost:3000/reset")
        .await?;
    step(format!(
        "Started a reset: sent by {} to {}",
        reset.reset_method,
        reset
            .masked_email
            .as_deref()
            .unwrap_or("the user's address")
    ));

    // On the emulator, follow the (magic) link and set a new password with its session.
    if let Some(emu) = &env.emulator {
        let link = emu
            .last_message(login_id)
            .and_then(|m| m.link)
            .ok_or("the emulator's outbox holds no reset link")?;
        let jwt = client
            .magic_link()
            .verify(common::link_token(&link)?)
            .await?;
        let refresh = jwt.refresh_token().ok_or("no refresh token came back")?;
        let third = "Reset-Works-9";
        client.password().update(login_id, third, refresh).await?;
        client.password().sign_in(login_id, third).await?;
        step("Followed the reset link and set a new password: it signs in");
    }

    Ok(())
}
