//! OAuth, SSO and SAML through the emulator's fake identity provider.

mod common;

use std::time::Duration;

use common::*;
use descope_emulator::Emulator;
use http::Method;
use serde_json::{json, Value};

const RETURN: &str = "https://app.example.com/callback";

fn q(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The path (with query) of an emulator URL, for `Client::call`.
fn path_of(c: &Client, url: &str) -> String {
    url.strip_prefix(&c.base)
        .unwrap_or_else(|| panic!("{url} is not on the emulator {}", c.base))
        .to_string()
}

/// `…/authorize` and returns the sign-in page's path.
async fn authorize(
    c: &Client,
    kind: &str,
    query: &[(&str, &str)],
    body: Value,
    rt: Option<&str>,
) -> String {
    let r = c
        .post(&format!("/v1/auth/{kind}/authorize?{}", q(query)), rt, body)
        .await;
    assert_eq!(r.status, 200, "{kind} authorize: {}", r.json);
    let url = r.json["url"].as_str().expect("url").to_string();
    assert!(
        url.starts_with(&format!("{}/emulator/idp/authorize?state=", c.base)),
        "the URL points at the emulator's sign-in page: {url}"
    );
    path_of(c, &url)
}

/// Signs `email` in on the page and returns the code from the 302's Location.
async fn sign_in_on_page(
    c: &Client,
    page: &str,
    email: &str,
    name: &str,
    expect_return: &str,
) -> String {
    let r = c
        .call(
            Method::GET,
            &format!("{page}&{}", q(&[("email", email), ("name", name)])),
            None,
            None,
        )
        .await;
    location_code(&r, expect_return)
}

fn location_code(r: &Resp, expect_return: &str) -> String {
    assert_eq!(r.status, 302, "the page redirects back: {:?}", r.json);
    let loc = r.headers["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(
        loc.starts_with(&format!("{expect_return}?code="))
            || loc.starts_with(&format!("{expect_return}&code=")),
        "redirect {loc} goes to {expect_return} with a code"
    );
    let query = loc.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code in the Location")
}

fn amr(jwt: &Value, key: &str) -> Vec<String> {
    claims(jwt[key].as_str().expect("jwt"))["amr"]
        .as_array()
        .expect("amr")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn oauth_creates_the_user_on_first_sign_in_and_each_code_works_once() {
    let (_h, c) = start_default().await;
    let page = authorize(
        &c,
        "oauth",
        &[("provider", "google"), ("redirectURL", RETURN)],
        json!({}),
        None,
    )
    .await;

    // Without an identity, the page is a form naming the provider.
    let form = c.call(Method::GET, &page, None, None).await;
    assert_eq!(form.status, 200);
    let html = form.json.as_str().expect("html");
    assert!(html.contains("Sign in with google"), "{html}");
    assert!(
        html.contains("name=\"email\"") && html.contains("name=\"name\""),
        "{html}"
    );

    let code = sign_in_on_page(&c, &page, "gina@example.com", "Gina Google", RETURN).await;
    let r = c
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["firstSeen"], true);
    assert_eq!(r.json["user"]["email"], "gina@example.com");
    assert_eq!(r.json["user"]["name"], "Gina Google");
    assert_eq!(r.json["user"]["verifiedEmail"], true);
    assert_eq!(r.json["user"]["OAuth"], json!({"google": true}));
    assert_eq!(amr(&r.json, "sessionJwt"), vec!["oauth"]);
    assert!(r.json["refreshJwt"].as_str().is_some());
    let uid = r.json["user"]["userId"].clone();

    // The code is spent; the state too.
    let again = c
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_descope_error(&again, 401);
    let replay = c
        .call(
            Method::GET,
            &format!("{page}&email=x%40example.com"),
            None,
            None,
        )
        .await;
    assert_eq!(
        replay.status, 400,
        "a completed sign-in page cannot be reused"
    );

    // The second sign-in finds the same user.
    let page = authorize(
        &c,
        "oauth",
        &[("provider", "github"), ("redirectURL", RETURN)],
        json!({}),
        None,
    )
    .await;
    let code = sign_in_on_page(&c, &page, "gina@example.com", "", RETURN).await;
    let r = c
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["firstSeen"], false);
    assert_eq!(r.json["user"]["userId"], uid);
    assert_eq!(
        r.json["user"]["OAuth"],
        json!({"google": true, "github": true})
    );
}

#[tokio::test]
async fn oauth_refuses_bad_starts_and_foreign_codes() {
    let (_h, c) = start_default().await;
    let r = c.post("/v1/auth/oauth/authorize", None, json!({})).await;
    assert_descope_error(&r, 400);
    let r = c
        .post(
            &format!(
                "/v1/auth/oauth/authorize?{}",
                q(&[("provider", "google"), ("redirectURL", "not a url")])
            ),
            None,
            json!({}),
        )
        .await;
    assert_descope_error(&r, 400);
    let r = c
        .post("/v1/auth/oauth/exchange", None, json!({"code": ""}))
        .await;
    assert_descope_error(&r, 400);
    let r = c
        .post("/v1/auth/oauth/exchange", None, json!({"code": "made-up"}))
        .await;
    assert_descope_error(&r, 401);

    // An OAuth code is not an SSO code, and refusing it does not spend it.
    let page = authorize(
        &c,
        "oauth",
        &[("provider", "apple"), ("redirectURL", RETURN)],
        json!({}),
        None,
    )
    .await;
    let code = sign_in_on_page(&c, &page, "ann@example.com", "Ann", RETURN).await;
    let r = c
        .post("/v1/auth/sso/exchange", None, json!({"code": code}))
        .await;
    assert_descope_error(&r, 401);
    assert!(
        r.json["errorMessage"]
            .as_str()
            .unwrap()
            .contains("oauth/exchange"),
        "{}",
        r.json
    );
    let r = c
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(
        r.status, 200,
        "still usable at the right exchange: {}",
        r.json
    );

    // An unknown sign-in page and a non-email identity are refused.
    let r = c
        .call(
            Method::GET,
            "/emulator/idp/authorize?state=nope&email=a%40b.c",
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 400);
    let page = authorize(
        &c,
        "oauth",
        &[("provider", "apple"), ("redirectURL", RETURN)],
        json!({}),
        None,
    )
    .await;
    let r = c
        .call(
            Method::GET,
            &format!("{page}&email=not-an-email"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 200, "the form is shown again");
    assert!(r.json.as_str().unwrap().contains("Enter an email address"));
}

#[tokio::test]
async fn sso_binds_the_user_to_the_tenant_given_by_id_or_name() {
    let (_h, c) = start_default().await;
    let t = c
        .mgmt("/v1/mgmt/tenant/create", json!({"name": "Acme Corp"}))
        .await;
    assert_eq!(t.status, 200, "{}", t.json);
    let tid = t.json["id"].as_str().expect("tenant id").to_string();

    for (tenant, email) in [
        (tid.as_str(), "sam@acme.test"),
        ("Acme Corp", "sue@acme.test"),
    ] {
        let page = authorize(
            &c,
            "sso",
            &[("tenant", tenant), ("redirectURL", RETURN)],
            json!({}),
            None,
        )
        .await;
        let form = c.call(Method::GET, &page, None, None).await;
        assert!(form
            .json
            .as_str()
            .unwrap()
            .contains("Sign in to Acme Corp (SSO)"));
        let code = sign_in_on_page(&c, &page, email, "Sam", RETURN).await;
        let r = c
            .post("/v1/auth/sso/exchange", None, json!({"code": code}))
            .await;
        assert_eq!(r.status, 200, "{}", r.json);
        assert_eq!(r.json["user"]["userTenants"][0]["tenantId"], tid.as_str());
        assert_eq!(r.json["user"]["SAML"], true);
        assert_eq!(amr(&r.json, "sessionJwt"), vec!["sso"]);
        let claims = claims(r.json["sessionJwt"].as_str().unwrap());
        assert!(
            claims["tenants"].get(&tid).is_some(),
            "tenant claim: {claims}"
        );
    }

    // An unknown tenant is a clean 400 at the start.
    let r = c
        .post(
            &format!("/v1/auth/sso/authorize?{}", q(&[("tenant", "Nobody Inc")])),
            None,
            json!({}),
        )
        .await;
    assert_descope_error(&r, 400);
    assert!(r.json["errorMessage"]
        .as_str()
        .unwrap()
        .contains("Nobody Inc"));
    let r = c.post("/v1/auth/sso/authorize", None, json!({})).await;
    assert_descope_error(&r, 400);

    // SAML needs a return URL, and its codes go through saml/exchange with amr "saml".
    let r = c
        .post(
            &format!("/v1/auth/saml/authorize?{}", q(&[("tenant", &tid)])),
            None,
            json!({}),
        )
        .await;
    assert_descope_error(&r, 400);
    let page = authorize(
        &c,
        "saml",
        &[("tenant", &tid), ("redirectURL", RETURN)],
        json!({}),
        None,
    )
    .await;
    let code = sign_in_on_page(&c, &page, "sam@acme.test", "", RETURN).await;
    let r = c
        .post("/v1/auth/saml/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["firstSeen"], false);
    assert_eq!(amr(&r.json, "sessionJwt"), vec!["saml"]);
    assert_eq!(
        r.json["user"]["userTenants"].as_array().unwrap().len(),
        1,
        "no duplicate tenant link"
    );
}

#[tokio::test]
async fn a_default_identity_skips_the_page_and_can_be_changed_over_http() {
    let (h, c) = start(Emulator::builder().fake_identity("dee@example.com", "Dee Default")).await;
    let page = authorize(
        &c,
        "oauth",
        &[("provider", "google"), ("redirectURL", RETURN)],
        json!({}),
        None,
    )
    .await;
    let r = c.call(Method::GET, &page, None, None).await;
    let code = location_code(&r, RETURN);
    let x = c
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(x.json["user"]["email"], "dee@example.com");
    assert_eq!(x.json["user"]["name"], "Dee Default");

    // Over HTTP (management key required).
    let mk = c.mk.clone();
    let r = c
        .call(
            Method::PUT,
            "/emulator/idp/identity",
            None,
            Some(json!({"email": "eve@example.com", "name": "Eve"})),
        )
        .await;
    assert_descope_error(&r, 401);
    let r = c
        .call(
            Method::PUT,
            "/emulator/idp/identity",
            Some(&mk),
            Some(json!({"email": "eve@example.com", "name": "Eve"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let page = authorize(
        &c,
        "oauth",
        &[("provider", "google"), ("redirectURL", RETURN)],
        json!({}),
        None,
    )
    .await;
    let code = location_code(&c.call(Method::GET, &page, None, None).await, RETURN);
    let x = c
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(x.json["user"]["email"], "eve@example.com");

    // Cleared: the page asks again, and auto=1 without an identity is refused.
    let r = c
        .call(Method::DELETE, "/emulator/idp/identity", Some(&mk), None)
        .await;
    assert_eq!(r.status, 200);
    let page = authorize(
        &c,
        "oauth",
        &[("provider", "google"), ("redirectURL", RETURN)],
        json!({}),
        None,
    )
    .await;
    assert_eq!(c.call(Method::GET, &page, None, None).await.status, 200);
    assert_eq!(
        c.call(Method::GET, &format!("{page}&auto=1"), None, None)
            .await
            .status,
        400
    );
    // The handle sets it too.
    h.set_fake_identity(Some(("hal@example.com", "Hal")));
    let code = location_code(
        &c.call(Method::GET, &format!("{page}&auto=1"), None, None)
            .await,
        RETURN,
    );
    let x = c
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(x.json["user"]["email"], "hal@example.com");
}

#[tokio::test]
async fn without_a_return_url_the_browser_lands_on_an_emulator_page_showing_the_code() {
    let (_h, c) = start_default().await;
    let page = authorize(&c, "oauth", &[("provider", "google")], json!({}), None).await;
    let r = c
        .call(
            Method::GET,
            &format!("{page}&email=lou%40example.com"),
            None,
            None,
        )
        .await;
    let code = location_code(&r, &format!("{}/emulator/idp/done", c.base));
    let done = c
        .call(
            Method::GET,
            &format!("/emulator/idp/done?code={code}"),
            None,
            None,
        )
        .await;
    assert!(done.json.as_str().unwrap().contains(&code));
}

#[tokio::test]
async fn codes_and_sign_in_pages_expire() {
    let (_h, c) = start(Emulator::builder().code_ttl(Duration::from_secs(1))).await;
    let page = authorize(
        &c,
        "oauth",
        &[("provider", "google"), ("redirectURL", RETURN)],
        json!({}),
        None,
    )
    .await;
    let stale = authorize(
        &c,
        "oauth",
        &[("provider", "google"), ("redirectURL", RETURN)],
        json!({}),
        None,
    )
    .await;
    let code = sign_in_on_page(&c, &page, "old@example.com", "", RETURN).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = c
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_descope_error(&r, 401);
    assert!(
        r.json["errorMessage"].as_str().unwrap().contains("expired"),
        "{}",
        r.json
    );
    let r = c
        .call(
            Method::GET,
            &format!("{stale}&email=old%40example.com"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 400, "an expired sign-in page is refused");
}

#[tokio::test]
async fn login_options_custom_claims_and_step_up_are_honoured() {
    let (_h, c) = start_default().await;
    let otp = c.login_test_user("stan@example.com", json!({})).await;
    let rt = otp["refreshJwt"].as_str().unwrap().to_string();

    // Step-up without a refresh token is refused at the start.
    let r = c
        .post(
            &format!("/v1/auth/oauth/authorize?{}", q(&[("provider", "google")])),
            None,
            json!({"stepup": true}),
        )
        .await;
    assert_descope_error(&r, 401);

    let body = json!({"stepup": true, "customClaims": {"plan": "gold"}, "mfa": false});
    let page = authorize(
        &c,
        "oauth",
        &[("provider", "google"), ("redirectURL", RETURN)],
        body.clone(),
        Some(&rt),
    )
    .await;
    let code = sign_in_on_page(&c, &page, "stan@example.com", "", RETURN).await;
    let r = c
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(amr(&r.json, "sessionJwt"), vec!["email", "oauth"]);
    assert_eq!(
        claims(r.json["sessionJwt"].as_str().unwrap())["plan"],
        "gold"
    );
    assert_eq!(r.json["user"]["userId"], otp["user"]["userId"]);

    // A step-up signed in as someone else is refused.
    let page = authorize(
        &c,
        "oauth",
        &[("provider", "google"), ("redirectURL", RETURN)],
        body,
        Some(&rt),
    )
    .await;
    let code = sign_in_on_page(&c, &page, "mallory@example.com", "", RETURN).await;
    let r = c
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_descope_error(&r, 401);

    // Plain custom claims on a normal sign-in.
    let page = authorize(
        &c,
        "oauth",
        &[("provider", "google"), ("redirectURL", RETURN)],
        json!({"customClaims": {"k": 1}}),
        None,
    )
    .await;
    let code = sign_in_on_page(&c, &page, "new@example.com", "", RETURN).await;
    let r = c
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_eq!(claims(r.json["sessionJwt"].as_str().unwrap())["k"], 1);
}

#[tokio::test]
async fn a_disabled_user_is_refused_at_exchange() {
    let (_h, c) = start_default().await;
    let r = c
        .mgmt(
            "/v1/mgmt/user/create",
            json!({"loginId": "dis@example.com", "email": "dis@example.com"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let r = c
        .mgmt(
            "/v1/mgmt/user/update/status",
            json!({"loginId": "dis@example.com", "status": "disabled"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let page = authorize(
        &c,
        "oauth",
        &[("provider", "google"), ("redirectURL", RETURN)],
        json!({}),
        None,
    )
    .await;
    let code = sign_in_on_page(&c, &page, "dis@example.com", "", RETURN).await;
    let r = c
        .post("/v1/auth/oauth/exchange", None, json!({"code": code}))
        .await;
    assert_descope_error(&r, 403);
}

#[tokio::test]
async fn the_sign_in_page_escapes_what_it_echoes() {
    let (_h, c) = start_default().await;
    let t = c
        .mgmt("/v1/mgmt/tenant/create", json!({"name": "<b>Evil</b>"}))
        .await;
    let tid = t.json["id"].as_str().unwrap().to_string();
    let hint = "\"><script>alert(1)</script>";
    let page = authorize(
        &c,
        "sso",
        &[("tenant", &tid), ("loginHint", hint)],
        json!({}),
        None,
    )
    .await;
    let html = c
        .call(Method::GET, &page, None, None)
        .await
        .json
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !html.contains("<script>") && !html.contains("<b>Evil"),
        "{html}"
    );
    assert!(
        html.contains("&lt;script&gt;") && html.contains("&lt;b&gt;Evil"),
        "{html}"
    );
}
