//! End to end: the example app (`examples/axum-app.rs`, compiled in here) served on
//! 127.0.0.1 in front of the Descope emulator, signed in through its own OTP routes.

use std::time::Duration;

use http::StatusCode;
use serde_json::json;

use crate::support::*;

#[path = "../../examples/axum-app.rs"]
mod example;

use example::{ALICE, BOB};

/// The example app in front of a fresh emulator; returns the app's base URL, the emulator and
/// the client.
async fn start(
    session_ttl: Duration,
) -> (String, descope_emulator::EmulatorHandle, descope::Client) {
    let (emu, client) = example::start_emulator(session_ttl, false)
        .await
        .expect("emulator");
    let base = serve(example::app(
        client.clone(),
        descope_axum::CookieOptions::default(),
        "http://127.0.0.1",
    ))
    .await;
    (base, emu, client)
}

/// Signs `login` in through the app's OTP routes; returns the `(DS, DSR)` cookie values.
async fn sign_in(
    base: &str,
    emu: &descope_emulator::EmulatorHandle,
    login: &str,
) -> (String, String) {
    let r = req_post_json(
        base,
        "/auth/otp/start",
        &[],
        json!({"method": "email", "loginId": login}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "otp start: {}", r.body);
    assert!(r.json()["maskedAddress"].is_string());
    let code = emu
        .last_message(login)
        .and_then(|m| m.code)
        .expect("the emulator's outbox holds the code");

    let wrong = req_post_json(
        base,
        "/auth/otp/verify",
        &[],
        json!({"method": "email", "loginId": login, "code": "000000x"}),
    )
    .await;
    assert_eq!(
        wrong.status,
        StatusCode::UNAUTHORIZED,
        "a wrong code: {}",
        wrong.body
    );
    assert!(wrong.set_cookies().is_empty());

    let r = req_post_json(
        base,
        "/auth/otp/verify",
        &[],
        json!({"method": "email", "loginId": login, "code": code}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "otp verify: {}", r.body);
    let ds = r.cookie("DS").expect("DS cookie set on sign-in");
    let dsr = r.cookie("DSR").expect("DSR cookie set on sign-in");
    assert!(!ds.is_empty() && !dsr.is_empty());
    for c in r.set_cookies() {
        assert!(
            c.contains("HttpOnly") && c.contains("Secure") && c.contains("SameSite=Lax"),
            "{c}"
        );
    }
    (ds, dsr)
}

#[tokio::test]
async fn emulator_sign_in_then_pages_answer_by_session_role_and_tenant() {
    let (base, emu, _client) = start(Duration::from_secs(600)).await;

    // No token: the public page answers, the protected ones say 401.
    let r = req_get(&base, "/", &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("not signed in"));
    for path in ["/profile", "/admin", "/tenants/acme/reports"] {
        let r = req_get(&base, path, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
    }

    let (ds, _) = sign_in(&base, &emu, ALICE).await;
    let alice = [("cookie", format!("DS={ds}"))];
    let alice: Vec<(&str, &str)> = alice.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = req_get(&base, "/", &alice).await;
    assert!(r.body.contains("Signed in as"), "{}", r.body);
    let r = req_get(&base, "/profile", &alice).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("admin"), "{}", r.body);
    assert_eq!(
        req_get(&base, "/admin", &alice).await.status,
        StatusCode::OK
    );
    let r = req_get(&base, "/tenants/acme/reports", &alice).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("reports.read"));

    // Bob: no admin role, and reports.read only in another tenant.
    let (ds, _) = sign_in(&base, &emu, BOB).await;
    let bob = format!("DS={ds}");
    let bob = [("cookie", bob.as_str())];
    assert_eq!(
        req_get(&base, "/profile", &bob).await.status,
        StatusCode::OK
    );
    let r = req_get(&base, "/admin", &bob).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"], "forbidden");
    assert_eq!(
        req_get(&base, "/tenants/acme/reports", &bob).await.status,
        StatusCode::FORBIDDEN,
        "reports.read in globex must not open acme's page"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_expired_session_is_renewed_from_the_refresh_cookie() {
    // Two-second sessions (with one, a token could expire between issue and check); the
    // client's leeway is zero.
    let (base, emu, _client) = start(Duration::from_secs(2)).await;
    let (ds, dsr) = sign_in(&base, &emu, ALICE).await;
    tokio::time::sleep(Duration::from_millis(3100)).await;

    // The old session alone is expired now.
    let only_ds = format!("DS={ds}");
    let r = req_get(&base, "/profile", &[("cookie", &only_ds)]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json()["message"].as_str().unwrap().contains("expired"));

    // With the refresh cookie, the handler runs and the response carries a new session.
    let both = format!("DS={ds}; DSR={dsr}");
    let r = req_get(&base, "/admin", &[("cookie", &both)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let renewed = r.cookie("DS").expect("a new DS cookie");
    assert!(!renewed.is_empty());
    assert_ne!(renewed, ds);

    // The renewed session works by itself (within its two-second life).
    let r = req_get(&base, "/profile", &[("cookie", &format!("DS={renewed}"))]).await;
    assert_eq!(r.status, StatusCode::OK);
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_logout_clears_both_cookies_and_the_old_refresh_token_is_refused() {
    let (base, emu, client) = start(Duration::from_secs(600)).await;
    let (ds, dsr) = sign_in(&base, &emu, ALICE).await;
    let both = format!("DS={ds}; DSR={dsr}");

    // Before logout the refresh token alone renews the session.
    let only_dsr = format!("DSR={dsr}");
    let r = req_get(&base, "/profile", &[("cookie", &only_dsr)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let r = req_post(&base, "/auth/logout", &[("cookie", &both)], "").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.cookie("DS").as_deref(), Some(""), "{:?}", r.set_cookies());
    assert_eq!(
        r.cookie("DSR").as_deref(),
        Some(""),
        "{:?}",
        r.set_cookies()
    );
    assert!(r.set_cookies().iter().all(|c| c.contains("Max-Age=0")));

    // Afterwards the old refresh token gets no session, and the SDK call says why.
    let r = req_get(&base, "/profile", &[("cookie", &only_dsr)]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.cookie("DSR").as_deref(),
        Some(""),
        "the refused cookie is deleted"
    );
    let err = client
        .refresh_session(&dsr, None)
        .await
        .expect_err("a revoked refresh token must be refused");
    assert!(err.is_unauthorized(), "{err}");
    emu.shutdown().await;
}

#[tokio::test]
async fn emulator_magic_link_sign_in_sets_the_cookies_and_redirects() {
    let (base, emu, _client) = start(Duration::from_secs(600)).await;
    let r = req_post_json(
        &base,
        "/auth/magic-link/start",
        &[],
        json!({"method": "email", "loginId": ALICE}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let message = emu.last_message(ALICE).expect("a link in the outbox");
    let link = message.link.expect("the link");
    assert!(
        link.starts_with("http://127.0.0.1/auth/magic-link/verify"),
        "the link goes to the configured URL, not one from the request: {link}"
    );
    let token = message.token.expect("the link's token");

    let r = req_get(&base, &format!("/auth/magic-link/verify?t={token}"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header("location"), Some("/"));
    let ds = r.cookie("DS").expect("DS set");
    let r = req_get(&base, "/admin", &[("cookie", &format!("DS={ds}"))]).await;
    assert_eq!(r.status, StatusCode::OK);

    // The link works once.
    let r = req_get(&base, &format!("/auth/magic-link/verify?t={token}"), &[]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    assert!(r.set_cookies().is_empty());
    emu.shutdown().await;
}
