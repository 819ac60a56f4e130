//! Each deliberate divergence from the official SDK (docs/compatibility.md), pinned.

mod common;

use std::time::Duration;

use common::*;
use descope_core::TokenErrorKind;
use serde_json::json;

fn kind<T: std::fmt::Debug>(r: descope_core::Result<T>) -> TokenErrorKind {
    r.unwrap_err().token_kind().expect("a token error")
}

#[tokio::test]
async fn divergence_issuer_must_name_the_project() {
    let h = harness();
    h.transport.push_json(200, jwks_of(&["oracle-rsa-1"]));
    for iss in [
        json!("https://evil.example.com/P2otherProject"),
        json!("P2otherProject"),
        json!(null),
    ] {
        let mut c = claims(600);
        if iss.is_null() {
            c.as_object_mut().unwrap().remove("iss");
        } else {
            c["iss"] = iss.clone();
        }
        let t = sign("oracle-rsa-1", "RS256", &c);
        assert_eq!(
            kind(h.validator.validate(&t, None).await),
            TokenErrorKind::WrongIssuer,
            "{iss}"
        );
    }
    let mut c = claims(600);
    c["iss"] = json!(format!("https://api.descope.com/v1/apps/{PROJECT}"));
    let s = h
        .validator
        .validate(&sign("oracle-rsa-1", "RS256", &c), None)
        .await
        .unwrap();
    assert_eq!(s.project_id(), PROJECT);
}

#[tokio::test]
async fn divergence_a_token_without_exp_is_rejected() {
    let h = harness();
    h.transport.push_json(200, jwks_of(&["oracle-rsa-1"]));
    let mut c = claims(600);
    c.as_object_mut().unwrap().remove("exp");
    let e = h
        .validator
        .validate(&sign("oracle-rsa-1", "RS256", &c), None)
        .await
        .unwrap_err();
    assert_eq!(e.token_kind(), Some(TokenErrorKind::Malformed));
    assert!(e.to_string().contains("exp"));
}

#[tokio::test]
async fn divergence_every_failure_is_an_sdk_error_with_a_precise_kind() {
    let h = harness();
    h.transport
        .push_json(200, jwks_of(&["oracle-rsa-1", "oracle-rsa-2"]));
    let good = sign("oracle-rsa-1", "RS256", &claims(600));
    // A flipped signature bit.
    let mut bytes = good.clone().into_bytes();
    let last = bytes.len() - 3;
    bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(bytes).unwrap();
    assert_eq!(
        kind(h.validator.validate(&flipped, None).await),
        TokenErrorKind::BadSignature
    );
    // Signed by one key, claiming another.
    let swapped = sign_as("oracle-rsa-1", "oracle-rsa-2", "RS256", &claims(600));
    assert_eq!(
        kind(h.validator.validate(&swapped, None).await),
        TokenErrorKind::BadSignature
    );
    // Audience mismatch.
    let mut c = claims(600);
    c["aud"] = json!("other");
    let t = sign("oracle-rsa-1", "RS256", &c);
    let e = h.validator.validate(&t, None).await.unwrap_err();
    assert_eq!(e.token_kind(), Some(TokenErrorKind::WrongAudience));
    assert!(e.is_unauthorized());
    // A validly signed payload that is not a JSON object.
    let e = h
        .validator
        .validate(&token_case_token("malformed.payload_json_array"), None)
        .await;
    assert_eq!(kind(e), TokenErrorKind::Malformed);
}

fn token_case_token(id: &str) -> String {
    matrix()["token_cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn divergence_unknown_kids_do_not_refetch_within_the_cooldown() {
    let h = harness();
    h.transport.push_json(200, jwks_of(&["oracle-rsa-1"]));
    h.validator
        .validate(&sign("oracle-rsa-1", "RS256", &claims(600)), None)
        .await
        .unwrap();
    let unknown = token_case_token("kid.unknown");
    for _ in 0..5 {
        assert_eq!(
            kind(h.validator.validate(&unknown, None).await),
            TokenErrorKind::UnknownKey
        );
    }
    assert_eq!(
        jwks_requests(&h.transport),
        1,
        "the official SDK would have fetched 5 more times"
    );
    h.clock.advance(Duration::from_secs(10));
    assert_eq!(
        kind(h.validator.validate(&unknown, None).await),
        TokenErrorKind::UnknownKey
    );
    assert_eq!(jwks_requests(&h.transport), 2);
}

#[tokio::test]
async fn divergence_a_pinned_key_is_never_replaced_by_a_fetch() {
    let h = harness_with(Setup {
        public_key: Some(jwks_of(&["oracle-rsa-1"])["keys"][0].to_string()),
        ..Setup::default()
    });
    h.transport.push_json(200, jwks_of(&["oracle-rsa-2"]));
    let other = sign("oracle-rsa-2", "RS256", &claims(600));
    assert_eq!(
        kind(h.validator.validate(&other, None).await),
        TokenErrorKind::UnknownKey
    );
    h.validator
        .validate(&sign("oracle-rsa-1", "RS256", &claims(600)), None)
        .await
        .unwrap();
    assert_eq!(jwks_requests(&h.transport), 0);
}

#[tokio::test]
async fn divergence_hs256_and_none_are_refused_before_any_key_lookup() {
    let h = harness();
    h.transport.push_json(200, jwks_of(&["oracle-rsa-1"]));
    for id in [
        "alg.hs256_confusion.unknown_kid",
        "alg.hs256_confusion.rsa_public_pem",
        "alg.none",
        "alg.None_capitalised",
    ] {
        assert_eq!(
            kind(h.validator.validate(&token_case_token(id), None).await),
            TokenErrorKind::AlgorithmNotAllowed,
            "{id}"
        );
    }
    assert_eq!(jwks_requests(&h.transport), 0);
}
