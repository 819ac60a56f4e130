//! WebAuthn (passkeys) against the emulator, driven by its software authenticator.

mod common;

use common::*;
use descope_emulator::SoftAuthenticator;
use serde_json::{json, Value};

const ORIGIN: &str = "https://app.example.com";

fn amr(jwt: &Value) -> Vec<String> {
    claims(jwt["sessionJwt"].as_str().expect("session jwt"))["amr"]
        .as_array()
        .expect("amr")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// A start call; returns (transactionId, options).
async fn start(
    c: &Client,
    path: &str,
    rt: Option<&str>,
    body: Value,
    create: bool,
) -> (String, String) {
    let r = c.post(path, rt, body).await;
    assert_eq!(r.status, 200, "{path}: {}", r.json);
    assert_eq!(r.json["create"], create, "{path}: create flag");
    (
        r.json["transactionId"]
            .as_str()
            .expect("transactionId")
            .to_string(),
        r.json["options"]
            .as_str()
            .expect("options string")
            .to_string(),
    )
}

async fn finish(c: &Client, path: &str, tid: &str, response: &str) -> Resp {
    c.post(
        path,
        None,
        json!({"transactionId": tid, "response": response}),
    )
    .await
}

/// Signs `login_id` up with a new passkey on `a`; returns the JWT response.
async fn sign_up(c: &Client, a: &SoftAuthenticator, login_id: &str) -> Value {
    let (tid, options) = start(
        c,
        "/v1/auth/webauthn/signup/start",
        None,
        json!({"user": {"loginId": login_id, "name": "Pat Passkey"}, "origin": a.origin()}),
        true,
    )
    .await;
    let response = a.create(&options).expect("authenticator registers");
    let r = finish(c, "/v1/auth/webauthn/signup/finish", &tid, &response).await;
    assert_eq!(r.status, 200, "sign-up finish: {}", r.json);
    r.json
}

async fn sign_in_start(c: &Client, login_id: &str) -> (String, String) {
    start(
        c,
        "/v1/auth/webauthn/signin/start",
        None,
        json!({"loginId": login_id, "origin": ORIGIN, "loginOptions": {}}),
        false,
    )
    .await
}

#[tokio::test]
async fn a_passkey_signs_up_then_signs_in() {
    let (_h, c) = start_default().await;
    let a = SoftAuthenticator::new(ORIGIN);
    let up = sign_up(&c, &a, "pat@example.com").await;
    assert_eq!(up["firstSeen"], true);
    assert_eq!(up["user"]["name"], "Pat Passkey");
    assert_eq!(up["user"]["webauthn"], true);
    assert_eq!(amr(&up), vec!["webauthn"]);

    let (tid, options) = sign_in_start(&c, "pat@example.com").await;
    let opts: Value = serde_json::from_str(&options).unwrap();
    assert_eq!(opts["publicKey"]["rpId"], "app.example.com");
    assert_eq!(
        opts["publicKey"]["allowCredentials"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let response = a.get(&options).expect("authenticator signs");
    let r = finish(&c, "/v1/auth/webauthn/signin/finish", &tid, &response).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["firstSeen"], false);
    assert_eq!(r.json["user"]["userId"], up["user"]["userId"]);
    assert_eq!(amr(&r.json), vec!["webauthn"]);

    // The transaction is spent.
    let again = finish(&c, "/v1/auth/webauthn/signin/finish", &tid, &response).await;
    assert_descope_error(&again, 401);
}

#[tokio::test]
async fn wrong_signatures_origins_credentials_and_counters_are_refused() {
    let (_h, c) = start_default().await;
    let a = SoftAuthenticator::new(ORIGIN);
    sign_up(&c, &a, "ann@example.com").await;

    // A signature over something else.
    let (tid, options) = sign_in_start(&c, "ann@example.com").await;
    let mut resp: Value = serde_json::from_str(&a.get(&options).unwrap()).unwrap();
    let (tid2, options2) = sign_in_start(&c, "ann@example.com").await;
    let other: Value = serde_json::from_str(&a.get(&options2).unwrap()).unwrap();
    resp["response"]["signature"] = other["response"]["signature"].clone();
    let r = finish(
        &c,
        "/v1/auth/webauthn/signin/finish",
        &tid,
        &resp.to_string(),
    )
    .await;
    assert_descope_error(&r, 401);
    assert!(
        r.json["errorMessage"]
            .as_str()
            .unwrap()
            .contains("signature"),
        "{}",
        r.json
    );

    // The counter must go up: an older assertion after a newer one looks like a cloned key.
    let (tid3, options3) = sign_in_start(&c, "ann@example.com").await;
    let older = a.get(&options3).unwrap();
    let (tid4, options4) = sign_in_start(&c, "ann@example.com").await;
    let newer = a.get(&options4).unwrap();
    assert_eq!(
        finish(&c, "/v1/auth/webauthn/signin/finish", &tid4, &newer)
            .await
            .status,
        200
    );
    let r = finish(&c, "/v1/auth/webauthn/signin/finish", &tid3, &older).await;
    assert_descope_error(&r, 401);
    assert!(
        r.json["errorMessage"].as_str().unwrap().contains("counter"),
        "{}",
        r.json
    );
    let _ = tid2;

    // Another page's origin.
    let evil = SoftAuthenticator::new("https://evil.example.net");
    let (tid, options) = start(
        &c,
        "/v1/auth/webauthn/signup/start",
        None,
        json!({"user": {"loginId": "bob@example.com"}, "origin": ORIGIN}),
        true,
    )
    .await;
    let r = finish(
        &c,
        "/v1/auth/webauthn/signup/finish",
        &tid,
        &evil.create(&options).unwrap(),
    )
    .await;
    assert_descope_error(&r, 401);
    assert!(
        r.json["errorMessage"].as_str().unwrap().contains("origin"),
        "{}",
        r.json
    );

    // Someone else's passkey for the same site.
    let b = SoftAuthenticator::new(ORIGIN);
    sign_up(&c, &b, "bob2@example.com").await;
    let (tid, options) = sign_in_start(&c, "ann@example.com").await;
    let mut opts: Value = serde_json::from_str(&options).unwrap();
    opts["publicKey"]["allowCredentials"] = json!([]);
    let r = finish(
        &c,
        "/v1/auth/webauthn/signin/finish",
        &tid,
        &b.get(&opts.to_string()).unwrap(),
    )
    .await;
    assert_descope_error(&r, 401);
    assert!(r.json["errorMessage"]
        .as_str()
        .unwrap()
        .contains("not one of the user's passkeys"));
}

#[tokio::test]
async fn starts_refuse_taken_unknown_and_passkeyless_users() {
    let (_h, c) = start_default().await;
    let a = SoftAuthenticator::new(ORIGIN);
    sign_up(&c, &a, "cy@example.com").await;
    let r = c
        .post(
            "/v1/auth/webauthn/signup/start",
            None,
            json!({"user": {"loginId": "cy@example.com"}, "origin": ORIGIN}),
        )
        .await;
    assert_descope_error(&r, 409);
    let r = c
        .post(
            "/v1/auth/webauthn/signin/start",
            None,
            json!({"loginId": "nobody@example.com", "origin": ORIGIN}),
        )
        .await;
    assert_descope_error(&r, 404);
    c.mgmt(
        "/v1/mgmt/user/create",
        json!({"loginId": "plain@example.com", "email": "plain@example.com"}),
    )
    .await;
    let r = c
        .post(
            "/v1/auth/webauthn/signin/start",
            None,
            json!({"loginId": "plain@example.com", "origin": ORIGIN}),
        )
        .await;
    assert_descope_error(&r, 400);
    let r = c
        .post(
            "/v1/auth/webauthn/signin/start",
            None,
            json!({"loginId": "cy@example.com", "origin": "not-an-origin"}),
        )
        .await;
    assert_descope_error(&r, 400);
    let r = c
        .post(
            "/v1/auth/webauthn/signin/finish",
            None,
            json!({"transactionId": "nope", "response": "{}"}),
        )
        .await;
    assert_descope_error(&r, 401);
}

#[tokio::test]
async fn sign_up_or_in_registers_first_then_signs_in_and_adopts_existing_users() {
    let (_h, c) = start_default().await;
    let a = SoftAuthenticator::new(ORIGIN);
    let body = json!({"loginId": "dan@example.com", "origin": ORIGIN});
    let (tid, options) = start(
        &c,
        "/v1/auth/webauthn/signup-in/start",
        None,
        body.clone(),
        true,
    )
    .await;
    let r = finish(
        &c,
        "/v1/auth/webauthn/signup/finish",
        &tid,
        &a.create(&options).unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["firstSeen"], true);
    let (tid, options) = start(&c, "/v1/auth/webauthn/signup-in/start", None, body, false).await;
    let r = finish(
        &c,
        "/v1/auth/webauthn/signin/finish",
        &tid,
        &a.get(&options).unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["firstSeen"], false);

    // A user without a passkey gets one added.
    let created = c
        .mgmt(
            "/v1/mgmt/user/create",
            json!({"loginId": "eve@example.com", "email": "eve@example.com"}),
        )
        .await;
    let (tid, options) = start(
        &c,
        "/v1/auth/webauthn/signup-in/start",
        None,
        json!({"loginId": "eve@example.com", "origin": ORIGIN}),
        true,
    )
    .await;
    let r = finish(
        &c,
        "/v1/auth/webauthn/signup/finish",
        &tid,
        &a.create(&options).unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["firstSeen"], false);
    assert_eq!(r.json["user"]["userId"], created.json["user"]["userId"]);
}

#[tokio::test]
async fn update_adds_a_passkey_and_with_mfa_returns_the_stronger_session() {
    let (_h, c) = start_default().await;
    let otp = c.login_test_user("fay@example.com", json!({})).await;
    let rt = otp["refreshJwt"].as_str().unwrap().to_string();
    let a = SoftAuthenticator::new(ORIGIN);

    let r = c
        .post(
            "/v1/auth/webauthn/update/start",
            None,
            json!({"loginId": "fay@example.com", "origin": ORIGIN}),
        )
        .await;
    assert_descope_error(&r, 401);

    let (tid, options) = start(
        &c,
        "/v1/auth/webauthn/update/start",
        Some(&rt),
        json!({"loginId": "fay@example.com", "origin": ORIGIN, "mfa": true}),
        true,
    )
    .await;
    let response = a.create(&options).unwrap();
    // Sign-in finish does not take an update transaction, and does not spend it.
    let r = finish(&c, "/v1/auth/webauthn/signin/finish", &tid, &response).await;
    assert_descope_error(&r, 400);
    let r = finish(&c, "/v1/auth/webauthn/update/finish", &tid, &response).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(amr(&r.json["jwt"]), vec!["email", "webauthn"]);

    // Without mfa: {} and the passkey works for sign-in.
    let (tid, options) = start(
        &c,
        "/v1/auth/webauthn/update/start",
        Some(&rt),
        json!({"loginId": "fay@example.com", "origin": ORIGIN}),
        true,
    )
    .await;
    let opts: Value = serde_json::from_str(&options).unwrap();
    assert_eq!(
        opts["publicKey"]["excludeCredentials"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "the existing passkey is excluded"
    );
    let r = finish(
        &c,
        "/v1/auth/webauthn/update/finish",
        &tid,
        &a.create(&options).unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json, json!({}));
    let (tid, options) = sign_in_start(&c, "fay@example.com").await;
    let r = finish(
        &c,
        "/v1/auth/webauthn/signin/finish",
        &tid,
        &a.get(&options).unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["user"]["userId"], otp["user"]["userId"]);
}

#[tokio::test]
async fn step_up_with_a_passkey_keeps_the_session_factors_and_claims() {
    let (_h, c) = start_default().await;
    let a = SoftAuthenticator::new(ORIGIN);
    let up = sign_up(&c, &a, "gil@example.com").await;
    let rt = up["refreshJwt"].as_str().unwrap().to_string();
    let (tid, options) = start(
        &c,
        "/v1/auth/webauthn/signin/start",
        Some(&rt),
        json!({"loginId": "gil@example.com", "origin": ORIGIN, "loginOptions": {"stepup": true, "customClaims": {"tier": "gold"}}}),
        false,
    )
    .await;
    let r = finish(
        &c,
        "/v1/auth/webauthn/signin/finish",
        &tid,
        &a.get(&options).unwrap(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(
        claims(r.json["sessionJwt"].as_str().unwrap())["tier"],
        "gold"
    );
    let r = c
        .post(
            "/v1/auth/webauthn/signin/start",
            None,
            json!({"loginId": "gil@example.com", "origin": ORIGIN, "loginOptions": {"stepup": true}}),
        )
        .await;
    assert_descope_error(&r, 401);
}
