//! Tenant SSO (SAML or OIDC): start a sign-in to a tenant, let the browser sign in at the
//! tenant's identity provider, exchange the `code` it comes back with, and see the user land in
//! the tenant.
//!
//! ```sh
//! cargo run -p descope --example sso
//! ```
//!
//! With no `DESCOPE_PROJECT_ID` set, it runs against the embedded emulator: it creates a tenant,
//! and the emulator's fake identity provider signs in a configured default identity (no page
//! shown), the way a test does. With `DESCOPE_PROJECT_ID` and `DESCOPE_MANAGEMENT_KEY` set, it
//! needs `DESCOPE_SSO_TENANT` (the ID or name of a tenant with SSO configured), prints the
//! identity provider's URL for you to open in a browser, and asks for the `code` of the return
//! URL.

use std::error::Error;
use std::io::BufRead;

use bytes::Bytes;
use descope::{HttpRequest, HttpTransport, HyperTransport};
use http::{HeaderMap, Method};

#[path = "common/mod.rs"]
mod common;
use common::{check, step};

/// Where the identity provider sends the browser back: your app's callback route.
const RETURN_URL: &str = "http://localhost:3000/auth/sso-callback";

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let env = common::connect().await?;
    let client = &env.client;
    step(format!("Connected to {}", env.target));

    // The tenant the user belongs to, and the code the browser comes back with.
    let (tenant, code) = match &env.emulator {
        Some(emu) => {
            let tenant_id = client.mgmt().tenant().create("Acme Corp").await?;
            step(format!("Created tenant \"Acme Corp\" ({tenant_id})"));
            // Who the fake identity provider signs in, without showing its page.
            emu.set_fake_identity(Some(("ada@acme.test", "Ada Acme")));
            step("Set the emulator's fake identity to ada@acme.test");

            // Start by tenant name (an ID works too).
            let redirect = client
                .sso()
                .start("Acme Corp")
                .return_url(RETURN_URL)
                .login_hint("ada@acme.test")
                .await?;
            step(format!(
                "Started an SSO sign-in: send the browser to {}",
                redirect.url
            ));
            let location = browser_redirect(&redirect.url).await?;
            step(format!(
                "The identity provider signed Ada in and sent the browser to {location}"
            ));
            (tenant_id, code_of(&location)?)
        }
        None => {
            let tenant = std::env::var("DESCOPE_SSO_TENANT").unwrap_or_default();
            if tenant.trim().is_empty() {
                println!(
                    "\nSet DESCOPE_SSO_TENANT to the ID or name of a tenant with SSO configured."
                );
                return Ok(());
            }
            let redirect = client.sso().start(&tenant).return_url(RETURN_URL).await?;
            match ask_for_code(&redirect.url)? {
                Some(code) => (tenant, code),
                None => {
                    println!("\nNo code given: stopping here.");
                    return Ok(());
                }
            }
        }
    };

    // The app's callback exchanges the code.
    let jwt = client.sso().exchange_token(code.as_str()).await?;
    let session = jwt.session.as_ref().ok_or("no session token")?;
    step(format!(
        "Exchanged the code: user {} <{}> ({}), amr {:?}",
        jwt.user_id,
        jwt.user.email,
        if jwt.first_seen {
            "new user"
        } else {
            "returning user"
        },
        session.amr()
    ));
    let tenant_id = jwt
        .user
        .user_tenants
        .iter()
        .find(|t| t.tenant_id == tenant || t.tenant_name == tenant)
        .map(|t| t.tenant_id.clone())
        .ok_or("the SSO user is not a member of the tenant")?;
    check(
        session.tenant(&tenant_id).is_some(),
        "the session should carry the tenant",
    )?;
    step(format!(
        "The user is a member of tenant {tenant_id}, and the session token says so"
    ));

    let validated = client.validate_session(session.token(), None).await?;
    step(format!(
        "The session validates: user {}",
        validated.user_id()
    ));

    // Make the tenant the session's current one (the `dct` claim).
    let refresh = jwt.refresh.as_ref().ok_or("no refresh token")?.token();
    let selected = client.select_tenant(&tenant_id, refresh).await?;
    let current = selected
        .session
        .as_ref()
        .and_then(|s| s.selected_tenant().map(str::to_string));
    check(
        current.as_deref() == Some(tenant_id.as_str()),
        "the tenant should be selected",
    )?;
    step(format!(
        "Selected the tenant: the new session's dct is {tenant_id}"
    ));

    // A code works once.
    match client.sso().exchange_token(code.as_str()).await {
        Err(e) if e.is_unauthorized() => step(format!(
            "The same code a second time is refused: {}",
            common::describe(&e)
        )),
        Err(e) => return Err(format!("a reused code failed in an unexpected way: {e}").into()),
        Ok(_) => return Err("a reused code was accepted".into()),
    }

    if env.emulator.is_some() {
        // The emulator knows every tenant: a name it does not know is refused by the API.
        match client
            .sso()
            .start("No Such Tenant")
            .return_url(RETURN_URL)
            .await
        {
            Err(e) if e.status() == Some(400) => step(format!(
                "An unknown tenant is refused: {}",
                common::describe(&e)
            )),
            Err(e) => return Err(format!("an unknown tenant failed unexpectedly: {e}").into()),
            Ok(_) => return Err("an unknown tenant was accepted".into()),
        }
    }

    // An empty tenant is refused before anything is sent.
    let e = client
        .sso()
        .start("")
        .await
        .err()
        .ok_or("an empty tenant was accepted")?;
    check(
        e.is_invalid_argument(),
        "an empty tenant should be an invalid argument",
    )?;
    step(format!("An empty tenant is refused before sending: {e}"));

    env.finish().await;
    println!(
        "\nDone: SSO start, sign-in at the identity provider, code exchange, tenant membership."
    );
    Ok(())
}

/// One GET, as a browser would, without following the redirect: the `Location` it is sent to.
async fn browser_redirect(url: &str) -> Result<String, Box<dyn Error>> {
    let transport = HyperTransport::builder().build()?;
    let resp = transport
        .send(HttpRequest::new(
            Method::GET,
            url,
            HeaderMap::new(),
            Bytes::new(),
        ))
        .await?;
    check(
        resp.status.as_u16() == 302,
        format!(
            "expected a redirect from the identity provider, got HTTP {}",
            resp.status
        ),
    )?;
    resp.headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| "the redirect has no Location header".into())
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
