//! Response handling the wire cases do not cover: missing or odd fields, and the refresh token
//! delivered only as a cookie.

use descope_auth::DeliveryMethod;
use descope_transport::test_util::ScriptedTransport;
use serde_json::json;

use crate::support::auth_over;

const FIXTURES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../conformance/python-2.16.1-fixtures.json"
));

fn fixture(name: &str) -> String {
    let f: serde_json::Value = serde_json::from_str(FIXTURES).unwrap();
    f[name].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_start_answer_without_the_masked_address_is_a_decode_error() {
    let t = ScriptedTransport::new();
    t.push_json(200, json!({"maskedEmail": "d***@descope.com"}));
    let auth = auth_over(&t);
    let err = auth
        .otp()
        .sign_in(DeliveryMethod::Sms, "+12125551234")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), descope_core::ErrorKind::Decode);
    assert!(err.to_string().contains("maskedPhone"), "{err}");
}

#[tokio::test]
async fn a_passkey_update_without_a_session_returns_none() {
    for body in [json!({}), json!({"jwt": null}), json!({"jwt": {}})] {
        let t = ScriptedTransport::new();
        t.push_json(200, body.clone());
        let auth = auth_over(&t);
        let r = auth
            .webauthn()
            .update_finish("tx", r#"{"id":"cred"}"#)
            .await
            .unwrap();
        assert!(r.is_none(), "{body}");
    }
}

#[tokio::test]
async fn a_passkey_update_with_a_jwt_that_is_not_an_object_is_a_decode_error() {
    let t = ScriptedTransport::new();
    t.push_json(200, json!({"jwt": "eyJ..."}));
    let auth = auth_over(&t);
    let err = auth
        .webauthn()
        .update_finish("tx", r#"{"id":"cred"}"#)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), descope_core::ErrorKind::Decode);
}

#[tokio::test]
async fn a_refresh_token_sent_only_as_a_cookie_is_verified_and_returned() {
    let t = ScriptedTransport::new();
    let rt = fixture("refresh_token");
    t.push_response(
        200,
        &[("Set-Cookie", &format!("DSR={rt}; Path=/; HttpOnly"))],
        json!({"sessionJwt": fixture("session_token")}).to_string(),
    );
    let auth = auth_over(&t);
    let jwt = auth.oauth().exchange_token("code").await.unwrap();
    assert_eq!(jwt.refresh_token(), Some(rt.as_str()));
    assert_eq!(jwt.project_id, "P2aAc4T2V93bddihGEx2Ryhc8e5Z");
    assert!(jwt.first_seen, "firstSeen defaults to true when absent");
}

#[tokio::test]
async fn a_tampered_session_token_fails_the_verify_call() {
    let t = ScriptedTransport::new();
    let mut token = fixture("session_token");
    token.pop();
    token.push('A');
    t.push_json(200, json!({"sessionJwt": token}));
    let auth = auth_over(&t);
    let err = auth.magic_link().verify("link-token").await.unwrap_err();
    assert!(err.is_token(), "{err:?}");
}

#[tokio::test]
async fn api_errors_of_a_start_call_keep_their_descope_code() {
    let t = ScriptedTransport::new();
    t.push_json(
        400,
        json!({"errorCode": "E062108", "errorDescription": "User not found"}),
    );
    let auth = auth_over(&t);
    let err = auth
        .password()
        .send_reset("nobody@descope.com")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("E062108"));
}

#[tokio::test]
async fn code_exchanges_check_the_audience_they_are_given() {
    // The fixture tokens carry no `aud`: with an audience required, every exchange refuses them;
    // without one, they pass.
    for which in ["oauth", "sso", "saml"] {
        let t = ScriptedTransport::new();
        t.push_json(200, json!({"sessionJwt": fixture("session_token")}));
        let auth = auth_over(&t);
        #[allow(deprecated)]
        let result = match which {
            "oauth" => auth.oauth().exchange_token("code").audience("my-api").await,
            "sso" => auth.sso().exchange_token("code").audience("my-api").await,
            _ => auth.saml().exchange_token("code").audience("my-api").await,
        };
        let err = result.unwrap_err();
        assert_eq!(
            err.token_kind(),
            Some(descope_core::TokenErrorKind::WrongAudience),
            "{which}: {err:?}"
        );
        let ok = auth.oauth().exchange_token("code").await;
        assert!(ok.is_ok(), "{which}: {ok:?}");
    }
}
