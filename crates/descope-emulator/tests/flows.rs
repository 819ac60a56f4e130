//! The emulator's auth flows and management calls, over HTTP.

mod common;

use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::*;
use descope_emulator::Emulator;
use http::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn session_jwt_is_rs256_signed_by_a_key_in_the_jwks_with_descope_claims() {
    let (h, c) = start_default().await;
    let v = c.login_test_user("jwks@example.com", json!({})).await;
    let jwt = v["sessionJwt"].as_str().unwrap();
    let hdr = header(jwt);
    assert_eq!(hdr["alg"], "RS256");
    let jwks = c
        .call(
            Method::GET,
            &format!("/v2/keys/{}", h.project_id()),
            None,
            None,
        )
        .await;
    assert_eq!(jwks.status, 200);
    let key = jwks.json["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == hdr["kid"])
        .expect("kid in JWKS")
        .clone();
    assert_eq!(key["alg"], "RS256");
    assert_eq!(key["use"], "sig");
    // Verify the signature with the published n and e.
    let n = URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap()).unwrap();
    let e = URL_SAFE_NO_PAD.decode(key["e"].as_str().unwrap()).unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    let pk = ring::rsa::PublicKeyComponents { n: &n, e: &e };
    pk.verify(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        format!("{}.{}", parts[0], parts[1]).as_bytes(),
        &sig,
    )
    .expect("signature verifies with the JWKS key");
    let cl = claims(jwt);
    assert_eq!(cl["iss"], h.project_id());
    assert_eq!(cl["drn"], "DS");
    assert_eq!(cl["amr"], json!(["email"]));
    assert_eq!(cl["sub"], v["user"]["userId"]);
    assert_eq!(
        cl["exp"].as_i64().unwrap() - cl["iat"].as_i64().unwrap(),
        600,
        "default session lifetime is 10 minutes"
    );
    let rcl = claims(v["refreshJwt"].as_str().unwrap());
    assert_eq!(rcl["drn"], "DSR");
    assert_eq!(
        rcl["exp"].as_i64().unwrap() - rcl["iat"].as_i64().unwrap(),
        4 * 7 * 24 * 3600
    );
    // An unknown project's JWKS is not served.
    let other = c.call(Method::GET, "/v2/keys/Pother", None, None).await;
    assert_descope_error(&other, 404);
}

#[tokio::test]
async fn lifetimes_are_configurable() {
    let (_h, c) = start(
        Emulator::builder()
            .session_ttl(Duration::from_secs(30))
            .refresh_ttl(Duration::from_secs(3600)),
    )
    .await;
    let v = c.login_test_user("ttl@example.com", json!({})).await;
    let s = claims(v["sessionJwt"].as_str().unwrap());
    let r = claims(v["refreshJwt"].as_str().unwrap());
    assert_eq!(s["exp"].as_i64().unwrap() - s["iat"].as_i64().unwrap(), 30);
    assert_eq!(
        r["exp"].as_i64().unwrap() - r["iat"].as_i64().unwrap(),
        3600
    );
}

#[tokio::test]
async fn otp_signs_up_and_in_over_every_delivery_method() {
    let (h, c) = start_default().await;
    for (m, login, masked_key) in [
        ("email", "otp-mail@example.com", "maskedEmail"),
        ("sms", "+12125550001", "maskedPhone"),
        ("voice", "+12125550002", "maskedPhone"),
        ("whatsapp", "+12125550003", "maskedPhone"),
    ] {
        let r = c
            .post(
                &format!("/v1/auth/otp/signup/{m}"),
                None,
                json!({"loginId": login, "user": {"name": "N"}}),
            )
            .await;
        assert_eq!(r.status, 200, "{m} sign-up: {}", r.json);
        let masked = r.json[masked_key].as_str().unwrap();
        assert!(masked.contains('*'), "{m}: masked address {masked}");
        let msg = h.last_message(login).expect("code in the outbox");
        assert_eq!(msg.method, m);
        let code = msg.code.clone().unwrap();
        let v = c
            .post(
                &format!("/v1/auth/otp/verify/{m}"),
                None,
                json!({"loginId": login, "code": code}),
            )
            .await;
        assert_eq!(v.status, 200, "{m} verify: {}", v.json);
        assert_eq!(v.json["firstSeen"], true);
        assert_eq!(
            claims(v.json["sessionJwt"].as_str().unwrap())["amr"],
            json!([m])
        );
        if m == "email" {
            assert_eq!(v.json["user"]["verifiedEmail"], true);
        } else {
            assert_eq!(v.json["user"]["verifiedPhone"], true);
        }
        // Sign in and sign-up-or-in now find the user.
        for path in ["signin", "signup-in"] {
            let r = c
                .post(
                    &format!("/v1/auth/otp/{path}/{m}"),
                    None,
                    json!({"loginId": login, "loginOptions": {}}),
                )
                .await;
            assert_eq!(r.status, 200, "{m} {path}: {}", r.json);
            let code = h.last_message(login).unwrap().code.unwrap();
            let v = c
                .post(
                    &format!("/v1/auth/otp/verify/{m}"),
                    None,
                    json!({"loginId": login, "code": code}),
                )
                .await;
            assert_eq!(v.status, 200);
            assert_eq!(v.json["firstSeen"], false);
        }
    }
}

#[tokio::test]
async fn otp_errors_wrong_code_expired_code_unknown_user_duplicate_sign_up() {
    let (h, c) = start(Emulator::builder().code_ttl(Duration::from_secs(1))).await;
    let r = c
        .post(
            "/v1/auth/otp/signin/email",
            None,
            json!({"loginId": "nobody@example.com", "loginOptions": {}}),
        )
        .await;
    assert_descope_error(&r, 404);
    let r = c
        .post(
            "/v1/auth/otp/signup/email",
            None,
            json!({"loginId": "dup@example.com", "user": {}}),
        )
        .await;
    assert_eq!(r.status, 200);
    let code = h.last_message("dup@example.com").unwrap().code.unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let r = c
        .post(
            "/v1/auth/otp/verify/email",
            None,
            json!({"loginId": "dup@example.com", "code": wrong}),
        )
        .await;
    assert_descope_error(&r, 401);
    let r = c
        .post(
            "/v1/auth/otp/verify/email",
            None,
            json!({"loginId": "dup@example.com", "code": code}),
        )
        .await;
    assert_eq!(
        r.status, 200,
        "the right code still works after a wrong one"
    );
    let r = c
        .post(
            "/v1/auth/otp/signup/email",
            None,
            json!({"loginId": "dup@example.com", "user": {}}),
        )
        .await;
    assert_descope_error(&r, 409);
    // Expired code.
    let r = c
        .post(
            "/v1/auth/otp/signin/email",
            None,
            json!({"loginId": "dup@example.com", "loginOptions": {}}),
        )
        .await;
    assert_eq!(r.status, 200);
    let code = h.last_message("dup@example.com").unwrap().code.unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = c
        .post(
            "/v1/auth/otp/verify/email",
            None,
            json!({"loginId": "dup@example.com", "code": code}),
        )
        .await;
    assert_descope_error(&r, 401);
    assert!(r.json["errorMessage"].as_str().unwrap().contains("expired"));
    // Bad input.
    let r = c.post("/v1/auth/otp/signin/email", None, json!({})).await;
    assert_descope_error(&r, 400);
    let r = c
        .post("/v1/auth/otp/signin/pigeon", None, json!({"loginId": "x"}))
        .await;
    assert_descope_error(&r, 400);
}

#[tokio::test]
async fn otp_update_email_and_phone_apply_after_verify() {
    let (h, c) = start_default().await;
    let v = c.login_test_user("upd@example.com", json!({})).await;
    let rt = v["refreshJwt"].as_str().unwrap().to_string();
    let r = c.post("/v1/auth/otp/update/email", Some(&rt), json!({"loginId": "upd@example.com", "email": "new@example.com", "addToLoginIDs": true, "onMergeUseExisting": false})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["maskedEmail"], "n***@example.com");
    let code = h.last_message("upd@example.com").unwrap().code.unwrap();
    let v = c
        .post(
            "/v1/auth/otp/verify/email",
            None,
            json!({"loginId": "upd@example.com", "code": code}),
        )
        .await;
    assert_eq!(v.status, 200);
    assert_eq!(v.json["user"]["email"], "new@example.com");
    assert_eq!(
        v.json["user"]["loginIds"],
        json!(["upd@example.com", "new@example.com"])
    );
    let r = c.post("/v1/auth/otp/update/phone/sms", Some(&rt), json!({"loginId": "upd@example.com", "phone": "+14155550000", "addToLoginIDs": false, "onMergeUseExisting": false})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["maskedPhone"], "+*******0000");
    let code = h.last_message("upd@example.com").unwrap().code.unwrap();
    let v = c
        .post(
            "/v1/auth/otp/verify/sms",
            None,
            json!({"loginId": "upd@example.com", "code": code}),
        )
        .await;
    assert_eq!(v.json["user"]["phone"], "+14155550000");
    assert_eq!(v.json["user"]["verifiedPhone"], true);
    // Without a refresh token the update is refused.
    let r = c
        .post(
            "/v1/auth/otp/update/email",
            None,
            json!({"loginId": "upd@example.com", "email": "x@example.com"}),
        )
        .await;
    assert_descope_error(&r, 401);
}

#[tokio::test]
async fn magic_link_verifies_once() {
    let (h, c) = start_default().await;
    let r = c
        .post(
            "/v1/auth/magiclink/signup/email",
            None,
            json!({"loginId": "ml@example.com", "URI": "http://app/verify", "user": {}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["maskedEmail"], "m***@example.com");
    let msg = h.last_message("ml@example.com").unwrap();
    let link = msg.link.clone().unwrap();
    assert!(link.starts_with("http://app/verify?t="), "{link}");
    let token = link.split("t=").nth(1).unwrap();
    let v = c
        .post("/v1/auth/magiclink/verify", None, json!({"token": token}))
        .await;
    assert_eq!(v.status, 200);
    assert!(v.json["sessionJwt"].is_string());
    let again = c
        .post("/v1/auth/magiclink/verify", None, json!({"token": token}))
        .await;
    assert_descope_error(&again, 401);
    // Sign-in over SMS needs a phone.
    let r = c
        .post(
            "/v1/auth/magiclink/signin/sms",
            None,
            json!({"loginId": "ml@example.com", "URI": "", "loginOptions": {}}),
        )
        .await;
    assert_descope_error(&r, 400);
}

#[tokio::test]
async fn enchanted_link_pending_session_is_401_until_the_link_is_verified() {
    let (h, c) = start_default().await;
    let r = c
        .post(
            "/v1/auth/enchantedlink/signup-in/email",
            None,
            json!({"loginId": "el@example.com", "URI": "http://app/el", "loginOptions": {}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let pref = r.json["pendingRef"].as_str().unwrap().to_string();
    assert!(r.json["linkId"].is_string());
    assert_eq!(r.json["maskedEmail"], "e***@example.com");
    let p = c
        .post(
            "/v1/auth/enchantedlink/pending-session",
            None,
            json!({"pendingRef": pref}),
        )
        .await;
    assert_descope_error(&p, 401);
    let token = h.last_message("el@example.com").unwrap().token.unwrap();
    let v = c
        .post(
            "/v1/auth/enchantedlink/verify",
            None,
            json!({"token": token}),
        )
        .await;
    assert_eq!(v.status, 200);
    let p = c
        .post(
            "/v1/auth/enchantedlink/pending-session",
            None,
            json!({"pendingRef": pref}),
        )
        .await;
    assert_eq!(p.status, 200);
    assert!(p.json["sessionJwt"].is_string() && p.json["refreshJwt"].is_string());
    assert_eq!(p.json["user"]["loginIds"], json!(["el@example.com"]));
    let again = c
        .post(
            "/v1/auth/enchantedlink/verify",
            None,
            json!({"token": token}),
        )
        .await;
    assert_descope_error(&again, 401);
}

#[tokio::test]
async fn test_user_generators_return_codes_and_links_and_refuse_real_users() {
    let (_h, c) = start_default().await;
    c.mgmt(
        "/v1/mgmt/user/create/test",
        json!({"loginId": "t@example.com", "email": "t@example.com", "phone": "+12125550100"}),
    )
    .await;
    c.mgmt(
        "/v1/mgmt/user/create",
        json!({"loginId": "real@example.com", "email": "real@example.com"}),
    )
    .await;
    for m in ["sms", "voice", "whatsapp", "Embedded"] {
        let r = c
            .mgmt(
                "/v1/mgmt/tests/generate/otp",
                json!({"loginId": "t@example.com", "deliveryMethod": m, "loginOptions": {}}),
            )
            .await;
        assert_eq!(r.status, 200, "{m}: {}", r.json);
        let verify_m = if m == "Embedded" { "email" } else { m };
        let v = c
            .post(
                &format!("/v1/auth/otp/verify/{verify_m}"),
                None,
                json!({"loginId": "t@example.com", "code": r.json["code"]}),
            )
            .await;
        assert_eq!(v.status, 200, "{m} code verifies");
    }
    let r = c.mgmt("/v1/mgmt/tests/generate/magiclink", json!({"loginId": "t@example.com", "deliveryMethod": "email", "URI": "http://x/y", "loginOptions": {}})).await;
    let link = r.json["link"].as_str().unwrap();
    let v = c
        .post(
            "/v1/auth/magiclink/verify",
            None,
            json!({"token": link.split("t=").nth(1).unwrap()}),
        )
        .await;
    assert_eq!(v.status, 200);
    let r = c
        .mgmt(
            "/v1/mgmt/tests/generate/enchantedlink",
            json!({"loginId": "t@example.com", "URI": "", "loginOptions": {}}),
        )
        .await;
    assert_eq!(r.status, 200);
    let token = r.json["link"]
        .as_str()
        .unwrap()
        .split("t=")
        .nth(1)
        .unwrap()
        .to_string();
    c.post(
        "/v1/auth/enchantedlink/verify",
        None,
        json!({"token": token}),
    )
    .await;
    let p = c
        .post(
            "/v1/auth/enchantedlink/pending-session",
            None,
            json!({"pendingRef": r.json["pendingRef"]}),
        )
        .await;
    assert_eq!(p.status, 200);
    let r = c
        .mgmt(
            "/v1/mgmt/user/signin/embeddedlink",
            json!({"loginId": "t@example.com", "customClaims": {"k": "v"}}),
        )
        .await;
    let v = c
        .post(
            "/v1/auth/magiclink/verify",
            None,
            json!({"token": r.json["token"]}),
        )
        .await;
    assert_eq!(v.status, 200);
    assert_eq!(
        claims(v.json["sessionJwt"].as_str().unwrap())["k"],
        "v",
        "embedded-link custom claims land in the JWT"
    );
    let r = c
        .mgmt(
            "/v1/mgmt/tests/generate/otp",
            json!({"loginId": "real@example.com", "deliveryMethod": "email"}),
        )
        .await;
    assert_descope_error(&r, 400);
}

#[tokio::test]
async fn roles_permissions_and_tenants_appear_in_the_jwt_and_tenant_selection_sets_dct() {
    let (_h, c) = start_default().await;
    assert_eq!(
        c.mgmt(
            "/v1/mgmt/permission/create",
            json!({"name": "read", "description": "r"})
        )
        .await
        .status,
        200
    );
    c.mgmt("/v1/mgmt/permission/create", json!({"name": "write"}))
        .await;
    assert_descope_error(
        &c.mgmt("/v1/mgmt/permission/create", json!({"name": "read"}))
            .await,
        409,
    );
    assert_eq!(
        c.mgmt(
            "/v1/mgmt/role/create",
            json!({"name": "viewer", "permissionNames": ["read"]})
        )
        .await
        .status,
        200
    );
    let t = c
        .mgmt(
            "/v1/mgmt/tenant/create",
            json!({"name": "Acme", "id": "T-acme", "selfProvisioningDomains": []}),
        )
        .await;
    assert_eq!(t.json["id"], "T-acme");
    let t2 = c
        .mgmt("/v1/mgmt/tenant/create", json!({"name": "Other"}))
        .await;
    let t2 = t2.json["id"].as_str().unwrap().to_string();
    c.mgmt(
        "/v1/mgmt/role/create",
        json!({"name": "editor", "permissionNames": ["read", "write"], "tenantId": "T-acme"}),
    )
    .await;
    let v = c.login_test_user("roles@example.com", json!({"roleNames": ["viewer"], "userTenants": [{"tenantId": "T-acme", "roleNames": ["editor"]}, {"tenantId": t2, "roleNames": []}]})).await;
    let cl = claims(v["sessionJwt"].as_str().unwrap());
    assert_eq!(cl["roles"], json!(["viewer"]));
    assert_eq!(cl["permissions"], json!(["read"]));
    assert_eq!(
        cl["tenants"]["T-acme"],
        json!({"roles": ["editor"], "permissions": ["read", "write"]})
    );
    assert!(cl.get("dct").is_none());
    // Granting a role later shows after a refresh.
    c.mgmt(
        "/v1/mgmt/role/create",
        json!({"name": "admin", "permissionNames": ["write"]}),
    )
    .await;
    assert_eq!(
        c.mgmt(
            "/v2/mgmt/user/update/role/add",
            json!({"loginId": "roles@example.com", "roleNames": ["admin"]})
        )
        .await
        .status,
        200
    );
    let rt = v["refreshJwt"].as_str().unwrap().to_string();
    let r = c.post("/v1/auth/refresh", Some(&rt), json!({})).await;
    let cl = claims(r.json["sessionJwt"].as_str().unwrap());
    assert_eq!(cl["roles"], json!(["viewer", "admin"]));
    assert_eq!(cl["permissions"], json!(["read", "write"]));
    // Tenant selection.
    let s = c
        .post(
            "/v1/auth/tenant/select",
            Some(&rt),
            json!({"tenant": "T-acme"}),
        )
        .await;
    assert_eq!(s.status, 200, "{}", s.json);
    assert_eq!(
        claims(s.json["sessionJwt"].as_str().unwrap())["dct"],
        "T-acme"
    );
    let rt2 = s.json["refreshJwt"].as_str().unwrap().to_string();
    assert_eq!(claims(&rt2)["dct"], "T-acme");
    let r = c.post("/v1/auth/refresh", Some(&rt2), json!({})).await;
    assert_eq!(
        claims(r.json["sessionJwt"].as_str().unwrap())["dct"],
        "T-acme",
        "dct survives refresh"
    );
    let bad = c
        .post(
            "/v1/auth/tenant/select",
            Some(&rt),
            json!({"tenant": "T-nope"}),
        )
        .await;
    assert_descope_error(&bad, 400);
    // me/tenants
    let mt = c
        .post("/v1/auth/me/tenants", Some(&rt2), json!({"dct": true}))
        .await;
    assert_eq!(
        mt.json["tenants"],
        json!([{"id": "T-acme", "name": "Acme", "customAttributes": {}}])
    );
    let mt = c
        .post("/v1/auth/me/tenants", Some(&rt2), json!({"dct": false}))
        .await;
    assert_eq!(mt.json["tenants"].as_array().unwrap().len(), 2);
    // Unknown roles and tenants are refused.
    let r = c
        .mgmt(
            "/v1/mgmt/user/create",
            json!({"loginId": "x@example.com", "roleNames": ["ghost"]}),
        )
        .await;
    assert_descope_error(&r, 400);
    let r = c
        .mgmt(
            "/v1/mgmt/user/create",
            json!({"loginId": "x@example.com", "userTenants": [{"tenantId": "T-ghost"}]}),
        )
        .await;
    assert_descope_error(&r, 400);
    // Role and permission listings.
    let roles = c.mgmt_get("/v1/mgmt/role/all").await;
    assert_eq!(roles.json["roles"].as_array().unwrap().len(), 3);
    let found = c
        .mgmt("/v1/mgmt/role/search", json!({"roleNameLike": "EDIT"}))
        .await;
    assert_eq!(found.json["roles"][0]["name"], "editor");
    let perms = c.mgmt_get("/v1/mgmt/permission/all").await;
    assert_eq!(perms.json["permissions"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn refresh_logout_and_logout_all_revoke_refresh_tokens() {
    let (_h, c) = start_default().await;
    let a = c.login_test_user("lo@example.com", json!({})).await;
    let b = c.otp_login("lo@example.com").await;
    let cc = c.otp_login("lo@example.com").await;
    let (ra, rb, rc) = (
        a["refreshJwt"].as_str().unwrap(),
        b["refreshJwt"].as_str().unwrap(),
        cc["refreshJwt"].as_str().unwrap(),
    );
    let r = c.post("/v1/auth/refresh", Some(ra), json!({})).await;
    assert_eq!(r.status, 200);
    assert!(
        r.json.get("refreshJwt").is_none(),
        "refresh does not rotate the refresh token"
    );
    assert_eq!(
        c.post("/v1/auth/logout", Some(ra), json!({})).await.status,
        200
    );
    assert_descope_error(&c.post("/v1/auth/refresh", Some(ra), json!({})).await, 401);
    assert_eq!(
        c.post("/v1/auth/refresh", Some(rb), json!({})).await.status,
        200,
        "logout revokes only that token"
    );
    assert_eq!(
        c.post("/v1/auth/logoutall", Some(rb), json!({}))
            .await
            .status,
        200
    );
    assert_descope_error(&c.post("/v1/auth/refresh", Some(rc), json!({})).await, 401);
    assert_descope_error(
        &c.call(Method::GET, "/v1/auth/me", Some(rc), None).await,
        401,
    );
    // A session token is not a refresh token; garbage is refused.
    let st = b["sessionJwt"].as_str().unwrap();
    assert_descope_error(&c.post("/v1/auth/refresh", Some(st), json!({})).await, 401);
    assert_descope_error(
        &c.post("/v1/auth/refresh", Some("a.b.c"), json!({})).await,
        401,
    );
    // Management logout.
    let d = c.otp_login("lo@example.com").await;
    let rd = d["refreshJwt"].as_str().unwrap();
    assert_eq!(
        c.mgmt("/v1/mgmt/user/logout", json!({"loginId": "lo@example.com"}))
            .await
            .status,
        200
    );
    assert_descope_error(&c.post("/v1/auth/refresh", Some(rd), json!({})).await, 401);
}

#[tokio::test]
async fn me_and_history_describe_the_signed_in_user() {
    let (_h, c) = start_default().await;
    let v = c
        .login_test_user("me@example.com", json!({"displayName": "Me Myself"}))
        .await;
    c.otp_login("me@example.com").await;
    let rt = v["refreshJwt"].as_str().unwrap();
    let me = c.call(Method::GET, "/v1/auth/me", Some(rt), None).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json["name"], "Me Myself");
    assert_eq!(me.json["loginIds"], json!(["me@example.com"]));
    let hist = c
        .call(Method::GET, "/v1/auth/me/history", Some(rt), None)
        .await;
    let list = hist.json.as_array().unwrap();
    assert_eq!(list.len(), 2, "one record per login");
    assert_eq!(list[0]["userId"], v["user"]["userId"]);
    assert_eq!(list[0]["ip"], "127.0.0.1");
    let mh = c
        .mgmt("/v1/mgmt/user/history", json!([v["user"]["userId"]]))
        .await;
    assert_eq!(mh.json.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn password_policy_is_enforced_and_sign_in_reset_update_replace_work() {
    let (h, c) = start_default().await;
    let p = c
        .call(Method::GET, "/v1/auth/password/policy", None, None)
        .await;
    assert_eq!(p.json["minLength"], 8);
    let weak = c
        .post(
            "/v1/auth/password/signup",
            None,
            json!({"loginId": "pw@example.com", "password": "short"}),
        )
        .await;
    assert_descope_error(&weak, 400);
    let up = c
        .post(
            "/v1/auth/password/signup",
            None,
            json!({"loginId": "pw@example.com", "password": "Passw0rdOk", "user": {"name": "P"}}),
        )
        .await;
    assert_eq!(up.status, 200, "{}", up.json);
    assert_eq!(
        claims(up.json["sessionJwt"].as_str().unwrap())["amr"],
        json!(["pwd"])
    );
    assert_descope_error(
        &c.post(
            "/v1/auth/password/signup",
            None,
            json!({"loginId": "pw@example.com", "password": "Passw0rdOk"}),
        )
        .await,
        409,
    );
    assert_descope_error(
        &c.post(
            "/v1/auth/password/signin",
            None,
            json!({"loginId": "pw@example.com", "password": "Wr0ngPassword"}),
        )
        .await,
        401,
    );
    assert_eq!(
        c.post(
            "/v1/auth/password/signin",
            None,
            json!({"loginId": "pw@example.com", "password": "Passw0rdOk"})
        )
        .await
        .status,
        200
    );
    // Update with a refresh token.
    let rt = up.json["refreshJwt"].as_str().unwrap();
    assert_descope_error(
        &c.post(
            "/v1/auth/password/update",
            Some(rt),
            json!({"loginId": "pw@example.com", "newPassword": "weak"}),
        )
        .await,
        400,
    );
    assert_eq!(
        c.post(
            "/v1/auth/password/update",
            Some(rt),
            json!({"loginId": "pw@example.com", "newPassword": "N3wPassword"})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        c.post(
            "/v1/auth/password/signin",
            None,
            json!({"loginId": "pw@example.com", "password": "N3wPassword"})
        )
        .await
        .status,
        200
    );
    // Replace.
    let r = c.post("/v1/auth/password/replace", None, json!({"loginId": "pw@example.com", "oldPassword": "N3wPassword", "newPassword": "Th1rdPassword"})).await;
    assert_eq!(r.status, 200);
    assert!(r.json["sessionJwt"].is_string());
    // Reset sends a magic link that signs in.
    let r = c
        .post(
            "/v1/auth/password/reset",
            None,
            json!({"loginId": "pw@example.com", "redirectUrl": null}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["resetMethod"], "magiclink");
    let token = h.last_message("pw@example.com").unwrap().token.unwrap();
    assert_eq!(
        c.post("/v1/auth/magiclink/verify", None, json!({"token": token}))
            .await
            .status,
        200
    );
    // Expired and temporary passwords must be replaced first.
    c.mgmt(
        "/v1/mgmt/user/password/expire",
        json!({"loginId": "pw@example.com"}),
    )
    .await;
    assert_descope_error(
        &c.post(
            "/v1/auth/password/signin",
            None,
            json!({"loginId": "pw@example.com", "password": "Th1rdPassword"}),
        )
        .await,
        401,
    );
    c.mgmt(
        "/v1/mgmt/user/password/set/active",
        json!({"loginId": "pw@example.com", "password": "Act1vePassword", "setActive": true}),
    )
    .await;
    assert_eq!(
        c.post(
            "/v1/auth/password/signin",
            None,
            json!({"loginId": "pw@example.com", "password": "Act1vePassword"})
        )
        .await
        .status,
        200
    );
    c.mgmt(
        "/v1/mgmt/user/password/set/temporary",
        json!({"loginId": "pw@example.com", "password": "Temp0raryPass", "setActive": false}),
    )
    .await;
    assert_descope_error(
        &c.post(
            "/v1/auth/password/signin",
            None,
            json!({"loginId": "pw@example.com", "password": "Temp0raryPass"}),
        )
        .await,
        401,
    );
}

#[tokio::test]
async fn totp_sign_up_returns_a_qr_png_and_sign_in_checks_rfc6238_codes() {
    let (_h, c) = start_default().await;
    let r = c
        .post(
            "/v1/auth/totp/signup",
            None,
            json!({"loginId": "totp@example.com", "user": {"name": "T"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let key = r.json["key"].as_str().unwrap().to_string();
    assert!(r.json["provisioningURL"]
        .as_str()
        .unwrap()
        .contains(&format!("secret={key}")));
    let png = STANDARD.decode(r.json["image"].as_str().unwrap()).unwrap();
    assert_eq!(
        qr_text(&png),
        r.json["provisioningURL"].as_str().unwrap(),
        "the image is a QR code of the provisioning URL"
    );
    let secret = totp_rs::Secret::Encoded(key.clone()).to_bytes().unwrap();
    let totp = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret).unwrap();
    let code = totp.generate_current().unwrap();
    let v = c
        .post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "totp@example.com", "code": code, "loginOptions": {}}),
        )
        .await;
    assert_eq!(v.status, 200, "{}", v.json);
    assert_eq!(
        claims(v.json["sessionJwt"].as_str().unwrap())["amr"],
        json!(["totp"])
    );
    let wrong = format!(
        "{:06}",
        (code.parse::<u32>().unwrap() + 500_000) % 1_000_000
    );
    assert_descope_error(
        &c.post(
            "/v1/auth/totp/verify",
            None,
            json!({"loginId": "totp@example.com", "code": wrong, "loginOptions": {}}),
        )
        .await,
        401,
    );
    // Update gives a new key; the old one stops working.
    let rt = v.json["refreshJwt"].as_str().unwrap();
    let u = c
        .post(
            "/v1/auth/totp/update",
            Some(rt),
            json!({"loginId": "totp@example.com"}),
        )
        .await;
    assert_eq!(u.status, 200);
    assert_ne!(u.json["key"], json!(key));
    assert_descope_error(
        &c.post(
            "/v1/auth/totp/signup",
            None,
            json!({"loginId": "totp@example.com"}),
        )
        .await,
        409,
    );
}

#[tokio::test]
async fn access_keys_exchange_for_jwts_with_roles_tenants_nsec_and_dct() {
    let (_h, c) = start_default().await;
    c.mgmt("/v1/mgmt/permission/create", json!({"name": "p1"}))
        .await;
    c.mgmt(
        "/v1/mgmt/role/create",
        json!({"name": "svc", "permissionNames": ["p1"]}),
    )
    .await;
    c.mgmt("/v1/mgmt/tenant/create", json!({"name": "K", "id": "T-k"}))
        .await;
    let r = c.mgmt("/v1/mgmt/accesskey/create", json!({"name": "ci", "expireTime": 0, "roleNames": ["svc"], "keyTenants": [{"tenantId": "T-k", "roleNames": []}], "userId": null, "customClaims": {"team": "ops"}, "description": "d", "permittedIps": []})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let secret = r.json["cleartext"].as_str().unwrap().to_string();
    let id = r.json["key"]["id"].as_str().unwrap().to_string();
    assert!(r.json["key"].get("cleartext").is_none());
    let loaded = c.mgmt_get(&format!("/v1/mgmt/accesskey?id={id}")).await;
    assert_eq!(loaded.json["key"]["name"], "ci");
    assert!(
        !loaded.json.to_string().contains(&secret),
        "the secret is returned only at creation"
    );
    let x = c
        .post(
            "/v1/auth/accesskey/exchange",
            Some(&secret),
            json!({"loginOptions": {"customClaims": {"run": 7}, "selectedTenant": "T-k"}}),
        )
        .await;
    assert_eq!(x.status, 200, "{}", x.json);
    let cl = claims(x.json["sessionJwt"].as_str().unwrap());
    assert_eq!(cl["sub"], json!(id));
    assert_eq!(cl["roles"], json!(["svc"]));
    assert_eq!(cl["permissions"], json!(["p1"]));
    assert_eq!(cl["team"], "ops");
    assert_eq!(cl["nsec"], json!({"run": 7}));
    assert_eq!(cl["dct"], "T-k");
    assert!(cl["tenants"]["T-k"].is_object());
    let s = c
        .mgmt("/v1/mgmt/accesskey/search", json!({"tenantIds": ["T-k"]}))
        .await;
    assert_eq!(s.json["keys"].as_array().unwrap().len(), 1);
    assert_eq!(
        c.mgmt(
            "/v1/mgmt/accesskey/update",
            json!({"id": id, "name": "renamed", "description": null})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        c.mgmt_get(&format!("/v1/mgmt/accesskey?id={id}"))
            .await
            .json["key"]["name"],
        "renamed"
    );
    c.mgmt("/v1/mgmt/accesskey/deactivate", json!({"id": id}))
        .await;
    assert_descope_error(
        &c.post(
            "/v1/auth/accesskey/exchange",
            Some(&secret),
            json!({"loginOptions": {}}),
        )
        .await,
        401,
    );
    c.mgmt("/v1/mgmt/accesskey/activate", json!({"id": id}))
        .await;
    assert_eq!(
        c.post(
            "/v1/auth/accesskey/exchange",
            Some(&secret),
            json!({"loginOptions": {}})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        c.mgmt("/v1/mgmt/accesskey/delete", json!({"id": id}))
            .await
            .status,
        200
    );
    assert_descope_error(
        &c.post(
            "/v1/auth/accesskey/exchange",
            Some(&secret),
            json!({"loginOptions": {}}),
        )
        .await,
        401,
    );
    assert_descope_error(
        &c.post("/v1/auth/accesskey/exchange", Some("wrong"), json!({}))
            .await,
        401,
    );
    // An expired key is refused.
    let r = c
        .mgmt(
            "/v1/mgmt/accesskey/create",
            json!({"name": "old", "expireTime": 1000, "roleNames": [], "keyTenants": []}),
        )
        .await;
    let old = r.json["cleartext"].as_str().unwrap().to_string();
    assert_descope_error(
        &c.post("/v1/auth/accesskey/exchange", Some(&old), json!({}))
            .await,
        401,
    );
}

#[tokio::test]
async fn management_key_is_checked_and_unknown_paths_answer_501() {
    let (_h, c) = start_default().await;
    let r = c
        .call(
            Method::POST,
            "/v1/mgmt/user/create",
            Some("not-the-key"),
            Some(json!({"loginId": "a"})),
        )
        .await;
    assert_descope_error(&r, 401);
    let r = c
        .call(
            Method::POST,
            "/v1/mgmt/user/create",
            None,
            Some(json!({"loginId": "a"})),
        )
        .await;
    assert_descope_error(&r, 401);
    let mut other = Client::new(&c.base, "Pwrongproject", &c.mk, None);
    other.pid = "Pwrongproject".into();
    assert_descope_error(
        &other
            .mgmt("/v1/mgmt/user/create", json!({"loginId": "a"}))
            .await,
        401,
    );
    let r = c.mgmt("/v1/mgmt/family/create", json!({})).await;
    assert_descope_error(&r, 501);
    assert!(r.json["errorMessage"]
        .as_str()
        .unwrap()
        .contains("/v1/mgmt/family/create"));
    let r = c
        .call(Method::GET, "/v1/auth/nothing/here", None, None)
        .await;
    assert_descope_error(&r, 501);
    let r = c
        .call(
            Method::POST,
            "/v1/mgmt/user/create",
            Some(&c.mk.clone()),
            None,
        )
        .await;
    assert_descope_error(&r, 400);
    let mut bad = Client::for_handle(&_h);
    bad.mk = c.mk.clone();
    let r = c
        .call(Method::POST, "/v1/auth/otp/signin/email", None, None)
        .await;
    assert_descope_error(&r, 400);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let (_h, c) = start(Emulator::builder().rate_limit_per_minute(3)).await;
    for _ in 0..3 {
        assert_eq!(
            c.call(Method::GET, "/v1/auth/password/policy", None, None)
                .await
                .status,
            200
        );
    }
    let r = c
        .call(Method::GET, "/v1/auth/password/policy", None, None)
        .await;
    assert_descope_error(&r, 429);
    let ra: u64 = r
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&ra));
}

#[tokio::test]
async fn user_management_calls_change_what_load_and_search_return() {
    let (h, c) = start_default().await;
    c.mgmt("/v1/mgmt/tenant/create", json!({"name": "T1", "id": "t1"}))
        .await;
    c.mgmt("/v1/mgmt/role/create", json!({"name": "r1"})).await;
    let r = c.mgmt("/v1/mgmt/user/create", json!({"loginId": "u@example.com", "email": "u@example.com", "phone": "+12125551234", "displayName": "U", "roleNames": [], "userTenants": [], "test": false, "picture": null, "customAttributes": {"plan": "pro"}, "additionalLoginIds": ["alt-u"], "ssoAppIDs": null, "invite": false, "verifiedEmail": true})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let uid = r.json["user"]["userId"].as_str().unwrap().to_string();
    assert_eq!(
        r.json["user"]["loginIds"],
        json!(["u@example.com", "alt-u"])
    );
    assert_eq!(r.json["user"]["verifiedEmail"], true);
    assert_descope_error(
        &c.mgmt("/v1/mgmt/user/create", json!({"loginId": "alt-u"}))
            .await,
        409,
    );
    let by_id = c.mgmt_get(&format!("/v1/mgmt/user?userId={uid}")).await;
    assert_eq!(by_id.json["user"]["email"], "u@example.com");
    assert_descope_error(&c.mgmt_get("/v1/mgmt/user?loginId=ghost").await, 404);
    let steps: Vec<(&str, Value)> = vec![
        (
            "/v1/mgmt/user/update/name",
            json!({"loginId": "u@example.com", "displayName": "New", "givenName": "G"}),
        ),
        (
            "/v1/mgmt/user/update/email",
            json!({"loginId": "u@example.com", "email": "e2@example.com", "verified": false}),
        ),
        (
            "/v1/mgmt/user/update/phone",
            json!({"loginId": "u@example.com", "phone": "+19998887777", "verified": true}),
        ),
        (
            "/v1/mgmt/user/update/role/set",
            json!({"loginId": "u@example.com", "roleNames": ["r1"]}),
        ),
        (
            "/v1/mgmt/user/update/tenant/add",
            json!({"loginId": "u@example.com", "tenantId": "t1"}),
        ),
        (
            "/v1/mgmt/user/update/role/add",
            json!({"loginId": "u@example.com", "tenantId": "t1", "roleNames": ["r1"]}),
        ),
        (
            "/v1/mgmt/user/update/customAttribute",
            json!({"loginId": "u@example.com", "attributeKey": "n", "attributeValue": 3}),
        ),
        (
            "/v1/mgmt/user/update/status",
            json!({"loginId": "u@example.com", "status": "disabled"}),
        ),
    ];
    for (path, body) in steps {
        let r = c.mgmt(path, body).await;
        assert_eq!(r.status, 200, "{path}: {}", r.json);
    }
    let u = c.mgmt_get("/v1/mgmt/user?loginId=u@example.com").await.json["user"].clone();
    assert_eq!(u["name"], "New");
    assert_eq!(u["givenName"], "G");
    assert_eq!(u["email"], "e2@example.com");
    assert_eq!(u["verifiedPhone"], true);
    assert_eq!(u["roleNames"], json!(["r1"]));
    assert_eq!(
        u["userTenants"],
        json!([{"tenantId": "t1", "roleNames": ["r1"], "tenantName": "T1"}])
    );
    assert_eq!(u["customAttributes"], json!({"plan": "pro", "n": 3}));
    assert_eq!(u["status"], "disabled");
    let r = c
        .mgmt(
            "/v1/mgmt/user/update/loginid",
            json!({"loginId": "alt-u", "newLoginId": "alt-2"}),
        )
        .await;
    assert_eq!(
        r.json["user"]["loginIds"],
        json!(["u@example.com", "alt-2"])
    );
    let r = c
        .call(
            Method::PATCH,
            "/v1/mgmt/user/patch",
            Some(&c.mk.clone()),
            Some(json!({"loginId": "u@example.com", "displayName": "Patched"})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["user"]["name"], "Patched");
    assert_eq!(
        r.json["user"]["email"], "e2@example.com",
        "patch leaves other fields"
    );
    let r = c.mgmt("/v1/mgmt/user/update", json!({"loginId": "u@example.com", "email": "full@example.com", "roleNames": [], "userTenants": [], "test": false})).await;
    assert_eq!(r.json["user"]["name"], "", "update is a full override");
    assert_eq!(r.json["user"]["loginIds"], json!(["u@example.com"]));
    // Search, test users, invite.
    c.mgmt("/v1/mgmt/user/create/test", json!({"loginId": "test1"}))
        .await;
    let inv = c.mgmt("/v1/mgmt/user/create", json!({"loginId": "inv@example.com", "email": "inv@example.com", "invite": true, "inviteUrl": "http://app/invite"})).await;
    assert_eq!(inv.json["user"]["status"], "invited");
    assert_eq!(h.last_message("inv@example.com").unwrap().kind, "invite");
    let s = c.mgmt("/v2/mgmt/user/search", json!({"tenantIds": [], "roleNames": [], "limit": 0, "page": 0, "testUsersOnly": false, "withTestUser": false})).await;
    assert_eq!(
        s.json["users"].as_array().unwrap().len(),
        2,
        "test users are left out by default"
    );
    let s = c
        .mgmt("/v2/mgmt/user/search/test", json!({"limit": 0, "page": 0}))
        .await;
    assert_eq!(s.json["users"][0]["loginIds"], json!(["test1"]));
    let s = c
        .mgmt(
            "/v2/mgmt/user/search",
            json!({"text": "INV", "limit": 0, "page": 0}),
        )
        .await;
    assert_eq!(s.json["users"].as_array().unwrap().len(), 1);
    let s = c
        .mgmt(
            "/v2/mgmt/user/search",
            json!({"limit": 1, "page": 1, "withTestUser": true}),
        )
        .await;
    assert_eq!(s.json["users"].as_array().unwrap().len(), 1, "paging");
    assert_eq!(
        c.call(
            Method::DELETE,
            "/v1/mgmt/user/test/delete/all",
            Some(&c.mk.clone()),
            None
        )
        .await
        .status,
        200
    );
    assert_descope_error(&c.mgmt_get("/v1/mgmt/user?loginId=test1").await, 404);
    assert_eq!(
        c.mgmt(
            "/v1/mgmt/user/delete",
            json!({"loginId": "inv@example.com"})
        )
        .await
        .status,
        200
    );
    assert_descope_error(
        &c.mgmt_get("/v1/mgmt/user?loginId=inv@example.com").await,
        404,
    );
    assert_eq!(
        c.mgmt("/v1/mgmt/user/delete", json!({"userId": uid}))
            .await
            .status,
        200
    );
    assert_descope_error(
        &c.mgmt_get(&format!("/v1/mgmt/user?userId={uid}")).await,
        404,
    );
}

#[tokio::test]
async fn tenant_crud_and_cascading_delete() {
    let (_h, c) = start_default().await;
    let r = c.mgmt("/v1/mgmt/tenant/create", json!({"name": "Co", "id": null, "selfProvisioningDomains": ["co.com"], "customAttributes": {"tier": 1}})).await;
    let tid = r.json["id"].as_str().unwrap().to_string();
    assert_descope_error(
        &c.mgmt("/v1/mgmt/tenant/create", json!({"name": "Co"}))
            .await,
        409,
    );
    let t = c.mgmt_get(&format!("/v1/mgmt/tenant?id={tid}")).await;
    assert_eq!(t.json["selfProvisioningDomains"], json!(["co.com"]));
    assert_eq!(c.mgmt("/v1/mgmt/tenant/update", json!({"id": tid, "name": "Co2", "selfProvisioningDomains": [], "customAttributes": null})).await.status, 200);
    assert_eq!(
        c.mgmt_get(&format!("/v1/mgmt/tenant?id={tid}")).await.json["name"],
        "Co2"
    );
    c.mgmt(
        "/v1/mgmt/tenant/create",
        json!({"name": "Keep", "id": "keep"}),
    )
    .await;
    assert_eq!(
        c.mgmt_get("/v1/mgmt/tenant/all").await.json["tenants"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let s = c.mgmt("/v1/mgmt/tenant/search", json!({"tenantIds": null, "tenantNames": ["Keep"], "tenantSelfProvisioningDomains": null, "customAttributes": null})).await;
    assert_eq!(s.json["tenants"][0]["id"], "keep");
    c.mgmt(
        "/v1/mgmt/user/create",
        json!({"loginId": "only", "userTenants": [{"tenantId": tid}]}),
    )
    .await;
    c.mgmt(
        "/v1/mgmt/user/create",
        json!({"loginId": "both", "userTenants": [{"tenantId": tid}, {"tenantId": "keep"}]}),
    )
    .await;
    let k = c
        .mgmt(
            "/v1/mgmt/accesskey/create",
            json!({"name": "k", "keyTenants": [{"tenantId": tid}]}),
        )
        .await;
    let kid = k.json["key"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        c.mgmt(
            "/v1/mgmt/tenant/delete",
            json!({"id": tid, "cascade": true})
        )
        .await
        .status,
        200
    );
    assert_descope_error(&c.mgmt_get(&format!("/v1/mgmt/tenant?id={tid}")).await, 404);
    assert_descope_error(&c.mgmt_get("/v1/mgmt/user?loginId=only").await, 404);
    let both = c.mgmt_get("/v1/mgmt/user?loginId=both").await;
    assert_eq!(
        both.json["user"]["userTenants"].as_array().unwrap().len(),
        1
    );
    assert_descope_error(
        &c.mgmt_get(&format!("/v1/mgmt/accesskey?id={kid}")).await,
        404,
    );
    assert_descope_error(
        &c.mgmt("/v1/mgmt/tenant/delete", json!({"id": tid})).await,
        404,
    );
}

#[tokio::test]
async fn key_rotation_keeps_the_old_key_in_the_jwks_and_old_refresh_tokens_valid() {
    let (h, c) = start_default().await;
    let v = c.login_test_user("rot@example.com", json!({})).await;
    let old_kid = header(v["sessionJwt"].as_str().unwrap())["kid"].clone();
    let r = c.mgmt("/emulator/keys/rotate", json!({})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let jwks = c
        .call(
            Method::GET,
            &format!("/v2/keys/{}", h.project_id()),
            None,
            None,
        )
        .await;
    let kids: Vec<Value> = jwks.json["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].clone())
        .collect();
    assert_eq!(kids.len(), 2);
    assert!(kids.contains(&old_kid) && kids.contains(&r.json["kid"]));
    let rt = v["refreshJwt"].as_str().unwrap();
    let fresh = c.post("/v1/auth/refresh", Some(rt), json!({})).await;
    assert_eq!(fresh.status, 200);
    assert_eq!(
        header(fresh.json["sessionJwt"].as_str().unwrap())["kid"],
        r.json["kid"],
        "new tokens use the new key"
    );
    assert_descope_error(
        &c.call(Method::POST, "/emulator/keys/rotate", None, None)
            .await,
        401,
    );
}

#[tokio::test]
async fn outbox_endpoint_lists_messages_behind_the_management_key() {
    let (h, c) = start_default().await;
    c.post(
        "/v1/auth/otp/signup/email",
        None,
        json!({"loginId": "ob@example.com", "user": {}}),
    )
    .await;
    let r = c.mgmt_get("/emulator/outbox?loginId=ob@example.com").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json["messages"][0]["code"].as_str().unwrap(),
        h.last_message("ob@example.com").unwrap().code.unwrap()
    );
    assert_descope_error(
        &c.call(Method::GET, "/emulator/outbox", None, None).await,
        401,
    );
    let dbg = format!("{:?}", h.outbox());
    assert!(
        !dbg.contains(&h.outbox()[0].code.clone().unwrap()),
        "Debug does not show codes"
    );
}

#[tokio::test]
async fn tls_serves_https_with_a_certificate_signed_by_the_reported_ca() {
    let h = Emulator::builder().tls(true).start().await.unwrap();
    assert!(h.base_url().starts_with("https://127.0.0.1:"));
    let ca = h.ca_pem().expect("CA PEM");
    let c = Client::new(h.base_url(), h.project_id(), h.management_key(), Some(ca));
    let r = c
        .call(
            Method::GET,
            &format!("/v2/keys/{}", h.project_id()),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["keys"].as_array().unwrap().len(), 1);
    h.shutdown().await;
}

#[tokio::test]
async fn auth_calls_need_the_project_bearer() {
    let (h, c) = start_default().await;
    let other = Client::new(h.base_url(), "Pnotthisproject", h.management_key(), None);
    let r = other
        .call(Method::GET, "/v1/auth/password/policy", None, None)
        .await;
    assert_descope_error(&r, 401);
    assert!(r.json["errorMessage"]
        .as_str()
        .unwrap()
        .contains("Pnotthisproject"));
    // The JWKS is public.
    let r = other
        .call(
            Method::GET,
            &format!("/v2/keys/{}", h.project_id()),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        c.call(Method::GET, "/v1/auth/password/policy", None, None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn magic_and_enchanted_link_updates_change_email_and_phone_after_verify() {
    let (h, c) = start_default().await;
    let v = c.login_test_user("mlu@example.com", json!({})).await;
    let rt = v["refreshJwt"].as_str().unwrap().to_string();
    let r = c.post("/v1/auth/magiclink/update/email", Some(&rt), json!({"loginId": "mlu@example.com", "email": "mlu2@example.com", "addToLoginIDs": false, "onMergeUseExisting": false})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let token = h.last_message("mlu@example.com").unwrap().token.unwrap();
    let v2 = c
        .post("/v1/auth/magiclink/verify", None, json!({"token": token}))
        .await;
    assert_eq!(v2.json["user"]["email"], "mlu2@example.com");
    let r = c.post("/v1/auth/magiclink/update/phone", Some(&rt), json!({"loginId": "mlu@example.com", "phone": "+15555550123", "addToLoginIDs": false, "onMergeUseExisting": false})).await;
    assert_eq!(r.json["maskedPhone"], "+*******0123");
    let token = h.last_message("mlu@example.com").unwrap().token.unwrap();
    let v3 = c
        .post("/v1/auth/magiclink/verify", None, json!({"token": token}))
        .await;
    assert_eq!(v3.json["user"]["phone"], "+15555550123");
    let r = c.post("/v1/auth/enchantedlink/update/email", Some(&rt), json!({"loginId": "mlu@example.com", "email": "mlu3@example.com", "addToLoginIDs": true, "onMergeUseExisting": false})).await;
    assert_eq!(r.status, 200);
    let pref = r.json["pendingRef"].as_str().unwrap().to_string();
    let token = h.last_message("mlu@example.com").unwrap().token.unwrap();
    assert_eq!(
        c.post(
            "/v1/auth/enchantedlink/verify",
            None,
            json!({"token": token})
        )
        .await
        .status,
        200
    );
    let s = c
        .post(
            "/v1/auth/enchantedlink/pending-session",
            None,
            json!({"pendingRef": pref}),
        )
        .await;
    assert_eq!(
        s.json["user"]["loginIds"],
        json!(["mlu@example.com", "mlu3@example.com"])
    );
}

#[tokio::test]
async fn a_wrong_method_on_a_known_path_answers_501_too() {
    let (_h, c) = start_default().await;
    let r = c
        .call(Method::GET, "/v1/auth/otp/verify/email", None, None)
        .await;
    assert_descope_error(&r, 501);
    assert!(r.json["errorMessage"]
        .as_str()
        .unwrap()
        .contains("GET /v1/auth/otp/verify/email"));
}

#[tokio::test]
async fn an_expired_refresh_token_is_refused() {
    let (_h, c) = start(Emulator::builder().refresh_ttl(Duration::from_secs(1))).await;
    let v = c.login_test_user("exp@example.com", json!({})).await;
    let rt = v["refreshJwt"].as_str().unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = c.post("/v1/auth/refresh", Some(rt), json!({})).await;
    assert_descope_error(&r, 401);
    assert!(r.json["errorMessage"].as_str().unwrap().contains("expired"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_updates_of_one_user_lose_no_update() {
    let (_h, c) = start_default().await;
    let c = std::sync::Arc::new(c);
    for i in 0..20 {
        c.mgmt("/v1/mgmt/role/create", json!({"name": format!("r{i}")}))
            .await;
    }
    c.mgmt("/v1/mgmt/user/create", json!({"loginId": "busy"}))
        .await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let c = c.clone();
            tokio::spawn(async move {
                c.mgmt(
                    "/v2/mgmt/user/update/role/add",
                    json!({"loginId": "busy", "roleNames": [format!("r{i}")]}),
                )
                .await
                .status
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    let u = c.mgmt_get("/v1/mgmt/user?loginId=busy").await;
    assert_eq!(u.json["user"]["roleNames"].as_array().unwrap().len(), 20);
}

/// Decodes the QR code in a greyscale PNG.
fn qr_text(png_bytes: &[u8]) -> String {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("QR decodes").1
}

#[tokio::test]
async fn an_mfa_update_adds_the_new_factor_to_the_sessions_factors() {
    let (h, c) = start_default().await;
    let pw = c
        .post(
            "/v1/auth/password/signup",
            None,
            json!({"loginId": "mfa@example.com", "password": "Passw0rdOk"}),
        )
        .await;
    let rt = pw.json["refreshJwt"].as_str().unwrap().to_string();
    let r = c.post("/v1/auth/otp/update/phone/sms", Some(&rt), json!({"loginId": "mfa@example.com", "phone": "+12125550777", "addToLoginIDs": false, "onMergeUseExisting": false, "mfa": true})).await;
    assert_eq!(r.status, 200, "{}", r.json);
    let code = h.last_message("mfa@example.com").unwrap().code.unwrap();
    let v = c
        .post(
            "/v1/auth/otp/verify/sms",
            None,
            json!({"loginId": "mfa@example.com", "code": code}),
        )
        .await;
    assert_eq!(
        claims(v.json["sessionJwt"].as_str().unwrap())["amr"],
        json!(["pwd", "sms"])
    );
}

#[tokio::test]
async fn the_handle_rotates_keys_too() {
    let (h, c) = start_default().await;
    let before = c.login_test_user("hrot@example.com", json!({})).await;
    let kid = h.rotate_keys().await.unwrap();
    let after = c.otp_login("hrot@example.com").await;
    assert_eq!(
        header(after["sessionJwt"].as_str().unwrap())["kid"],
        json!(kid)
    );
    assert_ne!(
        header(before["sessionJwt"].as_str().unwrap())["kid"],
        json!(kid)
    );
}
