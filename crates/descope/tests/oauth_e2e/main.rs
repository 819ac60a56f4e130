//! OAuth, SSO and SAML (and passkeys) end to end: the SDK against the embedded emulator over real HTTP, with
//! the emulator's fake identity provider standing in for Google or the tenant's IdP.
//!
//! Each test plays the browser: it starts the flow with the SDK, GETs the returned URL without
//! following redirects, reads the `code` from the `Location` header, and exchanges it.

use bytes::Bytes;
use descope::{Client, HttpRequest, HttpTransport, HyperTransport, LoginOptions, SignUpUser};
use descope_emulator::{Emulator, EmulatorBuilder, EmulatorHandle, SoftAuthenticator};
use http::{HeaderMap, Method};

const RETURN: &str = "https://app.example.com/auth/callback";

async fn start(builder: EmulatorBuilder) -> (EmulatorHandle, Client) {
    let emu = builder.start().await.expect("the emulator starts");
    let client = Client::builder_without_env()
        .project_id(emu.project_id())
        .management_key(emu.management_key())
        .base_url(emu.base_url())
        .build()
        .expect("client");
    (emu, client)
}

/// What the browser does with the sign-in URL: one GET, no redirect followed. Returns the
/// status and the `Location` header.
async fn browser_get(url: &str) -> (u16, Option<String>) {
    let transport = HyperTransport::builder().build().expect("transport");
    let resp = transport
        .send(HttpRequest::new(
            Method::GET,
            url,
            HeaderMap::new(),
            Bytes::new(),
        ))
        .await
        .expect("the sign-in page answers");
    let location = resp
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (resp.status.as_u16(), location)
}

/// Signs in on the fake provider's page (identity in the query, or the default one when
/// `email` is `None`) and returns the code it sends back to [`RETURN`].
async fn sign_in(url: &str, email: Option<&str>) -> String {
    let url = match email {
        Some(e) => format!("{url}&email={}&name=Test%20User", e.replace('@', "%40")),
        None => url.to_string(),
    };
    let (status, location) = browser_get(&url).await;
    assert_eq!(status, 302, "the provider redirects back to the app");
    let location = location.expect("a Location header");
    let query = location
        .strip_prefix(RETURN)
        .and_then(|rest| rest.strip_prefix('?'))
        .unwrap_or_else(|| panic!("{location} goes back to {RETURN} with a query"));
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code in the return URL")
}

#[tokio::test]
async fn oauth_signs_a_new_user_in_and_the_session_validates() {
    let (emu, client) = start(Emulator::builder()).await;
    let redirect = client
        .oauth()
        .start("google")
        .return_url(RETURN)
        .await
        .expect("oauth start");
    assert!(
        redirect.url.starts_with(emu.base_url()),
        "the provider URL is the emulator's sign-in page: {}",
        redirect.url
    );
    let code = sign_in(&redirect.url, Some("olga@example.com")).await;

    let jwt = client
        .oauth()
        .exchange_token(code.as_str())
        .await
        .expect("exchange");
    assert!(jwt.first_seen, "the first OAuth sign-in creates the user");
    assert_eq!(jwt.user.email, "olga@example.com");
    assert_eq!(jwt.user.name, "Test User");
    let session = jwt.session.as_ref().expect("a session token");
    assert_eq!(session.amr(), ["oauth"]);
    let validated = client
        .validate_session(session.token(), None)
        .await
        .expect("the session validates against the emulator's JWKS");
    assert_eq!(validated.user_id(), jwt.user_id);
    assert!(jwt.refresh.is_some(), "a refresh token comes with it");

    // The same code a second time is refused.
    let again = client
        .oauth()
        .exchange_token(code.as_str())
        .await
        .expect_err("a used code is refused");
    assert!(again.is_unauthorized(), "{again}");

    // Signing in again finds the same user.
    let redirect = client
        .oauth()
        .start("google")
        .return_url(RETURN)
        .await
        .expect("start");
    let code = sign_in(&redirect.url, Some("olga@example.com")).await;
    let second = client.oauth().exchange_token(code).await.expect("exchange");
    assert!(!second.first_seen);
    assert_eq!(second.user_id, jwt.user_id);
}

#[tokio::test]
async fn oauth_with_a_default_identity_skips_the_page() {
    let (_emu, client) =
        start(Emulator::builder().fake_identity("dora@example.com", "Dora Default")).await;
    let redirect = client
        .oauth()
        .start("github")
        .return_url(RETURN)
        .await
        .expect("start");
    let code = sign_in(&redirect.url, None).await;
    let jwt = client.oauth().exchange_token(code).await.expect("exchange");
    assert_eq!(jwt.user.email, "dora@example.com");
    assert_eq!(jwt.user.name, "Dora Default");
}

#[tokio::test]
async fn oauth_step_up_adds_the_factor_to_the_session() {
    let (emu, client) = start(Emulator::builder()).await;
    emu.set_fake_identity(Some(("stu@example.com", "Stu")));
    let redirect = client
        .oauth()
        .start("google")
        .return_url(RETURN)
        .await
        .expect("start");
    let first = client
        .oauth()
        .exchange_token(sign_in(&redirect.url, None).await)
        .await
        .expect("exchange");
    let refresh = first
        .refresh
        .as_ref()
        .expect("refresh token")
        .token()
        .to_string();

    // Step-up without the refresh token is refused before anything is sent.
    let e = client
        .oauth()
        .start("google")
        .options(LoginOptions::new().stepup(true))
        .await
        .expect_err("step-up needs a refresh token");
    assert!(e.is_invalid_argument(), "{e}");

    let redirect = client
        .oauth()
        .start("google")
        .return_url(RETURN)
        .options(
            LoginOptions::new()
                .stepup(true)
                .custom_claim("level", "high"),
        )
        .refresh_token(refresh)
        .await
        .expect("step-up start");
    let stepped = client
        .oauth()
        .exchange_token(sign_in(&redirect.url, None).await)
        .await
        .expect("step-up exchange");
    let session = stepped.session.as_ref().expect("session");
    assert_eq!(stepped.user_id, first.user_id);
    assert_eq!(
        session.claim("level").and_then(|v| v.as_str()),
        Some("high")
    );
    assert_eq!(session.amr(), ["oauth"], "one oauth factor, not two");
}

#[tokio::test]
async fn sso_puts_the_user_in_the_tenant_named_at_start() {
    let (emu, client) = start(Emulator::builder()).await;
    let tenant_id = client
        .mgmt()
        .tenant()
        .create("Acme Corp")
        .await
        .expect("tenant");
    emu.set_fake_identity(Some(("sara@acme.test", "Sara Sso")));

    // By name...
    let redirect = client
        .sso()
        .start("Acme Corp")
        .return_url(RETURN)
        .login_hint("sara@acme.test")
        .await
        .expect("sso start");
    let code = sign_in(&redirect.url, None).await;
    let jwt = client
        .sso()
        .exchange_token(code.as_str())
        .await
        .expect("exchange");
    assert!(jwt.first_seen);
    assert!(
        jwt.user
            .user_tenants
            .iter()
            .any(|t| t.tenant_id == tenant_id),
        "the SSO user is a member of the tenant: {:?}",
        jwt.user.user_tenants
    );
    let session = jwt.session.as_ref().expect("session");
    assert_eq!(session.amr(), ["sso"]);
    assert!(
        session.tenant(&tenant_id).is_some(),
        "the tenant is in the JWT"
    );
    client
        .validate_session(session.token(), None)
        .await
        .expect("the session validates");
    let loaded = client
        .mgmt()
        .user()
        .load("sara@acme.test")
        .await
        .expect("the user exists in the project");
    assert!(loaded.user_tenants.iter().any(|t| t.tenant_id == tenant_id));

    // ...and by ID; the code works once.
    let redirect = client
        .sso()
        .start(&tenant_id)
        .return_url(RETURN)
        .await
        .expect("start");
    let code2 = sign_in(&redirect.url, None).await;
    let again = client
        .sso()
        .exchange_token(code2.as_str())
        .await
        .expect("exchange");
    assert!(!again.first_seen);
    assert_eq!(again.user_id, jwt.user_id);
    let reused = client
        .sso()
        .exchange_token(code.as_str())
        .await
        .expect_err("a used code is refused");
    assert!(reused.is_unauthorized(), "{reused}");

    // An unknown tenant is refused at the start, with a message naming it.
    let e = client
        .sso()
        .start("No Such Tenant")
        .return_url(RETURN)
        .await
        .expect_err("unknown tenant");
    assert_eq!(e.status(), Some(400), "{e}");
    assert!(
        e.api_message()
            .unwrap_or_default()
            .contains("No Such Tenant"),
        "{e}"
    );
}

#[tokio::test]
#[allow(deprecated)]
async fn saml_calls_still_work_through_the_same_provider() {
    let (emu, client) = start(Emulator::builder()).await;
    let tenant_id = client
        .mgmt()
        .tenant()
        .create("Legacy Ltd")
        .await
        .expect("tenant");
    emu.set_fake_identity(Some(("lee@legacy.test", "Lee")));
    let redirect = client
        .saml()
        .start(&tenant_id, RETURN)
        .await
        .expect("saml start");
    let jwt = client
        .saml()
        .exchange_token(sign_in(&redirect.url, None).await)
        .await
        .expect("saml exchange");
    assert_eq!(jwt.session.as_ref().expect("session").amr(), ["saml"]);
    assert!(jwt
        .user
        .user_tenants
        .iter()
        .any(|t| t.tenant_id == tenant_id));
}

#[tokio::test]
async fn passkeys_sign_up_and_in_with_the_emulators_software_authenticator() {
    let (_emu, client) = start(Emulator::builder()).await;
    let authenticator = SoftAuthenticator::new("https://app.example.com");

    let start = client
        .webauthn()
        .sign_up_start("pia@example.com", authenticator.origin())
        .user(SignUpUser::new().name("Pia Passkey"))
        .await
        .expect("sign-up start");
    assert!(start.create, "a sign-up registers a credential");
    let response = authenticator
        .respond(&start.options, start.create)
        .expect("the authenticator registers");
    let jwt = client
        .webauthn()
        .sign_up_finish(&start.transaction_id, response)
        .await
        .expect("sign-up finish");
    assert!(jwt.first_seen);
    assert_eq!(jwt.user.name, "Pia Passkey");
    let session = jwt.session.as_ref().expect("session");
    assert_eq!(session.amr(), ["webauthn"]);
    client
        .validate_session(session.token(), None)
        .await
        .expect("the session validates");

    let start = client
        .webauthn()
        .sign_in_start("pia@example.com", authenticator.origin())
        .await
        .expect("sign-in start");
    assert!(!start.create);
    let response = authenticator
        .respond(&start.options, start.create)
        .expect("the authenticator signs");
    let again = client
        .webauthn()
        .sign_in_finish(&start.transaction_id, response.as_str())
        .await
        .expect("sign-in finish");
    assert_eq!(again.user_id, jwt.user_id);
    assert!(!again.first_seen);

    // The same answer twice: the transaction is spent.
    let e = client
        .webauthn()
        .sign_in_finish(&start.transaction_id, response)
        .await
        .expect_err("a finished transaction is refused");
    assert!(e.is_unauthorized(), "{e}");
}
