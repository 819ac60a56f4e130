//! OAuth social login: start a sign-in with a provider, let the browser sign in there, and
//! exchange the `code` it comes back with for a session.
//!
//! ```sh
//! cargo run -p descope --example oauth
//! ```
//!
//! With no `DESCOPE_PROJECT_ID` set, it runs against the embedded emulator, whose fake identity
//! provider stands in for Google: the example plays the browser, signs in there as a made-up
//! user and reads the code from the redirect. With `DESCOPE_PROJECT_ID` set, it prints the
//! provider URL for you to open in a browser (the provider must be enabled in the Descope
//! console, and the return URL allowed), then asks for the `code` of the return URL.

use std::error::Error;
use std::io::BufRead;

use bytes::Bytes;
use descope::{HttpRequest, HttpTransport, HyperTransport, JwtResponse};
use http::{HeaderMap, Method};

#[path = "common/mod.rs"]
mod common;
use common::{check, step};

/// Where the provider sends the browser back: your app's callback route.
const RETURN_URL: &str = "http://localhost:3000/auth/callback";

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let env = common::connect().await?;
    let client = &env.client;
    step(format!("Connected to {}", env.target));

    // 1. The app asks Descope where to send the browser.
    let redirect = client
        .oauth()
        .start("google")
        .return_url(RETURN_URL)
        .await?;
    step(format!(
        "Started a Google sign-in: send the browser to {}",
        redirect.url
    ));

    // 2. The browser signs in at the provider and comes back to RETURN_URL?code=...
    let code = match &env.emulator {
        Some(_) => {
            let (status, _) = browser_get(&redirect.url).await?;
            check(
                status == 200,
                "the emulator's sign-in page should be a form",
            )?;
            step("Without an identity, the emulator's sign-in page shows a form (email, name)");
            // A test (or this example) skips the form by putting the identity in the query.
            let url = format!("{}&email=gus%40example.com&name=Gus%20Google", redirect.url);
            let (status, location) = browser_get(&url).await?;
            let location = location.ok_or("the sign-in page did not redirect")?;
            check(
                status == 302,
                format!("expected a redirect, got HTTP {status}"),
            )?;
            step(format!(
                "Signed in as gus@example.com: the browser is sent to {location}"
            ));
            code_of(&location)?
        }
        None => match ask_for_code(&redirect.url)? {
            Some(code) => code,
            None => {
                println!("\nNo code given: stopping here.");
                return Ok(());
            }
        },
    };

    // 3. The app's callback exchanges the code for the user's session.
    let jwt = client.oauth().exchange_token(code.as_str()).await?;
    step(format!(
        "Exchanged the code: user {} <{}> ({}), amr {:?}",
        jwt.user_id,
        jwt.user.email,
        if jwt.first_seen {
            "new user"
        } else {
            "returning user"
        },
        amr(&jwt)
    ));

    // 4. Later requests carry the session token, which validates locally.
    let token = jwt.session.as_ref().ok_or("no session token")?.token();
    let session = client.validate_session(token, None).await?;
    step(format!(
        "The session validates: user {}, expires at {}",
        session.user_id(),
        session.expires_at()
    ));

    // 5. A code works once.
    match client.oauth().exchange_token(code.as_str()).await {
        Err(e) if e.is_unauthorized() => step(format!(
            "The same code a second time is refused: {}",
            common::describe(&e)
        )),
        Err(e) => return Err(format!("a reused code failed in an unexpected way: {e}").into()),
        Ok(_) => return Err("a reused code was accepted".into()),
    }

    // 6. An empty provider is refused before anything is sent.
    let e = client
        .oauth()
        .start("")
        .await
        .err()
        .ok_or("an empty provider was accepted")?;
    check(
        e.is_invalid_argument(),
        "an empty provider should be an invalid argument",
    )?;
    step(format!("An empty provider is refused before sending: {e}"));

    env.finish().await;
    println!("\nDone: OAuth start, sign-in at the provider, code exchange, session validation.");
    Ok(())
}

/// One GET, as a browser would, without following the redirect: the status and `Location`.
async fn browser_get(url: &str) -> Result<(u16, Option<String>), Box<dyn Error>> {
    let transport = HyperTransport::builder().build()?;
    let resp = transport
        .send(HttpRequest::new(
            Method::GET,
            url,
            HeaderMap::new(),
            Bytes::new(),
        ))
        .await?;
    let location = resp
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Ok((resp.status.as_u16(), location))
}

/// The `code` query parameter of the URL the browser came back to.
fn code_of(url: &str) -> Result<String, Box<dyn Error>> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let query = query.split('#').next().unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| format!("{url} has no `code` query parameter").into())
}

/// On a real project: the person running the example signs in with a browser.
fn ask_for_code(url: &str) -> Result<Option<String>, Box<dyn Error>> {
    println!("\nOpen this URL in a browser and sign in:\n  {url}");
    println!("The browser then goes to {RETURN_URL}?code=...");
    println!("Paste that whole URL (or just the code), or press Enter to stop:");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let line = line.trim();
    if line.is_empty() {
        return Ok(None);
    }
    Ok(Some(if line.contains("code=") {
        code_of(line)?
    } else {
        line.to_string()
    }))
}

/// The authentication methods the session records.
fn amr(jwt: &JwtResponse) -> Vec<String> {
    jwt.session
        .as_ref()
        .map(|s| s.amr().to_vec())
        .unwrap_or_default()
}
