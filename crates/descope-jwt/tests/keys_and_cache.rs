//! The key-set cache and the verified-token cache under load, outage and rotation.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use descope_core::{TokenErrorKind, TransportError, TransportErrorKind};
use descope_jwt::ValidatorOptions;
use serde_json::json;

const COOLDOWN: Duration = Duration::from_secs(10);

fn kind<T: std::fmt::Debug>(r: descope_core::Result<T>) -> TokenErrorKind {
    r.unwrap_err().token_kind().expect("a token error")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_validations_with_one_unknown_kid_make_exactly_one_fetch() {
    let h = slow_harness(Duration::from_millis(50), ValidatorOptions::default());
    h.transport
        .push_json(200, jwks_of(&["oracle-rsa-1"]))
        .push_json(200, jwks_of(&["oracle-rsa-1", "oracle-rsa-2"]));
    h.validator
        .validate(&sign("oracle-rsa-1", "RS256", &claims(600)), None)
        .await
        .unwrap();
    assert_eq!(jwks_requests(&h.transport), 1);
    h.clock.advance(COOLDOWN + Duration::from_secs(1));

    // oracle-rsa-2 is not known yet: every one of these needs the refetch.
    let token = Arc::new(sign("oracle-rsa-2", "RS256", &claims(600)));
    let ok = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::with_capacity(10_000);
    for _ in 0..10_000 {
        let (v, t, ok) = (h.validator.clone(), token.clone(), ok.clone());
        tasks.push(tokio::spawn(async move {
            if v.validate(&t, None).await.is_ok() {
                ok.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(ok.load(Ordering::Relaxed), 10_000);
    assert_eq!(jwks_requests(&h.transport), 2, "exactly one refetch");
    assert_eq!(h.validator.key_set_fetches(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_validations_share_the_first_fetch() {
    let h = slow_harness(Duration::from_millis(50), ValidatorOptions::default());
    h.transport.push_json(200, jwks_of(&["oracle-rsa-1"]));
    let mut tasks = Vec::new();
    for i in 0..200 {
        let v = h.validator.clone();
        // Distinct tokens, so the verified cache cannot help.
        let mut c = claims(600);
        c["n"] = json!(i);
        let t = sign("oracle-rsa-1", "RS256", &c);
        tasks.push(tokio::spawn(
            async move { v.validate(&t, None).await.is_ok() },
        ));
    }
    for t in tasks {
        assert!(t.await.unwrap());
    }
    assert_eq!(jwks_requests(&h.transport), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_random_kids_cannot_make_more_than_one_fetch_per_cooldown() {
    let h = slow_harness(Duration::from_millis(5), ValidatorOptions::default());
    h.transport.push_json(200, jwks_of(&["oracle-rsa-1"]));
    h.validator
        .validate(&sign("oracle-rsa-1", "RS256", &claims(600)), None)
        .await
        .unwrap();
    for round in 1..=3u32 {
        h.clock.advance(COOLDOWN);
        let before = jwks_requests(&h.transport);
        let mut tasks = Vec::new();
        for i in 0..300 {
            let v = h.validator.clone();
            let t = sign_as(
                "oracle-rsa-1",
                &format!("forged-{round}-{i}"),
                "RS256",
                &claims(600),
            );
            tasks.push(tokio::spawn(async move { v.validate(&t, None).await }));
        }
        for t in tasks {
            assert_eq!(kind(t.await.unwrap()), TokenErrorKind::UnknownKey);
        }
        // Sequential forgeries within the same cooldown window fetch nothing more.
        for i in 0..50 {
            let t = sign_as(
                "oracle-rsa-1",
                &format!("seq-{round}-{i}"),
                "RS256",
                &claims(600),
            );
            assert_eq!(
                kind(h.validator.validate(&t, None).await),
                TokenErrorKind::UnknownKey
            );
        }
        assert!(
            jwks_requests(&h.transport) - before <= 1,
            "round {round}: {} fetches",
            jwks_requests(&h.transport) - before
        );
    }
}

#[tokio::test]
async fn a_key_set_outage_after_a_good_fetch_rejects_no_valid_token() {
    for cache in [true, false] {
        let h = harness_with(Setup {
            options: ValidatorOptions::default().verified_cache(cache),
            ..Setup::default()
        });
        h.transport.push_json(200, jwks_of(&["oracle-rsa-1"]));
        h.validator
            .validate(&sign("oracle-rsa-1", "RS256", &claims(600)), None)
            .await
            .unwrap();
        // From now on the key-set endpoint is down.
        h.transport
            .push_error(TransportError::new(
                TransportErrorKind::Connect,
                false,
                "down",
            ))
            .push_response(503, &[], "unavailable");
        for i in 0..20 {
            h.clock.advance(COOLDOWN);
            // An unknown kid tries a refetch, which fails...
            let forged = sign_as("oracle-rsa-1", &format!("x{i}"), "RS256", &claims(6000));
            assert_eq!(
                kind(h.validator.validate(&forged, None).await),
                TokenErrorKind::UnknownKey
            );
            // ...and the known key still validates new and repeated tokens.
            let mut c = claims(6000);
            c["i"] = json!(i);
            let t = sign("oracle-rsa-1", "RS256", &c);
            h.validator.validate(&t, None).await.unwrap();
            h.validator.validate(&t, None).await.unwrap();
        }
        assert!(jwks_requests(&h.transport) > 2, "the refetches were tried");
        assert_eq!(h.validator.known_keys(), 1);
    }
}

#[tokio::test]
async fn key_rotation_is_followed_without_restart_and_a_dropped_key_leaves_the_cache() {
    let h = harness();
    h.transport
        .push_json(200, jwks_of(&["oracle-rsa-1"]))
        .push_json(200, jwks_of(&["oracle-rsa-1", "oracle-rsa-2"]))
        .push_json(200, jwks_of(&["oracle-rsa-2"]));
    let old = sign("oracle-rsa-1", "RS256", &claims(6000));
    let new = sign("oracle-rsa-2", "RS256", &claims(6000));
    h.validator.validate(&old, None).await.unwrap();
    assert_eq!(h.validator.cached_tokens(), 1);

    // A new key is added: its tokens are accepted, the old key's too.
    h.clock.advance(COOLDOWN);
    h.validator.validate(&new, None).await.unwrap();
    h.validator.validate(&old, None).await.unwrap();
    assert_eq!(
        h.validator.cached_tokens(),
        2,
        "an unchanged key keeps its cached tokens"
    );

    // The old key is removed (the next refetch, triggered by an unknown kid, sees it gone).
    h.clock.advance(COOLDOWN);
    let probe = sign_as("oracle-rsa-2", "rotation-probe", "RS256", &claims(6000));
    assert_eq!(
        kind(h.validator.validate(&probe, None).await),
        TokenErrorKind::UnknownKey
    );
    assert_eq!(jwks_requests(&h.transport), 3);
    assert_eq!(
        h.validator.cached_tokens(),
        1,
        "the dropped key's token left the cache"
    );
    assert_eq!(
        kind(h.validator.validate(&old, None).await),
        TokenErrorKind::UnknownKey
    );
    h.validator.validate(&new, None).await.unwrap();
}

#[tokio::test]
async fn repeated_tokens_are_answered_from_the_cache_until_they_expire() {
    let h = harness();
    h.transport.push_json(200, jwks_of(&["oracle-rsa-1"]));
    let t = sign("oracle-rsa-1", "RS256", &claims(100));
    let a = h.validator.validate(&t, None).await.unwrap();
    let b = h.validator.validate(&t, None).await.unwrap();
    assert_eq!(a.token(), b.token());
    assert_eq!(h.validator.cached_tokens(), 1);
    // Within the leeway it still holds; past it, it is expired and dropped.
    h.clock.advance(Duration::from_secs(104));
    h.validator.validate(&t, None).await.unwrap();
    h.clock.advance(Duration::from_secs(1));
    assert_eq!(
        kind(h.validator.validate(&t, None).await),
        TokenErrorKind::Expired
    );
    assert_eq!(h.validator.cached_tokens(), 0);
    assert_eq!(jwks_requests(&h.transport), 1);
}

#[tokio::test]
async fn the_cache_still_checks_the_audience_of_every_call() {
    let h = harness();
    h.transport.push_json(200, jwks_of(&["oracle-rsa-1"]));
    let mut c = claims(600);
    c["aud"] = json!("my-aud");
    let t = sign("oracle-rsa-1", "RS256", &c);
    h.validator.validate(&t, Some("my-aud")).await.unwrap();
    assert_eq!(
        kind(h.validator.validate(&t, None).await),
        TokenErrorKind::WrongAudience
    );
    assert_eq!(
        kind(h.validator.validate(&t, Some("other")).await),
        TokenErrorKind::WrongAudience
    );
    h.validator.validate(&t, Some("my-aud")).await.unwrap();
}

#[tokio::test]
async fn a_tampered_copy_of_a_cached_token_is_not_served_from_the_cache() {
    let h = harness();
    h.transport.push_json(200, jwks_of(&["oracle-rsa-1"]));
    let t = sign("oracle-rsa-1", "RS256", &claims(600));
    h.validator.validate(&t, None).await.unwrap();
    // Same signature (hence the same cache slot), another payload.
    let (head, rest) = t.split_once('.').unwrap();
    let (_, sig) = rest.split_once('.').unwrap();
    let mut c = claims(600);
    c["roles"] = json!(["superuser"]);
    let forged = format!(
        "{head}.{}.{sig}",
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            c.to_string()
        )
    );
    assert_eq!(
        kind(h.validator.validate(&forged, None).await),
        TokenErrorKind::BadSignature
    );
}

#[tokio::test]
async fn the_verified_cache_can_be_turned_off_and_stays_bounded() {
    let h = harness_with(Setup {
        options: ValidatorOptions::default().verified_cache(false),
        ..Setup::default()
    });
    h.transport.push_json(200, jwks_of(&["oracle-rsa-1"]));
    let t = sign("oracle-rsa-1", "RS256", &claims(600));
    h.validator.validate(&t, None).await.unwrap();
    h.validator.validate(&t, None).await.unwrap();
    assert_eq!(h.validator.cached_tokens(), 0);

    let h = harness_with(Setup {
        options: ValidatorOptions::default().verified_cache_capacity(64),
        ..Setup::default()
    });
    h.transport.push_json(200, jwks_of(&["oracle-ec-256"]));
    for i in 0..500 {
        let mut c = claims(600);
        c["i"] = json!(i);
        h.validator
            .validate(&sign("oracle-ec-256", "ES256", &c), None)
            .await
            .unwrap();
    }
    assert!(
        h.validator.cached_tokens() <= 64,
        "{}",
        h.validator.cached_tokens()
    );
}

#[tokio::test]
async fn pss_384_and_512_verify_when_the_key_says_so() {
    let base = jwks_of(&["oracle-rsa-ps256"])["keys"][0].clone();
    let mut keys = Vec::new();
    for alg in ["PS384", "PS512", "RS256"] {
        let mut k = base.clone();
        k["alg"] = json!(alg);
        k["kid"] = json!(format!("k-{alg}"));
        keys.push(k);
    }
    let h = harness();
    h.transport.push_json(200, json!({ "keys": keys }));
    for alg in ["PS384", "PS512", "RS256"] {
        let t = sign_as("oracle-rsa-ps256", &format!("k-{alg}"), alg, &claims(600));
        let s = h.validator.validate(&t, None).await.unwrap();
        assert_eq!(s.algorithm().unwrap().name(), alg);
        assert_eq!(s.key_id(), format!("k-{alg}"));
    }
    // A token whose header alg differs from the key's is refused, even if the signature is good.
    let t = sign_as("oracle-rsa-ps256", "k-PS384", "PS512", &claims(600));
    assert_eq!(
        kind(h.validator.validate(&t, None).await),
        TokenErrorKind::AlgorithmNotAllowed
    );
}

#[tokio::test]
async fn keys_can_be_loaded_ahead_of_the_first_request() {
    let h = harness();
    h.transport
        .push_json(200, jwks_of(&["oracle-rsa-1", "oracle-rsa-2"]))
        .push_response(500, &[], "down");
    assert_eq!(h.validator.refresh_keys().await.unwrap(), 2);
    h.validator
        .validate(&sign("oracle-rsa-2", "RS256", &claims(600)), None)
        .await
        .unwrap();
    assert_eq!(
        jwks_requests(&h.transport),
        1,
        "no fetch on the first request"
    );
    // An explicit refresh ignores the cooldown; a failed one keeps the keys.
    assert!(h.validator.refresh_keys().await.unwrap_err().is_api());
    assert_eq!(h.validator.known_keys(), 2);
    h.validator
        .validate(&sign("oracle-rsa-1", "RS256", &claims(600)), None)
        .await
        .unwrap();
}

#[tokio::test]
async fn error_messages_show_an_escaped_and_shortened_kid() {
    let h = harness();
    h.transport.push_json(200, jwks_of(&["oracle-rsa-1"]));
    let kid = format!("evil\n{}", "k".repeat(5000));
    let t = sign_as("oracle-rsa-1", &kid, "RS256", &claims(600));
    let e = h.validator.validate(&t, None).await.unwrap_err();
    assert_eq!(e.token_kind(), Some(TokenErrorKind::UnknownKey));
    let msg = e.to_string();
    assert!(!msg.contains('\n'), "{msg}");
    assert!(msg.len() < 400, "{}", msg.len());
}
