//! Enchanted links: start a sign-in, let the user click the right link (possibly on another
//! device), and wait for the session with the polling call. Also shows a wrong link refused and
//! polling that gives up at its deadline.
//!
//! ```sh
//! cargo run -p descope --example enchanted_link
//! ```
//!
//! With no `DESCOPE_PROJECT_ID` set, it runs against the embedded emulator, which "sends" the
//! link to its outbox, where the example reads it. With `DESCOPE_PROJECT_ID` and
//! `DESCOPE_MANAGEMENT_KEY` set, it runs against that project with a test user (whose link comes
//! from the management API instead of an inbox) and deletes the user at the end.

use std::error::Error;
use std::time::Duration;

#[path = "common/mod.rs"]
mod common;
use common::{check, step, Env};

/// The page of the app that receives the link (it reads the `t` query parameter).
const VERIFY_URL: &str = "http://localhost:3000/verify";

/// What a started sign-in gives the example: the link the user gets and the polling handle.
struct Started {
    link: String,
    pending_ref: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let env = common::connect().await?;
    step(format!("Connected to {}", env.target));
    let suffix = match env.emulator {
        Some(_) => String::new(),
        None => format!("-{}", common::unique_suffix()),
    };
    let email = format!("enchanted-demo{suffix}@example.com");

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
    println!("\nDone: enchanted link with polling.");
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
            .await?;
        step(format!("Created test user {email}"));
    }

    // 1. Start, and poll in the background the way a login page waits for the other device.
    let started = start(env, email).await?;
    let poll = tokio::spawn(
        client
            .enchanted_link()
            .poll_for_session(&started.pending_ref)
            .interval(Duration::from_millis(250))
            .timeout(Duration::from_secs(60))
            .send(),
    );

    // 2. The user clicks the right link: the app's verify page passes its token on.
    client
        .enchanted_link()
        .verify(common::link_token(&started.link)?)
        .await?;
    step("The user clicked the link: its token verified");

    // 3. The poll now returns the session.
    let jwt = poll.await??;
    let session = jwt.session.as_ref().ok_or("no session token came back")?;
    step(format!(
        "Polling got the session: user {} signed in (amr {:?})",
        jwt.user_id,
        session.amr()
    ));

    // 4. A wrong link (here, a token nobody was sent) is refused.
    match client
        .enchanted_link()
        .verify("not-the-token-we-sent")
        .await
    {
        Err(e) if e.is_unauthorized() => {
            step(format!("A wrong link is refused: {}", common::describe(&e)))
        }
        Err(e) => return Err(format!("a wrong link failed in an unexpected way: {e}").into()),
        Ok(()) => return Err("a wrong link was accepted".into()),
    }

    // 5. Nobody clicks: polling gives up at its deadline with a timeout error.
    let unclicked = start(env, email).await?;
    let e = client
        .enchanted_link()
        .poll_for_session(&unclicked.pending_ref)
        .interval(Duration::from_millis(250))
        .timeout(Duration::from_secs(1))
        .await
        .err()
        .ok_or("polling returned a session nobody verified")?;
    check(e.is_timeout(), format!("expected a timeout, got: {e}"))?;
    step(format!(
        "Without a click, polling stops at its deadline: {e}"
    ));

    Ok(())
}

/// Starts an enchanted-link sign-in: on the emulator with the sign-in call (the link lands in
/// its outbox); on a real project with the test-user generator.
async fn start(env: &Env, email: &str) -> Result<Started, Box<dyn Error>> {
    match &env.emulator {
        Some(emu) => {
            let start = env
                .client
                .enchanted_link()
                .sign_up_or_in(email, VERIFY_URL)
                .await?;
            step(format!(
                "Sent enchanted links to {}: the user must click number {}",
                start.masked_address().unwrap_or("?"),
                start.link_id
            ));
            let link = emu
                .last_message(email)
                .and_then(|m| m.link)
                .ok_or("the emulator's outbox holds no link")?;
            Ok(Started {
                link,
                pending_ref: start.pending_ref,
            })
        }
        None => {
            let generated = env
                .client
                .mgmt()
                .user()
                .generate_enchanted_link_for_test_user(email, VERIFY_URL)
                .await?;
            step("Generated an enchanted link for the test user");
            Ok(Started {
                link: generated.link,
                pending_ref: generated.pending_ref,
            })
        }
    }
}
